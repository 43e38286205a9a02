"""The takeover's states and timeouts (api/takeover.py) on a SQLite file, with a clock the test moves."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from api.desk_models import Episode
from api.takeover import Desk, DeskError, TurnState, WorkingHours
from catalog.db import make_engine

START = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)  # a Thursday, 10:00 in Beijing
ALL_DAY = WorkingHours.parse("00:00-24:00", "1-7", "Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def desk(tmp_path, clock) -> Desk:
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    desk = Desk(engine, ALL_DAY, heartbeat_seconds=30, claim_timeout_seconds=300, clock=clock)
    desk.create_tables()
    yield desk
    engine.dispose()


def states(desk: Desk, sender: str) -> list[str]:
    return [m["payload"]["state"] for m in desk.messages_after(sender, 0) if m["kind"] == "state"]


def test_no_agent_online_records_the_handoff_and_queues_nothing(desk):
    assert desk.hand_off("web-1", "web", "not_found", "问个事") == "unavailable"
    assert not desk.taken_over("web-1")
    with desk.session() as session:
        assert [e.outcome for e in session.query(Episode)] == ["unavailable"]


def test_the_turn_state_is_the_rows_state_and_last_answer_and_none_for_an_unknown_sender(desk):
    assert desk.turn_state("web-unknown") is None
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-1", "web", "request_human", "转人工")
    assert desk.turn_state("web-1") == TurnState("queued", None)
    answer = {"subject": "guide", "item_code": "X1", "item_name": "某事项", "place": None}
    with desk.sessions.begin() as session:
        desk._row_for_update(session, "wx-1", "wechat").last_answer = answer
    assert desk.turn_state("wx-1") == TurnState("bot", answer)


def test_a_queued_chat_no_one_claims_goes_back_to_the_bot(desk, clock):
    desk.heartbeat("agent-a", "小李")
    assert desk.hand_off("web-1", "web", "request_human", "转人工") == "queued"
    clock.advance(299)
    assert desk.sweep() == 0 and desk.taken_over("web-1")
    desk.heartbeat("agent-a", "小李")
    clock.advance(2)
    assert desk.sweep() == 1
    assert not desk.taken_over("web-1")
    assert states(desk, "web-1") == ["queued", "bot"]
    assert "12345" in desk.messages_after("web-1", 0)[-1]["text"]


def test_a_silent_console_puts_its_chat_back_in_the_queue(desk, clock):
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-1", "web", "request_human", "转人工")
    desk.claim("web-1", "agent-a", "小李")
    clock.advance(25)
    assert desk.sweep() == 0
    clock.advance(10)  # 35 s without a heartbeat
    assert desk.sweep() == 1
    assert desk.conversation("web-1").state == "queued"
    assert states(desk, "web-1") == ["queued", "claimed", "queued"]
    with pytest.raises(DeskError) as gone:
        desk.agent_message("web-1", "agent-a", text="还在吗")
    assert gone.value.status == 409


def test_message_numbers_are_one_two_three_per_conversation(desk):
    desk.heartbeat("agent-a", "小李")
    for sender in ("web-1", "web-2"):
        desk.hand_off(sender, "web", "request_human", "转人工")
    desk.claim("web-1", "agent-a", "小李")
    desk.citizen_message("web-1", "你好")
    desk.agent_message("web-1", "agent-a", text="您好")
    assert [m["id"] for m in desk.messages_after("web-1", 0)] == [1, 2, 3, 4]
    assert [m["id"] for m in desk.messages_after("web-2", 0)] == [1]
    assert [m["author"] for m in desk.messages_after("web-1", 2)] == ["citizen", "agent"]


def test_a_citizen_message_to_the_bot_is_not_taken(desk):
    assert desk.citizen_message("web-1", "你好") is None
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-1", "web", "request_human", "转人工")
    desk.claim("web-1", "agent-a", "小李")
    desk.release("web-1", "agent-a")
    assert desk.citizen_message("web-1", "你好") is None


def test_a_second_handoff_while_queued_changes_nothing(desk):
    desk.heartbeat("agent-a", "小李")
    assert desk.hand_off("web-1", "web", "request_human", "转人工") == "queued"
    assert desk.hand_off("web-1", "web", "not_found", "又一句") == "already"
    assert desk.conversation("web-1").question == "转人工"
    with desk.session() as session:
        assert session.query(Episode).count() == 1


def test_the_episode_records_claim_first_reply_and_end(desk, clock):
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-1", "web", "request_human", "我的电话13812345678", [{"code": "X1", "name": "社保卡补领"}])
    clock.advance(20)
    desk.claim("web-1", "agent-a", "小李")
    clock.advance(10)
    desk.agent_message("web-1", "agent-a", text="您好")
    desk.agent_message("web-1", "agent-a", text="还有吗")
    desk.release("web-1", "agent-a")
    with desk.session() as session:
        episode = session.query(Episode).one()
    assert episode.outcome == "released" and episode.agent_name == "小李"
    assert episode.question == "我的电话[手机号]"
    assert episode.items_offered == [{"code": "X1", "name": "社保卡补领"}]
    started = episode.started_at.replace(tzinfo=timezone.utc)
    assert (episode.first_reply_at.replace(tzinfo=timezone.utc) - started) == timedelta(seconds=30)


@pytest.mark.parametrize(("moment", "open_"), [
    (datetime(2026, 12, 3, 9, 0), True),      # Thursday 09:00
    (datetime(2026, 12, 3, 17, 30), False),   # Thursday 17:30: closed
    (datetime(2026, 12, 5, 10, 0), False),    # Saturday
    (datetime(2026, 12, 3, 8, 29), False),
])
def test_working_hours(moment, open_):
    hours = WorkingHours.parse("08:30-17:30", "1-5", "Asia/Shanghai")
    assert hours.open_at(moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))) is open_
    assert hours.describe() == "工作日 08:30–17:30"


def test_outside_hours_the_desk_is_closed_whoever_is_online(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    night = WorkingHours.parse("20:00-21:00", "1-7", "Asia/Shanghai")
    desk = Desk(engine, night, 30, 300, clock=clock)
    desk.create_tables()
    desk.heartbeat("agent-a", "小李")
    availability = desk.availability()
    assert (availability.open, availability.reason) == (False, "hours")
    assert "20:00–21:00" in availability.text() and "12345" in availability.text()
    assert desk.hand_off("web-1", "web", "request_human", "转人工") == "unavailable"
    engine.dispose()


def test_retention_drops_old_messages_call_backs_and_idle_conversations(desk, clock):
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-old", "web", "request_human", "转人工")
    desk.leave_callback("web-old", "13812345678")
    desk.claim("web-old", "agent-a", "小李")
    desk.release("web-old", "agent-a")
    clock.advance(31 * 24 * 3600)
    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-new", "web", "request_human", "转人工")
    assert desk.purge_older_than(30) > 0
    assert desk.conversation("web-old") is None and desk.messages_after("web-old", 0) == []
    assert desk.callbacks() == []
    assert desk.conversation("web-new").state == "queued" and desk.messages_after("web-new", 0)
    with desk.session() as session:
        assert session.query(Episode).count() == 2  # kept for the figures: no sender id in them
    assert desk.purge_older_than(0) == 0


def test_a_callback_request_waits_for_a_write_in_progress_instead_of_failing(desk):
    """The desk's transactions read a conversation before they write it; on SQLite they begin
    IMMEDIATE (catalog/db.py), so a write committed in between cannot fail the request
    (otherwise "database is locked" at once, and the citizen's callback number is lost)."""
    import threading

    from sqlalchemy import text

    from catalog.db import SQLITE_BEGIN_IMMEDIATE

    assert desk.sessions.kw["bind"].get_execution_options()[SQLITE_BEGIN_IMMEDIATE]
    desk.hand_off("web-callback", "web", "request_human", "我要转人工")
    holding = desk.sessions.begin()
    session = holding.__enter__()
    session.execute(text("SELECT 1"))  # this transaction holds the write lock from its BEGIN
    numbers: list[int] = []
    writer = threading.Thread(target=lambda: numbers.append(desk.leave_callback("web-callback", "13812345678")))
    writer.start()
    writer.join(0.2)
    assert writer.is_alive(), "the request waits for the lock"
    holding.__exit__(None, None, None)
    writer.join(5)
    assert numbers and not writer.is_alive()


def test_the_check_before_each_turn_neither_waits_for_nor_holds_the_write_lock(desk):
    """``conversation`` (the gateway's question before every turn) and the other reads begin
    deferred: under WAL they answer while a writer holds the lock."""
    from sqlalchemy import text

    desk.heartbeat("agent-a", "小李")
    desk.hand_off("web-read", "web", "request_human", "我要转人工")
    queued = [view["sender_id"] for view in desk.queue()]
    with desk.sessions.begin() as writing:
        writing.execute(text("SELECT 1"))  # holds the write lock from its BEGIN IMMEDIATE
        assert desk.conversation("web-read").state == "queued"
        assert desk.taken_over("web-read")
        assert [view["sender_id"] for view in desk.queue()] == queued == ["web-read"]
