"""catalog/cache.py: per-engine caches; an entry built again is swapped in whole."""
from __future__ import annotations

import threading

from catalog.cache import cached, memoised, rebuilt


def test_an_entry_built_again_replaces_the_old_one_and_its_memo_tables(session):
    cached(session, "test-index", lambda _: "old")
    memoised(session, "test-memo", "message", lambda: "read with old")
    assert rebuilt(session, "test-index", lambda _: "new", "test-memo") == "new"
    assert cached(session, "test-index", lambda _: "never built") == "new"
    assert memoised(session, "test-memo", "message", lambda: "read with new") == "read with new"


def test_readers_keep_the_old_entry_while_the_new_one_is_built(session):
    cached(session, "test-slow-index", lambda _: "old")
    building, release = threading.Event(), threading.Event()

    def slow_build(_):
        building.set()
        release.wait(5)
        return "new"

    builder = threading.Thread(target=rebuilt, args=(session, "test-slow-index", slow_build))
    builder.start()
    try:
        assert building.wait(5)
        assert cached(session, "test-slow-index", lambda _: "never built") == "old"  # no wait for the build
    finally:
        release.set()
        builder.join(5)
    assert cached(session, "test-slow-index", lambda _: "never built") == "new"
