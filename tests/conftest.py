"""Fixtures shared by every test package.

Services (PostgreSQL, ...) that a test needs but cannot reach: the test is skipped with the
reason, or fails when REQUIRE_SERVICES=1 (CI machines that must run everything).
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator, NoReturn

import pytest

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")


def service_unavailable(service: str, error: object) -> NoReturn:
    """Skip the test, or fail it when REQUIRE_SERVICES=1."""
    message = f"{service} unavailable: {error}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test (SQLAlchemy URL), dropped afterwards."""
    import psycopg2

    name = f"carrier_advisor_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                                 connect_timeout=3)
    except psycopg2.OperationalError as error:
        service_unavailable(f"PostgreSQL on {PG_HOST}:{PG_PORT}", str(error).strip())
    admin.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.cursor() as cursor:
            # FORCE: a pooled connection the test left open must not keep the database alive.
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
