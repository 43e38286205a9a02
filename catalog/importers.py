"""Load regions (CSV), service points (CSV), items (JSON or CSV) and authored guides (YAML) into the catalog.

Every importer validates the whole file first and reports the first broken row as
``CatalogImportError`` (file, row, field); then writes inside one SAVEPOINT, so a failure
leaves the database as it was. Importers flush but never commit: the caller owns the
transaction (the CLI commits once per command).
"""
from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_all
from catalog.models import (
    FACT_KINDS,
    LEVELS,
    Bundle,
    BundleAlias,
    BundleFact,
    BundleMaterial,
    BundleMember,
    BundleOmit,
    CatalogMeta,
    Fact,
    FactOption,
    Item,
    ItemAlias,
    ItemFact,
    Material,
    Region,
    RegionAlias,
    ServicePoint,
)
from catalog.naming import disambiguated_code, item_code_from_url, region_aliases, service_point_name
from catalog.search import invalidate_search_index
from catalog.text import normalise

log = logging.getLogger(__name__)

PARENT_LEVEL = {"town": "county", "village": "town"}
# Levels whose parent may be absent: a city's province, and a county's city in a county-only load.
TOP_LEVELS = ("city", "county")
SAMPLE_NOTICE_KEY = "sample_notice"


class CatalogImportError(ValueError):
    """A broken input row: ``guangan_items.json: row 17, field "name": missing``."""

    def __init__(self, file: str, row: Optional[object], field: Optional[str], message: str):
        self.file, self.row, self.field, self.message = file, row, field, message
        parts = [f"row {row}" if row is not None else "", f'field "{field}"' if field else ""]
        location = ", ".join(part for part in parts if part)
        super().__init__(f"{file}: {location}: {message}" if location else f"{file}: {message}")


# ---------------------------------------------------------------- reading files


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise CatalogImportError(path.name, None, None, f"not UTF-8 text ({error.reason})") from error


