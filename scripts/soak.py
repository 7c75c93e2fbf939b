"""`make soak` (issue 14, test 6; not part of `make test`): mixed traffic for a long time while
the Rasa server is SIGKILLed and restarted, then check that nothing was lost and that memory
stayed flat.

The deployment: one Rasa server and one action server (ACTIONS_MODE=http, as the scaled
deployment runs them), trackers and leads in a fresh PostgreSQL database on 127.0.0.1:5432
(SQLite in var/soak/ when PostgreSQL is not reachable), the in-memory lock store. For
SOAK_MINUTES (default 30) after both answer:

- SOAK_CUSTOMERS concurrent customers (default 50) hold one conversation after another,
  thinking SOAK_THINK_S (default "0.5-3") seconds between messages; SOAK_SOCKETIO of them
  (default 5) over Socket.IO, the rest over REST. A conversation is the lead script (five
  messages ending with the plan), a partial one (stops after one to three messages), or, on
  REST, the script with bad inputs mixed in: empty, blank, huge (clipped by the server),
  emoji, HTML/script, SQL-looking text, NUL and bidi/zero-width characters. Between
  conversations REST customers sometimes send a malformed request (not JSON, a JSON array,
  missing or mistyped fields, a body over the size cap): 4xx expected, not a turn.
- Every SOAK_KILL_EVERY_MIN minutes (default 5) a server of SOAK_KILL (default "rasa"; e.g.
  "rasa,actions" takes turns) is SIGKILLed and started again at once. A customer resends a
  message that got no answer (connection refused or reset, a 5xx) until the server answers,
  as the widget does; a bad input is resent only when the connection failed.
- Every SOAK_SAMPLE_S seconds (default 10) the RSS of each server's process group.

Pass when:
1. every started conversation still has all of its turns: each answered message (REST 200;
   over Socket.IO a `bot_uttered` after it, the previous turn being in the tracker) is in
   the tracker read through the HTTP API with the token, in order (a resent message may be
   there twice: counted as `doubled_turns`);
2. every finished conversation (its whole script answered) has its lead, and a clean REST
   one holds every fact of the script;
3. no lead is duplicated: one row per conversation, none for a conversation we didn't hold;
4. memory is flat: for every life of a server process with at least SOAK_MIN_LIFE_MIN
   (default 2) minutes of samples after SOAK_WARMUP_MIN (default 1) minute of warm-up, the
   least-squares RSS slope is at most SOAK_MAX_SLOPE_MB_PER_MIN (default 2). The Rasa
   server's tracker cache is bounded (TRACKER_CACHE_SIZE, SOAK_TRACKER_CACHE_SIZE here,
   default 200, so it is full early and what grows afterwards is not the cache).

Progress, the RSS table and the slopes go to stderr; one JSON line with the figures to
stdout; exit status 1 when a check fails. Server logs: var/soak/<start time>/.

Usage: SOAK_MINUTES=6 SOAK_KILL_EVERY_MIN=2 .venv/bin/python -m scripts.soak
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime.launcher import Stack, start_stack  # noqa: E402
from scripts.bench import OUR_SCRIPT, free_port, log, postgres_database  # noqa: E402

SCRIPT = OUR_SCRIPT
BUSINESS_HOURS = "2026-12-01T10:30:00-08:00"  # a Tuesday morning in the office's zone
CLIP_CHARS = 4000  # BOT_MAX_MESSAGE_CHARS's default: what the server keeps of a message
READY_TIMEOUT_S = 900.0
REQUEST_TIMEOUT_S = 180.0
RESEND_FOR_S = 900.0  # a message is resent this long at most (a restart takes minutes here)
REPLY_TIMEOUT_S = 120.0  # Socket.IO: no bot_uttered this long after a message -> resend
QUIET_S = 1.0  # Socket.IO: a turn's replies are over after this long without one
TURN_SAVED_S = 60.0  # Socket.IO: wait at most this long for the previous turn in the tracker
MIN_SERVING_S = 60.0  # a restarted server answers at least this long before its next kill
EXPECTED_FACTS: dict[str, Any] = {
    "states": ["OR", "WA"], "num_locations": 3, "services": ["pri", "sip"],
    "challenges": ["high_cost"], "employees": 40, "current_carrier": "Lumen",
    "contract_end": "2027-03",
}
BAD_INPUTS = (
    "",
    "   ",
    "lorem ipsum " * 10_000,  # 120 KB: under the 256 KiB body cap, clipped to 4000 characters
    "👋🏽🙂 📞☎️ 🇺🇸🇨🇦 ✨🚀",
    "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE leads; --",
    "1 OR 1=1; SELECT * FROM events WHERE sender_id LIKE '%'",
    "hello\u0000world",
    "\u202egnp.exe\u200b\u200d zero\u2060width e\u0301",
)
MALFORMED_BODIES = (
    b"{not json",
    b"[1, 2, 3]",
    b'{"message": "no sender"}',
    b'{"sender": 42, "message": "hi"}',
    b'{"sender": "soak-malformed", "message": "' + b"a" * 300_000 + b'"}',  # over the cap
)


# ------------------------------------------------------------------------------ settings


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class SoakSettings:
    minutes: float
    customers: int
    socketio_customers: int
    kill_every_min: float
    kill: tuple[str, ...]
    sample_s: float
    think_s: tuple[float, float]
    warmup_min: float
    min_life_min: float
    max_slope_mb_per_min: float
    tracker_cache_size: int
    seed: int

    @classmethod
    def from_env(cls) -> "SoakSettings":
        low, _, high = os.environ.get("SOAK_THINK_S", "0.5-3").partition("-")
        customers = int(_env_float("SOAK_CUSTOMERS", 50))
        return cls(
            minutes=_env_float("SOAK_MINUTES", 30),
            customers=customers,
            socketio_customers=min(customers, int(_env_float("SOAK_SOCKETIO", 5))),
            kill_every_min=_env_float("SOAK_KILL_EVERY_MIN", 5),
            kill=tuple(n.strip() for n in os.environ.get("SOAK_KILL", "rasa").split(",")
                       if n.strip()),
            sample_s=_env_float("SOAK_SAMPLE_S", 10),
            think_s=(float(low), float(high or low)),
            warmup_min=_env_float("SOAK_WARMUP_MIN", 1),
            min_life_min=_env_float("SOAK_MIN_LIFE_MIN", 2),
            max_slope_mb_per_min=_env_float("SOAK_MAX_SLOPE_MB_PER_MIN", 2),
            tracker_cache_size=int(_env_float("SOAK_TRACKER_CACHE_SIZE", 200)),
            seed=int(_env_float("SOAK_SEED", 14)),
        )


# ------------------------------------------------------------------------------ the record


@dataclass
class Conversation:
    sender: str
    channel: str  # "rest" or "socketio"
    kind: str  # "lead", "partial" or "bad"
    script: list[str]  # the script messages it means to say (bad inputs come on top)
    answered: list[str] = field(default_factory=list)  # in order: the turns it must keep
    answered_at: list[float] = field(default_factory=list)  # seconds into the soak
    resent: set[str] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Its whole five-message script was answered (a partial one never finishes)."""
        return len(self.script) == len(SCRIPT) and all(
            message in self.answered for message in self.script)


