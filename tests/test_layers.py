"""Only the settings objects read the environment: catalog/settings.py for the catalog's commands
and the actions, api/settings.py (pydantic-settings, no os.environ) for the app. The import
contracts between the packages are import-linter's ([tool.importlinter] in pyproject.toml, `make lint`);
it reads packages only, so the scripts inside catalog/ that are no package's modules (alembic's
migrations) are checked here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("catalog", "actions", "api", "assistant", "runtime")
SETTINGS_MODULES = {"catalog/settings.py"}
ENVIRONMENT_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_reads(source: str) -> list[int]:
    """Line numbers where ``source`` touches the process environment through ``os``."""
    return [
        node.lineno for node in ast.walk(ast.parse(source))
        if (isinstance(node, ast.Attribute) and node.attr in ENVIRONMENT_NAMES
            and isinstance(node.value, ast.Name) and node.value.id == "os")
        or (isinstance(node, ast.ImportFrom) and node.module == "os"
            and any(alias.name in ENVIRONMENT_NAMES for alias in node.names))
    ]


@pytest.mark.parametrize("source, found", [
    ("import os\nurl = os.environ.get('WYC_DATABASE_URL')", [2]),
    ("import os\nurl = os.getenv('X')", [2]),
    ("from os import environ\n", [1]),
    ("import os\npath = os.path.join('a', 'b')", []),
])
def test_the_check_sees_every_way_of_reading_the_environment(source, found):
    assert environment_reads(source) == found


def test_only_the_settings_modules_read_the_environment():
    readers = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in SETTINGS_MODULES
        for line in environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert not readers, f"read the environment through a settings object instead: {readers}"




def imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_catalogs_scripts_import_none_of_the_processes_around_it():
    scripts = [path for path in (ROOT / "catalog").rglob("*.py") if not (path.parent / "__init__.py").exists()]
    assert scripts, "catalog/migrations has no scripts to check"
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in scripts
        for module in imported_modules(path.read_text(encoding="utf-8"))
        if module.split(".")[0] in ("api", "actions", "assistant")
    }
    assert not wrong, f"catalog/ imports none of api, actions, assistant: {sorted(wrong)}"
