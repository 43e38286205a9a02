"""Which need a message is about: an ordered list of named rules (pure: no rasa_sdk, no I/O).

``decide(situation)`` tries the rules of ``RULES`` in order; the first that returns a ``Need``
decides, and its name travels with the decision (logged, and shown to whoever asks why). Each rule
reads the turn, the conversation's memory and the catalog through the ``Catalog`` interface, which
the action implements over a database session (``actions.answer``) and the tests implement with
tables (``tests/actions/test_rules.py``, one table of examples per rule).

What the rules know of the catalog: its items and bundles (``Target``), its search of a text (scores
0..100), its general resolver (probabilities over the whole list, ``catalog.resolver``), and the
words it holds for situations (facts) and for what is done to an item (補 / 注销 / 新办 …).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import product
from math import prod
from typing import Callable, Iterable, Optional, Protocol, Sequence

from actions import choice
from actions.conversation import Memory, Turn
from catalog.held import CLAUSE_BREAK
from catalog.item_model import sets_up
from catalog.resolver import CONFIRM_ELSEWHERE, ELSEWHERE_SHORT
from catalog.text import normalise
from catalog.types import Target
from catalog.words import load_aspects

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
# The NLU's one item, read by a word of the story, yields to a need the list lacks that the bank's
# sentences write the message this surely (``_read_in_a_need_elsewhere``): a doorstep survey that asks
# for 身份证号码 (0.86) or a phone number opened with one's 身份证 (0.71) is no 居民身份证办理, while
# 「想问下残疾证方面的事情」 (0.63 for the disabled's benefits the list lacks) asks about the certificate
# itself. A 一件事 yields to any such need.
ITEM_ELSEWHERE = 0.7
# The needs the list lacks write a message at least this surely for the resolver's doubt of the search's
# one winner to stand (``_doubted``): as surely as stops the resolver offering an item alone.
SEARCH_DOUBTED_ELSEWHERE = CONFIRM_ELSEWHERE

# Intents the NLU may give a need by mistake: such a message is answered only when the general
# resolver answers it with at least TRIAGE_PROBABILITY; otherwise the intent's own reply follows (a
# complaint's or a request for a person's handoff, the greeting, the goodbye…).
# Small talk leaves the conversation as it was (an open question stays open); the others are handed off.
SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thanks", "bot_challenge"})
# Of those, the intents whose own reply is a handoff (after a referral to who handles what the message
# reports, ``actions.answer``); one read as a need is handed off for the need's reason (``actions.handoff``).
HANDOFF_REPLY_INTENTS = frozenset({"complaint", "request_human"})
TRIAGED_INTENTS = HANDOFF_REPLY_INTENTS | SMALL_TALK_INTENTS
# Intents that ask for nothing to be done: such a message is read over the whole list only where the
# resolver answers it with TRIAGE_PROBABILITY.
NO_NEED_INTENTS = frozenset({"out_of_scope", "nlu_fallback", "affirm", "deny"})
TRIAGE_PROBABILITY = 0.65
# ... except out of scope, the NLU's reading of a message unlike its examples, which items off the
# authored core are (「天然气公司不做了，燃气的证要退掉」: 燃气经营许可证注销 at 0.56; 「小超市没搬，就是重新编了门牌号，
# 卖吃的那个许可证上地址要跟着改不」 at 0.46): the bar is lower,
# still above the resolver's own answer (ANSWER_PROBABILITY).
OUT_OF_SCOPE_PROBABILITY = 0.4
# Of those, the intents of a reply: with nothing asked nor answered before, a longer message so read is
# the NLU's guess (``_reply_to_nothing``); an out-of-scope message is not (「信用卡额度太低了，咋个提额」).
GUESSED_REPLY_INTENTS = frozenset({"affirm", "deny", "nlu_fallback"})
# No bar above the resolver's own: whatever it answers (where the NLU's reading is a guess).
ITS_OWN_BAR = 0.0
# The resolver's answer this likely replaces the NLU's reading, ANSWER_LEAD times less likely (the
# search's yields only at the resolver's OVERRIDE_PROBABILITY): 「采矿证要过户给别个公司」 read as
# 不动产转移登记 is 采矿权转让变更登记.
NLU_OUTRANKED_PROBABILITY = 0.35
# Small talk is short: a message longer than this that says none of its intent's words is a guess of
# the NLU's (every example of the NLU's small talk without such a word is this short or shorter).
SMALL_TALK_CHARS = 10
# The resolver's first option at least this likely, and LIKELIER times as likely as the NLU's item,
# asks between it and the NLU's item (``_unless_outranked``): the NLU read an incidental word
# (「开公司要办营业执照」 is not surely 个体工商户设立登记), and the one question lets the citizen say which.
LIKELY = 0.25
LIKELIER = 2.0
# Words that join alternatives: 「申领或者补换」 asks which of two things is to be done.
ALTERNATIVE_WORDS = ("或者", "还是", "或是")


class Hit(Protocol):
    # Read-only: the catalog's candidates are frozen dataclasses.
    @property
    def code(self) -> str: ...

    @property
    def score(self) -> float: ...


class Answer(Protocol):
    code: str
    probability: float
    said: bool      # the message says the target's own words, not only sentences like its citizens'


class Resolution(Protocol):
    """The general resolver's reading of a message (``catalog.resolver.Resolution``)."""

    @property
    def decision(self) -> str: ...

    @property
    def likeliest(self) -> float: ...

    @property
    def codes(self) -> list[str]: ...

    @property
    def answer(self) -> Optional[Answer]: ...

    @property
    def alone(self) -> Optional[Answer]: ...

    @property
    def named(self) -> bool: ...

    def outranks(self, codes: Sequence[str], bar: float = ...) -> bool: ...

    def offers_instead(self, codes: Sequence[str]) -> bool: ...

    def answers_instead(self, codes: Sequence[str]) -> bool: ...

    def offers_alone_instead(self, codes: Sequence[str]) -> bool: ...

    def does_otherwise(self, code: str) -> bool: ...

    def about_another_object(self, code: str) -> bool: ...

    def rivalled(self, code: str, lead: float) -> bool: ...

    def probability_of(self, code: str) -> float: ...

    def doubts(self, code: str) -> bool: ...

    def refuses(self, code: str) -> bool: ...

    def doing_each(self) -> list[str]: ...

    @property
    def off_list_word(self) -> bool: ...

    @property
    def elsewhere_need(self) -> Optional[str]: ...

    @property
    def elsewhere(self) -> float: ...

    @property
    def off_the_list_twice(self) -> bool: ...

    def chosen_among(self, codes: Sequence[str]) -> Optional[str]: ...


class Catalog(Protocol):
    """What the rules ask of the catalog (implemented over a session by ``actions.answer``)."""

    def targets(self, codes: Iterable[str]) -> list[Target]: ...

    def search(self, text: str, limit: int) -> Sequence[Hit]: ...

    def asked_otherwise(self, text: str, codes: list[str]) -> set[str]: ...

    def variant_asked(self, code: str, text: str) -> Optional[str]: ...

    def bundle_named_by(self, codes: list[str]) -> Optional[str]: ...

    def name_extends(self, code: str, words: str) -> bool: ...

    def fact_words_in(self, text: str) -> list[str]: ...

    def states_facts(self, text: str) -> bool: ...

    def holds(self, text: str, words: str) -> bool: ...

    def resolve(self, text: str, consider: Sequence[str] = (), nlu: Sequence[str] = ()) -> Resolution: ...


