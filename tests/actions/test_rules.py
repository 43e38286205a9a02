"""The named rules of ``actions.rules``: one table of examples per rule, against a catalog written
as tables (no database, no model). Each row says what the turn, the memory and the catalog hold and
which rule decides with which need; the tables are the rules' specification in examples."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import pytest
import yaml

from actions import rules
from actions.conversation import Memory, Turn
from catalog.held import held
from catalog.resolver import says_off_the_list_twice
from catalog.types import Target

ITEMS = {
    code: Target(code=code, name=name, kind=kind, level=level, department=None)
    for code, name, kind, level in [
        ("SB-APPLY", "社会保障卡申领", "item", "town"),
        ("SB-LOST", "社会保障卡补领", "item", "town"),
        ("SB-CANCEL", "社会保障卡注销", "item", "town"),
        ("HK-CANCEL", "户口注销", "item", "county"),
        ("DEATH", "身后一件事", "bundle", "county"),
        ("ID", "居民身份证办理", "item", "county"),
        ("PASSPORT", "普通护照签发", "item", "county"),
        ("UNEMP", "失业保险金申领", "item", "county"),
        ("FOOD-CANCEL", "食品经营许可证注销", "item", "county"),
        ("SHOP", "开餐馆一件事", "bundle", "county"),
        ("OCCUPY", "临时占用城市道路", "item", "county"),
        ("DIS-NEW", "残疾人证新办", "item", "town"),
        ("DIS-LOST", "残疾人证挂失补办", "item", "town"),
        ("DIBAO", "最低生活保障", "item", "town"),
        ("DIBAO-CHILD", "家庭经济困难儿童提供最低生活保障", "item", "county"),
        ("TAX-COMPLAINT", "纳税服务投诉处理", "item", "county"),
        ("TENDER", "工程建设项目招标投标活动投诉的处理", "item", "county"),
        ("TENDER-WATER", "水利工程建设项目招投标活动投诉受理及处理", "item", "county"),
        ("SHOP-NEW", "个体工商户设立登记", "item", "county"),
        ("SHOP-CHANGE", "个体工商户变更登记（备案）", "item", "county"),
    ]
}


@dataclass
class Hit:
    code: str
    score: float


@dataclass
class Scored:
    code: str
    probability: float
    said: bool = True


@dataclass
class FakeResolution:
    codes: list[str] = field(default_factory=list)
    answer: Optional[Scored] = None
    instead: bool = False  # outranks / offers_instead the considered codes
    considered: dict[str, Scored] = field(default_factory=dict)  # the codes to consider, scored
    chosen: Optional[str] = None  # the one of the considered codes it chooses (does what is asked, or far ahead)
    doing: list[str] = field(default_factory=list)  # targets of one object doing each thing asked

    likeliest: float = 0.5
    named: bool = True      # the message names the answer or an option
    elsewhere_need: Optional[str] = None  # the need the list lacks that the message is
    elsewhere: float = 0.0  # how surely the bank's needs the list lacks write the message
    nothing: float = 0.0  # how much of the ranking's posterior goes to no target
    off_list_word: bool = False  # the message says an off_list.yaml word
    confirm: bool = False   # the one code is offered alone, below the answer's bar
    alone: Optional[Scored] = None  # ... and how likely it is
    alone_instead: bool = False  # offers_alone_instead the considered codes
    another_object: bool = False  # the likeliest target is about another object than the considered codes
    rivals: tuple[str, ...] = ()  # considered codes another option about another object nearly matches
    offers: bool = False  # asks between targets other than the considered codes, each of them far behind
    doubted: tuple[str, ...] = ()  # considered codes it finds nothing for (handed off, each too unlikely to offer)
    refused: tuple[str, ...] = ()  # considered codes the message says its need is not
    otherwise: tuple[str, ...] = ()  # considered codes whose names do another thing than asked

    @property
    def decision(self) -> str:
        if self.confirm:
            return "confirm"
        return "answer" if self.answer else "ask" if len(self.codes) > 1 else "handoff" if not self.codes else "answer"

    def outranks(self, codes: Sequence[str], bar: float = 0.6) -> bool:
        # (as the resolver's: its answer is none of ``codes``)
        return self.instead and (self.answer is None or self.answer.probability >= bar) \
            and not (self.codes and self.codes[0] in codes)

    def offers_instead(self, codes: Sequence[str]) -> bool:
        return self.offers

    def answers_instead(self, codes: Sequence[str]) -> bool:
        return self.instead and self.answer is not None

    def offers_alone_instead(self, codes: Sequence[str]) -> bool:
        return self.alone_instead

    def about_another_object(self, code: str) -> bool:
        return self.another_object

    def rivalled(self, code: str, lead: float) -> bool:
        return code in self.rivals

    def does_otherwise(self, code: str) -> bool:
        return code in self.otherwise

    def probability_of(self, code: str) -> float:
        return self.considered[code].probability if code in self.considered else 0.0

    def doubts(self, code: str) -> bool:
        return code in self.doubted or code in self.refused

    def refuses(self, code: str) -> bool:
        return code in self.refused

    @property
    def off_the_list_twice(self) -> bool:
        return says_off_the_list_twice(self.elsewhere, self.nothing)

    def chosen_among(self, codes: Sequence[str]) -> Optional[str]:
        return self.chosen if self.chosen in codes else None

    def doing_each(self) -> list[str]:
        return self.doing


@dataclass
class TableCatalog:
    """The catalog as tables: search results and resolutions per text, fact words, bundles."""

    searches: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    resolutions: dict[str, FakeResolution] = field(default_factory=dict)
    facts: dict[str, list[str]] = field(default_factory=dict)  # text → fact words in it
    bundles: dict[frozenset[str], str] = field(default_factory=dict)
    otherwise: dict[str, dict[str, Optional[str]]] = field(default_factory=dict)  # text → code → variant

    def targets(self, codes: Iterable[str]) -> list[Target]:
        return [ITEMS[code] for code in codes if code in ITEMS]

    def search(self, text: str, limit: int) -> list[Hit]:
        return [Hit(code, score) for code, score in self.searches.get(text, [])][:limit]

    def asked_otherwise(self, text: str, codes: list[str]) -> set[str]:
        return {code for code in codes if code in self.otherwise.get(text, {})}

    def variant_asked(self, code: str, text: str) -> Optional[str]:
        return self.otherwise.get(text, {}).get(code)

    def bundle_named_by(self, codes: list[str]) -> Optional[str]:
        return self.bundles.get(frozenset(codes))

    def name_extends(self, code: str, words: str) -> bool:
        return words in ITEMS[code].name or (words == "社保卡" and code.startswith("SB")) \
            or (words == "残疾证" and code.startswith("DIS"))

    def fact_words_in(self, text: str) -> list[str]:
        return self.facts.get(text, [])

    def states_facts(self, text: str) -> bool:
        return bool(self.facts.get(text))

    def holds(self, text: str, words: str) -> bool:
        return held(text, words)

    def resolve(self, text: str, consider: Sequence[str] = (), nlu: Sequence[str] = ()) -> FakeResolution:
        return self.resolutions.get(text, FakeResolution())


def turn(text: str, intent: str = "ask_materials", items: Sequence[str] = (), words: Sequence[str] = (),
         town: Optional[str] = None, aspect: Optional[str] = None, previous: Optional[str] = None) -> Turn:
    mentions = tuple(zip(items, words)) if words else tuple((code, "") for code in items)
    return Turn(text=text, intent=intent, item_codes=list(items), town_code=town, village_code=None,
                aspect=aspect, previous_text=previous, item_mentions=mentions)


def asked(*codes: str, every: bool = False) -> Memory:
    """The which-item question is open with these options."""
    candidates = [{"code": code, "name": ITEMS[code].name} for code in codes]
    key = "candidates:" + "|".join(sorted(codes))
    return Memory(pending_question=True, candidates=candidates,
                  asked_for=[key] + (["every:" + key] if every else []))


def answered(code: str, pending: bool = False) -> Memory:
    """The item answered (or asked about, ``pending``) last."""
    return Memory(target_code=code, asked_for=[code], pending_question=pending)


def decide(t: Turn, memory: Memory = Memory(), catalog: Optional[TableCatalog] = None,
           learned: bool = False, relevant: Optional[bool] = None) -> tuple[rules.Need, str]:
    return rules.decide(rules.Situation(t, memory, catalog or TableCatalog(), learned, relevant))


def codes_of(need: rules.Need) -> list[str]:
    return need.codes


# ----------------------------------------------------------------------------- the rule order

def test_every_rule_is_named_documented_and_tried_once():
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    assert all(rule.doc for rule in rules.RULES)


def test_nothing_decides_an_empty_turn():
    need, rule = decide(turn(""))
    assert (need.key, rule) == (None, rules.NOTHING)


# ----------------------------------------------------------------------------- triaged_intent

@pytest.mark.parametrize("text, intent, resolution, expected", [
    # read as a complaint, but the resolver is clear: the need is answered
    ("超市不开了，食品证要注销", "complaint", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.8)), ["FOOD-CANCEL"]),
    # a real complaint: nothing clear, the complaint's own handoff
    ("楼下工地半夜施工吵死了", "complaint", FakeResolution(), None),
    # read as a complaint without a word of complaint: the resolver's clear answer, even in other words
    ("自家山上的柏树想砍了卖", "complaint", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.9, said=False)),
     ["FOOD-CANCEL"]),
    # ... and at the resolver's own bar, under the triage bar
    ("店子要停业两个月，税务那边要报停吗", "complaint", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.4)),
     ["FOOD-CANCEL"]),
    # ... and, below its bar, the one question it asks over the list (an item offered alone, or several)
    ("天使投资抵个税，要找税务局报个啥子", "complaint", FakeResolution(["FOOD-CANCEL"], confirm=True), ["FOOD-CANCEL"]),
    ("个体户的证要咋个弄", "complaint", FakeResolution(["SB-APPLY", "SB-LOST"]), ["SB-APPLY", "SB-LOST"]),
    # a complaint that says it complains: the triage bar, and no question
    ("我要举报，超市不开了，食品证要注销", "complaint",
     FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.4)), None),
    ("我要投诉，食品证的事", "complaint", FakeResolution(["FOOD-CANCEL"], confirm=True), None),
    # a complaint only like an item's citizens' sentences, saying none of its words: still a complaint
    ("我要投诉，窗口工作人员态度太差了", "complaint",
     FakeResolution(["TAX-COMPLAINT"], Scored("TAX-COMPLAINT", 0.95, said=False)), None),
    # ... but a complaint that says what one of the list's complaint procedures is about is that procedure
    ("在税务局排了三个钟头，工作人员还推来推去，去哪里投诉他们", "complaint",
     FakeResolution(["TAX-COMPLAINT"], Scored("TAX-COMPLAINT", 0.88, said=False)), ["TAX-COMPLAINT"]),
    ("我们投了一个河道整治工程的标，觉得评标有猫腻，想投诉", "complaint",
     FakeResolution(["TENDER-WATER"], Scored("TENDER-WATER", 0.86, said=False)), ["TENDER-WATER"]),
    # ... at the resolver's own answer bar, under the triage bar
    ("在税务局排了三个钟头，我要投诉", "complaint",
     FakeResolution(["TAX-COMPLAINT"], Scored("TAX-COMPLAINT", 0.5, said=False)), ["TAX-COMPLAINT"]),
    # ... where it answers a procedure: an item it answers at that bar is no complaint's need
    ("在税务局排了三个钟头，食品证的事我要投诉", "complaint",
     FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.5, said=False)), None),
    # ... or the one question between such procedures, each of whose subjects it names
    ("山坪塘整治项目招标，中标那家公司资质明显不够，咋个投诉", "complaint",
     FakeResolution(["TENDER", "TENDER-WATER"]), ["TENDER", "TENDER-WATER"]),
    # ... not between procedures one of which it says nothing about, nor between other items
    ("工地招标有猫腻，窗口态度也差，我要投诉", "complaint", FakeResolution(["TENDER", "FOOD-CANCEL"]), None),
    ("我要投诉，社保卡的事", "complaint", FakeResolution(["SB-APPLY", "SB-LOST"]), None),
    # a request for a person with a likely but unclear item: still a request for a person
    ("转人工，食品证的事", "request_human", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.5)), None),
    # ... but a need the NLU guessed as one, asking for no person, is the resolver's answer at its own bar
    ("自己在屋头架了个服务器连国外网络，网安说个人也要备案", "request_human",
     FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.5)), ["FOOD-CANCEL"]),
    # small talk is no guess of the NLU's: the triage bar
    ("你好，食品证的事", "greet", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.5)), None),
    # a need read as small talk, and small talk itself
    ("失业金咋个领，谢谢", "thanks", FakeResolution(["UNEMP"], Scored("UNEMP", 0.9)), ["UNEMP"]),
    ("好的，再见", "goodbye", FakeResolution(), None),
    ("谢谢，那个证明要多久", "thanks", FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.3)), None),
])
def test_triaged_intent(text, intent, resolution, expected):
    need, rule = decide(turn(text, intent=intent), catalog=TableCatalog(resolutions={text: resolution}))
    assert rule == "triaged_intent"
    assert (codes_of(need) if expected else need.hand_on) == (expected or True)


@pytest.mark.parametrize("text, read_as_a_need", [
    # guessed complaints that ask where or how a service is done: a need, handed off as one if nothing fits
    ("新买的电瓶车要上牌不，在哪里上", True),
    ("闯红灯被拍了，罚款在哪里交", True),
    ("屋头那台拖拉机放了三年没用，档案想重新启用，在哪办", True),
    # ... not a complaint that asks who handles it, nor one that says it complains
    ("龙台镇街上那家馆子的油烟管子直接对到我屋窗子，天天熏起，找哪个反映", False),
    ("坐公交车司机经常不停站，这个在哪里投诉", False),
])
def test_a_guessed_complaint_that_asks_a_service_is_read_as_a_need(text, read_as_a_need):
    need, rule = decide(turn(text, intent="complaint"), catalog=TableCatalog(resolutions={text: FakeResolution()}))
    if read_as_a_need:
        assert (rule, need.key, need.hand_on) == (rules.NOTHING, None, False)
    else:
        assert (rule, need.hand_on, need.intent) == ("triaged_intent", True, "complaint")


def test_a_suggestion_read_as_a_complaint_asks_no_question():
    text = "建议社保卡和医保卡合成一张卡"
    resolution = FakeResolution(["SB-APPLY", "SB-LOST"], likeliest=0.4)
    need, rule = decide(turn(text, intent="complaint"), catalog=TableCatalog(resolutions={text: resolution}))
    assert (rule, need.hand_on, need.intent) == ("triaged_intent", True, "complaint")


@pytest.mark.parametrize("text", ["建议社保卡和医保卡合成一张卡", "你好，我建议龙台镇多修几个公厕", "提个意见，食品证办得太慢了"])
def test_a_suggestion_is_handed_on_as_a_complaint_whatever_the_nlu_read(text):
    resolution = FakeResolution(["SB-APPLY", "SB-LOST"], likeliest=0.4)
    need, rule = decide(turn(text, intent="ask_item", items=["SB-APPLY"]), catalog=TableCatalog(resolutions={text: resolution}))
    assert (rule, need.hand_on, need.intent) == ("triaged_intent", True, "complaint")


def test_a_suggestion_made_to_the_citizen_is_no_suggestion():
    assert not rules.suggests("医生建议转到成都的大医院，医保要咋个弄")
    assert not rules.suggests("医生说这边条件不够，建议转到重庆的大医院去，转院前要先办啥子手续")
    assert rules.suggests("建议延长政务中心周末的办公时间")
    assert rules.suggests("社保卡和医保卡分开太麻烦，建议合成一张卡")
    assert rules.suggests("我想说一下，建议政务中心中午不休息")
    assert rules.suggests("超市门口全是台阶，轮椅推不上去，能不能建议他们修个坡道")


def test_small_talk_that_says_none_of_its_words_is_read_as_a_need():
    """「店子关了，烟草证要交回去」 read as a goodbye: the resolver's answer at its own bar, else the
    message is read like any other (here nothing is found: the handoff of a need, not 「再见」)."""
    text = "店子关了，烟草证要交回去"
    answered = TableCatalog(resolutions={text: FakeResolution(["FOOD-CANCEL"], Scored("FOOD-CANCEL", 0.4))})
    need, rule = decide(turn(text, intent="goodbye"), catalog=answered)
    assert (rule, codes_of(need)) == ("triaged_intent", ["FOOD-CANCEL"])
    need, rule = decide(turn(text, intent="goodbye"))
    assert (rule, need.key, need.hand_on) == (rules.NOTHING, None, False)
    # ... and a reply to the open question read as small talk is read against its options
    need, rule = decide(turn("是补领的那个，原来那张卡搞丢了", intent="thanks"), memory=asked("SB-APPLY", "SB-LOST"))
    assert (rule, codes_of(need)) == ("reply_picks_an_option", ["SB-LOST"])


# ------------------------------------------------------------ replies to the which-item question

@pytest.mark.parametrize("reply, items, memory, rule, expected", [
    # the question was asked for several needs at once: a reply gives what they lack
    ("他是厂里退休的", [], asked("HK-CANCEL", "SB-CANCEL", every=True), "reply_for_every_need", ["HK-CANCEL", "SB-CANCEL"]),
    # an option number, an option's words, an item the NLU read that is an option
    ("2", [], asked("SB-APPLY", "SB-LOST"), "reply_picks_an_option", ["SB-LOST"]),
    ("补领那个", [], asked("SB-APPLY", "SB-LOST"), "reply_picks_an_option", ["SB-LOST"]),
    ("社会保障卡申领", ["SB-APPLY"], asked("SB-APPLY", "SB-LOST"), "reply_picks_an_option", ["SB-APPLY"]),
    # an item the NLU read that is NOT an option does not open a new item from the reply
    ("第一次办，申领", ["DIS-NEW"], asked("SB-APPLY", "SB-LOST"), "reply_picks_an_option", ["SB-APPLY"]),
    # every option
    ("两个都要办", [], asked("SB-APPLY", "SB-LOST"), "reply_takes_every_option", ["SB-APPLY", "SB-LOST"]),
    # a yes to an option offered alone; a yes among several options chooses nothing
    ("是的", [], asked("UNEMP"), "reply_picks_an_option", ["UNEMP"]),
    ("对头，我在龙台镇", [], asked("UNEMP"), "reply_picks_an_option", ["UNEMP"]),
    ("是的", [], asked("SB-APPLY", "SB-LOST"), rules.NOTHING, []),
    ("不是", [], asked("UNEMP"), rules.NOTHING, []),
])
def test_replies_to_the_which_item_question(reply, items, memory, rule, expected):
    need, decided = decide(turn(reply, intent="inform", items=items), memory)
    assert (decided, codes_of(need)) == (rule, expected)


def test_a_reply_with_only_the_place_answers_every_option_in_full():
    """rest_of_the_question: 「我在悦来镇」 names no option; the options stay, now with the place."""
    need, rule = decide(turn("我在悦来镇", intent="inform", town="T1"), asked("SB-APPLY", "SB-LOST"), learned=True)
    assert (rule, codes_of(need), need.every) == ("rest_of_the_question", ["SB-APPLY", "SB-LOST"], False)


def test_a_reply_that_settles_nothing_is_nothing():
    need, rule = decide(turn("嗯", intent="affirm"), asked("SB-APPLY", "SB-LOST"))
    assert (need.key, rule) == (None, rules.NOTHING)


# --------------------------------------------------------------------------- the item in play

@pytest.mark.parametrize("text, intent, memory, learned, relevant, items, catalog, rule, expected", [
    # the same statement again changes nothing
    ("门头要装修", "inform", answered("SHOP"), False, None, [],
     TableCatalog(facts={"门头要装修": ["门头要装修"]}), "same_reply_again", ["SHOP"]),
    # a reply to the one question continues the item, never a search (「门头要装修」 is also 临时占道)
    ("门头要装修", "inform", answered("SHOP", pending=True), True, True, [],
     TableCatalog(searches={"门头要装修": [("OCCUPY", 100.0)]}), "continues_item_in_play", ["SHOP"]),
    # a statement naming another item after an answer is about that item
    ("我的社保卡丢了，龙台镇的", "inform", answered("DIS-NEW"), True, True, ["SB-LOST"],
     TableCatalog(), "continues_item_in_play", ["SB-LOST"]),
    # ... but not when it names others only in words that describe the situation
    ("他是厂里退休的", "inform", answered("DEATH"), True, True, ["HK-CANCEL"],
     TableCatalog(facts={"他是厂里退休的": ["厂里退休的"]}), "continues_item_in_play", ["DEATH"]),
    # a question about the item in play: 「要多少钱」
    ("要多少钱", "ask_fee", answered("ID"), False, None, [], TableCatalog(), "about_item_in_play", None),
    # ... even when it sounds like some other item's citizens, naming nothing of it
    ("要多少钱", "ask_fee", answered("ID"), False, None, [],
     TableCatalog(resolutions={"要多少钱": FakeResolution(["SB-APPLY", "SB-LOST"], named=False)}),
     "about_item_in_play", None),
])
def test_the_item_in_play(text, intent, memory, learned, relevant, items, catalog, rule, expected):
    aspect = "fee" if intent == "ask_fee" else None
    words = ["厂里退休"] if text == "他是厂里退休的" else ["社保卡"] * len(items)
    need, decided = decide(turn(text, intent=intent, items=items, words=words, aspect=aspect,
                                previous=text if rule == "same_reply_again" else None),
                           memory, catalog, learned, relevant)
    assert decided == rule
    assert codes_of(need) == (expected or [memory.target_code])


def test_a_restated_need_is_not_re_answered_when_it_states_nothing():
    """「好的」 twice after an answer is not the same reply again: nothing is decided."""
    need, rule = decide(turn("好的", intent="affirm", previous="好的"), answered("ID"))
    assert (need.key, rule) == (None, rules.NOTHING)


# --------------------------------------------------------------------------- items the NLU named

@pytest.mark.parametrize("text, memory, resolution, expected", [
    # two things done to one object, as alternatives: the question between them, not the NLU's one
    ("社保卡申领或者补换要带啥", Memory(), FakeResolution(["SB-APPLY"], Scored("SB-APPLY", 0.9),
                                                     doing=["SB-APPLY", "SB-LOST"]), ["SB-APPLY", "SB-LOST"]),
    # no word of alternatives: the rule does not read the message
    ("社保卡申领补换要带啥", Memory(), FakeResolution(doing=["SB-APPLY", "SB-LOST"]), None),
    # alternatives, but of one thing done (「要带啥还是在哪办」): no question from them
    ("社保卡申领要带啥还是在哪办", Memory(), FakeResolution(["SB-APPLY"], Scored("SB-APPLY", 0.9)), None),
    # a reply to an open question is read against it first
    ("申领或者补换", asked("SB-APPLY", "SB-LOST"), FakeResolution(doing=["SB-APPLY", "SB-LOST"]), None),
])
def test_asks_one_or_another(text, memory, resolution, expected):
    t = turn(text, items=["SB-APPLY"], words=["社保卡"])
    need, rule = decide(t, memory, TableCatalog(resolutions={text: resolution}))
    if expected is None:
        assert rule != "asks_one_or_another"
    else:
        assert (rule, codes_of(need)) == ("asks_one_or_another", expected)


@pytest.mark.parametrize("text, items, words, catalog, rule, expected, every", [
    # two items read from words of their own: both are needs
    ("我要办身份证和护照", ["ID", "PASSPORT"], ["身份证", "护照"], TableCatalog(), "needs_named_apart",
     ["ID", "PASSPORT"], True),
    # ... unless the resolver answers another item far likelier than both: they are the story's words
    ("上回问身份证和护照的人多，失业金咋个领", ["ID", "PASSPORT"], ["身份证", "护照"],
     TableCatalog(resolutions={"上回问身份证和护照的人多，失业金咋个领": FakeResolution(["UNEMP"], instead=True)}),
     "needs_named_apart", ["UNEMP"], False),
    # ... at the bar for the NLU's readings (NLU_OUTRANKED_PROBABILITY), which are parts of its score
    ("居民医保登记的时候身份证号录错了，咋个改", ["ID", "PASSPORT"], ["居民", "身份证"],
     TableCatalog(resolutions={"居民医保登记的时候身份证号录错了，咋个改": FakeResolution(
         ["UNEMP"], Scored("UNEMP", 0.58), instead=True)}),
     "needs_named_apart", ["UNEMP"], False),
    # two members of one 一件事: the 一件事
    ("我老汉走了，户口和社保卡都要销", ["HK-CANCEL", "SB-CANCEL"], ["户口", "社保卡"],
     TableCatalog(bundles={frozenset({"HK-CANCEL", "SB-CANCEL"}): "DEATH"}), "named_by_the_nlu", ["DEATH"], False),
    # the NLU settled on 申领 from a shared name; the reading through its sibling makes the 一件事
    ("我妈的户口要注销，还有她的社保卡", ["HK-CANCEL", "SB-APPLY"], ["户口要注销", "社保卡"],
     TableCatalog(searches={"社保卡": [("SB-APPLY", 100.0), ("SB-LOST", 100.0), ("SB-CANCEL", 100.0)]},
                  bundles={frozenset({"HK-CANCEL", "SB-CANCEL"}): "DEATH"}),
     "named_by_the_nlu", ["DEATH"], False),
    # an incidental noun the NLU read yields to the resolver's clear answer
    ("补办身份证那天听说失业金要去哪里申请", ["ID"], ["身份证"],
     TableCatalog(resolutions={"补办身份证那天听说失业金要去哪里申请": FakeResolution(["UNEMP"], instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # ... at NLU_OUTRANKED_PROBABILITY, the NLU's reading being one of the resolver's features
    ("老公在领失业金的时候走了，家属能领啥子", ["ID"], ["领失业金"],
     TableCatalog(resolutions={"老公在领失业金的时候走了，家属能领啥子": FakeResolution(
         ["UNEMP"], Scored("UNEMP", 0.5), instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # ... and, answered under that bar, the one question, the resolver's answer first
    ("老公在领失业金的时候走了，家里能领啥子", ["ID"], ["领失业金"],
     TableCatalog(resolutions={"老公在领失业金的时候走了，家里能领啥子": FakeResolution(
         ["UNEMP"], Scored("UNEMP", 0.3), instead=True)}),
     "named_by_the_nlu", ["UNEMP", "ID"], False),
    # a 一件事 the NLU read alone, by a word of the story, yields to the resolver's clear answer
    ("在饭店打工要办健康证", ["SHOP"], ["在饭店"],
     TableCatalog(resolutions={"在饭店打工要办健康证": FakeResolution(["UNEMP"], instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # ... also when the NLU read one of its items besides (the two make the 一件事)
    ("原来的小超市改成开餐馆，许可证上的主体业态要改", ["ID", "SHOP"], ["小超市", "开餐馆"],
     TableCatalog(bundles={frozenset({"ID", "SHOP"}): "SHOP"},
                  resolutions={"原来的小超市改成开餐馆，许可证上的主体业态要改": FakeResolution(["UNEMP"], instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # ... or to its question between likely items, the 一件事 far behind them
    ("事业单位退休的，工龄算少了，退休待遇想重新报", ["SHOP"], ["退休"],
     TableCatalog(resolutions={"事业单位退休的，工龄算少了，退休待遇想重新报": FakeResolution(
         ["UNEMP", "ID"], likeliest=0.26, offers=True)}),
     "named_by_the_nlu", ["UNEMP", "ID"], False),
    # ... or to the resolver's question between likelier targets (LIKELY), whether or not the 一件事 is one
    # of its options
    ("有个老师下个月到龄退休，要往社保报他的退休基础信息", ["SHOP"], ["退休"],
     TableCatalog(resolutions={"有个老师下个月到龄退休，要往社保报他的退休基础信息": FakeResolution(
         ["UNEMP", "ID"], likeliest=0.29)}),
     "named_by_the_nlu", ["UNEMP", "ID"], False),
    ("两边同时交了养老，办退休要先把重复的清退", ["SHOP"], ["办退休"],
     TableCatalog(resolutions={"两边同时交了养老，办退休要先把重复的清退": FakeResolution(
         ["UNEMP", "SHOP"], likeliest=0.26)}),
     "named_by_the_nlu", ["UNEMP", "SHOP"], False),
    # ... not one its items make, the NLU reading none of its words
    ("我妈去世了，户口要注销，还有她的社保卡", ["HK-CANCEL", "SB-APPLY"], ["户口要注销", "社保卡"],
     TableCatalog(searches={"社保卡": [("SB-APPLY", 100.0), ("SB-LOST", 100.0), ("SB-CANCEL", 100.0)]},
                  bundles={frozenset({"HK-CANCEL", "SB-CANCEL"}): "DEATH"},
                  resolutions={"我妈去世了，户口要注销，还有她的社保卡": FakeResolution(["UNEMP", "ID"], likeliest=0.29)}),
     "named_by_the_nlu", ["DEATH"], False),
    # ... or to the one it offers alone, LIKELY and the 一件事 far behind it
    ("公司食堂原来是对外营业的饭馆，证上要改成单位食堂", ["SHOP"], ["饭馆"],
     TableCatalog(resolutions={"公司食堂原来是对外营业的饭馆，证上要改成单位食堂": FakeResolution(
         ["UNEMP"], likeliest=0.29, confirm=True, alone=Scored("UNEMP", 0.29), alone_instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # ... but one the search found stays beside it
    ("退休了养老金怎么领", [], [],
     TableCatalog(searches={"退休了养老金怎么领": [("SHOP", 100.0)]}, resolutions={"退休了养老金怎么领": FakeResolution(
         ["UNEMP"], likeliest=0.34, confirm=True, alone=Scored("UNEMP", 0.34), alone_instead=True)}),
     "found_by_search", ["SHOP"], False),
    # ... but not when the resolver finds nothing likely
    ("退休了养老金咋个领", ["SHOP"], ["退休"],
     TableCatalog(resolutions={"退休了养老金咋个领": FakeResolution(["UNEMP", "ID"], likeliest=0.16, offers=True)}),
     "named_by_the_nlu", ["SHOP"], False),
    # ... and, read by a word of the story, yields to a need the list lacks (the rules after hand it off)
    ("老妈有退休工资，想送她去公办养老院", ["DEATH"], ["有退休"],
     TableCatalog(resolutions={"老妈有退休工资，想送她去公办养老院": FakeResolution(elsewhere_need="自费入住养老院")}),
     "nothing_found", [], False),
    # ... and so does an item read by a word of the story (the NLU's 居民身份证办理 of a doorstep survey),
    # where the bank is sure of the need (ITEM_ELSEWHERE) ...
    ("有人上门搞人口调查，要登记身份证号码，咋个核实他们", ["ID"], ["身份证"],
     TableCatalog(resolutions={"有人上门搞人口调查，要登记身份证号码，咋个核实他们": FakeResolution(
         elsewhere_need="统计调查员上门", elsewhere=0.86)}),
     "nothing_found", [], False),
    ("有个手机号是用我身份证开的，我没办过，咋个注销", ["ID"], ["身份证"],
     TableCatalog(resolutions={"有个手机号是用我身份证开的，我没办过，咋个注销": FakeResolution(
         elsewhere_need="身份证被他人冒用", elsewhere=0.71)}),
     "nothing_found", [], False),
    # ... or where the needs together write a story the resolver hands off, though none of them alone
    ("有人打电话说是公安局的，说我身份证涉嫌洗钱，这是不是骗子", ["ID"], ["身份证"],
     TableCatalog(resolutions={"有人打电话说是公安局的，说我身份证涉嫌洗钱，这是不是骗子": FakeResolution(elsewhere=0.73)}),
     "nothing_found", [], False),
    # ... or where they write it less surely but the ranking leaves much to no target at all
    ("想在12306上给老人买票，提示身份证已经被别人注册过了，咋个把账号弄回来", ["ID"], ["身份证"],
     TableCatalog(resolutions={"想在12306上给老人买票，提示身份证已经被别人注册过了，咋个把账号弄回来": FakeResolution(
         elsewhere=0.33, nothing=0.66)}),
     "nothing_found", [], False),
    ("想在12306上给老人买票，身份证是不是要先去换个新的", ["ID"], ["身份证"],
     TableCatalog(resolutions={"想在12306上给老人买票，身份证是不是要先去换个新的": FakeResolution(
         elsewhere=0.33, nothing=0.2)}),
     "named_by_the_nlu", ["ID"], False),
    # ... which a short message's sharp posteriors do not say
    ("身份证的事问一下", ["ID"], ["身份证"],
     TableCatalog(resolutions={"身份证的事问一下": FakeResolution(elsewhere=0.8)}),
     "named_by_the_nlu", ["ID"], False),
    # ... and not where it is less sure: the question is about the item's own object
    ("想问下身份证方面的事情", ["ID"], ["身份证"],
     TableCatalog(resolutions={"想问下身份证方面的事情": FakeResolution(elsewhere_need="身份证优惠", elsewhere=0.63)}),
     "named_by_the_nlu", ["ID"], False),
    # ... nor one it names in full to say its need is not it
    ("不是给娃娃开居民身份证办理那个哈，这个采血在哪里弄", ["ID"], ["居民身份证办理"],
     TableCatalog(resolutions={"不是给娃娃开居民身份证办理那个哈，这个采血在哪里弄": FakeResolution(refused=("ID",))}),
     "nothing_found", [], False),
    # ... but not an item the message names in full
    ("有人上门搞人口调查，说要先办居民身份证办理", ["ID"], ["居民身份证办理"],
     TableCatalog(resolutions={"有人上门搞人口调查，说要先办居民身份证办理": FakeResolution(
         elsewhere_need="统计调查员上门", elsewhere=0.86)}),
     "named_by_the_nlu", ["ID"], False),
    # ... but one its named items make stays where the resolver answers one of them
    ("我老汉走了，户口和社保卡都要销了", ["HK-CANCEL", "SB-CANCEL"], ["户口", "社保卡"],
     TableCatalog(bundles={frozenset({"HK-CANCEL", "SB-CANCEL"}): "DEATH"},
                  resolutions={"我老汉走了，户口和社保卡都要销了": FakeResolution(["SB-CANCEL"], instead=True)}),
     "named_by_the_nlu", ["DEATH"], False),
    # ... and yields to a clear answer that is none of them (「伤残退伍军人…户口要从岳池县迁到…抚恤金关系
    # 咋个转过来」 is no 身后一件事)
    ("退伍军人户口迁过来，抚恤金关系咋个转", ["HK-CANCEL", "SB-CANCEL"], ["户口", "抚恤金"],
     TableCatalog(bundles={frozenset({"HK-CANCEL", "SB-CANCEL"}): "DEATH"},
                  resolutions={"退伍军人户口迁过来，抚恤金关系咋个转": FakeResolution(["UNEMP"], Scored("UNEMP", 0.9),
                                                                             instead=True)}),
     "named_by_the_nlu", ["UNEMP"], False),
    # the resolver finds another item likely and likelier than the NLU's, though not clearly: ask
    ("和朋友合伙开个有限公司，营业执照咋个办", ["ID"], ["营业执照"],
     TableCatalog(resolutions={"和朋友合伙开个有限公司，营业执照咋个办": FakeResolution(["PASSPORT", "ID"], likeliest=0.7)}),
     "named_by_the_nlu", ["PASSPORT", "ID"], False),
    # ... at a lower likelihood too, when twice as likely as the NLU's item (scored with the NLU's reading)
    ("开公司要办营业执照", ["ID"], ["营业执照"],
     TableCatalog(resolutions={"开公司要办营业执照": FakeResolution(
         ["PASSPORT", "ID"], likeliest=0.3, considered={"ID": Scored("ID", 0.12)})}),
     "named_by_the_nlu", ["PASSPORT", "ID"], False),
    # ... or merely likelier, when it is a narrower item whose name holds the NLU's item's
    ("困难家庭的娃娃可以纳入低保", ["DIBAO"], ["低保"],
     TableCatalog(resolutions={"困难家庭的娃娃可以纳入低保": FakeResolution(
         ["DIBAO-CHILD", "DIBAO"], likeliest=0.4, considered={"DIBAO": Scored("DIBAO", 0.26)})}),
     "named_by_the_nlu", ["DIBAO-CHILD", "DIBAO"], False),
    # ... or merely likelier, when it is about another object than the NLU's item
    ("开个公司要办营业执照", ["ID"], ["营业执照"],
     TableCatalog(resolutions={"开个公司要办营业执照": FakeResolution(
         ["PASSPORT", "ID"], likeliest=0.3, considered={"ID": Scored("ID", 0.2)}, another_object=True)}),
     "named_by_the_nlu", ["PASSPORT", "ID"], False),
    # ... but not a sibling that does another thing to the same object, nor when the NLU's item is nearly as likely
    ("开个店要办营业执照", ["ID"], ["营业执照"],
     TableCatalog(resolutions={"开个店要办营业执照": FakeResolution(
         ["PASSPORT", "ID"], likeliest=0.3, considered={"ID": Scored("ID", 0.2)})}),
     "named_by_the_nlu", ["ID"], False),
    # ... but another option about another object, nearly as likely as the NLU's item, is the one question
    ("开个店卖烟要啥证", ["ID"], ["开个店"],
     TableCatalog(resolutions={"开个店卖烟要啥证": FakeResolution(
         ["ID", "PASSPORT"], likeliest=0.5, considered={"ID": Scored("ID", 0.5)}, rivals=("ID",))}),
     "named_by_the_nlu", ["ID", "PASSPORT"], False),
    # ... and a resolver that finds nothing likely does not overrule the NLU
    ("营业执照地址变了要改", ["ID"], ["营业执照"],
     TableCatalog(resolutions={"营业执照地址变了要改": FakeResolution(["PASSPORT", "ID"], likeliest=0.1)}),
     "named_by_the_nlu", ["ID"], False),
    # ... nor the item's full name said word for word
    ("居民身份证办理要带啥", ["ID"], ["居民身份证办理"],
     TableCatalog(resolutions={"居民身份证办理要带啥": FakeResolution(["PASSPORT", "ID"], likeliest=0.7)}),
     "named_by_the_nlu", ["ID"], False),
    # what the citizen holds is a material, not the need: the other item read is the need
    ("身份证都在身上，失业金在哪领", ["ID", "UNEMP"], ["身份证", "失业金"], TableCatalog(),
     "named_by_the_nlu", ["UNEMP"], False),
    # the NLU read only the shared words; the message is a more specific sibling's name
    ("残疾证丢了咋个补", ["DIS-NEW"], ["残疾证"],
     TableCatalog(searches={"残疾证丢了咋个补": [("DIS-LOST", 80.0), ("DIS-NEW", 60.0)]}),
     "named_by_the_nlu", ["DIS-LOST"], False),
    # words that fit the NLU's item and its siblings equally: the one question among them
    ("社保卡要办理", ["SB-LOST"], ["社保卡"],
     TableCatalog(searches={"社保卡要办理": [("SB-APPLY", 95.0), ("SB-LOST", 95.0)]}),
     "named_by_the_nlu", ["SB-APPLY", "SB-LOST"], False),
    # an item whose name does another thing than asked yields to the sibling that does it
    ("营业执照地址变了要改", ["DIS-NEW"], ["残疾证"],
     TableCatalog(otherwise={"营业执照地址变了要改": {"DIS-NEW": "DIS-LOST"}}),
     "named_by_the_nlu", ["DIS-LOST"], False),
])
def test_items_the_nlu_named(text, items, words, catalog, rule, expected, every):
    need, decided = decide(turn(text, items=items, words=words), catalog=catalog)
    assert (decided, codes_of(need), need.every) == (rule, expected, every)


@pytest.mark.parametrize("text, items, doubted, rule", [
    # the resolver finds nothing for the NLU's one item: read on (here nothing more is found: the handoff)
    ("我医保个人账户头还有钱，想拿给我妈买药用", ["UNEMP"], ("UNEMP",), "nothing_found"),
    # ... not when it finds it at all
    ("失业金的账户头还有钱，想拿给我妈用", ["UNEMP"], (), "named_by_the_nlu"),
    # ... nor when the message says the item's (or the 一件事's) full name
    ("失业保险金申领，账户头还有钱", ["UNEMP"], ("UNEMP",), "named_by_the_nlu"),
    ("开餐馆一件事，要准备啥", ["SHOP"], ("SHOP",), "named_by_the_nlu"),
    # a 一件事 read by a word of the story is doubted as an item is (「法院在选人民陪审员，我退休了…想报个名」
    # is no 退休一件事)
    ("法院在选陪审员，我开过餐馆，想报个名", ["SHOP"], ("SHOP",), "nothing_found"),
    # ... nor for an item given as such, not read from words of the message (an option's button)
    ("这个怎么办", ["UNEMP"], ("UNEMP",), "named_by_the_nlu"),
])
def test_an_item_the_nlu_read_that_the_resolver_finds_nothing_for_is_read_on(text, items, doubted, rule):
    catalog = TableCatalog(resolutions={text: FakeResolution(doubted=doubted)})
    need, decided = decide(turn(text, items=items, words=[] if text == "这个怎么办" else ["医保"]), catalog=catalog)
    assert decided == rule
    assert codes_of(need) == ([] if rule == "nothing_found" else items)


@pytest.mark.parametrize("doubted, rule", [(("ID",), "nothing_found"), ((), "named_by_the_nlu")])
def test_the_searchs_winner_the_nlu_read_too_is_doubted_as_the_nlus_reading_is(doubted, rule):
    """「…户口本和身份证都是新名字了，但是养老保险查出来还是以前的名字，咋个弄」: the search's 身份证 is the
    NLU's reading too, and the resolver finds nothing for it."""
    text = "户口本和身份证都是新名字了，养老保险上还是以前的名字，咋个弄"
    catalog = TableCatalog(searches={text: [("ID", 100.0)]}, resolutions={text: FakeResolution(doubted=doubted)})
    need, decided = decide(turn(text, items=["ID"], words=["身份证"]), catalog=catalog)
    assert decided == rule
    assert codes_of(need) == ([] if rule == "nothing_found" else ["ID"])