def _csv_rows(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; the header is line 1, so row numbers match a spreadsheet's."""
    reader = csv.DictReader(io.StringIO(_read_text(path), newline=""))
    try:
        header = reader.fieldnames or []
        for column in required:
            if column not in header:
                raise CatalogImportError(path.name, 1, column, "column missing from the header")
        rows = []
        for record in reader:
            line = reader.line_num
            if None in record:
                raise CatalogImportError(path.name, line, None, "more values than header columns")
            for column, value in record.items():
                if value is None:
                    raise CatalogImportError(path.name, line, column, "missing (row has too few values)")
            rows.append((line, {key: value.strip() for key, value in record.items()}))
        return rows
    except csv.Error as error:
        raise CatalogImportError(path.name, reader.line_num, None, f"malformed CSV: {error}") from error


def _required_text(file: str, row: object, record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CatalogImportError(file, row, name, "missing")
    if not isinstance(value, str):
        raise CatalogImportError(file, row, name, f"must be text, got {type(value).__name__}")
    return _official(value)


def _official(value: str) -> str:
    """Official names are stored verbatim (「（包括临时）」 keeps its full-width brackets),
    only trimmed; matching code normalises its own copy."""
    return value.strip()


def _optional_text(file: str, row: object, record: dict[str, Any], name: str) -> Optional[str]:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise CatalogImportError(file, row, name, f"must be text, got {type(value).__name__}")
    return _official(value)


def _level(file: str, row: object, value: Optional[str], name: str = "level") -> Optional[str]:
    if value in (None, ""):
        return None
    if value not in LEVELS:
        raise CatalogImportError(file, row, name, f"'{value}' is not one of {', '.join(LEVELS)}")
    return value


# ---------------------------------------------------------------- regions


@dataclass
class RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: Optional[str]


def read_regions(path: Path, existing: dict[str, str]) -> list[RegionRow]:
    """Validate a regions CSV (code,name,level,parent_code) against itself and ``existing`` {code: level}."""
    file = path.name
    rows: list[RegionRow] = []
    seen: dict[str, int] = {}
    for line, record in _csv_rows(path, ("code", "name", "level", "parent_code")):
        code = _required_text(file, line, record, "code")
        if not code.isdigit():
            raise CatalogImportError(file, line, "code", f"'{code}' is not a numeric division code")
        if code in seen:
            raise CatalogImportError(file, line, "code", f"duplicate code {code} (first on row {seen[code]})")
        seen[code] = line
        name = _required_text(file, line, record, "name")
        level = _level(file, line, _required_text(file, line, record, "level"))
        rows.append(RegionRow(line, code, name, level, record.get("parent_code") or None))
    levels = {**existing, **{row.code: row.level for row in rows}}
    for row in rows:
        _check_parent(file, row, levels)
    return rows


def _check_parent(file: str, row: RegionRow, levels: dict[str, str]) -> None:
    if row.level in TOP_LEVELS:
        # A county's parent (the city) is kept when loaded, as a city's (the province) would be.
        if row.parent_code not in levels:
            row.parent_code = None
        elif row.level == "county" and levels[row.parent_code] != "city":
            raise CatalogImportError(file, row.line, "parent_code",
                                     f"parent {row.parent_code} is a {levels[row.parent_code]}, a county needs a city")
        return
    if not row.parent_code:
        raise CatalogImportError(file, row.line, "parent_code", f"missing (a {row.level} needs its parent)")
    parent_level = levels.get(row.parent_code)
    if parent_level is None:
        raise CatalogImportError(file, row.line, "parent_code", f"unknown parent code {row.parent_code}")
    if parent_level != PARENT_LEVEL[row.level]:
        raise CatalogImportError(
            file, row.line, "parent_code",
            f"parent {row.parent_code} is a {parent_level}, a {row.level} needs a {PARENT_LEVEL[row.level]}",
        )


def import_regions(session: Session, path: str | Path) -> int:
    """Load or update regions with their aliases and service points; returns the row count."""
    path = Path(path)
    existing = dict(session.execute(select(Region.code, Region.level)).all())
    rows = read_regions(path, existing)
    order = {level: rank for rank, level in enumerate(("city", "county", "town", "village"))}
    with session.begin_nested():
        for row in sorted(rows, key=lambda r: order[r.level]):  # parents before children
            _upsert_region(session, row)
        session.flush()
    invalidate_search_index()
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


# ---------------------------------------------------------------- service points

SERVICE_POINT_TEXT = {  # column → longest value, as in catalog/models.py ServicePoint
    "name": ServicePoint.__table__.c.name.type.length,
    "address": ServicePoint.__table__.c.address.type.length,
    "hours": ServicePoint.__table__.c.hours.type.length,
    "phone": ServicePoint.__table__.c.phone.type.length,
}
SERVICE_POINT_RANGES = {"lat": 90.0, "lng": 180.0}
SERVICE_POINT_COLUMNS = ("region_code", *SERVICE_POINT_TEXT, *SERVICE_POINT_RANGES)
PHONE_ALLOWED = "digits, spaces and - + ( ) 转 / 、 ,"
_PHONE_OTHER = re.compile(r"[^0-9 \-+()转/、,]")


@dataclass
class ServicePointRow:
    line: int
    region_code: str
    values: dict[str, Any]  # only the fields this file sets: a column absent from the header keeps its field


def _csv_header(path: Path) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(_read_text(path), newline="")), [])
    except csv.Error as error:
        raise CatalogImportError(path.name, 1, None, f"malformed CSV: {error}") from error


def _check_service_point_header(file: str, header: list[str]) -> list[str]:
    """The settable columns of the header; unknown, repeated or half-given (lat without lng) columns fail."""
    if "region_code" not in header:
        raise CatalogImportError(file, 1, "region_code", "column missing from the header")
    for index, column in enumerate(header):
        if column not in SERVICE_POINT_COLUMNS:
            known = ", ".join(SERVICE_POINT_COLUMNS)
            raise CatalogImportError(file, 1, column, f"unknown column (known: {known})")
        if column in header[:index]:
            raise CatalogImportError(file, 1, column, "column appears twice in the header")
    if ("lat" in header) != ("lng" in header):
        missing = "lng" if "lat" in header else "lat"
        raise CatalogImportError(file, 1, missing,
                                 "column missing from the header (lat and lng come together)")
    return [column for column in SERVICE_POINT_COLUMNS[1:] if column in header]


