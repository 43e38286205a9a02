"""Action tests: a real catalog in a temp SQLite, trackers built from dicts, no Rasa."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SLOT_NAMES = (
    "target_code", "facts", "town_code", "village_code", "asked_for",
    "pending_question", "candidates", "lookup_status",
)


@pytest.fixture(scope="session")
def catalog_factory(tmp_path_factory):
    """The default 广安区 catalog, loaded once into a temp SQLite the actions are handed."""
    from catalog.db import make_engine, make_sessionmaker
    from catalog.seed import load_default_catalog

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}")
    load_default_catalog(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def make_tracker(
    text: str, intent: str, entities: Optional[list[dict[str, Any]]] = None,
    slots: Optional[dict[str, Any]] = None, sender_id: str = "test-sender",
    latest_action_name: str = "action_listen", history: Optional[list[str]] = None,
) -> Tracker:
    """``history``: the citizen's earlier messages in this conversation (user events before this one)."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
    }
    events = [{"event": "user", "text": said} for said in (history or []) + [text]]
    return Tracker(
        sender_id, {name: None for name in SLOT_NAMES} | (slots or {}), latest,
        events, False, None, {}, latest_action_name,
    )


def run_action(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "extractor": "test"}


@dataclass
class Conversation:
    """Several turns against one action, slots carried over the way Rasa's tracker would."""

    action: Action
    slots: dict[str, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)

    def say(self, text: str, intent: str = "ask_item", entities=None) -> list[dict[str, Any]]:
        tracker = make_tracker(text, intent, entities, self.slots, history=self.said)
        events, messages = run_action(self.action, tracker)
        self.slots.update(slot_values(events))
        self.said.append(text)
        return messages


def customs(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]


@pytest.fixture
def conversation(catalog_factory):
    """Start a conversation with action_answer: ``conversation().say(text, intent, entities)``."""
    from actions.answer import ActionAnswer

    return lambda slots=None: Conversation(ActionAnswer(catalog_factory), dict(slots or {}))


@pytest.fixture
def tracker_for():
    return make_tracker


@pytest.fixture
def run():
    return run_action


@pytest.fixture
def code_of(catalog_factory):
    """The catalog code of an item or bundle by its canonical name (codes derive from URLs)."""
    from catalog.queries import search

    def lookup(name: str) -> str:
        with catalog_factory() as session:
            hits = [hit for hit in search(session, name, limit=10) if hit.name == name]
        assert hits, f"{name} not in the catalog"
        return hits[0].code

    return lookup