@pytest.mark.parametrize("elsewhere, rule", [(0.44, "nothing_found"), (0.0, "found_by_search")])
def test_the_searchs_winner_alone_is_doubted_where_the_needs_the_list_lacks_write_the_message(elsewhere, rule):
    """「我是视力二级残疾，残疾人证是有的。…景区免门票…」: the search's 残疾人证新办, read by the NLU in nothing,
    is doubted where the needs the list lacks write the message (SEARCH_DOUBTED_ELSEWHERE); where the
    resolver is only unsure (「失业了能领钱不」), the search's winner stands."""
    text = "残疾证是有的，进景区免门票不"
    resolution = FakeResolution(doubted=("DIS-NEW",), elsewhere=elsewhere)
    catalog = TableCatalog(searches={text: [("DIS-NEW", 100.0)]}, resolutions={text: resolution})
    need, decided = decide(turn(text), catalog=catalog)
    assert decided == rule
    assert codes_of(need) == ([] if rule == "nothing_found" else ["DIS-NEW"])


@pytest.mark.parametrize("probability, items, otherwise, offered", [
    (0.32, ["HK-CANCEL"], (), True),   # the NLU's 户口注销 (销户) far behind what the resolver offers alone
    (0.13, ["HK-CANCEL"], (), False),  # a resolver that finds nothing likely does not overrule the NLU ...
    (0.13, ["HK-CANCEL"], ("HK-CANCEL",), True),  # ... unless the NLU's item does another thing than asked
    (0.32, ["ID"], (), False),         # nor an item's full name said word for word
])
def test_an_item_the_nlu_read_yields_to_one_the_resolver_offers_alone(probability, items, otherwise, offered):
    text = "拖拉机报废了，牌牌要咋个销户，居民身份证办理过了"
    resolution = FakeResolution(["SB-CANCEL"], confirm=True, alone=Scored("SB-CANCEL", probability),
                                alone_instead=True, otherwise=otherwise)
    need, rule = decide(turn(text, items=items, words=["销户"]), catalog=TableCatalog(resolutions={text: resolution}))
    assert rule == "named_by_the_nlu"
    if offered:
        assert need.target is None and codes_of(need) == ["SB-CANCEL"]  # 「您要办理的是不是【…】？」
    else:
        assert need.target is not None and codes_of(need) == items


