"""Per-sender rate limit for the citizen channels (/api/chat and WeChat), and per client address
for the web chat.

A fixed one-minute window per sender: simple, cheap, and exact enough for "one citizen cannot
flood the assistant". In memory by default (one process); on Redis when ``redis_url`` is set so
every API worker counts the same window (INCR + PEXPIRE in one round trip).
A broken Redis must not silence the assistant: the limiter then lets the message through.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from catalog.contract import HOTLINE

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
RATE_LIMITED_MESSAGE = (
    f"您发送消息太频繁了，请稍等一分钟再试；急事请拨打{HOTLINE}。"
    " Too many messages: please wait a minute and try again."
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


class RateLimiter(Protocol):
    async def hit(self, sender_id: str) -> Verdict: ...

    async def aclose(self) -> None: ...


class NoRateLimit:
    """``rate_limit_per_minute = 0``: every message passes."""

    async def hit(self, sender_id: str) -> Verdict:
        return Verdict(True)

    async def aclose(self) -> None:
        return None


def _window(now: float) -> tuple[int, int]:
    """The current window number and the seconds until it ends (at least 1)."""
    window = int(now // WINDOW_SECONDS)
    return window, max(1, int((window + 1) * WINDOW_SECONDS - now))


class MemoryRateLimiter:
    """Counts per (sender, window) in a dict; old windows are dropped as time moves on."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.time) -> None:
        self._limit = per_minute
        self._clock = clock
        self._window = -1
        self._counts: dict[str, int] = {}

    async def hit(self, sender_id: str) -> Verdict:
        window, retry_after = _window(self._clock())
        if window != self._window:  # a new minute: every sender starts again
            self._window, self._counts = window, {}
        count = self._counts.get(sender_id, 0) + 1
        self._counts[sender_id] = count
        return Verdict(count <= self._limit, 0 if count <= self._limit else retry_after)

    async def aclose(self) -> None:
        return None


class RedisRateLimiter:
    """The same window on Redis, shared by all workers; keys expire with their window."""

    def __init__(
        self,
        url: str,
        per_minute: int,
        prefix: str = "wyc:ratelimit:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        import redis.asyncio as redis_asyncio

        # Short timeouts: the limiter is on every message's path.
        self._redis = redis_asyncio.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._limit = per_minute
        self._prefix = prefix
        self._clock = clock

    async def hit(self, sender_id: str) -> Verdict:
        from redis.exceptions import RedisError

        window, retry_after = _window(self._clock())
        key = f"{self._prefix}{sender_id}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.pexpire(key, (WINDOW_SECONDS + 1) * 1000)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.warning("rate limiter: redis failed (%s); letting the message through", type(exc).__name__)
            return Verdict(True)
        return Verdict(count <= self._limit, 0 if count <= self._limit else retry_after)

    async def aclose(self) -> None:
        await self._redis.aclose()


def make_rate_limiter(per_minute: int, redis_url: Optional[str], prefix: str = "wyc:ratelimit:") -> RateLimiter:
    """``prefix`` keeps several limiters (per sender, per client address) apart on one Redis."""
    if per_minute <= 0:
        return NoRateLimit()
    if redis_url:
        return RedisRateLimiter(redis_url, per_minute, prefix=prefix)
    return MemoryRateLimiter(per_minute)