def _coordinate(file: str, row: int, record: dict[str, str], name: str) -> Optional[float]:
    text = record[name]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise CatalogImportError(file, row, name, f"'{text}' is not a number")
    limit = SERVICE_POINT_RANGES[name]
    if not -limit <= value <= limit:
        raise CatalogImportError(file, row, name, f"{text} is out of range {-limit:g}..{limit:g}")
    return value


def _service_point_text(file: str, row: int, record: dict[str, str], name: str) -> Optional[str]:
    value = _optional_text(file, row, record, name)
    if value is None:
        return None
    if len(value) > SERVICE_POINT_TEXT[name]:
        raise CatalogImportError(file, row, name,
                                 f"longer than {SERVICE_POINT_TEXT[name]} characters ({len(value)})")
    if name == "phone":
        other = "".join(dict.fromkeys(_PHONE_OTHER.findall(value)))
        if other:
            raise CatalogImportError(file, row, name,
                                     f"'{value}' has '{other}': only {PHONE_ALLOWED} are allowed")
    return value


def read_service_points(path: Path, points: dict[str, Optional[int]]) -> list[ServicePointRow]:
    """Validate a service points CSV (region_code[,name,address,hours,phone,lat,lng]) against
    ``points`` {region code: its service point's id, None when it has none} of the loaded regions."""
    file = path.name
    columns = _check_service_point_header(file, _csv_header(path))
    rows: list[ServicePointRow] = []
    seen: dict[str, int] = {}
    for line, record in _csv_rows(path, ("region_code",)):
        code = _required_text(file, line, record, "region_code")
        if code not in points:
            raise CatalogImportError(file, line, "region_code", f"unknown region code {code}")
        if points[code] is None:
            raise CatalogImportError(file, line, "region_code", f"region {code} has no service point")
        if code in seen:
            raise CatalogImportError(file, line, "region_code",
                                     f"duplicate region_code {code} (first on row {seen[code]})")
        seen[code] = line
        values: dict[str, Any] = {}
        for column in columns:
            if column in SERVICE_POINT_TEXT:
                values[column] = _service_point_text(file, line, record, column)
            else:
                values[column] = _coordinate(file, line, record, column)
        if "name" in values and values["name"] is None:
            del values["name"]  # an empty name cell keeps the current name
        if "lat" in values and (values["lat"] is None) != (values["lng"] is None):
            missing = "lat" if values["lat"] is None else "lng"
            raise CatalogImportError(file, line, missing, "missing (lat and lng are both set or both empty)")
        rows.append(ServicePointRow(line, code, values))
    return rows


def import_service_points(session: Session, path: str | Path) -> int:
    """Set names, addresses, hours, phones and coordinates of loaded service points; returns the row count.

    A column in the header is set on every row (an empty cell clears it, except ``name``, which
    an empty cell keeps); a column not in the header leaves its field as it is.
    """
    path = Path(path)
    points = dict(session.execute(select(Region.code, ServicePoint.id).outerjoin(Region.service_point)).all())
    rows = read_service_points(path, points)
    with session.begin_nested():
        for row in rows:
            point = session.get(ServicePoint, points[row.region_code])
            for column, value in row.values.items():
                setattr(point, column, value)
        session.flush()
    invalidate_all()  # memoised locations (catalog/queries.py nearest_service_point) would keep the old ones
    log.info("imported %d service points from %s", len(rows), path.name)
    return len(rows)


# ---------------------------------------------------------------- items


@dataclass
class ItemRow:
    row: int
    name: str
    department: str
    main_item: Optional[str]
    guide_url: Optional[str]
    code: Optional[str]
    level: Optional[str]
    aliases: list[str] = field(default_factory=list)
    full_item_code: Optional[str] = None


