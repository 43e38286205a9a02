"""assistant/lock_store.py against the local Redis: two store objects play two Rasa replicas."""
from __future__ import annotations

import asyncio
import secrets
import threading
from pathlib import Path

import pytest
import redis

from assistant.lock_store import LeasedRedisLockStore

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0}


def _redis_up() -> bool:
    try:
        return bool(redis.StrictRedis(socket_timeout=2, **REDIS).ping())
    except redis.RedisError:
        return False


if not _redis_up():  # pragma: no cover - the machine's Redis is started before every session
    pytest.skip("needs the local Redis at 127.0.0.1:6379", allow_module_level=True)


@pytest.fixture
def prefix():
    prefix = "wyctest" + secrets.token_hex(4)
    yield prefix
    client = redis.StrictRedis(**REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def replica(prefix: str) -> LeasedRedisLockStore:
    return LeasedRedisLockStore(key_prefix=prefix, poll_seconds=0.02, **REDIS)


async def turn(store, conversation, name, log, hold=0.0, lifetime=1.0):
    async with store.lock(conversation, lock_lifetime=lifetime):
        log.append(("enter", name))
        await asyncio.sleep(hold)
        log.append(("exit", name))


def assert_serial(log):
    """Each turn enters and exits before the next enters."""
    assert [kind for kind, _ in log] == ["enter", "exit"] * (len(log) // 2), log
    names = [name for _, name in log]
    assert names[0::2] == names[1::2], log


def test_a_waiting_turn_outlives_a_dead_holder_and_keeps_its_place(prefix):
    """The production failure: replica A dies holding the conversation; the re-sent turn waits on
    replica B longer than a ticket's lifetime, and the citizen's next message must not overtake it."""
    dead, live = replica(prefix), replica(prefix)
    log: list = []

    async def scenario():
        dead.issue_ticket("c1", lock_lifetime=1.0)  # issued, never renewed: its process is gone
        await asyncio.sleep(0.05)
        resent = asyncio.create_task(turn(live, "c1", "resent question", log, lifetime=1.0))
        await asyncio.sleep(0.5)
        following = asyncio.create_task(turn(live, "c1", "next message", log, lifetime=1.0))
        await asyncio.wait_for(asyncio.gather(resent, following), timeout=10)

    asyncio.run(scenario())
    assert_serial(log)
    assert [name for kind, name in log if kind == "enter"] == ["resent question", "next message"]


def test_a_live_holder_keeps_the_lock_past_its_lifetime(prefix):
    first, second = replica(prefix), replica(prefix)
    log: list = []

    async def scenario():
        slow = asyncio.create_task(turn(first, "c2", "slow turn", log, hold=2.5, lifetime=1.0))
        await asyncio.sleep(0.1)
        waiting = asyncio.create_task(turn(second, "c2", "waiting turn", log, lifetime=1.0))
        await asyncio.wait_for(asyncio.gather(slow, waiting), timeout=15)

    asyncio.run(scenario())
    assert log == [("enter", "slow turn"), ("exit", "slow turn"), ("enter", "waiting turn"), ("exit", "waiting turn")]


def test_turns_from_two_replicas_run_one_at_a_time_in_arrival_order(prefix):
    stores = [replica(prefix), replica(prefix)]
    log: list = []

    async def scenario():
        tasks = []
        for number in range(10):
            tasks.append(asyncio.create_task(turn(stores[number % 2], "c3", number, log, hold=0.02, lifetime=5)))
            await asyncio.sleep(0.005)
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=20)

    asyncio.run(scenario())
    assert_serial(log)
    assert [name for kind, name in log if kind == "enter"] == list(range(10))


def test_tickets_issued_at_once_by_many_replicas_are_all_different(prefix):
    numbers: list[int] = []
    guard = threading.Lock()

    def issue_many():
        store = replica(prefix)
        mine = [store.issue_ticket("c4", lock_lifetime=30) for _ in range(25)]
        with guard:
            numbers.extend(mine)

    threads = [threading.Thread(target=issue_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(numbers) == 200 and len(set(numbers)) == 200


def test_the_queue_is_removed_when_the_last_turn_leaves_and_expires_if_abandoned(prefix):
    store = replica(prefix)
    client = redis.StrictRedis(**REDIS)
    asyncio.run(turn(store, "c5", "only", [], lifetime=5))
    assert client.get(store.key_prefix + "c5") is None

    store.issue_ticket("c6", lock_lifetime=5)  # a process that died right after queueing
    ttl_ms = client.pttl(store.key_prefix + "c6")
    assert 0 < ttl_ms <= 5000


def test_a_lapsed_own_ticket_queues_again_instead_of_running_unlocked(prefix, caplog):
    """If this process stalled past its own lease, it must not run beside the current holder."""
    holder, stalled = replica(prefix), replica(prefix)
    log: list = []

    async def scenario():
        running = asyncio.create_task(turn(holder, "c7", "holder", log, hold=0.6, lifetime=5))
        await asyncio.sleep(0.05)
        lost = stalled.issue_ticket("c7", lock_lifetime=5)
        stalled.finish_serving("c7", lost)  # as if its lease had lapsed
        state = {"ticket": lost}
        acquired = await asyncio.wait_for(stalled._acquire("c7", state, 5), timeout=10)
        log.append(("enter", "stalled"))
        log.append(("exit", "stalled"))
        stalled.cleanup("c7", state["ticket"])
        assert acquired is not None
        await running

    asyncio.run(scenario())
    assert_serial(log)
    assert [name for kind, name in log if kind == "enter"] == ["holder", "stalled"]
    assert "lapsed while waiting; queueing again" in caplog.text


def test_rasa_builds_it_from_the_production_endpoints_file(prefix, monkeypatch):
    from rasa.core.lock_store import LockStore
    from rasa.core.utils import AvailableEndpoints

    for name, value in {
        "WYC_ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook", "WYC_ACTION_TOKEN": "t" * 32,
        "WYC_TRACKER_DB_HOST": "127.0.0.1", "WYC_TRACKER_DB_PORT": "5432", "WYC_TRACKER_DB_NAME": "x",
        "WYC_TRACKER_DB_USER": "x", "WYC_TRACKER_DB_PASSWORD": "",
        "WYC_REDIS_HOST": "127.0.0.1", "WYC_REDIS_PORT": "6379", "WYC_REDIS_PASSWORD": "",
        "WYC_REDIS_LOCK_DB": "0", "WYC_REDIS_LOCK_PREFIX": prefix,
    }.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "assistant" / "endpoints.production.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, LeasedRedisLockStore)
    assert store.key_prefix.startswith(prefix + ":")
    asyncio.run(turn(store, "c8", "via endpoints", [], lifetime=5))
