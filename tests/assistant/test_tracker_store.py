"""assistant/tracker_store.py: Rasa's SQL tracker store with recent sessions in memory, on SQLite
(WAL mode, endpoints.yml) and on PostgreSQL (endpoints.production.yml, two replicas)."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.tracker_store import CachedSQLTrackerStore, LocalSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  town_code:\n    type: text\n    mappings:\n      - type: custom\n")


def test_endpoints_yml_builds_it_and_conversations_survive_a_restart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # endpoints.yml names var/rasa_tracker.db relative to the start dir
    (tmp_path / "var").mkdir()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "assistant" / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store, domain=DOMAIN)
    assert isinstance(store, LocalSQLTrackerStore) and store.cache_size == 1000

    tracker = DialogueStateTracker.from_events(
        "citizen-1", [ActionExecuted("action_listen"), UserUttered("我在龙台镇"), SlotSet("town_code", "511602108")]
    )
    asyncio.run(store.save(tracker))
    reopened = TrackerStore.create(endpoints.tracker_store, domain=DOMAIN)
    restored = asyncio.run(reopened.retrieve("citizen-1"))
    assert restored.get_slot("town_code") == "511602108"
    assert restored.latest_message.text == "我在龙台镇"


def test_the_file_is_in_wal_mode_and_commits_do_not_sync_every_time(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    assert sqlite3.connect(tmp_path / "t.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with store.session_scope() as session:  # Rasa's own sessions use the same pooled engine
        assert session.get_bind() is store.engine
        assert session.execute(sa.text("PRAGMA synchronous")).scalar() == 1


# ---------------------------------------------------------------- the in-memory latest sessions


def _turn(text: str, town: str) -> list:
    return [UserUttered(text, {"name": "inform", "confidence": 0.9}), SlotSet("town_code", town),
            ActionExecuted("action_answer"), ActionExecuted("action_listen")]


def _as_dicts(tracker: DialogueStateTracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events]


def _statements(store: LocalSQLTrackerStore) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def _converse(store: LocalSQLTrackerStore, sender: str, turns: int) -> DialogueStateTracker:
    """What Rasa's processor does each turn: retrieve (or create), add events, save."""
    for number in range(turns):
        tracker = asyncio.run(store.retrieve(sender))
        if tracker is None:
            tracker = DialogueStateTracker.from_events(
                sender, [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
                DOMAIN.slots,
            )
        for event in _turn(f"第{number}句", f"51160210{number}"):
            tracker.update(event)
        asyncio.run(store.save(tracker))
    return tracker


def test_a_remembered_session_is_the_one_the_file_gives(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    last = _converse(store, "citizen-1", 4)

    from_memory = asyncio.run(store.retrieve("citizen-1"))
    from_file = asyncio.run(LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size=0).retrieve("citizen-1"))
    assert _as_dicts(from_memory) == _as_dicts(from_file) == _as_dicts(last)
    assert from_memory.get_slot("town_code") == "511602103"
    assert from_memory.latest_message.text == "第3句"


def test_a_remembered_turn_reads_one_id_from_the_file_and_no_events(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    _converse(store, "citizen-1", 2)
    statements = _statements(store)
    tracker = asyncio.run(store.retrieve("citizen-1"))
    assert len(statements) == 1 and "max(events.id" in statements[0]

    statements.clear()
    rows_per_insert: list[int] = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, parameters, context, many: many and rows_per_insert.append(len(parameters)))
    for event in _turn("第三句", "511602108"):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    # The newest id, one INSERT of the four new rows, the new newest id; no count of the session.
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT", "SELECT"]
    assert all("max(events.id" in s for s in statements[::2])
    assert rows_per_insert == [4]
    cold = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size=0)
    assert _as_dicts(asyncio.run(cold.retrieve("citizen-1"))) == _as_dicts(tracker)


def test_a_turn_written_by_another_process_is_read_from_the_file(tmp_path):
    ours = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    _converse(ours, "citizen-1", 2)
    other = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    _converse(other, "citizen-1", 1)  # e.g. a second `rasa run` on the same file

    tracker = asyncio.run(ours.retrieve("citizen-1"))
    assert tracker.latest_message.text == "第0句"  # the other process's turn, not our memory
    cold = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size=0)
    assert _as_dicts(tracker) == _as_dicts(asyncio.run(cold.retrieve("citizen-1")))
    assert [e.get("text") for e in _as_dicts(tracker) if e["event"] == "user"] == ["第0句", "第1句", "第0句"]
    for event in _turn("再问一句", "511602109"):
        tracker.update(event)
    asyncio.run(ours.save(tracker))  # counts what is stored, writes only the new events
    assert _as_dicts(asyncio.run(cold.retrieve("citizen-1"))) == _as_dicts(tracker)


