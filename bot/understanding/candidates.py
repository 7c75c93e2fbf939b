"""What the entity extractor works with: entity names (those of domain.yml) and the candidate
entities it weighs before deciding (bot.understanding.extraction, bot.understanding.site_counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

US_STATE = "us_state"
CITY = "city"
ZIP_CODE = "zip_code"
NUM_LOCATIONS = "num_locations"
EMPLOYEES = "employees"
SERVICE = "service"
CHALLENGE = "challenge"
CARRIER = "carrier"
CONTRACT_END = "contract_end"
EMAIL = "email"
PHONE = "phone"
ENTITIES = (US_STATE, CITY, ZIP_CODE, NUM_LOCATIONS, EMPLOYEES, SERVICE, CHALLENGE, CARRIER, CONTRACT_END, EMAIL, PHONE)


@dataclass
class Candidate:
    """A candidate entity before overlap resolution (token span [i, j) and char span)."""

    layer: str
    i: int
    j: int
    start: int
    end: int
    kind: str
    payload: Any = None
    needs_anchor: bool = False
    needs_place: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
