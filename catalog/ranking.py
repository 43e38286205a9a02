"""The whole message's ranking of the county's list: the name search with places (and, in a
second reading, situation-fact words) taken out, and the general resolver built on it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Iterable, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached, memoised, peek, rebuilt
from catalog.curation import (  # curators' phrasings from the report
    resolver_phrasings,
    version as curation_version,
)
from catalog.facts import fact_book
from catalog.models import Bundle, BundleAlias, Item, ItemAlias
from catalog.places import place_matcher
from catalog.resolver import (
    Resolution,
    ResolverIndex,
    Weights,
    build_targets,
    load_off_list,
    load_off_list_needs,
    load_same_service,
    load_weights,
)
from catalog.search import Lexicon, build_index as build_search_index, load_lexicon, search as _search_names
from catalog.seed import loaded_catalog
from catalog.text import normalise
from catalog.types import Candidate
from catalog.words import (
    ColloquialEntry,
    colloquial_without,
    load_asked_verbs,
    load_colloquial,
    load_phrasings,
    load_words,
)

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
    # A slip of a word of the list (「营业执找」) is read as the word, as the resolver reads it.
    without_places = resolver_index(session).corrected(place_matcher(session).without_places(normalise(text)))
    readings = dict.fromkeys([without_places, fact_book(session).without_words(without_places)])
    best: dict[str, Candidate] = {}
    for reading in readings:
        for candidate in _search_names(session, reading, limit):
            if candidate.code not in best or candidate.score > best[candidate.code].score:
                best[candidate.code] = candidate
    ranked = sorted(best.values(), key=lambda c: (-c.score, c.kind != "bundle", len(c.name), c.code))
    return ranked[:limit]


# ---------------------------------------------------------------- the general resolver


@dataclass(frozen=True)
class _BuiltResolver:
    """The resolver's index and the curators' phrasings version it was built from (read before the
    build: a change made during the build leaves the index behind, and the watch builds it again)."""

    index: ResolverIndex
    phrasings_version: Optional[str]


def _build_resolver(session: Session) -> _BuiltResolver:
    version = curation_version(session)
    return _BuiltResolver(_build_resolver_index(session), version)


def _build_resolver_index(session: Session, colloquial: Optional[Sequence[ColloquialEntry]] = None,
                          lexicon: Optional[Lexicon] = None, weights: Optional[Weights] = None) -> ResolverIndex:
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
    region = loaded_catalog(session)[1]
    # The bank's sentences are read as messages are: their places say where, not what (resolve).
    unplaced = place_matcher(session).without_places
    phrasings = [(name, unplaced(sentence)) for name, sentence in load_phrasings() + resolver_phrasings(session)]
    elsewhere = [(need, unplaced(sentence)) for need, sentence in load_off_list_needs(region)]
    return ResolverIndex(build_targets(sorted(rows), words), words,
                         load_colloquial() if colloquial is None else colloquial,
                         dict((lexicon or load_lexicon()).names), phrasings,
                         same_service=load_same_service(), off_list=load_off_list(region),
                         elsewhere=elsewhere,
                         asked_verbs=load_asked_verbs(stems=words.stems),
                         weights=weights or load_weights())


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
    return cached(session, "resolver", _build_resolver).index


def refresh_resolver(session: Session) -> ResolverIndex:
    """The resolver's index built again from the database (curators' phrasings changed), while the
    messages read meanwhile use the old one; the remembered readings of messages are forgotten."""
    return rebuilt(session, "resolver", _build_resolver, "resolutions").index


def without_rows_for(session: Session, names: Collection[str], weights: Optional[Weights] = None) -> None:
    """From now on, this process's resolver and catalog search read the session's catalog as if no
    lexicon row had been written for the items or bundles ``names`` (colloquial.yaml entries expecting
    or naming them, the search lexicon's words for them): an item whose citizens' words nobody has
    written yet, as the held-out half's are (``scripts/leave_out.py``). ``names`` empty puts every row
    back. ``weights``: the resolver's, instead of ``resolver_weights.yaml``'s (weights fitted elsewhere,
    estimated before they are written). The remembered readings of messages and searches are forgotten."""
    lexicon = load_lexicon().without_names_of(names)
    colloquial = colloquial_without(load_colloquial(), names)
    rebuilt(session, "search_index", lambda s: build_search_index(s, lexicon), "search", "wanted_actions")
    rebuilt(session, "resolver", lambda s: _BuiltResolver(_build_resolver_index(s, colloquial, lexicon, weights),
                                                          curation_version(s)), "resolutions")


def resolver_behind(session: Session, version: Optional[str]) -> bool:
    """This process has built the resolver's index, from other curators' phrasings than ``version``
    (an index not built yet is built from the current ones at its first use)."""
    built: Optional[_BuiltResolver] = peek(session, "resolver")
    return built is not None and built.phrasings_version != version


def resolver_inputs(session: Session, text: str) -> tuple[str, dict[str, float]]:
    """What the resolver reads of ``text``: the message with its places taken out, and the catalog
    search's scores by code."""
    without_places = place_matcher(session).without_places(normalise(text))
    # The search reads what asks for the need, as the resolver does: an item's name in a clause of what
    # the citizen already has (「优待证上个月都拿到手了，现在想办张坐公交的老年卡」) is not a hit.
    asked = resolver_index(session).asked_part(without_places)
    return without_places, {hit.code: hit.score for hit in search(session, asked or text, limit=10)}
