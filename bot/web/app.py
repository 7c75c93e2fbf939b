"""The Sanic web app: demo agency page with the widget, `/widget.js`, `/api/hours`, `/health`,
and the dashboard blueprint. `create_app(settings)` builds a fresh app (unique name) per call.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

import aiohttp
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.hours import describe_hours, load_business_hours
from bot.domain.wording import load_conversation_wording
from bot.web.proxies import configure_proxies
from bot.base.settings import Settings
from bot.web import __version__
from bot.analytics.ops_metrics import mount_metrics, register_database_collector
from bot.web.dashboard import create_dashboard

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_DIR = WEB_DIR / "templates"

RASA_PROBE_TIMEOUT_S = 1.0
RASA_PROBE_CACHE_S = 2.0
_app_counter = itertools.count(1)

# name -> (content type, Cache-Control). widget.js has a stable URL (embedded on client sites),
# so it is cached briefly and revalidated with its ETag.
ASSETS: Dict[str, Tuple[str, str]] = {
    "widget.js": ("application/javascript; charset=utf-8", "public, max-age=300, stale-while-revalidate=3600"),
    "site.css": ("text/css; charset=utf-8", "public, max-age=3600"),
    "dashboard.css": ("text/css; charset=utf-8", "public, max-age=3600"),
    "favicon.svg": ("image/svg+xml", "public, max-age=86400"),
    "live.js": ("application/javascript; charset=utf-8", "no-cache"),  # dashboard live chat
    # dashboard funnel charts (web/dashboard, Chart.js bundled)
    "funnel.js": ("application/javascript; charset=utf-8", "public, max-age=300"),
}


def template_env() -> Environment:
    """Jinja2 with autoescape on for every template: lead data always renders as text."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class _Asset:
    body: bytes
    etag: str
    mtime_ns: int


@dataclass
class StaticAssets:
    """Files under static/, read once and re-read when they change on disk (a rebuilt widget)."""

    directory: Path
    _cache: Dict[str, _Asset] = field(default_factory=dict)

    def get(self, name: str) -> Optional[_Asset]:
        path = self.directory / name
        try:
            mtime_ns = path.stat().st_mtime_ns
        except OSError:
            return None
        cached = self._cache.get(name)
        if cached is None or cached.mtime_ns != mtime_ns:
            body = path.read_bytes()
            cached = _Asset(body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"', mtime_ns)
            self._cache[name] = cached
        return cached


def widget_version(assets: StaticAssets) -> Optional[str]:
    """The version in the built widget's banner (`/*! carrier-advisor-widget vX.Y.Z ...`)."""
    asset = assets.get("widget.js")
    if asset is None:
        return None
    match = re.match(rb"/\*! carrier-advisor-widget v([0-9A-Za-z.+-]+)", asset.body[:200])
    return match.group(1).decode() if match else None


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True)
class WebConfig:
    """What the web app needs besides Settings (from env in __main__)."""

    dashboard_secret: Optional[str] = None
    # The Rasa server as the *browser* reaches it; default: this page's host on RASA_PORT.
    rasa_public_url: Optional[str] = None


def rasa_browser_url(request: Request, settings: Settings, config: WebConfig) -> str:
    """The Rasa server URL written into the page's script tag."""
    if config.rasa_public_url:
        return config.rasa_public_url.rstrip("/")
    hostname = urlsplit(f"//{request.host}").hostname or "127.0.0.1"
    scheme = "https" if request.scheme == "https" else "http"
    return f"{scheme}://{_bracket(hostname)}:{settings.rasa_port}"


