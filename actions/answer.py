"""action_answer: the one clarifying question or the complete 一次性告知 (docs/DESIGN.md §2).

A thin adapter: which need a message is about is decided by the named rules of ``actions.rules``
(pure); this action reads the tracker, gives the rules the catalog over a database session, and
turns their decision into the question, the guides or the handoff. Matching, tailoring and
locations are `catalog.queries`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions import choice, render, rules
from actions.base import CatalogAction
from actions.catalog_session import public_base_url
from actions.conversation import Memory, Turn
from actions.rules import Need
from catalog import queries
from catalog.contract import Location, candidates_payload, clarify_payload
from catalog.held import held
from catalog.resolver import off_list_offices
from catalog.text import han_characters
from catalog.types import Place, Target

logger = logging.getLogger(__name__)

CLARIFY_INTRO = "为了一次把材料和办理地点告诉您，请先确认以下几点（可一次回复）："
ALL_CANDIDATES_INTRO = "您没有选定哪一项，下面把这{count}项的材料和办理地点都列出来，请按您要办的那一项准备："
EVERY_CANDIDATE_INTRO = "好的，下面把这{count}项的材料和办理地点都列出来："
ITEM_QUESTION = "您要办理的是哪一项？请回复序号或名称。"
CONFIRM_QUESTION = "您要办理的是不是【{name}】？请回复「是」或「不是」。"

# A statement with a place or a fact and at most this many other Chinese characters only says those
# (「我们是龙台镇的」「门头要装修，我自己去，住在龙台镇」): they are noted and the need asked for.
NOTED_AT_MOST = 10

# lookup_status values; the rules choose the next step from them (and the triaged intents' names).
GUIDE, CLARIFY, NOT_FOUND, NO_CONTEXT = "guide", "clarify", "not_found", "no_context"
REFERRED = "referred"  # a need the list lacks, said who handles it: the 12345 line follows, not 「没能找到」


class SessionCatalog:
    """``actions.rules.Catalog`` over a database session (``catalog.queries``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def targets(self, codes: Iterable[str]) -> list[Target]:
        found = (queries.get_target(self.session, code) for code in codes)
        return [target for target in found if target is not None]

    def search(self, text: str, limit: int) -> list[queries.Candidate]:
        return queries.search(self.session, text, limit=limit)

    def asked_otherwise(self, text: str, codes: list[str]) -> set[str]:
        return set(queries.asked_otherwise(self.session, text, codes))

    def variant_asked(self, code: str, text: str) -> Optional[str]:
        return queries.variant_asked(self.session, code, text)

    def bundle_named_by(self, codes: list[str]) -> Optional[str]:
        return queries.bundle_named_by(self.session, codes)

    def name_extends(self, code: str, words: str) -> bool:
        return queries.name_extends(self.session, code, words)

    def fact_words_in(self, text: str) -> list[str]:
        return queries.fact_words_in(self.session, text)

    def states_facts(self, text: str) -> bool:
        return bool(queries.parse_facts(self.session, text))

    def holds(self, text: str, words: str) -> bool:
        return held(text, words)

    def resolve(self, text: str, consider: Sequence[str] = (), nlu: Sequence[str] = ()) -> Any:
        return queries.resolve(self.session, text, consider=consider, nlu=nlu)


def _targets(session: Session, codes: list[str]) -> list[Target]:
    return SessionCatalog(session).targets(codes)


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
    return question.model_dump() if not isinstance(question, dict) else dict(question)


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


@dataclass(frozen=True)
class Reading:
    """A turn read against its conversation: the place and facts it leaves, whether it told anything
    new (``learned``), and the rules' situation."""

    situation: rules.Situation
    place: Place
    facts: dict[str, str]
    learned: bool


def places_checked(session: Session, turn: Turn) -> Turn:
    """``turn`` without the places the NLU read from a function word before a plain word (「在农村」 is no
    misspelt 新农村) or tagged where the message says none of their names (「我在代市镇」, another
    district's town, is no 白市镇): its service point would answer for a place the citizen never named."""
    slips = {code for code, said in turn.place_slips if queries.function_word_slip(session, code, said)}
    slips |= {code for code, said in turn.place_guesses if not queries.names_region(session, code, said)}
    return turn.without_places(slips) if slips else turn


def read_turn(session: Session, turn: Turn, memory: Memory) -> Reading:
    """What ``action_answer`` gives the rules for ``turn`` (also ``actions.explain``'s reading)."""
    place = find_place(session, turn, memory)
    facts = find_facts(session, turn, memory, place)
    learned = facts != memory.facts or _place_codes(place) != (memory.town_code, memory.village_code)
    relevant = learned and _learned_about_need_in_play(session, memory, facts, place)
    return Reading(rules.Situation(turn, memory, SessionCatalog(session), learned, relevant), place, facts, learned)


class ActionAnswer(CatalogAction):
    def name(self) -> str:
        return "action_answer"

    def run_with_session(
        self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        turn, memory = places_checked(session, Turn.from_tracker(tracker)), Memory.from_tracker(tracker)
        reading = read_turn(session, turn, memory)
        situation, place, facts, learned = reading.situation, reading.place, reading.facts, reading.learned
        need, rule = rules.decide(situation)
        if need.target is not None and turn.text:
            # 「身份证搞丢了」 says 丢失补领 by what it asks done, though no fact word is in it.
            facts = {**facts, **queries.facts_by_action(session, need.target, facts, turn.text)}
        remembered = [SlotSet("facts", facts)] + _place_slots(place)
        if need.hand_on:
            # The rules play the intent's own reply: the handoff of a complaint or of a request for a
            # person (the question closes), or the greeting, thanks or goodbye (nothing changes here).
            intent = need.intent or turn.intent
            logger.info("sender=%s intent=%s handed on as %s (%s)", tracker.sender_id, turn.intent, intent, rule)
            # A report of what someone else must deal with (「菜市场门口有个老人晕倒了，快来人」 read as a
            # complaint, 「街口两个车撞了，有个人腿在流血」 as a request for a person): who handles it, an
            # emergency's number first, before the intent's own handoff; an emergency is no complaint
            # (「后山烧起来了」 gets 119, then the 12345 line, not 「非常抱歉给您带来不便」).
            if intent in rules.HANDOFF_REPLY_INTENTS and self._refer(dispatcher, rules.need_elsewhere(situation)):
                intent = REFERRED
            closed = [] if intent in rules.SMALL_TALK_INTENTS else _forget_question()
            return remembered + closed + [SlotSet("lookup_status", intent)]
        status, events = self._respond(session, dispatcher, turn, memory, need, facts, place, learned)
        elsewhere = rules.need_elsewhere(situation) if status in (NO_CONTEXT, NOT_FOUND) else None
        if elsewhere is not None:
            # 「浓洄街道渠江边有个人掉河里了」 names a place in passing: no reply to acknowledge, but a need
            # the list lacks; say who handles it, then the 12345 line (not 「没能找到」: it was found elsewhere).
            status = REFERRED
            self._refer(dispatcher, elsewhere)
        if status == NO_CONTEXT:
            noted = _noted(session, memory, facts, place)
            dispatcher.utter_message(text=render.no_context_text(noted, answered_before=memory.target_code is not None))
        logger.info("sender=%s intent=%s need=%s rule=%s status=%s",
                    tracker.sender_id, turn.intent, need.key, rule, status)
        return remembered + events + [SlotSet("lookup_status", status)]

    @staticmethod
    def _refer(dispatcher: CollectingDispatcher, elsewhere: Optional[str]) -> bool:
        """A need the list lacks (``off_list_needs.yaml``): what it was read as and who handles it.
        True when it is an emergency (an emergency number handles it)."""
        if elsewhere is None:
            return False
        office = off_list_offices().get(elsewhere)
        dispatcher.utter_message(text=render.elsewhere_text(elsewhere, office))
        return bool(render.emergency_numbers(office))

    def _respond(self, session, dispatcher, turn, memory, need, facts, place, learned):
        if need.key is None:
            return self._nothing_found(session, turn, memory, learned)
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
            dispatcher.utter_message(text=render.same_answer_text(need.target.name, unchanged.model_dump()))
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
    def _nothing_found(session: Session, turn: Turn, memory: Memory, learned: bool):
        if memory.pending_question:
            return NOT_FOUND, _forget_question()  # the one question did not settle it: hand off
        # 「好的」「不是」, or 「我在龙台镇」 (a place or a fact noted), with no item in play is not a
        # failure: ask what to handle. A statement that matched nothing and told us nothing
        # (「我家孩子想转学去城南小学」, read as inform) is a question we cannot answer: hand off, as a
        # yes or no longer than small talk is (「防火期要在山里烧荒，能批不」 read as deny).
        # A statement that names a place on the way to something else we could not read (「大龙镇街口两个
        # 车撞了，有个人腿在流血」) gave no place to note: it is handed off too.
        yes_or_no = turn.intent in ("affirm", "deny") and len(turn.text) <= rules.SMALL_TALK_CHARS
        noted_only = turn.intent == "inform" and learned and _unread_characters(session, turn.text) <= NOTED_AT_MOST
        if yes_or_no or noted_only:
            return NO_CONTEXT, _forget_question()
        return NOT_FOUND, _forget_question()

    @staticmethod
    def _candidate_questions(session: Session, need: Need, place: Place) -> list[dict[str, Any]]:
        options = [{"value": t.code, "label": t.name} for t in need.candidates]
        item_question = {
            "slot": "item",
            "text": ITEM_QUESTION if len(options) > 1 else CONFIRM_QUESTION.format(name=need.candidates[0].name),
            "options": options,
            "candidates": candidates_payload([(t.code, t.name) for t in need.candidates]),
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
            json_message=clarify_payload(questions),
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
                     facts: dict[str, str], place: Place) -> Optional[Location]:
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


def _unread_characters(session: Session, text: str) -> int:
    """The Chinese characters of ``text`` that are neither a place nor a situation-fact word."""
    without_places, _ = queries.resolver_inputs(session, text)
    return han_characters(queries.without_fact_words(session, without_places))


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
    """Close the current need (after goodbye); the facts and the place stay remembered.

    ``lookup_status`` stays ``goodbye`` (the next turn's ``action_answer`` sets it): the goodbye rule
    ends by listening only in the state it was trained in; with the slot reset no rule matches, and
    Rasa predicts fallbacks, each a handoff, up to its prediction limit."""

    def name(self) -> str:
        return "action_reset_need"

    async def run(self, dispatcher, tracker, domain) -> list[dict[str, Any]]:
        return [SlotSet("target_code", None)] + _forget_question()
