"""Per-engine caches of read-mostly catalog data (search index, region and fact-word matchers)."""
from __future__ import annotations

import threading
import weakref
from typing import Callable, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

T = TypeVar("T")
_caches: "weakref.WeakKeyDictionary[Engine, dict[str, object]]" = weakref.WeakKeyDictionary()
_lock = threading.RLock()


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def cached(session: Session, name: str, build: Callable[[Session], T]) -> T:
    """``build(session)`` once per engine and name, until ``invalidate_all()``."""
    engine = _engine_of(session)
    with _lock:
        per_engine = _caches.setdefault(engine, {})
        if name not in per_engine:
            per_engine[name] = build(session)
        return per_engine[name]  # type: ignore[return-value]


def invalidate_all() -> None:
    with _lock:
        _caches.clear()
