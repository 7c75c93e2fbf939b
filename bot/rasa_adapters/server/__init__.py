"""Our Rasa server: stock `rasa run` plus a few guards, started as `python -m bot.runtime.rasa_server run ...`.

A Rasa adapter (it imports rasa; only bot/rasa_adapters and bot/runtime may). `install()` applies:

- custom actions in this process when endpoints.yml says `action_endpoint: {type: inprocess}`
  (ACTIONS_MODE=inprocess, the embedded default): the rasa-sdk executor runs the same actions
  package without an HTTP round trip, with the same errors (see
  `bot.rasa_adapters.server.inprocess_actions`);
- action server down (connection refused, 5xx, timeout): instead of Rasa 3.6's default (log
  the failed action and say nothing), the customer gets an apology that offers a human
  contact, the turn ends by listening, and what the customer said so far stays in the tracker
  and is saved to the lead (see `bot.rasa_adapters.server.outage`);
- `ACTION_TIMEOUT_S` (default 30): how long a custom action may take before it counts as down
  (Rasa's own default is 300 s, long enough for every customer to give up);
- a sender id in a namespace another channel owns (Slack's `slack:<team>:<user>`) is refused
  on REST (400) and Socket.IO (a refusal message), so no channel reaches another's
  conversations (see `bot.rasa_adapters.server.channel_isolation`);
- no e-mail address or phone number in any log line, and SQL errors without their
  parameters (see `bot.rasa_adapters.server.log_privacy`);
- tracker or lock store down: an apology on every channel, and REST answers 503 with
  Retry-After instead of 200 `[]` (see `bot.rasa_adapters.server.store_outage`);
- new conversations rate-limited per client address (REST) and per channel (REST and
  Socket.IO) (see `bot.rasa_adapters.server.conversation_rate`);
- REST webhook bodies that break the contract (not a JSON object, no string `sender` of at
  most 255 characters, no string `message`) get a clear 400 (see `bot.rasa_adapters.server.http_guard`);
- conversation locks that hold across servers and survive a server dying while holding one
  (atomic Redis ticket updates; a waiter whose ticket expired queues again instead of
  waiting forever; see `bot.rasa_adapters.server.locks`);
- SQL tracker stores keep the deserialised conversations in the process and check a cheap
  version (row count and largest id of the sender) against the database before using them,
  so a turn neither re-reads nor re-parses the whole conversation, and several servers stay
  correct (see `bot.rasa_adapters.server.tracker_cache`);
- a plain answer to the question a form just asked skips the intent classifier (only the
  entity extractor runs; the form takes the answer whatever the intent) and is labelled
  `inform` with `answered_by: "answer_parser"`; `ANSWER_FIRST=0` turns it off (see
  `bot.rasa_adapters.server.answer_first`);
- once the server has started, the loaded model and data are moved out of the garbage
  collector's reach (`gc.freeze()` after a warm-up): a full collection walked them all, a
  400 ms stall of every conversation (see `bot.rasa_adapters.server.gc_freeze`);
- action server responses are checked against Rasa's schema with one compiled validator
  instead of a new one per call (half of the server's CPU under load; `bot.rasa_adapters.server.perf`);
- live takeover: an agent from Slack or the dashboard talks to the customer, the bot stays
  quiet meanwhile, and a takeover nobody takes ends in an honest callback offer (see
  `bot.rasa_adapters.server.takeover`);
- Prometheus `GET /metrics`: turn latency by channel, action errors, lead saves (see
  `bot.rasa_adapters.server.metrics`);
- messages longer than `BOT_MAX_MESSAGE_CHARS` (default 4000) are clipped before NLU, so a
  pasted megabyte cannot stall or exhaust the server; request bodies over
  `SANIC_REQUEST_MAX_SIZE` (default 256 KiB) are refused with HTTP 413 before anything runs.

Everything else is Rasa's own code path; with the guards removed the command line is the
same as `rasa run`.
"""

from __future__ import annotations

import os

DEFAULT_REQUEST_MAX_SIZE = 256 * 1024

_installed = False
#: Custom actions one turn may run back to back (validate, ask, submit, recommend).
ACTIONS_PER_TURN = 4


def worst_case_turn_s() -> int:
    """The longest a turn can take: every action of a turn at its timeout, plus NLU and the
    policies (30 s); the conversation lock must outlive it."""
    try:
        action_timeout = float(os.environ.get("ACTION_TIMEOUT_S") or 30)
    except ValueError:
        action_timeout = 30.0
    return int(ACTIONS_PER_TURN * action_timeout + 30)


def install() -> None:
    """Apply the guards to the imported Rasa (idempotent)."""
    global _installed
    if _installed:
        return
    # Read by Sanic when the app is created (SANIC_ prefix); an operator's value wins.
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(DEFAULT_REQUEST_MAX_SIZE))
    # Rasa's conversation lock lives 60 s; a turn may run several custom actions of up to
    # ACTION_TIMEOUT_S each, and a lock that expires mid-turn lets a second turn of the same
    # conversation run at once. Read by rasa.core.lock_store at import: set before it.
    os.environ.setdefault("TICKET_LOCK_LIFETIME", str(worst_case_turn_s()))
    from bot.rasa_adapters.server import (answer_first, channel_isolation, conversation_rate, gc_freeze,
                                          http_guard,
                                          inprocess_actions,
                                          locks, log_privacy, metrics, outage, perf,
                                          store_outage, takeover, tracker_cache)

    log_privacy.install()  # first: before anything can log a customer's words

    inprocess_actions.install()
    tracker_cache.install()
    answer_first.install()
    gc_freeze.install()
    outage.install()
    perf.install()
    http_guard.install()
    locks.install()
    takeover.install()
    store_outage.install()
    conversation_rate.install()
    metrics.install()  # turn latency, action errors, lead saves; GET /metrics
    channel_isolation.install()  # last: the outermost wrapper, checked before anything else
    _installed = True