@dataclass
class Traffic:
    conversations: list[Conversation] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # REST answers, "refused" when none
    bad_input_statuses: Counter = field(default_factory=Counter)
    malformed_statuses: Counter = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    socketio_reconnects: int = 0
    socketio_unsettled: int = 0  # previous turn not in the tracker after TURN_SAVED_S


@dataclass(frozen=True)
class Sample:
    at_s: float
    server: str
    life: int
    rss_mb: float


@dataclass
class Life:
    """One run of a server process: from spawn (or the soak's start) to its kill."""

    server: str
    index: int
    ready_s: Optional[float]  # None until it answers
    killed_s: Optional[float] = None


# ------------------------------------------------------------------------------ the soak


def group_rss_mb(pgid: int) -> Optional[float]:
    """The resident memory of every process in process group `pgid` (the launcher starts each
    server in its own group), in MB; None when the group is gone."""
    total_kb, found = 0, False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            with open(f"/proc/{entry.name}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        found = True
        except (OSError, ValueError, IndexError):
            continue
    return total_kb / 1024 if found else None


def same_turn(stored: Optional[str], sent: str) -> bool:
    """The tracker's text of a message: Rasa strips it, the server clips it."""
    stored, sent = (stored or "").strip(), sent.strip()
    return stored == sent or (len(sent) > CLIP_CHARS and bool(stored) and sent.startswith(stored))


def turn_check(answered: Sequence[str], resent: set[str],
               said: Sequence[Optional[str]]) -> tuple[list[str], int, list[str]]:
    """(answered messages missing from the tracker's user texts `said` in order, turns there
    twice after a resend, turns there twice without one)."""
    missing, position = [], 0
    for message in answered:
        found = next((i for i in range(position, len(said)) if same_turn(said[i], message)), None)
        if found is None:
            missing.append(message)
        else:
            position = found + 1
    doubled, unexplained, seen = 0, [], set()
    for message in answered:
        stored = [text for text in said if same_turn(text, message)]
        if not stored or (stored[0] or "") in seen:
            continue
        seen.add(stored[0] or "")
        # Messages that are stored alike ("" and "   ") count together.
        alike = [other for other in answered if same_turn(stored[0], other)]
        extra = len(stored) - len(alike)
        if extra > 0:
            if any(other in resent for other in alike):
                doubled += extra
            else:
                unexplained.append(message)
    return missing, doubled, unexplained


def slope_mb_per_min(points: Sequence[tuple[float, float]]) -> Optional[float]:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 3:
        return None
    xs = [at / 60 for at, _ in points]
    if max(xs) - min(xs) <= 0:
        return None
    return statistics.linear_regression(xs, [mb for _, mb in points]).slope


class Soak:
    def __init__(self, settings: SoakSettings, stack: Stack, token: str, db_url: str) -> None:
        self.settings = settings
        self.stack = stack
        self.token = token
        self.db_url = db_url
        self.url = stack.rasa_url
        self.random = random.Random(settings.seed)
        self.traffic = Traffic()
        self.samples: list[Sample] = []
        self.lives: dict[str, list[Life]] = {name: [Life(name, 0, ready_s=0.0)]
                                             for name in stack.processes}
        self.kills: list[dict[str, Any]] = []
        self.start = time.monotonic()
        self.end = self.start + settings.minutes * 60

    def now_s(self) -> float:
        return time.monotonic() - self.start

    def over(self) -> bool:
        return time.monotonic() >= self.end

    def seconds_to_next_kill(self, at_s: float) -> Optional[float]:
        """How long after `at_s` (seconds into the soak) the next SIGKILL came, if one did."""
        later = [k["at_s"] - at_s for k in self.kills if k["at_s"] >= at_s]
        return round(min(later), 1) if later else None

    # --- customers ---------------------------------------------------------------------------

    def new_conversation(self, channel: str) -> Conversation:
        roll = self.random.random()
        kind = "partial" if roll < 0.15 else "bad" if roll < 0.4 and channel == "rest" else "lead"
        script = list(SCRIPT[:self.random.randint(1, 3)] if kind == "partial" else SCRIPT)
        prefix = "soak-sio" if channel == "socketio" else "soak"
        conversation = Conversation(f"{prefix}-{uuid.uuid4().hex[:16]}", channel, kind, script)
        self.traffic.conversations.append(conversation)
        return conversation

    def messages_of(self, conversation: Conversation) -> list[tuple[str, bool]]:
        """(text, is a bad input) in the order the customer says them."""
        messages = [(text, False) for text in conversation.script]
        if conversation.kind == "bad":
            for bad in self.random.sample(BAD_INPUTS, k=self.random.randint(1, 3)):
                messages.insert(self.random.randint(0, len(messages)), (bad, True))
        return messages

    async def think(self) -> None:
        await asyncio.sleep(self.random.uniform(*self.settings.think_s))

    async def rest_customer(self, session: Any) -> None:
        while not self.over():
            if self.random.random() < 0.1:
                await self.malformed(session)
            conversation = self.new_conversation("rest")
            for text, bad in self.messages_of(conversation):
                if self.over():
                    break
                await self.rest_say(session, conversation, text, bad)
                await self.think()

    async def rest_say(self, session: Any, conversation: Conversation, text: str,
                       bad: bool) -> None:
        import aiohttp

        body = json.dumps({"sender": conversation.sender, "message": text})
        give_up = time.monotonic() + RESEND_FOR_S
        while True:
            started = time.monotonic()
            status: Optional[int] = None
            try:
                async with session.post(f"{self.url}/webhooks/rest/webhook", data=body,
                                        headers={"Content-Type": "application/json"}) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                pass
            self.traffic.statuses[str(status or "refused")] += 1
            if bad and status is not None:
                self.traffic.bad_input_statuses[str(status)] += 1
            if status == 200:
                self.traffic.latencies_s.append(time.monotonic() - started)
                conversation.answered.append(text)
                conversation.answered_at.append(self.now_s())
                return
            resend = status is None or (not bad and status >= 500)
            if not resend:
                return  # a 4xx: not a turn
            if time.monotonic() > give_up:
                conversation.unanswered.append(text)
                return
            conversation.resent.add(text)
            await asyncio.sleep(self.random.uniform(0.5, 2.0))

    async def malformed(self, session: Any) -> None:
        import aiohttp

        body = self.random.choice(MALFORMED_BODIES)
        try:
            async with session.post(f"{self.url}/webhooks/rest/webhook", data=body,
                                    headers={"Content-Type": "application/json"}) as answer:
                await answer.read()
                self.traffic.malformed_statuses[str(answer.status)] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            self.traffic.malformed_statuses["refused"] += 1

    async def socketio_customer(self, session: Any) -> None:
        while not self.over():
            conversation = self.new_conversation("socketio")
            async with SocketIOCustomer(self, conversation, session) as customer:
                for text in conversation.script:
                    if self.over():
                        break
                    await customer.say(text)
                    await self.think()

    # --- faults and memory -------------------------------------------------------------------

    async def killer(self) -> None:
        """SIGKILL a server every kill_every_min minutes and start it again at once."""
        if not self.settings.kill or self.settings.kill_every_min <= 0:
            return
        period = self.settings.kill_every_min * 60
        targets = [name for name in self.settings.kill if name in self.stack.processes]
        turn = 0
        next_kill = self.start + period
        while targets:
            await asyncio.sleep(max(0.0, min(next_kill, self.end) - time.monotonic()))
            if self.over():
                return
            name = targets[turn % len(targets)]
            turn += 1
            killed_at = time.monotonic()
            await asyncio.to_thread(self.stack.stop_one, name, signal.SIGKILL)
            self.lives[name][-1].killed_s = killed_at - self.start
            life = Life(name, len(self.lives[name]), ready_s=None)
            self.lives[name].append(life)  # samples of the new process count from its spawn
            self.stack.spawn(name)
            await asyncio.to_thread(self.stack.wait_ready, READY_TIMEOUT_S, [name])
            back = time.monotonic()
            life.ready_s = back - self.start
            self.kills.append({"server": name, "at_s": round(killed_at - self.start, 1),
                               "at_min": round((killed_at - self.start) / 60, 2),
                               "down_s": round(back - killed_at, 1)})
            log(f"[{self.now_s() / 60:5.1f} min] {name} SIGKILLed, answering again after "
                f"{back - killed_at:.0f} s")
            # Every `period` from the last kill, but each life serves a while before its kill.
            next_kill = max(killed_at + period, back + min(MIN_SERVING_S, period / 2))

    async def sampler(self) -> None:
        while not self.over():
            for name, process in self.stack.processes.items():
                if process.poll() is None:
                    rss = group_rss_mb(process.pid)
                    if rss is not None:
                        self.samples.append(Sample(self.now_s(), name, len(self.lives[name]) - 1,
                                                   rss))
            await asyncio.sleep(self.settings.sample_s)

    async def reporter(self) -> None:
        while not self.over():
            await asyncio.sleep(60)
            answered = sum(len(c.answered) for c in self.traffic.conversations)
            log(f"[{self.now_s() / 60:5.1f} min] {len(self.traffic.conversations)} "
                f"conversations, {answered} turns answered, "
                f"{self.traffic.statuses.get('refused', 0)} refused attempts")

    async def run(self) -> None:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            customers = [self.socketio_customer(session)
                         if index < self.settings.socketio_customers
                         else self.rest_customer(session)
                         for index in range(self.settings.customers)]
            background = [asyncio.create_task(task) for task in
                          (self.killer(), self.sampler(), self.reporter())]
            killer, *others = background
            try:
                await asyncio.gather(*customers)
                await killer  # a restart under way finishes before the checks
            finally:
                for task in background:
                    task.cancel()
                for task in background:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task


class SocketIOCustomer:
    """One Socket.IO conversation (python-socketio's client, websocket transport). After a
    disconnect (the server was killed) it connects again, asks for the same session, and
    resends the message that got no reply.

    Socket.IO replies name no turn, and a slow turn's last message may come seconds after its
    first: before each message the customer waits until the tracker holds the previous turn,
    so the first reply after a message is that message's."""

    def __init__(self, soak: Soak, conversation: Conversation, session: Any) -> None:
        self.soak = soak
        self.conversation = conversation
        self.session = session  # aiohttp, for the tracker
        self.client: Any = None
        self.replies: asyncio.Queue = asyncio.Queue()
        self.gone = asyncio.Event()

    async def __aenter__(self) -> "SocketIOCustomer":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._close()

    async def _close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.disconnect()
            self.client = None

    async def _connect(self, give_up: float) -> bool:
        import socketio

        while time.monotonic() < give_up:
            await self._close()
            client = socketio.AsyncClient(reconnection=False)
            confirmed = asyncio.Event()
            self.gone = asyncio.Event()
            client.on("bot_uttered", self.replies.put_nowait)
            client.on("session_confirm", lambda _data: confirmed.set())
            client.on("disconnect", self.gone.set)
            self.client = client
            try:
                await client.connect(self.soak.url, socketio_path="/socket.io",
                                     transports=["websocket"], wait_timeout=10)
                await client.emit("session_request", {"session_id": self.conversation.sender})
                await asyncio.wait_for(confirmed.wait(), timeout=30)
                return True
            except Exception:  # noqa: BLE001 - refused while the server restarts: try again
                self.soak.traffic.socketio_reconnects += 1
                await asyncio.sleep(self.soak.random.uniform(0.5, 2.0))
        return False

    async def say(self, text: str) -> None:
        await self._previous_turn_saved()
        give_up = time.monotonic() + RESEND_FOR_S
        sent_before = False
        while time.monotonic() < give_up:
            if self.client is None or not self.client.connected or self.gone.is_set():
                if not await self._connect(give_up):
                    break
            while not self.replies.empty():
                self.replies.get_nowait()
            if sent_before:
                self.conversation.resent.add(text)
            started = time.monotonic()
            try:
                await self.client.emit("user_uttered", {"session_id": self.conversation.sender,
                                                        "message": text})
                sent_before = True
                if await self._first_reply():
                    self.soak.traffic.latencies_s.append(time.monotonic() - started)
                    self.conversation.answered.append(text)
                    self.conversation.answered_at.append(self.soak.now_s())
                    await self._until_quiet()
                    return
            except Exception:  # noqa: BLE001 - disconnected mid-send: reconnect and resend
                pass
            await self._close()
        self.conversation.unanswered.append(text)

    async def _previous_turn_saved(self) -> None:
        """Until the tracker has every answered turn and ends by listening (TURN_SAVED_S at
        most: a turn lost to a kill never arrives, and the final check reports it)."""
        import urllib.parse

        import aiohttp

        if not self.conversation.answered:
            return
        url = (f"{self.soak.url}/conversations/"
               f"{urllib.parse.quote(self.conversation.sender)}/tracker")
        deadline = time.monotonic() + TURN_SAVED_S
        while time.monotonic() < deadline:
            try:
                async with self.session.get(url, params={"token": self.soak.token}) as answer:
                    events = (await answer.json())["events"] if answer.status == 200 else []
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError, KeyError):
                events = []
            users = sum(1 for event in events if event.get("event") == "user")
            if events and events[-1].get("name") == "action_listen" \
                    and users >= len(self.conversation.answered):
                return
            await asyncio.sleep(0.3)
        self.soak.traffic.socketio_unsettled += 1

    async def _first_reply(self) -> bool:
        reply = asyncio.ensure_future(self.replies.get())
        gone = asyncio.ensure_future(self.gone.wait())
        try:
            await asyncio.wait({reply, gone}, timeout=REPLY_TIMEOUT_S,
                               return_when=asyncio.FIRST_COMPLETED)
            return reply.done()
        finally:
            for task in (reply, gone):
                task.cancel()

    async def _until_quiet(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.replies.get(), timeout=QUIET_S)
            except asyncio.TimeoutError:
                return


