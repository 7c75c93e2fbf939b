"""The facts a customer gave, as the domain core sees them (built from Rasa slots or a lead)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping, Optional

from bot.domain.slots import SLOTS_BY_NAME


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
        # Each field is converted by its slot's type in the registry (bot/domain/slots.py).
        return cls(**{f.name: _FROM_SLOT[SLOTS_BY_NAME[f.name].kind](slots.get(f.name))
                      for f in fields(cls)})


#: slot type -> the field value of one slot value
_FROM_SLOT: dict[str, Callable[[Any], Any]] = {
    "list": _as_tuple,
    "float": as_int,
    "text": lambda value: value or None,
}
