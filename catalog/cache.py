"""Per-engine caches of read-mostly catalog data (search index, region and fact-word matchers)."""
from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")
_caches: "weakref.WeakKeyDictionary[Engine, dict[str, object]]" = weakref.WeakKeyDictionary()
_lock = threading.RLock()
# Entries per memo table (targets, fact keys, tailored materials, members, service points, what a
# message asks to be done) before the table is emptied.
MEMO_LIMIT = 4096


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def cached(session: Session, name: str, build: Callable[[Session], T]) -> T:
    """``build(session)`` once per engine and name, until its catalog is written (``invalidate_catalog``)."""
    engine = _engine_of(session)
    with _lock:
        per_engine = _caches.setdefault(engine, {})
        if name not in per_engine:
            per_engine[name] = build(session)
        return per_engine[name]  # type: ignore[return-value]


def peek(session: Session, name: str) -> Any:
    """The entry ``name`` of the session's engine if it was built, else None (nothing is built)."""
    with _lock:
        return _caches.get(_engine_of(session), {}).get(name)


def memoised(session: Session, name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per engine and key, dropped with the search index when an importer
    writes. Keys are built from catalog codes, stated facts or messages; a table is emptied if it
    ever grows past MEMO_LIMIT entries."""
    memo: dict[Hashable, Any] = cached(session, name, lambda _: {})
    if key not in memo:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[key] = compute()
    return memo[key]


def invalidate_all() -> None:
    """Drop every catalog's caches (tests that start from nothing)."""
    with _lock:
        _caches.clear()


def _database_of(engine: Engine) -> tuple[object, ...]:
    """Which database ``engine`` reads: its backend, host, port and database (a SQLite file's
    resolved path), so two engines on one database are found whatever their URLs' spelling."""
    url = engine.url
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        database = str(Path(database).resolve())
    return url.get_backend_name(), url.host, url.port, database


def invalidate_catalog(session: Session) -> None:
    """Drop the caches built from the database ``session`` writes to, those of every engine on it
    (an importer's own engine and the app's alike); other catalogs' caches stay, so loading one
    region's catalog does not make the next question to another rebuild its indexes.

    An in-memory SQLite database is one engine's own: only that engine's caches go."""
    written = _engine_of(session)
    key = _database_of(written)
    shared = key[3] not in ("", ":memory:")
    with _lock:
        for engine in list(_caches.keys()):
            if engine is written or (shared and _database_of(engine) == key):
                del _caches[engine]


def forget(session: Session, *names: str) -> None:
    """Empty the memo tables ``names`` (the index they were computed from stays): a benchmark
    measures a message's first reading, not its remembered one."""
    for name in names:
        memo: dict[Hashable, Any] = cached(session, name, lambda _: {})
        memo.clear()


def rebuilt(session: Session, name: str, build: Callable[[Session], T], *dependent: str) -> T:
    """``build(session)`` again, outside the lock, then swapped in for ``name`` with the memo tables
    ``dependent`` (computed from the old entry) emptied: readers keep the old entry while the new one
    is built, so no request waits for the build."""
    value = build(session)
    engine = _engine_of(session)
    with _lock:
        per_engine = _caches.setdefault(engine, {})
        per_engine[name] = value
        for other in dependent:
            per_engine.pop(other, None)
    return value
