"""The takeover on PostgreSQL as two app workers share it: two Desk objects, each with its own engine
(its own connection pool), on one database. Of concurrent claims exactly one wins; messages written
at once from both get every number once, in order."""
from __future__ import annotations

import threading

import pytest

from api.takeover import Desk, DeskError, WorkingHours
from tests.postgres import scratch_schema

pytestmark = pytest.mark.postgres

ALL_DAY = WorkingHours.parse("00:00-24:00", "1-7", "Asia/Shanghai")


@pytest.fixture
def two_workers():
    with scratch_schema("test_desk") as engine:
        desks = [Desk(engine(pool_size=8), ALL_DAY, 30, 300) for _ in range(2)]
        desks[0].create_tables()
        yield desks


def run_together(calls) -> list:
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except DeskError as error:
            results[index] = error.status

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_claims_at_once_on_two_workers_exactly_one_wins(two_workers):
    first, second = two_workers
    first.heartbeat("agent-a", "小李")
    second.heartbeat("agent-b", "小王")
    for round_ in range(5):
        sender = f"web-race-{round_}"
        assert first.hand_off(sender, "web", "request_human", "转人工") == "queued"
        outcomes = run_together([lambda: first.claim(sender, "agent-a", "小李"),
                                 lambda: second.claim(sender, "agent-b", "小王")])
        assert sorted(o if isinstance(o, int) else 200 for o in outcomes) == [200, 409]
        owner = second.conversation(sender).agent_id
        winner = "agent-a" if isinstance(outcomes[0], dict) else "agent-b"
        assert owner == winner


def test_messages_from_both_workers_are_numbered_once_each_in_order(two_workers):
    first, second = two_workers
    first.heartbeat("agent-a", "小李")
    first.hand_off("web-busy", "web", "request_human", "转人工")
    first.claim("web-busy", "agent-a", "小李")
    calls = []
    for n in range(10):
        calls.append(lambda n=n: first.citizen_message("web-busy", f"市民{n}"))
        calls.append(lambda n=n: second.agent_message("web-busy", "agent-a", text=f"坐席{n}"))
    run_together(calls)
    messages = second.messages_after("web-busy", 0)
    assert [m["id"] for m in messages] == list(range(1, len(messages) + 1))
    assert len(messages) == 2 + 20  # queued, claimed, then every message once
    assert sorted(m["text"] for m in messages if m["author"] != "system") == sorted(
        [f"市民{n}" for n in range(10)] + [f"坐席{n}" for n in range(10)])
