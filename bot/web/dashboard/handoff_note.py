"""Who asked for a person, in words, for a lead's page: the customer, the assistant (it could
not follow), or the guidance (the plan needs an agent). Replaces a bare "Handoff: no" that
could sit beside status "handoff"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from bot.leads.models import Lead


@dataclass(frozen=True)
class HandoffNote:
    who: str  # customer, assistant, guidance, nobody
    text: str


REASONS: Mapping[str, HandoffNote] = {
    "user_request": HandoffNote("customer", "The customer asked to talk to a person."),
    "frustration": HandoffNote("customer", "The customer complained, so the assistant brought in a person."),
    "low_confidence": HandoffNote(
        "assistant", "The assistant asked for a person: it could not understand the customer's answers."),
    "complex_needs": HandoffNote(
        "guidance", "The guidance asked for a person: these needs call for an agent to design the network."),
    "no_coverage": HandoffNote(
        "guidance", "The guidance asked for a person: no carrier in the catalog serves these sites."),
    "enterprise": HandoffNote(
        "guidance", "The guidance asked for a person: an enterprise-size customer is an agent's account."),
}


def handoff_note(lead: Lead) -> HandoffNote:
    """The sentence for this lead (its own reason first, then the recommendation's)."""
    recommendation: Mapping[str, Any] = lead.recommendation or {}
    reason: Optional[str] = lead.handoff_reason or recommendation.get("handoff_reason")
    if reason in REASONS:
        return REASONS[reason]
    if recommendation.get("handoff"):
        return HandoffNote("guidance", "The guidance asked for a person.")
    if lead.status == "callback" or lead.callback_time:
        return HandoffNote("customer", "The customer asked to be called back.")
    if lead.status == "handoff":
        return HandoffNote("customer", "The customer gave contact details for an agent to follow up.")
    return HandoffNote("nobody", "Nobody has asked for a person yet.")