def test_a_new_session_leaves_only_its_own_events_in_memory(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    tracker = _converse(store, "citizen-1", 2)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    for event in _turn("新的一天", "511602105"):
        tracker.update(event)
    asyncio.run(store.save(tracker))

    from_memory = asyncio.run(store.retrieve("citizen-1"))
    cold = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size=0)
    assert _as_dicts(from_memory) == _as_dicts(asyncio.run(cold.retrieve("citizen-1")))
    assert [e.get("text") for e in _as_dicts(from_memory) if e["event"] == "user"] == ["新的一天"]


def test_changing_a_returned_tracker_does_not_change_the_memory(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    _converse(store, "citizen-1", 1)
    first = asyncio.run(store.retrieve("citizen-1"))
    first.latest_message.text = "改过了"
    first.update(UserUttered("没保存的一句"))
    again = asyncio.run(store.retrieve("citizen-1"))
    assert again.latest_message.text == "第0句"
    assert len(again.events) == len(first.events) - 1


def test_memory_holds_at_most_cache_size_conversations_and_the_rest_come_from_the_file(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size=2)
    for sender in ("a", "b", "c"):
        _converse(store, sender, 1)
    assert list(store._sessions) == ["b", "c"]
    statements = _statements(store)
    assert asyncio.run(store.retrieve("a")).latest_message.text == "第0句"
    assert any("FROM events" in s and "max(events.id" not in s for s in statements)  # read from the file
    assert list(store._sessions) == ["c", "a"]
    assert asyncio.run(store.retrieve("nobody")) is None


def test_cache_size_comes_from_endpoints_and_zero_turns_memory_off(tmp_path):
    store = LocalSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), cache_size="0")
    _converse(store, "citizen-1", 2)
    assert not store._sessions
    assert asyncio.run(store.retrieve("citizen-1")).latest_message.text == "第1句"


# ------------------------------------------------ production: PostgreSQL, two replicas, one database


@pytest.fixture
def postgres_db(monkeypatch):
    """A fresh database on the local PostgreSQL (trust auth), dropped afterwards."""
    import uuid

    import psycopg2

    name = f"wyc_tracker_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    for key, value in {
        "WYC_ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook", "WYC_ACTION_TOKEN": "t" * 32,
        "WYC_TRACKER_DB_HOST": "127.0.0.1", "WYC_TRACKER_DB_PORT": "5432", "WYC_TRACKER_DB_NAME": name,
        "WYC_TRACKER_DB_USER": "postgres", "WYC_TRACKER_DB_PASSWORD": "",
        "WYC_REDIS_HOST": "127.0.0.1", "WYC_REDIS_PORT": "6379", "WYC_REDIS_PASSWORD": "",
        "WYC_REDIS_LOCK_DB": "0", "WYC_REDIS_LOCK_PREFIX": "wyctest",
    }.items():
        monkeypatch.setenv(key, value)
    yield name
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def _production_store() -> CachedSQLTrackerStore:
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "assistant" / "endpoints.production.yml"))
    store = TrackerStore.create(endpoints.tracker_store, domain=DOMAIN)
    assert type(store) is CachedSQLTrackerStore and store.cache_size == 1000
    return store


def test_production_replicas_share_postgresql_and_never_serve_a_stale_session(postgres_db):
    replica_a, replica_b = _production_store(), _production_store()
    _converse(replica_a, "citizen-1", 2)
    _converse(replica_b, "citizen-1", 1)  # nginx sent the next turn to the other replica
    tracker = _converse(replica_a, "citizen-1", 1)  # and the one after back to the first

    texts = [e.get("text") for e in _as_dicts(tracker) if e["event"] == "user"]
    assert texts == ["第0句", "第1句", "第0句", "第0句"]  # every replica's turns, in order
    cold = CachedSQLTrackerStore(domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432,
                                 db=postgres_db, username="postgres", cache_size=0)
    for store in (replica_a, replica_b, cold):
        assert _as_dicts(asyncio.run(store.retrieve("citizen-1"))) == _as_dicts(tracker)


def test_production_store_writes_the_rows_rasas_own_store_reads(postgres_db):
    from rasa.core.tracker_store import SQLTrackerStore

    tracker = _converse(_production_store(), "citizen-2", 3)
    stock = SQLTrackerStore(domain=DOMAIN, dialect="postgresql", host="127.0.0.1", port=5432,
                            db=postgres_db, username="postgres")
    assert _as_dicts(asyncio.run(stock.retrieve("citizen-2"))) == _as_dicts(tracker)


def test_the_newest_id_lookup_uses_the_sender_index_on_a_large_table(postgres_db):
    """A new conversation must not cost a walk over every stored event (the soak went from 63 to
    14 turns/s on a 445,000-event table before this)."""
    store = _production_store()
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO events (sender_id, type_name, timestamp, data) "
            "SELECT 'sender-' || mod(n, 200), 'action', n, '{}' FROM generate_series(1, 200000) AS n"
        )
        connection.exec_driver_sql("ANALYZE events")
        statement = store._select_last_id.params(sender_id="a-new-citizen")
        sql = str(statement.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_events_sender_id" in plan and "events_pkey" not in plan, plan
