"""The scaled deployment on the real engines: two Rasa servers, one action server, PostgreSQL,
Redis and RabbitMQ on 127.0.0.1.

One `Cluster` for this package's tests (a Rasa server takes 20-200 s to start on a busy 2-core
machine and ~1.4 GB): Rasa servers A and B share the PostgreSQL tracker store (DATABASE_URL)
and the Redis lock store (REDIS_URL) and publish to RabbitMQ (RABBITMQ_URL); both call one
action server, whose DATABASE_URL (the lead store, same database) goes through a TCP
forwarder a test can close to take the lead database away from the actions only.

Fault tests stop or kill processes; `Cluster.revive()` restarts them in the background and
`Cluster.ready()` waits, so every test starts from a running cluster without paying a
restart it doesn't need. Missing services skip the tests, or fail them when
REQUIRE_SERVICES=1 (`tests.conftest.service_unavailable`).

The Rasa servers run our entry point `python -m bot.runtime.rasa_server run ...` (the guards of
`bot.rasa_adapters.server`), as bot.runtime.launcher starts them everywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

import pytest

from bot.runtime.launcher import Stack, start_stack
from tests.conftest import PG_HOST, PG_PORT, PG_USER, service_unavailable
from tests.e2e.conftest import API_TOKEN, free_port
from tests.leads.conftest import TcpForwarder as _TcpForwarder

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
READY_TIMEOUT_S = float(os.environ.get("SCALE_READY_TIMEOUT_S", "600"))
BUSINESS_HOURS = "2026-12-01T10:30:00-08:00"  # a Tuesday morning in the office's zone

# The canonical lead conversation (as in tests/e2e) and what it must leave behind.
SCRIPT = (
    "hi",
    "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high",
    "about 40 employees",
    "we're with CenturyLink",
    "the contract ends in March 2027",
)
EXPECTED_SLOTS: dict[str, Any] = {
    "states": ["OR", "WA"],
    "city": "Portland",
    "num_locations": 3.0,
    "services": ["pri", "sip"],
    "challenges": ["high_cost"],
    "employees": 40.0,
    "current_carrier": "Lumen",
    "contract_end": "2027-03",
}


# ------------------------------------------------------------------------------ the services


def _check_tcp(host: str, port: int) -> Optional[str]:
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as error:
        return str(error)


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis at {REDIS_URL}", error)
    return REDIS_URL


@pytest.fixture(scope="session")
def rabbitmq_available() -> Optional[str]:
    """None when RabbitMQ answers, else why not (the event-stream test reports it)."""
    from urllib.parse import urlsplit

    url = urlsplit(RABBITMQ_URL)
    return _check_tcp(url.hostname or "127.0.0.1", url.port or 5672)


@contextlib.contextmanager
def pg_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                                 connect_timeout=3)
    except psycopg2.OperationalError as error:
        service_unavailable(f"PostgreSQL on {PG_HOST}:{PG_PORT}", str(error).strip())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# -------------------------------------------------------------------------------- the cluster


class TcpForwarder(_TcpForwarder):
    """tests.leads' forwarder, closed for real: on Linux, closing a listening socket does not
    wake the thread blocked in accept(), which then still accepts (and forwards) the next
    connection; shutting the socket down first does."""

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
        super().stop()


class Cluster:
    """Rasa servers "a" and "b" and the action server "actions", each its own Stack."""

    RASA = ("a", "b")

    def __init__(self, tmp: Path, db_url: str, redis: str, rabbitmq: Optional[str]) -> None:
        self.tmp = tmp
        self.db_url = db_url
        self.db_proxy = TcpForwarder((PG_HOST, PG_PORT))
        self.db_proxy.start()
        self.leads_db_url = db_url.replace(f"@{PG_HOST}:{PG_PORT}/", f"@127.0.0.1:{self.db_proxy.port}/")
        self.actions_port = free_port()
        self.rabbitmq = rabbitmq
        common = {
            "BOT_API_TOKEN": API_TOKEN,
            "BOT_NOW": BUSINESS_HOURS,
            "ACTIONS_PORT": str(self.actions_port),
            "WEB_PORT": str(free_port()),
            "REDIS_URL": redis,
            # The scaled deployment: the Rasa servers call the action server over HTTP.
            "ACTIONS_MODE": "http",
            # A hung action server counts as down after this long (bot.rasa_adapters.server).
            "ACTION_TIMEOUT_S": "20",
        }
        if rabbitmq:
            common["RABBITMQ_URL"] = rabbitmq
        self.envs: dict[str, dict[str, str]] = {
            name: {**common, "RASA_PORT": str(free_port()), "DATABASE_URL": db_url}
            for name in self.RASA
        }
        # The action server's own RASA_PORT only names its run directory (var/run/rasa-<port>).
        self.envs["actions"] = {**common, "RASA_PORT": str(free_port()),
                                "DATABASE_URL": self.leads_db_url}
        self.stacks: dict[str, Stack] = {}
        self._lock = threading.Lock()

    # -- processes ---------------------------------------------------------------------------

    def start(self, name: str) -> Stack:
        services = ("actions",) if name == "actions" else ("rasa",)
        log_dir = self.tmp / "logs" / f"{name}-{int(time.time() * 1000)}"
        stack = start_stack(self.envs[name], services=services, log_dir=log_dir)
        with self._lock:
            self.stacks[name] = stack
        return stack

    def process(self, name: str) -> Any:
        stack = self.stacks[name]
        return next(iter(stack.processes.values()))

    def alive(self, name: str) -> bool:
        return name in self.stacks and self.process(name).poll() is None

    def ready(self, *names: str, timeout: float = READY_TIMEOUT_S) -> None:
        """Start what is not running, then wait until every named process answers."""
        names = names or ("actions", *self.RASA)
        for name in names:
            if not self.alive(name):
                self.start(name)
        for name in names:
            self.stacks[name].wait_ready(timeout=timeout)

    def revive(self, name: str) -> None:
        """Start a stopped process again without waiting (`ready()` waits)."""
        if not self.alive(name):
            self.start(name)

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        """Signal the process group; SIGKILL it if it is still there after `timeout`."""
        process = self.process(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def stop_all(self) -> None:
        for stack in self.stacks.values():
            stack.stop()
        self.db_proxy.stop()

    def pid(self, name: str) -> int:
        return int(self.process(name).pid)

    def rasa_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.envs[name]['RASA_PORT']}"

    def log_tail(self, name: str, lines: int = 40) -> str:
        stack = self.stacks.get(name)
        if not stack:
            return ""
        log = next(iter(stack.logs.values()), None)
        if not log or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="package")
def cluster(redis_url: str,
            rabbitmq_available: Optional[str]) -> Iterator[Cluster]:
    keep = os.environ.get("SCALE_LOG_DIR")  # keep the servers' logs there (debugging)
    with pg_database("carrier_advisor_scale") as db_url, \
            tempfile.TemporaryDirectory(prefix="carrier-advisor-scale-") as tmp:
        running = Cluster(Path(keep or tmp), db_url, redis_url,
                          RABBITMQ_URL if rabbitmq_available is None else None)
        try:
            running.ready()  # all three start at once, then we wait for them
            yield running
        finally:
            running.stop_all()


@pytest.fixture
def ready_cluster(cluster: Cluster) -> Cluster:
    """The cluster with every process running (a fault test before may have stopped one)."""
    cluster.ready()
    return cluster


# ------------------------------------------------------------------------------- the customers


class Customer:
    """One conversation over REST; each turn may go to any server, like behind a load balancer."""

    def __init__(self, cluster: Cluster, sender: Optional[str] = None) -> None:
        self.cluster = cluster
        self.sender = sender or f"scale-{uuid.uuid4().hex[:12]}"

    def say(self, server: str, message: str, timeout: float = 90) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.cluster.rasa_url(server)}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def tracker(self, server: str) -> dict[str, Any]:
        url = (f"{self.cluster.rasa_url(server)}/conversations/{self.sender}/tracker"
               f"?token={API_TOKEN}")
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read())

    def slots(self, server: str) -> dict[str, Any]:
        return dict(self.tracker(server)["slots"])


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def assert_expected_slots(slots: Mapping[str, Any], upto: int = len(SCRIPT)) -> None:
    """The slots the first `upto` messages of SCRIPT fill, with their canonical values."""
    expected = dict(EXPECTED_SLOTS)
    if upto < 5:
        expected.pop("contract_end")
    if upto < 4:
        expected.pop("current_carrier")
    if upto < 3:
        expected.pop("employees")
    if upto < 2:
        expected = {}
    got = {k: (sorted(slots[k]) if k == "services" and slots.get(k) else slots.get(k))
           for k in expected}
    assert got == expected


def user_turns(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The tracker's events split into turns, each starting with a user event."""
    turns: list[list[dict[str, Any]]] = []
    for event in events:
        if event.get("event") == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns


def turn_problems(events: list[dict[str, Any]]) -> list[str]:
    """Why the tracker's turns are not one-after-the-other (empty when they are).

    Processed one at a time, every user event is followed by its own actions and ends with
    `action_listen` before the next user event, and timestamps never go backwards. Two
    servers processing one conversation at once without a lock each save their own copy:
    a user event without its actions, a turn cut short, or events out of order.
    """
    problems = []
    stamps = [e.get("timestamp") or 0 for e in events]
    if any(b < a for a, b in zip(stamps, stamps[1:])):
        problems.append("timestamps go backwards")
    for index, turn in enumerate(user_turns(events)):
        text = turn[0].get("text")
        actions = [e.get("name") for e in turn if e.get("event") == "action"]
        if not actions or actions[-1] != "action_listen":
            problems.append(f"turn {index} ({text!r}) does not end by listening: {actions}")
        if not [a for a in actions if a != "action_listen"]:
            problems.append(f"turn {index} ({text!r}) has no action of its own")
        if not any(e.get("event") == "bot" for e in turn):
            problems.append(f"turn {index} ({text!r}) has no bot message")
    return problems
