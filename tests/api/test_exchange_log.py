"""api/exchange_log.py: turns are stored redacted, by a writer thread, in batches; nothing is lost
on a normal shutdown, and a broken database costs the log, never the chat."""
from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import event

from api import exchange_log as module
from api.exchange_log import ExchangeLog, ExchangeRecord
from catalog.db import make_engine


@pytest.fixture
def log(tmp_path):
    log = ExchangeLog(make_engine(f"sqlite:///{tmp_path / 'log.db'}"))
    log.create_table()
    yield log
    log.close()


def _turn(number: int, **fields) -> ExchangeRecord:
    return ExchangeRecord(sender_id=f"web-{number}", channel="web", user_text=f"第{number}问", **fields)


def _inserts(log: ExchangeLog) -> list[int]:
    """Rows per INSERT statement the log's engine runs."""
    seen: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT"):
            seen.append(len(parameters) if executemany else 1)

    event.listen(log.engine, "before_cursor_execute", count)
    return seen


def test_queued_turns_are_stored_redacted_in_batches(log):
    inserts = _inserts(log)
    for number in range(450):
        log.record_later(_turn(number))
    log.record_later(ExchangeRecord(sender_id="wx-13900001111", channel="wechat",
                                    user_text="身份证511602199001011234丢了", bot_texts=["您的电话 13812345678"]))
    rows = log.recent(limit=1000)  # waits for the queue
    assert len(rows) == 451
    assert sum(inserts) == 451 and len(inserts) <= 451 // module.BATCH_SIZE + 3  # a few statements, not 451
    newest = rows[0]
    assert (newest.sender_id, newest.user_text, newest.bot_texts) == ("wx-[手机号]", "身份证[身份证号]丢了", ["您的电话 [手机号]"])
    assert newest.redacted and not rows[1].redacted
    assert [row.user_text for row in rows[-3:]] == ["第2问", "第1问", "第0问"]  # kept in order


def test_the_turn_keeps_the_time_it_was_answered_not_the_time_it_was_stored(log):
    turn = _turn(1)
    log.record_later(turn)
    (row,) = log.recent()
    assert row.created_at.replace(tzinfo=None) == turn.answered_at.replace(tzinfo=None)


def test_record_later_does_not_wait_for_the_database(log):
    entered, release = threading.Event(), threading.Event()

    def slow(*_args):
        if not entered.is_set():
            entered.set()
            release.wait(5)

    event.listen(log.engine, "before_cursor_execute", slow)
    log.record_later(_turn(1))
    assert entered.wait(5)  # the writer is stuck in the database ...
    for number in range(2, 50):
        log.record_later(_turn(number))  # ... and the chat path goes on
    release.set()
    assert len(log.recent(limit=100)) == 49


def test_close_stores_what_is_queued_and_stops_the_writer(log):
    for number in range(5):
        log.record_later(_turn(number))
    thread = log._writer._thread
    log.close()
    assert not thread.is_alive()
    assert len(log.recent()) == 5
    log.record_later(_turn(6))  # after a close (a test app reused), a new writer takes over
    assert len(log.recent()) == 6


def test_a_failed_batch_is_logged_and_the_writer_goes_on(log, caplog):
    with log.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE exchanges RENAME TO exchanges_away")
    with caplog.at_level(logging.ERROR, logger="api.exchange_log"):
        log.record_later(_turn(1))
        log.flush()
    assert "could not record 1 exchange(s)" in caplog.text
    with log.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE exchanges_away RENAME TO exchanges")
    log.record_later(_turn(2))
    assert [row.user_text for row in log.recent()] == ["第2问"]


def test_a_full_queue_drops_the_turn_and_says_so(log, monkeypatch, caplog):
    monkeypatch.setattr(log._writer, "_ensure_thread", lambda: None)  # nobody drains the queue
    log._writer._queue.maxsize = 2
    with caplog.at_level(logging.ERROR, logger="api.exchange_log"):
        for number in range(3):
            log.record_later(_turn(number))
    assert log.dropped == 1 and "queue full" in caplog.text
