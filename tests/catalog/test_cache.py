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


def test_a_write_drops_only_its_own_catalogs_caches(tmp_path):
    """An importer writing one region's catalog leaves another catalog's indexes built (a process that
    serves one and loads the other must not rebuild the first's in a citizen's turn), and drops those
    of every engine on the database it wrote, whatever the URL's spelling."""
    from sqlalchemy.orm import Session

    from catalog.cache import invalidate_catalog, peek
    from catalog.db import make_engine

    written = make_engine(f"sqlite:///{tmp_path}/a.db")
    same_file = make_engine(f"sqlite:///{tmp_path}/./a.db")
    other = make_engine(f"sqlite:///{tmp_path}/b.db")
    try:
        sessions = [Session(engine) for engine in (written, same_file, other)]
        for index, session in enumerate(sessions):
            cached(session, "test-index", lambda _, index=index: f"built {index}")
        invalidate_catalog(sessions[0])
        assert peek(sessions[0], "test-index") is None
        assert peek(sessions[1], "test-index") is None, "another engine on the written file"
        assert peek(sessions[2], "test-index") == "built 2", "another catalog keeps its index"
    finally:
        for engine in (written, same_file, other):
            engine.dispose()
