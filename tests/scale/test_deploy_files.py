"""The deployment files are consistent with each other and with the code (no Docker needed).

`docker compose config` cannot run here (no compose plugin, no engine); these checks parse
the files and hold them to what the code expects: env var names (CONTRACT section 2), our
entry points, the queue the consumer reads, every Rasa server behind the load balancer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.runtime.deployment import EVENT_QUEUE

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


#: rasa_sdk through our entry point, which installs log redaction first (issue 14).
ACTION_SERVER = ["python", "-m", "bot.runtime.action_server"]


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return command if isinstance(command, list) else command.split()


def test_compose_has_the_whole_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    rasa = [n for n, s in services.items() if _command(s)[:3] == ["python", "-m", "bot.runtime.rasa_server"]]
    actions = [n for n, s in services.items() if _command(s)[:3] == ACTION_SERVER]
    assert len(rasa) >= 2 and len(actions) >= 2
    for name in ("web", "lb", "postgres", "redis", "rabbitmq", "events"):
        assert name in services
    assert _command(services["web"]) == ["python", "-m", "bot.web"]
    assert _command(services["events"])[:3] == ["python", "-m", "bot.runtime.events_consumer"]


def test_each_action_server_is_the_sidecar_of_a_rasa_server(compose: dict[str, Any]) -> None:
    # endpoints.yml (bot/runtime/deployment.py) calls the action server on 127.0.0.1:ACTIONS_PORT.
    services = compose["services"]
    for name, service in services.items():
        if _command(service)[:3] == ACTION_SERVER:
            mode = service.get("network_mode", "")
            assert mode.startswith("service:"), name
            owner = services[mode.split(":", 1)[1]]
            assert _command(owner)[:3] == ["python", "-m", "bot.runtime.rasa_server"]
            assert "5055" in _command(service)
            # ... so the Rasa server calls it instead of running the actions itself.
            assert owner["environment"]["ACTIONS_MODE"] == "http"


def test_app_services_get_the_contract_settings(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if _command(service)[:1] != ["python"]:
            continue
        env = service["environment"]
        for key in ("DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "BOT_API_TOKEN", "RASA_PORT",
                    "ACTIONS_PORT", "WEB_PORT"):
            assert key in env, (name, key)
        assert env["DATABASE_URL"].startswith("postgresql")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["RABBITMQ_URL"].startswith("amqp://")


def test_no_secret_has_a_default(compose: dict[str, Any]) -> None:
    text = (DEPLOY / "docker-compose.yml").read_text()
    for secret in ("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "BOT_API_TOKEN"):
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses and all(u.startswith(":?") for u in uses), secret


def test_load_balancer_knows_every_rasa_server(compose: dict[str, Any]) -> None:
    config = (DEPLOY / "haproxy.cfg").read_text()
    rasa = {n for n, s in compose["services"].items()
            if _command(s)[:3] == ["python", "-m", "bot.runtime.rasa_server"]}
    for backend in ("rasa_rest", "rasa_socketio"):
        section = config.split(f"\nbackend {backend}\n", 1)[1].split("\nbackend ", 1)[0]
        servers = set(re.findall(r"^\s*server (\S+) (\S+):5005", section, re.M))
        assert {name for name, _ in servers} == rasa, backend
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg" in str(compose["services"]["lb"])


def test_helm_values_use_our_entry_point_and_the_event_queue() -> None:
    values = yaml.safe_load((DEPLOY / "helm" / "values.yml").read_text())
    assert values["command"] == ["python", "-m", "bot.runtime.rasa_server"]
    assert values["args"][0] == "run"
    endpoints = values["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["enabled"] and endpoints["trackerStore"]["dialect"] == "postgresql"
    assert endpoints["lockStore"]["enabled"] and endpoints["lockStore"]["type"] == "redis"
    # Rasa ignores a key prefix that is not alphanumeric.
    assert str(endpoints["lockStore"]["key_prefix"]).isalnum()
    assert endpoints["eventBroker"]["queues"] == [EVENT_QUEUE]
    assert values["replicaCount"] >= 2
    assert values["rasa-action-server"]["install"] is True


def test_dockerfile_builds_one_image_for_every_process() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "FROM python:3.10" in dockerfile
    assert "requirements.lock" in dockerfile
    assert "bot.runtime.rasa_server" in dockerfile  # our entry point (the guards)
    assert "scripts/train.py" in dockerfile
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert ".venv" in ignore and ".git" in ignore


def test_serve_builds_the_launchers_rasa_command(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    import bot.runtime.launcher as launcher
    from bot.runtime import rasa_server as entry

    model = tmp_path / "model-x.tar.gz"
    model.write_bytes(b"")
    monkeypatch.setattr(launcher, "latest_model", lambda: model)
    monkeypatch.setattr(launcher, "VAR_DIR", tmp_path)
    for key, value in {"RASA_PORT": "5123", "ACTIONS_PORT": "5124", "BOT_API_TOKEN": "tok",
                       "BOT_HOST": "0.0.0.0", "DATABASE_URL": "postgresql://u@db/x",
                       "REDIS_URL": "redis://r:6379/0", "RABBITMQ_URL": "",
                       "ACTIONS_MODE": "http"}.items():
        monkeypatch.setenv(key, value)
    args = entry.serve_arguments()
    assert args[0] == "run"
    assert args[args.index("--model") + 1] == str(model)
    assert args[args.index("--port") + 1] == "5123"
    assert args[args.index("--interface") + 1] == "0.0.0.0"
    assert "--auth-token=tok" in args
    endpoints = yaml.safe_load(Path(args[args.index("--endpoints") + 1]).read_text())
    assert endpoints["action_endpoint"] == {"url": "http://127.0.0.1:5124/webhook"}
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
