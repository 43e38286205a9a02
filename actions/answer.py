"""action_answer: the one clarifying question or the complete 一次性告知 (docs/DESIGN.md §2).

Orchestration only: which item, which facts and place, whether this need was already
asked about. Matching, tailoring and locations are `catalog.queries`.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from itertools import product
from math import prod
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from catalog import queries
from catalog.text import normalise
from catalog.types import LocationOut, Place, Target

from actions import choice, render
from actions.base import CatalogAction
from actions.catalog_session import public_base_url
from actions.conversation import Memory, Turn

logger = logging.getLogger(__name__)

# Search scores are 0..100. Below MIN_SCORE nothing is presented as an answer (handoff);
# candidates within AMBIGUITY_MARGIN of the best are too close to choose between, unless the
# best names a target word for word (EXACT_SCORE) and the others only come close.
MIN_SCORE = 60.0
AMBIGUITY_MARGIN = 5.0
EXACT_SCORE = 100.0
# The NLU's one item yields to the catalog's tie only when the words fit every tied item well;
# a tie of middling scores means noisy wording the NLU reads better (「父母房子送给子女…过户」).
SIBLING_SCORE = 90.0
MAX_CANDIDATES = 5
MAX_READINGS = 125  # ways to read the shared names of several named items, tried for a 一件事
MAX_READING_HITS = 20  # the catalog's ranking of the message that weighs those readings

CLARIFY_INTRO = "为了一次把材料和办理地点告诉您，请先确认以下几点（可一次回复）："
ALL_CANDIDATES_INTRO = "您没有选定哪一项，下面把这{count}项的材料和办理地点都列出来，请按您要办的那一项准备："
EVERY_CANDIDATE_INTRO = "好的，下面把这{count}项的材料和办理地点都列出来："
ITEM_QUESTION = "您要办理的是哪一项？请回复序号或名称。"

# Intents the NLU may give a need by mistake: such a message is answered only when the general
# resolver answers it with at least this probability; otherwise the intent's own handoff follows.
TRIAGED_INTENTS = frozenset({"complaint", "request_human"})
TRIAGE_PROBABILITY = 0.65

# lookup_status values; the rules choose the next step from them (and TRIAGED_INTENTS' names).
GUIDE, CLARIFY, NOT_FOUND, NO_CONTEXT = "guide", "clarify", "not_found", "no_context"


@dataclass
class Need:
    """What the citizen needs: one target, several close candidates, or nothing found."""

    target: Optional[Target] = None
    candidates: list[Target] = field(default_factory=list)
    every: bool = False  # the reply to the one question took every candidate (「两个都要办」)

    @property
    def every_key(self) -> Optional[str]:
        """Recorded in `asked_for` when the one question was asked for every candidate at once."""
        return "every:" + self.key if self.candidates and self.key else None

    @property
    def key(self) -> Optional[str]:
        """The entry recorded in `asked_for` once this need has had its one question."""
        if self.target is not None:
            return self.target.code
        if self.candidates:
            return "candidates:" + "|".join(sorted(t.code for t in self.candidates))
        return None


def _targets(session: Session, codes: list[str]) -> list[Target]:
    found = (queries.get_target(session, code) for code in codes)
    return [target for target in found if target is not None]


def _hits(session: Session, text: str) -> list[queries.Candidate]:
    """The catalog's ranking of the whole message, best first, down to AMBIGUITY_MARGIN below
    MIN_SCORE (a near miss under the bar still makes the best hit unclear), less the names that
    say another thing is done than the message asks for (``_not_asked_otherwise``)."""
    if not text:
        return []
    hits = [hit for hit in queries.search(session, text, limit=MAX_CANDIDATES + 1)
            if hit.score >= MIN_SCORE - AMBIGUITY_MARGIN]
    otherwise = queries.asked_otherwise(session, text, [hit.code for hit in hits])
    return [hit for hit in hits if hit.code not in otherwise]


def _close_candidates(session: Session, text: str, min_score: float = MIN_SCORE,
                      hits: Optional[list[queries.Candidate]] = None) -> list[Target]:
    """Search hits good enough to answer: one clear winner, or the few tied with it.
    ``hits``: ``_hits(session, text)`` when the caller already has them."""
    if hits is None:
        hits = _hits(session, text)
    if not hits or hits[0].score < min_score:
        return []
    if hits[0].score >= EXACT_SCORE:
        # Names said word for word outrank near misses (「刚生了娃」 is 新生儿出生 exactly,
        # 「新生儿出生证」 only nearly); several of them are several things named.
        exact = [hit.code for hit in hits if hit.score >= EXACT_SCORE]
        return _targets(session, _bundle_or_all(session, exact)[:MAX_CANDIDATES])
    close = [hit for hit in hits if hits[0].score - hit.score <= AMBIGUITY_MARGIN][:MAX_CANDIDATES]
    if any(hit.score < MIN_SCORE for hit in close):
        # A weak best hit with near misses under the bar (「我想换个驾驶证」: 机动车驾驶证公证 61.7,
        # three 拖拉机驾驶证 items 56–57): nothing fits well enough to answer or to offer.
        return []
    return _targets(session, [hit.code for hit in close])


def _bundle_or_all(session: Session, codes: list[str]) -> list[str]:
    """Several targets named at once: the 一件事 they are parts of, when there is one."""
    bundle = queries.bundle_named_by(session, codes) if len(codes) > 1 else None
    return [bundle] if bundle else codes


def _from_entities(session: Session, turn: Turn) -> list[Target]:
    return _not_asked_otherwise(session, turn, _as_named(session, turn))


def _as_named(session: Session, turn: Turn) -> list[Target]:
    targets = _targets(session, turn.item_codes)
    if len(targets) > 1:
        targets = _without_described(session, turn, targets)
    if len(targets) == 1:
        return _unless_ambiguous(session, turn, targets[0])
    if not targets:
        return []
    bundle = _bundle_or_all(session, [t.code for t in targets])
    if len(bundle) == 1:
        return _targets(session, bundle)
    through_sibling = _bundle_through_a_sibling(session, turn, targets)
    if through_sibling:
        return _targets(session, [through_sibling])
    if _named_apart(turn, targets):
        return targets[:MAX_CANDIDATES]  # 「身份证和护照」: both are wanted (find_need answers each)
    # Several items named: let the full text decide if it clearly prefers one of them.
    ranked = _close_candidates(session, turn.text)
    if len(ranked) == 1 and ranked[0].code in {t.code for t in targets}:
        return ranked
    return targets[:MAX_CANDIDATES]


def _named_apart(turn: Turn, targets: list[Target]) -> bool:
    """Each target was read from words of its own: 「我要办身份证和护照」 names two needs, where
    「社保卡的事」 read as several 社保卡 items names one need that is unclear."""
    words = [set(turn.words_for(target.code)) for target in targets]
    return len(targets) > 1 and all(words) and all(
        not (words[i] & words[j]) for i in range(len(words)) for j in range(i + 1, len(words)))


def _not_asked_otherwise(session: Session, turn: Turn, targets: list[Target]) -> list[Target]:
    """Leave out items whose name says another thing is done than the message asks for.

    「娃娃的出生证明丢了要咋个补」 says the alias 「出生证明」 word for word, but the county's only
    such item is 《出生医学证明》首次签发: the first-issue guide would send someone who lost the
    certificate with the wrong materials. With nothing else named, the search decides, and here
    nothing fits: a handoff, not a wrong 一次性告知. Where an item about the same thing does
    what is asked, it takes the named one's place: 「营业执照地址变了要改」 names 个体工商户设立登记
    by its alias and asks for 个体工商户变更登记（备案）. (Applied after the NLU's items met the
    message's ranking, in which such names are no hits: 「残疾证丢了咋个补」 read as 残疾人证新办
    still leads to the sibling that says 补办.)
    """
    otherwise = queries.asked_otherwise(session, turn.text, [target.code for target in targets])
    if not otherwise:
        return targets
    codes = [target.code if target.code not in otherwise
             else queries.variant_asked(session, target.code, turn.text) for target in targets]
    return _targets(session, list(dict.fromkeys(code for code in codes if code)))


def _bundle_through_a_sibling(session: Session, turn: Turn, targets: list[Target]) -> Optional[str]:
    """The one 一件事 several named items make once the names they share with siblings are read
    as the siblings that go with the others.

    「我妈的户口要注销，还有她的社保卡」: the NLU reads 户口注销 and 「社保卡」, which names 社会保障卡
    申领, 补领 and 注销 alike, and settles on 申领. 户口注销 and 申领 are parts of no common 一件事;
    户口注销 and 社会保障卡注销 are both parts of 身后一件事, which is what the citizen needs. Every
    reading of every shared name is tried. Where readings make several 一件事 (「户口」 and 「社保卡」
    read as 登记 and 申领 make 新生儿出生, as 注销 and 注销 身后一件事), the whole message decides:
    the reading whose items the catalog ranks clearly higher for it (「我老汉走了，他的社保卡和户口都要销」
    ranks both 注销 items first). Otherwise None: the items stay as named.
    """
    readings = [[target.code] + _named_as_well(session, turn, target.code) for target in targets]
    if all(len(options) == 1 for options in readings):
        return None  # no shared name: the one reading is the items as named, which _bundle_or_all has tried
    if prod(len(options) for options in readings) > MAX_READINGS:
        return None
    support = {hit.code: hit.score for hit in queries.search(session, turn.text, limit=MAX_READING_HITS)}
    best: dict[str, float] = {}  # 一件事 → how well the message supports its best reading
    for codes in product(*readings):
        bundle = queries.bundle_named_by(session, list(codes))
        if bundle is not None:
            best[bundle] = max(best.get(bundle, 0.0), sum(support.get(code, 0.0) for code in codes))
    ranked = sorted(best.items(), key=lambda pair: -pair[1])
    if len(ranked) == 1 or (ranked and ranked[0][1] - ranked[1][1] > AMBIGUITY_MARGIN):
        return ranked[0][0]
    return None


def _named_as_well(session: Session, turn: Turn, code: str) -> list[str]:
    """The other items the NLU's words for ``code`` name exactly as well as ``code`` (tied best
    hits of the catalog search, ``code`` among them); none when they name ``code`` best."""
    others: list[str] = []
    for words in turn.words_for(code):
        hits = queries.search(session, words, limit=MAX_CANDIDATES + 1)
        if not hits or hits[0].score < MIN_SCORE:
            continue
        tied = [hit.code for hit in hits if hit.score == hits[0].score]
        if code in tied:
            others += [other for other in tied if other != code and other not in others]
    return others


def _without_described(session: Session, turn: Turn, targets: list[Target]) -> list[Target]:
    """Leave out items the NLU read only from words that describe the situation.

    「我爸上个月走了，他是厂里退休的，后事要办哪些手续」: 「退休」 names 退休一件事, but here it is
    inside 「厂里退休的」, a fact about the deceased (deceased_insured), not a second need.
    At least one target is always kept.
    """
    return _not_described(session, turn, targets) or targets


def _not_described(session: Session, turn: Turn, targets: list[Target]) -> list[Target]:
    """The targets named by more than words that describe the situation (possibly none)."""
    described = queries.fact_words_in(session, turn.text)
    if not described:
        return targets

    def only_described(target: Target) -> bool:
        words = turn.words_for(target.code)
        return bool(words) and all(any(normalise(w) in fact for fact in described) for w in words)

    return [target for target in targets if not only_described(target)]


def _named_instead(session: Session, turn: Turn, in_play: Target) -> list[Target]:
    """The items a statement names in place of the one in play, when no question is open.

    「我的社报卡丢了，龙台镇的」 after the 残疾人证 guide is read as inform and gives a place, yet it
    is about 社保卡, not the 残疾人证 again. Nothing is named instead when the statement names the
    item in play, or names others only in words that describe the situation (「他是厂里退休的」
    after the 身后一件事 guide is a fact about the deceased).
    """
    named = _targets(session, turn.item_codes)
    if not named or in_play.code in {target.code for target in named}:
        return []
    if not _not_described(session, turn, named):
        return []
    return _from_entities(session, turn)


def _unless_ambiguous(session: Session, turn: Turn, named: Target) -> list[Target]:
    """The one item the NLU named, unless the words fit it and its siblings equally, or the
    message names a more specific sibling, or the 一件事 it is part of, exactly.

    The NLU may settle on one item where the citizen named only what several share
    (「社保卡要办理」 read as 补领 by a near-miss match); the catalog's ranking of the whole
    message then offers the tied items, the named one among them, as the one question.
    And where the NLU read only the shared words (「社保卡」 in 「我社保卡弄丢了咋个补」) while the
    whole message is exactly another item's name (社会保障卡补领) that contains them, that item
    is what was asked for.
    """
    hits = _hits(session, turn.text)
    ranked = _close_candidates(session, turn.text, min_score=SIBLING_SCORE, hits=hits)
    if len(ranked) > 1 and named.code in {t.code for t in ranked}:
        return ranked
    # (A single ``ranked`` comes from a non-empty ``hits``; its first hit must be that item, exactly.)
    if len(ranked) == 1 and ranked[0].code != named.code \
            and hits[0].code == ranked[0].code and hits[0].score >= EXACT_SCORE \
            and (any(queries.name_extends(session, ranked[0].code, words) for words in turn.item_words)
                 or queries.bundle_named_by(session, [ranked[0].code, named.code]) == ranked[0].code):
        # (or the message names, word for word, the 一件事 the NLU's item is part of: 「生了二胎，
        # 出生证户口这些咋个办」 is 新生儿出生一件事, not only the 出生证 the NLU read)
        return ranked
    if hits and hits[0].score >= MIN_SCORE and hits[0].code != named.code and _leads(hits, named.code) \
            and any(queries.name_extends(session, hits[0].code, words) for words in turn.item_words):
        # The NLU read 「残疾证」 (残疾人证新办) in 「残疾证丢了咋个补」; the catalog ranks
        # 残疾人证挂失补办, which says 「残疾证」 and more of the message, clearly first.
        return _targets(session, [hits[0].code])
    return [named]


def _leads(hits: list[queries.Candidate], code: str) -> bool:
    """The best hit is more than AMBIGUITY_MARGIN ahead of ``code``'s score (or ``code`` is not a hit)."""
    score = next((hit.score for hit in hits if hit.code == code), 0.0)
    return hits[0].score - score > AMBIGUITY_MARGIN


