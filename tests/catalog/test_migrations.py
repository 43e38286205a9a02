"""The migrations create exactly the models' schema (the catalog's and the service desk's), on SQLite
and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from api.desk_models import DeskBase
from catalog.db import make_engine
from catalog.models import Base
from catalog.schema import upgrade_to_head
from tests.postgres import scratch_schema


def _diffs(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, [Base.metadata, DeskBase.metadata])


TABLES = set(Base.metadata.tables) | set(DeskBase.metadata.tables) | {"alembic_version"}


def test_sqlite_upgrade_head_matches_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert _diffs(connection) == []
        assert set(inspect(connection).get_table_names()) == TABLES
    upgrade_to_head(engine)  # a second upgrade is a no-op
    engine.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_head_matches_models():
    with scratch_schema("test_catalog") as make:
        engine = make()
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert _diffs(connection) == []
            assert set(inspect(connection).get_table_names()) == TABLES


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


def _desk_round_trip(engine) -> None:
    """The takeover works on the migrated tables alone (no create_all): queue, claim, a message, release."""
    from api.takeover import Desk, WorkingHours

    desk = Desk(engine, WorkingHours.parse("00:00-24:00", "1-7", "Asia/Shanghai"), 30, 300)
    desk.heartbeat("agent-1", "小李")
    assert desk.hand_off("web-migrated", "web", "request_human", "社保卡丢了") == "queued"
    desk.claim("web-migrated", "agent-1", "小李")
    assert desk.agent_message("web-migrated", "agent-1", text="您好")["id"] == 3
    desk.release("web-migrated", "agent-1")
    assert [m["author"] for m in desk.messages_after("web-migrated", 0)] == ["system", "system", "agent", "system"]


@pytest.mark.postgres
def test_postgres_upgrade_head_makes_the_service_desk_tables():
    with scratch_schema("test_desk_migration") as make:
        engine = make()
        upgrade_to_head(engine)
        _desk_round_trip(engine)


@pytest.mark.postgres
def test_postgres_upgrade_adopts_desk_tables_the_app_made_first_and_downgrade_drops_them():
    """A database an app already ran on (its start creates the desk tables) upgrades without error and
    keeps their rows; downgrading below 0005 removes them, and upgrading again brings them back."""
    from alembic import command

    from catalog.schema import alembic_config

    with scratch_schema("test_desk_adopt") as make:
        engine = make()
        DeskBase.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO desk_agents (agent_id, name, last_seen) VALUES ('a', '小李', now())"))
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert _diffs(connection) == []
            assert connection.execute(text("SELECT count(*) FROM desk_agents")).scalar() == 1
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        with engine.connect() as connection:
            assert not set(DeskBase.metadata.tables) & set(inspect(connection).get_table_names())
        upgrade_to_head(engine)
        _desk_round_trip(engine)


def test_sqlite_upgrade_adopts_desk_tables_the_app_made_first(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'adopt.db'}")
    DeskBase.metadata.create_all(engine)
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert _diffs(connection) == []
        assert set(inspect(connection).get_table_names()) == TABLES
    _desk_round_trip(engine)
    engine.dispose()
