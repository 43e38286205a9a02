"""Rasa's SQLTrackerStore with the latest sessions in memory; the embedded default on SQLite.

``CachedSQLTrackerStore`` keeps the latest conversation session of recently active conversations in
memory (``cache_size`` conversations, least recently used first out). Rasa's store reads the whole
session from the database at the start of every turn and recreates every event from its JSON, and
at the end of the turn counts the stored events again to find the new ones: a quarter of Rasa's
CPU per turn (py-spy, docs/BENCHMARKS.md). The database stays the truth: every retrieve and save
first reads the sender's newest event id, an indexed lookup, and uses the memory only when that id
is the one this process wrote or read last. A turn written by any other process (another replica,
a second ``rasa run``, a Rasa tool) therefore makes the next read go to the database. New events
are written as one multi-row INSERT. Tables, rows and session rules are exactly SQLTrackerStore's,
so the database stays readable by any Rasa tool. Production uses it on PostgreSQL
(``assistant/endpoints.production.yml``); there Rasa's lock store serialises the turns of a
conversation across replicas, so no two processes write one sender's events at once.

``LocalSQLTrackerStore``, the embedded default, is that store on a SQLite file. Rasa opens the
file with SQLite's defaults (rollback journal, ``synchronous=FULL``) and a new connection per
operation: every turn's commit syncs the journal and the database file to disk, several times, and
each retrieve and save connects anew. Here the connections are pooled. In WAL mode with
``synchronous=NORMAL`` a commit appends to the write-ahead log and syncs only at checkpoints. A
crash of `rasa run` loses nothing that was committed; a power cut can lose the last turns of
conversations (the citizen asks again), never corrupt the file.

``assistant/endpoints.yml``::

    tracker_store:
      type: assistant.tracker_store.LocalSQLTrackerStore
      db: var/rasa_tracker.db
      cache_size: 1000

The Rasa methods these stores override or call are pinned, with the patches, in
assistant/rasa_speedups.py (``PINNED_SOURCES``): an upgrade that changes one fails
tests/assistant/test_rasa_pins.py.
"""
from __future__ import annotations

import copy
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session

DEFAULT_CACHE_SIZE = 1000


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


@dataclass
class _Session:
    """What ``retrieve`` returns for one sender, as of the row with id ``last_id``."""

    last_id: int
    events: list[Event]  # the latest conversation session, in stored order


class CachedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore (same tables, rows and session rules) with the latest session of
    recently active conversations in memory, checked against the database every turn (see the
    module docstring). Any database Rasa's store supports; production uses it on PostgreSQL,
    where Rasa's lock store already serialises the turns of one conversation across replicas.

    ``cache_size``: conversations kept in memory (0: none, every turn reads the database).
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        self.cache_size = max(0, int(cache_size))
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        # SQLAlchemy Core statements, compiled once: the ORM's query building cost more than the
        # queries (py-spy). Same table and columns as SQLTrackerStore.SQLEvent.
        table = self.SQLEvent.__table__
        # `max(id + 0)`, not `max(id)`: PostgreSQL answers max(id) by walking the primary key
        # backwards until a row of this sender turns up, which for a new conversation is the whole
        # table (228 ms at 445,000 events, against 0.08 ms through the sender_id index).
        self._select_last_id = sa.select(sa.func.max(table.c.id + 0)).where(
            table.c.sender_id == sa.bindparam("sender_id")
        )
        self._insert = table.insert()

    # ------------------------------------------------------------------ reads

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session, as Rasa's store returns it; from memory when the database has nothing newer."""
        if not self.cache_size:
            return await super().retrieve(sender_id)
        with self.engine.connect() as connection:
            last_id = self._last_event_id(connection, sender_id)
        cached = self._cached(sender_id, last_id)
        if cached is None:
            if last_id is None:
                return None
            # Rasa's own read. Should another process add events in between, the id remembered
            # is older than they are, and the next turn reads the database again.
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                self._remember(sender_id, last_id, list(tracker.events))
            return tracker
        # Each tracker gets its own event objects: Rasa sets attributes on events it replays.
        return DialogueStateTracker.from_events(
            sender_id, [copy.copy(event) for event in cached.events], self.domain.slots
        )

    # ----------------------------------------------------------------- writes

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database does not have yet, as Rasa's store does, then remember the session."""
        if not self.cache_size:
            return await super().save(tracker)
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        events = list(tracker.events)
        with self.engine.begin() as connection:
            last_id = self._last_event_id(connection, sender_id)
            cached = self._cached(sender_id, last_id)
            if cached is not None:
                new_events = events[len(cached.events):]
            elif last_id is None:
                new_events = events
            else:  # written by another process: Rasa's own count of what is stored
                with Session(bind=connection) as session:
                    new_events = list(self._additional_events(session, tracker))
            rows = [_row(sender_id, event) for event in new_events]
            if rows:
                connection.execute(self._insert, rows)
                last_id = self._last_event_id(connection, sender_id)
        if last_id is not None:
            self._remember(sender_id, last_id, _latest_session(events))

    # ---------------------------------------------------------------- helpers

    def _last_event_id(self, connection: Any, sender_id: Text) -> Optional[int]:
        return connection.execute(self._select_last_id, {"sender_id": sender_id}).scalar()

    def _cached(self, sender_id: Text, last_id: Optional[int]) -> Optional[_Session]:
        cached = self._sessions.get(sender_id)
        if cached is None or last_id is None or cached.last_id != last_id:
            self._sessions.pop(sender_id, None)
            return None
        self._sessions.move_to_end(sender_id)
        return cached

    def _remember(self, sender_id: Text, last_id: int, events: list[Event]) -> None:
        # Copies: the caller goes on using (and Rasa goes on setting attributes on) its own events.
        self._sessions[sender_id] = _Session(last_id, [copy.copy(event) for event in events])
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self.cache_size:
            self._sessions.popitem(last=False)


class LocalSQLTrackerStore(CachedSQLTrackerStore):
    """The embedded default: CachedSQLTrackerStore fixed to a SQLite file in WAL mode, with
    pooled connections (see the module docstring)."""

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


def _row(sender_id: Text, event: Event) -> dict:
    """The row SQLTrackerStore.save writes for ``event`` (same columns, same JSON)."""
    data = event.as_dict()
    return dict(
        sender_id=sender_id,
        type_name=event.type_name,
        timestamp=data.get("timestamp"),
        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        action_name=data.get("name"),
        data=json.dumps(data),
    )


def _latest_session(events: list[Event]) -> list[Event]:
    """What SQLTrackerStore's query returns after these events are stored: the events whose
    timestamp is at or after the newest ``SessionStarted``, or all of them when there is none."""
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    if not starts:
        return events
    newest = max(starts)
    return [event for event in events if event.timestamp >= newest]
