"""Push leads into HubSpot through the outbox, with the official `hubspot-api-client`.

A lead (a handoff or callback: the conversation ended with contact details) becomes:
- a contact, matched on e-mail: read by `idProperty=email`, updated when there, else created;
- one deal in HUBSPOT_PIPELINE / HUBSPOT_DEAL_STAGE, associated with the contact, named
  "<company>: telecom (Carrier Advisor #<lead id>)";
- one note on both with the plan and the transcript.

Idempotent without any state of ours: every step first looks for what an earlier attempt may
have made, by reads HubSpot answers consistently (a record by id or e-mail, a record's
associations: not the search API, which lags behind writes). A push that failed half-way and
is retried by the outbox finds the contact, the deal (among the contact's deals, by the
"#<lead id>" in its name) and the note (among the deal's notes, by a marker with the lead id
and the content's fingerprint) and makes only what is missing. Per lead, the outbox sends in
order, one at a time, so two attempts never race.

Off unless HUBSPOT_TOKEN (a private app's access token with the crm.objects.contacts.* and
crm.objects.deals.* scopes) is set. HUBSPOT_API_URL overrides https://api.hubapi.com (tests
point it at a stand-in). Errors never carry contact details into logs (they are redacted).
"""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, List, Mapping, Optional

from bot.base.privacy import redact
from bot.leads.models import Lead
from bot.notify.base import DeliveryFailed, LeadEvent
from bot.notify.delivery import content_version

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.hubapi.com"
#: HubSpot-defined association types (v4): deal -> contact, note -> contact, note -> deal.
DEAL_TO_CONTACT = 3
NOTE_TO_CONTACT = 202
NOTE_TO_DEAL = 214
MAX_NOTE_CHARS = 60_000  # HubSpot's note body limit is 65,536 characters


@dataclass(frozen=True)
class HubSpotConfig:
    token: Optional[str] = None
    pipeline: str = "default"
    deal_stage: str = "appointmentscheduled"
    api_url: str = DEFAULT_API_URL
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "HubSpotConfig":
        env = os.environ if env is None else env

        def opt(name: str) -> Optional[str]:
            return (env.get(name) or "").strip() or None

        try:
            timeout = float(opt("HUBSPOT_TIMEOUT_S") or 10.0)
        except ValueError:
            timeout = 10.0
        return cls(
            token=opt("HUBSPOT_TOKEN"),
            pipeline=opt("HUBSPOT_PIPELINE") or "default",
            deal_stage=opt("HUBSPOT_DEAL_STAGE") or "appointmentscheduled",
            api_url=(opt("HUBSPOT_API_URL") or DEFAULT_API_URL).rstrip("/"),
            timeout_s=timeout,
        )

    @property
    def configured(self) -> bool:
        return bool(self.token)


def deal_marker(lead: Lead) -> str:
    return f"(Carrier Advisor #{lead.id})"


def note_marker(lead: Lead, body_version: str) -> str:
    return f"carrier-advisor-lead-{lead.id}-{body_version}"


def contact_properties(lead: Lead) -> dict[str, str]:
    first, _, last = (lead.contact_name or "").strip().partition(" ")
    values = {"email": lead.email, "firstname": first, "lastname": last,
              "company": lead.company_name, "phone": lead.phone}
    return {name: str(value) for name, value in values.items() if value}


def deal_name(lead: Lead) -> str:
    return f"{lead.company_name or lead.contact_name or 'New lead'}: telecom {deal_marker(lead)}"


def note_body(lead: Lead) -> str:
    """The plan and the transcript, as the HTML a HubSpot note shows (all text escaped)."""
    recommendation = lead.recommendation or {}
    parts = [f"<p><strong>Carrier Advisor lead #{lead.id}</strong>: grade {html.escape(lead.grade)},"
             f" score {lead.score}/100, status {html.escape(lead.status)}</p>"]
    plan = [str(step) for step in recommendation.get("plan") or []]
    carriers = [str(c.get("name")) for c in recommendation.get("carriers") or []
                if isinstance(c, Mapping) and c.get("name")]
    if carriers:
        parts.append("<p>Recommended carriers: " + html.escape(", ".join(carriers)) + "</p>")
    if plan:
        parts.append("<p><strong>Plan</strong></p><ol>"
                     + "".join(f"<li>{html.escape(step)}</li>" for step in plan) + "</ol>")
    lines = []
    for entry in lead.transcript or []:
        who = "Customer" if entry.get("role") == "user" else (entry.get("agent") or "Assistant")
        lines.append(f"<li><strong>{html.escape(str(who))}:</strong> "
                     f"{html.escape(str(entry.get('text') or ''))}</li>")
    if lines:
        parts.append("<p><strong>Transcript</strong></p><ul>" + "".join(lines) + "</ul>")
    body = "".join(parts)
    return body[:MAX_NOTE_CHARS]


def _status(error: BaseException) -> Optional[int]:
    status = getattr(error, "status", None)
    return int(status) if isinstance(status, int) else None