@dataclass
class Need:
    """What the citizen needs: one target, several close candidates, or nothing found."""

    target: Optional[Target] = None
    candidates: list[Target] = field(default_factory=list)
    every: bool = False  # the reply to the one question took every candidate (「两个都要办」)
    hand_on: bool = False  # not a need: the intent's own reply follows (a complaint's handoff, 「转人工」, 「再见」)
    intent: Optional[str] = None  # whose reply follows, when not the NLU's intent (a suggestion's: complaint)

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

    @property
    def codes(self) -> list[str]:
        return [self.target.code] if self.target else [t.code for t in self.candidates]


def need_of(targets: list[Target]) -> Need:
    return Need(target=targets[0]) if len(targets) == 1 else Need(candidates=targets)


@dataclass
class Situation:
    """One turn in its conversation, with the catalog to read it against.

    ``learned``: the message added a fact or a place (「我自己去办」「我在协兴镇」).
    ``learned_for_item_in_play``: ... and that fact is one the item in play uses (or a place), so
    the message continues it before any new search; a fact only another item uses lets the search
    speak first, and the item in play is the fallback. Defaults to ``learned``.
    """

    turn: Turn
    memory: Memory
    catalog: Catalog
    learned: bool = False
    learned_for_item_in_play: Optional[bool] = None

    def __post_init__(self) -> None:
        if self.learned_for_item_in_play is None:
            self.learned_for_item_in_play = self.learned
        # What the citizen says they already hold is a material, not the need (``held_by_the_citizen``):
        # the rules read the turn without those items and without their words.
        self.held = held_by_the_citizen(self.catalog, self.turn)
        if self.held:
            text = self.turn.text
            for code, words in self.turn.item_mentions:
                if code in self.held and words:
                    text = text.replace(words, "")
            self.turn = replace(self.turn, text=text,
                                item_codes=[c for c in self.turn.item_codes if c not in self.held],
                                item_mentions=tuple(m for m in self.turn.item_mentions if m[0] not in self.held))

    @cached_property
    def remembered(self) -> Optional[Target]:
        """The item in play from earlier in the conversation."""
        found = self.catalog.targets([self.memory.target_code] if self.memory.target_code else [])
        return found[0] if found else None

    @cached_property
    def offered(self) -> list[Target]:
        """The options of the which-item question now open (none if no such question is open)."""
        if not (self.memory.pending_question and self.memory.candidates):
            return []
        return self.catalog.targets([c["code"] for c in self.memory.candidates])

    @cached_property
    def named(self) -> list[Target]:
        """The items the NLU named, as the message reads them (``_from_entities``)."""
        return _from_entities(self.catalog, self.turn)

    @cached_property
    def found(self) -> list[Target]:
        """The catalog search's clear winner or close few for the whole message (none of them held)."""
        found = close_candidates(self.catalog, self.turn.text)
        return [t for t in found if t.code not in self.held]

    def states_something(self) -> bool:
        return self.turn.names_place or bool(self.turn.item_codes) or self.catalog.states_facts(self.turn.text)

    def resolve(self, consider: Sequence[str] = ()) -> Resolution:
        """The general resolver's reading of the message, with the NLU's items and ``consider`` scored."""
        return self.catalog.resolve(self.turn.text, consider=consider, nlu=self.turn.item_codes)


@dataclass(frozen=True)
class Rule:
    name: str
    decide: Callable[[Situation], Optional[Need]]

    @property
    def doc(self) -> str:
        """The first paragraph of the rule's docstring, on one line."""
        paragraph = (self.decide.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in paragraph.splitlines())


# --- the rules, in the order they are tried -------------------------------------------------------

def triaged_intent(s: Situation) -> Optional[Need]:
    """A complaint, a request for a person or small talk is a need only when the resolver answers it
    clearly, or, where the message does not say it as what it is (``says_intent``), at all; a
    complaint so guessed that the resolver asks about gets its one question, and one that asks where or
    how a service is done (「在哪里办」) is read like any other message.

    「店子要停业两个月，税务那边要报停吗」 read as a complaint is 停业登记, and 「我成年了，想改民族成分」
    read as a goodbye is 公民民族成份确认和变更; 「楼下工地半夜施工吵死了」, 「转人工」 and 「好的，再见」
    stay what they are: the intent's own reply follows.
    """
    # A suggestion is registered by 12345 as a complaint is (「建议社保卡和医保卡合成一张卡」 names an item
    # but asks nothing done), whatever the NLU read.
    intent = "complaint" if suggests(s.turn.text) else s.turn.intent
    if intent not in TRIAGED_INTENTS:
        return None
    # A complaint or small talk that says none of its intent's words (「店子要停业两个月，税务那边要报停吗」
    # read as a complaint, 「店子关了，烟草证要交回去」 as a goodbye) is the NLU's guess at a message unlike
    # its examples: the resolver's own answer stands, at its own bar.
    guessed = not says_intent(intent, s.turn.text)
    clear = clearly_resolved(s.catalog, s.turn, ITS_OWN_BAR if guessed else TRIAGE_PROBABILITY)
    if clear is not None:
        return Need(target=clear)
    if guessed and intent in SMALL_TALK_INTENTS:
        return None  # read like any other message: a reply to the open question, an item named, the search…
    if not guessed and intent == "complaint":
        # The resolver answers the complaint procedure whose subject the message names (「在办税大厅排了两个
        # 钟头，窗口那个人态度差得很，我要投诉她」: 纳税服务投诉处理), at its own answer bar.
        procedure = _complaint_answered(s)
        if procedure is not None:
            return Need(target=procedure)
        # The resolver asks between complaint procedures, each of whose subjects the message names
        # (「山坪塘整治项目招标，中标那家公司资质明显不够，咋个投诉」: the two tender-complaint offices).
        procedures = _asked_over_the_list(s)
        if procedures and all(complained_of(t, s.turn.text) for t in procedures):
            return Need(candidates=procedures)
    if guessed and intent == s.turn.intent == "complaint":
        # 「天使投资人…听说投资额可以抵个税，要找税务局报个啥子？」 read as a complaint: the one question
        # the resolver asks over the whole list (是不是【个人所得税抵扣情况报告】) lets the citizen say so.
        asked = _asked_over_the_list(s)
        if asked:
            return Need(candidates=asked)
        if asks_a_service(s.turn.text):
            # 「新买的电瓶车要上牌不，在哪里上」 read as a complaint asks where a service is done: read like
            # any other message (a need found nowhere is handed off as one, not as a complaint registered).
            return None
    return Need(hand_on=True, intent=intent)