def test_a_held_item_gives_way_to_what_the_message_asks():
    """held_by_the_citizen: with the held 身份证 left out, the resolver reads the rest of the message."""
    text = "身份证银行卡都在身上，请问失业保险金要去哪里申请"
    rest = "银行卡都在身上，请问失业保险金要去哪里申请"  # what the rules read: the held words taken out
    catalog = TableCatalog(searches={text: [("ID", 100.0)]}, resolutions={rest: FakeResolution(["UNEMP"])})
    need, rule = decide(turn(text, items=["ID"], words=["身份证"]), catalog=catalog)
    assert (rule, codes_of(need)) == ("resolved_over_the_list", ["UNEMP"])


@pytest.mark.parametrize("resolved, expected", [(["ID"], None), (["ID", "UNEMP"], ["UNEMP"])])
def test_the_resolver_never_gives_back_a_held_item(resolved, expected):
    """The rest of the message still sounds like the held item (its other words): it is not the need;
    an option beside it is offered alone, not answered."""
    text = "身份证都拿到了，想问下在外地上班要办个啥子证"
    rest = "都拿到了，想问下在外地上班要办个啥子证"
    catalog = TableCatalog(resolutions={rest: FakeResolution(resolved)})
    t = turn(text, items=["ID"], words=["身份证"])
    assert rules.held_by_the_citizen(catalog, t) == {"ID"}
    need, rule = decide(t, catalog=catalog)
    if expected is None:
        assert need.key is None
    else:
        assert (rule, need.target, codes_of(need)) == ("resolved_over_the_list", None, expected)


