"""A scratch PostgreSQL schema for the tests that run on the local server (127.0.0.1:5432, database
`test`, trust auth, as on every developer machine and in CI)."""
from __future__ import annotations

import contextlib
import uuid
from typing import Any, Callable, Iterator

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_schema(prefix: str) -> Iterator[Callable[..., Any]]:
    """A new schema named ``prefix_<random>``; yields ``engine(**kwargs)``, which makes an engine whose
    search path is that schema. Skips the test, saying why, when the server cannot be reached; on exit
    disposes of the engines made and drops the schema."""
    import pytest
    from sqlalchemy import text

    from catalog.db import make_engine

    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # report, do not hide, a missing server
        pytest.skip(f"PostgreSQL not reachable: {error}")
    engines: list[Any] = []

    def engine(**kwargs: Any) -> Any:
        made = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"}, **kwargs)
        engines.append(made)
        return made

    try:
        yield engine
    finally:
        for made in engines:
            made.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
