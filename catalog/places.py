"""Where the citizen is: towns and villages named in free text or given as slot codes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached
from catalog.models import Region, RegionAlias
from catalog.text import normalise
from catalog.types import Place, RegionRef
from catalog.words import Scanner

MIN_PLACE_NAME = 2


@dataclass(frozen=True)
class _RegionInfo:
    ref: RegionRef
    parent_code: Optional[str]


@dataclass(frozen=True)
class PlaceMatcher:
    regions: dict[str, _RegionInfo]
    names: Scanner[tuple[str, ...]]  # normalised official name or alias → region codes (towns, villages)

    def without_places(self, normalised_text: str) -> str:
        """The (normalised) text with every place name taken out: places say where, not what."""
        return self.names.without(normalised_text, shortest=MIN_PLACE_NAME)


def _build_place_matcher(session: Session) -> PlaceMatcher:
    regions = {
        code: _RegionInfo(RegionRef(code, name, level), parent)
        for code, name, level, parent in session.execute(
            select(Region.code, Region.name, Region.level, Region.parent_code)
        )
    }
    names: dict[str, list[str]] = {}
    pairs = [(info.ref.name, code) for code, info in regions.items() if info.ref.level != "county"]
    pairs += [(alias, code) for alias, code in session.execute(select(RegionAlias.alias, RegionAlias.region_code))]
    for name, code in pairs:
        key = normalise(name)
        if len(key) >= MIN_PLACE_NAME and regions[code].ref.level != "county":
            names.setdefault(key, []).append(code)
    return PlaceMatcher(regions, Scanner({k: tuple(dict.fromkeys(v)) for k, v in names.items()}))


def place_matcher(session: Session) -> PlaceMatcher:
    return cached(session, "place_matcher", _build_place_matcher)


def _place_of(matcher: PlaceMatcher, town_code: Optional[str], village_code: Optional[str]) -> Place:
    village = matcher.regions.get(village_code) if village_code else None
    if village is not None and village.ref.level == "village":
        town = matcher.regions.get(village.parent_code or "")  # a village implies its town
        return Place(town=town.ref if town else None, village=village.ref)
    town = matcher.regions.get(town_code) if town_code else None
    return Place(town=town.ref if town is not None and town.ref.level == "town" else None)


def resolve_place(session: Session, text: str) -> Place:
    """Town and/or village named anywhere in ``text`` (「我在龙台镇」「XX村的」)."""
    matcher = place_matcher(session)
    mentioned = [code for _, codes in matcher.names.matches(normalise(text), shortest=MIN_PLACE_NAME)
                 for code in codes]
    towns = [code for code in mentioned if matcher.regions[code].ref.level == "town"]
    villages = [code for code in mentioned if matcher.regions[code].ref.level == "village"]
    town = towns[0] if towns else None
    if town:
        villages = [code for code in villages if matcher.regions[code].parent_code == town]
    village = villages[0] if len(set(villages)) == 1 or (town and villages) else None
    return _place_of(matcher, town, village)


def place_from_codes(session: Session, town_code: Optional[str] = None, village_code: Optional[str] = None) -> Place:
    """Place from slot values; unknown codes are ignored and a village fixes its own town."""
    return _place_of(place_matcher(session), town_code, village_code)