@pytest.mark.parametrize("code, held_too", [("SHOP-NEW", True), ("SHOP-CHANGE", False)])
def test_an_item_that_sets_up_what_is_held_is_held(code, held_too):
    """「开了个小卖部，营业执照都办好了」: the licence a 设立登记 gives is at hand, so it is done and the
    rest is the need; a 变更 read by the same words is not (the licence is what it changes)."""
    text = "我开了个小卖部，营业执照都办好了，想问下哪里有批发市场"
    t = turn(text, items=[code, code], words=["开了个小卖部", "营业执照"])
    assert (code in rules.held_by_the_citizen(TableCatalog(), t)) is held_too
    _need, rule = decide(t)
    assert (rule == "named_by_the_nlu") is not held_too


def test_a_message_that_only_says_what_is_held_keeps_it():
    text = "身份证都带起的"
    need, rule = decide(turn(text, items=["ID"], words=["身份证"]))
    assert (rule, codes_of(need)) == ("named_by_the_nlu", ["ID"])


def test_an_item_named_that_does_another_thing_with_no_sibling_is_no_answer():
    """「娃娃的出生证明丢了要咋个补」 names a first-issue item only: nothing named, nothing found."""
    text = "娃娃的出生证明丢了要咋个补"
    catalog = TableCatalog(otherwise={text: {"DIS-NEW": None}})
    need, rule = decide(turn(text, items=["DIS-NEW"], words=["出生证明"]), catalog=catalog)
    assert (need.key, rule) == (None, rules.NOTHING)


