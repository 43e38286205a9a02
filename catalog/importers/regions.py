"""Regions CSV (code,name,level,parent_code): regions with their aliases and service points."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

from pydantic import AfterValidator
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_catalog
from catalog.importers.fields import ImportRow, OptionalText, RequiredLevel, RequiredText, problem, validated
from catalog.importers.files import CatalogImportError, csv_rows
from catalog.models import Region, RegionAlias, ServicePoint
from catalog.naming import region_aliases, service_point_name

log = logging.getLogger(__name__)

PARENT_LEVEL = {"town": "county", "village": "town"}
# Levels whose parent may be absent: a city's province, and a county's city in a county-only load.
TOP_LEVELS = ("city", "county")
COLUMNS = ("code", "name", "level", "parent_code")


def _division_code(code: str) -> str:
    if not code.isdigit():
        raise problem(f"'{code}' is not a numeric division code")
    return code


class RegionRow(ImportRow):
    code: Annotated[RequiredText, AfterValidator(_division_code)]
    name: RequiredText
    level: RequiredLevel
    parent_code: OptionalText = None


def read_regions(path: Path, existing: dict[str, str]) -> list[tuple[int, RegionRow]]:
    """(line, row) of a valid regions CSV, checked against itself and ``existing`` {code: level}."""
    file = path.name
    rows: list[tuple[int, RegionRow]] = []
    seen: dict[str, int] = {}
    for line, record in csv_rows(path, COLUMNS):
        code = record["code"]
        if code in seen:  # named before the row's other problems: the row may be a copy of another
            raise CatalogImportError(file, line, "code", f"duplicate code {code} (first on row {seen[code]})")
        row = validated(RegionRow, file, line, record)
        seen[row.code] = line
        rows.append((line, row))
    levels = {**existing, **{row.code: row.level for _, row in rows}}
    for line, row in rows:
        _check_parent(file, line, row, levels)
    return rows


def _check_parent(file: str, line: int, row: RegionRow, levels: dict[str, str]) -> None:
    if row.level in TOP_LEVELS:
        # A county's parent (the city) is kept when loaded, as a city's (the province) would be.
        if row.parent_code not in levels:
            row.parent_code = None
        elif row.level == "county" and levels[row.parent_code] != "city":
            raise CatalogImportError(file, line, "parent_code",
                                     f"parent {row.parent_code} is a {levels[row.parent_code]}, a county needs a city")
        return
    if not row.parent_code:
        raise CatalogImportError(file, line, "parent_code", f"missing (a {row.level} needs its parent)")
    parent_level: Optional[str] = levels.get(row.parent_code)
    if parent_level is None:
        raise CatalogImportError(file, line, "parent_code", f"unknown parent code {row.parent_code}")
    if parent_level != PARENT_LEVEL[row.level]:
        raise CatalogImportError(
            file, line, "parent_code",
            f"parent {row.parent_code} is a {parent_level}, a {row.level} needs a {PARENT_LEVEL[row.level]}",
        )


def import_regions(session: Session, path: str | Path) -> int:
    """Load or update regions with their aliases and service points; returns the row count."""
    path = Path(path)
    existing: dict[str, str] = {code: level for code, level in session.execute(select(Region.code, Region.level))}
    rows = [row for _, row in read_regions(path, existing)]
    order = {level: rank for rank, level in enumerate(("city", "county", "town", "village"))}
    with session.begin_nested():
        for row in sorted(rows, key=lambda r: order[r.level]):  # parents before children
            _upsert_region(session, row)
        session.flush()
    invalidate_catalog(session)
    log.info("imported %d regions from %s", len(rows), path.name)
    return len(rows)


def _upsert_region(session: Session, row: RegionRow) -> None:
    region = session.get(Region, row.code) or Region(code=row.code)
    region.name, region.level, region.parent_code = row.name, row.level, row.parent_code
    session.add(region)
    wanted = region_aliases(row.name, row.level)
    region.aliases = [alias for alias in region.aliases if alias.alias in wanted]
    present = {alias.alias for alias in region.aliases}
    region.aliases.extend(RegionAlias(alias=alias) for alias in wanted if alias not in present)
    point = region.service_point or ServicePoint()
    point.level, point.name = row.level, service_point_name(row.name, row.level)
    region.service_point = point  # address/hours/phone/coordinates of an existing point are kept