def _split_aliases(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [normalise(part) for part in re.split(r"[|；;]", value) if part.strip()]
    return [normalise(str(part)) for part in value if str(part).strip()]


def _item_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".csv":
        return _csv_rows(path, ("name", "department"))
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise CatalogImportError(path.name, None, None, f"malformed JSON at line {error.lineno}: {error.msg}") from error
    if not isinstance(data, list):
        raise CatalogImportError(path.name, None, None, "top level must be a list of items")
    records = []
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise CatalogImportError(path.name, index, None, "must be an object")
        records.append((index, record))
    return records


def read_items(path: Path) -> list[ItemRow]:
    """Validate an items file and give every row its code (docs/INTERNAL_API.md, "Item codes")."""
    file = path.name
    rows = []
    for row, record in _item_records(path):
        guide_url = _optional_text(file, row, record, "guide_url")
        item = ItemRow(
            row=row,
            name=_required_text(file, row, record, "name"),
            department=_required_text(file, row, record, "department"),
            main_item=_optional_text(file, row, record, "main_item"),
            guide_url=guide_url,
            code=_optional_text(file, row, record, "code"),
            level=_level(file, row, _optional_text(file, row, record, "level")),
            aliases=_split_aliases(record.get("aliases")),
        )
        if item.code is None:
            parsed = item_code_from_url(guide_url) if guide_url else None
            if parsed is None:
                raise CatalogImportError(file, row, "guide_url", "no itemCode= in the link and no code given")
            item.code, item.full_item_code = parsed
        rows.append(item)
    _disambiguate_codes(file, rows)
    return rows


def _disambiguate_codes(file: str, rows: list[ItemRow]) -> None:
    derived = Counter(row.code for row in rows if row.full_item_code)
    for row in rows:
        if row.full_item_code and derived[row.code] > 1:
            row.code = disambiguated_code(row.code, row.full_item_code)
    first_row: dict[str, int] = {}
    for row in rows:
        if row.code in first_row:
            raise CatalogImportError(file, row.row, "code", f"duplicate code {row.code} (first on row {first_row[row.code]})")
        first_row[row.code] = row.row


def import_items(session: Session, path: str | Path, region: Optional[str] = None) -> int:
    """Load or update the real item list; authored guide content on existing items is kept.
    ``region``: the region (tenant) whose list this is, stored on every item."""
    path = Path(path)
    rows = read_items(path)
    bundle_codes = set(session.scalars(select(Bundle.code)))
    for row in rows:
        if row.code in bundle_codes:
            raise CatalogImportError(path.name, row.row, "code", f"{row.code} is already a bundle code")
    with session.begin_nested():
        existing = {item.code: item for item in session.scalars(select(Item))}
        for row in rows:
            _upsert_item(session, existing.get(row.code), row, region)
        session.flush()
    invalidate_search_index()
    log.info("imported %d items from %s", len(rows), path.name)
    return len(rows)


def _upsert_item(session: Session, item: Optional[Item], row: ItemRow, region: Optional[str] = None) -> None:
    if item is None:
        item = Item(code=row.code, source="real", has_guide=False, level=row.level or "county")
        session.add(item)
    elif row.level:
        item.level = row.level
    item.name, item.department, item.main_item = row.name, row.department, row.main_item
    item.guide_url = row.guide_url
    if region is not None:
        item.region_code = region
    _set_item_aliases(item, row.aliases, origin="items")


def _add_aliases(current: list, alias_class: type, wanted: Iterable[str], official: str) -> None:
    present = {alias.alias for alias in current}
    for alias in wanted:
        if alias and alias != official and alias not in present:
            current.append(alias_class(alias=alias))
            present.add(alias)


def _set_item_aliases(item: Item, wanted: Iterable[str], origin: str) -> None:
    """The aliases ``origin`` (one file) gives ``item`` become exactly ``wanted``; other files' stay."""
    wanted = [alias for alias in dict.fromkeys(wanted) if alias and alias != item.name]
    item.aliases[:] = [a for a in item.aliases if a.origin != origin or a.alias in wanted]
    present = {alias.alias for alias in item.aliases}
    item.aliases.extend(ItemAlias(alias=alias, origin=origin) for alias in wanted if alias not in present)


# ---------------------------------------------------------------- guides (authored YAML)


class _GuideChecker:
    """Validates guides.yaml section by section; every error names section, row and field."""

    def __init__(self, session: Session, path: Path, data: dict[str, Any]):
        self.session, self.file, self.data = session, path.name, data
        self.fact_values: dict[str, set[str]] = {}
        for fact in session.scalars(select(Fact)):
            self.fact_values[fact.key] = {option.value for option in fact.options}
        self.items_by_name: dict[str, list[str]] = {}
        for code, name in session.execute(select(Item.code, Item.name)):
            self.items_by_name.setdefault(normalise(name), []).append(code)

    def fail(self, section: str, row: int, field_name: Optional[str], message: str) -> CatalogImportError:
        return CatalogImportError(self.file, f"{row} of {section}", field_name, message)

    def section(self, name: str) -> list[dict[str, Any]]:
        records = self.data.get(name) or []
        if not isinstance(records, list):
            raise CatalogImportError(self.file, None, name, "must be a list")
        for index, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise self.fail(name, index, None, "must be a mapping")
        return records

    def text(self, section: str, row: int, record: dict, name: str, required: bool = False) -> Optional[str]:
        try:
            if required:
                return _required_text(self.file, row, record, name)
            return _optional_text(self.file, row, record, name)
        except CatalogImportError as error:
            raise self.fail(section, row, name, error.message) from None

    def string_list(self, section: str, row: int, record: dict, name: str, keep_form: bool = False) -> list[str]:
        value = record.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise self.fail(section, row, name, "must be a list of text")
        return [str(v).strip() if keep_form else normalise(str(v)) for v in value if str(v).strip()]

    def level(self, section: str, row: int, record: dict) -> Optional[str]:
        value = record.get("level")
        if value is not None and value not in LEVELS:
            raise self.fail(section, row, "level", f"'{value}' is not one of {', '.join(LEVELS)}")
        return value

    def trips(self, section: str, row: int, record: dict) -> Optional[int]:
        value = record.get("trips")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(section, row, "trips", f"must be a whole number, got {value!r}")
        return value

    def condition(self, section: str, row: int, field_name: str, value: Any) -> Optional[dict[str, str]]:
        if value in (None, {}):
            return None
        if not isinstance(value, dict):
            raise self.fail(section, row, field_name, "must be a mapping {fact: value}")
        condition = {}
        for key, fact_value in value.items():
            fact_value = _fact_value(fact_value)
            if key not in self.fact_values:
                raise self.fail(section, row, field_name, f"unknown fact '{key}'")
            if fact_value not in self.fact_values[key]:
                raise self.fail(section, row, field_name, f"'{fact_value}' is not an option of fact '{key}'")
            condition[str(key)] = fact_value
        return condition

    def fact_keys(self, section: str, row: int, record: dict) -> list[str]:
        keys = self.string_list(section, row, record, "facts")
        for key in keys:
            if key not in self.fact_values:
                raise self.fail(section, row, "facts", f"unknown fact '{key}'")
        return list(dict.fromkeys(keys))

    def materials(self, section: str, row: int, record: dict, name: str = "materials") -> list[dict[str, Any]]:
        value = record.get(name) or []
        if not isinstance(value, list):
            raise self.fail(section, row, name, "must be a list")
        materials = []
        for index, material in enumerate(value, start=1):
            where = f"{name}[{index}]"
            if not isinstance(material, dict):
                raise self.fail(section, row, where, "must be a mapping")
            material_name = material.get("name")
            if not isinstance(material_name, str) or not material_name.strip():
                raise self.fail(section, row, f"{where}.name", "missing")
            copies = material.get("copies")
            if copies is not None and (isinstance(copies, bool) or not isinstance(copies, int) or copies < 0):
                raise self.fail(section, row, f"{where}.copies", f"must be a whole number, got {copies!r}")
            materials.append({
                "name": _official(material_name),
                "copies": copies,
                "form": _clean(material.get("form")),
                "note": _clean(material.get("note")),
                "condition": self.condition(section, row, f"{where}.when", material.get("when")),
            })
        return materials


def _clean(value: Any) -> Optional[str]:
    return _official(str(value)) or None if value not in (None, "") else None


def _fact_value(value: Any) -> str:
    # YAML 1.1 reads unquoted yes/no as booleans; fact values are always strings.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogImportError(path.name, None, None, f"malformed YAML{line}: {getattr(error, 'problem', error)}") from error
    if not isinstance(data, dict):
        raise CatalogImportError(path.name, None, None, "top level must be a mapping with facts/items/bundles")
    return data


@dataclass
class GuidePlan:
    notice: Optional[str]
    facts: list[dict[str, Any]]
    items: list[dict[str, Any]]
    bundles: list[dict[str, Any]]


def read_guides(session: Session, path: Path) -> GuidePlan:
    checker = _GuideChecker(session, path, _load_yaml(path))
    notice = _clean(checker.data.get("notice"))
    facts = [_read_fact(checker, row, record) for row, record in enumerate(checker.section("facts"), start=1)]
    items = []
    for row, record in enumerate(checker.section("items"), start=1):
        items.append(_read_guide_item(checker, row, record))
    bundles = []
    for row, record in enumerate(checker.section("bundles"), start=1):
        bundles.append(_read_bundle(checker, row, record))
    _check_unique(checker, "items", [item["code"] for item in items])
    _check_unique(checker, "bundles", [bundle["code"] for bundle in bundles])
    return GuidePlan(notice, facts, items, bundles)


def _check_unique(checker: _GuideChecker, section: str, codes: list[str]) -> None:
    seen: dict[str, int] = {}
    for row, code in enumerate(codes, start=1):
        if code in seen:
            raise checker.fail(section, row, "code" if section == "bundles" else "name",
                               f"{code} already defined on row {seen[code]}")
        seen[code] = row


def _read_fact(checker: _GuideChecker, row: int, record: dict) -> dict[str, Any]:
    section = "facts"
    key = checker.text(section, row, record, "key", required=True)
    kind = checker.text(section, row, record, "kind", required=True)
    if kind not in FACT_KINDS:
        raise checker.fail(section, row, "kind", f"'{kind}' is not one of {', '.join(FACT_KINDS)}")
    options_value = record.get("options")
    if not isinstance(options_value, list) or not options_value:
        raise checker.fail(section, row, "options", "missing (a fact needs at least one option)")
    options = []
    for index, option in enumerate(options_value, start=1):
        where = f"options[{index}]"
        if not isinstance(option, dict) or option.get("value") in (None, ""):
            raise checker.fail(section, row, f"{where}.value", "missing")
        label = option.get("label")
        if not isinstance(label, str) or not label.strip():
            raise checker.fail(section, row, f"{where}.label", "missing")
        words = option.get("words") or []
        if not isinstance(words, list):
            raise checker.fail(section, row, f"{where}.words", "must be a list of text")
        options.append({
            "value": _fact_value(option["value"]),
            "label": _official(label),
            "words": [normalise(str(word)) for word in words if str(word).strip()],
            "condition_text": _clean(option.get("condition_text")),
        })
    values = [option["value"] for option in options]
    if len(set(values)) != len(values):
        raise checker.fail(section, row, "options", "duplicate option value")
    checker.fact_values[key] = set(values)  # later sections may refer to it
    return {"key": key, "kind": kind, "question": checker.text(section, row, record, "question", required=True),
            "options": options}


def _read_guide_item(checker: _GuideChecker, row: int, record: dict) -> dict[str, Any]:
    section = "items"
    name = checker.text(section, row, record, "name", required=True)
    authored = record.get("authored", False)
    if not isinstance(authored, bool):
        raise checker.fail(section, row, "authored", "must be true or false")
    code = checker.text(section, row, record, "code")
    department = checker.text(section, row, record, "department")
    if authored:
        if not code:
            raise checker.fail(section, row, "code", "missing (authored items set their own code)")
        if not department:
            raise checker.fail(section, row, "department", "missing (required for authored items)")
    else:
        code = _existing_item_code(checker, row, name, code)
    level = checker.level(section, row, record)
    known = checker.items_by_name.setdefault(normalise(name), [])
    if code not in known:
        known.append(code)
    return {
        "code": code, "name": name, "authored": authored, "department": department, "level": level,
        **_guide_fields(checker, section, row, record),
    }


def _guide_fields(checker: _GuideChecker, section: str, row: int, record: dict) -> dict[str, Any]:
    """What an item's guide and a bundle's guide both carry, checked the same way."""
    return {
        "aliases": checker.string_list(section, row, record, "aliases"),
        "time_limit": checker.text(section, row, record, "time_limit"),
        "fee": checker.text(section, row, record, "fee"),
        "trips": checker.trips(section, row, record),
        "online": checker.text(section, row, record, "online"),
        "process": checker.text(section, row, record, "process"),
        "facts": checker.fact_keys(section, row, record),
        "materials": checker.materials(section, row, record),
    }


def _existing_item_code(checker: _GuideChecker, row: int, name: str, code: Optional[str]) -> str:
    codes = checker.items_by_name.get(normalise(name), [])
    if code:
        if code not in codes:
            raise checker.fail("items", row, "code", f"no real item {code} named {name}")
        return code
    if not codes:
        raise checker.fail("items", row, "name", f"unknown item '{name}' (not in the loaded item list)")
    if len(codes) > 1:
        raise checker.fail("items", row, "name", f"'{name}' names {len(codes)} items: give one code of {codes}")
    return codes[0]


def _read_bundle(checker: _GuideChecker, row: int, record: dict) -> dict[str, Any]:
    section = "bundles"
    code = checker.text(section, row, record, "code", required=True)
    level = checker.level(section, row, record)
    members_value = record.get("members")
    if not isinstance(members_value, list) or not members_value:
        raise checker.fail(section, row, "members", "missing (a bundle needs member items)")
    members = []
    for index, member in enumerate(members_value, start=1):
        where = f"members[{index}]"
        item_name = member.get("item") if isinstance(member, dict) else None
        if not isinstance(item_name, str) or not item_name.strip():
            raise checker.fail(section, row, f"{where}.item", "missing")
        codes = checker.items_by_name.get(normalise(item_name), [])
        if len(codes) != 1:
            problem = "unknown item" if not codes else "ambiguous item name"
            raise checker.fail(section, row, f"{where}.item", f"{problem} '{item_name}'")
        members.append({"item_code": codes[0], "condition": checker.condition(section, row, f"{where}.when",
                                                                              member.get("when"))})
    if len({m["item_code"] for m in members}) != len(members):
        raise checker.fail(section, row, "members", "the same item is listed twice")
    return {
        "code": code, "name": checker.text(section, row, record, "name", required=True), "level": level,
        **_guide_fields(checker, section, row, record),
        "omit": [_official(name) for name in checker.string_list(section, row, record, "omit", keep_form=True)],
        "members": members,
    }


def import_guides(session: Session, path: str | Path, prune: bool = False) -> tuple[int, int]:
    """Load authored facts, item guides and bundles; returns (items, bundles) written.

    The item list must be loaded first: real items are matched by their exact name. With
    ``prune`` the file is the whole of the authored content: bundles, authored items and facts it
    no longer has are deleted, and real items it no longer guides lose their guide (materials,
    facts, guide aliases, time limit, fee, trips, online, process) and keep their real data.
    """
    path = Path(path)
    plan = read_guides(session, path)
    item_codes = {item["code"] for item in plan.items if item["authored"]}
    clash = item_codes & {b["code"] for b in plan.bundles}
    if clash:
        raise CatalogImportError(path.name, None, "code", f"used by both an item and a bundle: {sorted(clash)}")
    with session.begin_nested():
        if plan.notice:
            session.merge(CatalogMeta(key=SAMPLE_NOTICE_KEY, value=plan.notice))
        for fact in plan.facts:
            _write_fact(session, fact)
        session.flush()
        for item in plan.items:
            _write_guide_item(session, item)
        session.flush()
        for bundle in plan.bundles:
            _write_bundle(session, bundle)
        session.flush()
        if prune:
            _prune_guides(session, plan)
    invalidate_search_index()
    log.info("imported %d item guides and %d bundles from %s", len(plan.items), len(plan.bundles), path.name)
    return len(plan.items), len(plan.bundles)


def _prune_guides(session: Session, plan: GuidePlan) -> None:
    """Take out what an earlier version of the guides file wrote and this one no longer has."""
    bundles = session.scalars(select(Bundle).where(Bundle.code.not_in([b["code"] for b in plan.bundles]))).all()
    for bundle in bundles:
        session.delete(bundle)
    session.flush()
    members = set(session.scalars(select(BundleMember.item_code)))
    stale = session.scalars(
        select(Item).where(Item.has_guide.is_(True), Item.code.not_in([i["code"] for i in plan.items]))
    ).all()
    deleted = [item for item in stale if item.source == "authored sample" and item.code not in members]
    for item in stale:
        if item in deleted:
            session.delete(item)
            continue
        item.has_guide = False
        item.materials = []
        item.fact_links.clear()
        for key in ("time_limit", "fee", "trips", "online", "process"):
            setattr(item, key, None)
        _set_item_aliases(item, [], origin="guides")
    session.flush()
    linked = set(session.scalars(select(ItemFact.fact_key))) | set(session.scalars(select(BundleFact.fact_key)))
    facts = session.scalars(select(Fact).where(Fact.key.not_in([f["key"] for f in plan.facts]))).all()
    unused = [fact for fact in facts if fact.key not in linked]
    for fact in unused:
        session.delete(fact)
    session.flush()
    if bundles or stale or unused:
        log.info("pruned what the guides file no longer has: %d bundles, %d authored items deleted, "
                 "%d real items without guide, %d facts", len(bundles), len(deleted), len(stale) - len(deleted),
                 len(unused))


def _write_fact(session: Session, data: dict[str, Any]) -> None:
    fact = session.get(Fact, data["key"]) or Fact(key=data["key"])
    fact.kind, fact.question = data["kind"], data["question"]
    session.add(fact)
    fact.options.clear()
    session.flush()  # the old options must go before new ones reuse their (fact, value) pairs
    fact.options.extend(
        FactOption(position=position, value=o["value"], label=o["label"], words=o["words"],
                   condition_text=o["condition_text"])
        for position, o in enumerate(data["options"])
    )


def _write_guide_item(session: Session, data: dict[str, Any]) -> None:
    item = session.get(Item, data["code"])
    if item is None:
        if session.get(Bundle, data["code"]) is not None:
            raise CatalogImportError("guides", None, "code", f"{data['code']} is already a bundle code")
        item = Item(code=data["code"], name=data["name"])
        session.add(item)
    if data["authored"]:
        item.name, item.source = data["name"], "authored sample"
    if data["department"]:
        item.department = data["department"]
    item.level = data["level"] or item.level or "county"
    for key in ("time_limit", "fee", "trips", "online", "process"):
        setattr(item, key, data[key])
    item.has_guide = True
    _set_item_aliases(item, data["aliases"], origin="guides")
    item.materials = [Material(position=position, **material) for position, material in enumerate(data["materials"])]
    item.fact_links.clear()
    session.flush()
    item.fact_links.extend(ItemFact(fact_key=key, position=position) for position, key in enumerate(data["facts"]))


def _write_bundle(session: Session, data: dict[str, Any]) -> None:
    old = session.get(Bundle, data["code"])
    if old is not None:
        session.delete(old)
        session.flush()
    bundle = Bundle(code=data["code"], name=data["name"], level=data["level"], time_limit=data["time_limit"],
                    fee=data["fee"], trips=data["trips"], online=data["online"], process=data["process"])
    session.add(bundle)
    _add_aliases(bundle.aliases, BundleAlias, data["aliases"], bundle.name)
    bundle.members = [BundleMember(item_code=m["item_code"], position=position, condition=m["condition"])
                      for position, m in enumerate(data["members"])]
    bundle.materials = [BundleMaterial(position=position, **material)
                        for position, material in enumerate(data["materials"])]
    bundle.omits = [BundleOmit(name=name) for name in dict.fromkeys(data["omit"])]
    bundle.fact_links = [BundleFact(fact_key=key, position=position) for position, key in enumerate(data["facts"])]
