"""The initial migration creates exactly the models' schema, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from catalog.db import make_engine
from catalog.models import Base
from catalog.schema import upgrade_to_head
from tests.postgres import scratch_schema



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
    with scratch_schema("test_catalog") as make:
        engine = make()
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert _diffs(connection) == []
            assert set(inspect(connection).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}


def test_sqlite_upgrade_keeps_rows_that_refer_to_rebuilt_tables(tmp_path):
    """A catalog loaded under the first schema upgrades in place: rebuilding ``regions`` for its
    new level constraint must not trip over the service points and aliases that refer to it."""
    from alembic import command

    from catalog.schema import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO regions (code, name, level) VALUES ('511602000000', '广安区', 'county')"))
        connection.execute(text("INSERT INTO region_aliases (region_code, alias) VALUES ('511602000000', '广安')"))
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM region_aliases")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
