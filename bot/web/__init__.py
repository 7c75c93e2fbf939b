"""The web app (Sanic): the agency demo page with the chat widget, `/widget.js`, `/api/hours`,
`/health` and the leads dashboard under `/dashboard`.

Run it with `python -m bot.web` (host and port from `Settings.from_env()`).
"""

__version__ = "1.0.0"
