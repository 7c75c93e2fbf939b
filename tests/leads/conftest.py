"""Fixtures for the lead store, export, digest and Slack tests.

`db_url` runs a test on SQLite and on PostgreSQL; `slack_stub` is a local stand-in for Slack's
Web API (chat.postMessage) that records what it receives and can misbehave on request.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from bot.leads.store import LeadStore
from bot.notify.slack import SlackNotifier
from bot.base.settings import Settings

# A Tuesday, 7:30 PM in the office's zone (Pacific): after hours.
NOW = datetime.fromisoformat("2026-12-01T22:30:00-05:00")

FULL_SLOTS: dict[str, Any] = {
    "states": ["OR", "WA", "CA"],
    "city": "Portland",
    "zip_code": "97201",
    "num_locations": 12.0,
    "employees": 250.0,
    "services": ["mpls", "dia", "sdwan"],
    "challenges": ["high_cost", "poor_support"],
    "current_carrier": "Lumen",
    "contract_end": "2027-05",
    "contact_name": "Jane Doe",
    "company_name": "Acme Logistics",
    "email": "jane.doe@acme.com",
    "phone": "+15035550123",
    "handoff_reason": "complex_needs",
}

RECOMMENDATION: dict[str, Any] = {
    "carriers": [
        {"name": "Lumen", "kind": "ILEC", "role": "primary", "services": ["mpls", "dia"],
         "states": ["OR", "WA"], "guidelines": ["L2"]},
        {"name": "Zayo", "kind": "CLEC", "role": "redundancy", "services": ["dia"],
         "states": ["OR"], "guidelines": ["R3"]},
    ],
    "guidelines": ["R3", "M1"],
    "plan": ["Keep Lumen for MPLS", "Add Zayo DIA as a redundant path"],
    "handoff": True,
    "handoff_reason": "complex_needs",
}


class Clock:
    """A settable clock for the store (timestamps, scoring date)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TcpForwarder:
    """127.0.0.1:`port` -> `target`, switchable: a database "down" (closed port) then "up"."""

    def __init__(self, target: tuple[str, int], port: Optional[int] = None) -> None:
        self.target = target
        self.port = port or free_port()
        self._listener: Optional[socket.socket] = None
        self._sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._listener is not None:
            try:
                # Wakes the thread blocked in accept(): a bare close() leaves the socket
                # listening until that accept returns, so one more connection would get through.
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'leads.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leads.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def spool_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "lead-spool.jsonl"


@pytest.fixture
def make_store(clock: Clock, spool_path: Path) -> Iterator[Any]:
    """Factory of migrated stores; all are closed after the test."""
    stores: list[LeadStore] = []

    def make(url: str, migrate: bool = True, **kwargs: Any) -> LeadStore:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("spool_path", spool_path)
        store = LeadStore(url, **kwargs)
        stores.append(store)
        if migrate:
            store.migrate()
        return store

    yield make
    for store in stores:
        store.close()


@pytest.fixture
def store(make_store: Any, db_url: str) -> LeadStore:
    """A migrated store on SQLite and on PostgreSQL."""
    return make_store(db_url)


@pytest.fixture
def sqlite_store(make_store: Any, sqlite_url: str) -> LeadStore:
    """A migrated store on SQLite only (export, digest and Slack tests)."""
    return make_store(sqlite_url)


# --- Slack stand-in ---------------------------------------------------------------------------


class SlackStub:
    """A tiny Slack Web API on 127.0.0.1 recording chat.postMessage calls.

    mode: "ok" (default), "not_ok" ({"ok": false}), "http500", or "slow" (answers after the
    client has given up).
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                try:
                    body: Any = json.loads(raw)
                except json.JSONDecodeError:
                    body = raw
                stub.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body})
                if stub.mode == "slow":
                    stub.release.wait(10)
                if stub.mode == "http500":
                    self._send(500, b"<html>Internal Server Error</html>", "text/html")
                elif stub.mode == "not_ok":
                    self._send(200, json.dumps({"ok": False, "error": "channel_not_found"})
                               .encode(), "application/json")
                else:
                    self._send(200, json.dumps({"ok": True, "channel": "C123",
                                                "ts": "1764646200.000100"}).encode(),
                               "application/json")

            def _send(self, status: int, payload: bytes, content_type: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client timed out and hung up

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat.postMessage")]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack_stub() -> Iterator[SlackStub]:
    stub = SlackStub()
    yield stub
    stub.close()


def slack_settings(api_url: Optional[str], **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(slack_bot_token="xoxb-test-token",
                                  sales_slack_channel="#sales-leads", slack_api_url=api_url,
                                  public_url="https://advisor.example.com", bot_now=NOW)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def notifier(slack_stub: SlackStub) -> SlackNotifier:
    return SlackNotifier(slack_settings(slack_stub.url), timeout=0.5)


@pytest.fixture(autouse=True)
def _undo_cli_log_redaction() -> Iterator[None]:
    """`bot.runtime.cli.main()` installs process-wide log redaction; don't leak it into other tests."""
    yield
    from bot.base.privacy import uninstall_log_redaction

    uninstall_log_redaction()
