"""Issue 14: weak or placeholder secrets are refused at start-up, with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.base.secret_strength import refuse_weak_secrets, weak_secrets

ROOT = Path(__file__).resolve().parents[2]
STRONG = "q9Vb2kLx7RtP4mWz8nYc"


def example_env() -> dict[str, str]:
    """deploy/env.example as `cp env.example .env` gives it, in a container (0.0.0.0)."""
    env = {"BOT_HOST": "0.0.0.0"}
    for line in (ROOT / "deploy" / "env.example").read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    return env


def test_the_example_env_file_is_refused() -> None:
    problems = weak_secrets(example_env())
    assert any(p.startswith("DASHBOARD_PASSWORD") for p in problems)
    assert any(p.startswith("BOT_API_TOKEN") for p in problems)
    assert any(p.startswith("POSTGRES_PASSWORD") for p in problems)


def test_strong_secrets_pass_and_short_ones_only_fail_when_exposed() -> None:
    strong = {"BOT_HOST": "0.0.0.0", "BOT_API_TOKEN": STRONG, "DASHBOARD_PASSWORD": STRONG,
              "DATABASE_URL": f"postgresql://carrier:{STRONG}@db/carrier"}
    assert weak_secrets(strong) == []
    short = {**strong, "DASHBOARD_PASSWORD": "s3cr3t-pw"}
    assert weak_secrets(short) == ["DASHBOARD_PASSWORD is shorter than 16 characters"]
    assert weak_secrets({**short, "BOT_HOST": "127.0.0.1"}) == []  # a developer's machine
    local = {"DATABASE_URL": "postgresql://carrier:change-me@127.0.0.1/x"}
    assert weak_secrets(local) == ["the password in DATABASE_URL is a placeholder or a "
                                   "well-known password"]


def test_refusal_exits_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        refuse_weak_secrets("web app", example_env())
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "web app: refusing to start with weak secrets" in err and "DASHBOARD_PASSWORD" in err


def test_the_web_app_does_not_start_with_the_example_env() -> None:
    env = {**os.environ, **example_env(), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot.web"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "weak secrets" in done.stderr
