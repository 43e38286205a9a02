"""A takeover message reaches an open event stream when it is stored, not at the next poll: in one
worker (in-process notice) and across two workers (Redis); a lost notice only delays it (the poll).
The streams here poll once a minute, so a message that arrives within seconds was pushed."""
from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid

import pytest
from starlette.concurrency import run_in_threadpool

from api.desk_notify import DeskNotifier
from api.routes.takeover import _event_stream
from api.takeover import Desk, DeskError, WorkingHours
from catalog.db import make_engine
from tests.api.conftest import redis_up

ALL_DAY = WorkingHours.parse("00:00-24:00", "1-7", "Asia/Shanghai")
REDIS_URL = "redis://127.0.0.1:6379/0"
NEVER = 60.0  # the fallback poll of the streams that must be woken by a notice
PUSHED = 3.0  # a pushed message arrives well within this (the fallback would take NEVER)


class Connected:
    """The stream's request: the browser stays."""

    async def is_disconnected(self) -> bool:
        return False


def make_desk(path, notifier: DeskNotifier) -> Desk:
    desk = Desk(make_engine(f"sqlite:///{path}"), ALL_DAY, 30, 300, notify=notifier.stored)
    desk.create_tables()
    return desk


def claimed(desk: Desk, sender: str) -> None:
    desk.heartbeat("agent-1", "小李")
    assert desk.hand_off(sender, "web", "request_human", "问个事") == "queued"
    desk.claim(sender, "agent-1", "小李")


async def read_event(stream) -> dict:
    while True:
        chunk = await stream.__anext__()
        if "data: " in chunk:
            return json.loads(chunk.split("data: ", 1)[1])


async def pushed_within(stream, send, seconds: float) -> tuple[dict, float]:
    """Run ``send`` in a thread (as a route does) and time the stream's next event."""
    started = time.monotonic()
    await run_in_threadpool(send)
    event = await asyncio.wait_for(read_event(stream), timeout=seconds)
    return event, time.monotonic() - started


def test_a_stored_message_wakes_this_workers_stream_at_once(tmp_path):
    notifier = DeskNotifier()
    desk = make_desk(tmp_path / "desk.db", notifier)
    sender = "web-push-1"
    claimed(desk, sender)

    async def scenario():
        stream = _event_stream(desk, notifier, Connected(), sender, 2, NEVER, 120)
        assert (await stream.__anext__()).startswith("retry:")
        event, took = await pushed_within(stream, lambda: desk.agent_message(sender, "agent-1", text="您好"), PUSHED)
        assert event["text"] == "您好" and event["id"] == 3 and took < PUSHED
        event, _ = await pushed_within(stream, lambda: desk.release(sender, "agent-1"), PUSHED)
        assert event["payload"]["state"] == "bot"
        await stream.aclose()

    asyncio.run(scenario())


def test_only_committed_messages_are_announced(tmp_path):
    told: list[str] = []
    desk = Desk(make_engine(f"sqlite:///{tmp_path / 'desk.db'}"), ALL_DAY, 30, 300, notify=told.append)
    desk.create_tables()
    claimed(desk, "web-a")
    assert told == ["web-a", "web-a"]  # queued, claimed
    told.clear()
    desk.agent_message("web-a", "agent-1", text="在")
    assert desk.citizen_message("web-b", "没转人工") is None  # the bot answers it: nothing stored
    with pytest.raises(DeskError):
        desk.agent_message("web-a", "agent-other", text="不是我的")
    assert told == ["web-a"]


def test_a_stream_of_another_conversation_is_not_woken(tmp_path):
    notifier = DeskNotifier()
    desk = make_desk(tmp_path / "desk.db", notifier)
    claimed(desk, "web-x")

    async def scenario():
        with notifier.listen("web-y") as other, notifier.listen("web-x") as mine:
            await run_in_threadpool(lambda: desk.agent_message("web-x", "agent-1", text="您好"))
            assert await mine.wait(PUSHED)
            assert not await other.wait(0.3)

    asyncio.run(scenario())


@pytest.mark.redis
@pytest.mark.skipif(not redis_up(), reason="Redis not reachable on 127.0.0.1:6379")
def test_a_message_stored_by_one_worker_reaches_the_stream_of_the_other_through_redis(tmp_path):
    """Two workers: each its own Desk (engine) and notifier, one database, one Redis channel. The
    stream is held by the second; the agent writes through the first."""
    channel = f"wyc:test:desk:{uuid.uuid4().hex[:8]}"
    first, second = DeskNotifier(REDIS_URL, channel), DeskNotifier(REDIS_URL, channel)
    writer = make_desk(tmp_path / "desk.db", first)
    reader = make_desk(tmp_path / "desk.db", second)
    sender = "web-push-2"
    claimed(writer, sender)

    async def scenario():
        follower = second.start()
        try:
            stream = _event_stream(reader, second, Connected(), sender, 2, NEVER, 120)
            assert (await stream.__anext__()).startswith("retry:")
            await asyncio.sleep(0.3)  # the subscription is up before the first notice
            for n in range(3):
                event, took = await pushed_within(
                    stream, lambda: writer.agent_message(sender, "agent-1", text=f"回复{n}"), PUSHED)
                assert (event["text"], event["id"]) == (f"回复{n}", 3 + n) and took < PUSHED
            await stream.aclose()
        finally:
            follower.cancel()
            first.close()

    asyncio.run(scenario())


def test_a_lost_notice_only_delays_the_message_until_the_poll(tmp_path):
    """The writer's notices never reach the reader (another worker, no Redis): the reader's poll
    still delivers the message, once, in order."""
    writer = make_desk(tmp_path / "desk.db", DeskNotifier())
    reader_notifier = DeskNotifier()
    reader = make_desk(tmp_path / "desk.db", reader_notifier)
    sender = "web-lost"
    claimed(writer, sender)

    async def scenario():
        stream = _event_stream(reader, reader_notifier, Connected(), sender, 2, 0.5, 120)
        assert (await stream.__anext__()).startswith("retry:")
        for n in range(2):
            await run_in_threadpool(lambda: writer.agent_message(sender, "agent-1", text=f"回复{n}"))
        got = [await asyncio.wait_for(read_event(stream), 3) for _ in range(2)]
        assert [(e["id"], e["text"]) for e in got] == [(3, "回复0"), (4, "回复1")]
        await stream.aclose()

    asyncio.run(scenario())


def test_a_notice_from_a_thread_after_the_loop_closed_is_harmless():
    notifier = DeskNotifier()

    async def listen_and_leave():
        with notifier.listen("web-gone"):
            pass

    asyncio.run(listen_and_leave())
    thread = threading.Thread(target=notifier.stored, args=("web-gone",))
    thread.start()
    thread.join()
