"""api/main.py start-up: with warm_start the catalog caches are built before the first question
and the start-up heap is frozen; without it (the unit tests' setting) neither happens."""
from __future__ import annotations

import gc

import pytest
from sqlalchemy.orm import Session

from catalog import cache
from runtime import heap


@pytest.fixture(autouse=True)
def fresh_caches():
    cache.invalidate_all()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if heap._on_collection in gc.callbacks:
        gc.callbacks.remove(heap._on_collection)


def _cached_names(client) -> set[str]:
    resources = client.app.state.resources
    with resources.catalog_sessions() as session:
        assert isinstance(session, Session)
        return set(cache._caches.get(cache._engine_of(session), {}))


def test_a_warm_start_builds_the_catalog_caches_and_freezes_the_heap(make_client):
    client = make_client(warm_start=True)
    assert {"search_index", "fact_book"} <= _cached_names(client)
    assert gc.get_freeze_count() > 0
    assert client.get("/health/live").status_code == 200


def test_without_a_warm_start_the_first_question_builds_them(make_client):
    client = make_client(warm_start=False)
    assert "search_index" not in _cached_names(client)
    assert gc.get_freeze_count() == 0


def test_an_unreachable_catalog_does_not_stop_a_warm_start(make_client, tmp_path, caplog):
    client = make_client(warm_start=True, database_url=f"sqlite:///{tmp_path / 'missing' / 'no.db'}",
                         load_default_catalog=False)
    assert client.get("/health/live").status_code == 200
    assert "could not warm the catalog caches" in caplog.text