def _complaint_answered(s: Situation) -> Optional[Target]:
    """The complaint procedure the resolver answers over the whole list (no question open), when the
    message names what it is a complaint about (aspects.yaml ``complained_of``)."""
    if s.memory.pending_question or not s.turn.text:
        return None
    answer = s.resolve().answer
    found = s.catalog.targets([answer.code]) if answer is not None else []
    return found[0] if found and complained_of(found[0], s.turn.text) else None


def _asked_over_the_list(s: Situation) -> list[Target]:
    """The items the resolver asks between, or offers alone, over the whole list (no question open)."""
    if s.memory.pending_question or not s.turn.text:
        return []
    resolution = s.resolve()
    return s.catalog.targets(resolution.codes) if resolution.decision in ("ask", "confirm") else []


def reply_for_every_need(s: Situation) -> Optional[Need]:
    """A reply to a question asked for several needs at once gives what they lack, not a choice.

    「他是厂里退休的」 names no choice among them, though it says 「退休」.
    """
    offered = Need(candidates=s.offered)
    if s.offered and offered.every_key in s.memory.asked_for:
        return Need(candidates=offered.candidates, every=True)
    return None


def reply_picks_an_option(s: Situation) -> Optional[Need]:
    """A reply to the which-item question is read against the options that were offered.

    「2」「补领那个」「第一次办的那个」 choose among them; an item the NLU read that is one of the
    options is that choice. An option offered alone is taken by a yes (「是的」「对头」, replies.yaml).
    """
    if not s.offered:
        return None
    if len(s.offered) == 1 and choice.confirms(s.turn.text):
        return Need(target=s.offered[0])  # 「是的」「对头，我在龙台镇」 to the one option offered
    offered_codes = {t.code for t in s.offered}
    chosen = [code for code in s.turn.item_codes if code in offered_codes]
    if not chosen:
        options = [{"value": t.code, "label": t.name} for t in s.offered]
        option = choice.pick_option(s.turn.text, options)
        chosen = [option["value"]] if option else []
    picked = s.catalog.targets(chosen[:1])
    return Need(target=picked[0]) if picked else None


def reply_takes_every_option(s: Situation) -> Optional[Need]:
    """「都要」「两个都要办」 after the which-item question takes every option."""
    if s.offered and choice.takes_every_option(s.turn.text):
        return Need(candidates=s.offered, every=True)
    return None


def same_reply_again(s: Situation) -> Optional[Need]:
    """The same reply twice changes nothing: the answer is the same answer.

    「门头要装修…」 sent again, or re-sent by the load balancer after the first copy was processed.
    A bare 「好的」 twice is not re-answered.
    """
    t = s.turn
    if s.remembered and t.is_reply and t.repeats_previous and not s.learned and s.states_something():
        return Need(target=s.remembered)
    return None


def continues_item_in_play(s: Situation) -> Optional[Need]:
    """A reply or a new detail carries on with the item in play; it is never re-read as a search.

    「门头要装修」 after the 开餐馆 question is also the name of an item (临时占道). A statement that
    names another item instead (「我的社报卡丢了，龙台镇的」 after the 残疾人证 guide) is that item.
    """
    if not s.remembered or not _continues(s.turn, s.memory, bool(s.learned_for_item_in_play)):
        return None
    instead = [] if s.memory.pending_question else _named_instead(s.catalog, s.turn, s.remembered)
    return need_of(instead) if instead else Need(target=s.remembered)


def needs_named_apart(s: Situation) -> Optional[Need]:
    """Several items named by words of their own are several needs, each answered, unless the
    general resolver answers another item far likelier than each of them: then they are words of the
    story around the need.

    「我要办身份证和护照」; but 「在老家交的新农保，户口迁到重庆去了，新农保咋转过去」 is
    城乡居民基本养老保险关系转移接续, not 城乡居民基本养老保险参保登记 and 户口迁移审批.
    """
    if not (len(s.named) > 1 and _named_apart(s.turn, s.named)):
        return None
    if not s.memory.pending_question and s.turn.text:
        codes = [t.code for t in s.named]
        resolution = s.resolve(codes)
        # (The NLU's readings are parts of the resolver's score: they yield at its bar for them, as in
        # ``named_by_the_nlu``.)
        instead = s.catalog.targets(resolution.codes) if resolution.outranks(codes, NLU_OUTRANKED_PROBABILITY) else []
        if instead:
            return need_of(instead)
    return Need(candidates=s.named, every=True)


def asks_one_or_another(s: Situation) -> Optional[Need]:
    """Two things done to one object, asked as alternatives (「社保卡申领或者补换要带啥」), are the one
    question between the items that do them, whatever one reading settled on."""
    if s.memory.pending_question or not any(word in s.turn.text for word in ALTERNATIVE_WORDS):
        return None
    codes = s.resolve().doing_each()
    return Need(candidates=s.catalog.targets(codes)) if codes else None


def named_by_the_nlu(s: Situation) -> Optional[Need]:
    """The items the NLU named, unless the general resolver reads the message clearly otherwise.

    「身份证银行卡都在身上，请问失业保险金要去哪里申请」 is 失业保险金申领, not 居民身份证办理.
    """
    if not s.named:
        return None
    if s.turn.text and s.resolve([t.code for t in s.named]).off_list_word:
        # 「私家车卖给朋友了，过户咋个弄」: the NLU's 不动产转移登记 (过户) is not the transfer meant, a car's
        # (off_list.yaml); the resolver hands it off. (Read with the NLU's items considered, as
        # _unless_outranked reads it: one ranking of the message, remembered.)
        return None
    if _doubted(s, s.named) or _read_in_a_need_elsewhere(s, s.named):
        return None
    read = _unless_outranked(s, s.named, read_by_the_nlu=True)
    alone = _offered_alone_instead(s, read) if read == s.named else []
    return Need(candidates=alone) if alone else need_of(read)


def found_by_search(s: Situation) -> Optional[Need]:
    """The catalog search's clear winner, or the few tied with it, unless outranked; of the ties, the
    one the general resolver answers that alone says or does what the message asks, else all of
    them, likeliest first (「教师资格证弄丢了」 is 教师资格证书补发、换发, not a question with 教师资格认定);
    beside a 一件事, the item the resolver answers and the message names, when it is none of the
    一件事's (「老婆生二胎了，生育津贴咋个领」 is 生育津贴支付).

    A reply to the one question that gives the place or a fact and only loosely fits several other
    items (「户口在悦来镇」) answers the question; it starts no new choice.
    """
    if not s.found:
        return None
    if s.memory.pending_question and s.turn.is_reply and s.learned and len(s.found) > 1:
        return None
    if s.turn.text and (s.resolve().off_list_word or need_elsewhere(s) is not None or _handed_off_as_elsewhere(s)):
        # 「我驾驶证丢了要补办」: the search's 拖拉机驾驶证 is not the licence meant (off_list.yaml);
        # 「生娃娃…育儿补贴咋个申请」: the search's 新生儿出生一件事 (生娃娃) is not the subsidy the list lacks.
        return None
    if _doubted(s, s.found, searched=True):
        # The resolver finds nothing for the search's one winner, which the NLU read too, by a word of the
        # story (「…户口本和身份证都是新名字了，但是养老保险查出来还是以前的名字…咋个弄」), or which the needs
        # the list lacks write the message beside (「我是视力二级残疾，残疾人证是有的。…景区免门票…」): doubted
        # as the NLU's reading is (``named_by_the_nlu``).
        return None
    return need_of(_ties_read_by_the_resolver(s, _unless_outranked(s, s.found)))