# ------------------------------------------------------------------------------ the checks


def read_trackers(url: str, token: str, senders: Sequence[str]) -> dict[str, list[Optional[str]]]:
    """Every sender's user texts, in order, through the HTTP API (all sessions)."""
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def said(sender: str) -> list[Optional[str]]:
        address = (f"{url}/conversations/{urllib.parse.quote(sender)}/tracker?"
                   f"{urllib.parse.urlencode({'token': token, 'include_events': 'ALL'})}")
        with urllib.request.urlopen(address, timeout=120) as answer:  # noqa: S310 - local
            events = json.loads(answer.read())["events"]
        return [event.get("text") for event in events if event.get("event") == "user"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(senders, pool.map(said, senders)))


def lead_problems(lead: Any) -> list[str]:
    """The facts of the script a lead misses (empty when it holds every one)."""
    if lead is None:
        return ["no lead"]
    got = {"states": list(lead.states), "num_locations": lead.num_locations,
           "services": sorted(lead.services), "challenges": list(lead.challenges),
           "employees": lead.employees, "current_carrier": lead.current_carrier,
           "contract_end": lead.contract_end}
    problems = [f"{name}={got[name]!r}" for name, value in EXPECTED_FACTS.items()
                if got[name] != value]
    if not (lead.recommendation or {}).get("carriers"):
        problems.append("no recommendation")
    return problems


