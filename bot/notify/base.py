"""What a notifier is, and which ones this deployment has.

A notifier tells the sales team (or a system of theirs) about leads, or sends a customer what
they asked for: Slack (handoff posts, the digest) and e-mail (the plan) today; CRM pushes are
planned. Each one implements `Notifier` and registers in `notifiers_from_settings()`.

Nothing calls a notifier directly any more: callers (the handoff action, "Email me the plan",
`python -m bot leads digest`) queue their message in the outbox (`bot.notify.delivery`), and
the delivery worker hands each outbox item to its notifier as a `LeadEvent`, retrying on
failure. A notifier with a `deliver(event)` method says why a delivery failed by raising
`DeliveryFailed`; `notify(event)` is the yes/no form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, Literal, Optional, Protocol, Sequence, runtime_checkable

from bot.base.privacy import redact
from bot.base.settings import Settings
from bot.leads.models import Lead

log = logging.getLogger(__name__)

#: handoff: a person should join the conversation now; callback: a person should call back
#: when the office opens; digest: the leads that came in while the office was closed; plan:
#: the customer asked for the plan by email.
LeadEventKind = Literal["handoff", "callback", "digest", "plan"]


class DeliveryFailed(Exception):
    """A notifier could not deliver an event; the message says why, without contact details
    (it is logged and shown in the dashboard's outbox)."""


@dataclass(frozen=True)
class LeadEvent:
    """Something the sales team should hear about, with the leads it concerns."""

    kind: LeadEventKind
    leads: tuple[Lead, ...]
    #: The digest's window (None for a handoff or callback).
    since: Optional[datetime] = None
    until: Optional[datetime] = None
    #: Where a customer-bound event goes (the plan: the customer's email address).
    recipient: Optional[str] = None

    @classmethod
    def digest(cls, leads: Iterable[Lead], since: datetime, until: datetime) -> "LeadEvent":
        return cls("digest", tuple(leads), since, until)


@runtime_checkable
class Notifier(Protocol):
    """One way of telling the sales team about leads."""

    #: What people call it ("Slack"): for reports, logs and the registry's results.
    name: str
    #: Where it delivers, for people ("Slack channel #sales-leads").
    destination: str
    #: The event kinds it delivers; the registry sends it nothing else.
    kinds: frozenset[str]

    def notify(self, event: LeadEvent) -> bool:
        """Deliver `event`; True when it was accepted. Blocking (async callers use a thread);
        should not raise, and the registry logs it if it does."""
        ...


@dataclass(frozen=True)
class Notifiers:
    """The deployment's notifiers, and a note for each kind that is not set up."""

    enabled: tuple[Notifier, ...] = ()
    #: "Slack is not configured (SLACK_BOT_TOKEN and SALES_SLACK_CHANNEL)": one per kind that
    #: is left out, for reports such as the digest's.
    not_configured: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Notifier]:
        return iter(self.enabled)

    def __len__(self) -> int:
        return len(self.enabled)

    def for_kind(self, kind: str) -> tuple[Notifier, ...]:
        return tuple(n for n in self.enabled if kind in n.kinds)

    def notify(self, event: LeadEvent) -> dict[str, bool]:
        """Send `event` to every notifier that takes its kind; {name: accepted}. Never raises:
        the lead is in the database either way."""
        results: dict[str, bool] = {}
        for notifier in self.for_kind(event.kind):
            try:
                results[notifier.name] = bool(notifier.notify(event))
            except Exception as error:  # noqa: BLE001 - one notifier must not stop the others
                log.warning("%s notifier failed on a %s event: %s: %s", notifier.name,
                            event.kind, type(error).__name__, redact(str(error))[:300])
                results[notifier.name] = False
        return results


def deliver(notifier: Notifier, event: LeadEvent) -> None:
    """Hand `event` to `notifier`; raise DeliveryFailed (with the reason) unless it was
    accepted. Any other exception of the notifier counts as a failure too."""
    try:
        send = getattr(notifier, "deliver", None)
        if send is not None:
            send(event)
            return
        accepted = notifier.notify(event)
    except DeliveryFailed:
        raise
    except Exception as error:  # noqa: BLE001 - a notifier's bug is a failed delivery
        raise DeliveryFailed(f"{type(error).__name__}: {redact(str(error))[:300]}") from error
    if not accepted:
        raise DeliveryFailed(f"{notifier.name} did not accept it")


def notifiers_from_settings(settings: Settings,
                            extra: Sequence[Notifier] = ()) -> Notifiers:
    """The notifiers this deployment has set up (plus `extra`, e.g. a test's fake).

    Slack: when its bot token and the sales channel are set (`SlackNotifier.configured`).
    Email: when SMTP_URL is set; without it, plans by email wait in the outbox for an agent
    (they are not "left out": the dashboard lists them to send).
    HubSpot: when HUBSPOT_TOKEN is set; the lead webhook: when LEAD_WEBHOOK_URL and
    LEAD_WEBHOOK_SECRET are (bot.notify.crm_hubspot, bot.notify.crm_webhook).
    """
    from bot.notify.mail import EmailNotifier
    from bot.notify.slack import SlackNotifier

    enabled: list[Notifier] = []
    missing: list[str] = []
    slack = SlackNotifier(settings)
    if slack.configured:
        enabled.append(slack)
    else:
        missing.append("Slack is not configured (SLACK_BOT_TOKEN and SALES_SLACK_CHANNEL)")
    email = EmailNotifier(settings)
    if email.configured:
        enabled.append(email)
    # CRM pushes (off by default): HUBSPOT_TOKEN; LEAD_WEBHOOK_URL + LEAD_WEBHOOK_SECRET.
    from bot.notify.crm_hubspot import HubSpotConfig, HubSpotNotifier
    from bot.notify.crm_webhook import WebhookConfig, WebhookNotifier

    hubspot = HubSpotNotifier(HubSpotConfig.from_env())
    if hubspot.configured:
        enabled.append(hubspot)
    webhook = WebhookNotifier(WebhookConfig.from_env())
    if webhook.configured:
        enabled.append(webhook)
    return Notifiers(tuple(enabled) + tuple(extra), tuple(missing))
