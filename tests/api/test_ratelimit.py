"""Per-sender rate limit: the limiter itself (memory and Redis) and its effect on /api/chat and WeChat."""
from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from api.gateway import ChatGateway, RateLimited
from api.ratelimit import (
    RATE_LIMITED_MESSAGE,
    MemoryRateLimiter,
    NoRateLimit,
    RedisRateLimiter,
    make_rate_limiter,
)
from tests.api.conftest import redis_up


class FakeClock:
    def __init__(self, now: float = 1_000_020.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def hits(limiter, sender: str, count: int) -> list[bool]:
    async def run():
        return [(await limiter.hit(sender)).allowed for _ in range(count)]

    return asyncio.run(run())


def test_memory_limiter_allows_the_limit_then_refuses_with_retry_after():
    clock = FakeClock(60 * 1000 + 20)  # 20 s into a window
    limiter = MemoryRateLimiter(3, clock=clock)
    assert hits(limiter, "a", 5) == [True, True, True, False, False]
    verdict = asyncio.run(limiter.hit("a"))
    assert not verdict.allowed and verdict.retry_after_seconds == 40


def test_memory_limiter_counts_each_sender_alone_and_resets_each_minute():
    clock = FakeClock(60 * 1000)
    limiter = MemoryRateLimiter(2, clock=clock)
    assert hits(limiter, "a", 3) == [True, True, False]
    assert hits(limiter, "b", 2) == [True, True]
    clock.now += 60
    assert hits(limiter, "a", 2) == [True, True]


def test_zero_disables_the_limit():
    limiter = make_rate_limiter(0, None)
    assert isinstance(limiter, NoRateLimit)
    assert all(hits(limiter, "a", 100))


@pytest.mark.redis
@pytest.mark.skipif(not redis_up(), reason="Redis not reachable on 127.0.0.1:6379")
def test_redis_limiter_is_shared_between_limiter_instances():
    """Two workers = two limiter objects on one Redis: they count the same window."""
    prefix = f"wyc:test-ratelimit:{uuid.uuid4().hex}:"
    clock = FakeClock(60 * 2000 + 1)

    async def run():
        first = RedisRateLimiter("redis://127.0.0.1:6379/0", 3, prefix=prefix, clock=clock)
        second = RedisRateLimiter("redis://127.0.0.1:6379/0", 3, prefix=prefix, clock=clock)
        try:
            verdicts = [await first.hit("s"), await second.hit("s"), await first.hit("s"), await second.hit("s")]
            other = await second.hit("t")
            ttl = await first._redis.pttl(f"{prefix}s:{2000}")
        finally:
            await first._redis.delete(f"{prefix}s:{2000}", f"{prefix}t:{2000}")
            await first.aclose()
            await second.aclose()
        return verdicts, other, ttl

    verdicts, other, ttl = asyncio.run(run())
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert other.allowed
    assert 0 < ttl <= 61_000  # keys expire with their window: Redis stays bounded


def test_redis_limiter_lets_messages_through_when_redis_is_down():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{port}/0", 1)

    async def run():
        try:
            return [await limiter.hit("s") for _ in range(3)]
        finally:
            await limiter.aclose()

    assert all(v.allowed for v in asyncio.run(run()))


def test_chat_answers_429_with_a_bilingual_message_past_the_limit(make_client, fake_rasa):
    client = make_client(fake_rasa, rate_limit_per_minute=2)
    statuses = [client.post("/api/chat", json={"sender_id": "busy", "message": "身份证"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.post("/api/chat", json={"sender_id": "busy", "message": "身份证"})
    assert refused.status_code == 429
    assert refused.json()["detail"] == RATE_LIMITED_MESSAGE
    assert "请稍等" in RATE_LIMITED_MESSAGE and "Too many messages" in RATE_LIMITED_MESSAGE
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # The refused turns never reached Rasa; another citizen is not affected.
    assert len(fake_rasa.received) == 2
    assert client.post("/api/chat", json={"sender_id": "calm", "message": "身份证"}).status_code == 200


def test_gateway_limits_wechat_but_not_the_agent_console(make_settings, fake_rasa):
    import httpx

    from api.rasa_client import RasaClient

    settings = make_settings()
    rasa = RasaClient("http://rasa.test", 2.0, transport=httpx.MockTransport(fake_rasa))
    gateway = ChatGateway(settings, rasa, None, MemoryRateLimiter(1))

    async def run():
        await gateway.handle_message("wx:o1", "身份证", "wechat")
        with pytest.raises(RateLimited) as refused:
            await gateway.handle_message("wx:o1", "身份证", "wechat")
        for _ in range(3):
            await gateway.handle_message("agent-1", "身份证", "agent")
        await rasa.aclose()
        return refused.value

    refused = asyncio.run(run())
    assert refused.status_code == 429 and refused.detail == RATE_LIMITED_MESSAGE
    assert len(fake_rasa.received) == 4


def test_one_address_rotating_sender_ids_is_limited_but_loopback_is_not(make_settings, fake_rasa):
    import httpx

    from api.rasa_client import RasaClient

    rasa = RasaClient("http://rasa.test", 2.0, transport=httpx.MockTransport(fake_rasa))
    gateway = ChatGateway(make_settings(), rasa, None, MemoryRateLimiter(5), MemoryRateLimiter(3))

    async def run():
        for number in range(3):
            await gateway.handle_message(f"rotating-{number}", "身份证", "web", client="203.0.113.9")
        with pytest.raises(RateLimited) as refused:
            await gateway.handle_message("rotating-3", "身份证", "web", client="203.0.113.9")
        await gateway.handle_message("other-address", "身份证", "web", client="198.51.100.7")
        for number in range(5):  # eval, bench and a proxy without X-Forwarded-For come from here
            await gateway.handle_message(f"local-{number}", "身份证", "web", client="127.0.0.1")
        await rasa.aclose()
        return refused.value

    refused = asyncio.run(run())
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_the_chat_route_counts_the_callers_address(make_client, fake_rasa):
    client = make_client(fake_rasa, rate_limit_per_minute=100, rate_limit_per_client_per_minute=2)
    statuses = [client.post("/api/chat", json={"sender_id": f"id-{n}", "message": "身份证"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]  # TestClient's address is "testclient", not loopback
