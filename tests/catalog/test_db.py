"""catalog/db.py: SQLite engines (WAL, a busy timeout, our own BEGIN)."""
import pytest
from sqlalchemy.exc import OperationalError

from catalog.db import SQLITE_BEGIN_IMMEDIATE, make_engine


def _short_wait(connection) -> None:
    connection.exec_driver_sql("PRAGMA busy_timeout=100")
    connection.commit()


def test_a_transaction_that_reads_then_writes_begins_immediate_instead_of_failing(tmp_path):
    """Under WAL, a transaction that read before another connection wrote cannot write any more
    ("database is locked" at once, whatever the busy timeout): the service desk's transactions read
    a conversation, then write it. With SQLITE_BEGIN_IMMEDIATE they take the write lock when they
    begin, and the other writer waits for them instead."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine, other = make_engine(url), make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE requests (phone TEXT)")

    with engine.connect() as deferred, other.connect() as writer:
        _short_wait(writer)
        deferred.exec_driver_sql("SELECT count(*) FROM requests").all()
        writer.exec_driver_sql("INSERT INTO requests VALUES ('0826-1234567')")
        writer.commit()
        with pytest.raises(OperationalError, match="locked"):
            deferred.exec_driver_sql("INSERT INTO requests VALUES ('13812345678')")

    immediate_engine = engine.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True})
    with immediate_engine.connect() as immediate, other.connect() as writer:
        _short_wait(writer)
        immediate.exec_driver_sql("SELECT count(*) FROM requests").all()
        with pytest.raises(OperationalError, match="locked"):  # the other writer waits its 100 ms
            writer.exec_driver_sql("INSERT INTO requests VALUES ('0826-7654321')")
        writer.rollback()
        immediate.exec_driver_sql("INSERT INTO requests VALUES ('13812345678')")
        immediate.commit()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM requests").scalar() == 2
