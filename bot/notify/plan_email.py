"""The plan by email: subject, text and HTML built from a lead's recommendation and the
broker-edited templates in bot/data/wording/email/ (Jinja2; the HTML part autoescaped).

Pure apart from reading the templates and YAML: no SMTP here (bot.notify.mail sends it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.base.yamldata import DATA_DIR
from bot.domain.wording import join_names, load_conversation_wording, load_plan_wording
from bot.leads.models import Lead
from bot.notify.agency import Agency

TEMPLATE_DIR = DATA_DIR / "wording" / "email"


@dataclass(frozen=True)
class ComposedEmail:
    subject: str
    text: str
    html: str


def _environment(directory: Path) -> Environment:
    # auto_reload (Jinja's default) re-reads a template whose file changed: a broker's edit
    # applies to the next email without a restart, like every data file.
    return Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=lambda name: bool(name) and str(name).endswith(".html.j2"),
        undefined=StrictUndefined,  # a misspelt {{ word }} fails loudly, never sends blanks
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_environments: dict[Path, Environment] = {}


def _templates(directory: Path) -> Environment:
    if directory not in _environments:
        _environments[directory] = _environment(directory)
    return _environments[directory]


def plan_context(lead: Lead, agency: Agency) -> dict[str, Any]:
    """The words the templates may use (bot/data/wording/email/README.md)."""
    copy = load_plan_wording()
    recommendation: Mapping[str, Any] = lead.recommendation or {}
    carriers = []
    for carrier in recommendation.get("carriers") or ():
        if not isinstance(carrier, Mapping) or not carrier.get("name"):
            continue
        carriers.append({
            "name": str(carrier["name"]),
            "role": copy.roles.get(str(carrier.get("role")), str(carrier.get("role") or "")),
            "kind": copy.kinds.get(str(carrier.get("kind")), str(carrier.get("kind") or "")),
            "states": join_names([str(s) for s in carrier.get("states") or ()]),
            "services": copy.service_names([str(s) for s in carrier.get("services") or ()]),
        })
    reasons = [{"id": gid, "title": copy.titles[gid], "plain": copy.plain[gid]}
               for gid in recommendation.get("guidelines") or () if gid in copy.titles]
    name = " ".join((lead.contact_name or "").split())
    return {
        "customer_name": name or load_conversation_wording().text("unknown_name"),
        "company": " ".join((lead.company_name or "").split()),
        "carriers": carriers,
        "steps": [str(step) for step in recommendation.get("plan") or ()],
        "reasons": reasons,
        "agency": agency,
        "reference": f"#{lead.id}",
    }


def compose_plan_email(lead: Lead, agency: Agency,
                       template_dir: Optional[Path] = None) -> ComposedEmail:
    """Subject, text and HTML of the plan email for `lead`. Raises on a broken template."""
    env = _templates(template_dir or TEMPLATE_DIR)
    context = plan_context(lead, agency)
    subject = env.get_template("plan_subject.txt.j2").render(context)
    return ComposedEmail(
        subject=" ".join(subject.split()),  # one header line, whatever the template holds
        text=env.get_template("plan.txt.j2").render(context),
        html=env.get_template("plan.html.j2").render(context),
    )


def has_plan(lead: Optional[Lead]) -> bool:
    """The lead holds a plan worth emailing (steps or carriers)."""
    recommendation = (lead.recommendation if lead is not None else None) or {}
    return bool(recommendation.get("plan") or recommendation.get("carriers"))
