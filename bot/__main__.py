"""`python -m bot COMMAND ...`; see bot/cli.py."""

from bot.cli import main

raise SystemExit(main())
