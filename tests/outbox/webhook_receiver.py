"""A lead-webhook receiver as a customer would write one: it verifies the signature
(bot.notify.crm_webhook.verify_signature, over the raw body), drops a delivery id it has
already accepted, and can refuse the next n requests with HTTP 500."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Dict, List

from bot.notify.crm_webhook import DELIVERY_HEADER, SIGNATURE_HEADER, verify_signature

SECRET = "whsec-standin-0123456789abcdef"


class WebhookReceiver:
    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.accepted: Dict[str, Dict[str, Any]] = {}  # delivery id -> payload
        self.attempts: List[Dict[str, Any]] = []
        self.fail_next = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/leads"

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                verified = verify_signature(receiver.secret, raw, self.headers.get(SIGNATURE_HEADER))
                delivery = self.headers.get(DELIVERY_HEADER) or ""
                receiver.attempts.append({"verified": verified, "delivery": delivery})
                if receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    status = 500
                elif not verified:
                    status = 401
                else:
                    receiver.accepted.setdefault(delivery, json.loads(raw))
                    status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler
