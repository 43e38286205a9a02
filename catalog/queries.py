"""The catalog queries of docs/INTERNAL_API.md. Each takes a Session first and never commits."""
from __future__ import annotations

import math
import re
import os
from dataclasses import asdict, dataclass
from typing import Any, Callable, Hashable, Iterable, Mapping, Optional, TypeVar

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached, memoised
from catalog.models import (Bundle, BundleAlias, BundleMember, CatalogMeta, Fact, Item, ItemAlias, Region, RegionAlias,
                            ServicePoint)
from catalog.search import asked_otherwise, invalidate_search_index, load_lexicon, name_extends, variant_asked
from catalog.search import search as _search_names
from catalog.resolver import Resolution, ResolverIndex, build_targets
from catalog.text import normalise
from catalog.curation import resolver_phrasings  # curators' phrasings from the report
from catalog.words import load_colloquial, load_phrasings, load_words
from catalog.types import HOTLINE, LEVEL_RANK, Candidate, LocationOut, MaterialOut, Place, Question, RegionRef, Target

__all__ = [
    "search", "bundle_named_by", "get_target", "resolve_place", "place_from_codes", "parse_facts", "missing_facts", "tailor",
    "nearest_service_point", "guide", "invalidate_search_index", "name_extends",
    "asked_otherwise", "variant_asked",
    "fact_words_in", "resolve", "resolver_index", "resolver_inputs", "Resolution",
    "Candidate", "Target", "RegionRef", "Place", "Question", "MaterialOut", "LocationOut",
]

DEFAULT_SAMPLE_NOTICE = "示例数据，以官方办事指南为准"
PLACE_QUESTION = "您在哪个乡镇（街道）办理？"
# The place question for one target names it, so a misreading can be corrected in the same reply.
PLACE_QUESTION_FOR = "办理「{name}」，您在哪个乡镇（街道）？"
VILLAGE_STATION_NOTE = "您所在村（社区）的便民服务站也可办理"
NOT_HERE_NOTE = "{name}不能办理这一项"  # the citizen's nearer point, when the item is handled higher up
MIN_PLACE_NAME = 2
CONDITION_SEPARATOR = "；"
T = TypeVar("T")


# ---------------------------------------------------------------- longest-match scanning


