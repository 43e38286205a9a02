"""The row models of the guides file (catalog/importers/guides.py): a fact with its options, an item's
guide, a bundle with its members, and a material, each checked the way the file states it.

A condition (``when: {delegated: "yes"}``) and a guide's ``facts`` may name only facts already known:
validate with ``context={"fact_values": {fact key: its option values}}``.
"""
from __future__ import annotations

from typing import Annotated, Any, Callable, Optional

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from catalog.importers.fields import ImportRow, OptionalText, RequiredText, known_level, official, problem
from catalog.models import FACT_KINDS
from catalog.text import normalise

# ---------------------------------------------------------------- field types


def fact_value(value: Any) -> str:
    # YAML 1.1 reads unquoted yes/no as booleans; fact values are always strings.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def clean(value: Any) -> Optional[str]:
    """Free text (a form, a note): any scalar as its text, empty as absent."""
    return official(str(value)) or None if value not in (None, "") else None


def _text_list(keep_form: bool) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        value = value or []
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
            raise problem("must be a list of text")
        return [str(v).strip() if keep_form else normalise(str(v)) for v in value if str(v).strip()]

    return parse


def _whole_number(value: Any) -> Optional[int]:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise problem(f"must be a whole number, got {value!r}")
    return value


def _known_facts(info: ValidationInfo) -> dict[str, set[str]]:
    """{fact key: its option values}: the loaded facts and those defined above in the file."""
    return (info.context or {}).get("fact_values", {})


def _condition(value: Any, info: ValidationInfo) -> Optional[dict[str, str]]:
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise problem("must be a mapping {fact: value}")
    facts = _known_facts(info)
    condition = {}
    for key, option in value.items():
        option = fact_value(option)
        if key not in facts:
            raise problem(f"unknown fact '{key}'")
        if option not in facts[key]:
            raise problem(f"'{option}' is not an option of fact '{key}'")
        condition[str(key)] = option
    return condition


def _fact_keys(keys: list[str], info: ValidationInfo) -> list[str]:
    facts = _known_facts(info)
    for key in keys:
        if key not in facts:
            raise problem(f"unknown fact '{key}'")
    return list(dict.fromkeys(keys))


def _needed(what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise problem(f"missing ({what})")
        return value

    return check


def _or_empty(value: Any) -> Any:
    return value or []


CleanText = Annotated[Optional[str], BeforeValidator(clean)]
WholeNumber = Annotated[Optional[int], BeforeValidator(_whole_number)]
Condition = Annotated[Optional[dict[str, str]], BeforeValidator(_condition)]
TextList = Annotated[list[str], BeforeValidator(_text_list(keep_form=False))]
Level = Annotated[Optional[str], BeforeValidator(known_level)]

# ---------------------------------------------------------------- row models


def _option_value(value: Any) -> str:
    if value in (None, ""):
        raise problem("missing")
    return fact_value(value)


def _option_words(value: Any) -> list[str]:
    value = value or []
    if not isinstance(value, list):
        raise problem("must be a list of text")
    return [normalise(str(word)) for word in value if str(word).strip()]


def _fact_kind(kind: str) -> str:
    if kind not in FACT_KINDS:
        raise problem(f"'{kind}' is not one of {', '.join(FACT_KINDS)}")
    return kind


class OptionRow(ImportRow):
    value: Annotated[str, BeforeValidator(_option_value)]
    label: RequiredText
    words: Annotated[list[str], BeforeValidator(_option_words)] = Field(default_factory=list)
    condition_text: CleanText = None


class FactRow(ImportRow):
    key: RequiredText
    kind: Annotated[RequiredText, AfterValidator(_fact_kind)]
    options: Annotated[list[OptionRow], BeforeValidator(_needed("a fact needs at least one option"))] = Field(
        default=None, validate_default=True)
    question: RequiredText

    @field_validator("options")
    @classmethod
    def _distinct(cls, options: list[OptionRow]) -> list[OptionRow]:
        values = [option.value for option in options]
        if len(set(values)) != len(values):
            raise problem("duplicate option value")
        return options


class MaterialRow(ImportRow):
    name: RequiredText
    copies: WholeNumber = None
    form: CleanText = None
    note: CleanText = None
    when: Condition = None

    def columns(self) -> dict[str, Any]:
        """The Material / BundleMaterial columns, position aside."""
        return {"name": self.name, "copies": self.copies, "form": self.form, "note": self.note,
                "condition": self.when}


class GuideRow(ImportRow):
    """What an item's guide and a bundle's guide both carry, checked the same way."""

    aliases: TextList = Field(default_factory=list)
    time_limit: OptionalText = None
    fee: OptionalText = None
    trips: WholeNumber = None
    online: OptionalText = None
    process: OptionalText = None
    facts: Annotated[TextList, AfterValidator(_fact_keys)] = Field(default_factory=list)
    materials: Annotated[list[MaterialRow], BeforeValidator(_or_empty)] = Field(default_factory=list)


class GuideItemRow(GuideRow):
    """A real item's guide (matched by its exact name), or an authored item (``authored: true``)."""

    name: RequiredText
    authored: bool = False
    code: OptionalText = None  # a real item's is found by its name (read_guides)
    department: OptionalText = None
    level: Level = None


class MemberRow(ImportRow):
    item: RequiredText  # the member item's exact name
    when: Condition = None


class BundleRow(GuideRow):
    code: RequiredText
    level: Level = None
    members: Annotated[list[MemberRow], BeforeValidator(_needed("a bundle needs member items"))] = Field(
        default=None, validate_default=True)
    name: RequiredText
    omit: Annotated[list[str], BeforeValidator(_text_list(keep_form=True))] = Field(default_factory=list)