def check(soak: Soak) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    from bot.leads.store import LeadStore

    conversations = [c for c in soak.traffic.conversations if c.answered]
    said = read_trackers(soak.url, soak.token, [c.sender for c in conversations])
    missing: list[dict[str, Any]] = []
    doubled, unexplained = 0, []
    for conversation in conversations:
        lost, twice, odd = turn_check(conversation.answered, conversation.resent,
                                      said[conversation.sender])
        doubled += twice
        if lost:
            missing.append({"sender": conversation.sender, "channel": conversation.channel,
                            "missing": [m[:60] for m in lost],
                            "answered_s_before_a_kill": [
                                soak.seconds_to_next_kill(conversation.answered_at[
                                    conversation.answered.index(m)]) for m in lost]})
        unexplained += [f"{conversation.sender}: {m[:40]!r}" for m in odd]

    store = LeadStore(soak.db_url, spool_path=ROOT / "var" / "soak" / "unused-spool.jsonl")
    finished = [c for c in conversations if c.finished]
    without_lead, clean_incomplete, bad_incomplete = [], [], 0
    try:
        for conversation in finished:
            problems = lead_problems(store.get(conversation.sender))
            if problems == ["no lead"]:
                without_lead.append({"sender": conversation.sender,
                                     "channel": conversation.channel,
                                     "last_answered_s_before_a_kill": soak.seconds_to_next_kill(
                                         conversation.answered_at[-1])})
            elif problems and conversation.kind == "lead":
                clean_incomplete.append({"sender": conversation.sender, "channel":
                                         conversation.channel, "problems": problems})
            elif problems:
                bad_incomplete += 1  # bad inputs may steer the conversation elsewhere
    finally:
        store.close()
    engine = create_engine(soak.db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sender_id, COUNT(*) FROM leads "
                                           "GROUP BY sender_id")).fetchall()
    finally:
        engine.dispose()
    ours = {c.sender for c in soak.traffic.conversations}
    return {
        "conversations": len(soak.traffic.conversations),
        "conversations_with_turns": len(conversations),
        "finished": len(finished),
        "turns_answered": sum(len(c.answered) for c in conversations),
        "socketio_turns_answered": sum(len(c.answered) for c in conversations
                                       if c.channel == "socketio"),
        "unanswered_messages": sum(len(c.unanswered) for c in soak.traffic.conversations),
        "missing_turns": sum(len(m["missing"]) for m in missing),
        "missing_examples": missing[:5],
        "doubled_turns": doubled,
        "doubled_without_resend": unexplained[:10],
        "finished_without_lead": len(without_lead),
        "without_lead_examples": without_lead[:5],
        "clean_leads_missing_facts": len(clean_incomplete),
        "clean_lead_examples": clean_incomplete[:5],
        "bad_input_leads_missing_facts": bad_incomplete,
        "leads": sum(count for _, count in rows),
        "duplicate_leads": sum(count - 1 for _, count in rows if count > 1),
        "leads_of_unknown_conversations": sum(1 for sender, _ in rows if sender not in ours),
    }


