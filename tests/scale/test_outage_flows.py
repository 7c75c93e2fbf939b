"""Issue 14, tests 2 and 3: whole conversations while the lead database is away from the action
server, on the scaled deployment (tests/scale/conftest.py: two Rasa servers, one action
server whose lead database goes through a TCP forwarder the test closes).

- Cold start during an outage: the action server starts while its database is cut, a
  customer finishes the conversation, the database comes back; the lead holds every fact
  (nothing but the spool and the delivery worker brings it there: no further message).
- Handoff while the database is down (and, in a second variant, Slack answers HTTP 500 too):
  the customer is told nobody can join the chat now but an agent will contact them (the
  conversation is not paused); after recovery the sales channel gets exactly one post. The Slack-only variant (Slack 500, database up) is
  tests/e2e/test_outbox_flow.py::test_slack_down_for_a_while_then_the_handoff_is_posted_once.

The action server is restarted for this module with the Slack stand-in as its sales channel
(and a fast outbox worker), and restarted with the cluster's own settings afterwards.
Nothing sleeps for a fixed time: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterator, Optional

import pytest

from bot.base.settings import VAR_DIR
from bot.leads.store import LeadStore
from bot.outbox.models import OutboxItem
from bot.outbox.store import SPOOL_NAME, Outbox
from tests.e2e.test_outbox_flow import FlakySlack, answer_contact_form, wait_until
from tests.scale.conftest import (
    EXPECTED_SLOTS,
    SCRIPT,
    Cluster,
    Customer,
    assert_expected_slots,
    texts,
    turn_problems,
    user_turns,
)
from tests.scale.test_faults import _assert_lead_has_every_fact, _lead, _spooled_for

pytestmark = pytest.mark.stack

SALES = "C0SALES0OUTAGE"
OUTBOX_SPOOL = VAR_DIR / SPOOL_NAME
POLL_S = 0.5  # the action server's outbox worker pass (OUTBOX_POLL_S)
RECOVERY_S = 120.0  # the database is back: the worker's next passes replay and post


class RoundRobin:
    """A customer whose turns alternate between the Rasa servers, like behind HAProxy; has the
    `say(message)` of tests.e2e's RestClient (answer_contact_form)."""

    def __init__(self, cluster: Cluster) -> None:
        self.customer = Customer(cluster)
        self.sender = self.customer.sender
        self._turn = 0

    def say(self, message: str) -> list[dict[str, Any]]:
        server = Cluster.RASA[self._turn % len(Cluster.RASA)]
        self._turn += 1
        replies = self.customer.say(server, message)
        assert replies, f"no reply to {message!r} on server {server}"
        return replies


@pytest.fixture(scope="module")
def slack() -> Iterator[FlakySlack]:
    with FlakySlack() as standin:
        yield standin


@pytest.fixture(scope="module")
def posting_cluster(cluster: Cluster, slack: FlakySlack) -> Iterator[Cluster]:
    """The cluster whose action server posts handoffs to the Slack stand-in."""
    original = dict(cluster.envs["actions"])
    if cluster.alive("actions"):
        cluster.stop("actions")
    cluster.envs["actions"].update({
        "SLACK_BOT_TOKEN": "xoxb-test-outage",  # no signing secret: the Slack channel stays off
        "SALES_SLACK_CHANNEL": SALES,
        "SLACK_API_URL": slack.url,
        "OUTBOX_RETRY_BASE_S": "0.5",
        "OUTBOX_POLL_S": str(POLL_S),
    })
    try:
        yield cluster
    finally:
        if cluster.alive("actions"):
            cluster.stop("actions")
        cluster.envs["actions"] = original
        cluster.db_proxy.stop()  # idempotent; a failed test may have left it either way
        cluster.db_proxy.start()
        cluster.revive("actions")  # the next test's `ready_cluster` waits for it


def _outbox_items(cluster: Cluster, sender: str) -> list[OutboxItem]:
    store = LeadStore(cluster.db_url, spool_path=cluster.tmp / "unused-spool.jsonl")
    try:
        return Outbox(store).list_items(sender_id=sender)
    finally:
        store.close()


def _spooled_messages_for(sender: str) -> list[dict[str, Any]]:
    if not OUTBOX_SPOOL.exists():
        return []
    found = []
    for line in OUTBOX_SPOOL.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("sender_id") == sender:
            found.append(entry)
    return found


def _complete_lead(cluster: Cluster, sender: str) -> Optional[Any]:
    lead = _lead(cluster, sender)
    return lead if lead is not None and lead.contract_end == EXPECTED_SLOTS["contract_end"] \
        else None


