"""`python -m bot.web`: serve the web app on BOT_HOST:WEB_PORT (Settings.from_env())."""

from __future__ import annotations

import logging
import os

from bot.base.privacy import install_log_redaction
from bot.base.secret_strength import refuse_weak_secrets
from bot.base.settings import Settings
from bot.web.app import WebConfig, create_app


def main() -> None:
    install_log_redaction()  # the dashboard handles contact details: never into the logs
    refuse_weak_secrets("web app")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings.from_env()
    config = WebConfig(
        dashboard_secret=os.environ.get("DASHBOARD_SECRET") or None,
        rasa_public_url=os.environ.get("RASA_PUBLIC_URL") or None,
    )
    app = create_app(settings, config)
    app.run(
        host=settings.host,
        port=settings.web_port,
        workers=1,
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