def memory_report(soak: Soak) -> dict[str, Any]:
    """Per server: the slope of every life long enough to judge, and a small table."""
    settings = soak.settings
    servers: dict[str, Any] = {}
    for name, lives in soak.lives.items():
        judged = []
        for life in lives:
            if life.ready_s is None:
                continue  # killed before it answered (or still starting)
            since = life.ready_s + settings.warmup_min * 60
            points = [(s.at_s, s.rss_mb) for s in soak.samples
                      if s.server == name and s.life == life.index and s.at_s >= since]
            span_min = (points[-1][0] - points[0][0]) / 60 if points else 0.0
            slope = slope_mb_per_min(points) if span_min >= settings.min_life_min else None
            judged.append({"life": life.index, "minutes": round(span_min, 1),
                           "first_mb": round(points[0][1]) if points else None,
                           "last_mb": round(points[-1][1]) if points else None,
                           "slope_mb_per_min": None if slope is None else round(slope, 2)})
        slopes = [j["slope_mb_per_min"] for j in judged if j["slope_mb_per_min"] is not None]
        servers[name] = {"lives": judged,
                         "max_slope_mb_per_min": max(slopes) if slopes else None,
                         "peak_mb": round(max((s.rss_mb for s in soak.samples
                                               if s.server == name), default=0))}
    step_min = max(1, round(settings.minutes / 10))
    table = []
    for start in range(0, int(settings.minutes + 0.999), step_min):
        row: dict[str, Any] = {"minute": start}
        for name in soak.lives:
            window = [s.rss_mb for s in soak.samples if s.server == name
                      and start * 60 <= s.at_s < (start + step_min) * 60]
            row[name] = round(statistics.median(window)) if window else None
        row["kills"] = sum(1 for k in soak.kills if start <= k["at_min"] < start + step_min)
        table.append(row)
    flat = all(server["max_slope_mb_per_min"] is None
               or server["max_slope_mb_per_min"] <= settings.max_slope_mb_per_min
               for server in servers.values())
    judged_any = any(server["max_slope_mb_per_min"] is not None for server in servers.values())
    return {"servers": servers, "table": table, "flat": flat and judged_any}


