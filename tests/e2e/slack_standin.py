"""A local stand-in for Slack's Web API: records what the bot posts, answers like Slack.

Point the bot at it with SLACK_API_URL=<standin.url> (`http://127.0.0.1:<port>/api/`). It
accepts the bodies slack_sdk sends (JSON for chat.postMessage, form-encoded for others),
checks the bearer token, and answers with Slack's envelope: `{"ok": true, ...}` or
`{"ok": false, "error": ...}` with HTTP 200, as Slack does. It refuses what the real API
refuses for a new Slack app's bot token (`as_user`, malformed Block Kit), so a connector that
would fail against Slack fails here too.

    python -m tests.e2e.slack_standin --token xoxb-local   # prints every post; Ctrl-C stops
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs

BOT_USER_ID = "UCARRIERBOT"
BOT_ID = "BCARRIERBOT"
TEAM_ID = "T0NORTHWND"

# Block Kit limits that Slack enforces with `invalid_blocks`.
_MAX_BLOCKS = 50
_MAX_SECTION_TEXT = 3000
_MAX_ACTIONS_ELEMENTS = 25
_MAX_BUTTON_TEXT = 75
_MAX_BUTTON_VALUE = 2000


def _blocks_error(blocks: Any) -> Optional[str]:
    """Why Slack would refuse these blocks, or None."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "blocks is not JSON"
    if not isinstance(blocks, list) or len(blocks) > _MAX_BLOCKS:
        return "blocks must be a list of at most 50 blocks"
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "section":
            # Slack: a section needs `text` (1-3000 characters) or `fields` (1-10, each 1-2000).
            text = (block.get("text") or {}).get("text") or ""
            fields = block.get("fields") or []
            if fields:
                if len(fields) > 10 or any(not (f.get("text") or "") or len(f["text"]) > 2000 for f in fields):
                    return "section fields must be 1-10 texts of 1-2000 characters"
            elif not text or len(text) > _MAX_SECTION_TEXT:
                return "section text must be 1-3000 characters"
            if text and len(text) > _MAX_SECTION_TEXT:
                return "section text must be 1-3000 characters"
        elif kind == "actions":
            elements = block.get("elements") or []
            if not elements or len(elements) > _MAX_ACTIONS_ELEMENTS:
                return "actions block must have 1-25 elements"
            for element in elements:
                if element.get("type") != "button":
                    continue
                title = (element.get("text") or {}).get("text") or ""
                if not title or len(title) > _MAX_BUTTON_TEXT:
                    return "button text must be 1-75 characters"
                if len(element.get("value") or "") > _MAX_BUTTON_VALUE:
                    return "button value must be at most 2000 characters"
        elif kind not in ("image", "context", "divider", "header", "rich_text"):
            return f"unsupported block type {kind!r}"
    return None