def resolved_over_the_list(s: Situation) -> Optional[Need]:
    """The general resolver's answer or options over the county's whole list.

    「厂里裁员了，失业金咋个领」 → 失业保险金申领 (``catalog.resolver``); a message the NLU does not read
    as a need only when the resolver answers it clearly (TRIAGE_PROBABILITY; OUT_OF_SCOPE_PROBABILITY for
    out of scope). Not while a question is open, nor, with an item in play, when the message names none of
    what the resolver finds: 「要多少钱」 after a guide is about that guide, however like some item's
    citizens' sentences it sounds. Never an item the citizen says they already hold (``held_by_the_citizen``).
    """
    if s.memory.pending_question or not s.turn.text:
        return None
    if s.turn.intent in NO_NEED_INTENTS and not _reply_to_nothing(s):
        # 「今天天气怎么样」「好的」 sound like some item's citizens somewhere on a list of 1,100 items.
        clear = clearly_resolved(s.catalog, s.turn, OUT_OF_SCOPE_PROBABILITY if s.turn.intent == "out_of_scope"
                                 else TRIAGE_PROBABILITY)
        return Need(target=clear) if clear is not None else None
    resolution = s.resolve()
    if s.remembered and not resolution.named:
        return None
    # What the citizen already holds is not the need, however its sentences sound (「校车使用许可已经批下来了，
    # …校车驾驶资格在哪里申请」: the message read without the held item's words still sounds like it).
    read = s.catalog.targets(resolution.codes)
    found = [t for t in read if t.code not in s.held]
    if found and (resolution.decision == "confirm" or len(found) < len(read)):
        return Need(candidates=found)  # offered alone (「您要办理的是不是【…】？」), or the options left
    return need_of(found) if found else None


def _reply_to_nothing(s: Situation) -> bool:
    """The NLU read a reply (a yes, a no, or nothing it knows) where nothing was asked or answered
    before, in a message longer than small talk: its guess at a message unlike its examples, read
    over the list like any question (「我不是师范专业的，能不能考教资哦」 read as a no)."""
    return s.turn.intent in GUESSED_REPLY_INTENTS and not s.memory.pending_question and s.remembered is None \
        and len(s.turn.text) > SMALL_TALK_CHARS


def about_item_in_play(s: Situation) -> Optional[Need]:
    """A question about the item in play that names no other item.

    「要多少钱」「我在协兴镇」, or a restatement (「我是她儿子，我去办」 after 「…我能帮她补办吗」),
    which a 12345 handoff would lose.
    """
    t = s.turn
    if s.remembered and (s.memory.pending_question or t.aspect or s.learned or s.states_something()):
        return Need(target=s.remembered)
    return None


def rest_of_the_question(s: Situation) -> Optional[Need]:
    """The reply answered the rest of the one question (「我在悦来镇」) but not which item.

    The same candidates, now answered in full (docs/DESIGN.md §2.2: never a second round).
    """
    if s.offered and s.learned:
        return Need(candidates=s.offered)
    return None


RULES: tuple[Rule, ...] = tuple(Rule(f.__name__, f) for f in (
    triaged_intent,
    reply_for_every_need,
    reply_picks_an_option,
    reply_takes_every_option,
    same_reply_again,
    continues_item_in_play,
    needs_named_apart,
    asks_one_or_another,
    named_by_the_nlu,
    found_by_search,
    resolved_over_the_list,
    about_item_in_play,
    rest_of_the_question,
))
NOTHING = "nothing_found"


def decide(situation: Situation, rules: Sequence[Rule] = RULES) -> tuple[Need, str]:
    """The need of this turn and the name of the rule that decided it (NOTHING when none did)."""
    for rule in rules:
        need = rule.decide(situation)
        if need is not None:
            return need, rule.name
    return Need(), NOTHING


# --- how the rules read a message -----------------------------------------------------------------

def hits(catalog: Catalog, text: str) -> list[Hit]:
    """The catalog's ranking of the whole message, best first, down to AMBIGUITY_MARGIN below
    MIN_SCORE (a near miss under the bar still makes the best hit unclear), less the names that
    say another thing is done than the message asks for (``_not_asked_otherwise``)."""
    if not text:
        return []
    found = [hit for hit in catalog.search(text, MAX_CANDIDATES + 1) if hit.score >= MIN_SCORE - AMBIGUITY_MARGIN]
    otherwise = catalog.asked_otherwise(text, [hit.code for hit in found])
    return [hit for hit in found if hit.code not in otherwise]


def close_candidates(catalog: Catalog, text: str, min_score: float = MIN_SCORE,
                     ranked: Optional[list[Hit]] = None) -> list[Target]:
    """Search hits good enough to answer: one clear winner, or the few tied with it.
    ``ranked``: ``hits(catalog, text)`` when the caller already has them."""
    if ranked is None:
        ranked = hits(catalog, text)
    if not ranked or ranked[0].score < min_score:
        return []
    if ranked[0].score >= EXACT_SCORE:
        # Names said word for word outrank near misses (「刚生了娃」 is 新生儿出生 exactly,
        # 「新生儿出生证」 only nearly); several of them are several things named.
        exact = [hit.code for hit in ranked if hit.score >= EXACT_SCORE]
        return catalog.targets(_bundle_or_all(catalog, exact)[:MAX_CANDIDATES])
    close = [hit for hit in ranked if ranked[0].score - hit.score <= AMBIGUITY_MARGIN][:MAX_CANDIDATES]
    if any(hit.score < MIN_SCORE for hit in close):
        # A weak best hit with near misses under the bar (「我想换个驾驶证」: 机动车驾驶证公证 61.7,
        # three 拖拉机驾驶证 items 56–57): nothing fits well enough to answer or to offer.
        return []
    return catalog.targets([hit.code for hit in close])


def clearly_resolved(catalog: Catalog, turn: Turn, bar: float = TRIAGE_PROBABILITY) -> Optional[Target]:
    """The item the general resolver answers for ``turn`` with at least ``bar``, else None.
    A message that says it complains (「投诉」「举报」: catalog/data/words/aspects.yaml) must also say the
    item's own words: a complaint about a window's staff is like the citizens' sentences of
    纳税服务投诉处理 but says nothing of 纳税 (「我要投诉，窗口工作人员态度太差了」). Without such a word
    the intent is the NLU's guess at a message unlike its examples (「自家山上的柏树想砍了卖」 read as a
    complaint), and the resolver's clear answer stands."""
    if not turn.text:
        return None
    answer = catalog.resolve(turn.text, nlu=turn.item_codes).answer
    if answer is None or answer.probability < bar:
        return None
    found = catalog.targets([answer.code])
    if not found or (not answer.said and complains(turn.text) and not complained_of(found[0], turn.text)):
        return None
    return found[0]


