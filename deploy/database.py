"""Create or drop one PostgreSQL database for a cluster run (app env, psycopg 3).

    .venv/app/bin/python deploy/database.py ensure wyc_cluster
    .venv/app/bin/python deploy/database.py drop wyc_cluster
Connects as $PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/test), autocommit,
because CREATE/DROP DATABASE cannot run inside a transaction.
"""
from __future__ import annotations

import os
import re
import sys

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _connect():
    import psycopg

    return psycopg.connect(os.environ.get("PG_ADMIN_URL", DEFAULT_ADMIN_URL), autocommit=True)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):  # identifiers cannot be bound parameters: allow plain names only
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def ensure_database(name: str) -> bool:
    """Create the database unless it exists; True when created."""
    with _connect() as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return False
        connection.execute(f'CREATE DATABASE "{_checked(name)}"')
        return True


def drop_database(name: str) -> None:
    """Drop the database, ending its open connections first (PostgreSQL 13+: WITH (FORCE))."""
    with _connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')


def set_connections_allowed(name: str, allowed: bool) -> None:
    """Make the database unreachable (and end its sessions) or reachable again; for fault tests."""
    with _connect() as connection:
        connection.execute(f'ALTER DATABASE "{_checked(name)}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )


def main(argv: list[str]) -> int:
    command, name = argv
    if command == "ensure":
        ensure_database(name)
    elif command == "drop":
        drop_database(name)
    else:
        raise SystemExit(f"unknown command {command!r}: use ensure or drop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
