"""The real item list (JSON list of objects, or CSV): names, departments, levels, official guide links,
and the item code of each (docs/INTERNAL_API.md, "Item codes"). Authored guide content is kept."""
from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Iterable, Optional

from pydantic import BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_catalog
from catalog.importers.fields import ImportRow, OptionalLevel, OptionalText, RequiredText, problem, validated
from catalog.importers.files import CatalogImportError, csv_rows, json_records
from catalog.models import Bundle, Item, ItemAlias
from catalog.naming import disambiguated_code, item_code_from_url
from catalog.text import normalise

log = logging.getLogger(__name__)


def _split_aliases(value: Any) -> list[str]:
    """「甲|乙；丙」 in a CSV cell, or a JSON list; each alias normalised."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [normalise(part) for part in re.split(r"[|；;]", value) if part.strip()]
    if not isinstance(value, list):
        raise problem(f"must be text or a list of text, got {type(value).__name__}")
    return [normalise(str(part)) for part in value if str(part).strip()]


class ItemRow(ImportRow):
    guide_url: OptionalText = None
    name: RequiredText
    department: RequiredText
    main_item: OptionalText = None
    code: OptionalText = None  # without it, the code comes from the link's itemCode (read_items)
    level: OptionalLevel = None
    aliases: Annotated[list[str], BeforeValidator(_split_aliases)] = Field(default_factory=list)


def _item_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".csv":
        return csv_rows(path, ("name", "department"))
    return json_records(path)


def read_items(path: Path) -> list[tuple[int, str, ItemRow]]:
    """(row, item code, item) of a valid items file; the code is the file's own, else the one its official
    guide link gives (docs/INTERNAL_API.md, "Item codes")."""
    file = path.name
    rows: list[tuple[int, ItemRow]] = []
    codes: list[tuple[str, Optional[str]]] = []  # (code, the full itemCode when the code comes from the link)
    for line, record in _item_records(path):
        item = validated(ItemRow, file, line, record)
        if item.code is not None:
            codes.append((item.code, None))
        else:
            parsed = item_code_from_url(item.guide_url) if item.guide_url else None
            if parsed is None:
                raise CatalogImportError(file, line, "guide_url", "no itemCode= in the link and no code given")
            codes.append(parsed)
        rows.append((line, item))
    # Items whose links share the first itemCode segment get a code with a hash of the full itemCode.
    shared = Counter(code for code, full in codes if full)
    first_row: dict[str, int] = {}
    coded = []
    for (line, item), (code, full) in zip(rows, codes):
        if full and shared[code] > 1:
            code = disambiguated_code(code, full)
        if code in first_row:
            raise CatalogImportError(file, line, "code", f"duplicate code {code} (first on row {first_row[code]})")
        first_row[code] = line
        coded.append((line, code, item))
    return coded


def import_items(session: Session, path: str | Path, region: Optional[str] = None) -> int:
    """Load or update the real item list; authored guide content on existing items is kept.
    ``region``: the region (tenant) whose list this is, stored on every item."""
    path = Path(path)
    rows = read_items(path)
    bundle_codes = set(session.scalars(select(Bundle.code)))
    for line, code, _ in rows:
        if code in bundle_codes:
            raise CatalogImportError(path.name, line, "code", f"{code} is already a bundle code")
    with session.begin_nested():
        existing = {item.code: item for item in session.scalars(select(Item))}
        for _, code, row in rows:
            _upsert_item(session, existing.get(code), code, row, region)
        session.flush()
    invalidate_catalog(session)
    log.info("imported %d items from %s", len(rows), path.name)
    return len(rows)


def _upsert_item(session: Session, item: Optional[Item], code: str, row: ItemRow,
                 region: Optional[str] = None) -> None:
    if item is None:
        item = Item(code=code, source="real", has_guide=False, level=row.level or "county")
        session.add(item)
    elif row.level:
        item.level = row.level
    item.name, item.department, item.main_item = row.name, row.department, row.main_item
    item.guide_url = row.guide_url
    if region is not None:
        item.region_code = region
    set_item_aliases(item, row.aliases, origin="items")


def set_item_aliases(item: Item, wanted: Iterable[str], origin: str) -> None:
    """The aliases ``origin`` (one file) gives ``item`` become exactly ``wanted``; other files' stay."""
    wanted = [alias for alias in dict.fromkeys(wanted) if alias and alias != item.name]
    item.aliases[:] = [a for a in item.aliases if a.origin != origin or a.alias in wanted]
    present = {alias.alias for alias in item.aliases}
    item.aliases.extend(ItemAlias(alias=alias, origin=origin) for alias in wanted if alias not in present)
