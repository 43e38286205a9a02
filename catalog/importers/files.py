"""What every importer shares: the error that names file, row and field, and reading the input files."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml


class CatalogImportError(ValueError):
    """A broken input row: ``guangan_items.json: row 17, field "name": missing``."""

    def __init__(self, file: str, row: Optional[object], field: Optional[str], message: str):
        self.file, self.row, self.field, self.message = file, row, field, message
        parts = [f"row {row}" if row is not None else "", f'field "{field}"' if field else ""]
        location = ", ".join(part for part in parts if part)
        super().__init__(f"{file}: {location}: {message}" if location else f"{file}: {message}")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is not part of the first column
    except UnicodeDecodeError as error:
        raise CatalogImportError(path.name, None, None, f"not UTF-8 text ({error.reason})") from error


def csv_header(path: Path) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(read_text(path), newline="")), [])
    except csv.Error as error:
        raise CatalogImportError(path.name, 1, None, f"malformed CSV: {error}") from error


def csv_rows(path: Path, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; the header is line 1, so row numbers match a spreadsheet's."""
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
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


def json_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, object) pairs of a JSON list of objects, rows numbered from 1."""
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise CatalogImportError(path.name, None, None,
                                 f"malformed JSON at line {error.lineno}: {error.msg}") from error
    if not isinstance(data, list):
        raise CatalogImportError(path.name, None, None, "top level must be a list of items")
    records = []
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise CatalogImportError(path.name, index, None, "must be an object")
        records.append((index, record))
    return records


def yaml_mapping(path: Path, sections: str) -> dict[str, Any]:
    """The top-level mapping of a YAML file; ``sections`` names what it should hold, for the error."""
    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", error)
        raise CatalogImportError(path.name, None, None, f"malformed YAML{line}: {problem}") from error
    if not isinstance(data, dict):
        raise CatalogImportError(path.name, None, None, f"top level must be a mapping with {sections}")
    return data
