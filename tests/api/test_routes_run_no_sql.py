"""Routes call catalog functions (catalog/listings.py, catalog/guide.py, ...) and the app's store
modules; they build no SQL of their own: no sqlalchemy query constructs, no catalog tables, no
``session.execute`` / ``scalars`` / ``scalar``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROUTES = Path(__file__).resolve().parents[2] / "api" / "routes"
# What a route may take from SQLAlchemy: the session's type for its dependency, and the errors it answers.
ALLOWED_SQLALCHEMY = {"sqlalchemy.orm": {"Session"}, "sqlalchemy.exc": None}
QUERY_CALLS = {"execute", "scalars", "scalar"}
# The takeover desk's routes read the exchange log and region names themselves; that file is being
# reworked with the desk's store (api/takeover.py) and is checked once its queries live there.
NOT_YET_CHECKED = {"takeover.py"}


def sql_in(source: str) -> list[str]:
    """What in ``source`` builds or runs SQL, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module == "catalog.models" or node.module.startswith("catalog.models."):
                found.append(f"{node.lineno}: imports catalog tables {sorted(names)}")
            elif node.module == "sqlalchemy" or node.module.startswith("sqlalchemy."):
                allowed = ALLOWED_SQLALCHEMY.get(node.module, set())
                if allowed is not None and not names <= allowed:
                    found.append(f"{node.lineno}: imports {sorted(names - allowed)} from {node.module}")
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: imports {alias.name}" for alias in node.names
                      if alias.name.split(".")[0] == "sqlalchemy" or alias.name.startswith("catalog.models")]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in QUERY_CALLS):
            found.append(f"{node.lineno}: calls .{node.func.attr}()")
    return found


@pytest.mark.parametrize("source, expected", [
    ("from sqlalchemy import select\n", ["1: imports ['select'] from sqlalchemy"]),
    ("def f(session):\n    from catalog.models import Region\n    return session.get(Region, '1')\n",
     ["2: imports catalog tables ['Region']"]),
    ("def f(session, q):\n    return list(session.scalars(q))\n", ["2: calls .scalars()"]),
    ("import sqlalchemy as sa\n", ["1: imports sqlalchemy"]),
    ("from sqlalchemy.orm import Session\nfrom sqlalchemy.exc import SQLAlchemyError, IntegrityError\n", []),
    ("from catalog import listings\ndef f(session):\n    return listings.towns(session)\n", []),
])
def test_the_check_sees_sql(source, expected):
    assert sql_in(source) == expected


def test_routes_run_no_sql():
    found = {
        path.name: sql_in(path.read_text(encoding="utf-8"))
        for path in sorted(ROUTES.glob("*.py")) if path.name not in NOT_YET_CHECKED
    }
    assert not {name: lines for name, lines in found.items() if lines}, (
        "routes call catalog functions (catalog/listings.py and the others) or a store module instead")
