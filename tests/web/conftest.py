"""Fixtures for the web app tests: the real `python -m bot.web` in a subprocess, real HTTP.

`WebServer` starts the app with its own port, a temporary SQLite lead database and whatever
env a test needs; `FakeRasa` stands in for the Rasa server's HTTP side (health text, the
tracker-events API) where a test needs to see what the web app sends to Rasa.
"""

from __future__ import annotations

import http.cookiejar
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "bot" / "web" / "static" / "widget.js"
STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def built_widget() -> Path:
    """The widget bundle exists (built by `make`; built here when a test run starts bare)."""
    if not WIDGET.exists():
        subprocess.run([str(ROOT / "scripts" / "build-widget.sh")], check=True, cwd=ROOT)
    return WIDGET


# ---------------------------------------------------------------- the web app in a subprocess


@dataclass
class WebServer:
    """`python -m bot.web` with `env` over os.environ; stopped with SIGTERM like the launcher does."""

    env: Dict[str, str]
    log_path: Path
    process: Optional[subprocess.Popen] = None  # type: ignore[type-arg]

    @property
    def port(self) -> int:
        return int(self.env["WEB_PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "WebServer":
        full_env = dict(os.environ)
        for name in ("DASHBOARD_USER", "DASHBOARD_PASSWORD", "BOT_API_TOKEN", "BOT_NOW", "PUBLIC_URL",
                     "RASA_PUBLIC_URL", "DASHBOARD_SECRET"):
            full_env.pop(name, None)  # only what the test asks for
        full_env.update(self.env)
        full_env["PYTHONPATH"] = str(ROOT)
        full_env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        log = open(self.log_path, "wb")  # noqa: SIM115 - owned by the child
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.web"], cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"web app exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=3) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"web app did not answer /health within {STARTUP_TIMEOUT_S} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


class ServerPool:
    """Starts web apps with a given env (own port, own SQLite file); stops them all at the end."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.started: List[WebServer] = []

    def __call__(self, **env: str) -> WebServer:
        tmp = self.tmp_path_factory.mktemp("web")
        full = {
            "WEB_PORT": str(free_port()),
            "RASA_PORT": str(free_port()),  # nothing listens there unless the test says so
            "DATABASE_URL": f"sqlite:///{tmp / 'leads.db'}",
        }
        full.update(env)
        server = WebServer(full, tmp / "web.log").start()
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture
def web_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """Web apps for one test."""
    pool = ServerPool(tmp_path_factory)
    yield pool
    pool.stop_all()


@pytest.fixture(scope="module")
def module_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """Web apps shared by the tests of a module (for tests that only read)."""
    pool = ServerPool(tmp_path_factory)
    yield pool
    pool.stop_all()


# ---------------------------------------------------------------- a stand-in for Rasa's HTTP side


@dataclass
class FakeRasa:
    """Answers `GET /` like Rasa; records POSTs (the tracker-events API); can hang on demand."""

    port: int = field(default_factory=free_port)
    mode: str = "ok"  # "ok" | "hang"
    requests: List[Dict[str, Any]] = field(default_factory=list)
    server: Optional[http.server.ThreadingHTTPServer] = None

    def start(self) -> "FakeRasa":
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if fake.mode == "hang":
                    time.sleep(5)
                body = b"Hello from Rasa: 3.6.21"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                fake.requests.append(
                    {
                        "path": parsed.path,
                        "query": dict(urllib.parse.parse_qsl(parsed.query)),
                        "authorization": self.headers.get("Authorization"),
                        "json": json.loads(raw or b"null"),
                    }
                )
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def module_fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa().start()
    yield fake
    fake.stop()


# ---------------------------------------------------------------- an HTTP client that shows redirects


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float
    set_cookies: List[str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browserish:
    """urllib with a cookie jar and no redirect following (tests look at the 303s)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(
        self,
        method: str,
        path: str,
        form: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=dict(headers or {}))
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        started = time.monotonic()
        try:
            resp = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            resp = error
        body = resp.read()
        return Response(
            status=resp.status if hasattr(resp, "status") else resp.code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=body,
            elapsed=time.monotonic() - started,
            set_cookies=resp.headers.get_all("Set-Cookie") or [],
        )

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form: Mapping[str, str], **kwargs: Any) -> Response:
        return self.request("POST", path, form=form, **kwargs)

    def cookie(self, name: str) -> Optional[str]:
        for cookie in self.jar:
            if cookie.name == name:
                return cookie.value
        return None


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: Browserish, user: str, password: str, next_path: str = "/dashboard") -> Response:
    page = client.get("/dashboard/login")
    return client.post(
        "/dashboard/login",
        {"csrf_token": csrf_from(page.text), "username": user, "password": password, "next": next_path},
    )


def lead_ids_in(html: str) -> set:
    return {int(m) for m in re.findall(r'href="/dashboard/leads/(\d+)"', html)}


def seed_store(database_url: str, now: Any) -> Any:
    """A migrated LeadStore on the web app's database, with a fixed clock."""
    from bot.leads.store import LeadStore

    store = LeadStore(database_url, clock=lambda: now, spool_path=Path(database_url.split("///", 1)[1]).with_suffix(".spool"))
    store.migrate()
    return store


def split_set_cookie(header: str) -> Tuple[str, Dict[str, str]]:
    """`name=value; Path=/; HttpOnly` -> (name, {attribute (lowercase): value})."""
    parts = [p.strip() for p in header.split(";")]
    name = parts[0].split("=", 1)[0]
    attrs = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attrs[key.lower()] = value
    return name, attrs
