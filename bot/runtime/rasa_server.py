"""Our Rasa server (`rasa run` with the guards of `bot.rasa_adapters.server`).

    python -m bot.runtime.rasa_server run --model ... --endpoints ... [any `rasa run` option]
    python -m bot.runtime.rasa_server serve

`run` takes exactly the arguments of the `rasa` command line. `serve` is for containers: it
writes endpoints.yml and credentials.yml from the environment (CONTRACT section 2: RASA_PORT,
ACTIONS_PORT, DATABASE_URL, REDIS_URL, RABBITMQ_URL, BOT_API_TOKEN, BOT_HOST, SLACK_*), the
same way `make run` does (bot.runtime.launcher), and serves the newest model in models/.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from bot.base.secret_strength import refuse_weak_secrets
from bot.rasa_adapters.server import install


def serve_arguments() -> list[str]:
    """`rasa run ...` arguments for this environment, as the launcher would start the server."""
    from bot.runtime.launcher import VAR_DIR, commands, latest_model, write_rasa_config
    from bot.base.settings import Settings

    settings = Settings.from_env()
    endpoints, credentials = write_rasa_config(settings,
                                               VAR_DIR / "run" / f"rasa-{settings.rasa_port}")
    command = commands(settings, latest_model(), endpoints, credentials)["rasa"]
    return command[command.index("run"):]


def with_jwt_secret(args: list[str]) -> list[str]:
    """`args` plus `--jwt-secret` derived from `--auth-token`, so our own clients can call the
    API with a header instead of `?token=` in the URL (bot.rasa_adapters.http_api). Added here,
    in the process, so the secret is not on the command line either."""
    if any(a == "--jwt-secret" or a.startswith("--jwt-secret=") for a in args):
        return args
    token = _option_value(args, "--auth-token")
    if not token:
        return args
    from bot.rasa_adapters.http_api import JWT_METHOD, jwt_secret_for

    return args + ["--jwt-secret", jwt_secret_for(token), "--jwt-method", JWT_METHOD]


def _option_value(args: list[str], option: str) -> Optional[str]:
    """The value of `option` given as "--option=value" or as "--option value"."""
    for position, arg in enumerate(args):
        if arg.startswith(option + "="):
            return arg[len(option) + 1:]
        if arg == option and position + 1 < len(args):
            return args[position + 1]
    return None


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    refuse_weak_secrets("rasa server")
    if args[:1] == ["serve"]:
        args = serve_arguments() + args[1:]
    args = with_jwt_secret(args)
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