def print_table(memory: dict[str, Any], names: Sequence[str]) -> None:
    log("RSS (MB, median of the samples in each window):")
    log("| minute | " + " | ".join(names) + " | kills |")
    log("|---" * (len(names) + 2) + "|")
    for row in memory["table"]:
        cells = ["-" if row[n] is None else str(row[n]) for n in names]
        log(f"| {row['minute']} | " + " | ".join(cells) + f" | {row['kills']} |")
    for name, server in memory["servers"].items():
        for life in server["lives"]:
            log(f"{name} life {life['life']}: {life['minutes']} min judged, "
                f"{life['first_mb']} -> {life['last_mb']} MB, slope {life['slope_mb_per_min']} "
                "MB/min")


def logged_errors(run_dir: Path) -> dict[str, dict[str, int]]:
    """Per server log: how many ERROR lines, by their first words (for the report, not a
    check: e.g. Sanic logs an error when a Socket.IO websocket closes)."""
    found: dict[str, dict[str, int]] = {}
    for path in sorted(run_dir.glob("*.log")):
        kinds: Counter = Counter()
        for line in path.read_text(errors="replace").splitlines():
            if " ERROR " in line or "[ERROR]" in line:
                message = line.split("ERROR", 1)[1].strip(" ]-")
                kinds[" ".join(message.split()[:5])[:60]] += 1
        found[path.stem] = dict(kinds.most_common(5))
    return found


