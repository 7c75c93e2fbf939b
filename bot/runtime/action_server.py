"""Our action server: `python -m rasa_sdk` with the customers' contact details kept out of logs.

    python -m bot.runtime.action_server --actions actions --port 5055 [any rasa_sdk option]

rasa_sdk logs a failing action's exception, and the tracker it carries holds what customers
typed (e-mail, phone). Every entry point of the project installs `install_log_redaction()`
before anything logs; this is the action server's.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from bot.base.privacy import install_log_redaction
from bot.base.secret_strength import refuse_weak_secrets


def main(argv: Optional[Sequence[str]] = None) -> None:
    install_log_redaction()
    refuse_weak_secrets("action server")
    from bot.rasa_adapters.server.metrics import install_action_server

    install_action_server()  # GET /metrics: action errors, lead saves
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    args = create_argument_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    main_from_args(args)


if __name__ == "__main__":
    main()
