"""Issue 14: personal data never reaches the logs, from any entry point.

Each entry point (Rasa server, action server, web app, events consumer, CLI) is started in a
subprocess with what it runs replaced by code that fails with a customer's e-mail address and
phone number in the error, the way Rasa, rasa_sdk, pika and SQLAlchemy log them. No line of its
output may hold either. And the lead store's SQL errors never print their parameters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import exc

from bot.leads.store import LeadStore

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "jane.doe@acme-logistics.com"
PHONE = "+1 503 555 0123"

FAIL = f"""
import logging
def fail(*args, **kwargs):
    if not logging.getLogger().handlers:  # where Rasa's own main would configure logging
        logging.basicConfig()
    try:
        raise RuntimeError("could not handle 'my email is {EMAIL}, call {PHONE}'")
    except RuntimeError:
        logging.getLogger("rasa.core.processor").exception(
            "Encountered an exception while running action: text=%s", "{EMAIL}")
        logging.getLogger("pika.channel").error("event %s", {{"text": "{EMAIL}"}})
    print("ran", flush=True)
    return 0
"""

ENTRY_POINTS: dict[str, str] = {
    "rasa server": """
import rasa.__main__
rasa.__main__.main = fail
from bot.runtime.rasa_server import main
main(["run"])
""",
    "action server": """
import rasa_sdk.__main__
rasa_sdk.__main__.main_from_args = fail
from bot.runtime.action_server import main
main(["--actions", "actions"])
""",
    "web app": """
import bot.web.__main__ as web
class App:
    def run(self, **kwargs): fail()
web.create_app = lambda *a, **k: App()
web.main()
""",
    "events consumer": """
import bot.runtime.events_consumer as consumer
async def consume(*args, **kwargs):
    return fail()
consumer.consume = consume
consumer.main(["--url", "amqp://guest:guest@127.0.0.1:1/"])
""",
    "cli": """
import bot.runtime.cli as cli
cli._setup_output()
fail()
""",
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_no_entry_point_logs_contact_details(name: str, tmp_path: Path) -> None:
    script = textwrap.dedent(FAIL) + textwrap.dedent(ENTRY_POINTS[name])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)
    output = done.stdout + done.stderr
    assert "ran" in done.stdout, output[-3000:]
    assert "RuntimeError" in output  # the error was logged...
    assert EMAIL not in output and "5550123" not in output.replace(" ", "")  # ...redacted
    assert "***@a***.com" in output


def test_sql_errors_never_print_their_parameters(make_store: Any, pg_url: str) -> None:
    store: LeadStore = make_store(pg_url)
    with pytest.raises(exc.StatementError) as caught:
        # A phone longer than its VARCHAR(32) column: PostgreSQL refuses the statement.
        store.upsert("privacy", channel="rest", slots={"email": EMAIL, "phone": "5" * 40})
    assert EMAIL not in str(caught.value) and "5" * 40 not in str(caught.value)
