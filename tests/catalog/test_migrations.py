"""The initial migration creates exactly the models' schema, on SQLite and on PostgreSQL."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog.db import make_engine
from catalog.models import Base
from catalog.schema import upgrade_to_head

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _diffs(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def test_sqlite_upgrade_head_matches_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert _diffs(connection) == []
        assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    upgrade_to_head(engine)  # a second upgrade is a no-op
    engine.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_head_matches_models():
    schema = f"test_catalog_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - report, do not hide, a missing server
        pytest.skip(f"PostgreSQL not reachable: {error}")
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert _diffs(connection) == []
            assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
