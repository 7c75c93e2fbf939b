"""Issue 14: new conversations are rate-limited per client address and per channel; an
ongoing conversation never is."""

from __future__ import annotations

from bot.rasa_adapters.server.conversation_rate import NewConversationLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_address_limit_and_ongoing_conversations() -> None:
    clock = Clock()
    limiter = NewConversationLimiter(per_address=3, per_channel=100, clock=clock)
    assert all(limiter.allow(f"s{i}", "rest", "203.0.113.5") for i in range(3))
    assert not limiter.allow("s3", "rest", "203.0.113.5")  # a 4th new one from that address
    assert limiter.allow("s0", "rest", "203.0.113.5")  # an ongoing one goes on
    assert limiter.allow("other", "rest", "198.51.100.7")  # another address is not affected
    clock.now += 601
    assert limiter.allow("s3", "rest", "203.0.113.5")  # the window passed


def test_per_channel_limit() -> None:
    clock = Clock()
    limiter = NewConversationLimiter(per_address=0, per_channel=2, clock=clock)
    assert limiter.allow("a", "socketio") and limiter.allow("b", "socketio")
    assert not limiter.allow("c", "socketio")
    assert limiter.allow("c", "rest")  # each channel has its own budget
    clock.now += 61
    assert limiter.allow("c", "socketio")