def test_action_server_started_while_the_lead_database_is_down_keeps_every_fact(
    posting_cluster: Cluster,
) -> None:
    cluster = posting_cluster
    cluster.ready(*Cluster.RASA)
    if cluster.alive("actions"):
        cluster.stop("actions")
    cluster.db_proxy.stop()
    try:
        # A cold start: nothing in this process has reached the lead database yet.
        cluster.ready("actions")
        customer = RoundRobin(cluster)
        replies: list[dict[str, Any]] = []
        for message in SCRIPT:
            replies = customer.say(message)
        assert "sorry" not in texts(replies).lower(), texts(replies)
        slots = customer.customer.slots("a")
        assert_expected_slots(slots)
        assert slots["recommendation"]["carriers"]
        assert _lead(cluster, customer.sender) is None  # not written...
        spooled = _spooled_for(customer.sender)
        assert spooled, "the lead was neither saved nor spooled"  # ...but kept on disk
        assert spooled[-1]["slots"]["contract_end"] == EXPECTED_SLOTS["contract_end"]
    finally:
        cluster.db_proxy.start()

    # Back: the delivery worker replays the spool without any further message.
    wait_until(lambda: _complete_lead(cluster, customer.sender), "the replayed lead",
               timeout=RECOVERY_S)
    lead = _assert_lead_has_every_fact(cluster, customer.sender)
    assert lead.channel == "rest"
    said = [line["text"] for line in lead.transcript if line["role"] == "user"]
    assert said == list(SCRIPT), said
    wait_until(lambda: not _spooled_for(customer.sender), "the spool emptied", timeout=RECOVERY_S)
    events = customer.customer.tracker("b")["events"]
    assert [turn[0]["text"] for turn in user_turns(events)] == list(SCRIPT)
    assert turn_problems(events) == []


@pytest.mark.parametrize("slack_down_too", [False, True], ids=["database", "database+slack"])
def test_handoff_while_the_lead_database_is_down_is_posted_once_after_recovery(
    posting_cluster: Cluster, slack: FlakySlack, slack_down_too: bool,
) -> None:
    cluster = posting_cluster
    cluster.ready()
    company = "Summit Outage Freight" if slack_down_too else "Harbor Outage Freight"
    customer = RoundRobin(cluster)
    customer.say(SCRIPT[0])
    if slack_down_too:
        slack.down.set()
    cluster.db_proxy.stop()
    try:
        for message in SCRIPT[1:]:
            customer.say(message)
        asked = texts(customer.say("can I talk to someone"))
        assert "join this chat" in asked, asked
        done = answer_contact_form(customer, asked, [
            (r"your name|who am I", "Olga Outage"),
            (r"company", company),
            (r"email", "olga@outagefreight.example"),
            (r"phone|number", "503-555-0166"),
        ])
        # What the customer is told: nobody can join now (no takeover can wait for an agent
        # without the database), but an agent will contact them (the post goes out below).
        assert "can't bring an agent into this chat" in done, done
        assert "will contact you" in done and "join this conversation" not in done, done
        events = customer.customer.tracker("a")["events"]
        assert not any(e["event"] == "pause" for e in events), "paused with nobody to resume it"
        assert slack.posts(lambda m: company in json.dumps(m)) == []  # nothing to post from
        assert _lead(cluster, customer.sender) is None
        assert _spooled_for(customer.sender), "the handoff lead was neither saved nor spooled"
        assert [m["kind"] for m in _spooled_messages_for(customer.sender)] == ["handoff"]
    finally:
        cluster.db_proxy.start()

    if slack_down_too:
        # The database is back first: the spooled post becomes an outbox row, refused by Slack.
        wait_until(lambda: slack.failed_posts() >= 1, "a refused post", timeout=RECOVERY_S)
        (item,) = wait_until(lambda: [i for i in _outbox_items(cluster, customer.sender)
                                      if i.state == "retrying"], "the refused row to be retried",
                             timeout=RECOVERY_S)
        assert "500" in (item.last_error or ""), item
        assert slack.posts(lambda m: company in json.dumps(m)) == []
        slack.down.clear()

    (post,) = slack.wait_for_posts(lambda m: company in json.dumps(m), timeout=RECOVERY_S)
    assert post["channel"] == SALES
    (item,) = wait_until(lambda: [i for i in _outbox_items(cluster, customer.sender)
                                  if i.state == "sent"], "the row marked sent",
                         timeout=RECOVERY_S)
    assert item.kind == "handoff" and item.destination == "Slack"
    lead = _lead(cluster, customer.sender)
    assert lead is not None and lead.status == "handoff"
    assert lead.company_name == company and lead.email == "olga@outagefreight.example"
    assert list(lead.states) == EXPECTED_SLOTS["states"]
    assert not _spooled_for(customer.sender) and not _spooled_messages_for(customer.sender)
    # Exactly once: several more worker passes, no second post and no second row.
    later = time.monotonic() + 4 * POLL_S + 1
    wait_until(lambda: time.monotonic() > later, "a few worker passes")
    assert len(slack.posts(lambda m: company in json.dumps(m))) == 1
    assert len(_outbox_items(cluster, customer.sender)) == 1
