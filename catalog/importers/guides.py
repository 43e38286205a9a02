"""Authored guides (YAML): situation facts, item guides and bundles (一件事).

Errors name the section's row: ``guides.yaml: row 3 of items, field "materials[2].when": unknown fact
'delgated'``. Sections are read in order, facts first, so a condition may use a fact defined above it
or already loaded; items are matched to the loaded item list by their exact name.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_catalog
from catalog.importers.fields import validated
from catalog.importers.files import CatalogImportError, yaml_mapping
from catalog.importers.guide_rows import BundleRow, FactRow, GuideItemRow, clean
from catalog.importers.items import set_item_aliases
from catalog.models import (
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
    ItemFact,
    Material,
)
from catalog.text import normalise

log = logging.getLogger(__name__)

SAMPLE_NOTICE_KEY = "sample_notice"
GUIDE_FIELDS = ("time_limit", "fee", "trips", "online", "process")

# ---------------------------------------------------------------- reading the file


@dataclass
class GuidePlan:
    notice: Optional[str]
    facts: list[FactRow]
    items: list[GuideItemRow]
    bundles: list[BundleRow]
    member_codes: dict[str, list[str]] = field(default_factory=dict)  # bundle code → its members' item codes


class _GuideFile:
    """The file being read with what its rows are checked against: the facts and item names already
    loaded, and those the rows above define."""

    def __init__(self, session: Session, path: Path) -> None:
        self.file, self.data = path.name, yaml_mapping(path, "facts/items/bundles")
        self.fact_values: dict[str, set[str]] = {}
        for fact in session.scalars(select(Fact)):
            self.fact_values[fact.key] = {option.value for option in fact.options}
        self.items_by_name: dict[str, list[str]] = {}
        for code, name in session.execute(select(Item.code, Item.name)):
            self.items_by_name.setdefault(normalise(name), []).append(code)

    def rows(self, section: str, model: type[Any]) -> Iterable[tuple[int, Any]]:
        """(row, validated model) of a section, rows counted from 1; validated one at a time, so a row
        is checked against what the rows above it defined."""
        records = self.data.get(section) or []
        if not isinstance(records, list):
            raise CatalogImportError(self.file, None, section, "must be a list")
        for row, record in enumerate(records, start=1):
            yield row, validated(model, self.file, f"{row} of {section}", record,
                                 context={"fact_values": self.fact_values})

    def fail(self, section: str, row: int, field_name: Optional[str], message: str) -> CatalogImportError:
        return CatalogImportError(self.file, f"{row} of {section}", field_name, message)


def read_guides(session: Session, path: Path) -> GuidePlan:
    guides = _GuideFile(session, path)
    plan = GuidePlan(clean(guides.data.get("notice")), [], [], [])
    for _, fact in guides.rows("facts", FactRow):
        guides.fact_values[fact.key] = {option.value for option in fact.options}  # later rows may use it
        plan.facts.append(fact)
    for row, item in guides.rows("items", GuideItemRow):
        _check_guide_item(guides, row, item)
        plan.items.append(item)
    for row, bundle in guides.rows("bundles", BundleRow):
        plan.member_codes[bundle.code] = _member_codes(guides, row, bundle)
        plan.bundles.append(bundle)
    _check_unique(guides, "items", "name", [item.code for item in plan.items])
    _check_unique(guides, "bundles", "code", [bundle.code for bundle in plan.bundles])
    return plan


def _check_unique(guides: _GuideFile, section: str, field_name: str, codes: list[Optional[str]]) -> None:
    seen: dict[Optional[str], int] = {}
    for row, code in enumerate(codes, start=1):
        if code in seen:
            raise guides.fail(section, row, field_name, f"{code} already defined on row {seen[code]}")
        seen[code] = row


def _check_guide_item(guides: _GuideFile, row: int, item: GuideItemRow) -> None:
    """An authored item sets its code and department; a real one is found by name (its code set here)."""
    if item.authored:
        if not item.code:
            raise guides.fail("items", row, "code", "missing (authored items set their own code)")
        if not item.department:
            raise guides.fail("items", row, "department", "missing (required for authored items)")
    else:
        item.code = _existing_item_code(guides, row, item.name, item.code)
    known = guides.items_by_name.setdefault(normalise(item.name), [])
    if item.code not in known:
        known.append(item.code)


def _existing_item_code(guides: _GuideFile, row: int, name: str, code: Optional[str]) -> str:
    codes = guides.items_by_name.get(normalise(name), [])
    if code:
        if code not in codes:
            raise guides.fail("items", row, "code", f"no real item {code} named {name}")
        return code
    if not codes:
        raise guides.fail("items", row, "name", f"unknown item '{name}' (not in the loaded item list)")
    if len(codes) > 1:
        raise guides.fail("items", row, "name", f"'{name}' names {len(codes)} items: give one code of {codes}")
    return codes[0]


def _member_codes(guides: _GuideFile, row: int, bundle: BundleRow) -> list[str]:
    codes = []
    for index, member in enumerate(bundle.members, start=1):
        found = guides.items_by_name.get(normalise(member.item), [])
        if len(found) != 1:
            problem_text = "unknown item" if not found else "ambiguous item name"
            raise guides.fail("bundles", row, f"members[{index}].item", f"{problem_text} '{member.item}'")
        codes.append(found[0])
    if len(set(codes)) != len(codes):
        raise guides.fail("bundles", row, "members", "the same item is listed twice")
    return codes


# ---------------------------------------------------------------- writing


def import_guides(session: Session, path: str | Path, prune: bool = False) -> tuple[int, int]:
    """Load authored facts, item guides and bundles; returns (items, bundles) written.

    The item list must be loaded first: real items are matched by their exact name. With
    ``prune`` the file is the whole of the authored content: bundles, authored items and facts it
    no longer has are deleted, and real items it no longer guides lose their guide (materials,
    facts, guide aliases, time limit, fee, trips, online, process) and keep their real data.
    """
    path = Path(path)
    plan = read_guides(session, path)
    item_codes = {item.code for item in plan.items if item.authored and item.code}
    clash = item_codes & {bundle.code for bundle in plan.bundles}
    if clash:
        raise CatalogImportError(path.name, None, "code", f"used by both an item and a bundle: {sorted(clash)}")
    with session.begin_nested():
        if plan.notice:
            session.merge(CatalogMeta(key=SAMPLE_NOTICE_KEY, value=plan.notice))
        for fact in plan.facts:
            _write_fact(session, fact)
        session.flush()
        for item in plan.items:
            _write_guide_item(session, path.name, item)
        session.flush()
        for bundle in plan.bundles:
            _write_bundle(session, bundle, plan.member_codes[bundle.code])
        session.flush()
        if prune:
            _prune_guides(session, plan)
    invalidate_catalog(session)
    log.info("imported %d item guides and %d bundles from %s", len(plan.items), len(plan.bundles), path.name)
    return len(plan.items), len(plan.bundles)


def _prune_guides(session: Session, plan: GuidePlan) -> None:
    """Take out what an earlier version of the guides file wrote and this one no longer has."""
    bundles = session.scalars(select(Bundle).where(Bundle.code.not_in([b.code for b in plan.bundles]))).all()
    for bundle in bundles:
        session.delete(bundle)
    session.flush()
    members = set(session.scalars(select(BundleMember.item_code)))
    stale = session.scalars(
        select(Item).where(Item.has_guide.is_(True), Item.code.not_in([i.code for i in plan.items]))
    ).all()
    deleted = [item for item in stale if item.source == "authored sample" and item.code not in members]
    for item in stale:
        if item in deleted:
            session.delete(item)
            continue
        item.has_guide = False
        item.materials = []
        item.fact_links.clear()
        for key in GUIDE_FIELDS:
            setattr(item, key, None)
        set_item_aliases(item, [], origin="guides")
    session.flush()
    linked = set(session.scalars(select(ItemFact.fact_key))) | set(session.scalars(select(BundleFact.fact_key)))
    facts = session.scalars(select(Fact).where(Fact.key.not_in([f.key for f in plan.facts]))).all()
    unused = [fact for fact in facts if fact.key not in linked]
    for fact in unused:
        session.delete(fact)
    session.flush()
    if bundles or stale or unused:
        log.info("pruned what the guides file no longer has: %d bundles, %d authored items deleted, "
                 "%d real items without guide, %d facts", len(bundles), len(deleted), len(stale) - len(deleted),
                 len(unused))


def _write_fact(session: Session, row: FactRow) -> None:
    fact = session.get(Fact, row.key) or Fact(key=row.key)
    fact.kind, fact.question = row.kind, row.question
    session.add(fact)
    fact.options.clear()
    session.flush()  # the old options must go before new ones reuse their (fact, value) pairs
    fact.options.extend(
        FactOption(position=position, value=o.value, label=o.label, words=o.words, condition_text=o.condition_text)
        for position, o in enumerate(row.options)
    )


def _write_guide_item(session: Session, file: str, row: GuideItemRow) -> None:
    item = session.get(Item, row.code)
    if item is None:
        if session.get(Bundle, row.code) is not None:
            raise CatalogImportError(file, None, "code", f"{row.code} is already a bundle code")
        item = Item(code=row.code, name=row.name)
        session.add(item)
    if row.authored:
        item.name, item.source = row.name, "authored sample"
    if row.department:
        item.department = row.department
    item.level = row.level or item.level or "county"
    for key in GUIDE_FIELDS:
        setattr(item, key, getattr(row, key))
    item.has_guide = True
    set_item_aliases(item, row.aliases, origin="guides")
    item.materials = [Material(position=position, **material.columns())
                      for position, material in enumerate(row.materials)]
    item.fact_links.clear()
    session.flush()
    item.fact_links.extend(ItemFact(fact_key=key, position=position) for position, key in enumerate(row.facts))


def _write_bundle(session: Session, row: BundleRow, member_codes: list[str]) -> None:
    old = session.get(Bundle, row.code)
    if old is not None:
        session.delete(old)
        session.flush()
    bundle = Bundle(code=row.code, name=row.name, level=row.level,
                    **{key: getattr(row, key) for key in GUIDE_FIELDS})
    session.add(bundle)
    _add_aliases(bundle.aliases, BundleAlias, row.aliases, bundle.name)
    bundle.members = [BundleMember(item_code=code, position=position, condition=member.when)
                      for position, (code, member) in enumerate(zip(member_codes, row.members))]
    bundle.materials = [BundleMaterial(position=position, **material.columns())
                        for position, material in enumerate(row.materials)]
    bundle.omits = [BundleOmit(name=name) for name in dict.fromkeys(row.omit)]
    bundle.fact_links = [BundleFact(fact_key=key, position=position) for position, key in enumerate(row.facts)]


def _add_aliases(current: list, alias_class: type, wanted: Iterable[str], official_name: str) -> None:
    present = {alias.alias for alias in current}
    for alias in wanted:
        if alias and alias != official_name and alias not in present:
            current.append(alias_class(alias=alias))
            present.add(alias)
