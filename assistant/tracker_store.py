"""The embedded default tracker store: Rasa's SQLTrackerStore on a SQLite file, in WAL mode.

Rasa opens the file with SQLite's defaults (rollback journal, ``synchronous=FULL``) and a new
connection per operation: every turn's commit syncs the journal and the database file to disk,
several times, and each retrieve and save connects anew. Here the connections are pooled. In WAL mode with
``synchronous=NORMAL`` a commit appends to the write-ahead log and syncs only at checkpoints. A
crash of `rasa run` loses nothing that was committed; a power cut can lose the last turns of
conversations (the citizen asks again), never corrupt the file. The schema, the rows and Rasa's
queries are exactly SQLTrackerStore's, so the file stays readable by any Rasa tool. Production
uses PostgreSQL with Rasa's own SQLTrackerStore (assistant/endpoints.production.yml).

``assistant/endpoints.yml``::

    tracker_store:
      type: assistant.tracker_store.LocalSQLTrackerStore
      db: var/rasa_tracker.db
"""
from __future__ import annotations

from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


class LocalSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore fixed to a SQLite file in WAL mode (see the module docstring)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)
        super().__init__(domain=domain, dialect="sqlite", host=host, db=db, event_broker=event_broker, **kwargs)
        # SQLAlchemy 1.4 opens a SQLite file with NullPool: a new connection for every retrieve and
        # save (py-spy: ~9% of a turn in connect/close). A pool keeps them; each connection is
        # used by one thread at a time, so SQLite's same-thread check can be off.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=8,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _on_connect)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        with self.engine.connect() as connection:
            # Persistent in the file: set once, every later connection reads it.
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