# ----------------------------------------------------------------------- the search and the resolver

@pytest.mark.parametrize("text, catalog, memory, learned, rule, expected", [
    # a clear winner
    ("刚生了娃要办啥", TableCatalog(searches={"刚生了娃要办啥": [("SHOP", 100.0), ("OCCUPY", 70.0)]}),
     Memory(), False, "found_by_search", ["SHOP"]),
    # a tie: the few tied
    ("社保卡咋办", TableCatalog(searches={"社保卡咋办": [("SB-APPLY", 80.0), ("SB-LOST", 78.0)]}),
     Memory(), False, "found_by_search", ["SB-APPLY", "SB-LOST"]),
    # ... but not for a message that says another office's service (an off_list.yaml word): nothing
    ("我驾驶证丢了要补办", TableCatalog(searches={"我驾驶证丢了要补办": [("SB-APPLY", 80.0), ("SB-LOST", 78.0)]},
                               resolutions={"我驾驶证丢了要补办": FakeResolution(off_list_word=True)}),
     Memory(), False, rules.NOTHING, []),
    # ... offered likeliest first by the resolver
    ("社保卡的事咋办", TableCatalog(searches={"社保卡的事咋办": [("SB-APPLY", 80.0), ("SB-LOST", 78.0)]},
                              resolutions={"社保卡的事咋办": FakeResolution(considered={
                                  "SB-APPLY": Scored("SB-APPLY", 0.1), "SB-LOST": Scored("SB-LOST", 0.6)})}),
     Memory(), False, "found_by_search", ["SB-LOST", "SB-APPLY"]),
    # ... or the one of them that does the special thing asked
    ("社保卡的事丢了", TableCatalog(searches={"社保卡的事丢了": [("SB-APPLY", 80.0), ("SB-LOST", 78.0)]},
                              resolutions={"社保卡的事丢了": FakeResolution(chosen="SB-LOST")}),
     Memory(), False, "found_by_search", ["SB-LOST"]),
    # ... or the one the resolver answers far ahead of the others, which the message does not name
    # (「医生执业证书丢了咋补」: 医师执业证书遗失补办, not a question with 乡村医生执业证遗失补办)
    ("社保卡的事补一张", TableCatalog(searches={"社保卡的事补一张": [("SB-APPLY", 80.0), ("SB-LOST", 78.0)]},
                               resolutions={"社保卡的事补一张": FakeResolution(chosen="SB-LOST")}),
     Memory(), False, "found_by_search", ["SB-LOST"]),
    # the search's own reading is an input of the resolver: its clear winner is not asked again
    ("社保卡丢了咋办", TableCatalog(searches={"社保卡丢了咋办": [("SB-LOST", 90.0)]},
                              resolutions={"社保卡丢了咋办": FakeResolution(["SB-APPLY", "SB-LOST"], likeliest=0.5)}),
     Memory(), False, "found_by_search", ["SB-LOST"]),
    # the search's ties yield to a far likelier answer of the resolver's
    ("在领失业金，刚生了二胎，听说还有补助", TableCatalog(
        searches={"在领失业金，刚生了二胎，听说还有补助": [("SB-APPLY", 95.0), ("SB-LOST", 95.0)]},
        resolutions={"在领失业金，刚生了二胎，听说还有补助": FakeResolution(["UNEMP"], Scored("UNEMP", 0.9), instead=True)}),
     Memory(), False, "found_by_search", ["UNEMP"]),
    # ... a curator's phrase of the search (one item) only to a clear one: at 0.5 the search's item stays
    ("老人去世了，丧葬费在哪里领", TableCatalog(
        searches={"老人去世了，丧葬费在哪里领": [("ID", 95.0)]},
        resolutions={"老人去世了，丧葬费在哪里领": FakeResolution(["UNEMP"], Scored("UNEMP", 0.5), instead=True)}),
     Memory(), False, "found_by_search", ["ID"]),
    # a 一件事 the search found by a word of the story yields to the resolver's question of likely options
    ("生了个女娃娃，生娃娃那笔钱在哪里申请", TableCatalog(
        searches={"生了个女娃娃，生娃娃那笔钱在哪里申请": [("SHOP", 100.0)]},
        resolutions={"生了个女娃娃，生娃娃那笔钱在哪里申请": FakeResolution(["UNEMP", "ID"], likeliest=0.3, offers=True)}),
     Memory(), False, "found_by_search", ["UNEMP", "ID"]),
    # a 一件事 tied with an item: the item the resolver answers and the message names, no member of it
    ("生二胎了，失业金咋个领", TableCatalog(
        searches={"生二胎了，失业金咋个领": [("SHOP", 95.0), ("UNEMP", 94.0)]},
        resolutions={"生二胎了，失业金咋个领": FakeResolution(["UNEMP"], Scored("UNEMP", 0.95))}),
     Memory(), False, "found_by_search", ["UNEMP"]),
    # ... both, where the item is one of the 一件事's own
    ("生二胎了，失业金咋个领呢", TableCatalog(
        searches={"生二胎了，失业金咋个领呢": [("SHOP", 95.0), ("UNEMP", 94.0)]},
        resolutions={"生二胎了，失业金咋个领呢": FakeResolution(["UNEMP"], Scored("UNEMP", 0.95))},
        bundles={frozenset({"SHOP", "UNEMP"}): "SHOP"}),
     Memory(), False, "found_by_search", ["SHOP", "UNEMP"]),
    # ... or where the message only sounds like the item's citizens (no word of its own said)
    ("生二胎了，那笔钱咋个领", TableCatalog(
        searches={"生二胎了，那笔钱咋个领": [("SHOP", 95.0), ("UNEMP", 94.0)]},
        resolutions={"生二胎了，那笔钱咋个领": FakeResolution(["UNEMP"], Scored("UNEMP", 0.95, said=False))}),
     Memory(), False, "found_by_search", ["SHOP", "UNEMP"]),
    # ... or to the item the resolver answers, far likelier than it
    ("在领失业金，生了个女娃娃，那笔钱在哪里申请", TableCatalog(
        searches={"在领失业金，生了个女娃娃，那笔钱在哪里申请": [("SHOP", 100.0)]},
        resolutions={"在领失业金，生了个女娃娃，那笔钱在哪里申请": FakeResolution(["UNEMP"], Scored("UNEMP", 0.42), instead=True)}),
     Memory(), False, "found_by_search", ["UNEMP"]),
    # ... but not in a message that states its facts
    ("想开个火锅店，门头不搞，税晚点再办", TableCatalog(
        searches={"想开个火锅店，门头不搞，税晚点再办": [("SHOP", 100.0)]},
        resolutions={"想开个火锅店，门头不搞，税晚点再办": FakeResolution(["OCCUPY"], Scored("OCCUPY", 0.63), instead=True)},
        facts={"想开个火锅店，门头不搞，税晚点再办": ["门头不搞"]}),
     Memory(), False, "found_by_search", ["SHOP"]),
    # ... nor to one of its own items
    ("开饭馆要占道摆摊", TableCatalog(
        searches={"开饭馆要占道摆摊": [("SHOP", 100.0)]},
        resolutions={"开饭馆要占道摆摊": FakeResolution(["OCCUPY"], Scored("OCCUPY", 0.63), instead=True)},
        bundles={frozenset({"SHOP", "OCCUPY"}): "SHOP"}),
     Memory(), False, "found_by_search", ["SHOP"]),
    # ... nor when the resolver finds nothing likely
    ("退休了养老金怎么领", TableCatalog(
        searches={"退休了养老金怎么领": [("SHOP", 100.0)]},
        resolutions={"退休了养老金怎么领": FakeResolution(["UNEMP", "ID"], likeliest=0.16, offers=True)}),
     Memory(), False, "found_by_search", ["SHOP"]),
    # a weak best hit with near misses under the bar: not found; the resolver is asked next
    ("我想换个驾驶证", TableCatalog(searches={"我想换个驾驶证": [("OCCUPY", 61.7), ("ID", 57.0)]}),
     Memory(), False, rules.NOTHING, []),
    # the search's clear winner is no answer to a need the resolver reads as one the list lacks
    ("生娃娃的育儿补贴咋个申请", TableCatalog(searches={"生娃娃的育儿补贴咋个申请": [("SHOP", 100.0)]},
                                  resolutions={"生娃娃的育儿补贴咋个申请": FakeResolution(elsewhere_need="育儿补贴")}),
     Memory(), False, rules.NOTHING, []),
    # nothing from the search: the resolver over the whole list
    ("厂里裁员了，失业金咋个领", TableCatalog(resolutions={"厂里裁员了，失业金咋个领": FakeResolution(["UNEMP"])}),
     Memory(), False, "resolved_over_the_list", ["UNEMP"]),
    # ... or, below its bar, its one fairly likely target alone as the one question
    ("档案在不在你们那里", TableCatalog(resolutions={"档案在不在你们那里": FakeResolution(["UNEMP"], confirm=True)}),
     Memory(), False, "resolved_over_the_list", ["UNEMP"]),
    # ... which offers its options as the one question
    ("社保卡的事", TableCatalog(resolutions={"社保卡的事": FakeResolution(["SB-APPLY", "SB-LOST"])}),
     Memory(), False, "resolved_over_the_list", ["SB-APPLY", "SB-LOST"]),
    # a message the NLU reads as no need is read over the list only when the resolver is clear
    ("今天天气怎么样", TableCatalog(resolutions={"今天天气怎么样": FakeResolution(["SB-APPLY", "SB-LOST"])}),
     Memory(), False, rules.NOTHING, []),
    ("今天社保卡丢了", TableCatalog(resolutions={"今天社保卡丢了": FakeResolution(["SB-LOST"], Scored("SB-LOST", 0.9))}),
     Memory(), False, "resolved_over_the_list", ["SB-LOST"]),
    # ... out of scope, at OUT_OF_SCOPE_PROBABILITY (another no-need intent keeps TRIAGE_PROBABILITY)
    ("今天社保卡要挂失", TableCatalog(resolutions={"今天社保卡要挂失": FakeResolution(["SB-LOST"], Scored("SB-LOST", 0.55))}),
     Memory(), False, "resolved_over_the_list", ["SB-LOST"]),
    ("今天社保卡的事", TableCatalog(resolutions={"今天社保卡的事": FakeResolution(["SB-LOST"], Scored("SB-LOST", 0.38))}),
     Memory(), False, rules.NOTHING, []),
    # ... unless the NLU read a reply where nothing was asked: its guess, read over the list as any question
    ("我不是师范专业的，能不能考教资", TableCatalog(resolutions={"我不是师范专业的，能不能考教资": FakeResolution(
        ["UNEMP"], Scored("UNEMP", 0.5))}), Memory(), False, "resolved_over_the_list", ["UNEMP"]),
    ("不是，今天社保卡", TableCatalog(resolutions={"不是，今天社保卡": FakeResolution(["SB-LOST"], Scored("SB-LOST", 0.5))}),
     Memory(), False, rules.NOTHING, []),
    # a place reply that loosely fits several other items answers the open question, not a new choice
    ("户口在悦来镇", TableCatalog(searches={"户口在悦来镇": [("HK-CANCEL", 70.0), ("ID", 68.0)]}),
     asked("SB-APPLY", "SB-LOST"), True, "rest_of_the_question", ["SB-APPLY", "SB-LOST"]),
    # the resolver is not asked while a question is open
    ("厂里裁员了，失业金咋个领", TableCatalog(resolutions={"厂里裁员了，失业金咋个领": FakeResolution(["UNEMP"])}),
     asked("SB-APPLY", "SB-LOST"), False, rules.NOTHING, []),
])
def test_the_search_and_the_resolver(text, catalog, memory, learned, rule, expected):
    intent = "inform" if memory.pending_question else "out_of_scope" if text.startswith("今天") \
        else "deny" if "不是" in text[:3] else "ask_materials"
    need, decided = decide(turn(text, intent=intent, town="T1" if learned else None), memory, catalog, learned)
    assert (decided, codes_of(need)) == (rule, expected)