def _picked_candidate(session: Session, turn: Turn, memory: Memory) -> Optional[Target]:
    options = [{"value": c["code"], "label": c["name"]} for c in memory.candidates]
    chosen_codes = [code for code in turn.item_codes if code in {o["value"] for o in options}]
    if not chosen_codes:
        option = choice.pick_option(turn.text, options)
        chosen_codes = [option["value"]] if option else []
    targets = _targets(session, chosen_codes[:1])
    return targets[0] if targets else None


def find_need(session: Session, turn: Turn, memory: Memory, learned: bool = False,
              learned_for_item_in_play: Optional[bool] = None) -> Need:
    """Which item(s) this message is about, remembering the conversation so far.

    ``learned``: the message added a fact or a place (「我自己去办」「我在协兴镇」).
    ``learned_for_item_in_play``: ... and that fact is one the item in play uses (or a place),
    so the message continues it before any new search; a fact only another item uses lets
    the search speak first and the item in play is the fallback. Defaults to ``learned``.
    """
    if learned_for_item_in_play is None:
        learned_for_item_in_play = learned
    if memory.pending_question and memory.candidates:
        offered = Need(candidates=_targets(session, [c["code"] for c in memory.candidates]))
        if offered.every_key in memory.asked_for:
            # The question was asked for several needs at once, with no choice among them: the
            # reply gives what they lack (「他是厂里退休的」 names no choice, though it says 「退休」).
            return Need(candidates=offered.candidates, every=True)
        picked = _picked_candidate(session, turn, memory)
        if picked is not None:
            return Need(target=picked)
        if choice.takes_every_option(turn.text):
            return Need(candidates=offered.candidates, every=True)
    remembered = _targets(session, [memory.target_code] if memory.target_code else [])
    if remembered and turn.is_reply and turn.repeats_previous and not learned and _states_something(session, turn):
        # The same reply twice (「门头要装修…」 sent again, or re-sent by the load balancer after
        # the first copy was processed): it changes nothing, so the answer is the same answer.
        # (A bare 「好的」 twice is not re-answered.)
        return Need(target=remembered[0])
    if remembered and _continues(turn, memory, learned_for_item_in_play):
        # A reply to the one question (「门头要装修」) must never be re-read as a new search:
        # that text alone is also the name of an item (临时占道).
        instead = [] if memory.pending_question else _named_instead(session, turn, remembered[0])
        if instead:
            return _need_of(instead)
        return Need(target=remembered[0])
    named = _from_entities(session, turn)
    if len(named) > 1 and _named_apart(turn, named):
        return Need(candidates=named, every=True)
    if named:
        return _need_of(_unless_outranked(session, turn, memory, named))
    found = _close_candidates(session, turn.text)
    if found and not (memory.pending_question and turn.is_reply and learned and len(found) > 1):
        # (A reply to the one question that gives the place or a fact and only loosely fits
        # several other items, 「户口在悦来镇」, answers the question; it starts no new choice.)
        return _need_of(_unless_outranked(session, turn, memory, found))
    if not memory.pending_question:
        resolved = _resolved(session, turn)
        if resolved:
            return _need_of(resolved)
    if remembered and (memory.pending_question or turn.aspect or learned or _states_something(session, turn)):
        # About the same item: 「要多少钱」「我在协兴镇」, or a restatement that names no other item
        # (「我是她儿子，我去办」 after 「…我能帮她补办吗」), which a 12345 handoff would lose.
        return Need(target=remembered[0])
    if memory.pending_question and memory.candidates and learned:
        # The reply answered the rest of the one question (「我在悦来镇」) but not which item:
        # the same candidates, now answered in full (docs/DESIGN.md §2.2: never a second round).
        return Need(candidates=_targets(session, [c["code"] for c in memory.candidates]))
    return Need()


