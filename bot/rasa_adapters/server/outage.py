"""The action server is down: apologise, offer a person, keep what was said, carry on later.

Rasa 3.6 logs a failed custom action ("Encountered an exception while running action ...
Bot will continue, but the actions events are lost") and says nothing; with our forms every
qualification turn runs custom actions, so the customer would be left in silence.

Here, two small wrappers around Rasa's own classes:

1. `RemoteAction.run` raises `ActionServerUnavailable` (a `RasaException`, so Rasa's own
   handlers, e.g. in `action_extract_slots`, still treat it as a failed action) when the
   action server refused the connection, answered 5xx/404 or took longer than
   `ACTION_TIMEOUT_S`. A 400 (the action rejected itself) stays Rasa's
   `ActionExecutionRejection`.
2. `MessageProcessor._run_action` runs each predicted action through `_GuardedAction`: when
   the action (or anything it calls, e.g. a form's validation or its question) found the
   action server down, the action's events are replaced by one apology (`BotUttered`) and
   `FollowupAction("action_listen")`, so the turn ends by listening, exactly once.

The tracker keeps every slot set before the outage and every message said during it. The
lead (same database as the actions use) gets what is known so far, with the transcript, so a
person can follow up; a phone number or e-mail the customer gives during the outage (found
by our NLU component, which runs in this process) goes into the lead and is acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Text

from rasa.shared.exceptions import RasaException

from bot.domain.canonical import OUTAGE_MARK  # marks the apology (tests and analytics look for it)
from bot.domain.slots import LEAD_SLOTS
from bot.domain.wording import load_conversation_wording

if TYPE_CHECKING:
    from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT_S = 30.0
DEFAULT_MAX_MESSAGE_CHARS = 4000
LEAD_SAVE_TIMEOUT_S = 10.0

CONTRACT_SLOTS = LEAD_SLOTS  # what the lead keeps (bot/domain/slots.py)



class ActionServerUnavailable(RasaException):
    """The action server could not run a custom action (down, failing, or too slow).

    A `RasaException`, so Rasa's own `except RasaException` handlers (e.g. in
    `action_extract_slots`) treat it as the failed action it is.
    """


# --- pure parts (no server needed) ------------------------------------------------------------


def is_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the action server is down or failing.

    Connection errors, timeouts and HTTP errors other than 400 count; a configuration error
    (no action endpoint) or a 400 (the action rejected itself) does not.
    """
    import aiohttp

    seen = 0
    current: Optional[BaseException] = error
    while current is not None and seen < 8:
        if isinstance(current, (asyncio.TimeoutError, ConnectionError)):
            return True
        if isinstance(current, aiohttp.ClientError):
            status = getattr(current, "status", None)
            return status != 400
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def clip_message(text: Optional[str], limit: int) -> Optional[str]:
    """At most `limit` characters of a customer message (None stays None)."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit]


def _valid_contact(entity: str, value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return None
    from bot.understanding.validators import validate_email, validate_phone

    result = validate_email(value) if entity == "email" else validate_phone(value)
    return result.value if result.ok else None


def contact_from_messages(messages: Iterable[Mapping[str, Any]]) -> Dict[str, str]:
    """The latest valid `email` and `phone` entities in parsed user messages (Rasa's
    `parse_data` shape: {"entities": [{"entity", "value"}]}), canonical (E.164 phone)."""
    found: Dict[str, str] = {}
    for message in messages:
        for entity in message.get("entities") or ():
            name = entity.get("entity")
            if name in ("email", "phone"):
                value = _valid_contact(name, entity.get("value"))
                if value:
                    found[name] = value
    return found


def apology_text(contact: Optional[str], support: Optional[str] = None) -> str:
    """What the customer reads when the action server is down (bot/data/wording/conversation.yml)."""
    wording = load_conversation_wording()
    text = wording.text("outage_apology_with_contact", contact=contact) if contact else wording.text("outage_apology")
    if support:
        text += " " + wording.text("outage_direct_line", support=support)
    return text


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        logger.warning("%s is not a number; using %s", name, default)
        return default
    return value if value > 0 else default


# --- facts of a Rasa tracker ------------------------------------------------------------------


def tracker_facts(tracker: "DialogueStateTracker") -> Dict[str, Any]:
    """Contract slots, the contact found in the messages, the transcript and the channel,
    and the lead update they make (`update`): a person follows up when we have a contact."""
    from rasa.shared.core.events import BotUttered, UserUttered

    from bot.leads.update import build_lead_update

    slots = {name: tracker.get_slot(name) for name in CONTRACT_SLOTS
             if name in tracker.slots}
    user_messages = [e.parse_data for e in tracker.events if isinstance(e, UserUttered)]
    contact = contact_from_messages(user_messages)
    for name, value in contact.items():
        if not slots.get(name):
            slots[name] = value
    channel = tracker.get_latest_input_channel() or "unknown"
    said = [e.as_dict() for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]
    contact_given = slots.get("phone") or slots.get("email")
    update = build_lead_update(tracker.sender_id, channel=channel, slots=slots, events=said,
                               status="handoff" if contact_given else None)
    return {
        "slots": slots,
        "contact": contact_given,
        "transcript": list(update.transcript or ()),
        "channel": channel,
        # The customer told us something concrete (our NLU found entities), even if the
        # action server never turned it into slots: worth a lead with the transcript.
        "said_facts": any(m.get("entities") for m in user_messages),
        "update": update,
    }


# --- the lead --------------------------------------------------------------------------------


def _save_lead(sender_id: str, facts: Mapping[str, Any]) -> None:
    """Save (or spool) what the conversation knows. Never raises: the apology must go out
    whatever the database does."""
    from bot.leads.store import open_lead_store

    slots = facts["slots"]
    known = facts["said_facts"] or any(v not in (None, "", [], {}) for v in slots.values())
    if not known:
        return
    try:
        # Opening never touches the database: while it is down, the update is spooled.
        open_lead_store().save_or_spool(facts["update"])
    except Exception:  # noqa: BLE001 - logged; the conversation goes on
        logger.exception("could not save the lead of conversation %s during the outage",
                         sender_id)


async def outage_events(tracker: "DialogueStateTracker", action_name: str) -> List[Any]:
    """The apology, the lead saved, and the turn handed back to the customer."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import BotUttered, FollowupAction

    facts = tracker_facts(tracker)
    try:
        await asyncio.wait_for(asyncio.to_thread(_save_lead, tracker.sender_id, facts),
                               timeout=LEAD_SAVE_TIMEOUT_S)
    except asyncio.TimeoutError:
        logger.warning("saving the outage lead of %s is slow; not waiting", tracker.sender_id)
    text = apology_text(facts["contact"], os.environ.get("SUPPORT_CONTACT", "").strip() or None)
    return [
        BotUttered(text, data={}, metadata={OUTAGE_MARK: True, "action": action_name}),
        FollowupAction(ACTION_LISTEN_NAME),
    ]


