"""Search for hotline agents: the item or 一件事 a caller means, best first, without scores.

The chat answers one target or asks; an agent reads a short list and picks. The list leads with
what the general resolver (the chat's own understanding, ``queries.resolve``) ranks, then fills
with the catalog search's close names. ``listed`` is false when neither finds the need on the list,
and the console then offers the 12345 工单 route instead of a guess.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Item
from catalog.ranking import resolve, search
from catalog.resolver import Resolution
from catalog.text import normalise


@dataclass(frozen=True)
class AgentHit:
    code: str
    name: str
    kind: str  # item | bundle


@dataclass(frozen=True)
class AgentSearch:
    query: str
    results: tuple[AgentHit, ...]
    listed: bool  # false: nothing on the list fits; the agent files a 12345 工单


# A search score from which the catalog search's hit is a close name of the words typed: it may
# stand beside the resolver's choices (「身份证丢了」 → 挂失申报); below it, a shared word or two
# (「低保」 and 社会*保*障卡) is noise.
CLOSE_NAME = 60.0
# A close enough name that the need is on the list, though the chat would ask a human about it.
LISTED_NAME = 50.0
# Below this a search hit shares a character or two with the words (「营业执照」 and 营业性演出):
# it is shown only when nothing better was found.
NOISE = 45.0
# A name that does another thing than asked (「…丢了」 and 挂失 vs 补领) stays, a few places lower.
OTHER_ACTION_PLACES = 3
# When the chat would ask between items of one family (their names lead with the same object:
# 个体工商户设立登记, …注销登记), the family comes first, with up to this many members the resolver
# did not rank (…变更登记（备案）).
FAMILY_EXTRA = 3
# The resolver's targets scored below this share of its best are what a word or two has in common
# (「营业执照」 and 营业性演出): an agent reads them as noise.
RELATIVE_FLOOR = 0.3


def agent_search(session: Session, text: str, limit: int = 10) -> AgentSearch:
    """Best first: the target whose name is the text typed; then each target at the better of its
    place in the resolver's ranking and, for a close name, its place in the search's; ties keep the
    resolver's order; the family the chat would ask within leads."""
    resolution = resolve(session, text)
    hits = search(session, text, limit=limit)
    places: dict[str, tuple[float, float]] = {}
    names: dict[str, AgentHit] = {}
    best_score = max((s.score for s in resolution.ranked if not s.action_differs), default=0.0)
    floor = best_score * RELATIVE_FLOOR if best_score > 0 else float("-inf")
    for place, scored in enumerate(resolution.ranked):
        if scored.score < floor:
            continue
        shifted = place + (OTHER_ACTION_PLACES if scored.action_differs else 0)
        places[scored.code] = (shifted, shifted)
        names[scored.code] = AgentHit(scored.code, scored.name, scored.kind)
    for place, candidate in enumerate(hits):
        best, resolver_place = places.get(candidate.code, (float("inf"), float("inf")))
        if candidate.score >= CLOSE_NAME:
            best = min(best, place)
        elif best == float("inf"):
            if candidate.score < NOISE and (places or place > 0):
                continue  # a stray shared character, and there is something better to show
            best = len(resolution.ranked) + place  # after everything the resolver ranked
        places[candidate.code] = (best, resolver_place)
        names.setdefault(candidate.code, AgentHit(candidate.code, candidate.name, candidate.kind))
    typed = normalise(text)
    # The name typed in full is what the agent looks for, whatever else is likelier to a citizen's words.
    order = sorted(places, key=lambda code: (normalise(names[code].name) != typed, places[code]))
    about = _asked_between_one_family(resolution)
    if about:
        order = _family_first(session, order, names, about)
    listed = resolution.decision != "handoff" or bool(hits and hits[0].score >= LISTED_NAME)
    return AgentSearch(text, tuple(names[code] for code in order[:limit]), listed)


def _asked_between_one_family(resolution: Resolution) -> str | None:
    """The object the chat's one question would choose within (「营业执照」: 个体工商户 注销 or 设立),
    when every option leads with it; None otherwise."""
    if resolution.decision != "ask":
        return None
    by_code = {scored.code: scored for scored in resolution.ranked}
    abouts = {by_code[code].about for code in resolution.codes if code in by_code}
    about = abouts.pop() if len(abouts) == 1 else None
    return about if about and len(about) >= 2 else None


def _family_first(session: Session, order: list[str], names: dict[str, AgentHit], about: str) -> list[str]:
    """The members of the best target's family first: those already in ``order`` in their order, then
    a few more from the catalog, shortest name first (an agent asked 「营业执照」 sees 设立, 变更 and
    注销 of 个体工商户 together)."""
    ranked = [code for code in order if names[code].name.startswith(about)]
    rows = session.execute(select(Item.code, Item.name).where(Item.name.startswith(about, autoescape=True)))
    extra = sorted(((code, name) for code, name in rows if code not in names), key=lambda row: (len(row[1]), row[0]))
    for code, name in extra[:FAMILY_EXTRA]:
        names[code] = AgentHit(code, name, "item")
    family = ranked + [code for code, _ in extra[:FAMILY_EXTRA]]
    return family + [code for code in order if code not in family]
