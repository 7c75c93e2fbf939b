"""Issue 14, test 5: the tracker store (PostgreSQL) or the lock store (Redis) is cut while a
customer writes an e-mail address.

Pass: the reply is not 200 `[]` (503 with Retry-After and an apology), no log line holds the
address, and after the store is back a resend appears exactly once in the conversation.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.runtime.launcher import Stack, launch_stack
from tests.conftest import PG_HOST, PG_PORT, PG_USER, service_unavailable
from tests.e2e.conftest import API_TOKEN, stack_env
from tests.leads.conftest import TcpForwarder

REDIS_URL = "redis://127.0.0.1:6379/0"
EMAIL = "jane.doe@acme-logistics.com"


def _database() -> str:
    import psycopg2

    name = f"carrier_advisor_outage_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                                 connect_timeout=3)
    except psycopg2.OperationalError as error:
        service_unavailable(f"PostgreSQL on {PG_HOST}:{PG_PORT}", str(error).strip())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name


@pytest.fixture(scope="module")
def outage_stack() -> Iterator[tuple[Stack, TcpForwarder, TcpForwarder, Path]]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis at {REDIS_URL}", error)
    name = _database()
    pg = TcpForwarder((PG_HOST, PG_PORT))
    cache = TcpForwarder(("127.0.0.1", 6379))
    pg.start()
    cache.start()
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-store-outage-") as tmp:
        env = stack_env(Path(tmp),
                        DATABASE_URL=f"postgresql+psycopg2://{PG_USER}@127.0.0.1:{pg.port}/{name}",
                        REDIS_URL=f"redis://127.0.0.1:{cache.port}/0")
        logs = Path(tmp) / "logs"
        try:
            with launch_stack(env, services=("rasa",), log_dir=logs) as running:
                yield running, pg, cache, logs
        finally:
            pg.stop()
            cache.stop()


def say(stack: Stack, sender: str, text: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook", method="POST",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def user_texts(stack: Stack, sender: str) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{sender}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return [e["text"] for e in json.loads(answer.read())["events"] if e["event"] == "user"]


@pytest.mark.parametrize("store", ["lock store (Redis)", "tracker store (PostgreSQL)"])
def test_a_store_outage_is_answered_503_and_a_resend_appears_once(
        outage_stack: tuple[Stack, TcpForwarder, TcpForwarder, Path], store: str) -> None:
    stack, pg, cache, logs = outage_stack
    forwarder = cache if "Redis" in store else pg
    sender = f"outage-{uuid.uuid4().hex[:10]}"
    status, _, first = say(stack, sender, "hi")
    assert status == 200 and first

    message = f"you can reach me at {EMAIL}"
    forwarder.stop()
    try:
        status, headers, body = say(stack, sender, message)
    finally:
        forwarder.start()
    assert status == 503, (status, body)
    assert int(headers.get("Retry-After", "0")) > 0
    assert body and "send it again" in body[0]["text"]

    status, _, reply = say(stack, sender, message)  # the customer resends
    assert status == 200 and reply
    assert user_texts(stack, sender).count(message) == 1

    for log in logs.glob("*"):
        assert EMAIL not in log.read_text(errors="replace"), log
