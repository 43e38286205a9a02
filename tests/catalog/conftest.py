"""Catalog fixtures: the default catalog (广安区 + guides.yaml) and a small fixture catalog,
each loaded once per test session into a temporary SQLite file."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from catalog.cache import invalidate_catalog
from catalog.db import make_engine, make_sessionmaker
from catalog.importers import import_guides, import_items, import_regions
from catalog.schema import upgrade_to_head
from catalog.seed import DEFAULT_ITEMS, DEFAULT_REGIONS, load_default_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def default_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('default')}/catalog.db")
    load_default_catalog(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(default_engine):
    """A session on the default catalog; whatever a test writes is rolled back, and the
    per-engine caches (search index, memoised answers) built from it are dropped with it."""
    with make_sessionmaker(default_engine)() as session:
        watch_writes(session)
        yield session
        session.rollback()
    if session_wrote(session):
        invalidate_catalog(session)


@pytest.fixture(scope="session")
def small_engine(tmp_path_factory):
    """Real regions and items plus tests/catalog/fixtures/guides_small.yaml (stable test data)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('small')}/catalog.db")
    upgrade_to_head(engine)
    with make_sessionmaker(engine)() as session:
        import_regions(session, DEFAULT_REGIONS)
        import_items(session, DEFAULT_ITEMS)
        import_guides(session, FIXTURES / "guides_small.yaml")
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def small(small_engine):
    with make_sessionmaker(small_engine)() as session:
        watch_writes(session)
        yield session
        session.rollback()
    if session_wrote(session):
        invalidate_catalog(session)


def watch_writes(session) -> None:
    event.listen(session, "after_flush", lambda flushed, _context: flushed.info.__setitem__("wrote", True))


def session_wrote(session) -> bool:
    return bool(session.info.get("wrote"))


@pytest.fixture
def empty_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    upgrade_to_head(engine)
    yield engine
    engine.dispose()
