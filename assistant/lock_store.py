"""A Redis ticket lock whose tickets are leases kept alive by the process that holds them.

Rasa's ``RedisLockStore`` gives every ticket a fixed expiry counted from when it was issued. When a
replica dies holding a conversation's ticket, the turn that the load balancer re-sent to another
replica waits behind it, and its own ticket, issued a moment later, expires a moment later: when
both have lapsed by the next poll, the waiter is no longer in the queue at all. It then waits until
the gateway gives up, while the citizen's *next* message gets a fresh ticket and is processed
first, without the turn before it (seen in tests/production: a reply answered as if the question had
never been asked). Its read-modify-write of the queue is also not atomic across replicas.

Here a ticket's expiry is a lease that a background task renews while the process is alive, waiting
or holding, so expiry only ever removes the tickets of a process that died; `TICKET_LOCK_LIFETIME`
(Rasa's own setting, passed in as ``lock_lifetime``) is how long a dead replica can block one
conversation. Every change to a queue is one Redis transaction (WATCH/MULTI), and the key carries a
TTL so an abandoned queue disappears by itself. Used by ``assistant/endpoints.production.yml``::

    lock_store:
      type: assistant.lock_store.LeasedRedisLockStore
      url: ...          # same keys as Rasa's "redis" lock store

The Rasa methods it overrides are pinned, with the patches, in assistant/rasa_speedups.py
(``PINNED_SOURCES``): an upgrade that changes one fails tests/assistant/test_rasa_pins.py.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager, suppress
from typing import Any, AsyncGenerator, Callable, Optional, Text, TypeVar

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A turn queued behind another one for the same conversation starts this long after it ends.
POLL_SECONDS = 0.05
# How many lease periods a ticket outlives its last renewal before it counts as dead; renewals
# happen `RENEWALS_PER_LEASE` times per period so one slow event-loop tick does not drop a ticket.
RENEWALS_PER_LEASE = 3
MIN_RENEW_SECONDS = 0.2


class LeasedRedisLockStore(RedisLockStore):
    """Ticket locks in Redis (same key layout as Rasa's) with renewed leases and atomic updates."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        poll_seconds: float = POLL_SECONDS,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:
            # Rasa builds a custom lock store with the endpoint only; its keys are RedisLockStore's.
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        self.poll_seconds = float(kwargs.pop("poll_seconds", poll_seconds))
        super().__init__(**kwargs)

    # --- one transaction per change -------------------------------------------------------------

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _transact(self, conversation_id: Text, change: Callable[[TicketLock], T], ttl: float) -> T:
        """Apply ``change`` to the queue as one Redis transaction (retried if another wrote first).

        The queue is saved with a TTL of ``ttl`` seconds, or deleted when it has no ticket left.
        """
        key = self._key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
                    result = change(lock)
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if lock.tickets:
                        pipe.set(key, lock.dumps(), px=max(1, int(ttl * 1000)))
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    # --- the ticket queue --------------------------------------------------------------------------

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock) -> int:
            return lock.issue_ticket(lock_lifetime)

        try:
            return self._transact(conversation_id, issue, ttl=lock_lifetime)
        except redis.RedisError as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def renew_ticket(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> bool:
        """Push the ticket's expiry to now + ``lock_lifetime``; False when it is no longer queued."""

        def renew(lock: TicketLock) -> bool:
            lock.remove_expired_tickets()
            for index, queued in enumerate(lock.tickets):
                if queued.number == ticket:
                    lock.tickets[index] = Ticket(ticket, time.time() + lock_lifetime)
                    return True
            return False

        return self._transact(conversation_id, renew, ttl=lock_lifetime)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: TicketLock) -> None:
            lock.remove_ticket_for(ticket_number)

        self._transact(conversation_id, finish, ttl=LOCK_LIFETIME)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving deletes the key when the queue is empty, in the same transaction.
        self.finish_serving(conversation_id, ticket_number)

    # --- acquiring ---------------------------------------------------------------------------------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Queue for the conversation, keep the ticket alive while waiting and holding, release it.

        ``wait_time_in_seconds`` (Rasa's 1 s poll) is replaced by ``poll_seconds``: consecutive
        messages of one conversation are then served without a second of dead time between them.
        """
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        state = {"ticket": ticket}
        renewer = asyncio.create_task(self._keep_alive(conversation_id, state, lock_lifetime))
        try:
            yield await self._acquire(conversation_id, state, lock_lifetime)
        finally:
            renewer.cancel()
            with suppress(asyncio.CancelledError):
                await renewer
            try:
                self.cleanup(conversation_id, state["ticket"])
            except redis.RedisError:
                # The lease lapses by itself: the next turn waits at most lock_lifetime.
                logger.exception("could not release the lock of a conversation; its lease will lapse")

    async def _keep_alive(self, conversation_id: Text, state: dict, lock_lifetime: float) -> None:
        interval = max(MIN_RENEW_SECONDS, lock_lifetime / RENEWALS_PER_LEASE)
        while True:
            await asyncio.sleep(interval)
            try:
                self.renew_ticket(conversation_id, state["ticket"], lock_lifetime)
            except redis.RedisError as exc:
                logger.warning("could not renew a conversation lock lease: %s", exc)

    async def _acquire(self, conversation_id: Text, state: dict, lock_lifetime: float) -> TicketLock:
        while True:
            lock = self.get_lock(conversation_id)
            ticket = state["ticket"]
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                # Our lease lapsed (this process stalled longer than lock_lifetime, or Redis lost
                # the key). Never run unlocked: queue again at the back.
                logger.warning("a conversation lock lease lapsed while waiting; queueing again")
                state["ticket"] = self.issue_ticket(conversation_id, lock_lifetime)
                continue
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(self.poll_seconds)

    async def _acquire_lock(
        self, conversation_id: Text, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:  # pragma: no cover - Rasa's own entry point, unused by lock()
        raise LockError("LeasedRedisLockStore acquires through lock()")
