"""The facts a customer gave, as the domain core sees them (built from Rasa slots or a lead)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def as_int(value: Any) -> Optional[int]:
    """A slot value as a whole number, or None when it is not a finite number.

    Slots arrive as text, int or float (Rasa stores numbers as floats); booleans,
    NaN and infinity are not counts.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class CustomerProfile:
    """Canonical customer facts (CONTRACT section 4); every field is optional until asked."""

    states: tuple[str, ...] = ()
    city: Optional[str] = None
    zip_code: Optional[str] = None
    num_locations: Optional[int] = None
    employees: Optional[int] = None
    services: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    current_carrier: Optional[str] = None
    contract_end: Optional[str] = None

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> "CustomerProfile":
        """Build a profile from a slot mapping; unknown keys are ignored, bad numbers become None."""
        return cls(
            states=_as_tuple(slots.get("states")),
            city=slots.get("city") or None,
            zip_code=slots.get("zip_code") or None,
            num_locations=as_int(slots.get("num_locations")),
            employees=as_int(slots.get("employees")),
            services=_as_tuple(slots.get("services")),
            challenges=_as_tuple(slots.get("challenges")),
            current_carrier=slots.get("current_carrier") or None,
            contract_end=slots.get("contract_end") or None,
        )
