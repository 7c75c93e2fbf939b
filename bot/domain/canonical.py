"""Canonical codes of the public contract (CONTRACT.md sections 4-6): one place for every list."""

from __future__ import annotations

from typing import Final

SERVICES: Final[tuple[str, ...]] = (
    "t1",
    "pri",
    "sip",
    "dia",
    "broadband",
    "ethernet",
    "mpls",
    "sdwan",
    "ucaas",
    "pots",
    "wireless_backup",
    "wavelength",
    "dark_fiber",
)

CHALLENGES: Final[tuple[str, ...]] = (
    "high_cost",
    "poor_support",
    "reliability",
    "need_redundancy",
    "contract_inflexibility",
    "slow_install",
    "multi_site_management",
    "vendor_dependence",
    "bandwidth",
    "relocation",
)

HANDOFF_REASONS: Final[tuple[str, ...]] = (
    "user_request",
    "complex_needs",
    "no_coverage",
    "low_confidence",
    "frustration",
    "enterprise",
)

CARRIER_KINDS: Final[tuple[str, ...]] = ("ILEC", "CLEC")

ROLES: Final[tuple[str, ...]] = ("primary", "pilot", "redundancy", "rfq_benchmark", "secondary")

GUIDELINE_IDS: Final[tuple[str, ...]] = (
    "L1", "L2", "L3", "L4", "L5",
    "S1", "S2", "S3", "S4", "S5", "S6",
    "R1", "R2", "R3", "R4",
    "M1", "M2", "M3",
    "P1",
)

LEAD_STATUSES: Final[tuple[str, ...]] = ("new", "handoff", "callback", "closed")

GRADES: Final[tuple[str, ...]] = ("A", "B", "C")

#: `BotUttered.metadata` key our Rasa server puts on the action-server-down apology
#: (set by bot/rasa_adapters/server/outage.py, counted by bot/analytics).
OUTAGE_MARK: Final[str] = "carrier_advisor_outage"