def public_base(request: Request, settings: Settings) -> str:
    """This web app's base URL as the browser sees it (PUBLIC_URL when set)."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"{request.scheme}://{request.host}"


def content_security_policy(rasa_url: str) -> str:
    """Same-origin everything, plus the Rasa server (HTTP long-polling and WebSocket) for the widget."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    rasa_origins = f"{parts.scheme}://{parts.netloc} {ws_scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https:",
            f"connect-src 'self' {rasa_origins}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class RasaProbe:
    """Does the Rasa server answer? A short timeout and a small cache keep /health cheap."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._checked_at = 0.0
        self._result: Dict[str, Any] = {}
        self._lock = asyncio.Lock()

    async def check(self, session: aiohttp.ClientSession) -> Dict[str, Any]:
        async with self._lock:
            if self._result and time.monotonic() - self._checked_at < RASA_PROBE_CACHE_S:
                return self._result
            started = time.perf_counter()
            try:
                timeout = aiohttp.ClientTimeout(total=RASA_PROBE_TIMEOUT_S)
                async with session.get(self.url, timeout=timeout) as resp:
                    text = (await resp.text())[:200]
                    ok = resp.status == 200
                    result: Dict[str, Any] = {"reachable": ok, "status": resp.status}
                    version = re.search(r"Rasa: ?([0-9][0-9A-Za-z.+-]*)", text)
                    if version:
                        result["version"] = version.group(1)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                result = {"reachable": False, "error": type(exc).__name__}
            result["ms"] = round((time.perf_counter() - started) * 1000, 1)
            self._result, self._checked_at = result, time.monotonic()
            return result


def business_hours_status(settings: Settings) -> Dict[str, Any]:
    """Open now? and, when closed, when we open next (BOT_NOW respected)."""
    hours = load_business_hours()
    at = settings.now()
    is_open = hours.is_open(at)
    result: Dict[str, Any] = {
        "open": is_open,
        "now": at.isoformat(),
        "timezone": hours.timezone_name,
        "hours": dict(describe_hours(hours)),
    }
    if not is_open:
        next_opening = hours.describe_next_opening(at)
        result["next_opening"] = next_opening
        result["note"] = load_conversation_wording().text("office_closed_note", next_opening=next_opening)
    return result


def create_app(settings: Settings, config: Optional[WebConfig] = None) -> Sanic:
    """A new web app for these settings (a unique Sanic name per call, so tests can build many)."""
    config = config or WebConfig()
    app = Sanic(f"carrier_advisor_web_{next(_app_counter)}")
    app.config.FALLBACK_ERROR_FORMAT = "text"
    app.config.REQUEST_MAX_SIZE = 1_000_000
    configure_proxies(app)  # client addresses only from configured proxies (bot/web/proxies.py)
    app.ctx.settings = settings
    app.ctx.config = config
    app.ctx.templates = template_env()
    app.ctx.assets = StaticAssets(STATIC_DIR)
    app.ctx.rasa_probe = RasaProbe(f"{settings.local_rasa_url}/")

    @app.listener("before_server_start")
    async def open_http_client(app_: Sanic, _loop: Any) -> None:
        app_.ctx.http = aiohttp.ClientSession()

    @app.listener("after_server_stop")
    async def close_http_client(app_: Sanic, _loop: Any) -> None:
        await app_.ctx.http.close()

    @app.middleware("response")
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for name, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(name, value)
        if "Content-Security-Policy" not in resp.headers:
            resp.headers["Content-Security-Policy"] = content_security_policy(
                rasa_browser_url(request, settings, config)
            )
        if request.scheme == "https":
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        html = app.ctx.templates.get_template("index.html").render(
            base=public_base(request, settings),
            rasa_url=rasa_browser_url(request, settings, config),
        )
        return response.html(html, headers={"Cache-Control": "no-cache"})

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        rasa = await app.ctx.rasa_probe.check(app.ctx.http)
        return response.json(
            {
                "status": "ok" if rasa.get("reachable") else "degraded",
                "version": __version__,
                "widget_version": widget_version(app.ctx.assets),
                "rasa": {"url": app.ctx.rasa_probe.url, **rasa},
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/api/hours")
    async def api_hours(request: Request) -> HTTPResponse:
        try:
            body = business_hours_status(settings)
        except Exception:  # a broken hours file must not break the page
            logger.exception("business hours unavailable")
            return response.json({"error": "business hours unavailable"}, status=503)
        return response.json(
            body,
            headers={"Cache-Control": "public, max-age=60", "Access-Control-Allow-Origin": "*"},
        )

    async def serve_asset(request: Request, name: str) -> HTTPResponse:
        content_type, cache_control = ASSETS[name]
        asset = app.ctx.assets.get(name)
        if asset is None:
            hint = "run scripts/build-widget.sh" if name == "widget.js" else "missing"
            return response.text(f"{name} not found ({hint})", status=404)
        headers = {
            "Cache-Control": cache_control,
            "ETag": asset.etag,
            # The widget and its stylesheet may be embedded on other sites.
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if_none_match = request.headers.get("if-none-match", "")
        if asset.etag in [tag.strip() for tag in if_none_match.split(",")]:
            return HTTPResponse(status=304, headers=headers)
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(asset.body))
            return HTTPResponse(status=200, headers=headers, content_type=content_type)
        return HTTPResponse(asset.body, status=200, headers=headers, content_type=content_type)

    @app.route("/widget.js", methods=["GET", "HEAD"])
    async def widget_js(request: Request) -> HTTPResponse:
        return await serve_asset(request, "widget.js")

    @app.route("/static/<name:str>", methods=["GET", "HEAD"])
    async def static_file(request: Request, name: str) -> HTTPResponse:
        if name not in ASSETS:
            return response.text("not found", status=404)
        return await serve_asset(request, name)

    @app.get("/favicon.ico")
    async def favicon(request: Request) -> HTTPResponse:
        return response.redirect("/static/favicon.svg", status=301)

    app.blueprint(create_dashboard(app))
    # Prometheus: this process's series and the database gauges (outbox, handoffs, paused).
    register_database_collector(app.ctx.dashboard.store)
    mount_metrics(app)
    return app
