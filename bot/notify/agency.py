"""The agency as customers see it (bot/data/agency.yml): its name and how to reach a person.

Broker-edited; validated when loaded (bot.base.schema) and re-read when the file changes.
"""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import root_validator, validator

from bot.base.schema import DataModel, NonEmptyText, load_cached, read_model
from bot.base.yamldata import DATA_DIR

AGENCY_PATH = DATA_DIR / "agency.yml"


def _is_address(value: str) -> bool:
    _, address = parseaddr(value)
    local, _, domain = address.partition("@")
    return bool(local and "." in domain and " " not in address)


class Agency(DataModel):
    """The schema of agency.yml, and the value the code uses."""

    name: NonEmptyText
    email: Optional[NonEmptyText] = None
    phone: Optional[NonEmptyText] = None
    website: Optional[NonEmptyText] = None
    email_from: NonEmptyText

    @validator("email")
    def _an_address(cls, value: Optional[str]) -> Optional[str]:  # noqa: N805
        if value is not None and not _is_address(value):
            raise ValueError(f"{value!r} is not an email address (like advisors@agency.com)")
        return value

    @validator("email_from")
    def _a_sender(cls, value: str) -> str:  # noqa: N805
        if not _is_address(value):
            raise ValueError(f"{value!r} is not an email address "
                             "(like plans@agency.com or \"Agency <plans@agency.com>\")")
        return value

    @root_validator(skip_on_failure=True)
    def _a_way_to_reach_a_person(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not values.get("email") and not values.get("phone"):
            raise ValueError("give an email or a phone (or both): customers need a way to "
                             "reach a person")
        return values

    @property
    def contact(self) -> str:
        """"advisors@northwind.example or +1 (503) 555-0100"."""
        return " or ".join(v for v in (self.email, self.phone) if v)

    def sender(self, override: Optional[str] = None) -> str:
        """The From header: `override` (SMTP_FROM) or `email_from`."""
        return override or self.email_from

    @staticmethod
    def bare_address(header: str) -> str:
        """"Agency <plans@agency.com>" -> "plans@agency.com" (the SMTP envelope sender)."""
        return parseaddr(header)[1]


def _read(path: Path) -> Agency:
    agency, _ = read_model(path, Agency)
    return agency


def load_agency(path: Union[str, Path, None] = None) -> Agency:
    """agency.yml, re-read when it changes; DataFileError names the file and line."""
    return load_cached(path if path is not None else AGENCY_PATH, _read)
