"""Which client address the web app believes: only what configured proxies say.

Behind HAProxy every connection comes from the proxy, so without this every client is
127.0.0.1 and 20 failed logins by anyone lock every agent out. Forwarded headers from anyone
else must not count either (a client could name any address). Sanic 21.12 trusts
`X-Forwarded-For` only when told how many proxies are in front (`PROXIES_COUNT`), or a
`Forwarded` header only with the proxies' shared secret (`FORWARDED_SECRET`), or one header a
proxy sets (`REAL_IP_HEADER`). Unset: the peer address is the client (direct exposure).
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional


def configure_proxies(app: Any, environ: Optional[Mapping[str, str]] = None) -> None:
    """Set Sanic's proxy trust from PROXIES_COUNT / FORWARDED_SECRET / REAL_IP_HEADER."""
    env = os.environ if environ is None else environ
    count = (env.get("PROXIES_COUNT") or "").strip()
    if count:
        if not count.isdigit():
            raise ValueError(f"PROXIES_COUNT must be a whole number, not {count!r}")
        app.config.PROXIES_COUNT = int(count)
    if env.get("FORWARDED_SECRET"):
        app.config.FORWARDED_SECRET = env["FORWARDED_SECRET"]
    if env.get("REAL_IP_HEADER"):
        app.config.REAL_IP_HEADER = env["REAL_IP_HEADER"].strip().lower()
