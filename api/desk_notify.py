"""Wakes a conversation's event streams as soon as one of its messages is stored, on every app worker.

The desk tables stay the record (api/takeover.py): a stream always reads its messages from the
database, after the number it sent last, so a notice only says "look now". Without Redis (the
embedded default, one worker) a notice wakes this process's streams; with ``WYC_REDIS_URL`` it is
also published on a Redis channel that every worker subscribes to, so an agent's message stored
by one worker reaches a stream another worker holds at once. A notice lost on the way (Redis
restarting, a subscriber reconnecting) costs a delay, never a message: the streams still look every
``takeover_poll_seconds``.

Notices name the conversation by its hash (``conversation_hash``), never the sender id.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any, Iterator, Optional

from api.desk_models import conversation_hash

logger = logging.getLogger(__name__)

CHANNEL = "wyc:desk:messages"
# After Redis failed, publishing is skipped (streams fall back to their poll) for this long, so a
# Redis outage does not add its timeout to every desk write.
PUBLISH_RETRY_SECONDS = 10.0
SUBSCRIBE_RETRY_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 0.5


class Wake:
    """One stream's alarm: set by a notice for its conversation, cleared before each read."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()

    def clear(self) -> None:
        self.event.clear()

    async def wait(self, timeout: float) -> bool:
        """True when woken by a notice, False after ``timeout`` seconds without one."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout=max(0.0, timeout))
            return True
        except asyncio.TimeoutError:
            return False


class DeskNotifier:
    def __init__(self, redis_url: Optional[str] = None, channel: str = CHANNEL) -> None:
        self.redis_url = redis_url
        self.channel = channel
        self._waiting: dict[str, set[Wake]] = {}
        self._lock = threading.Lock()  # notices come from the desk's worker threads
        self._publisher: Any = None
        self._publish_retry_at = 0.0

    # ------------------------------------------------------------------ streams

    @contextlib.contextmanager
    def listen(self, sender_id: str) -> Iterator[Wake]:
        """Register a stream of ``sender_id`` (in its event loop) for the time of the ``with``."""
        key = conversation_hash(sender_id)
        wake = Wake(asyncio.get_running_loop())
        with self._lock:
            self._waiting.setdefault(key, set()).add(wake)
        try:
            yield wake
        finally:
            with self._lock:
                waiting = self._waiting.get(key)
                if waiting is not None:
                    waiting.discard(wake)
                    if not waiting:
                        del self._waiting[key]

    def _wake(self, key: str) -> None:
        with self._lock:
            waiting = list(self._waiting.get(key, ()))
        for wake in waiting:
            with contextlib.suppress(RuntimeError):  # its loop has closed: the stream is gone
                wake.loop.call_soon_threadsafe(wake.event.set)

    # ------------------------------------------------------------------ writers

    def stored(self, sender_id: str) -> None:
        """A message of ``sender_id`` was committed (called from any thread, after the commit)."""
        key = conversation_hash(sender_id)
        self._wake(key)
        if self.redis_url:
            self._publish(key)

    def _publish(self, key: str) -> None:
        if time.monotonic() < self._publish_retry_at:
            return
        try:
            if self._publisher is None:
                import redis

                self._publisher = redis.Redis.from_url(self.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                                       socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            self._publisher.publish(self.channel, key)
        except Exception as error:  # the streams' poll delivers the message; say so once per retry period
            self._publish_retry_at = time.monotonic() + PUBLISH_RETRY_SECONDS
            logger.warning("desk notices: cannot publish on redis (%s); event streams poll for %.0f s",
                           type(error).__name__, PUBLISH_RETRY_SECONDS)

    # ------------------------------------------------------------------ other workers' notices

    async def follow(self) -> None:
        """Wake this worker's streams on every worker's notices (Redis); runs until cancelled."""
        if not self.redis_url:
            return
        import redis.asyncio as redis_asyncio

        while True:
            client = redis_asyncio.Redis.from_url(self.redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                                  health_check_interval=30)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    data = message.get("data")
                    if isinstance(data, bytes):
                        self._wake(data.decode("ascii", "replace"))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis restarting: the streams poll meanwhile
                logger.warning("desk notices: redis subscription lost (%s); retrying in %.0f s",
                               type(error).__name__, SUBSCRIBE_RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(SUBSCRIBE_RETRY_SECONDS)

    def start(self) -> "Optional[asyncio.Task[None]]":
        if not self.redis_url:
            return None
        return asyncio.get_running_loop().create_task(self.follow(), name="desk-notices")

    def close(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            with contextlib.suppress(Exception):
                publisher.close()
