"""Conversation locks that hold with several Rasa servers and survive one of them dying.

Rasa 3.6's ticket lock (rasa/core/lock_store.py) has two flaws that matter once more than one
server shares a `RedisLockStore`:

1. A waiter whose own ticket expires while it waits never gets the lock: after a server dies
   holding a conversation's ticket, the next message of that conversation waits behind it;
   if the dead ticket and the waiter's ticket expire in the same polling second (the waiter
   came less than a second later, e.g. a load balancer's retry), the waiter polls an empty
   ticket queue forever and the customer gets no answer. Measured here: the retried turn
   hung until the client gave up.
2. Every update is read-modify-write without a transaction (GET, change JSON, SET): two
   servers issuing a ticket at the same moment can both draw the same number, and a server
   removing its ticket can wipe a ticket another server just added.

`install()` replaces `LockStore.lock` (queue again when the own ticket is gone, poll every
0.2 s instead of every second) and makes RedisLockStore's ticket updates atomic
(WATCH/MULTI on the conversation's key). Lifetimes stay Rasa's (`TICKET_LOCK_LIFETIME`,
default 60 s): a dead server's turn blocks its conversation at most that long.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Tuple

logger = logging.getLogger(__name__)

POLL_S = 0.2
MAX_WATCH_RETRIES = 200


def _atomic(store: Any, conversation_id: str,
            mutate: Callable[[Optional[Any]], Tuple[Optional[Any], Any]]) -> Any:
    """Read the conversation's TicketLock, apply `mutate`, write the result (None deletes the
    key), all in one optimistic Redis transaction; returns what `mutate` returned."""
    import redis
    from rasa.core.lock import TicketLock
    from rasa.core.lock_store import LockError

    key = store.key_prefix + conversation_id
    with store.red.pipeline() as pipe:
        for _ in range(MAX_WATCH_RETRIES):
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                new, result = mutate(lock)
                pipe.multi()
                if new is None:
                    pipe.delete(key)
                else:
                    pipe.set(key, new.dumps())
                pipe.execute()
                return result
            except redis.WatchError:
                continue
    raise LockError(f"lock of conversation '{conversation_id}' is too contended")


def install() -> None:
    """Patch Rasa's lock store classes (call once, before the server starts)."""
    from rasa.core import lock_store as ls
    from rasa.core.lock import TicketLock

    def issue_ticket(self: Any, conversation_id: str,
                     lock_lifetime: float = ls.LOCK_LIFETIME) -> int:
        def mutate(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return _atomic(self, conversation_id, mutate)
        except ls.LockError:
            raise
        except Exception as error:  # as Rasa's own issue_ticket: a LockError
            raise ls.LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self: Any, conversation_id: str) -> None:
        def mutate(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_expired_tickets()
            return (lock if lock.tickets else None), None

        _atomic(self, conversation_id, mutate)

    def finish_serving(self: Any, conversation_id: str, ticket_number: int) -> None:
        def mutate(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            lock.remove_expired_tickets()
            return (lock if lock.tickets else None), None

        _atomic(self, conversation_id, mutate)

    def cleanup(self: Any, conversation_id: str, ticket_number: int) -> None:
        # One transaction: drop our ticket, and the key when nobody else holds one.
        finish_serving(self, conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self: Any, conversation_id: str, lock_lifetime: float = ls.LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[Any, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        poll = min(wait_time_in_seconds, POLL_S)
        try:
            while True:
                current = self.get_lock(conversation_id)
                if current is not None and not current.is_locked(ticket):
                    break
                if current is None or current._ticket_for_ticket_number(ticket) is None:
                    # Our ticket expired while we waited (behind a turn that outlived its
                    # lifetime, e.g. on a server that died): queue again instead of
                    # waiting for a ticket that no longer exists.
                    logger.warning("lock ticket %s of conversation %s expired while waiting; "
                                   "queueing again", ticket, conversation_id)
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(poll)
                self.update_lock(conversation_id)
            yield current
        finally:
            self.cleanup(conversation_id, ticket)

    ls.LockStore.lock = lock  # type: ignore[assignment]
    ls.RedisLockStore.issue_ticket = issue_ticket  # type: ignore[assignment]
    ls.RedisLockStore.update_lock = update_lock  # type: ignore[assignment]
    ls.RedisLockStore.finish_serving = finish_serving  # type: ignore[assignment]
    ls.RedisLockStore.cleanup = cleanup  # type: ignore[assignment]
