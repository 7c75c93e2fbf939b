"""Tell the sales team about leads in Slack (chat.postMessage with Block Kit).

Built on slack_sdk's WebClient; `settings.slack_api_url` overrides Slack's base URL (tests
point it at a local stand-in). Posting never raises: a missing token or channel, Slack saying
`ok: false`, an HTTP error or a timeout is logged as a redacted warning and reported as False
(`deliver()`, what the outbox calls, raises DeliveryFailed with that reason instead, and the
outbox retries). The lead itself lives in the database either way, so nothing is lost; the
digest and the dashboard still show it.

Slack messages carry the customer's contact details (the sales team needs them); log lines
never do.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.leads.models import Lead
from bot.base.privacy import redact
from bot.base.settings import Settings
from bot.notify.base import DeliveryFailed, LeadEvent

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 3.0
# Block Kit limits: 50 blocks per message, 3000 characters per section text, 10 fields.
_MAX_BLOCKS = 50
_MAX_SECTION = 2900
_MAX_FIELD = 1900


def escape(text: Any) -> str:
    """Escape Slack's control characters, so a customer-typed `<` can't forge a link."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, _MAX_SECTION)}}


def lead_title(lead: Lead) -> str:
    """`Acme Corp (Jane Doe)`, or the conversation id when the customer gave no names."""
    name = lead.company_name or lead.contact_name or f"conversation {lead.sender_id}"
    if lead.company_name and lead.contact_name:
        name = f"{lead.company_name} ({lead.contact_name})"
    return " ".join(name.split())  # one line, whatever the customer typed


def needs_summary(lead: Lead) -> str:
    """`12 sites in OR, WA · 250 employees · mpls, dia · with Lumen until 2027-05`."""
    parts = []
    if lead.num_locations is not None:
        parts.append(f"{lead.num_locations} site{'s' if lead.num_locations != 1 else ''}")
    if lead.states:
        where = ", ".join(lead.states)
        parts[-1:] = [f"{parts[-1]} in {where}"] if parts else [where]
    elif lead.city:
        parts.append(lead.city)
    if lead.employees is not None:
        parts.append(f"{lead.employees} employees")
    if lead.services:
        parts.append(", ".join(lead.services))
    if lead.current_carrier:
        parts.append(f"with {lead.current_carrier}"
                     + (f" until {lead.contract_end}" if lead.contract_end else ""))
    elif lead.contract_end:
        parts.append(f"contract ends {lead.contract_end}")
    if lead.challenges:
        parts.append("challenges: " + ", ".join(lead.challenges))
    return " · ".join(parts) or "no details yet"


def _carrier_lines(recommendation: Optional[Mapping[str, Any]]) -> list[str]:
    lines = []
    for carrier in (recommendation or {}).get("carriers") or ():
        if not isinstance(carrier, Mapping) or not carrier.get("name"):
            continue
        kind = f" ({carrier['kind']})" if carrier.get("kind") else ""
        role = f" · {str(carrier['role']).replace('_', ' ')}" if carrier.get("role") else ""
        services = carrier.get("services") or ()
        what = f": {', '.join(map(str, services))}" if services else ""
        lines.append(f"• *{escape(carrier['name'])}*{escape(kind)}{escape(role)}{escape(what)}")
    return lines


#: The takeover button's ids; the Rasa server's takeover module answers its click.
TAKE_ACTION_ID = "takeover_take"
TAKE_BLOCK_ID = "takeover_take"


def take_button(sender_id: str) -> dict[str, Any]:
    """The "Take this chat" button: its value names the conversation."""
    return {"type": "actions", "block_id": TAKE_BLOCK_ID, "elements": [{
        "type": "button", "action_id": TAKE_ACTION_ID, "style": "primary", "value": sender_id,
        "text": {"type": "plain_text", "text": "Take this chat"}}]}