def complained_of(target: Target, text: str) -> bool:
    """``target`` is one of the list's complaint procedures and the message says what it is a complaint
    about (aspects.yaml ``complained_of``): 「在税务局排了三个钟头，工作人员还推来推去，去哪里投诉他们」 is
    纳税服务投诉处理; 「我要投诉，窗口工作人员态度太差了」 says no tax word."""
    return any(word in text for word in load_aspects().complained_of.get(target.name, ()))


def complains(text: str) -> bool:
    """The message says a word of complaint (「投诉」「举报」), or suggests."""
    return load_aspects().says_complaint(text) or suggests(text)


def suggests(text: str) -> bool:
    """A clause of the message opens with a suggestion's words (「建议…」「你好，我建议…」; not 「医生建议转院」),
    and no clause before it says someone else speaks (「医生说这边条件不够，建议转到重庆去」 reports advice)."""
    aspects = load_aspects()
    for clause in (c.strip() for c in CLAUSE_BREAK.split(text)):
        if clause.startswith(aspects.suggestions):
            return True
        if not clause.startswith("我") and any(word in clause for word in aspects.reported_speech):
            return False
    return False


def asks_a_service(text: str) -> bool:
    """The message asks where or how a service is done (「在哪里办」「要带啥」: aspects.yaml ``asks_a_service``)."""
    return any(word in text for word in load_aspects().asks_a_service)


def says_intent(intent: str, text: str) -> bool:
    """The message says ``intent`` as what it is: a word of complaint, small talk's words (「再见」「谢谢」)
    or a request for a person's (「转人工」「找个工作人员」; catalog/data/words/aspects.yaml), or the
    shortness of either (「有人在没得」「你能做什么」). Any other intent has no such words and is taken as read."""
    if intent == "complaint":
        return complains(text)
    if intent in SMALL_TALK_INTENTS:
        return len(text) <= SMALL_TALK_CHARS or any(word in text for word in load_aspects().small_talk.get(intent, ()))
    if intent == "request_human":
        return len(text) <= SMALL_TALK_CHARS or any(word in text for word in load_aspects().a_person)
    return True


def need_elsewhere(s: Situation) -> Optional[str]:
    """The need the list lacks that the message is, in the resolver's reading (an emergency, a
    report, another office's service: ``catalog/data/words/off_list_needs.yaml``), whatever place or
    fact it names on the way: 「快点！浓洄街道渠江边有个人掉河里了」 is 有人落水, handed off, not
    acknowledged as a place given (「我在龙台镇」)."""
    if not s.turn.text or s.memory.pending_question:  # 「都不是」 answers the one question
        return None
    return s.resolve().elsewhere_need


def held_by_the_citizen(catalog: Catalog, turn: Turn) -> frozenset[str]:
    """The NLU's items whose every word the message says the citizen already holds
    (「身份证银行卡都在身上，请问失业保险金要去哪里申请」: 身份证 is at hand, 失业保险金 is the need), and
    those that set something up read by any word held: what they give is at hand, the rest of the
    story says it is done (「开了个小卖部，营业执照都办好了，想问下哪里有批发市场」 is no 个体工商户设立登记);
    never every item read when nothing else is (「身份证都带起的」 alone still asks about 身份证)."""
    def is_held(code: str) -> bool:
        words = turn.words_for(code)
        said = [catalog.holds(turn.text, w) for w in words]
        return bool(words) and (all(said) or (any(said) and _sets_up(catalog, code)))

    held = frozenset(code for code in turn.item_codes if is_held(code))
    return held if held and (len(held) < len(set(turn.item_codes)) or _asks_beyond(turn, held)) else frozenset()


def _sets_up(catalog: Catalog, code: str) -> bool:
    found = catalog.targets([code])
    return bool(found) and found[0].kind == "item" and sets_up(found[0].name)


def _asks_beyond(turn: Turn, held: frozenset[str]) -> bool:
    """The message says more than its held items (a clause without any of their words)."""
    words = [w for code in held for w in turn.words_for(code)]
    clauses = [c for c in CLAUSE_BREAK.split(turn.text) if c.strip()]
    return any(not any(w in clause for w in words) for clause in clauses)


def _leads(ranked: list[Hit], code: str) -> bool:
    """The best hit is more than AMBIGUITY_MARGIN ahead of ``code``'s score (or ``code`` is not a hit)."""
    score = next((hit.score for hit in ranked if hit.code == code), 0.0)
    return ranked[0].score - score > AMBIGUITY_MARGIN


def _bundle_or_all(catalog: Catalog, codes: list[str]) -> list[str]:
    """Several targets named at once: the 一件事 they are parts of, when there is one."""
    bundle = catalog.bundle_named_by(codes) if len(codes) > 1 else None
    return [bundle] if bundle else codes


def _continues(turn: Turn, memory: Memory, learned: bool) -> bool:
    """The message carries on with the item already in play rather than asking about a new one."""
    if memory.pending_question:
        return turn.is_reply or learned
    return turn.is_reply and learned


def _answered_instead_of_a_bundle(s: Situation, resolution: Resolution, codes: list[str]) -> bool:
    """The resolver answers an item far likelier than the 一件事 the search found, not one of its own
    items, in a message that states none of the situation's facts: 「在领失业金…生了个女娃娃…那笔钱在
    哪里申请」 is the unemployed mother's 生育补助金, where 「想开个火锅店，门头不搞，税晚点再办」 answers
    我要开小餐馆's own questions (门头, 税) and is that 一件事, not its 消防安全检查."""
    return resolution.answers_instead(codes) and not s.catalog.bundle_named_by([*codes, *resolution.codes]) \
        and not s.catalog.states_facts(s.turn.text)


