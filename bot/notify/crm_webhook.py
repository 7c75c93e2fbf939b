"""Push leads to any HTTPS endpoint (Zapier, Make, a home-grown CRM) as signed JSON, through the
outbox (retried with back-off; one delivery id per lead and event, so a receiver drops repeats).

    POST LEAD_WEBHOOK_URL
    Content-Type: application/json
    X-Carrier-Advisor-Delivery: <delivery id>           (the same on every retry of a push)
    X-Carrier-Advisor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

    {"delivery_id": ..., "event": "handoff" | "callback", "sent_at": ISO-8601,
     "lead": {every field of the lead export (CONTRACT section 7), "plan": [...],
              "transcript": [{"role", "text", "at"}]}}

The signature is Stripe's scheme: v1 = HMAC-SHA256(LEAD_WEBHOOK_SECRET, "<t>.<raw body>"),
hex. A receiver recomputes it over the raw bytes it got, compares in constant time, and
refuses a `t` older than five minutes (replays); `verify_signature` below does exactly that.
Any 2xx is accepted; anything else, a timeout or a refused connection is a failed attempt.

Off unless LEAD_WEBHOOK_URL and LEAD_WEBHOOK_SECRET (at least 16 characters) are both set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Optional

from bot.base.privacy import redact
from bot.leads.export import lead_record
from bot.leads.models import Lead
from bot.notify.base import DeliveryFailed, LeadEvent

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Carrier-Advisor-Signature"
DELIVERY_HEADER = "X-Carrier-Advisor-Delivery"
TOLERANCE_S = 300
MIN_SECRET_CHARS = 16


@dataclass(frozen=True)
class WebhookConfig:
    url: Optional[str] = None
    secret: Optional[str] = None
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "WebhookConfig":
        env = os.environ if env is None else env
        return cls(url=(env.get("LEAD_WEBHOOK_URL") or "").strip() or None,
                   secret=(env.get("LEAD_WEBHOOK_SECRET") or "").strip() or None)

    @property
    def configured(self) -> bool:
        return bool(self.url and self.secret and len(self.secret) >= MIN_SECRET_CHARS
                    and self.url.startswith(("https://", "http://")))


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, body: bytes, header: Optional[str],
                     now: Optional[float] = None, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver does: the header's v1 matches the body, and `t` is recent."""
    try:
        parts = dict(item.split("=", 1) for item in (header or "").split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def delivery_id(kind: str, lead: Lead) -> str:
    """Stable per lead and event: the same on every retry of one push."""
    raw = f"{kind}:{lead.sender_id}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def payload(kind: str, lead: Lead, sent_at: datetime) -> dict[str, Any]:
    record = lead_record(lead)
    record["plan"] = list((lead.recommendation or {}).get("plan") or [])
    record["transcript"] = [{"role": e.get("role"), "text": e.get("text"), "at": e.get("at")}
                            for e in lead.transcript or []]
    return {"delivery_id": delivery_id(kind, lead), "event": kind,
            "sent_at": sent_at.isoformat(timespec="seconds"), "lead": record}


class WebhookNotifier:
    """POSTs each lead of a handoff or callback as signed JSON (see the module doc)."""

    name = "Webhook"
    kinds = frozenset({"handoff", "callback"})

    def __init__(self, config: WebhookConfig,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.destination = "lead webhook"
        self._clock = clock

    @property
    def configured(self) -> bool:
        return self.config.configured

    def notify(self, event: LeadEvent) -> bool:
        try:
            self.deliver(event)
            return True
        except DeliveryFailed as error:
            log.warning("lead webhook failed: %s", redact(str(error)))
            return False

    def deliver(self, event: LeadEvent) -> None:
        if not self.configured:
            raise DeliveryFailed("the lead webhook is not configured")
        for lead in event.leads:
            self.post(event.kind, lead)

    def post(self, kind: str, lead: Lead) -> None:
        now = self._clock()
        body = json.dumps(payload(kind, lead, datetime.fromtimestamp(now, timezone.utc)),
                          default=str, separators=(",", ":")).encode()
        request = urllib.request.Request(
            str(self.config.url), data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "User-Agent": "carrier-advisor-webhook/1",
                     DELIVERY_HEADER: delivery_id(kind, lead),
                     SIGNATURE_HEADER: sign(str(self.config.secret), body, int(now))})
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout_s) as resp:
                if not 200 <= resp.status < 300:
                    raise DeliveryFailed(f"lead webhook answered HTTP {resp.status}")
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"lead webhook answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryFailed(f"lead webhook unreachable: {type(reason).__name__}") from None