def _unless_outranked(session: Session, turn: Turn, memory: Memory, targets: list[Target]) -> list[Target]:
    """``targets``, unless the general resolver answers another item, far likelier than each of them,
    or asks between others while each of them is unlikely: then the NLU or the search read an
    incidental word of the message (「身份证银行卡都在身上，请问失业保险金要去哪里申请」 is
    失业保险金申领, not 居民身份证办理)."""
    if memory.pending_question or not turn.text or len(targets) != 1 or targets[0].kind != "item":
        return targets  # several items, or a 一件事 the items make, are a reading of their own
    resolution = queries.resolve(session, turn.text, consider=[t.code for t in targets], nlu=turn.item_codes)
    codes = [t.code for t in targets]
    if resolution.outranks(codes) or resolution.offers_instead(codes):
        logger.debug("resolver %s %s instead of %s", resolution.decision, resolution.codes, codes)
        return _targets(session, resolution.codes) or targets
    return targets


def _resolved(session: Session, turn: Turn) -> list[Target]:
    """The general resolver's answer or options (``catalog.resolver``), where neither the NLU's items
    nor the catalog search found anything: the county's whole list, read through the item model
    and the citizens' lexicon (「厂里裁员了，失业金咋个领」 → 失业保险金申领)."""
    if not turn.text:
        return []
    return _targets(session, queries.resolve(session, turn.text, nlu=turn.item_codes).codes)


def _clearly_resolved(session: Session, turn: Turn) -> Optional[Target]:
    """The item a message the NLU read as a complaint or a request for a person is about, when the
    general resolver answers it clearly (TRIAGE_PROBABILITY): 「超市不开了，食品证要注销」 is a need.
    None otherwise: a complaint (「楼下工地半夜施工吵死了」) or 「转人工」 stays what it is."""
    if not turn.text:
        return None
    answer = queries.resolve(session, turn.text, nlu=turn.item_codes).answer
    found = _targets(session, [answer.code]) if answer and answer.probability >= TRIAGE_PROBABILITY else []
    return found[0] if found else None


def _states_something(session: Session, turn: Turn) -> bool:
    return turn.names_place or bool(turn.item_codes) or bool(queries.parse_facts(session, turn.text))


def _continues(turn: Turn, memory: Memory, learned: bool) -> bool:
    """The message carries on with the item already in play rather than asking about a new one."""
    if memory.pending_question:
        return turn.is_reply or learned
    return turn.is_reply and learned


def _need_of(targets: list[Target]) -> Need:
    return Need(target=targets[0]) if len(targets) == 1 else Need(candidates=targets)


def find_place(session: Session, turn: Turn, memory: Memory) -> Place:
    """The place named now, else the one remembered from earlier in the conversation."""
    if turn.names_place:
        place = queries.place_from_codes(session, town_code=turn.town_code, village_code=turn.village_code)
        if not place.is_empty:
            return place
    place = queries.resolve_place(session, turn.text) if turn.text else Place()
    if not place.is_empty:
        return place
    if memory.town_code or memory.village_code:
        return queries.place_from_codes(session, town_code=memory.town_code, village_code=memory.village_code)
    return Place()


