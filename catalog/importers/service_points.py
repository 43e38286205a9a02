"""Service points CSV (region_code[,name,address,hours,phone,lat,lng]): what the citizen is told of a
loaded region's service point. A column in the header is set on every row; one not in it is kept."""
from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_catalog
from catalog.importers.fields import ImportRow, OptionalText, RequiredText, problem, validated
from catalog.importers.files import CatalogImportError, csv_header, csv_rows
from catalog.models import Region, ServicePoint

log = logging.getLogger(__name__)


def _length(column: Any) -> int:
    return column.type.length


SERVICE_POINT_TEXT = {  # column → longest value, as in catalog/models.py ServicePoint
    name: _length(ServicePoint.__table__.c[name]) for name in ("name", "address", "hours", "phone")
}
SERVICE_POINT_RANGES = {"lat": 90.0, "lng": 180.0}
SERVICE_POINT_COLUMNS = ("region_code", *SERVICE_POINT_TEXT, *SERVICE_POINT_RANGES)
PHONE_ALLOWED = "digits, spaces and - + ( ) 转 / 、 ,"
_PHONE_OTHER = re.compile(r"[^0-9 \-+()转/、,]")


def _at_most(column: str) -> AfterValidator:
    limit = SERVICE_POINT_TEXT[column]

    def check(value: Optional[str]) -> Optional[str]:
        if value is not None and len(value) > limit:
            raise problem(f"longer than {limit} characters ({len(value)})")
        return value

    return AfterValidator(check)


def _phone(value: Optional[str]) -> Optional[str]:
    other = "".join(dict.fromkeys(_PHONE_OTHER.findall(value or "")))
    if other:
        raise problem(f"'{value}' has '{other}': only {PHONE_ALLOWED} are allowed")
    return value


def _coordinate(column: str) -> BeforeValidator:
    limit = SERVICE_POINT_RANGES[column]

    def parse(text: Any) -> Optional[float]:
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise problem(f"'{text}' is not a number")
        if not -limit <= value <= limit:
            raise problem(f"{text} is out of range {-limit:g}..{limit:g}")
        return value

    return BeforeValidator(parse)


def _loaded_point(code: str, info: ValidationInfo) -> str:
    points = (info.context or {}).get("points", {})
    if code not in points:
        raise problem(f"unknown region code {code}")
    if points[code] is None:
        raise problem(f"region {code} has no service point")
    return code


class ServicePointRow(ImportRow):
    """A CSV row; only the columns of the file's header are written (``read_service_points``).
    Validated with ``context={"points": {region code: service point id or None}}``."""

    region_code: Annotated[RequiredText, AfterValidator(_loaded_point)]
    name: Annotated[OptionalText, _at_most("name")] = None
    address: Annotated[OptionalText, _at_most("address")] = None
    hours: Annotated[OptionalText, _at_most("hours")] = None
    phone: Annotated[OptionalText, _at_most("phone"), AfterValidator(_phone)] = None
    lat: Annotated[Optional[float], _coordinate("lat")] = None
    lng: Annotated[Optional[float], _coordinate("lng")] = None


def _settable_columns(file: str, header: list[str]) -> list[str]:
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
        raise CatalogImportError(file, 1, missing, "column missing from the header (lat and lng come together)")
    return [column for column in SERVICE_POINT_COLUMNS[1:] if column in header]


def read_service_points(path: Path, points: dict[str, Optional[int]]) -> list[tuple[str, dict[str, Any]]]:
    """(region code, {column: value}) for each row of a valid service points CSV, checked against
    ``points`` {region code: its service point's id, None when it has none} of the loaded regions.
    The values hold the header's columns only: a column absent from the header keeps its field."""
    file = path.name
    columns = _settable_columns(file, csv_header(path))
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, record in csv_rows(path, ("region_code",)):
        code = record["region_code"]
        if code in seen:  # named before the row's other problems: the row may be a copy of another
            raise CatalogImportError(file, line, "region_code",
                                     f"duplicate region_code {code} (first on row {seen[code]})")
        row = validated(ServicePointRow, file, line, record, context={"points": points})
        seen[row.region_code] = line
        values = {column: getattr(row, column) for column in columns}
        if "name" in values and values["name"] is None:
            del values["name"]  # an empty name cell keeps the current name
        if "lat" in values and (values["lat"] is None) != (values["lng"] is None):
            missing = "lat" if values["lat"] is None else "lng"
            raise CatalogImportError(file, line, missing, "missing (lat and lng are both set or both empty)")
        rows.append((row.region_code, values))
    return rows


def import_service_points(session: Session, path: str | Path) -> int:
    """Set names, addresses, hours, phones and coordinates of loaded service points; returns the row count.

    A column in the header is set on every row (an empty cell clears it, except ``name``, which
    an empty cell keeps); a column not in the header leaves its field as it is.
    """
    path = Path(path)
    points: dict[str, Optional[int]] = {
        code: point for code, point in session.execute(select(Region.code, ServicePoint.id)
                                                       .outerjoin(Region.service_point))}
    rows = read_service_points(path, points)
    with session.begin_nested():
        for code, values in rows:
            point = session.get(ServicePoint, points[code])
            for column, value in values.items():
                setattr(point, column, value)
        session.flush()
    invalidate_catalog(session)  # memoised locations (catalog/queries.py nearest_service_point) would keep the old ones
    log.info("imported %d service points from %s", len(rows), path.name)
    return len(rows)
