"""assistant/tracker_store.py: Rasa's SQLite tracker store, in WAL mode, built from endpoints.yml."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.tracker_store import LocalSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  town_code:\n    type: text\n    mappings:\n      - type: custom\n")


def test_endpoints_yml_builds_it_and_conversations_survive_a_restart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # endpoints.yml names var/rasa_tracker.db relative to the start dir
    (tmp_path / "var").mkdir()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "assistant" / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store, domain=DOMAIN)
    assert isinstance(store, LocalSQLTrackerStore)

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
