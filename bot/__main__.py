"""`python -m bot COMMAND ...`; see bot/runtime/cli.py."""

from bot.runtime.cli import main

raise SystemExit(main())
