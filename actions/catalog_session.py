"""The catalog sessions an action reads with, and the address its links start with.

An action is handed its session factory by whoever registers it: the app's action executor gives
every catalog action the app's own sessionmaker (api/action_server.py, ``build_action_executor``), tests
give theirs. An action nobody handed one (rasa_sdk's own action server, a script) builds the
process's own from the environment (catalog/settings.py) on first use, never at import: the
action server imports this package while registering actions.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from sqlalchemy.orm import Session

from catalog.settings import catalog_settings

# What an action needs: a callable that opens a catalog session (a sessionmaker).
SessionFactory = Callable[[], Session]

_own: Optional[SessionFactory] = None
_own_lock = threading.Lock()


def own_sessions() -> SessionFactory:
    """The process's own catalog sessions, from WYC_DATABASE_URL / WYC_REGION, built once."""
    global _own
    if _own is None:
        with _own_lock:
            if _own is None:
                # Imported here so importing `actions` stays cheap and engine-free.
                from catalog.db import database_url_from_env, make_sessionmaker

                _own = make_sessionmaker(database_url_from_env())
    return _own


@contextmanager
def catalog_session(sessions: SessionFactory) -> Iterator[Session]:
    """A read-only unit of work: the queries never commit, so we only roll back and close."""
    session = sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def public_base_url() -> str:
    return catalog_settings().public_base_url.rstrip("/")