class SlackStandIn:
    """The Web API on 127.0.0.1 (random port). `calls` holds every request, in order."""

    def __init__(self, token: Optional[str] = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = token
        self.calls: list[dict[str, Any]] = []
        #: users.info answers: user id -> display name (people of the workspace)
        self.users: dict[str, str] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._epoch = int(time.time())
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = standin._handle(self.path, dict(self.headers.items()), raw)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST  # noqa: N815 - Slack accepts GET with query arguments for some methods

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # ---- the API ------------------------------------------------------------------------------

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        method = path.split("?", 1)[0].rsplit("/", 1)[-1]
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        body: dict[str, Any]
        if content_type.startswith("application/json"):
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return 200, {"ok": False, "error": "invalid_json"}
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        if "?" in path:  # GET with query arguments (users.info)
            body = {**{k: v[0] for k, v in parse_qs(path.split("?", 1)[1]).items()}, **body}
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else body.get("token")
        call = {"method": method, "path": path, "content_type": content_type, "token": token,
                "body": body, "at": time.monotonic()}
        if not token:
            answer: dict[str, Any] = {"ok": False, "error": "not_authed"}
        elif self.token and token != self.token:
            answer = {"ok": False, "error": "invalid_auth"}
        elif method == "chat.postMessage":
            answer = self._post_message(body)
        elif method == "chat.postEphemeral":
            answer = ({"ok": True, "message_ts": f"{self._epoch}.{next(self._ts):06d}"}
                      if body.get("channel") and body.get("user") and body.get("text")
                      else {"ok": False, "error": "invalid_arguments"})
        elif method == "chat.update":
            problem = _blocks_error(body["blocks"]) if body.get("blocks") is not None else None
            answer = ({"ok": False, "error": "invalid_blocks", "errors": [problem]} if problem
                      else {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"),
                            "text": body.get("text") or ""}
                      if body.get("channel") and body.get("ts")
                      else {"ok": False, "error": "message_not_found"})
        elif method == "users.info":
            user = body.get("user") or ""
            name = self.users.get(user)
            answer = ({"ok": True, "user": {"id": user, "name": name.lower(), "real_name": name,
                                            "profile": {"display_name": name, "real_name": name}}}
                      if name else {"ok": False, "error": "user_not_found"})
        elif method == "auth.test":
            answer = {"ok": True, "url": "https://northwind.slack.com/", "team": "Northwind",
                      "user": "carrier-advisor", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                      "bot_id": BOT_ID, "is_enterprise_install": False}
        else:
            answer = {"ok": False, "error": "unknown_method"}
        call["answer"] = answer
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return 200, answer

    def _post_message(self, body: dict[str, Any]) -> dict[str, Any]:
        if "as_user" in body:
            # What Slack answers a new app's bot token (apps created since 2020).
            return {"ok": False, "error": "invalid_arguments", "deprecated_argument": "as_user"}
        channel = body.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return {"ok": False, "error": "no_text"}
        if body.get("blocks") is not None:
            problem = _blocks_error(body["blocks"])
            if problem:
                return {"ok": False, "error": "invalid_blocks", "errors": [problem]}
        ts = f"{self._epoch}.{next(self._ts):06d}"
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": "A0ADVISOR",
                   "team": TEAM_ID, "text": body.get("text") or "", "ts": ts}
        for key in ("blocks", "attachments", "thread_ts"):
            if body.get(key) is not None:
                message[key] = body[key]
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    # ---- what the tests read ------------------------------------------------------------------

    def posts(self, predicate: Callable[[dict[str, Any]], bool] = lambda m: True) -> list[dict[str, Any]]:
        """Accepted chat.postMessage calls, as the message Slack stored (with `channel`)."""
        with self._changed:
            calls = list(self.calls)
        return [
            {**c["answer"]["message"], "channel": c["answer"]["channel"]}
            for c in calls
            if c["method"] == "chat.postMessage" and c["answer"].get("ok") and predicate(
                {**c["answer"]["message"], "channel": c["answer"]["channel"]})
        ]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Every call of one Web API method (its body and answer), in order."""
        with self._changed:
            return [c for c in self.calls if c["method"] == method]

    def refused(self) -> list[dict[str, Any]]:
        """Calls that got `ok: false`, with the error Slack would have given."""
        with self._changed:
            return [c for c in self.calls if not c["answer"].get("ok")]

    def wait_for_posts(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        count: int = 1,
        timeout: float = 60.0,
    ) -> list[dict[str, Any]]:
        """Block until at least `count` accepted posts match, then return them all."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.posts(predicate)
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    summary = [(c["method"], c["body"].get("channel"), c["body"].get("thread_ts"),
                                str(c["body"].get("text"))[:60], c["answer"].get("error"))
                               for c in self.calls]
                    raise AssertionError(
                        f"{len(found)} of {count} expected posts after {timeout:.0f}s; calls: {summary}")
                self._changed.wait(min(remaining, 0.5))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "SlackStandIn":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--token", help="the bot token to accept (default: any)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    standin = SlackStandIn(token=args.token, port=args.port)
    print(f"SLACK_API_URL={standin.url}", flush=True)
    seen = 0
    try:
        while True:
            with standin._changed:
                standin._changed.wait(1.0)
                calls = standin.calls[seen:]
                seen = len(standin.calls)
            for call in calls:
                print(json.dumps({k: call[k] for k in ("method", "body", "answer")}), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        standin.close()


if __name__ == "__main__":
    main()
