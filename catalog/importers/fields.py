"""The row models' base and shared field types, and a pydantic error in the importers' words.

A row model checks one row by itself (types, required fields, allowed values, lengths); what needs
the other rows or the database (duplicates, parents, known items) is checked by the importer that
reads the file. Either way the error names file, row and field, in plain words: ``missing``,
``must be text, got int``, ``'province' is not one of village, town, county, city``.
"""
from __future__ import annotations

from typing import Annotated, Any, Optional, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from catalog.importers.files import CatalogImportError
from catalog.models import LEVELS

# Our own messages travel as this pydantic error type; any other type is translated in ``_words``.
PROBLEM = "catalog_import"


class ImportRow(BaseModel):
    """One row of an input file. Strict: a count given as 「"1"」 is an error, not a guess; the field
    types below convert what a file may legitimately hold (a number where text is asked). Keys the
    model does not name are ignored, as they always were."""

    model_config = ConfigDict(strict=True, extra="ignore")


def problem(message: str) -> PydanticCustomError:
    """A row problem in our words (the text is passed as a value: braces in it are not a template)."""
    return PydanticCustomError(PROBLEM, "{message}", {"message": message})


def official(value: str) -> str:
    """Official names are stored verbatim (「（包括临时）」 keeps its full-width brackets), only
    trimmed; matching code normalises its own copy."""
    return value.strip()


def required_text(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise problem("missing")
    if not isinstance(value, str):
        raise problem(f"must be text, got {type(value).__name__}")
    return official(value)


def optional_text(value: Any) -> Optional[str]:
    """Empty is absent; a number is taken as its text (a code 1234 in JSON), anything else is an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise problem(f"must be text, got {type(value).__name__}")
    return official(value)


def known_level(value: Any) -> Any:
    if value is not None and value not in LEVELS:
        raise problem(f"'{value}' is not one of {', '.join(LEVELS)}")
    return value


RequiredText = Annotated[str, BeforeValidator(required_text)]
OptionalText = Annotated[Optional[str], BeforeValidator(optional_text)]
RequiredLevel = Annotated[str, BeforeValidator(required_text), AfterValidator(known_level)]
OptionalLevel = Annotated[Optional[str], BeforeValidator(optional_text), AfterValidator(known_level)]

Row = TypeVar("Row", bound=ImportRow)


def validated(model: type[Row], file: str, row: object, record: Any, context: Optional[dict] = None) -> Row:
    """``record`` checked by ``model``; the first problem raised as a CatalogImportError for ``row``."""
    try:
        return model.model_validate(record, context=context)
    except ValidationError as error:
        raise row_error(file, row, error) from None


def row_error(file: str, row: object, error: ValidationError) -> CatalogImportError:
    first = error.errors(include_url=False)[0]
    message = _words(first)
    more = error.error_count() - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''} in this row)"
    return CatalogImportError(file, row, field_path(first["loc"]) or None, message)


def field_path(loc: tuple) -> str:
    """pydantic's location as the file's field path, list entries counted from 1: ``materials[2].when``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part + 1}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _words(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind == PROBLEM:
        return str(error["ctx"]["message"])
    if kind == "missing":
        return "missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be a mapping"
    if kind == "list_type":
        return "must be a list"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "string_type":
        return f"must be text, got {type(value).__name__}"
    if kind == "string_too_long":
        return f"longer than {error['ctx']['max_length']} characters ({len(value)})"
    return str(error["msg"])