class SlackNotifier:
    """Posts handoffs and the after-hours digest to the sales channel (a `Notifier`)."""

    name = "Slack"
    # Not callbacks: a callback promised at night reaches the channel in the morning digest.
    kinds: frozenset[str] = frozenset({"handoff", "digest"})

    def __init__(self, settings: Optional[Settings] = None, *,
                 client: Optional[WebClient] = None,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.settings = settings or Settings.from_env()
        self.channel = self.settings.sales_slack_channel
        self.timeout = timeout
        self._client = client

    @property
    def configured(self) -> bool:
        """Both a bot token and a sales channel are set."""
        return bool((self._client is not None or self.settings.slack_bot_token) and self.channel)

    @property
    def destination(self) -> str:
        return f"Slack channel {self.channel}"

    def notify(self, event: LeadEvent) -> bool:
        """`Notifier.notify`: post a handoff or the digest; other kinds are not for Slack."""
        if event.kind == "digest":
            return self.post_digest(event.leads, event.since, event.until)
        if event.kind in self.kinds:
            return all([self.post_handoff(lead) for lead in event.leads])
        return False

    def deliver(self, event: LeadEvent) -> None:
        """`notify()` for the outbox: raises DeliveryFailed with Slack's reason (logged once)."""
        if event.kind == "digest":
            leads = list(event.leads)
            self._send("digest", [lead.id for lead in leads],
                       text=f"After-hours leads: {len(leads)}",
                       blocks=self._formatted("digest", lambda: self.digest_blocks(
                           leads, event.since, event.until)))
        elif event.kind in self.kinds:
            for lead in event.leads:
                self._send("handoff", [lead.id], text=self._handoff_text(lead),
                           blocks=self._formatted("handoff", lambda: self.handoff_blocks(lead)))
        else:
            raise DeliveryFailed(f"Slack takes no {event.kind} events")

    def client(self) -> WebClient:
        if self._client is None:
            sdk_log = logging.getLogger(f"{__name__}.sdk")
            if sdk_log.level == logging.NOTSET:
                # slack_sdk logs request bodies (contact details) at DEBUG and its own error
                # lines for failures we already report once, redacted, below.
                sdk_log.setLevel(logging.CRITICAL)
            self._client = WebClient(
                token=self.settings.slack_bot_token,
                base_url=self.settings.slack_api_url or WebClient.BASE_URL,
                timeout=self.timeout,  # type: ignore[arg-type] - urllib takes float seconds
                logger=sdk_log,
                # No retries: a handoff must not stall the conversation; the lead is saved.
                retry_handlers=[],
            )
        return self._client

    def dashboard_url(self, lead: Lead) -> str:
        base = self.settings.public_url or f"http://{self.settings.host}:{self.settings.web_port}"
        return f"{base.rstrip('/')}/dashboard/leads/{lead.id}"

    # --- messages ----------------------------------------------------------------------------

    def handoff_blocks(self, lead: Lead) -> list[dict[str, Any]]:
        """Block Kit for one lead handed to the sales team."""
        reason = (lead.handoff_reason or "").replace("_", " ")
        header = f"{'Callback request' if lead.status == 'callback' else 'Handoff'}: " \
                 f"{lead_title(lead)}"
        fields = [
            f"*Score*\n{lead.score} (grade {lead.grade})",
            f"*Status*\n{escape(lead.status)}" + (" · after hours" if lead.after_hours else ""),
        ]
        if reason:
            fields.append(f"*Handoff reason*\n{escape(reason)}")
        if lead.contact_name:
            fields.append(f"*Contact*\n{escape(lead.contact_name)}")
        if lead.email:
            fields.append(f"*Email*\n{escape(lead.email)}")
        if lead.phone:
            fields.append(f"*Phone*\n{escape(lead.phone)}")
        if lead.callback_time:
            fields.append(f"*Call back*\n{escape(lead.callback_time)}")
        fields.append(f"*Channel*\n{escape(lead.channel)}")
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": _clip(header, 150)}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": _clip(f, _MAX_FIELD)}
                                           for f in fields[:10]]},
            _mrkdwn(f"*Needs*\n{escape(needs_summary(lead))}"),
        ]
        carriers = _carrier_lines(lead.recommendation)
        if carriers:
            blocks.append(_mrkdwn("*Recommendation*\n" + "\n".join(carriers)))
        if lead.agent_notes:  # questions the assistant left open, in the customer's words
            blocks.append(_mrkdwn(_clip("*Notes for the agent*\n" + "\n".join(
                escape(note) for note in lead.agent_notes), _MAX_FIELD)))
        if lead.score_reasons:
            blocks.append({"type": "context", "elements": [{
                "type": "mrkdwn",
                "text": _clip("Score: " + escape("; ".join(lead.score_reasons)), _MAX_FIELD)}]})
        blocks.append(_mrkdwn(f"<{self.dashboard_url(lead)}|Open lead #{lead.id} in the "
                              f"dashboard>"))
        if self.offers_takeover(lead):
            blocks.append(take_button(lead.sender_id))
        return blocks

    def offers_takeover(self, lead: Lead) -> bool:
        """"Take this chat" for a customer waiting now, when this deployment's Rasa server gets
        the button's click (the Slack channel is on: bot/rasa_adapters/server/takeover.py)."""
        return (lead.status == "handoff" and not lead.after_hours
                and self.settings.slack_enabled and len(lead.sender_id) <= 2000)

    def digest_blocks(self, leads: Sequence[Lead], since: Optional[datetime] = None,
                      until: Optional[datetime] = None) -> list[dict[str, Any]]:
        """Block Kit for the after-hours digest: the leads by score, best first."""
        ordered = sorted(leads, key=lambda lead: (-lead.score, lead.id))
        title = f"After-hours leads: {len(ordered)}"
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": title}}]
        if since is not None and until is not None:
            blocks.append({"type": "context", "elements": [{
                "type": "mrkdwn",
                "text": f"{since.isoformat(timespec='minutes')} to "
                        f"{until.isoformat(timespec='minutes')}"}]})
        chunk = ""
        shown = 0
        for lead in ordered:
            line = self._digest_line(lead)
            if chunk and len(chunk) + len(line) + 1 > _MAX_SECTION:
                if len(blocks) >= _MAX_BLOCKS - 2:
                    break
                blocks.append(_mrkdwn(chunk))
                chunk = ""
            chunk = f"{chunk}\n{line}" if chunk else line
            shown += 1
        if chunk:
            blocks.append(_mrkdwn(chunk))
        if shown < len(ordered):
            blocks.append(_mrkdwn(f"…and {len(ordered) - shown} more in the dashboard."))
        return blocks

    def _digest_line(self, lead: Lead) -> str:
        contact = ", ".join(escape(v) for v in (lead.contact_name, lead.email, lead.phone) if v)
        status = escape(lead.status) + (
            f" ({escape(lead.handoff_reason.replace('_', ' '))})" if lead.handoff_reason else "")
        carriers = ", ".join(escape(c) for c in lead.recommended_carriers)
        parts = [f"*{lead.grade} {lead.score}* <{self.dashboard_url(lead)}|#{lead.id} "
                 f"{escape(lead_title(lead))}>", status]
        if contact:
            parts.append(contact)
        parts.append(escape(needs_summary(lead)))
        if lead.callback_time:
            parts.append(f"call back {escape(lead.callback_time)}")
        if carriers:
            parts.append(f"recommended: {carriers}")
        return _clip(" — ".join(parts), _MAX_FIELD)

    # --- posting -----------------------------------------------------------------------------

    @staticmethod
    def _handoff_text(lead: Lead) -> str:
        return (f"{'Callback request' if lead.status == 'callback' else 'Handoff'}: lead "
                f"#{lead.id}, grade {lead.grade} ({lead.score})")

    @staticmethod
    def _formatted(kind: str, build: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        try:
            return build()
        except Exception as error:  # noqa: BLE001 - a formatting bug is a failed delivery
            log.warning("Slack %s not posted: cannot format it (%s)", kind, redact(str(error)))
            raise DeliveryFailed(f"cannot format the {kind}: {type(error).__name__}") from error

    def post_handoff(self, lead: Lead) -> bool:
        """Post one lead to the sales channel; True when Slack accepted it. Never raises."""
        text = self._handoff_text(lead)
        try:
            blocks = self.handoff_blocks(lead)
        except Exception as error:  # noqa: BLE001 - a formatting bug must not break the chat
            log.warning("Slack handoff for lead #%s not posted: cannot format it (%s)",
                        lead.id, redact(str(error)))
            return False
        return self._post("handoff", [lead.id], text=text, blocks=blocks)

    def post_digest(self, leads: Iterable[Lead], since: Optional[datetime] = None,
                    until: Optional[datetime] = None) -> bool:
        """Post one message listing `leads` by score, best first. Never raises."""
        leads = list(leads)
        text = f"After-hours leads: {len(leads)}"
        try:
            blocks = self.digest_blocks(leads, since, until)
        except Exception as error:  # noqa: BLE001
            log.warning("Slack digest not posted: cannot format it (%s)", redact(str(error)))
            return False
        return self._post("digest", [lead.id for lead in leads], text=text, blocks=blocks)

    def _post(self, kind: str, lead_ids: Sequence[int], *, text: str,
              blocks: list[dict[str, Any]]) -> bool:
        try:
            self._send(kind, lead_ids, text=text, blocks=blocks)
            return True
        except DeliveryFailed:
            return False  # logged by _send

    def _send(self, kind: str, lead_ids: Sequence[int], *, text: str,
              blocks: list[dict[str, Any]]) -> None:
        """chat.postMessage; DeliveryFailed (logged as a redacted warning) unless Slack said ok."""
        ids = ", ".join(f"#{i}" for i in lead_ids[:20]) + ("…" if len(lead_ids) > 20 else "")
        if not self.configured:
            log.info("Slack %s for lead(s) %s not posted: SLACK_BOT_TOKEN or the sales "
                     "channel is not set", kind, ids or "none")
            raise DeliveryFailed("Slack is not configured (SLACK_BOT_TOKEN, SALES_SLACK_CHANNEL)")
        try:
            response = self.client().chat_postMessage(
                channel=self.channel, text=text, blocks=blocks,
                unfurl_links=False, unfurl_media=False)
            if response.get("ok"):
                return
            reason = "Slack answered ok: false"
        except SlackApiError as error:
            data = error.response.data if error.response is not None else None
            detail = data.get("error") if isinstance(data, Mapping) else None
            status = error.response.status_code if error.response is not None else "?"
            reason = f"HTTP {status}, {redact(str(detail or 'unexpected response'))}"
        except Exception as error:  # noqa: BLE001 - timeouts, refused connections, bad JSON
            reason = f"{type(error).__name__}: {redact(str(error))[:300]}"
        log.warning("Slack %s for lead(s) %s not posted: %s", kind, ids, reason)
        raise DeliveryFailed(reason)