# --- the wrappers -----------------------------------------------------------------------------


class _GuardedAction:
    """Runs an action; when it found the action server down, apologise instead."""

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    def name(self) -> Text:
        return self._action.name()

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionServerUnavailable as error:
            logger.error("action server unavailable while running '%s' for conversation %s: "
                         "%s; the customer gets the apology", self._action.name(),
                         tracker.sender_id, error)
            return await outage_events(tracker, self._action.name())


def install() -> None:
    """Patch Rasa's RemoteAction and MessageProcessor (call once, before the server starts)."""
    import aiohttp
    import rasa.core.actions.action as action_module
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.core.processor import MessageProcessor

    # Rasa waits up to 300 s for an action; nobody waits that long in a chat.
    action_module.DEFAULT_REQUEST_TIMEOUT = int(_env_float("ACTION_TIMEOUT_S",
                                                           DEFAULT_ACTION_TIMEOUT_S))
    max_chars = int(_env_float("BOT_MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS))

    original_remote_run = RemoteAction.run

    async def remote_run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                         domain: Any) -> List[Any]:
        try:
            return await original_remote_run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            if is_unavailable(error):
                raise ActionServerUnavailable(
                    f"custom action '{self.name()}' failed: {type(error).__name__}: {error}"
                ) from error
            raise

    original_run_action = MessageProcessor._run_action

    async def run_action(self: MessageProcessor, action: Any, tracker: Any, output_channel: Any,
                         nlg: Any, prediction: Any) -> bool:
        return await original_run_action(self, _GuardedAction(action), tracker, output_channel,
                                         nlg, prediction)

    original_handle_message = MessageProcessor.handle_message

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        clipped = clip_message(message.text, max_chars)
        if clipped is not message.text:
            logger.info("message of %d characters from %s clipped to %d", len(message.text),
                        message.sender_id, max_chars)
            message.text = clipped
        return await original_handle_message(self, message)

    RemoteAction.run = remote_run  # type: ignore[assignment]
    MessageProcessor._run_action = run_action  # type: ignore[assignment]
    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]
