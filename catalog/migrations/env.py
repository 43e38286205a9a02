"""Alembic environment for the catalog. URL: -x database_url=..., a connection passed in by
catalog.schema.upgrade_to_head (config.attributes["connection"]), or $WYC_DATABASE_URL."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from catalog.db import database_url_from_env, make_engine
from catalog.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
# The service desk's tables are migrated here too (0005: in production the log database is the
# catalog's), but their models are the app's (api/desk_models.py), which the catalog does not import:
# autogenerate leaves them alone instead of dropping them, and their migrations are written by hand
# (tests/catalog/test_migrations.py compares the result with both sets of models).
DESK_TABLE_PREFIX = "desk_"


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and reflected and compare_to is None and name.startswith(DESK_TABLE_PREFIX))


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("database_url") or database_url_from_env()


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can only ALTER via table copies
        compare_type=True,
        include_object=_include_object,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True,
                      include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