def percentile(values: Sequence[float], fraction: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered) + 0.999) - 1))]


# ------------------------------------------------------------------------------ main


@contextlib.contextmanager
def soak_database(run_dir: Path) -> Iterator[tuple[str, str]]:
    """(SQLAlchemy URL, "postgresql" or "sqlite"): a throw-away PostgreSQL database when the
    local server answers, else an SQLite file in the run's directory."""
    with postgres_database() as pg:
        if pg:
            yield pg, "postgresql"
        else:
            yield f"sqlite:///{run_dir / 'soak.db'}", "sqlite"


def main() -> int:
    settings = SoakSettings.from_env()
    run_dir = ROOT / "var" / "soak" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    load_before = os.getloadavg()
    log(f"soak: {settings.minutes:g} min, {settings.customers} customers "
        f"({settings.socketio_customers} over Socket.IO), SIGKILL of {','.join(settings.kill)} "
        f"every {settings.kill_every_min:g} min, RSS every {settings.sample_s:g} s; "
        f"logs in {run_dir}")
    with soak_database(run_dir) as (db_url, database):
        env = {
            "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()), "BOT_API_TOKEN": token, "DATABASE_URL": db_url,
            "ACTIONS_MODE": "http", "BOT_NOW": BUSINESS_HOURS, "REDIS_URL": "",
            "RABBITMQ_URL": "", "TRACKER_CACHE_SIZE": str(settings.tracker_cache_size),
        }
        stack = start_stack(env, services=("actions", "rasa"), log_dir=run_dir)
        try:
            started = time.monotonic()
            stack.wait_ready(timeout=READY_TIMEOUT_S)
            log(f"servers answering after {time.monotonic() - started:.0f} s; traffic starts")
            soak = Soak(settings, stack, token, db_url)
            asyncio.run(soak.run())
            log(f"traffic over after {soak.now_s() / 60:.1f} min; checking")
            stack.wait_ready(timeout=READY_TIMEOUT_S)
            turns = check(soak)
            memory = memory_report(soak)
        finally:
            stack.stop()
    print_table(memory, list(soak.lives))
    latencies = soak.traffic.latencies_s
    passed = (turns["missing_turns"] == 0 and turns["finished_without_lead"] == 0
              and turns["clean_leads_missing_facts"] == 0 and turns["duplicate_leads"] == 0
              and turns["leads_of_unknown_conversations"] == 0 and memory["flat"])
    result = {
        "soak_minutes": round(soak.now_s() / 60, 2), "planned_minutes": settings.minutes,
        "customers": settings.customers, "socketio_customers": settings.socketio_customers,
        "kill": list(settings.kill), "kill_every_min": settings.kill_every_min,
        "kills": soak.kills, "database": database, "actions_mode": "http",
        "load_avg_at_start": [round(x, 2) for x in load_before],
        "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
        **turns,
        "rest_statuses": dict(soak.traffic.statuses),
        "bad_input_statuses": dict(soak.traffic.bad_input_statuses),
        "malformed_statuses": dict(soak.traffic.malformed_statuses),
        "socketio_reconnects": soak.traffic.socketio_reconnects,
        "socketio_unsettled": soak.traffic.socketio_unsettled,
        "server_log_errors": logged_errors(run_dir),
        "p50_s": round(percentile(latencies, 0.5) or 0, 3),
        "p95_s": round(percentile(latencies, 0.95) or 0, 3),
        "rss": {name: {"peak_mb": s["peak_mb"], "max_slope_mb_per_min": s["max_slope_mb_per_min"],
                       "lives": s["lives"]} for name, s in memory["servers"].items()},
        "rss_table": memory["table"],
        "max_slope_allowed_mb_per_min": settings.max_slope_mb_per_min,
        "memory_flat": memory["flat"],
        "passed": passed,
    }
    print(json.dumps(result), flush=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