def _scan(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> Iterable[tuple[int, int, T]]:
    """Left-to-right, longest-first phrase matches as (start, length, value); a matched span is
    not reused, so 「门头不装修」 is one match and the 「装修」 inside it is not another."""
    i = 0
    while i < len(text):
        for length in range(min(longest, len(text) - i), shortest - 1, -1):
            phrase = text[i : i + length]
            if phrase in vocabulary:
                yield i, length, vocabulary[phrase]
                i += length
                break
        else:
            i += 1


def longest_matches(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> list[tuple[str, T]]:
    return [(text[i : i + n], value) for i, n, value in _scan(text, vocabulary, longest, shortest)]


def _without_matches(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> str:
    """``text`` with every longest match replaced by a space (so neighbours do not fuse)."""
    kept, last = [], 0
    for i, n, _ in _scan(text, vocabulary, longest, shortest):
        kept.append(text[last:i])
        last = i + n
    kept.append(text[last:])
    return " ".join(kept)


# ---------------------------------------------------------------- targets


def _level_of_bundle(bundle: Bundle) -> str:
    if bundle.level:
        return bundle.level
    return max((member.item.level for member in bundle.members), key=LEVEL_RANK.__getitem__, default="county")


def get_target(session: Session, code: str) -> Optional[Target]:
    """The item or bundle with this code (None if neither); memoised (Target is immutable)."""
    return memoised(session, "targets", code, lambda: _load_target(session, code))


def _load_target(session: Session, code: str) -> Optional[Target]:
    item = session.get(Item, code)
    if item is not None:
        return Target(code=item.code, name=item.name, kind="item", level=item.level, department=item.department,
                      time_limit=item.time_limit, fee=item.fee, trips=item.trips, online=item.online,
                      process=item.process, guide_url=item.guide_url, source=item.source, has_guide=item.has_guide,
                      official_guide=item.official_guide, address=item.address, hours=item.hours, phone=item.phone,
                      region_code=item.region_code)
    bundle = session.get(Bundle, code)
    if bundle is not None:
        return Target(code=bundle.code, name=bundle.name, kind="bundle", level=_level_of_bundle(bundle),
                      department=None, time_limit=bundle.time_limit, fee=bundle.fee, trips=bundle.trips,
                      online=bundle.online, process=bundle.process, guide_url=None, source="authored sample",
                      has_guide=True)
    return None


# ---------------------------------------------------------------- places


@dataclass(frozen=True)
class _RegionInfo:
    ref: RegionRef
    parent_code: Optional[str]


@dataclass(frozen=True)
class _PlaceMatcher:
    regions: dict[str, _RegionInfo]
    names: dict[str, tuple[str, ...]]  # normalised official name or alias → region codes (towns, villages)
    longest: int


def _build_place_matcher(session: Session) -> _PlaceMatcher:
    regions = {
        code: _RegionInfo(RegionRef(code, name, level), parent)
        for code, name, level, parent in session.execute(
            select(Region.code, Region.name, Region.level, Region.parent_code)
        )
    }
    names: dict[str, list[str]] = {}
    pairs = [(info.ref.name, code) for code, info in regions.items() if info.ref.level != "county"]
    pairs += list(session.execute(select(RegionAlias.alias, RegionAlias.region_code)))
    for name, code in pairs:
        key = normalise(name)
        if len(key) >= MIN_PLACE_NAME and regions[code].ref.level != "county":
            names.setdefault(key, []).append(code)
    return _PlaceMatcher(regions, {k: tuple(dict.fromkeys(v)) for k, v in names.items()},
                         max((len(k) for k in names), default=1))


def _places(session: Session) -> _PlaceMatcher:
    return cached(session, "place_matcher", _build_place_matcher)


def _place_of(matcher: _PlaceMatcher, town_code: Optional[str], village_code: Optional[str]) -> Place:
    village = matcher.regions.get(village_code) if village_code else None
    if village is not None and village.ref.level == "village":
        town = matcher.regions.get(village.parent_code or "")  # a village implies its town
        return Place(town=town.ref if town else None, village=village.ref)
    town = matcher.regions.get(town_code) if town_code else None
    return Place(town=town.ref if town is not None and town.ref.level == "town" else None)


def resolve_place(session: Session, text: str) -> Place:
    """Town and/or village named anywhere in ``text`` (「我在龙台镇」「XX村的」)."""
    matcher = _places(session)
    mentioned = [code for _, codes in longest_matches(normalise(text), matcher.names, matcher.longest, MIN_PLACE_NAME)
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
    return _place_of(_places(session), town_code, village_code)


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class _FactInfo:
    key: str
    kind: str
    question: str
    options: tuple[tuple[str, str, Optional[str]], ...]  # (value, label, condition_text)


@dataclass(frozen=True)
class _FactBook:
    facts: dict[str, _FactInfo]
    words: dict[str, tuple[str, str]]  # normalised word → (fact key, value)
    longest: int

    def condition_text(self, key: str, value: str) -> str:
        fact = self.facts.get(key)
        for option_value, label, text in fact.options if fact else ():
            if option_value == value:
                return text or f"如{label}"
        return f"如{key}={value}"


def _build_fact_book(session: Session) -> _FactBook:
    facts, words = {}, {}
    for fact in session.scalars(select(Fact).order_by(Fact.key)):
        facts[fact.key] = _FactInfo(fact.key, fact.kind, fact.question,
                                    tuple((o.value, o.label, o.condition_text) for o in fact.options))
        for option in fact.options:
            for word in option.words or []:
                words[normalise(word)] = (fact.key, option.value)
    return _FactBook(facts, words, max((len(w) for w in words), default=1))


def _fact_book(session: Session) -> _FactBook:
    return cached(session, "fact_book", _build_fact_book)


def fact_labels(session: Session, facts: Mapping[str, str]) -> list[str]:
    """The citizen-facing labels of stated facts (「本人办理」「门头需要装修」), in ``facts``' order;
    a key or value the catalog does not know is left out."""
    book = _fact_book(session)
    labels = []
    for key, value in facts.items():
        fact = book.facts.get(key)
        labels += [label for option_value, label, _ in (fact.options if fact else ()) if option_value == value]
    return labels


def parse_facts(session: Session, text: str, answering: Iterable[str] = ()) -> dict[str, str]:
    """Situation facts stated in free text (「本人办，门头要装修」→ delegated=no, shopfront_renovation=yes).

    Negations are their own, longer phrases in the data (「门头不装修」), so longest match wins;
    when one fact is stated twice the longer phrase, then the later one, counts.
    ``answering``: the deciding facts the one question just asked; a reply may paraphrase them
    (「门头要重新装一下」), and only for those is a paraphrase read.
    """
    book = _fact_book(session)
    text = normalise(text)
    asking = _as_asked(text)
    chosen: dict[str, tuple[int, str]] = {}
    for start, length, (key, value) in _scan(text, book.words, book.longest):
        word = text[start : start + length]
        if not _negated(word) and _negated(asking[max(0, start - 3) : start]):
            continue  # 「我不想委托别人」: a "yes" word under a negation just before it says nothing
        if key not in chosen or len(word) >= chosen[key][0]:
            chosen[key] = (len(word), value)
    found = {key: value for key, (_, value) in chosen.items()}
    asked = set(answering) - set(found)
    if asked:
        found.update({k: v for k, v in _paraphrased_facts(book, text, asked).items()})
    return found


def fact_words_in(session: Session, text: str) -> list[str]:
    """The catalog's situation-fact words found in ``text`` (「厂里退休的」 in 「他是厂里退休的」),
    longest match first at each position, as normalised text."""
    book = _fact_book(session)
    text = normalise(text)
    return [text[start : start + length] for start, length, _ in _scan(text, book.words, book.longest)]


# A reply that says 「门头要重新装一下」 means 门头要装修 though no listed word is in it. Such
# paraphrases of the deciding facts just asked (never elsewhere: 「要办啥证」 is not 「要办税」
# unless the question was about tax) are read by similarity to the listed words, clause by clause, and only when the
# clause's polarity agrees with the word's (a negated clause never sets a "yes" option).
_CLAUSE_BREAKS = re.compile(r"[，,。.；;！!？?、\s]+")
_NEGATIONS = ("不", "没", "无需", "免", "暂时", "以后再", "先不", "晚点")  # not 别: 别人 is "others"
PARAPHRASE_MIN_SCORE = 80.0
PARAPHRASE_MIN_WORD = 3


def _negated(text: str) -> bool:
    return any(negation in text for negation in _NEGATIONS)


# 「能不能」「可不可以」「有没有」 ask; they do not negate what follows (「公积金能不能提出来租房」).
_ASKED_FORM = re.compile(r"(.)[不没]\1")


def _as_asked(text: str) -> str:
    """``text`` with its A不A question forms blanked out, same length (offsets still agree)."""
    return _ASKED_FORM.sub(lambda match: "？" * len(match.group(0)), text)


def _paraphrased_facts(book: _FactBook, text: str, keys: set[str]) -> dict[str, str]:
    found: dict[str, tuple[float, str]] = {}
    for clause in _CLAUSE_BREAKS.split(text):
        if len(clause) < 2:
            continue
        negated = _negated(clause)
        for word, (key, value) in book.words.items():
            if key not in keys or book.facts[key].kind != "deciding":
                continue  # only what was just asked; detail facts are never guessed
            if len(word) < PARAPHRASE_MIN_WORD or _negated(word) != negated:
                continue
            score = fuzz.partial_ratio(word, clause)
            if score >= PARAPHRASE_MIN_SCORE and score > found.get(key, (0.0, ""))[0]:
                found[key] = (score, value)
    return {key: value for key, (_, value) in found.items()}


# ---------------------------------------------------------------- search


SEARCH_DEPTH = 20  # hits ranked once per message; callers take the first ``limit``


def search(session: Session, text: str, limit: int = 5) -> list[Candidate]:
    """Top ``limit`` items/bundles for a free-text question, best first, scores 0..100.

    Place names and situation-fact words say where and how, not what: 「我在龙台镇，本人办，社保卡丢了」
    would otherwise dilute the match. Places are always taken out; fact words only in a second
    reading whose scores are merged in, because some fact words are also names (「退休」).

    Remembered per message (SEARCH_DEPTH hits, cut to ``limit``): one turn ranks its message several times.
    """
    depth = max(limit, SEARCH_DEPTH)  # one ranking per message serves every caller's limit
    return list(memoised(session, "search", (text, depth), lambda: tuple(_search(session, text, depth))))[:limit]


def _search(session: Session, text: str, limit: int) -> list[Candidate]:
    text = normalise(text)
    places = _places(session)
    without_places = _without_matches(text, places.names, places.longest, MIN_PLACE_NAME)
    book = _fact_book(session)
    readings = dict.fromkeys([without_places, _without_matches(without_places, book.words, book.longest, 2)])
    best: dict[str, Candidate] = {}
    for reading in readings:
        for candidate in _search_names(session, reading, limit):
            if candidate.code not in best or candidate.score > best[candidate.code].score:
                best[candidate.code] = candidate
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.kind != "bundle", len(c.name), c.code))
    return ranked[:limit]


def _bundle_members(session: Session) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for bundle_code, item_code in session.execute(select(BundleMember.bundle_code, BundleMember.item_code)):
        members.setdefault(bundle_code, set()).add(item_code)
    return {code: frozenset(items) for code, items in members.items()}


def bundle_named_by(session: Session, codes: Iterable[str]) -> Optional[str]:
    """The 一件事 a question names through its parts, when the citizen names several targets.

    「宝宝出生了，出生证、户口、医保能一起办不」 names 《出生医学证明》 and 户口登记: two members of
    新生儿出生一件事, so the bundle is what they need. A bundle is named when at least two of its
    members are among ``codes``, or when it is among them together with one of its members.
    Several bundles qualifying equally name none (None: the caller asks which).
    """
    named = set(codes)
    scored = []
    for bundle_code, members in cached(session, "bundle_members", _bundle_members).items():
        hits = len(named & members)
        if hits >= 2 or (hits >= 1 and bundle_code in named):
            scored.append((hits + (bundle_code in named), bundle_code))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


# ---------------------------------------------------------------- conditions and tailoring

_CONFLICT = object()


def _merge_conditions(*conditions: Optional[Mapping[str, str]]) -> Any:
    merged: dict[str, str] = {}
    for condition in conditions:
        for key, value in (condition or {}).items():
            if merged.get(key, value) != value:
                return _CONFLICT  # a material that needs both yes and no can never apply
            merged[key] = value
    return merged


def _open_parts(condition: Any, facts: Mapping[str, str]) -> Optional[list[tuple[str, str]]]:
    """None when the condition is contradicted by the facts, else its still-unknown (key, value) parts."""
    if condition is _CONFLICT:
        return None
    open_parts = []
    for key, value in (condition or {}).items():
        if key in facts:
            if facts[key] != value:
                return None
        else:
            open_parts.append((key, value))
    return open_parts


def _applicable_members(bundle: Bundle, facts: Mapping[str, str]) -> list:
    """Members whose condition holds or is not yet known (kept, their materials then conditional)."""
    return [member for member in bundle.members if _open_parts(member.condition, facts) is not None]


def _material_out(book: _FactBook, material, open_parts: list[tuple[str, str]]) -> MaterialOut:
    texts = [book.condition_text(k, v) for k, v in open_parts]
    # An official guide's condition that no fact expresses is shown, never asked or used to drop.
    texts += [material.condition_text] if getattr(material, "condition_text", None) else []
    condition = CONDITION_SEPARATOR.join(dict.fromkeys(texts)) or None
    return MaterialOut(name=material.name, copies=material.copies, form=material.form, note=material.note,
                       condition=condition, required=getattr(material, "required", None),
                       originals=getattr(material, "originals", None), medium=getattr(material, "medium", None),
                       details=getattr(material, "details", None))


def _merge_into(result: dict[str, MaterialOut], material: MaterialOut) -> None:
    key = normalise(material.name)  # 「（备案）」 and 「(备案)」 are the same material
    present = result.get(key)
    if present is None:
        result[key] = material
    elif present.condition is not None and material.condition is None:
        result[key] = material  # unconditional wins; keeps the first position


def _facts_key(target: Target, facts: Mapping[str, str]) -> Hashable:
    return target.code, tuple(sorted(facts.items()))


def tailor(session: Session, target: Target, facts: Mapping[str, str]) -> list[MaterialOut]:
    """Materials for this citizen's situation: contradicted ones dropped, unknown ones conditional."""
    return list(memoised(session, "tailored", _facts_key(target, facts), lambda: tuple(_tailor(session, target, facts))))


def _tailor(session: Session, target: Target, facts: Mapping[str, str]) -> list[MaterialOut]:
    book = _fact_book(session)
    result: dict[str, MaterialOut] = {}
    if target.kind == "item":
        item = session.get(Item, target.code)
        for material in item.materials if item else []:
            parts = _open_parts(_merge_conditions(material.condition), facts)
            if parts is not None:
                _merge_into(result, _material_out(book, material, parts))
        return list(result.values())
    bundle = session.get(Bundle, target.code)
    if bundle is None:
        return []
    for material in bundle.materials:
        parts = _open_parts(_merge_conditions(material.condition), facts)
        if parts is not None:
            _merge_into(result, _material_out(book, material, parts))
    omitted = {normalise(omit.name) for omit in bundle.omits}
    for member in _applicable_members(bundle, facts):
        for material in member.item.materials:
            if normalise(material.name) in omitted:
                continue
            parts = _open_parts(_merge_conditions(member.condition, material.condition), facts)
            if parts is not None:
                _merge_into(result, _material_out(book, material, parts))
    return list(result.values())


# ---------------------------------------------------------------- missing facts


def fact_keys(session: Session, target: Target, facts: Mapping[str, str]) -> list[str]:
    """The situation facts ``target`` uses (deciding and detail), in asking order."""
    return list(memoised(session, "fact_keys", _facts_key(target, facts), lambda: tuple(_fact_keys(session, target, facts))))


def _fact_keys(session: Session, target: Target, facts: Mapping[str, str]) -> list[str]:
    if target.kind == "item":
        item = session.get(Item, target.code)
        return [link.fact_key for link in item.fact_links] if item else []
    bundle = session.get(Bundle, target.code)
    if bundle is None:
        return []
    keys = [link.fact_key for link in bundle.fact_links]
    omitted = {normalise(omit.name) for omit in bundle.omits}
    for member in _applicable_members(bundle, facts):
        # A member's fact decides nothing here when every material it selects is replaced by the
        # bundle's own (退休一件事 omits the per-reason 公积金 proofs: the reason is not asked).
        still_used = {key for material in member.item.materials if normalise(material.name) not in omitted
                      for key in (material.condition or {})}
        keys.extend(link.fact_key for link in member.item.fact_links if link.fact_key in still_used)
    return list(dict.fromkeys(keys))


def missing_facts(session: Session, target: Target, facts: Mapping[str, str], place: Optional[Place]) -> list[Question]:
    """What still decides the answer: unknown deciding facts in order, then the place
    unless the target is county- or city-level. Detail facts are never asked."""
    book = _fact_book(session)
    questions = []
    for key in fact_keys(session, target, facts):
        fact = book.facts.get(key)
        if fact is not None and fact.kind == "deciding" and key not in facts:
            options = [{"value": value, "label": label} for value, label, _ in fact.options]
            questions.append(Question(slot=key, text=fact.question, options=options))
    if LEVEL_RANK[target.level] < LEVEL_RANK["county"] and (place is None or place.is_empty):
        questions.append(Question(slot="place", text=PLACE_QUESTION_FOR.format(name=target.name), options=[]))
    return questions


# ---------------------------------------------------------------- service points


def _location(point: ServicePoint, note: Optional[str] = None) -> LocationOut:
    return LocationOut(level=point.level, name=point.name, address=point.address, hours=point.hours,
                       phone=point.phone, note=note)


def _county_code(session: Session, place: Optional[Place]) -> Optional[str]:
    if place is not None and place.town is not None:
        town = session.get(Region, place.town.code)
        if town is not None and town.parent_code:
            return town.parent_code
    meta = session.get(CatalogMeta, "default_county")
    if meta is not None:
        return meta.value
    return session.scalar(select(Region.code).where(Region.level == "county").order_by(Region.code).limit(1))


def _point_for(session: Session, region_code: Optional[str]) -> Optional[ServicePoint]:
    if not region_code:
        return None
    return session.scalar(select(ServicePoint).where(ServicePoint.region_code == region_code))


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _nearest_by_distance(session: Session, level: str, coordinates: tuple[float, float]) -> Optional[ServicePoint]:
    able = [lvl for lvl, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[level]]  # who can handle it
    points = session.scalars(
        select(ServicePoint).where(ServicePoint.level.in_(able), ServicePoint.lat.is_not(None),
                                   ServicePoint.lng.is_not(None))
    ).all()
    lat, lng = coordinates
    return min(points, key=lambda p: _haversine_km(lat, lng, p.lat, p.lng), default=None)


def nearest_service_point(session: Session, target: Target, place: Optional[Place] = None,
                          coordinates: Optional[tuple[float, float]] = None) -> LocationOut:
    """The lowest-level point that handles ``target`` where the citizen lives (or nearest by distance)."""
    if coordinates is not None:
        point = _nearest_by_distance(session, target.level, coordinates)
        if point is not None:
            return _location(point)
    key = (target.level, target.region_code) + (
        tuple(ref.code if ref else None for ref in (place.town, place.village)) if place else (None, None))
    point = memoised(session, "service_points", key, lambda: _point_by_region(session, target, place))
    return _at_window(point, target)


def _at_window(point: LocationOut, target: Target) -> LocationOut:
    """An official guide names the item's own window (「市政务服务中心2楼市医保局4、5、6号窗口」), hours
    and phone: they are more precise than the hall's. A window outside the hall (a department's own
    office) is named by the department."""
    if not (target.address or target.hours or target.phone):
        return point
    name = point.name
    if target.address and "政务服务中心" not in target.address and target.department:
        name = target.department
    return LocationOut(level=point.level, name=name, address=target.address or point.address,
                       hours=target.hours or point.hours, phone=target.phone or point.phone, note=point.note)


def _point_by_region(session: Session, target: Target, place: Optional[Place]) -> LocationOut:
    county_code = _county_code(session, place)
    if (place is None or place.town is None) and target.region_code and session.get(Region, target.region_code):
        county_code = target.region_code  # the item's own region, when two regions share one catalog
    if target.level == "city":
        county_code = _city_code(session, county_code)
    county = _point_for(session, county_code)
    town = _point_for(session, place.town.code) if place and place.town else None
    village = _point_for(session, place.village.code) if place and place.village else None
    if target.level == "village" and village is not None:
        return _location(village, note=f"{town.name}也可办理" if town else None)
    if target.level in ("village", "town") and town is not None:
        return _location(town, note=VILLAGE_STATION_NOTE if target.level == "village" else _not_here(village))
    if county is None:
        return LocationOut(level="county", name="政务服务中心")
    return _location(county, note=_not_here(village or town))


def _city_code(session: Session, code: Optional[str]) -> Optional[str]:
    """The city above ``code`` (itself when it is the city); unchanged when none is loaded."""
    region = session.get(Region, code) if code else None
    if region is not None and region.level != "city" and region.parent is not None and region.parent.level == "city":
        return region.parent.code
    return code


def _not_here(nearer: Optional[ServicePoint]) -> Optional[str]:
    """Where the citizen said they live cannot handle it: say so, so nobody goes there first."""
    return NOT_HERE_NOTE.format(name=nearer.name) if nearer is not None else None


# ---------------------------------------------------------------- the guide payload


def _sample_notice(session: Session) -> str:
    def load(session: Session) -> str:
        meta = session.get(CatalogMeta, "sample_notice")
        return meta.value if meta else DEFAULT_SAMPLE_NOTICE

    return cached(session, "sample_notice", load)


def _items_of(session: Session, target: Target, facts: Mapping[str, str]) -> list[dict[str, Any]]:
    items = memoised(session, "items_of", _facts_key(target, facts), lambda: tuple(_load_items_of(session, target, facts)))
    return [dict(item) for item in items]


def _load_items_of(session: Session, target: Target, facts: Mapping[str, str]) -> list[dict[str, Any]]:
    if target.kind == "item":
        return [{"code": target.code, "name": target.name, "department": target.department}]
    bundle = session.get(Bundle, target.code)
    return [{"code": m.item.code, "name": m.item.name, "department": m.item.department}
            for m in _applicable_members(bundle, facts)] if bundle else []


def public_base_from_env() -> str:
    return os.environ.get("WYC_PUBLIC_BASE_URL", "http://127.0.0.1:8000")


# The payload fields an answer shows; one the data lacks is named in ``missing`` so every channel
# says it is not known and where to ask, instead of leaving it out or guessing.
ANSWER_FIELDS = ("materials", "time_limit", "fee", "trips", "online")
LOCATION_FIELDS = ("address", "hours", "phone")


def _missing(target: Target, materials: list[MaterialOut], location: dict[str, Any]) -> list[str]:
    missing = [name for name in ANSWER_FIELDS
               if (not materials if name == "materials" else getattr(target, name) in (None, ""))]
    return missing + [name for name in LOCATION_FIELDS if not location.get(name)]


def _unique(values: Iterable[Optional[str]]) -> list[str]:
    return [value for value in dict.fromkeys(values) if value]


def guide(session: Session, target: Target, facts: Mapping[str, str], place: Optional[Place],
          public_base: Optional[str] = None, coordinates: Optional[tuple[float, float]] = None) -> dict[str, Any]:
    """The docs/DESIGN.md §6 ``guide`` payload plus code, name, sample_notice, process, source, pending."""
    base = (public_base or public_base_from_env()).rstrip("/")
    authored = target.has_guide or target.source == "authored sample"
    materials = tailor(session, target, facts)
    location = asdict(nearest_service_point(session, target, place, coordinates))
    return {
        "type": "guide",
        "code": target.code,
        "name": target.name,
        "bundle": {"code": target.code, "name": target.name} if target.kind == "bundle" else None,
        "items": _items_of(session, target, facts),
        "materials": [asdict(material) for material in materials],
        "location": location,
        "time_limit": target.time_limit,
        "fee": target.fee,
        "trips": target.trips,
        "online": target.online,
        "process": target.process,
        "guide_url": target.guide_url or f"{base}/guide/{target.code}",
        "qr_url": f"{base}/guide/{target.code}/qr.svg",
        "sample_notice": _sample_notice(session) if authored else None,
        "source": "authored sample" if authored else "real",
        # Materials and facts from the published official guide (guide_url is its source link).
        "official": target.official_guide and not authored,
        "missing": _missing(target, materials, location),
        "ask_phone": location.get("phone") or HOTLINE,
        # Each open situation once, though several materials (and composite conditions) share it.
        "pending": _unique(part for material in materials if material.condition
                           for part in material.condition.split(CONDITION_SEPARATOR)),
    }


# ---------------------------------------------------------------- the general resolver


def _build_resolver(session: Session) -> ResolverIndex:
    aliases: dict[str, list[str]] = {}
    for code, alias in session.execute(select(ItemAlias.item_code, ItemAlias.alias)):
        aliases.setdefault(code, []).append(alias)
    for code, alias in session.execute(select(BundleAlias.bundle_code, BundleAlias.alias)):
        aliases.setdefault(code, []).append(alias)
    rows = [(code, name, "item", aliases.get(code, ()), bool(has_guide))
            for code, name, has_guide in session.execute(select(Item.code, Item.name, Item.has_guide))]
    rows += [(code, name, "bundle", aliases.get(code, ()), True)
             for code, name in session.execute(select(Bundle.code, Bundle.name))]
    words = load_words()
    return ResolverIndex(build_targets(sorted(rows), words), words, load_colloquial(),
                         dict(load_lexicon().names), load_phrasings() + resolver_phrasings(session))


def resolve(session: Session, text: str, consider: Iterable[str] = (), nlu: Iterable[str] = ()) -> Resolution:
    """The general resolver's one ranking of the whole list for ``text`` (places taken out), with the
    catalog search's scores and the NLU's items (``nlu``) as parts of it; ``consider``: codes scored
    in any case (another reading's targets). Remembered per message."""
    consider = tuple(sorted(set(consider)))
    nlu = tuple(sorted(set(nlu)))

    def compute() -> Resolution:
        without_places, scores = resolver_inputs(session, text)
        return resolver_index(session).rank(without_places, scores, consider=consider, nlu=nlu)

    return memoised(session, "resolutions", (text, consider, nlu), compute)


def resolver_index(session: Session) -> ResolverIndex:
    """The general resolver's index of the session's catalog, built once and cached."""
    return cached(session, "resolver", _build_resolver)


def resolver_inputs(session: Session, text: str) -> tuple[str, dict[str, float]]:
    """What the resolver reads of ``text``: the message with its places taken out, and the catalog
    search's scores by code."""
    places = _places(session)
    without_places = _without_matches(normalise(text), places.names, places.longest, MIN_PLACE_NAME)
    return without_places, {hit.code: hit.score for hit in search(session, text, limit=10)}