def _unless_outranked(s: Situation, targets: list[Target], read_by_the_nlu: bool = False) -> list[Target]:
    """``targets``, unless the general resolver answers another item, far likelier than each of them,
    or asks between others while each of them is unlikely: then the NLU or the search read an
    incidental word of the message. ``read_by_the_nlu``: also when the resolver asks between the
    NLU's item and a likelier one, or answers another far likelier one under the bar that replaces
    it (then the one question between the two). Several tied items yield only to a far likelier answer;
    a 一件事 the NLU read yields to the resolver's answer, one its items make stays."""
    if s.memory.pending_question or not s.turn.text or not targets:
        return targets
    codes = [t.code for t in targets]
    resolution = s.resolve(codes)
    # The NLU's reading is one of the resolver's own features: it yields to the resolver's answer; the
    # search's, a curator's phrase of the lexicon (「丧葬费」), only to a clear one (the resolver's bar).

    def outranked() -> bool:
        return resolution.outranks(codes, NLU_OUTRANKED_PROBABILITY) if read_by_the_nlu else resolution.outranks(codes)

    if len(targets) > 1:
        # Ties of the search or of the NLU's shared words, not named apart (``needs_named_apart``):
        # a far likelier answer is what the message asks (「在领失业金，上周刚生了二胎，听说还有生育补助？」
        # is 领取失业保险待遇期间生育补助金申请和发放, not 新生儿出生一件事 or 失业登记).
        return (s.catalog.targets(resolution.codes) or targets) if outranked() else targets
    if targets[0].kind != "item":
        # A 一件事 the NLU read by a word of its own (「在饭店打工要办健康证」 read as 我要开小餐馆,
        # 「到退休年纪了养老保险年限不够」 as 退休一件事), beside at most one of its items (「原来是卖预包装食品
        # 的小超市，现在改成开餐馆，许可证上的主体业态要改」: 个体工商户设立登记 too), yields to the resolver's
        # answer, far likelier than it; one its items make (户口注销 + 社保卡注销) stays.
        others = [code for code in s.turn.item_codes if code != codes[0]]
        made = bool(others) and s.catalog.bundle_named_by(others) == codes[0]
        if codes[0] in s.turn.item_codes and not made and resolution.outranks(codes, ITS_OWN_BAR):
            return s.catalog.targets(resolution.codes) or targets
        if made and resolution.outranks([*codes, *others]):
            # One the NLU's items make yields only to a clear answer that is none of them: 「伤残退伍军人…
            # 户口要从岳池县迁到…抚恤金关系咋个转过来」 is 伤残抚恤关系接收、转移办理, not the 身后一件事 that
            # 户口 and 抚恤金 make; 「我老汉走了，户口和社保卡都要销了」 stays 身后一件事, whose 社保卡注销 the
            # resolver answers.
            return s.catalog.targets(resolution.codes) or targets
        if read_by_the_nlu and codes[0] in s.turn.item_codes and not made and resolution.decision == "ask" \
                and resolution.codes[0] != codes[0] and resolution.likeliest >= LIKELY \
                and not _said_in_full(s, targets[0]):
            # One the NLU read by a word of the story (not one its items make: 「我妈去世了，户口要注销，还有
            # 她的社保卡」), the resolver asking between likelier targets first,
            # yields to that question (「有个老师下个月到龄退休，要往社保报他的退休基础信息」: 机关事业单位新增
            # 退休人员基础信息申报 or 企业职工基本养老保险正常退休申请, not 退休一件事's guide).
            return s.catalog.targets(resolution.codes) or targets
        read_alone = not s.turn.item_codes or s.turn.item_codes == codes  # by the search, or the NLU's only
        offered_alone = bool(s.turn.item_codes) and resolution.offers_alone_instead(codes)
        if read_alone and resolution.likeliest >= LIKELY and (resolution.offers_instead(codes) or offered_alone or (
                not s.turn.item_codes and _answered_instead_of_a_bundle(s, resolution, codes))):
            # One the search found by a word of the story (「这个月在区医院生了个女娃娃…生娃娃那笔钱在哪里
            # 申请」: 新生儿出生一件事) yields to the resolver's question, or its answer, when the first is
            # LIKELY, but not to a target offered alone (「退休了养老金怎么领」 stays 退休一件事); one the NLU
            # read by a word of its own yields to the question (「事业单位退休的…想把退休待遇重新报一下」 is a
            # question between the two 待遇重新申报 items, not 退休一件事) and to the target offered alone
            # (「公司食堂原来是对外营业的饭馆…证上要改成单位食堂」: is it 食品经营许可变更主体业态?, not
            # 我要开小餐馆's guide).
            return s.catalog.targets(resolution.codes) or targets
        return targets
    if outranked() or resolution.offers_instead(codes):
        return s.catalog.targets(resolution.codes) or targets
    if read_by_the_nlu and resolution.decision == "ask" and codes[0] in resolution.codes \
            and not _said_in_full(s, targets[0]) and (
                (resolution.codes[0] != codes[0] and _likelier_reading(s, resolution, targets[0]))
                or resolution.rivalled(targets[0].code, LIKELIER)):
        # The whole message makes another item likely, and likelier than the one the NLU read,
        # though not clearly, or nearly as likely as it (LIKELIER) and about another object
        # (「开便利店卖香烟要啥证」: 烟草专卖零售许可证新办 beside the 个体工商户设立登记 the NLU read in
        # 开便利店): the one question between them (「和朋友合伙开个有限公司，营业执照咋个办」 reads
        # 营业执照 as 个体工商户设立登记; 公司设立登记 comes first). The search's reading is the
        # resolver's own input, so its ties are not asked again; and a resolver that finds nothing
        # likely (「营业执照地址变了要改」: four 变更 items, none above 0.1) does not overrule the NLU,
        # nor does any reading overrule an item's full name said word for word.
        return s.catalog.targets(resolution.codes) or targets
    if read_by_the_nlu and resolution.outranks(codes, ITS_OWN_BAR) and not _said_in_full(s, targets[0]):
        # The resolver answers another item, the NLU's far behind it, though under the bar that
        # replaces a reading outright: the one question, its answer first (「老公在领失业金的时候突然
        # 走了，家属能领啥子」: 领取失业保险金期间丧葬补助金和抚恤金申领 or the NLU's 失业登记).
        return s.catalog.targets(resolution.codes) + targets
    return targets


def _doubted(s: Situation, targets: list[Target], searched: bool = False) -> bool:
    """The NLU's one item, whose name the message does not say in full, is one the general resolver,
    with the NLU's reading as one of its features, finds nothing for: it hands the message off and the
    item too unlikely even to be offered alone (``Resolution.doubts``). The NLU read a broad word
    of the story (「我医保个人账户头还有好几千块钱，想拿给我妈买药用…家庭共济绑定」 is no
    城乡居民基本医疗保险参保登记); the message is read on by the rules after. A 一件事 read by a word of
    the story is doubted alike (「听说法院在选人民陪审员，我退休了有时间，想报个名」 is no 退休一件事;
    「面馆…执照和食品经营许可证都有了，想在美团上开外卖」 no 我要开小餐馆)."""
    if s.memory.pending_question or not s.turn.text or len(targets) != 1:
        return False
    if _said_in_full(s, targets[0]):
        # A name said in full is the need, unless the message says its need is not it
        # (「不是给娃娃开被拐儿童身份证明那个哈，这个采血在哪里弄」).
        return s.resolve([targets[0].code]).refuses(targets[0].code)
    read_by_the_nlu = any(s.turn.words_for(targets[0].code))
    if not (read_by_the_nlu or searched):
        return False  # (an item given as such, not read from words of the message — a button's — is trusted)
    resolution = s.resolve([targets[0].code])
    # The search's winner alone (``searched``, not the NLU's reading too) is doubted where the needs the
    # list lacks also write the message (「我是视力二级残疾，残疾人证是有的。…景区免门票…」), not where the
    # resolver is only unsure (「失业了能领钱不」).
    return resolution.doubts(targets[0].code) and (
        read_by_the_nlu or resolution.elsewhere >= SEARCH_DOUBTED_ELSEWHERE)


def _read_in_a_need_elsewhere(s: Situation, targets: list[Target]) -> bool:
    """The NLU's one item or 一件事, read by a word of the message that does not name it in full, in a
    message the general resolver reads as a need the list lacks: the word was one of the story's
    (「我妈…有退休工资的…想把她送到公办的养老院」 is no 退休一件事; 「…说是搞人口抽样调查的，要登记一家人的
    身份证号码…咋个核实他们的身份」 is no 居民身份证办理, an item only at ITEM_ELSEWHERE), and the need is
    handed off as the search's would be (``found_by_search``)."""
    if len(targets) != 1 or not any(s.turn.words_for(targets[0].code)) or _said_in_full(s, targets[0]):
        return False
    if _handed_off_as_elsewhere(s):
        return True
    return need_elsewhere(s) is not None and (targets[0].kind != "item" or s.resolve().elsewhere >= ITEM_ELSEWHERE)


