"""Small expiring key-value stores for the WeChat channel: MsgId de-duplication and the
per-OpenID memory (last numbered options, last item, whether we asked for the town).

In memory by default (one process); Redis when ``redis_url`` is set, so that several API
workers agree on which request answers a message.
"""
from __future__ import annotations

import json
import time
from typing import Any, Optional, Protocol

MESSAGE_TTL_SECONDS = 300  # WeChat retries within ~15 s; keep MsgIds well beyond that
MEMORY_TTL_SECONDS = 2 * 3600


class KeyValueStore(Protocol):
    async def set_if_absent(self, key: str, value: Any, ttl: float) -> bool: ...

    async def set(self, key: str, value: Any, ttl: float) -> None: ...

    async def get(self, key: str) -> Any: ...

    async def delete(self, key: str) -> None: ...


class MemoryStore:
    """Dict with per-key expiry. Methods never await, so each is atomic on the event loop."""

    def __init__(self, max_entries: int = 100_000, clock=time.monotonic) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._max_entries = max_entries
        self._clock = clock

    def _live(self, key: str) -> Optional[tuple[float, Any]]:
        entry = self._entries.get(key)
        if entry is not None and entry[0] <= self._clock():
            del self._entries[key]
            return None
        return entry

    def _purge_if_full(self) -> None:
        if len(self._entries) < self._max_entries:
            return
        now = self._clock()
        for key in [key for key, (expires, _) in self._entries.items() if expires <= now]:
            del self._entries[key]
        while len(self._entries) >= self._max_entries:  # still full: drop the oldest insertions
            del self._entries[next(iter(self._entries))]

    async def set_if_absent(self, key: str, value: Any, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def set(self, key: str, value: Any, ttl: float) -> None:
        self._purge_if_full()
        self._entries[key] = (self._clock() + ttl, value)

    async def get(self, key: str) -> Any:
        entry = self._live(key)
        return None if entry is None else entry[1]

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)


class RedisStore:
    """The same contract on Redis (values JSON-encoded; SET NX EX makes claims atomic)."""

    def __init__(self, url: str, prefix: str = "wyc:wechat:") -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.Redis.from_url(url)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def set_if_absent(self, key: str, value: Any, ttl: float) -> bool:
        return bool(await self._redis.set(self._key(key), json.dumps(value), nx=True, px=int(ttl * 1000)))

    async def set(self, key: str, value: Any, ttl: float) -> None:
        await self._redis.set(self._key(key), json.dumps(value), px=int(ttl * 1000))

    async def get(self, key: str) -> Any:
        raw = await self._redis.get(self._key(key))
        return None if raw is None else json.loads(raw)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._key(key))

    async def close(self) -> None:
        await self._redis.aclose()


def make_store(redis_url: Optional[str]) -> KeyValueStore:
    return RedisStore(redis_url) if redis_url else MemoryStore()


class MessageClaims:
    """Who answers a WeChat message: the first request to claim its key computes the answer,
    and exactly one delivery (passive reply or customer-service message) is ever claimed."""

    def __init__(self, store: KeyValueStore, ttl: float = MESSAGE_TTL_SECONDS) -> None:
        self._store = store
        self._ttl = ttl

    async def claim_message(self, key: str) -> bool:
        return await self._store.set_if_absent(f"msg:{key}", 1, self._ttl)

    async def claim_delivery(self, key: str) -> bool:
        return await self._store.set_if_absent(f"delivered:{key}", 1, self._ttl)


class ConversationMemory:
    """What the WeChat channel remembers per OpenID between messages."""

    def __init__(self, store: KeyValueStore, ttl: float = MEMORY_TTL_SECONDS) -> None:
        self._store = store
        self._ttl = ttl

    async def save_options(self, openid: str, options: list[str]) -> None:
        if options:
            await self._store.set(f"options:{openid}", options, self._ttl)
        else:
            # A reply without options makes old numbers meaningless: 「1」 must not pick a stale one.
            await self._store.delete(f"options:{openid}")

    async def options(self, openid: str) -> list[str]:
        return list(await self._store.get(f"options:{openid}") or [])

    async def save_target(self, openid: str, code: str) -> None:
        await self._store.set(f"target:{openid}", code, self._ttl)

    async def target(self, openid: str) -> Optional[str]:
        return await self._store.get(f"target:{openid}")

    async def first_town_request(self, openid: str) -> bool:
        """True only the first time we ask this citizen for their town instead of a location."""
        return await self._store.set_if_absent(f"asked-town:{openid}", 1, 24 * 3600)
