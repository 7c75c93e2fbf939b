"""When to try a failed message again: exponential back-off with jitter, capped.

Attempt n (1-based) that failed waits about `base * 2**(n-1)` seconds, at most `cap`, and a
random half to full of it ("equal jitter"): workers that failed together on one Slack outage
don't all come back in the same second, and no wait is shorter than half the nominal one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

DEFAULT_MAX_ATTEMPTS = 12
DEFAULT_BASE_S = 5.0
DEFAULT_CAP_S = 30 * 60.0  # 12 attempts from 5 s: about 2 hours of trying


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_s: float = DEFAULT_BASE_S
    cap_s: float = DEFAULT_CAP_S
    #: A number in [0, 1); tests pass a fixed one.
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_s <= 0 or self.cap_s < self.base_s:
            raise ValueError("need 0 < base_s <= cap_s")

    def nominal_delay(self, attempts: int) -> float:
        """The delay after `attempts` failed attempts, before jitter."""
        exponent = min(max(attempts, 1) - 1, 60)  # 2**60 s is past any cap
        return min(self.cap_s, self.base_s * (2 ** exponent))

    def delay(self, attempts: int) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt (jittered)."""
        nominal = self.nominal_delay(attempts)
        return timedelta(seconds=nominal / 2 + self.random() * nominal / 2)

    def gives_up(self, attempts: int) -> bool:
        """True when `attempts` failed attempts are all this message gets."""
        return attempts >= self.max_attempts