def _handed_off_as_elsewhere(s: Situation) -> bool:
    """The general resolver hands a story off (a message longer than the resolver's ELSEWHERE_SHORT), and the needs the
    list lacks, together, write it at least ITEM_ELSEWHERE, though none of them alone does: 「有人打电话说是
    公安局的，说我身份证涉嫌洗钱…这是不是骗子哦」 is a fraud to report (like 电信诈骗报案 and its neighbours),
    its 身份证 a word of the story; or write it less surely where the ranking leaves much to no target
    (``Resolution.off_the_list_twice``: 「…想在12306上注册…提示我的身份证已经被别个注册过了」). A short message's posteriors are too sharp to say so (「户口方面的事情问下」
    still offers the 户口 items)."""
    if not s.turn.text or s.memory.pending_question or len(normalise(s.turn.text)) <= ELSEWHERE_SHORT:
        return False
    resolution = s.resolve()
    return resolution.decision == "handoff" and (
        resolution.elsewhere >= ITEM_ELSEWHERE or resolution.off_the_list_twice)


def _said_in_full(s: Situation, target: Target) -> bool:
    """The message says ``target``'s full name word for word: no other reading overrules it."""
    return normalise(target.name) in normalise(s.turn.text)


def _offered_alone_instead(s: Situation, targets: list[Target]) -> list[Target]:
    """The target the general resolver offers alone (``Resolution.offers_alone_instead``), itself
    LIKELY, where the NLU's one item, whose name the message does not say in full, is far less likely:
    the NLU read an incidental word (「…拖拉机报废了，那个牌牌和行驶证要咋个销户」 read as 户口注销).
    Empty otherwise: a resolver that finds nothing likely (「营业执照地址变了要改」) does not overrule the NLU,
    unless the NLU's item does another thing than the message asks: 「成都的社保卡能迁到广安用不」 is
    offered 社会保障卡参保地转移, never given 社会保障卡申领's guide."""
    if s.memory.pending_question or not s.turn.text or len(targets) != 1 or targets[0].kind != "item":
        return []
    if _said_in_full(s, targets[0]):
        return []
    resolution = s.resolve([targets[0].code])
    if resolution.offers_alone_instead([targets[0].code]) and resolution.alone is not None and (
            resolution.alone.probability >= LIKELY or resolution.does_otherwise(targets[0].code)):
        return s.catalog.targets(resolution.codes)
    return []


def _likelier_reading(s: Situation, resolution: Resolution, target: Target) -> bool:
    """The resolver's first option is clearly likelier than ``target`` (``_clearly_likelier``), or
    LIKELY, likelier, and either a narrower item whose name holds ``target``'s (「困难家庭的娃娃可以纳入
    低保」: 家庭经济困难儿童提供最低生活保障 beside the NLU's 最低生活保障) or one about another object
    (「开公司要办营业执照」: 公司设立登记 beside the 个体工商户设立登记 the NLU read in 营业执照). A sibling
    that does another thing to the same object is no such reading: 「办社保卡」 is 社会保障卡申领, whatever
    the bank's sentences of 补领 say."""
    if _clearly_likelier(resolution, target.code):
        return True
    if not (resolution.likeliest >= LIKELY and resolution.likeliest > resolution.probability_of(target.code)):
        return False
    first = s.catalog.targets(resolution.codes[:1])
    return bool(first) and (normalise(target.name) in normalise(first[0].name)
                            or resolution.about_another_object(target.code))


def _clearly_likelier(resolution: Resolution, code: str) -> bool:
    """The resolver's first option is LIKELY and LIKELIER times as likely as ``code`` (the NLU's item,
    scored with the NLU's reading as one of its features)."""
    first = resolution.likeliest
    return first >= LIKELY and first >= LIKELIER * resolution.probability_of(code)


def _ties_read_by_the_resolver(s: Situation, targets: list[Target]) -> list[Target]:
    """The search's tied items, read by the general resolver: the one of them whose own words alone
    are said (「手机上的电子社保卡怎么领」) or that alone does the special thing the message asks
    (「教师资格证弄丢了」: 教师资格证书补发、换发, not 教师资格认定), when the resolver answers it; or
    all, likeliest first: the one question offers first what the whole message makes likely
    (「我在深圳上过几年班，养老保险转回老家」 offers 企业职工's transfer before 军人退役's)."""
    if len(targets) < 2 or s.memory.pending_question or not s.turn.text:
        return targets
    if any(t.kind != "item" for t in targets):
        return _item_said_beside_a_bundle(s, targets)
    codes = [t.code for t in targets]
    resolution = s.resolve(codes)
    chosen = resolution.chosen_among(codes)
    if chosen is not None:
        return [t for t in targets if t.code == chosen]
    return sorted(targets, key=lambda t: -resolution.probability_of(t.code))


def _item_said_beside_a_bundle(s: Situation, targets: list[Target]) -> list[Target]:
    """Ties of the search with a 一件事 in them: the item among them that the general resolver answers
    and whose own words the message says, when it is no member of any tied 一件事 and the message states
    none of the 一件事's facts (「老婆生二胎了，生育津贴咋个领」 is 生育津贴支付, not a question with
    新生儿出生一件事, which 生二胎 found). Otherwise all of them."""
    answer = s.resolve([t.code for t in targets if t.kind == "item"]).answer
    if answer is None or not answer.said or s.catalog.states_facts(s.turn.text):
        return targets
    chosen = next((t for t in targets if t.kind == "item" and t.code == answer.code), None)
    if chosen is None:
        return targets
    if any(s.catalog.bundle_named_by([t.code, chosen.code]) == t.code for t in targets if t.kind != "item"):
        return targets
    return [chosen]


def _from_entities(catalog: Catalog, turn: Turn) -> list[Target]:
    return _not_asked_otherwise(catalog, turn, _as_named(catalog, turn))


def _as_named(catalog: Catalog, turn: Turn) -> list[Target]:
    targets = catalog.targets(turn.item_codes)
    if len(targets) > 1:
        targets = _not_described(catalog, turn, targets) or targets
    if len(targets) == 1:
        return _unless_ambiguous(catalog, turn, targets[0])
    if not targets:
        return []
    bundle = _bundle_or_all(catalog, [t.code for t in targets])
    if len(bundle) == 1:
        return catalog.targets(bundle)
    through_sibling = _bundle_through_a_sibling(catalog, turn, targets)
    if through_sibling:
        return catalog.targets([through_sibling])
    if _named_apart(turn, targets):
        return targets[:MAX_CANDIDATES]  # 「身份证和护照」: both are wanted (each is answered)
    # Several items named: let the full text decide if it clearly prefers one of them.
    ranked = close_candidates(catalog, turn.text)
    if len(ranked) == 1 and ranked[0].code in {t.code for t in targets}:
        return ranked
    return targets[:MAX_CANDIDATES]


