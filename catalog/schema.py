"""Bring a database to the current catalog schema through the Alembic migrations."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

REPO_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    # Built from code (not alembic.ini) so it works from any working directory.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logging"] = False
    return config


def upgrade_to_head(engine: Engine) -> None:
    """On SQLite, foreign keys are not enforced while migrating: changing a CHECK constraint rebuilds
    the table, and dropping a table others refer to fails when they are (the Alembic docs' advice
    for batch mode; the PRAGMA has no effect inside a transaction, so it is set before it). They are
    checked once the migration is done, and enforced again."""
    config = alembic_config()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        # The driver's own connection: SQLAlchemy would BEGIN first (catalog.db takes over BEGIN).
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
