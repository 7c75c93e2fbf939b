"""The after-hours digest: the leads that came in while the sales team was out, best first.

`build_digest(store, since, until)` selects; the window normally comes from
`BusinessHours.after_hours_window(now)`: during business hours, from last night's closing to
this period's opening; while closed, from the last closing to the next opening (the night so
far). `run_digest()` sends it to the deployment's notifiers (Slack) through the outbox, or
prints it when none is set up, and is what `python -m bot leads digest` runs. Through the
outbox: posted at once, and when that fails, retried by the delivery worker (never twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional, TextIO

from bot.domain.hours import BusinessHours
from bot.leads.models import Lead
from bot.leads.store import LeadStore
from bot.notify.base import Notifiers
from bot.notify.delivery import OutboxDelivery
from bot.outbox.store import Outbox
from bot.notify.slack import lead_title, needs_summary
from bot.base.privacy import mask_email, mask_phone


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    leads: tuple[Lead, ...]  # by score, best first


def build_digest(store: LeadStore, since: datetime, until: datetime) -> Digest:
    """Leads created or updated in [since, until), by score (best first), closed ones left out
    (the team already dealt with them)."""
    leads = [lead for lead in store.list_leads(since=since, until=until)
             if lead.status != "closed"]
    leads.sort(key=lambda lead: (-lead.score, lead.id))
    return Digest(since=since, until=until, leads=tuple(leads))


def format_digest(digest: Digest, hours: Optional[BusinessHours] = None) -> str:
    """Plain-text digest for a terminal or a cron mail: contact details masked."""
    def when(moment: datetime) -> str:
        return hours.describe(moment) if hours else moment.isoformat(timespec="minutes")

    lines = [f"After-hours leads: {len(digest.leads)} "
             f"(from {when(digest.since)} to {when(digest.until)})"]
    for lead in digest.leads:
        contact = ", ".join(filter(None, (
            lead.contact_name,
            mask_email(lead.email) if lead.email else None,
            mask_phone(lead.phone) if lead.phone else None)))
        status = lead.status + (f" ({lead.handoff_reason})" if lead.handoff_reason else "")
        parts = [f"{lead.grade} {lead.score:>3}  #{lead.id} {lead_title(lead)}", status]
        if contact:
            parts.append(contact)
        parts.append(needs_summary(lead))
        if lead.callback_time:
            parts.append(f"call back {lead.callback_time}")
        if lead.recommended_carriers:
            parts.append("recommended: " + ", ".join(lead.recommended_carriers))
        lines.append(" ".join(" | ".join(parts).split()))  # one line per lead
    return "\n".join(lines)


def run_digest(store: LeadStore, notifiers: Notifiers, hours: BusinessHours, now: datetime,
               out: TextIO, since: Optional[datetime] = None,
               until: Optional[datetime] = None) -> int:
    """Build the digest for the window seen at `now`, send or print it, report on `out`.

    Returns a process exit code: 0 done (sent, printed or nothing to send), 1 a notifier
    did not accept it.
    """
    default_since, default_until = hours.after_hours_window(now)
    digest = build_digest(store, since or default_since, until or default_until)
    count = len(digest.leads)
    leads = f"lead{'s' if count != 1 else ''}"
    window = f"{hours.describe(digest.since)} to {hours.describe(digest.until)}"
    if not count:
        out.write(f"No after-hours leads from {window}; nothing posted.\n")
        return 0
    targets = notifiers.for_kind("digest")
    if not targets:
        out.write(format_digest(digest, hours) + "\n")
        why = "; ".join(notifiers.not_configured) or "No notifier takes the digest"
        out.write(f"{why}: printed {count} {leads}, posted 0.\n")
        return 0
    delivery = OutboxDelivery(Outbox(store), store, notifiers)
    queued = {entry.item.destination: entry.item
              for entry in delivery.queue_digest(digest.leads, digest.since, digest.until)}
    tried = {result.item.destination: result for result in delivery.deliver_due(
        ordering_keys=sorted({item.ordering_key for item in queued.values()}))}
    failed = []
    for notifier in targets:
        item = queued[notifier.name]
        result = tried.get(notifier.name)
        if result is not None and result.sent:
            out.write(f"Posted {count} after-hours {leads} to {notifier.destination} "
                      f"({window}).\n")
        else:
            failed.append((notifier, item, result))
    if not failed:
        return 0
    out.write(format_digest(digest, hours) + "\n")
    for notifier, item, result in failed:
        if result is None:
            # Not due yet: retried later, or behind an earlier digest still being retried.
            out.write(f"{notifier.name}: the digest waits in the outbox (#{item.id}, "
                      f"{item.state_label}); posted 0 of {count} leads now; they are all in "
                      f"the dashboard.\n")
        else:
            out.write(f"{notifier.name} did not accept the digest: posted 0 of {count} leads (see "
                      f"the warning above); they are all in the dashboard, and the outbox "
                      f"(#{item.id}) tries again.\n")
    return 1