def _named_apart(turn: Turn, targets: list[Target]) -> bool:
    """Each target was read from words of its own: 「我要办身份证和护照」 names two needs, where
    「社保卡的事」 read as several 社保卡 items names one need that is unclear."""
    words = [set(turn.words_for(target.code)) for target in targets]
    return len(targets) > 1 and all(words) and all(
        not (words[i] & words[j]) for i in range(len(words)) for j in range(i + 1, len(words)))


def _not_asked_otherwise(catalog: Catalog, turn: Turn, targets: list[Target]) -> list[Target]:
    """Leave out items whose name says another thing is done than the message asks for.

    「娃娃的出生证明丢了要咋个补」 says the alias 「出生证明」 word for word, but the county's only
    such item is 《出生医学证明》首次签发: the first-issue guide would send someone who lost the
    certificate with the wrong materials. With nothing else named, the search decides, and here
    nothing fits: a handoff, not a wrong 一次性告知. Where an item about the same thing does
    what is asked, it takes the named one's place: 「营业执照地址变了要改」 names 个体工商户设立登记
    by its alias and asks for 个体工商户变更登记（备案）.
    """
    otherwise = catalog.asked_otherwise(turn.text, [target.code for target in targets])
    if not otherwise:
        return targets
    codes = [target.code if target.code not in otherwise
             else catalog.variant_asked(target.code, turn.text) for target in targets]
    return catalog.targets(list(dict.fromkeys(code for code in codes if code)))


def _bundle_through_a_sibling(catalog: Catalog, turn: Turn, targets: list[Target]) -> Optional[str]:
    """The one 一件事 several named items make once the names they share with siblings are read
    as the siblings that go with the others.

    「我妈的户口要注销，还有她的社保卡」: the NLU reads 户口注销 and 「社保卡」, which names 社会保障卡
    申领, 补领 and 注销 alike, and settles on 申领. 户口注销 and 申领 are parts of no common 一件事;
    户口注销 and 社会保障卡注销 are both parts of 身后一件事, which is what the citizen needs. Every
    reading of every shared name is tried. Where readings make several 一件事, the whole message
    decides: the reading whose items the catalog ranks clearly higher for it. Otherwise None.
    """
    readings = [[target.code] + _named_as_well(catalog, turn, target.code) for target in targets]
    if all(len(options) == 1 for options in readings):
        return None  # no shared name: the one reading is the items as named, which _bundle_or_all has tried
    if prod(len(options) for options in readings) > MAX_READINGS:
        return None
    support = {hit.code: hit.score for hit in catalog.search(turn.text, MAX_READING_HITS)}
    best: dict[str, float] = {}  # 一件事 → how well the message supports its best reading
    for codes in product(*readings):
        bundle = catalog.bundle_named_by(list(codes))
        if bundle is not None:
            best[bundle] = max(best.get(bundle, 0.0), sum(support.get(code, 0.0) for code in codes))
    ranked = sorted(best.items(), key=lambda pair: -pair[1])
    if len(ranked) == 1 or (ranked and ranked[0][1] - ranked[1][1] > AMBIGUITY_MARGIN):
        return ranked[0][0]
    return None


def _named_as_well(catalog: Catalog, turn: Turn, code: str) -> list[str]:
    """The other items the NLU's words for ``code`` name exactly as well as ``code`` (tied best
    hits of the catalog search, ``code`` among them); none when they name ``code`` best."""
    others: list[str] = []
    for words in turn.words_for(code):
        found = catalog.search(words, MAX_CANDIDATES + 1)
        if not found or found[0].score < MIN_SCORE:
            continue
        tied = [hit.code for hit in found if hit.score == found[0].score]
        if code in tied:
            others += [other for other in tied if other != code and other not in others]
    return others


def _not_described(catalog: Catalog, turn: Turn, targets: list[Target]) -> list[Target]:
    """The targets named by more than words that describe the situation (possibly none).

    「我爸上个月走了，他是厂里退休的，后事要办哪些手续」: 「退休」 names 退休一件事, but here it is
    inside 「厂里退休的」, a fact about the deceased, not a second need.
    """
    described = catalog.fact_words_in(turn.text)
    if not described:
        return targets

    def only_described(target: Target) -> bool:
        words = turn.words_for(target.code)
        return bool(words) and all(any(normalise(w) in fact for fact in described) for w in words)

    return [target for target in targets if not only_described(target)]


def _named_instead(catalog: Catalog, turn: Turn, in_play: Target) -> list[Target]:
    """The items a statement names in place of the one in play, when no question is open.

    Nothing is named instead when the statement names the item in play, or names others only in
    words that describe the situation (「他是厂里退休的」 after the 身后一件事 guide).
    """
    named = catalog.targets(turn.item_codes)
    if not named or in_play.code in {target.code for target in named}:
        return []
    if not _not_described(catalog, turn, named):
        return []
    return _from_entities(catalog, turn)


def _unless_ambiguous(catalog: Catalog, turn: Turn, named: Target) -> list[Target]:
    """The one item the NLU named, unless the words fit it and its siblings equally, or the
    message names a more specific sibling, or the 一件事 it is part of, exactly.

    The NLU may settle on one item where the citizen named only what several share
    (「社保卡要办理」 read as 补领 by a near-miss match); the catalog's ranking of the whole
    message then offers the tied items, the named one among them, as the one question.
    Where the NLU read only the shared words (「社保卡」 in 「我社保卡弄丢了咋个补」) while the
    whole message is exactly another item's name (社会保障卡补领) that contains them, that item
    is what was asked for.
    """
    ranked_hits = hits(catalog, turn.text)
    ranked = close_candidates(catalog, turn.text, min_score=SIBLING_SCORE, ranked=ranked_hits)
    if len(ranked) > 1 and named.code in {t.code for t in ranked}:
        return ranked
    # (A single ``ranked`` comes from a non-empty ``ranked_hits``; its first hit must be that item, exactly.)
    if len(ranked) == 1 and ranked[0].code != named.code \
            and ranked_hits[0].code == ranked[0].code and ranked_hits[0].score >= EXACT_SCORE \
            and (any(catalog.name_extends(ranked[0].code, words) for words in turn.item_words)
                 or catalog.bundle_named_by([ranked[0].code, named.code]) == ranked[0].code):
        # (or the message names, word for word, the 一件事 the NLU's item is part of: 「生了二胎，
        # 出生证户口这些咋个办」 is 新生儿出生一件事, not only the 出生证 the NLU read)
        return ranked
    if ranked_hits and ranked_hits[0].score >= MIN_SCORE and ranked_hits[0].code != named.code \
            and _leads(ranked_hits, named.code) \
            and any(catalog.name_extends(ranked_hits[0].code, words) for words in turn.item_words):
        # The NLU read 「残疾证」 (残疾人证新办) in 「残疾证丢了咋个补」; the catalog ranks
        # 残疾人证挂失补办, which says 「残疾证」 and more of the message, clearly first.
        return catalog.targets([ranked_hits[0].code])
    return [named]
