"""Whether the app's actions currently fail, for /health: this worker's record, shared between the
workers through Redis when ``redis_url`` is set (the cluster)."""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Optional

logger = logging.getLogger(__name__)

# A failed action is reported by /health until an action succeeds or this long has passed
# (a quiet night must not keep a fixed fault on the dashboard forever).
ACTION_FAILURE_MEMORY_SECONDS = 120.0

# With `redis_url` set, the failure is shared by every worker under this key prefix ("wyc:" like
# the rate limiter's and the WeChat channel's keys); read when an ActionOutcomes is built.
ACTION_OUTCOME_PREFIX = "wyc:health:"
# After a Redis error a worker keeps its outcomes to itself this long before trying Redis again:
# a Redis that hangs costs one timeout (0.5 s) and one warning per window, not one per action.
SHARED_OUTCOME_RETRY_SECONDS = 5.0


class ActionOutcomes:
    """Whether actions currently fail, for /health: the last failure and the last success of an action.

    Without ``redis_url`` (one worker) the record lives in this worker's memory, as it always has.
    With it (several workers behind a load balancer, the cluster), the failure is also shared:
    a failure is SET on Redis (``{prefix}actions-failing``: failure text and wall-clock time, expiring
    after ACTION_FAILURE_MEMORY_SECONDS) and each success DELetes it, so a failure on one worker is
    reported by every worker's /health and a success on any worker clears it.

    One DEL per successful action: another worker's failure is not known here without asking Redis,
    and a DEL of an absent key (the usual case) is a ~0.2 ms round trip on the local Redis that is
    neither written to the AOF nor replicated. A Redis error never fails the action: it is logged
    (error type only) and this worker falls back to its own record for SHARED_OUTCOME_RETRY_SECONDS.
    """

    def __init__(self, redis_url: Optional[str] = None, prefix: Optional[str] = None) -> None:
        self.last_failure: Optional[str] = None
        self.last_failure_at = 0.0
        self.last_success_at = 0.0
        self._key = (ACTION_OUTCOME_PREFIX if prefix is None else prefix) + "actions-failing"
        self._redis: Any = None
        self._redis_retry_at = 0.0
        if redis_url:
            import redis.asyncio as redis_asyncio

            # Short timeouts: on every action's path and in the /health probe.
            self._redis = redis_asyncio.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )

    @property
    def shared(self) -> bool:
        """True when the outcome is shared through Redis (``redis_url`` set)."""
        return self._redis is not None

    # --- this worker's record (all there is without Redis; the fallback with it) ---

    def succeeded(self) -> None:
        self.last_success_at = time.monotonic()

    def failed(self, action_name: Optional[str], exc: BaseException) -> None:
        self.last_failure, self.last_failure_at = f"{action_name} raised {type(exc).__name__}", time.monotonic()

    def failing(self) -> Optional[str]:
        """This worker's failure, while no action has succeeded here since it."""
        recent = time.monotonic() - self.last_failure_at < ACTION_FAILURE_MEMORY_SECONDS
        return self.last_failure if recent and self.last_failure_at > self.last_success_at else None

    # --- shared through Redis (call only when `shared`) ---

    async def share_failure(self) -> None:
        """SET the failure just recorded by ``failed`` for every worker (one round trip)."""
        if not self._redis_usable():
            return
        value = json.dumps({"failure": self.last_failure, "at": time.time()})
        try:
            await self._redis.set(self._key, value, px=max(1, int(ACTION_FAILURE_MEMORY_SECONDS * 1000)))
        except Exception as exc:  # whatever Redis does, the action's own outcome stands
            self._redis_failed("record a failure", exc)

    async def share_success(self) -> None:
        """DEL the shared failure (one round trip): a success on any worker clears it."""
        if not self._redis_usable():
            return
        try:
            await self._redis.delete(self._key)
        except Exception as exc:
            self._redis_failed("clear the failure", exc)

    async def current_failure(self) -> Optional[str]:
        """What /health reports: the shared failure when Redis is set and answers, else this worker's."""
        if not self._redis_usable():
            return self.failing()
        try:
            raw = await self._redis.get(self._key)
        except Exception as exc:
            self._redis_failed("read the failure", exc)
            return self.failing()
        if raw is None:
            return None
        try:
            return str(json.loads(raw)["failure"])
        except (ValueError, KeyError, TypeError):
            return "unreadable shared failure record"

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_retry_at

    def _redis_failed(self, what: str, exc: BaseException) -> None:
        # Error type only: the URL holds the password, and the record names no sender.
        self._redis_retry_at = time.monotonic() + SHARED_OUTCOME_RETRY_SECONDS
        logger.warning(
            "action outcomes: redis failed to %s (%s); /health uses this worker's record for %.0f s",
            what, type(exc).__name__, SHARED_OUTCOME_RETRY_SECONDS,
        )

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
