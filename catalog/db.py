"""Engine and session factories, always built on demand from a URL (never at import)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, Union

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from catalog.settings import DEFAULT_REGION, catalog_settings

DEFAULT_DATABASE_URL = "sqlite:///var/catalog.db"


def database_url_for_region(region: str) -> str:
    """The embedded catalog of a region: 广安区 keeps var/catalog.db; another region gets its own
    file, so switching WYC_REGION never mixes two regions' items in one search."""
    return DEFAULT_DATABASE_URL if region == DEFAULT_REGION else f"sqlite:///var/catalog_{region}.db"


def database_url_from_env() -> str:
    settings = catalog_settings()
    return settings.database_url or database_url_for_region(settings.region)


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    # pysqlite opens transactions lazily on its own, which breaks SAVEPOINT (the importers
    # load each file inside one); take over BEGIN ourselves, as the SQLAlchemy docs advise.
    dbapi_connection.isolation_level = None
    # SQLite ignores FOREIGN KEY clauses unless asked per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The embedded default serves chats: the exchange log writes while actions read the
    # catalog. WAL lets readers go on during a write; NORMAL sync is safe under WAL (a power
    # cut may lose the last turns, never corrupt the file); wait for a lock instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# Execution option: the engine's SQLite transactions take the write lock when they begin. Under WAL a
# transaction that reads and then writes fails at once ("database is locked", busy_timeout or not)
# when another connection wrote in between; one that begins IMMEDIATE waits for the lock instead.
# For stores whose transactions read before they write (the service desk: a callback request reads the
# conversation, then inserts). Other databases ignore it.
SQLITE_BEGIN_IMMEDIATE = "sqlite_begin_immediate"


def _on_sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get(SQLITE_BEGIN_IMMEDIATE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: Optional[str] = None, **kwargs) -> Engine:
    """Create an engine for ``url`` (default: $WYC_DATABASE_URL, else sqlite:///var/catalog.db)."""
    url = url or database_url_from_env()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def make_sessionmaker(bind: Union[Engine, str, None] = None) -> sessionmaker[Session]:
    engine = bind if isinstance(bind, Engine) else make_engine(bind)
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
