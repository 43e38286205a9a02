"""One catalog session per action run, from a sessionmaker built lazily on first use.

The engine is never created at import: the action server imports this package while
registering actions, and tests point ``WYC_DATABASE_URL`` (or :func:`use_sessionmaker`)
at their own database before the first action runs.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator, Optional

from sqlalchemy.orm import Session, sessionmaker

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"

_factory: Optional[sessionmaker] = None
_factory_lock = threading.Lock()


def _session_factory() -> sessionmaker:
    global _factory
    if _factory is None:
        with _factory_lock:
            if _factory is None:
                # Imported here so importing `actions` stays cheap and engine-free.
                from catalog.db import database_url_from_env, make_sessionmaker

                _factory = make_sessionmaker(database_url_from_env())
    return _factory


def use_sessionmaker(factory: Optional[sessionmaker]) -> None:
    """Point the actions at another catalog (tests, the FastAPI app's own engine); None resets."""
    global _factory
    with _factory_lock:
        _factory = factory


@contextmanager
def catalog_session() -> Iterator[Session]:
    """A read-only unit of work: the queries never commit, so we only roll back and close."""
    session = _session_factory()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def public_base_url() -> str:
    return (os.environ.get("WYC_PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/")
