"""Start the Rasa server, the action server and the web app; stop them all together.

With ACTIONS_MODE=inprocess (the embedded default) the Rasa server runs the custom actions
itself and never calls the action server. The action server is still started on ACTIONS_PORT,
because CONTRACT section 2 promises it there (its /health, and any ACTIONS_MODE=http caller).

`python -m bot run` uses this in the foreground (make run); tests use `launch_stack()`.
Each child runs in its own process group so that Ctrl-C / SIGTERM leaves no orphan.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Mapping, Optional, Sequence

import yaml

from bot.runtime.deployment import ACTIONS_PACKAGE, credentials_config, endpoints_config
from bot.base.settings import ROOT, VAR_DIR, Settings

VENV_BIN = Path(sys.executable).parent
ALL_SERVICES = ("actions", "rasa", "web")
STARTUP_TIMEOUT_S = 600.0  # a Rasa server loads TensorFlow and the model: slow on a busy 2-core box


class StackError(RuntimeError):
    """A process of the stack failed to start or died."""


def latest_model(models_dir: Path = ROOT / "models") -> Path:
    """The newest trained model; `make train` keeps exactly one per fingerprint."""
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise StackError("no trained model in models/: run `make train` first")
    return models[-1]


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """Environment for every child: quiet TensorFlow, no telemetry, our code importable."""
    merged = dict(os.environ)
    merged.update(env)
    merged.setdefault("RASA_TELEMETRY_ENABLED", "false")
    merged.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    merged.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    merged["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), merged.get("PYTHONPATH", "")) if p)
    return merged


def write_rasa_config(settings: Settings, run_dir: Path) -> tuple[Path, Path]:
    """Write endpoints.yml and credentials.yml for these settings into run_dir."""
    run_dir.mkdir(parents=True, exist_ok=True)
    endpoints = run_dir / "endpoints.yml"
    credentials = run_dir / "credentials.yml"
    endpoints.write_text(yaml.safe_dump(endpoints_config(settings), sort_keys=False))
    credentials.write_text(yaml.safe_dump(credentials_config(settings), sort_keys=False))
    # Slack secrets may be in there: readable by the owner only.
    credentials.chmod(0o600)
    return endpoints, credentials


def commands(settings: Settings, model: Path, endpoints: Path, credentials: Path) -> dict[str, list[str]]:
    """The command line of each process."""
    # `rasa run` through our entry point, which adds a few guards (bot/rasa_adapters/server): an
    # apology when the action server is down, clear 400s for bad REST bodies, clipped huge
    # messages, Redis lock fixes for several servers.
    rasa = [
        str(VENV_BIN / "python"), "-m", "bot.runtime.rasa_server", "run",
        "--model", str(model),
        "--endpoints", str(endpoints),
        "--credentials", str(credentials),
        "--interface", settings.host,
        "--port", str(settings.rasa_port),
        "--cors", "*",
    ]
    if settings.api_token:
        # One argument with "=": a token that begins with "-" (token_urlsafe gives one in 64)
        # would otherwise be read as an option, and Rasa would not start.
        rasa += ["--enable-api", f"--auth-token={settings.api_token}"]
    return {
        "actions": [
            # rasa_sdk through bot.runtime.action_server: log redaction installed first.
            str(VENV_BIN / "python"), "-m", "bot.runtime.action_server",
            "--actions", ACTIONS_PACKAGE, "--port", str(settings.actions_port),
        ],
        "rasa": rasa,
        "web": [str(VENV_BIN / "python"), "-m", "bot.web"],
    }


def services_to_start(settings: Settings, services: Sequence[str]) -> list[str]:
    """`services` as asked: the action server runs in both modes (CONTRACT section 2 promises
    it on ACTIONS_PORT); in-process mode only means the Rasa server does not call it."""
    del settings  # both modes start the same processes
    return list(services)


def health_url(settings: Settings, service: str) -> str:
    port = {"actions": settings.actions_port, "rasa": settings.rasa_port, "web": settings.web_port}[service]
    path = {"actions": "/health", "rasa": "/", "web": "/health"}[service]
    return f"http://127.0.0.1:{port}{path}"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
            return 200 <= response.status < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Stack:
    """Running processes of one deployment."""

    settings: Settings
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)  # type: ignore[type-arg]
    logs: dict[str, Path] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.actions_port}"

    def spawn(self, name: str) -> None:
        """Start (or start again) one process of the stack."""
        out: Optional[IO[bytes]] = None
        if name in self.logs:
            out = open(self.logs[name], "ab")  # noqa: SIM115 - owned by the child
        try:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - our own commands
                self.commands[name],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
                start_new_session=True,
            )
        finally:
            if out:
                out.close()

    def restart(self, name: str, **env: str) -> None:
        """Stop one process and start it again with `env` changed (e.g. another BOT_NOW)."""
        self.stop_one(name)
        self.env.update(env)
        self.spawn(name)
        self.wait_ready(names=[name])

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S, names: Optional[Sequence[str]] = None) -> None:
        """Block until every process answers its health URL; raise if one dies or times out."""
        deadline = time.monotonic() + timeout
        pending = set(names or self.processes)
        while pending:
            for name in sorted(pending):
                process = self.processes[name]
                if process.poll() is not None:
                    raise StackError(f"{name} exited with code {process.returncode}{self._tail(name)}")
                if _answers(health_url(self.settings, name)):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise StackError(f"timed out waiting for {', '.join(sorted(pending))}")
            if pending:
                time.sleep(0.5)

    def _tail(self, name: str) -> str:
        log = self.logs.get(name)
        if not log or not log.exists():
            return ""
        lines = log.read_text(errors="replace").splitlines()[-15:]
        return "\n--- last lines of " + str(log) + " ---\n" + "\n".join(lines)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def stop_one(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop one process (fault-injection in tests)."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=15)


def start_stack(
    env: Mapping[str, str],
    services: Sequence[str] = ALL_SERVICES,
    model: Optional[Path] = None,
    log_dir: Optional[Path] = None,
    inherit_output: bool = False,
) -> Stack:
    """Start the given services with `env` layered over os.environ."""
    full_env = child_env(env)
    settings = Settings.from_env(full_env)
    run_dir = VAR_DIR / "run" / f"rasa-{settings.rasa_port}"
    endpoints, credentials = write_rasa_config(settings, run_dir)
    model_path = model or (latest_model() if "rasa" in services else Path("unused"))
    stack = Stack(settings, commands=commands(settings, model_path, endpoints, credentials), env=full_env)
    services = services_to_start(settings, services)
    log_dir = log_dir or run_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name in services:
            if not inherit_output:
                stack.logs[name] = log_dir / f"{name}.log"
                stack.logs[name].write_bytes(b"")
            stack.spawn(name)
    except Exception:
        stack.stop()
        raise
    return stack


@contextlib.contextmanager
def launch_stack(
    env: Mapping[str, str],
    services: Sequence[str] = ALL_SERVICES,
    model: Optional[Path] = None,
    log_dir: Optional[Path] = None,
) -> Iterator[Stack]:
    """Start the services, wait until they answer, and stop them on exit."""
    stack = start_stack(env, services, model, log_dir)
    try:
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def run_foreground(env: Optional[Mapping[str, str]] = None) -> int:
    """`make run`: start everything, print the URLs, stop everything on Ctrl-C or SIGTERM."""
    stack = start_stack(env or {}, inherit_output=True)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        try:
            stack.wait_ready()
        except StackError as exc:
            if not stopping:
                print(f"error: {exc}", file=sys.stderr)
                return 1
        if not stopping:
            s = stack.settings
            actions_line = (f"{stack.actions_url}/health (the Rasa server runs the actions itself: "
                            "ACTIONS_MODE=inprocess)" if s.actions_in_process
                            else f"{stack.actions_url}/health")
            print(
                "\nCarrier Advisor is running:\n"
                f"  website with chat widget  {stack.web_url}/\n"
                f"  leads dashboard           {stack.web_url}/dashboard\n"
                f"  REST channel              {stack.rasa_url}/webhooks/rest/webhook\n"
                f"  Socket.IO channel         {stack.rasa_url}/socket.io/\n"
                f"  action server             {actions_line}\n"
                f"  Rasa HTTP API             {'on (token)' if s.api_token else 'off (set BOT_API_TOKEN)'}\n"
                f"  Slack channel             {'on' if s.slack_enabled else 'off (set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)'}\n"
                "Press Ctrl-C to stop.",
                flush=True,
            )
        while not stopping:
            dead = [n for n, p in stack.processes.items() if p.poll() is not None]
            if dead:
                print(f"error: {', '.join(dead)} stopped; stopping the rest", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    finally:
        print("Stopping...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)