def test_a_target_offered_alone_is_asked_about_not_answered():
    text = "想查一下我的人事档案到底在不在你们那里"
    catalog = TableCatalog(resolutions={text: FakeResolution(["UNEMP"], confirm=True)})
    need, _ = decide(turn(text, intent="ask_materials"), Memory(), catalog)
    assert (need.target, [t.code for t in need.candidates]) == (None, ["UNEMP"])


@pytest.mark.parametrize("text, need, memory, expected", [
    ("龙台镇场口那边两个车撞了，有人受伤", "交通事故现场", Memory(), "交通事故现场"),  # a place on the way
    ("我在龙台镇", None, Memory(), None),                                               # a place given
    ("都不是", "政务app用不了", asked("SB-APPLY", "SB-LOST"), None),                  # a reply to the question
    ("", "火灾", Memory(), None),
])
def test_a_need_the_list_lacks_is_told_from_a_place_given(text, need, memory, expected):
    catalog = TableCatalog(resolutions={text: FakeResolution(elsewhere_need=need)})
    situation = rules.Situation(turn(text, intent="inform", town="511602108"), memory, catalog, learned=True)
    assert rules.need_elsewhere(situation) == expected


def test_the_rules_are_pure():
    """No rasa_sdk, no database, no network: the module and what it imports load without them."""
    import subprocess
    import sys
    probe = ("import sys, actions.rules; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('rasa_sdk', 'rasa', 'sqlalchemy', 'httpx', 'requests', 'aiohttp')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_the_nlu_small_talk_examples_say_their_intent():
    """Every example the NLU learns small talk from is small talk by ``says_intent`` (its intent's
    words, or as short as small talk is): none of them would be read as a need."""
    root = Path(__file__).resolve().parents[2]
    unsaid = []
    for block in (yaml.safe_load((root / "nlu_data" / "chitchat.yml").read_text(encoding="utf-8")) or {})["nlu"]:
        if block.get("intent") in rules.SMALL_TALK_INTENTS:
            examples = [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            unsaid += [(block["intent"], e) for e in examples if not rules.says_intent(block["intent"], e)]
    assert unsaid == []
    assert not rules.says_intent("goodbye", "店子关了，烟草证要交回去")


def test_the_nlu_request_human_examples_say_their_intent():
    """Every example the NLU learns a request for a person from asks for one by ``says_intent``; a
    longer message that asks none (「开人才中介的公司不想做了，停止经营要跟审批局说一声不？」) is the
    NLU's guess, and the resolver's answer stands."""
    root = Path(__file__).resolve().parents[2]
    unsaid = []
    for block in (yaml.safe_load((root / "nlu_data" / "handoff.yml").read_text(encoding="utf-8")) or {})["nlu"]:
        if block.get("intent") == "request_human":
            examples = [line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            unsaid += [e for e in examples if not rules.says_intent("request_human", e)]
    assert unsaid == []
    assert not rules.says_intent("request_human", "开人才中介的公司不想做了，停止经营要跟审批局说一声不？")
