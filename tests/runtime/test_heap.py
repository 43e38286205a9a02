"""runtime/heap.py: the start-up heap frozen out of full collections; slow collections logged."""
from __future__ import annotations

import gc
import logging

import pytest

from runtime import heap


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()
    if heap._on_collection in gc.callbacks:
        gc.callbacks.remove(heap._on_collection)


def test_what_exists_at_start_up_is_frozen_and_later_objects_are_not():
    before = [[] for _ in range(1000)]  # containers alive at "start-up"
    elapsed_ms = heap.freeze_startup_heap("test")
    frozen = gc.get_freeze_count()
    assert frozen >= len(before) and elapsed_ms >= 0
    collectable = {id(o) for generation in range(3) for o in gc.get_objects(generation=generation)}
    assert not {id(o) for o in before} & collectable  # out of every generation a collection walks
    after = [[] for _ in range(1000)]
    collectable = {id(o) for generation in range(3) for o in gc.get_objects(generation=generation)}
    assert gc.get_freeze_count() == frozen and {id(o) for o in after} <= collectable  # new objects are walked


def test_garbage_made_before_the_freeze_is_collected_first():
    cycle = []
    cycle.append(cycle)
    del cycle  # an unreachable cycle: only the cyclic collector frees it
    gc.disable()
    try:
        unreachable_before = gc.collect()  # make sure nothing else is pending
        assert unreachable_before >= 0
        loop = []
        loop.append(loop)
        marker = id(loop)
        del loop
        heap.freeze_startup_heap("test")
        assert all(id(o) != marker for o in gc.get_objects())
    finally:
        gc.enable()


def test_a_slow_collection_is_logged_and_the_watch_is_installed_once(monkeypatch, caplog):
    heap.watch_slow_collections()
    heap.watch_slow_collections()
    assert gc.callbacks.count(heap._on_collection) == 1
    monkeypatch.setattr(heap, "SLOW_COLLECTION_MS", 0.0)
    with caplog.at_level(logging.WARNING, logger="runtime.heap"):
        gc.collect()
    assert any("generation 2 paused the process" in r.getMessage() for r in caplog.records)


def test_a_fast_collection_is_not_logged(monkeypatch, caplog):
    heap.watch_slow_collections()
    monkeypatch.setattr(heap, "SLOW_COLLECTION_MS", 10_000.0)
    with caplog.at_level(logging.WARNING, logger="runtime.heap"):
        gc.collect(0)
    assert not [r for r in caplog.records if r.name == "runtime.heap"]