def _as_dict(question: Any) -> dict[str, Any]:
    return asdict(question) if not isinstance(question, dict) else dict(question)


def find_facts(session: Session, turn: Turn, memory: Memory, place: Place) -> dict[str, str]:
    """Remembered facts, updated by the words of this message and by answers to the question."""
    facts = dict(memory.facts)
    target = _targets(session, [memory.target_code] if memory.target_code else [])
    asked: list[dict[str, Any]] = []
    if memory.pending_question and target:
        asked = [_as_dict(q) for q in queries.missing_facts(session, target[0], memory.facts, place)]
        facts.update(choice.yes_no_fact(turn.intent, asked))
        facts.update(choice.facts_from_options(turn.text, asked))
    if turn.text:
        answering = [q["slot"] for q in asked if q["slot"] not in ("place", "item")]
        facts.update(queries.parse_facts(session, turn.text, answering=answering))
    return facts


def _place_codes(place: Place) -> tuple[Optional[str], Optional[str]]:
    return (place.town.code if place.town else None, place.village.code if place.village else None)


def _place_slots(place: Place) -> list[dict[str, Any]]:
    town_code, village_code = _place_codes(place)
    return [SlotSet("town_code", town_code), SlotSet("village_code", village_code)]


def _learned_about_need_in_play(session: Session, memory: Memory, facts: dict[str, str], place: Place) -> bool:
    """The message told us something about the item already in play: a new place, or a new
    value of a fact that item uses. A fact only another item uses (「户口也要迁过来，投靠老公」
    after 补领结婚证) starts a new need instead of continuing the old one."""
    if _place_codes(place) != (memory.town_code, memory.village_code):
        return True
    changed = {key for key, value in facts.items() if memory.facts.get(key) != value}
    if not changed:
        return False
    in_play = _targets(session, [memory.target_code] if memory.target_code else [])
    return bool(in_play) and bool(changed & set(queries.fact_keys(session, in_play[0], facts)))


