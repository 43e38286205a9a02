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
# Characters that are words of their own before a word (在, 是, 的…): 「在农村」 is 在 + 农村, no misspelt 新农村.
FUNCTION_CHARACTERS = frozenset("在是的了和到从去回我你他她们也都就")


@dataclass(frozen=True)
class _RegionInfo:
    ref: RegionRef
    parent_code: Optional[str]


@dataclass(frozen=True)
class PlaceMatcher:
    regions: dict[str, _RegionInfo]
    names: Scanner[tuple[str, ...]]  # normalised official name or alias → region codes (towns, villages)
    spellings: dict[str, tuple[str, ...]]  # region code → its normalised official name and aliases

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
    spellings: dict[str, list[str]] = {}
    for key, codes in names.items():
        for code in codes:
            spellings.setdefault(code, []).append(key)
    return PlaceMatcher(regions, Scanner({k: tuple(dict.fromkeys(v)) for k, v in names.items()}),
                        {code: tuple(dict.fromkeys(keys)) for code, keys in spellings.items()})


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


def function_word_slip(session: Session, code: str, said: str) -> bool:
    """``said``, read by the NLU as a near miss of the name of region ``code``, is a function word of its
    own (FUNCTION_CHARACTERS) before the rest of the name: 「在农村交的医保」 says 在 + 农村, not 兴平镇's
    village 新农村, whose first character it lacks. A slip inside a name (「心农村」) still names it."""
    said = normalise(said)
    if len(said) < 3 or said[0] not in FUNCTION_CHARACTERS:
        return False
    return any(len(name) >= len(said) and name[0] != said[0] and name[1:len(said)] == said[1:]
               for name in place_matcher(session).spellings.get(code, ()))


def names_region(session: Session, code: str, said: str) -> bool:
    """``said``, a span of a message, holds one of region ``code``'s names (official, spoken or bare:
    「白市镇」, 「白市」). The learned extractor tags places by their context too: 「我在代市镇」 (代市镇 is
    前锋区's) gets 「市镇」 tagged as 白市镇, which names no town."""
    said = normalise(said)
    return any(name in said for name in place_matcher(session).spellings.get(code, ()))


def place_from_codes(session: Session, town_code: Optional[str] = None, village_code: Optional[str] = None) -> Place:
    """Place from slot values; unknown codes are ignored and a village fixes its own town."""
    return _place_of(place_matcher(session), town_code, village_code)

