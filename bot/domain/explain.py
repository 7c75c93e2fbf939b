"""Answer "why?" about a recommendation, in the plain words of bot/data/wording/plan.yml.

`explain(rec, question_carrier, catalog)` covers four questions:
- "why Zayo?": the guidelines that put Zayo in the plan, in plain words;
- "why not just AT&T?": for the plan's main carrier, why it is not the whole plan (M1, M2, R3...);
- "why not Cogent?": a carrier outside the plan: it doesn't serve the customer's state, doesn't
  sell what they need, is only the local phone company there, or simply isn't needed;
- "why this plan?" (no carrier): every guideline applied, with the carriers it concerns.

Old names are accepted ("why not XO?" answers about Verizon and says so). `rec` may be
a Recommendation or the contract dict stored in the `recommendation` slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from bot.domain.catalog import Catalog
from bot.domain.canonical import GUIDELINE_IDS
from bot.domain.guidance import GuidanceCopy, Recommendation, join_names, load_default_copy

# Why the main carrier alone is not the plan: the guidance's reasons to add a CLEC, in order.
_NOT_ALONE = ("M1", "M2", "R3", "M3", "S1", "S4", "R2", "P1")
# The reasons that define a role come first when explaining a carrier, then the customer's own
# challenges, then the general framing; at most MAX_REASONS, so the answer stays readable.
_ROLE_FIRST = {"primary": ("L2", "L3", "L5", "L4", "L1", "R4"), "secondary": ("L3", "L4", "L1"),
               "pilot": ("R2", "S1", "S2"), "redundancy": ("R3", "M3"), "rfq_benchmark": ("M1", "S1")}
_THEN = ("S1", "S2", "S3", "S4", "S5", "S6", "M2", "M3", "L1", "L4", "R3", "R2", "M1", "R4", "R1", "P1")
MAX_REASONS = 4


@dataclass(frozen=True)
class _View:
    """What explain needs from either a Recommendation or its contract dict."""

    carriers: tuple[Mapping[str, Any], ...]
    guidelines: tuple[str, ...]
    states: tuple[str, ...]
    services: tuple[str, ...]


def _view(rec: Union[Recommendation, Mapping[str, Any], None]) -> _View:
    if isinstance(rec, Recommendation):
        return _View(tuple(c.to_dict() for c in rec.carriers), rec.guidelines, rec.states, rec.services)
    rec = rec or {}
    carriers = tuple(c for c in (rec.get("carriers") or []) if isinstance(c, Mapping))
    # The slot holds only the contract's shape: the customer's states and services are those of
    # its carriers (the incumbents always cover every state they were given).
    states = tuple(dict.fromkeys(s for c in carriers for s in (c.get("states") or [])))
    services = tuple(dict.fromkeys(s for c in carriers for s in (c.get("services") or [])))
    guidelines = tuple(g for g in (rec.get("guidelines") or []) if g in GUIDELINE_IDS)
    return _View(carriers, guidelines, states, services)


def _plain(copy: GuidanceCopy, ids: Sequence[str]) -> str:
    """The reasons in plain words, each with its guideline id: "... than the phone company (S1)."."""
    return " ".join(f"{copy.plain[g].rstrip('.')} ({g})." for g in ids if g in copy.plain)


def explain(
    rec: Union[Recommendation, Mapping[str, Any], None],
    question_carrier: Optional[str],
    catalog: Catalog,
    copy: Optional[GuidanceCopy] = None,
) -> str:
    """Plain-words answer about `question_carrier` (None: the whole plan) in `rec`."""
    copy = copy or load_default_copy()
    view = _view(rec)
    if not question_carrier or not question_carrier.strip():
        return _why_plan(view, copy)
    carrier = catalog.resolve(question_carrier)
    if carrier is None:
        return copy.explanation("unknown", carrier=question_carrier.strip())
    note = catalog.successor_note(question_carrier)
    answer = _why_carrier(view, carrier.name, catalog, copy)
    return f"{note} {answer}" if note else answer


def _why_plan(view: _View, copy: GuidanceCopy) -> str:
    if not view.carriers:
        return copy.explanation("no_plan")
    lines = [copy.explanation("plan_intro")]
    for gid in view.guidelines:
        names = [c["name"] for c in view.carriers if gid in (c.get("guidelines") or [])]
        who = f" ({join_names(names)})" if names else ""
        lines.append(f"• {gid}: {copy.plain[gid]}{who}")
    return "\n".join(lines)


def _why_carrier(view: _View, name: str, catalog: Catalog, copy: GuidanceCopy) -> str:
    if not view.states:
        return copy.explanation("no_plan")
    entry = next((c for c in view.carriers if c.get("name") == name), None)
    if entry is not None:
        return _in_plan(view, entry, copy)
    carrier = catalog.get(name)
    assert carrier is not None  # resolve() only returns catalog carriers
    served = [s for s in view.states if carrier.serves(s)]
    if not served:
        return copy.explanation("not_serving", carrier=name, states=join_names(list(view.states)))
    competes = [s for s in served if carrier.kind_in(s) == "CLEC"]
    if not competes:
        primary = next((str(c["name"]) for c in view.carriers if c.get("role") == "primary"), "")
        main_in = [s for s in served if carrier in catalog.incumbents(s)[:1]]
        key = "not_primary" if main_in else "not_competitive"
        return copy.explanation(key, carrier=name, states=join_names(main_in or served), primary=primary)
    sold = [s for s in view.services if carrier.sells(s)]
    if view.services and not sold:
        return copy.explanation(
            "not_selling",
            carrier=name,
            served_states=join_names(competes),
            wanted_services=copy.service_names(view.services),
        )
    others = [c["name"] for c in view.carriers if c.get("name") != name]
    return copy.explanation("not_needed", carrier=name, others=join_names(others))


def _in_plan(view: _View, entry: Mapping[str, Any], copy: GuidanceCopy) -> str:
    name = str(entry["name"])
    role = str(entry.get("role", ""))
    own = set(entry.get("guidelines") or [])
    order = tuple(dict.fromkeys(_ROLE_FIRST.get(role, ()) + _THEN + GUIDELINE_IDS))
    ids = [g for g in order if g in own][:MAX_REASONS]
    role_words = copy.role_names.get(role, role)
    text = copy.explanation("in_plan", carrier=name, role=role_words, reasons=_plain(copy, ids))
    if role not in ("primary", "secondary"):
        return text
    # "Why not just AT&T?": the guidance's reasons for adding a competitive carrier that this
    # customer's plan applies; with no CLEC in reach, the limited service area (L1) is the reason.
    others = [g for g in _NOT_ALONE if g in view.guidelines and g not in ids]
    if not any(c.get("kind") == "CLEC" for c in view.carriers):
        others = [g for g in ("L1", "P1") if g in view.guidelines and g not in ids]
    if not others:
        return text
    return text + "\n" + copy.explanation("not_alone", carrier=name, reasons=_plain(copy, others))
