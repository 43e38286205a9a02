"""De-duplication store (memory and Redis) and the reply coordinator's 5-second rule."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from api.wechat.delivery import Answer, ReplyCoordinator
from api.wechat.store import ConversationMemory, MemoryStore, MessageClaims, RedisStore

REDIS_URL = "redis://127.0.0.1:6379/0"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_store_claims_once_until_expiry():
    clock = FakeClock()
    store = MemoryStore(clock=clock)

    async def scenario():
        assert await store.set_if_absent("k", 1, ttl=10)
        assert not await store.set_if_absent("k", 2, ttl=10)
        assert await store.get("k") == 1
        clock.now += 10.5
        assert await store.get("k") is None
        assert await store.set_if_absent("k", 3, ttl=10)

    asyncio.run(scenario())


def test_memory_store_stays_bounded():
    store = MemoryStore(max_entries=5)

    async def scenario():
        for index in range(50):
            await store.set(f"k{index}", index, ttl=60)
        assert len(store._entries) <= 5
        assert await store.get("k49") == 49

    asyncio.run(scenario())


async def _claims_and_memory_contract(store) -> None:
    claims = MessageClaims(store, ttl=30)
    memory = ConversationMemory(store, ttl=30)
    msg = uuid.uuid4().hex
    assert await claims.claim_message(msg)
    assert not await claims.claim_message(msg)
    assert await claims.claim_delivery(msg)
    assert not await claims.claim_delivery(msg)
    openid = "o" + uuid.uuid4().hex
    await memory.save_options(openid, ["门头要装修", "门头不装修"])
    assert await memory.options(openid) == ["门头要装修", "门头不装修"]
    await memory.save_options(openid, [])
    assert await memory.options(openid) == []
    await memory.save_target(openid, "open-restaurant")
    assert await memory.target(openid) == "open-restaurant"
    assert await memory.first_town_request(openid)
    assert not await memory.first_town_request(openid)


def test_memory_store_contract():
    asyncio.run(_claims_and_memory_contract(MemoryStore()))


@pytest.mark.redis
def test_redis_store_contract():
    async def scenario():
        store = RedisStore(REDIS_URL, prefix=f"wyc:test:{uuid.uuid4().hex}:")
        try:
            await _claims_and_memory_contract(store)
            await store.set("short", 1, ttl=0.2)
            await asyncio.sleep(0.4)
            assert await store.get("short") is None
        finally:
            await store.close()

    asyncio.run(scenario())


@pytest.mark.redis
def test_two_workers_sharing_redis_answer_a_message_once():
    """Two coordinators (two API workers) on one Redis: only one computes and answers."""
    prefix = f"wyc:test:{uuid.uuid4().hex}:"
    computed: list[str] = []

    async def compute() -> Answer:
        computed.append("x")
        await asyncio.sleep(0.05)
        return Answer(text="答复")

    async def scenario():
        stores = [RedisStore(REDIS_URL, prefix=prefix), RedisStore(REDIS_URL, prefix=prefix)]
        workers = [ReplyCoordinator(MessageClaims(store), sender=None, reply_timeout=1.0) for store in stores]
        try:
            return await asyncio.gather(*(worker.reply("m1", "o1", compute) for worker in workers))
        finally:
            for store in stores:
                await store.close()

    answers = asyncio.run(scenario())
    assert computed == ["x"]
    assert sorted(answer is None for answer in answers) == [False, True]


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_text(self, openid: str, text: str) -> None:
        self.sent.append((openid, text))


def test_late_answer_is_delivered_once_and_retries_get_success():
    sender = RecordingSender()
    coordinator = ReplyCoordinator(MessageClaims(MemoryStore()), sender, reply_timeout=0.05)
    calls: list[int] = []

    async def slow() -> Answer:
        calls.append(1)
        await asyncio.sleep(0.2)
        return Answer(text="迟到的答复")

    async def scenario():
        first = await coordinator.reply("m1", "o1", slow)
        retry_while_computing = await coordinator.reply("m1", "o1", slow)
        await coordinator.wait_idle()
        retry_after_delivery = await coordinator.reply("m1", "o1", slow)
        return first, retry_while_computing, retry_after_delivery

    assert asyncio.run(scenario()) == (None, None, None)
    assert calls == [1]
    assert sender.sent == [("o1", "迟到的答复")]


def test_the_latest_waiting_copy_gets_the_passive_answer():
    """WeChat abandons a connection before retrying: the newest copy must carry the answer."""
    coordinator = ReplyCoordinator(MessageClaims(MemoryStore()), RecordingSender(), reply_timeout=1.0)

    async def compute() -> Answer:
        await asyncio.sleep(0.1)
        return Answer(text="答复")

    async def scenario():
        first = asyncio.ensure_future(coordinator.reply("m1", "o1", compute))
        await asyncio.sleep(0.02)
        second = asyncio.ensure_future(coordinator.reply("m1", "o1", compute))
        return await first, await second

    first, second = asyncio.run(scenario())
    assert first is None and second == Answer(text="答复")


def test_failed_computation_becomes_an_apology_not_an_exception():
    coordinator = ReplyCoordinator(MessageClaims(MemoryStore()), RecordingSender(), reply_timeout=1.0)

    async def broken() -> Answer:
        raise ValueError("boom")

    answer = asyncio.run(coordinator.reply("m1", "o1", broken))
    assert answer is not None and "12345" in answer.text


def test_customer_service_failure_is_logged_not_raised(caplog):
    class RefusingSender:
        def send_text(self, openid, text):
            raise RuntimeError("45015 response out of time limit")

    coordinator = ReplyCoordinator(MessageClaims(MemoryStore()), RefusingSender(), reply_timeout=0.01)

    async def slow() -> Answer:
        await asyncio.sleep(0.05)
        return Answer(text="答复")

    async def scenario():
        assert await coordinator.reply("m1", "o1", slow) is None
        await coordinator.wait_idle()

    asyncio.run(scenario())
    assert "customer-service delivery failed" in caplog.text