class ActionAnswer(CatalogAction):
    def name(self) -> str:
        return "action_answer"

    def run_with_session(
        self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        turn, memory = Turn.from_tracker(tracker), Memory.from_tracker(tracker)
        place = find_place(session, turn, memory)
        facts = find_facts(session, turn, memory, place)
        learned = facts != memory.facts or _place_codes(place) != (memory.town_code, memory.village_code)
        relevant = learned and _learned_about_need_in_play(session, memory, facts, place)
        remembered = [SlotSet("facts", facts)] + _place_slots(place)
        if turn.intent in TRIAGED_INTENTS:
            clear = _clearly_resolved(session, turn)
            if clear is None:
                # The rules play the intent's own handoff (complaint, or the request for a person).
                logger.info("sender=%s intent=%s handed on", tracker.sender_id, turn.intent)
                return remembered + _forget_question() + [SlotSet("lookup_status", turn.intent)]
            need = Need(target=clear)
        else:
            need = find_need(session, turn, memory, learned, relevant)
        status, events = self._respond(session, dispatcher, turn, memory, need, facts, place, learned)
        if status == NO_CONTEXT:
            noted = _noted(session, memory, facts, place)
            dispatcher.utter_message(text=render.no_context_text(noted, answered_before=memory.target_code is not None))
        logger.info("sender=%s intent=%s need=%s status=%s", tracker.sender_id, turn.intent, need.key, status)
        return remembered + events + [SlotSet("lookup_status", status)]

    def _respond(self, session, dispatcher, turn, memory, need, facts, place, learned):
        if need.key is None:
            return self._nothing_found(turn, memory, learned)
        already_asked = need.key in memory.asked_for
        if need.candidates:
            if already_asked and memory.pending_question:
                if learned or need.every:  # the place or a fact settled, or every item taken: each in full
                    intro = EVERY_CANDIDATE_INTRO if need.every else ALL_CANDIDATES_INTRO
                    guides = self._all_guides(session, dispatcher, turn, need.candidates, facts, place, intro)
                    return GUIDE, guides
                return NOT_FOUND, _forget_question()  # still unclear after the one question
            if need.every:
                return self._every_need(session, dispatcher, turn, memory, need, facts, place, already_asked)
            return CLARIFY, self._ask(dispatcher, memory, need, self._candidate_questions(session, need, place))
        missing = [] if already_asked else queries.missing_facts(session, need.target, facts, place)
        if missing:
            return CLARIFY, self._ask(dispatcher, memory, need, [_as_dict(q) for q in missing])
        unchanged = _unchanged_point(session, turn, memory, need.target, facts, place)
        if unchanged is not None:
            dispatcher.utter_message(text=render.same_answer_text(need.target.name, asdict(unchanged)))
            return GUIDE, [SlotSet("target_code", need.target.code)] + _forget_question()
        return GUIDE, self._guide(session, dispatcher, turn, need.target, facts, place)

    def _every_need(self, session, dispatcher, turn, memory, need, facts, place, already_asked):
        """Several needs named at once: what any of them lacks, asked once; then each in full."""
        questions = [] if already_asked else _questions_for_all(session, need.candidates, facts, place)
        if questions:
            return CLARIFY, self._ask(dispatcher, memory, need, questions)
        intro = EVERY_CANDIDATE_INTRO
        return GUIDE, self._all_guides(session, dispatcher, turn, need.candidates, facts, place, intro)

    @staticmethod
    def _nothing_found(turn: Turn, memory: Memory, learned: bool):
        if memory.pending_question:
            return NOT_FOUND, _forget_question()  # the one question did not settle it: hand off
        # 「好的」「不是」, or 「我在龙台镇」 (a place or a fact noted), with no item in play is not a
        # failure: ask what to handle. A statement that matched nothing and told us nothing
        # (「我家孩子想转学去城南小学」, read as inform) is a question we cannot answer: hand off.
        if turn.intent in ("affirm", "deny") or (turn.intent == "inform" and learned):
            return NO_CONTEXT, _forget_question()
        return NOT_FOUND, _forget_question()

    @staticmethod
    def _candidate_questions(session: Session, need: Need, place: Place) -> list[dict[str, Any]]:
        options = [{"value": t.code, "label": t.name} for t in need.candidates]
        item_question = {
            "slot": "item",
            "text": ITEM_QUESTION,
            "options": options,
            "candidates": {"type": "candidates", "items": [{"code": t.code, "name": t.name} for t in need.candidates]},
        }
        # Where the citizen lives matters if any candidate is handled below county level;
        # the catalog words that question, so borrow it from such a candidate.
        place_questions = []
        for target in need.candidates:
            if target.level != "county":
                asked = [_as_dict(q) for q in queries.missing_facts(session, target, {}, place)]
                place_questions = [{**q, "text": queries.PLACE_QUESTION} for q in asked if q["slot"] == "place"][:1]
                break
        return [item_question] + place_questions

    @staticmethod
    def _ask(dispatcher: CollectingDispatcher, memory: Memory, need: Need, questions: list[dict[str, Any]]):
        dispatcher.utter_message(
            text=render.clarify_text(CLARIFY_INTRO, questions),
            buttons=render.clarify_buttons(questions),
            json_message={"type": "clarify", "questions": questions},
        )
        asked_for = memory.asked_for + [need.key] + [t.code for t in need.candidates]
        if need.every:
            asked_for.append(need.every_key)
        return [
            SlotSet("target_code", need.target.code if need.target else None),
            SlotSet("candidates", [{"code": t.code, "name": t.name} for t in need.candidates] or None),
            SlotSet("asked_for", list(dict.fromkeys(asked_for))),
            SlotSet("pending_question", True),
        ]

    @staticmethod
    def _all_guides(session, dispatcher, turn: Turn, targets: list[Target], facts, place, intro: str):
        dispatcher.utter_message(text=intro.format(count=len(targets)))
        for target in targets:
            _utter_guide(session, dispatcher, turn, target, facts, place)
        # No single item is in play: a follow-up names the one it is about.
        return [SlotSet("target_code", None)] + _forget_question()

    @staticmethod
    def _guide(session, dispatcher, turn: Turn, target: Target, facts, place):
        _utter_guide(session, dispatcher, turn, target, facts, place)
        return [SlotSet("target_code", target.code)] + _forget_question()


def _utter_guide(session: Session, dispatcher: CollectingDispatcher, turn: Turn, target: Target,
                 facts: dict[str, str], place: Place) -> None:
    payload = queries.guide(session, target, facts, place, public_base=public_base_url())
    dispatcher.utter_message(text=render.guide_text(payload, turn.aspect), json_message=payload)


def _questions_for_all(session: Session, targets: list[Target], facts: dict[str, str],
                       place: Place) -> list[dict[str, Any]]:
    """Every deciding fact and the place that any of the targets lacks, each asked once."""
    questions: dict[str, dict[str, Any]] = {}
    for target in targets:
        for question in queries.missing_facts(session, target, facts, place):
            asked = _as_dict(question)
            if asked["slot"] == "place" and len(targets) > 1:
                asked["text"] = queries.PLACE_QUESTION  # one place for several needs names none of them
            questions.setdefault(asked["slot"], asked)
    return list(questions.values())


def _unchanged_point(session: Session, turn: Turn, memory: Memory, target: Target,
                     facts: dict[str, str], place: Place) -> Optional[LocationOut]:
    """The service point, when the message gives only a place for the item just answered and that
    item is handled at the same point as before (「想在农村修房子…」, the county guide, then 「龙台镇」);
    otherwise None."""
    if memory.pending_question or memory.target_code != target.code or facts != memory.facts:
        return None
    if turn.item_codes or turn.aspect or _place_codes(place) == (memory.town_code, memory.village_code):
        return None
    before = queries.place_from_codes(session, memory.town_code, memory.village_code)
    was, now = (queries.nearest_service_point(session, target, where) for where in (before, place))
    return now if (was.level, was.name) == (now.level, now.name) else None


def _noted(session: Session, memory: Memory, facts: dict[str, str], place: Place) -> list[str]:
    """What this turn added to the conversation's memory, as the citizen would say it."""
    noted = []
    if _place_codes(place) != (memory.town_code, memory.village_code) and not place.is_empty:
        noted.append("".join(ref.name for ref in (place.town, place.village) if ref is not None))
    new_facts = {key: value for key, value in facts.items() if memory.facts.get(key) != value}
    return noted + queries.fact_labels(session, new_facts)


def _forget_question() -> list[dict[str, Any]]:
    return [SlotSet("pending_question", False), SlotSet("candidates", None)]


class ActionResetNeed(Action):
    """Close the current need (after goodbye); the facts and the place stay remembered."""

    def name(self) -> str:
        return "action_reset_need"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        return [SlotSet("target_code", None), SlotSet("lookup_status", None)] + _forget_question()
