"""Plain listings of the catalog for the app's pages, consoles and health check: how many items, the
region list, the fact book's entries, whether service points have coordinates.

The app's routes call these instead of querying the catalog's tables themselves (the catalog owns
its SQL). Each is one small query, not memoised: they serve pages and console lookups, not chat turns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from catalog.models import Fact, Item, Region, ServicePoint
from catalog.types import RegionRef


@dataclass(frozen=True)
class FactOptionEntry:
    value: str
    label: str
    condition_text: Optional[str]


@dataclass(frozen=True)
class FactEntry:
    key: str
    kind: str
    question: str
    options: tuple[FactOptionEntry, ...]


def item_count(session: Session) -> int:
    """Items in the catalog (bundles not counted); raises if the catalog tables are missing."""
    return session.scalar(select(func.count()).select_from(Item)) or 0


def _entries(session: Session, condition) -> list[RegionRef]:
    rows = session.execute(select(Region.code, Region.name, Region.level).where(condition).order_by(Region.code))
    return [RegionRef(code, name, level) for code, name, level in rows]


def towns(session: Session, within: Optional[str] = None) -> list[RegionRef]:
    """Every town and street (乡镇、街道), or those directly under the region ``within``, by code."""
    if within is None:
        return _entries(session, Region.level == "town")
    return _entries(session, (Region.level == "town") & (Region.parent_code == within))


def child_regions(session: Session, parent: str) -> Optional[list[RegionRef]]:
    """The regions directly under ``parent`` (a town's villages and communities), by code; None when
    ``parent`` is not a loaded region."""
    if session.get(Region, parent) is None:
        return None
    return _entries(session, Region.parent_code == parent)


def home_region(session: Session, code: str) -> Optional[RegionRef]:
    """The region ``code``, else (a catalog loaded without that region's row) the catalog's own top
    region; None for a catalog without regions."""
    region = session.get(Region, code) or session.scalars(
        select(Region).where(Region.parent_code.is_(None)).order_by(Region.code).limit(1)).first()
    return RegionRef(region.code, region.name, region.level) if region is not None else None


def handles_below_city(session: Session, region_code: str) -> bool:
    """Whether some item of the region (or of no region) is handled at a town or village, so that
    where the citizen lives changes the answer."""
    below = session.scalar(select(Item.code).where(Item.level.in_(("village", "town")),
                                                   (Item.region_code == region_code) | Item.region_code.is_(None))
                           .limit(1))
    return below is not None


def fact_keys(session: Session) -> set[str]:
    """The key of every situation fact the catalog knows."""
    return set(session.scalars(select(Fact.key)))


def facts_by_key(session: Session, keys: Iterable[str]) -> list[FactEntry]:
    """The facts named by ``keys`` with their options, in the order of ``keys``; unknown keys are left out."""
    keys = list(keys)
    found = session.scalars(select(Fact).where(Fact.key.in_(keys)).options(selectinload(Fact.options)))
    by_key = {fact.key: fact for fact in found}
    return [
        FactEntry(fact.key, fact.kind, fact.question,
                  tuple(FactOptionEntry(o.value, o.label, o.condition_text) for o in fact.options))
        for fact in (by_key[key] for key in keys if key in by_key)
    ]


def service_points_located(session: Session) -> bool:
    """Whether any service point has coordinates (the shipped demo data of 广安区 has none)."""
    located = exists().where(ServicePoint.lat.is_not(None), ServicePoint.lng.is_not(None))
    return bool(session.scalar(select(located)))