class HubSpotNotifier:
    """Creates or updates the contact, the deal and the note of a lead (see the module doc)."""

    name = "HubSpot"
    kinds = frozenset({"handoff", "callback"})

    def __init__(self, config: HubSpotConfig, client: Any = None) -> None:
        self.config = config
        self.destination = f"HubSpot pipeline {config.pipeline}, stage {config.deal_stage}"
        self._client = client

    @property
    def configured(self) -> bool:
        return self.config.configured

    @property
    def client(self) -> Any:
        if self._client is None:
            from hubspot import HubSpot
            from urllib3.util.retry import Retry

            # No retries inside the client: the outbox retries with back-off, visibly.
            self._client = HubSpot(access_token=self.config.token, host=self.config.api_url,
                                   retry=Retry(total=0, redirect=0))
        return self._client

    def notify(self, event: LeadEvent) -> bool:
        try:
            self.deliver(event)
            return True
        except DeliveryFailed as error:
            log.warning("HubSpot push failed: %s", redact(str(error)))
            return False

    def deliver(self, event: LeadEvent) -> None:
        for lead in event.leads:
            try:
                self.push(lead)
            except DeliveryFailed:
                raise
            except Exception as error:  # noqa: BLE001 - any client error is a failed attempt
                status = _status(error)
                what = f"HTTP {status}" if status else type(error).__name__
                raise DeliveryFailed(f"HubSpot: {what} on lead #{lead.id}") from error

    # --- the three steps ---------------------------------------------------------------------

    def push(self, lead: Lead) -> tuple[str, str, str]:
        """(contact id, deal id, note id) of the lead in HubSpot, made where missing."""
        if not lead.email:
            raise DeliveryFailed(f"lead #{lead.id} has no e-mail address to match a HubSpot contact")
        contact_id = self.upsert_contact(lead)
        deal_id = self.ensure_deal(lead, contact_id)
        note_id = self.ensure_note(lead, contact_id, deal_id)
        return contact_id, deal_id, note_id

    def _timeout(self) -> dict[str, Any]:
        return {"_request_timeout": self.config.timeout_s}

    def upsert_contact(self, lead: Lead) -> str:
        from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate

        contacts = self.client.crm.contacts.basic_api
        properties = contact_properties(lead)
        try:
            found = contacts.get_by_id(contact_id=lead.email, id_property="email",
                                       properties=["email"], **self._timeout())
        except Exception as error:  # noqa: BLE001
            if _status(error) != 404:
                raise
            try:
                created = contacts.create(
                    simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                        properties=properties), **self._timeout())
                return str(created.id)
            except Exception as conflict:  # noqa: BLE001
                if _status(conflict) != 409:
                    raise
                # Someone made it meanwhile (another tool of the agency): update that one.
                found = contacts.get_by_id(contact_id=lead.email, id_property="email",
                                           properties=["email"], **self._timeout())
        contacts.update(contact_id=found.id,
                        simple_public_object_input=SimplePublicObjectInput(properties=properties),
                        **self._timeout())
        return str(found.id)

    def _associated(self, object_type: str, object_id: str, to_type: str) -> List[str]:
        ids: List[str] = []
        after = None
        while True:
            page = self.client.crm.associations.v4.basic_api.get_page(
                object_type=object_type, object_id=object_id, to_object_type=to_type,
                limit=500, after=after, **self._timeout())
            ids.extend(str(result.to_object_id) for result in page.results or [])
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                return ids

    def ensure_deal(self, lead: Lead, contact_id: str) -> str:
        from hubspot.crm.deals import SimplePublicObjectInputForCreate

        deals = self.client.crm.deals.basic_api
        marker = deal_marker(lead)
        for deal_id in self._associated("contacts", contact_id, "deals"):
            deal = deals.get_by_id(deal_id=deal_id, properties=["dealname"], **self._timeout())
            if str((deal.properties or {}).get("dealname") or "").endswith(marker):
                return str(deal.id)
        created = deals.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"dealname": deal_name(lead), "pipeline": self.config.pipeline,
                        "dealstage": self.config.deal_stage},
            associations=[{"to": {"id": contact_id},
                           "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                      "associationTypeId": DEAL_TO_CONTACT}]}]),
            **self._timeout())
        return str(created.id)

    def ensure_note(self, lead: Lead, contact_id: str, deal_id: str) -> str:
        from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate

        notes = self.client.crm.objects.notes.basic_api
        body = note_body(lead)
        marker = note_marker(lead, content_version(body))
        for note_id in self._associated("deals", deal_id, "notes"):
            note = notes.get_by_id(note_id=note_id, properties=["hs_note_body"], **self._timeout())
            if marker in str((note.properties or {}).get("hs_note_body") or ""):
                return str(note.id)
        created = notes.create(simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"hs_timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                        # The marker rides in an HTML comment: invisible in HubSpot, found on retry.
                        "hs_note_body": f"{body}<!-- {marker} -->"},
            associations=[
                {"to": {"id": contact_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                      "associationTypeId": NOTE_TO_CONTACT}]},
                {"to": {"id": deal_id}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                   "associationTypeId": NOTE_TO_DEAL}]}]),
            **self._timeout())
        return str(created.id)
