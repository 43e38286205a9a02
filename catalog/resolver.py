"""The general resolver: one ranking of the county's whole list for a citizen's words.

Every target (item or 一件事) is described by data only: its name, its aliases, the item model's
parts of its name (objects, actions, qualifiers, audience: ``catalog.item_model``), the citizens'
words that name it (``catalog/data/words/colloquial.yaml``, the search lexicon's ``names``) and
the citizens' sentences that ask for it (``catalog/data/words/phrasings/``). A message is read
once, left to right, by longest-match scanners (the objects it names, the actions it wants, its
qualifiers, who asks; citizens' synonyms put the way names say them) and as character bigrams;
each target then gets the parts of its score (FEATURES):

- **object** — the message names what the target is about (an object of its name, an alias, or a
  citizen's word for it); the leading object of a name counts more than a later one, and a longer
  span more than a shorter one (「困难残疾人生活补贴」 over 「生活补贴」);
- **action** — what the message asks done agrees with what the name does (「丢了」 → 补领), or, when
  the message asks nothing in particular, the name does the ordinary thing (申领, 新办, 登记…), not
  a special one (注销, 变更, 补领…); an action word is only a circumstance of a target whose object the
  message names and whose citizens' sentences are sure of it (naive Bayes at ``BAYES_SURE``);
- **words** — TF-IDF cosine of character bigrams between the message and the target's names;
- **phrased** — the best (and second best) such cosine with the target's citizens' sentences, and
  the same where nothing else of the target is said (``phrased_only``);
- **who** — for-whom qualifiers of the name the message says (退役军人) or does not say, a
  circumstance of the name it never says (「领取失业保险金期间…」), and whether a business item is
  asked for by a citizen;
- **search** — the catalog search's score of the target (``catalog.search``), which carries the
  authored aliases and the phrase lexicon of the core items;
- **nlu** — the NLU read the target's name in the message (its ``item`` entities);
- **bayes**, **lift** — a multinomial naive Bayes over characters and bigrams of every text that names
  or asks for each target (``_NaiveBayes``): the posterior of the target, and how much better than
  the bank at large its words write the message's bigrams. Beside the words, the posterior weighs
  how often the target's citizens ask what the message asks done (the ordinary thing or a special
  one) and the words nearly all of them say that the message leaves unsaid (``_also_likelihood``).
  The bank's sentences are read as messages are (``as_asked``: what the citizen holds left out).

The score is the parts weighted by ``catalog/data/words/resolver_weights.yaml``, fitted by
``python -m catalog.resolver_fit``; a target's probability is the softmax of the scores beside the
fitted score of "nothing on the list". Before the decision, probabilities move between targets that
are one service or twins: a 咨询 item to the item that does it, a list item to the authored item or the
list's own 「…“一件事”」 that stands for it, a target doing another thing than asked to its sibling that
does it, and the first target to its twin for the one the message says it is for or the way it says
a transfer goes (``_said_of_a_twin``). ``Resolution.decision``: ``answer`` (the first target likely
and far likelier than the second, or one the naive Bayes alone is sure of: ``BAYES_SURE``), ``ask`` (two
to four likely targets), ``confirm`` (one fairly likely target, offered alone), or ``handoff``. A target
whose name does another thing than the message asks is neither; a message that says a word of
``off_list.yaml`` (a service the list lacks) is handed off. The thresholds are constants below,
calibrated on tests/longtail/tune.yaml and the dialogues only.

Pure: no database and no I/O; ``catalog.queries.resolve`` builds the index from a session.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence

import yaml
from rapidfuzz import fuzz

from catalog.held import CLAUSE_BREAK, clauses_of, says_held, without_clauses, without_held_clauses
from catalog.homophones import Homophones
from catalog.item_model import ItemParts, parse_name
from catalog.text import han_characters, normalise
from catalog.words import (
    AskedVerbs,
    ColloquialEntry,
    Scanner,
    Words,
    load_aspects,
    load_kinds,
    load_negated,
    load_not_this,
    safe_load,
)

# The score of a target is a weighted sum of its parts (FEATURES); the weights are data
# (catalog/data/words/resolver_weights.yaml), fitted by ``python -m catalog.resolver_fit`` on the
# phrasing bank: each citizen's sentence read as a message, without itself, should rank its own item
# first, and with its item taken off the list, nothing. Probabilities are the softmax of the scores
# beside the fitted score of "nothing on the list".
FEATURES = ("object", "words", "phrased", "phrased_others", "search", "action_agrees", "action_differs",
            "ordinary_action", "special_action", "qualifier_said", "qualifier_unsaid", "audience_mismatch",
            "circumstance_unsaid", "named", "nlu", "phrased_only", "bayes", "lift")
WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "words" / "resolver_weights.yaml"
SAME_SERVICE_FILE = WEIGHTS_FILE.with_name("same_service.yaml")
OFF_LIST_FILE = WEIGHTS_FILE.with_name("off_list.yaml")
OFF_LIST_NEEDS_FILE = WEIGHTS_FILE.with_name("off_list_needs.yaml")
LEADING_OBJECT = 1.0
LATER_OBJECT = 0.6
SPAN_BONUS = 0.04           # per character of the object span the message says
PHRASED_NAMES = 0.5         # a citizen's sentence this close names the target
COMMON_BIGRAM = 0.03        # bigrams in more of the sentences than this are left out

# Decision thresholds on the probabilities (calibrated on tests/longtail/tune.yaml only, never on the
# held-out half).
ANSWER_PROBABILITY = 0.35   # the first target this likely ...
ANSWER_LEAD = 4.0           # ... and this many times likelier than the second is the answer
OPTION_PROBABILITY = 0.08   # a target this likely, and within ANSWER_LEAD of the first, is an option
SIBLING_EVIDENCE = 0.01     # a target this likely that does another thing gives its probability to a sibling that does it
SAME_OBJECT = 4             # characters of a leading object that another, starting with it, names the same thing
SAID_AND_ASKED_PROBABILITY = 0.15  # ... or this likely, when the message says its own words and the special thing its name does
SAID_ALONE_LEAD = 2.0       # ... and this many times likelier than the second, when no close target's words are said
OVERRIDE_PROBABILITY = 0.6   # an answer this likely replaces what another reading settled on
# (「在成都交的社保想转回广安」 names 社保, the 养老 and the 医保 transfer alike, and its bank sentences make
# the 养老 one about 0.90 likely: a bar at 0.90 turned on the third decimal with each word added.)
SURE_AMONG = 0.92           # the answer this likely is chosen among a search's ties (``chosen_among``) ...
SURE_AMONG_LEAD = 20.0      # ... when each of the others is this many times less likely
OTHERWISE_PROBABILITY = 0.3  # ... or this likely, where that reading does another thing than asked
# Below the answer's bar, with no second option: a first target this likely is offered alone
# (「您要办理的是不是【…】？」), unless the needs the list lacks write the message with CONFIRM_ELSEWHERE
# of the posterior; a citizen can say 「是」 or 「不是」, where a handoff would give nothing.
CONFIRM_PROBABILITY = 0.12
CONFIRM_ELSEWHERE = 0.3
# Two readings of "not on this list" together: the needs the list lacks write the message with
# CONFIRM_ELSEWHERE and the ranking leaves at least this much of its posterior to no target at all. The
# message is handed off, whatever it names on the way (「屋头吃低保吃了三年了，听别个说低保户每个月有
# 十几度免费电…这个要去哪里申请」: 最低生活保障 is who asks, the free power another office's), unless it
# says an item answered outright and asks what its name does (「我买的二手房要过户」).
NOTHING_ELSEWHERE = 0.45


def says_off_the_list_twice(elsewhere: float, nothing: float) -> bool:
    """Both readings of "not on this list" (CONFIRM_ELSEWHERE, NOTHING_ELSEWHERE)."""
    return elsewhere >= CONFIRM_ELSEWHERE and nothing >= NOTHING_ELSEWHERE


# A first target whose name does another thing than the message seems to ask, yet as likely as an
# answer and as far ahead: offered alone rather than handed off, since the ask is often read from a
# word of the circumstances (「调解员…调解案子的补贴好久发」 reads 调解 as the action; 「领失业金那张
# 银行卡丢了」 reads 补领). Never answered: 「出生证明丢了」 is no 《出生医学证明》首次签发.
DIFFERS_CONFIRM_PROBABILITY = ANSWER_PROBABILITY
# A message this short (places taken out) offers a target alone only when it says the target's words
# or what its name does: 「我想分户」 is too little to offer 土地使用权分割转让批准 on a likeness of words.
CONFIRM_SHORT = 10
MAX_OPTIONS = 4
HELD_REST = 6               # characters of a message's rest beside what is held that ask another thing
PUT_IN_WORD = 2             # a one-character insertion into a twin's name is read with this many characters after it
TWIN_POOL = 5                # the first target's twins for someone else are looked for this far down
POOL = 30                   # targets most alike in bigrams that are scored in full
MAX_QUERY_BIGRAMS = 64      # of a longer message, the weightiest bigrams compared (every 60-character one in full)
SIGNATURE_SHARE = 0.5       # a bigram this share of a document's sentences hold is its citizens' word ...
SIGNATURE_COMMON = 0.02     # ... unless this share of all documents hold it (「要带」「咋个」)
SIGNATURE_SENTENCES = 4     # with fewer sentences a document has none
MIN_OBJECT = 3              # a shorter object of a name (公司, 医院, 离婚) is too common a word to name it
PARTIAL_OBJECT = 0.8
SHORT_OBJECT = 4            # an object this short is said exactly or not at all (分公司 ≠ 公司)
ALIAS_OBJECT = 0.7
ALIKE_NAME = 6              # names this long or longer, one character apart, are one service's (``_NamesAlike``)
SIMILAR_NAMES = 0.35        # bigram cosine at which the message names a target without an object word
# What follows a not_this word, split into the things it says the need is not (「不是塔吊、施工升降机」),
# each without its trailing particles (「不是文旅类的」 is 文旅类); a shorter part names nothing.
_NEGATED_PARTS = re.compile(r"[、/和或及与跟]|还有|也")
_NEGATED_TAIL = re.compile(r"(那种|那个|这种|这个|那类|的|哦|哈|嘛|啊|呀|噢|哟|了|都|全|我们|他们|我|他|她|又|也|还|倒)+$")
# Words that point at a thing within what is negated (「农村那个奖励扶助金」): the pieces around them name it
_POINTING = re.compile(r"那个|这个|那种|这种|那类|那些|这些")
MIN_REFUSED = 2
# 「不是社保卡是医保卡」: what follows a 是 says what it is instead; 「不是房子也不是拖拉机」 goes on saying what it is not.
RECEIVING = ("领取", "在领", "领")   # a lacked part opening so says the asker receives none of it ...
_WHILE_RECEIVING = re.compile(r"领取.+期间")  # ... and a name saying this is for those who do
_INSTEAD = re.compile(r"而是|(?<!不)是")

# The naive Bayes reading of the whole bank (``_NaiveBayes``): additive smoothing of the counts, and
# how many of its likeliest targets join the candidates.
BAYES_SMOOTHING = 0.1
BAYES_POOL = 10
BAYES_COMMON = 0.05         # characters in more of the targets' documents than this say nothing (我, 的, 办)
BAYES_MAX_GRAMS = 120       # of a longer message, the distinct grams read (every 60-character message in full)
BAYES_FLOOR = 1e-4          # a posterior under this is 0 (the target's words are not the message's)
BAYES_SURE = 0.95           # a posterior this high, for the ranking's first target, answers it
BAYES_CERTAIN = 0.995       # ... and this high makes an action word the message asks only a circumstance of it
# A message of fewer (idf-weighted) grams than about ten characters hold is read as no surer than one of
# them: a short message's few grams make any posterior sharp (「失业金」 is said by every 失业 item's citizens).
BAYES_MIN_SIZE = 30.0
BAYES_SHARPNESS = 8.0       # the posterior of the per-gram log-likelihood (a long message is no surer for its length)
LIFT_PRIOR = 3              # bigrams of no lift each message is read as having besides its own (one bigram says little)
LIFT_CAP = 2.0             # a lift counts up to this far either way
# The needs the list lacks (``off_list_needs.yaml``) are documents of the naive Bayes too: a message
# they write with at least this share of the posterior is about something the list does not have.
ELSEWHERE_PROBABILITY = 0.5
# A message this short names one of those needs only with a naive Bayes lift this high.
ELSEWHERE_SHORT = 10
ELSEWHERE_LIFT = 1.5

# An action word right before one of these names a document or a record, not an action asked
# (「检疫证」「登记证」; 「工商登记资料」「个税缴纳记录」「备案信息」).
CERTIFICATE_WORDS = ("证", "合格证", "资料", "记录", "档案", "信息")
NOT_THIS_REST = 4  # Chinese characters left once what the need is not is taken out (``_says_something``)
# 「燃气的证」「狗的证」 say 燃气证, 狗证 as names are compared: the 的 between what a licence is for and
# the licence is dropped (not after a person: 「我的证」), and so is a 那个 before the licence's own word
# (「建设工程那个规划证」 is 建设工程规划证).
_CERTIFICATE_OF = re.compile(r"(?<=[\u4e00-\u9fff])(?<![我你他她它们])(?:的(?=(?:证|许可证|执照|牌照))"
                             r"|的?(?:那个|这个)(?=[\u4e00-\u9fff]{0,3}(?:证|许可证|执照|牌照)))")
# How citizens shorten a name's certificate: 「捕捞证」 for 渔业捕捞许可, 「采伐证」 for 林木采伐许可证,
# 「检疫证」 for 动物产品检疫合格证. The tails a name's certificate ends with, longest first; the short
# form is the two characters before the tail, or all of them (up to SHORT_CORE), and 「证」.
CERTIFICATE_TAILS = ("许可证", "合格证", "资格证书", "许可", "证书")
SHORT_CORE = 6
TRADING_TAILS = ("生产经营", "经营")  # …经营许可 is a licence to trade in what comes before
OPERATOR_TAILS = ("经营单位", "经营活动", "经营")  # who or what trades at an object: 网吧 and its 经营单位
TRADE_NAMES = 4              # a trade this long names its licence alone (劳务派遣, not 燃气)
SHORT_FORM = 0.7            # a short form names its item less surely than the name's own object
FAMILY_TAIL = 4             # the shortest tail of a family of objects said for them (「道路运输证」, ``family_tails``)
FAMILY_SIZE = 4             # ... shared by at most this many objects (经营许可证, every trade's, names none)
PLAIN_TAILS = ("服务",)      # what an official object ends with that citizens leave out (``plain_forms``)
FAMILY_DOCUMENTS = ("证", "证书", "执照", "补贴", "补助", "补助金", "津贴")  # ... ending with one of these
NOT = "不"                    # right before a special action word, says it is not asked (「不延续，直接注销」)
INFORMS = "咨询"               # the stem of items that only inform (…政策咨询)
COMPLAINS = "投诉"             # the stem of complaints and reports: asked, never a circumstance of a need
# A list's 「…“一件事”」 that wraps one of its items (``wrapped_items``): the marker, the characters the
# 一件事's name may add to the item's (「…提取公积金“一件事”」 for 「…提取」, 「个人公积金贷款结清“一件事”」 for
# 「贷款结清」), and the shortest item name read.
ONE_THING = "一件事"
_ONE_THING_MARKER = re.compile(r"[“”\"'「」]?一件事[“”\"'「」]?")
WRAPPER_EXTRA = 5
WRAPPED_MIN = 4
# The ordinary thing asked of an item, said several ways; 报装 is a utility's (供电报装: 「咋个申请通电」).
ORDINARY_STEMS = frozenset({"新办", "申领", "申请", "登记", "核发", "办理", "认定", "审批", "申报", "报装"})
GENERIC_STEMS = frozenset({"办理", "申请"})
# For-whom qualifiers so general that not saying them says nothing (every citizen is 个人).
UNMARKED_QUALIFIERS = frozenset({"个人", "职工", "包括临时"})


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    kind: str                       # item | bundle
    names: tuple[str, ...]          # name and aliases, normalised
    parts: Optional[ItemParts] = None
    has_guide: bool = False


@dataclass(frozen=True)
class Scored:
    code: str
    name: str
    kind: str
    score: float
    named: bool                     # the message names what it is about (an object, alias or word)
    action_agrees: bool = False
    action_differs: bool = False    # the message asks one thing done, the name says another
    about: Optional[str] = None     # the leading object of its name (社会保障卡 for 社会保障卡注销)
    probability: float = 0.0        # how likely the message is about this target (softmax of the scores)
    said: bool = False              # the message says its own words (an object, alias, citizen's word
    #                                 or words alike its names), not only sentences like its citizens'
    special: bool = False           # the name does a special thing (补领, 注销…) the message does not ask
    object_said: bool = False       # the message says its object (or an alias or citizen's word for it)


@dataclass(frozen=True)
class Resolution:
    decision: str                   # answer | ask | confirm | handoff
    ranked: tuple[Scored, ...]
    wanted: frozenset[str] = frozenset()
    considered: Mapping[str, Scored] = field(default_factory=dict)  # the considered codes, scored
    nothing: float = 1.0            # how likely the need is on no list: nothing here fits
    elsewhere: float = 0.0          # how surely the bank's needs the list lacks write the message
    elsewhere_need: Optional[str] = None  # the likeliest of those needs (``off_list_needs.yaml``)
    off_list_word: bool = False     # the message says an off_list.yaml word: another office's service
    alone: Optional[Scored] = None  # the target offered alone (decision ``confirm``)
    gathered: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # a target → the codes read as it
    marked_apart: tuple[str, ...] = ()  # the question's other options, which the answer's marks set apart
    length: int = 0                     # the message's characters, as the resolver read it
    refused: frozenset[str] = frozenset()  # codes the message says its need is not (``ResolverIndex.refused_in``…)
    asking_words: int = 0                  # distinct action words that ask something (one word may read two stems)

    def outranks(self, codes: Iterable[str], bar: float = OVERRIDE_PROBABILITY) -> bool:
        """The answer is at least ``bar`` likely and none of ``codes``, each of them (scored
        through ``consider``) at least ANSWER_LEAD times less likely or doing another thing than asked:
        what another reading settled on is only a word of the message (「身份证都在身上，失业保险金去哪申请」).
        Or each of ``codes`` does another thing than asked, and the resolver's likeliest target, which
        does it, is its answer or at least OTHERWISE_PROBABILITY likely."""
        codes = list(codes)
        if codes and self.marked_apart and all(code in self.marked_apart for code in codes):
            # The message says who the answer is for, or who handles it, and nothing of the kind of
            # theirs (「开公司要办营业执照」: 公司设立登记, not 个体工商户设立登记).
            return True
        fitting = self.fitting
        if codes and fitting and (self.answer is not None or fitting[0].probability >= OTHERWISE_PROBABILITY) and all(
                code != fitting[0].code and self.does_otherwise(code) for code in codes):
            # Each reading does another thing than the message asks (「残疾证咋个转过来」 read as
            # 残疾人证新办): the resolver's own reading, which does it, is enough.
            return True
        top = self.answer
        if top is None:
            return False
        return top.probability >= bar and all(
            code != top.code and self._far_behind(code, top.probability) for code in codes)

    def chosen_among(self, codes: Sequence[str]) -> Optional[str]:
        """The answer, when it is one of ``codes`` (scored through ``consider``) and the only one of them
        whose own words the message says, where those are a narrower thing than each other's
        (「手机上的电子社保卡怎么领」: 电子社会保障卡签发, not 社会保障卡申领), or that does the special
        thing the message asks (「教师资格证弄丢了」: 补发, not 教师资格认定; an ordinary ask, 办理 or
        申请, chooses nothing by its action), or whose object the message says while it names none of the
        others, far behind it as a reading replaced is (``outranks``): 「医生执业证书丢了咋补」 is
        医师执业证书遗失补办, though a search ties 乡村医生执业证遗失补办 with it; or that the resolver is
        all but sure of (SURE_AMONG, each other SURE_AMONG_LEAD times less likely) in a message of more
        than CONFIRM_SHORT characters. Otherwise, where the message names
        another of them too (「结婚证的事」: 补领结婚证 or 结婚登记预约), or only words alike the answer's
        names (「在成都交的社保想转回广安」: a worker's 社保 is 养老 and 医保 alike), each stays an option."""
        top = self.answer
        if top is None or top.code not in codes:
            return None
        other_codes = [code for code in codes if code != top.code]
        others = [s for s in (self.considered.get(code) for code in other_codes) if s is not None]
        if top.said and top.about and not any(s.said or not s.about or s.about not in top.about for s in others):
            return top.code
        if _asks_special(self.wanted) and top.action_agrees and not any(s.action_agrees for s in others):
            return top.code
        if self.length > CONFIRM_SHORT and top.probability >= SURE_AMONG and all(
                s.probability * SURE_AMONG_LEAD <= top.probability for s in others):
            # All but sure of a message longer than a few words, each of the others far behind:
            # 「社保卡密码想换一个，原来的密码我记得」 is 社会保障卡密码修改, though the search ties
            # 社会保障卡密码重置 with it (「结婚证的事」 is too short to be sure of).
            return top.code
        return top.code if top.object_said and not any(s.named for s in others) and self.outranks(other_codes) else None

    def rivalled(self, code: str, lead: float) -> bool:
        """Another option of the question, about another object than ``code`` (one of the options,
        scored through ``consider``) and doing what the message asks, is at least 1/``lead`` as likely
        as it: ``code`` is not clearly the likelier reading. No rival is a sibling doing another thing
        to the same object (「办社保卡」: 社会保障卡补领 beside 社会保障卡申领), nor an item doing a
        special thing the message does not ask (「营业执照怎么办」: 证照遗失补领、换发申请)."""
        mine = self.considered.get(code)
        if self.decision != "ask" or mine is None or not mine.about:
            return False
        options = set(self.codes)
        return any(s.code in options and s.code != code and s.about and s.about != mine.about and not s.special
                   and s.probability * lead > mine.probability for s in self.ranked)

    def doing_each(self) -> list[str]:
        """The codes of the likeliest target and of those about the same object whose names do, each,
        one of the several things the message asks (「社保卡申领或者补换」: 社会保障卡申领 and
        社会保障卡补领、换领、换发), likeliest first; empty unless there are two or more of them, asked by
        two words or more (「社保卡密码还是初始的，咋改」: 改 reads 变更 and 更正, one thing asked)."""
        fitting = self.fitting
        if len(self.wanted) < 2 or self.asking_words < 2 or not fitting or not fitting[0].about:
            return []
        about = fitting[0].about
        doing = [s.code for s in fitting if s.about == about and s.said and s.action_agrees]
        return doing[:MAX_OPTIONS] if len(doing) > 1 else []

    def probability_of(self, code: str) -> float:
        """How likely the message is about ``code``, one of the codes given to ``consider`` (0 for another)."""
        scored = self.considered.get(code)
        return scored.probability if scored is not None else 0.0

    def about_another_object(self, code: str) -> bool:
        """The likeliest target is about another leading object than ``code`` (one of the codes given to
        ``consider``): not a sibling of it that does another thing to the same object (公司设立登记
        beside 个体工商户设立登记, not 社会保障卡补领 beside 社会保障卡申领)."""
        scored = self.considered.get(code)
        return bool(self.ranked) and scored is not None and bool(self.ranked[0].about) and bool(scored.about) \
            and self.ranked[0].about != scored.about

    def does_otherwise(self, code: str) -> bool:
        """Another reading's target (scored through ``consider``) whose name does another thing than
        the message asks (「成都的社保卡能迁到广安用不」 read as 社会保障卡申领)."""
        scored = self.considered.get(code)
        return scored is not None and scored.action_differs

    def offers_instead(self, codes: Iterable[str]) -> bool:
        """The resolver asks between targets that are none of ``codes``, each of them unlikely and far
        behind the options (ANSWER_LEAD times less likely than the first, and under OPTION_PROBABILITY),
        or doing another thing than asked: a question among what the message may mean is better than
        another reading's guide that it does not mean."""
        if self.decision != "ask":
            return False
        options = set(self.codes)
        # Far behind the options themselves, not only unlikely: a reading nearly as likely as a flat
        # question's options (「营业执照地址变了要改」 read as 个体工商户变更登记, 0.08 beside 0.10) stays.
        bar = min(OPTION_PROBABILITY * ANSWER_LEAD, self.likeliest)
        return all(code not in options and self._far_behind(code, bar) for code in codes)

    def answers_instead(self, codes: Iterable[str]) -> bool:
        """The resolver answers a target that is none of ``codes``, each of them ANSWER_LEAD times less
        likely than the answer or doing another thing than asked."""
        top = self.answer
        return top is not None and all(code != top.code and self._far_behind(code, top.probability) for code in codes)

    def offers_alone_instead(self, codes: Iterable[str]) -> bool:
        """The resolver offers a target alone (``confirm``) that is none of ``codes``, each of them
        ANSWER_LEAD times less likely than it or doing another thing than asked: 「是不是【拖拉机/联合收割机
        注销登记】？」 is better than another reading's guide (户口注销 for 「…拖拉机报废了…牌牌和行驶证
        要咋个销户」) that the message does not mean."""
        if self.decision != "confirm" or self.alone is None:
            return False
        return all(code != self.alone.code and self._far_behind(code, self.alone.probability) for code in codes)

    def doubts(self, code: str) -> bool:
        """Another reading's target (scored through ``consider``), found nothing for: the message is
        handed off and the target is under CONFIRM_PROBABILITY, too unlikely even to be offered alone;
        or the message says its need is not that target: it already holds it (「优待证上个月都拿到手了，
        现在想办张坐公交的老年卡」), names it after 不是, or asks another kind (「批发许可证」 for a 零售 one)."""
        return self.refuses(code) or (self.decision == "handoff" and self.probability_of(code) < CONFIRM_PROBABILITY)

    @property
    def off_the_list_twice(self) -> bool:
        """The needs the list lacks write the message and the ranking leaves much to no target
        (``says_off_the_list_twice``)."""
        return says_off_the_list_twice(self.elsewhere, self.nothing)

    def refuses(self, code: str) -> bool:
        """The message says its need is not ``code``'s target (``ResolverIndex.refused_in``…)."""
        return code in self.refused

    def _far_behind(self, code: str, probability: float) -> bool:
        other = self.considered.get(code)
        return other is None or other.action_differs or other.probability * ANSWER_LEAD <= probability

    @property
    def fitting(self) -> list[Scored]:
        """The ranked targets that could be the answer: none whose name does another thing than asked."""
        return _fitting(self.ranked)

    @property
    def likeliest(self) -> float:
        """The probability of the first target that could be the answer (0 when none could)."""
        fitting = self.fitting
        return fitting[0].probability if fitting else 0.0

    @property
    def answer(self) -> Optional[Scored]:
        """The target answered, when the decision is to answer."""
        return self.fitting[0] if self.decision == "answer" else None

    @property
    def named(self) -> bool:
        """The message names (by an object, alias, citizen's word or close sentence) the answer or
        one of the question's options."""
        wanted = set(self.codes)
        return any(s.named for s in self.fitting if s.code in wanted)

    @property
    def codes(self) -> list[str]:
        """The answer's or the confirmed target's one code, or the question's options; empty for a handoff."""
        if self.decision == "confirm" and self.alone is not None:
            return [self.alone.code]
        if self.decision in ("answer", "confirm"):
            return [self.fitting[0].code]
        if self.decision == "ask":
            return [s.code for s in _options(self.fitting, self.wanted, self.ranked)]
        return []


@dataclass(frozen=True)
class Weights:
    """The weight of each of the score's parts, and the score of "nothing on the list"."""

    parts: Mapping[str, float]
    nothing: float = 0.0

    def score(self, features: Mapping[str, float]) -> float:
        return sum(self.parts.get(name, 0.0) * value for name, value in features.items())

    def probabilities(self, scores: Sequence[float]) -> list[float]:
        """Softmax of ``scores`` beside the score of nothing (which takes the rest)."""
        top = max([self.nothing, *scores])
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps) + math.exp(self.nothing - top)
        return [e / total for e in exps]


@lru_cache(maxsize=4)
def load_weights(path: str | Path = WEIGHTS_FILE) -> Weights:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    parts = {str(k): float(v) for k, v in (data.get("weights") or {}).items()}
    unknown = set(parts) - set(FEATURES)
    if unknown:
        raise ValueError(f"{Path(path).name}: unknown parts {sorted(unknown)} (known: {', '.join(FEATURES)})")
    return Weights(parts, float(data.get("nothing", 0.0)))


def certificate_short_forms(obj: str) -> tuple[str, ...]:
    """「捕捞证」 and 「渔业捕捞证」 for 渔业捕捞许可; none for an object without a certificate tail, or
    whose short form is the object itself (犬类准养证). A licence to trade (…经营许可) is named by its
    trade: 「燃气证」 and 「燃气许可证」 for 燃气经营许可证, 「劳务派遣」 and 「劳务派遣证」 for 劳务派遣经营许可证, never the
    「经营证」 every trade's licence shares."""
    for tail in CERTIFICATE_TAILS:
        if obj.endswith(tail) and len(obj) > len(tail) + 1:
            core = obj[: -len(tail)]
            trade = next((core[: -len(t)] for t in TRADING_TAILS if core.endswith(t) and len(core) - len(t) >= 2), None)
            if trade is not None:
                forms = {trade + "证", trade + "许可证"} | ({trade} if len(trade) >= TRADE_NAMES else set())
            else:
                forms = {core[-2:] + "证"} | ({core + "证"} if len(core) <= SHORT_CORE else set())
            return tuple(sorted(form for form in forms if form != obj))
    return ()


def plain_forms(obj: str) -> tuple[str, ...]:
    """The object as citizens say it, without a tail of the official wording they leave out
    (PLAIN_TAILS): 「政审」 for 政审服务; none where nothing is left out or fewer than two characters are left."""
    for tail in PLAIN_TAILS:
        if obj.endswith(tail) and len(obj) - len(tail) >= 2:
            return (obj[: -len(tail)],)
    return ()


def family_tails(by_object: Mapping[str, Sequence[tuple[int, float]]]) -> dict[str, list[tuple[int, float]]]:
    """The document or benefit name a family of objects ends with, said for any of them: 「道路运输证」 for
    客运车辆道路运输证, 货物运输车辆道路运输证, 巡游出租汽车道路运输证…; 「卫生许可证」 for 公共场所卫生许可证
    and 饮用水供水单位卫生许可证; 「培训补贴」 for 就业技能培训补贴, 创业培训补贴 and 职业培训补贴. The longest
    tail of FAMILY_TAIL characters or more, ending with a certificate or benefit word, that two to
    FAMILY_SIZE objects of names share (经营许可证, shared by every trade's licence, names none), reaching
    the names of those objects; the message's other words choose among them."""
    holders: dict[str, set[str]] = defaultdict(set)
    for obj in by_object:
        if obj.endswith(FAMILY_DOCUMENTS):
            for size in range(FAMILY_TAIL, len(obj) - 1):
                holders[obj[-size:]].add(obj)
    tails: dict[str, list[tuple[int, float]]] = {}
    for tail, objects in holders.items():
        if not 2 <= len(objects) <= FAMILY_SIZE or any(
                holders.get(longer) == objects for longer in (obj[-len(tail) - 1:] for obj in objects)):
            continue  # too common, or a longer tail names the same family
        tails[tail] = [reached for obj in sorted(objects) for reached in by_object[obj]]
    return tails


def _says_something(text: str) -> bool:
    """At least NOT_THIS_REST Chinese characters: what is left once a clause saying what the need is
    not is taken out still says a need (「不是社保卡是医保卡」 is one clause: nothing would be left)."""
    return han_characters(text) >= NOT_THIS_REST


@lru_cache(maxsize=4)
def load_same_service(path: str | Path = SAME_SERVICE_FILE) -> tuple[tuple[str, str, str], ...]:
    """(list item's name, authored item's name, example) of every authored item that stands for an
    item of the list (``same_service.yaml``)."""
    return tuple((str(row["list"]), str(row["authored"]), str(row["example"]))
                 for row in _entries(path, ("authored", "list", "example")))


def _entries(path: str | Path, required: Sequence[str]) -> list[dict]:
    """The entries of a words file, each with every ``required`` key (else which entry lacks which)."""
    with open(path, encoding="utf-8") as handle:
        return _checked(yaml.safe_load(handle) or [], path, required)


def _checked(rows: list, path: str | Path, required: Sequence[str]) -> list[dict]:
    for number, row in enumerate(rows, start=1):
        missing = [key for key in required if not (row or {}).get(key)]
        if missing:
            raise ValueError(f"{Path(path).name}: entry {number}: missing {', '.join(missing)}")
    return rows


@dataclass(frozen=True)
class OffList:
    """A word that, said without any of ``unless``, means a service the list does not have (``off_list.yaml``);
    an ``unless`` word with one of ``not_so`` just before it is said not to be so (「不是跑营运的」)."""

    word: str
    unless: tuple[str, ...]
    means: str
    example: str
    not_so: tuple[str, ...] = ()

    def said_in(self, text: str) -> bool:
        """Said as a need: not only as done before (「去年刚年报过」), nor with an ``unless`` word."""
        return _said_not_done(text, self.word) and not any(_affirmed(text, word, self.not_so) for word in self.unless)


DONE_ENDS = ("过", "过了", "过的")  # a clause ending so says it was done (「年报过了」)
# A word of these (already, or a time gone by) before an action word of the names in its clause, with one
# of DONE_AFTER right after the action word, says that action is done (「已经结算了」「去年…注销了」).
ALREADY = ("已经", "早就", "早都", "去年", "前年", "以前", "上个月", "上回", "当时", "早几年", "前几年")
DONE_AFTER = ("了", "过")


def _said_not_done(text: str, word: str) -> bool:
    """``word`` occurs in ``text`` other than in a clause that ends saying it was done (``DONE_ENDS``:
    「去年刚年报过」「今年的年报已经报过了」, not 「驾驶证过期了」)."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        following = CLAUSE_BREAK.search(text, end)
        if not text[end:following.start() if following else len(text)].rstrip().endswith(DONE_ENDS):
            return True
        start = text.find(word, end)
    return False


NEGATION_SPAN = 4  # characters before a word that a 不是 says it is not (「不是跑营运的」)


def _affirmed(text: str, word: str, not_so: Sequence[str]) -> bool:
    """``word`` occurs in ``text`` somewhere not said to be not so just before (「私家车不是跑营运的」
    says no 营运); 「不开收割机了」 still says what it is about."""
    start = text.find(word)
    while start >= 0:
        before = text[max(0, start - NEGATION_SPAN):start]
        if not any(negation in before for negation in not_so):
            return True
        start = text.find(word, start + 1)
    return False


def _regional_file(path: str | Path, entries: str, required: Sequence[str]) -> tuple[str, dict, list[dict]]:
    """(the region the words file was checked against, its whole content, its checked ``entries``)."""
    with open(path, encoding="utf-8") as handle:
        data = safe_load(handle) or {}
    if not isinstance(data, dict) or "region" not in data:
        raise ValueError(f"{Path(path).name}: needs 'region' (the list it was checked against) and '{entries}'")
    return str(data["region"]), data, _checked(data.get(entries) or [], path, required)


@lru_cache(maxsize=4)
def _off_list_needs_file(path: str | Path) -> tuple[str, tuple[dict, ...]]:
    """(the region it was checked against, the checked needs) of ``off_list_needs.yaml``, read once."""
    region, _data, rows = _regional_file(path, "needs", ("need", "say"))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row["say"], list):
            raise ValueError(f"{Path(path).name}: entry {number}: 'say' must be a list of sentences")
    return region, tuple(rows)


@lru_cache(maxsize=4)
def load_off_list_needs(region: Optional[str], path: str | Path = OFF_LIST_NEEDS_FILE) -> tuple[tuple[str, str], ...]:
    """(need, normalised sentence) for every sentence of the needs ``region``'s list lacks
    (``off_list_needs.yaml``); none for a list the file was not checked against."""
    checked_against, rows = _off_list_needs_file(path)
    if checked_against != region:
        return ()
    return tuple((str(row["need"]), normalise(str(sentence))) for row in rows for sentence in row["say"])


@lru_cache(maxsize=4)
def off_list_offices(path: str | Path = OFF_LIST_NEEDS_FILE) -> Mapping[str, str]:
    """Need → the office that handles it, for the needs the list lacks (``off_list_needs.yaml``)."""
    return {str(row["need"]): str(row["office"]) for row in _off_list_needs_file(path)[1] if row.get("office")}


@lru_cache(maxsize=4)
def load_off_list(region: Optional[str], path: str | Path = OFF_LIST_FILE) -> tuple[OffList, ...]:
    """The words of services ``region``'s list lacks (``off_list.yaml``); none for a list the file was
    not checked against."""
    checked_against, data, rows = _regional_file(path, "words", ("word", "means", "example"))
    if checked_against != region:
        return ()
    not_so = tuple(normalise(str(w)) for w in data.get("not_so") or ())
    return tuple(OffList(normalise(str(row["word"])), tuple(normalise(str(w)) for w in row.get("unless") or ()),
                         str(row["means"]), str(row["example"]), not_so)
                 for row in rows)


@dataclass(frozen=True)
class _Reading:
    """A message read once (``ResolverIndex.read``)."""

    text: str
    objects: Mapping[int, float]            # target index → evidence the message names its object
    similar: Mapping[int, float]            # target index → bigram cosine with its names and words
    phrased: Mapping[int, tuple[float, ...]]  # target index → cosines with its citizens' sentences
    bayes: Mapping[int, float]              # target index → naive Bayes posterior (``_NaiveBayes``)
    lifts: Sequence[float]                  # per target index, its naive Bayes lift (``_NaiveBayes``)
    wanted: frozenset[str]                  # action stems the message asks for
    qualifiers: frozenset[str]
    audience: Optional[str]
    elsewhere: float = 0.0                  # the posterior of the needs the list lacks, together
    elsewhere_need: Optional[str] = None    # the likeliest of them
    ways: frozenset[str] = frozenset()      # which way it says a transfer goes (``ResolverIndex.ways_in``)
    refused: frozenset[int] = frozenset()   # targets the message says its need is not (``refused_in``)
    checked: frozenset[str] = frozenset()   # action stems it asks whether were done (``checked_in``)
    complains: bool = False                 # it says a word of complaint or report (aspects.yaml)
    asking_words: int = 0                   # distinct action words that ask something (``_asking_words``)


EXCEPT_WORDS = ("除外", "以外")


def _says_not_negated(name: str, part: str) -> bool:
    """``name`` says ``part`` other than as what it is not: 非公司企业法人变更登记 says 公司 only as 非公司,
    …节能审查（企业技术改造项目除外） says 技术改造 only as an exception, 注销税务登记（适用于“一照一码”
    “两证整合”以外的纳税人） 一照一码 only as what it is for none of."""
    at = name.find(part)
    while at >= 0:
        close = name.find(")", at)
        note = name[at:close if close > at else len(name)]
        if not (at > 0 and name[at - 1] in "非无") and not any(word in note for word in EXCEPT_WORDS):
            return True
        at = name.find(part, at + 1)
    return False


def _pieces_in_order(pieces: Sequence[str], name: str) -> bool:
    """Each of ``pieces`` is in ``name``, after the one before it, and none as what the name is not."""
    at = 0
    for piece in pieces:
        at = name.find(piece, at)
        if at < 0 or not _says_not_negated(name, piece):
            return False
        at += len(piece)
    return True


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)] or ([text] if text else [])


class _BigramIndex:
    """TF-IDF (sublinear counts, smoothed IDF) of character bigrams over documents, each a bag of
    texts; ``cosines`` walks only the postings of the message's bigrams. Bigrams in more than
    ``common`` of the documents (「我想」「怎么」 among citizens' sentences) are left out: they say
    nothing and would make every message walk the longest postings."""

    def __init__(self, documents: Sequence[Sequence[str]], common: float = 1.0):
        counts = [Counter(g for text in document for g in _bigrams(text)) for document in documents]
        frequency: Counter[str] = Counter(g for c in counts for g in c)
        most = max(2, int(common * len(documents)))
        self._idf = {g: math.log((1 + len(documents)) / (1 + n)) + 1.0 for g, n in frequency.items() if n <= most}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, c in enumerate(counts):
            for gram, value in self._unit_vector(c).items():
                self._postings.setdefault(gram, []).append((number, value))

    def _unit_vector(self, counts: Mapping[str, int]) -> dict[str, float]:
        vector = {g: (1 + math.log(n)) * self._idf[g] for g, n in counts.items() if g in self._idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {g: v / norm for g, v in vector.items()}

    def cosines(self, text: str) -> dict[int, float]:
        """Document number → cosine with ``text``, for the documents sharing a bigram with it. Of a
        long message only the MAX_QUERY_BIGRAMS weightiest bigrams are walked (the rest would add
        little and cost a posting list each): every message of ordinary length is read in full."""
        found: dict[int, float] = {}
        vector = self._unit_vector(Counter(_bigrams(text)))
        if len(vector) > MAX_QUERY_BIGRAMS:
            vector = dict(sorted(vector.items(), key=lambda pair: -pair[1])[:MAX_QUERY_BIGRAMS])
        for gram, value in vector.items():
            for number, weight in self._postings.get(gram, ()):
                found[number] = found.get(number, 0.0) + value * weight
        return found


_NOT_WORD = re.compile(r"[^\w]|_")


def _grams(text: str) -> list[str]:
    """Characters and character bigrams of ``text``'s runs of word characters (punctuation and
    spaces split runs: no gram spans them)."""
    found: list[str] = []
    for run in _NOT_WORD.split(text):
        found += list(run)
        found += [run[i : i + 2] for i in range(len(run) - 1)]
    return found


def _pairs(text: str) -> set[str]:
    """The character bigrams of ``text``'s words (none across punctuation), as the naive Bayes reads them."""
    return {g for g in _grams(text) if len(g) == 2}


class _NaiveBayes:
    """Multinomial naive Bayes over characters and character bigrams: each target's document is
    every text that names or asks for it (names, aliases, citizens' words and the bank's sentences),
    and a message's posterior over the whole list is how likely each target's words would have
    written it, every target equally likely beforehand. Learns from the bank what a sentence's
    bigram cosine with one other sentence cannot: which words are each item's own (「游泳」 for
    经营游泳许可, 「报停」 for 停业登记) across all its sentences.

    The log-likelihood of target k is ``N·base[k] + Σ n_g·log(1 + c[g,k]/α)`` over the message's
    grams g that the documents know (N of them): only the grams' postings are walked."""

    def __init__(self, documents: Sequence[Sequence[str]], smoothing: float = BAYES_SMOOTHING):
        self._smoothing = smoothing
        read = [Counter(g for text in document for g in _grams(text)) for document in documents]
        spread = Counter(g for c in read for g in c if len(g) == 1)
        most = max(2.0, BAYES_COMMON * len(documents))
        self._counts = [Counter({g: n for g, n in c.items() if len(g) > 1 or spread[g] <= most}) for c in read]
        # The background: every document as one, how any text of the bank is written.
        everything: Counter[str] = Counter()
        for counts in self._counts:
            everything.update(counts)
        self._size = len(everything)
        self._totals = [sum(counts.values()) for counts in self._counts]
        self._base = [self._log_share(0, total) for total in self._totals]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for number, counts in enumerate(self._counts):
            for gram, n in counts.items():
                self._postings.setdefault(gram, []).append((number, math.log1p(n / smoothing)))
        # A gram of the message counts by how few documents have it (its inverse document frequency,
        # Rennie et al. 2003): 「迁户」 says more than 「要带」, which half the list's sentences end with.
        self._idf = {gram: math.log1p(len(documents) / len(postings)) for gram, postings in self._postings.items()}
        whole = sum(self._totals)
        self._background = {gram: self._log_share(n, whole) for gram, n in everything.items()}

    def _log_share(self, count: float, total: float) -> float:
        return math.log((count + self._smoothing) / (total + self._smoothing * self._size))

    def posteriors(self, text: str, leave_out: Optional[tuple[int, str]] = None,
                   also: Optional[tuple[Sequence[float], Mapping[int, float]]] = None) -> tuple[dict[int, float], list[float]]:
        """(target number → posterior, those under BAYES_FLOOR left out; every target's lift: how
        much likelier, per bigram, its words write the message's bigrams than the bank's words at
        large, shrunk towards none by LIFT_PRIOR bigrams). A message none of whose bigrams the bank knows has no reading (「阿巴阿巴」: a
        character or two in common says nothing). ``leave_out``: (target number, text) of a
        document text read as if it were not there (fitting reads the bank's sentences as messages,
        each without itself); ``also``: the log-likelihood of what else the message says beside its
        words, per document (``ResolverIndex._also_likelihood``)."""
        counted = Counter(g for g in _grams(text) if g in self._postings)
        if len(counted) > BAYES_MAX_GRAMS:
            # Of a long message, the grams fewest targets share: they say most and cost least.
            counted = Counter(dict(sorted(counted.items(), key=lambda pair: len(self._postings[pair[0]]))[:BAYES_MAX_GRAMS]))
        grams = {g: n * self._idf[g] for g, n in counted.items()}
        pairs = {g: n for g, n in grams.items() if len(g) == 2}
        if not pairs:
            return {}, []
        size, pair_size = sum(grams.values()), sum(pairs.values())
        # Only the targets sharing a gram with the message are walked; the rest have their base
        # likelihood alone and are left out of the posterior (far less likely than any that share one).
        touched: defaultdict[int, float] = defaultdict(float)
        pair_scores = [pair_size * base for base in self._base]
        for gram, n in grams.items():
            postings = self._postings[gram]
            for number, weight in postings:
                touched[number] += n * weight
            if len(gram) == 2:
                for number, weight in postings:
                    pair_scores[number] += n * weight
        scores = {number: size * self._base[number] + value for number, value in touched.items()}
        if leave_out is not None:
            number, left = leave_out
            taken = Counter(g for g in _grams(left) if g in self._counts[number])
            counts = self._counts[number] - taken
            total = self._totals[number] - sum(taken.values())
            scores[number] = sum(n * self._log_share(counts.get(g, 0), total) for g, n in grams.items())
            pair_scores[number] = sum(n * self._log_share(counts.get(g, 0), total) for g, n in pairs.items())
        background = sum(n * self._background[g] for g, n in pairs.items())
        said_pairs = sum(n for g, n in counted.items() if len(g) == 2)
        shrunk = pair_size * (1 + LIFT_PRIOR / said_pairs)  # LIFT_PRIOR more bigrams of the message's mean weight
        lifts = [(score - background) / shrunk for score in pair_scores]
        sharpness = BAYES_SHARPNESS / max(size, BAYES_MIN_SIZE)
        tempered = {number: score * sharpness for number, score in scores.items()}
        if also is not None:
            base, differs = also
            tempered = {number: value + base[number] + differs.get(number, 0.0) for number, value in tempered.items()}
        top = max(tempered.values())
        exps = {number: math.exp(value - top) for number, value in tempered.items()}
        mass = sum(exps.values())
        return {number: value / mass for number, value in exps.items() if value / mass >= BAYES_FLOOR}, lifts


@dataclass(eq=False)  # compared and hashed by identity: its readings are cached per index
class ResolverIndex:
    targets: list[Target]
    words: Words
    colloquial: Sequence[ColloquialEntry] = ()
    lexicon_names: Mapping[str, Sequence[str]] = field(default_factory=dict)  # word → target names
    phrasings: Sequence[tuple[str, str]] = ()  # (target name, a citizen's sentence for it)
    weights: Weights = field(default_factory=load_weights)
    same_service: Sequence[tuple[str, str, str]] = ()  # (list item, authored item, example) names
    off_list: Sequence[OffList] = ()    # words that mean a service the list does not have
    elsewhere: Sequence[tuple[str, str]] = ()  # (a need the list lacks, a citizen's sentence of it)
    asked_verbs: AskedVerbs = field(default_factory=lambda: AskedVerbs({}, {}))  # 「咋个改」「补个」 (asked_verbs.yaml)
    not_this: tuple[str, ...] = field(default_factory=load_not_this)  # 「不算…」「不是…」 (negations.yaml)
    left_as_is: tuple[str, ...] = field(default_factory=lambda: load_negated("left_as_is"))  # 「…都不动」
    not_done: tuple[str, ...] = field(default_factory=lambda: load_negated("not_done"))  # 「…我们不做」
    lacking: tuple[str, ...] = field(default_factory=lambda: load_negated("lacking"))  # 「莫得…」
    kinds: tuple[tuple[tuple[str, ...], ...], ...] = field(default_factory=load_kinds)  # 零售 or 批发
    kinds_before_now: tuple[str, ...] = field(default_factory=lambda: load_negated("kinds_before_now"))  # 「以前…」

    def _stands_for(self) -> dict[str, "Target"]:
        """List item's code → the target that stands for it: the loaded authored item of
        ``same_service``, or the list's own 「…“一件事”」 that wraps it (``wrapped_items``)."""
        by_name = {t.name: t for t in self.targets}
        return {**wrapped_items(self.targets),
                **{by_name[listed].code: by_name[authored] for listed, authored, _ in self.same_service
                   if listed in by_name and authored in by_name}}

    def __post_init__(self) -> None:
        self._stands_for_codes = self._stands_for()
        # The one way each target's name says a transfer goes (actions.yaml ``directions``), if it says one.
        self._target_ways = [_way_of(t.name, self.words.directions) for t in self.targets]
        by_name = {normalise(t.name): i for i, t in enumerate(self.targets)}
        self._index_of = {t.code: i for i, t in enumerate(self.targets)}
        self._normalised_names = [normalise(t.name) for t in self.targets]
        # Kinds of one thing (negations.yaml ``kinds``): word → (group, kind), and the kinds each name says.
        kind_words: dict[str, tuple[int, set[int]]] = {}
        for g, group in enumerate(self.kinds):
            for k, kind in enumerate(group):
                for w in kind:
                    kind_words.setdefault(w, (g, set()))[1].add(k)
        self._kind_words = Scanner({w: (g, frozenset(ks)) for w, (g, ks) in kind_words.items()})
        self._name_kinds: dict[int, dict[int, frozenset[int]]] = {}
        for i, name in enumerate(self._normalised_names):
            kinds_named = self._kinds_said(name)
            if kinds_named:
                self._name_kinds[i] = kinds_named
        self._name_set = frozenset(self._normalised_names)
        object_of: dict[str, set[tuple[int, float]]] = {}

        def reach(word: str, index: int, weight: float) -> None:
            word = normalise(word)
            if len(word) >= 2:
                object_of.setdefault(word, set()).add((index, weight))

        by_object: dict[str, list[tuple[int, float]]] = {}
        self._name_objects: list[tuple[tuple[str, float], ...]] = []
        self._short_objects: dict[int, tuple[str, frozenset[str]]] = {}  # a short leading object, the special things done
        done_to: dict[str, set[str]] = defaultdict(set)  # a leading object → what the names about it do
        for index, target in enumerate(self.targets):
            if target.parts is not None and target.parts.objects:
                done_to[target.parts.objects[0]] |= target.parts.does
            reach(target.name, index, LEADING_OBJECT)
            for alias in target.names[1:]:  # authored aliases are broad (「营业执照」 is also a company's)
                reach(alias, index, ALIAS_OBJECT)
            objects: list[tuple[str, float]] = []
            if target.parts is not None:
                for rank, obj in enumerate(target.parts.objects):
                    weight = LEADING_OBJECT if rank == 0 or (rank == 1 and len(obj) < len(target.parts.objects[0])
                                                              and obj in target.parts.objects[0]) else LATER_OBJECT
                    by_object.setdefault(normalise(obj), []).append((index, weight))
                    if len(obj) >= MIN_OBJECT:
                        objects.append((normalise(obj), weight))
                    elif rank == 0 and _special(target.parts.does):
                        self._short_objects[index] = (normalise(obj), _special(target.parts.does))
                    for short in certificate_short_forms(normalise(obj)) + plain_forms(normalise(obj)):
                        reach(short, index, weight * SHORT_FORM)
            self._name_objects.append(tuple(objects))
        for tail, reached in family_tails(by_object).items():
            for index, weight in reached:
                reach(tail, index, weight * SHORT_FORM)
        docs: list[list[str]] = [list(t.names) for t in self.targets]
        for entry in self.colloquial:
            if entry.section != "objects":
                continue
            if entry.items:
                for name in entry.items:
                    if normalise(name) in by_name:
                        reach(entry.word, by_name[normalise(name)], LEADING_OBJECT)
                        docs[by_name[normalise(name)]].append(entry.word)
            elif entry.means:
                # The word means the object, and what its operators are (「网吧」 for 互联网上网服务营业场所 and
                # its 经营单位 of 互联网上网服务营业场所经营单位注销审批).
                for obj in (entry.means, *(entry.means + tail for tail in OPERATOR_TAILS)):
                    for index, weight in by_object.get(obj, ()):
                        reach(entry.word, index, weight)
                        docs[index].append(entry.word)
        alike = _NamesAlike(by_name)
        for entry in self.colloquial:  # a citizen's sentence is words that name its item too
            if not entry.teaches:
                continue
            known = alike.get(normalise(entry.expect))
            if known is not None:
                docs[known].append(entry.example)
        for word, names in self.lexicon_names.items():
            for name in names:
                if normalise(name) in by_name:
                    reach(word, by_name[normalise(name)], LEADING_OBJECT)
        self._objects = Scanner({word: frozenset(reached) for word, reached in object_of.items()})
        self._done_to_object = {obj: frozenset(does) for obj, does in done_to.items()}
        # A message's actions are read as names' are: a noun that holds an action word is read whole
        # (「调解员」「人民调解」 ask nothing 裁决, 「检疫合格证」 nothing 验收) and asks nothing.
        # The one-character verbs citizens ask with (「咋个改」「补个」) first: every word written elsewhere wins.
        actions: dict[str, frozenset[str]] = dict(self.asked_verbs.words)
        actions.update({w: frozenset() for w, (kind, _) in self.words.names.items() if kind == "noun"})
        actions.update({w: self.words.stems_of(w, stem) for w, (kind, stem) in self.words.names.items() if kind == "action"})
        actions.update({e.word: frozenset(e.stems) for e in self.colloquial if e.section == "actions" and e.stems})
        # ... and so is a citizen's word for named items that holds one (「伤情鉴定」 asks no 认定 of
        # 司法鉴定咨询): it asks what those items' names do.
        said = Scanner(actions)
        for entry in self.colloquial:
            if entry.section == "objects" and entry.items and any(stems for *_, stems in said.scan(entry.word)):
                parts = [self.targets[by_name[normalise(name)]].parts for name in entry.items if normalise(name) in by_name]
                actions[entry.word] = frozenset(stem for p in parts if p is not None for stem in p.actions)
        # A lead asks a longer action word that starts with a verb as it asks the verb: 「想换张新的」 is
        # 换张新的, not 「想换」 before 「张新的」 (which would read as describing a thing); what the verb
        # asks narrows what the word asks (「能不能取出来」 is 提取, as 「能不能取」 is).
        verbs = self.asked_verbs
        verb_led = [(word, stems) for word, stems in actions.items() if len(word) > 1 and word[0] in verbs.verbs and stems]
        actions.update({lead + word: (stems & verbs.words.get(lead + word[0], stems)) or stems
                        for lead in verbs.leads for word, stems in verb_led if lead + word not in actions})
        self._actions = Scanner(actions)
        self._names_actions = frozenset(w for w, (kind, _) in self.words.names.items() if kind == "action")
        self._qualifiers = Scanner({w: value for w, (kind, value) in self.words.names.items()
                                    if kind in ("qualifier", "scope")})
        self._ways = Scanner({word: way for way, (_names, said) in self.words.directions.items() for word in said})
        self._askers = {e.word: e.audience for e in self.colloquial if e.section == "askers" and e.audience}
        self._asker_scanner = Scanner(self._askers)
        self._synonyms = Scanner({e.word: e.means for e in self.colloquial if e.section == "synonyms" and e.means})
        self._kinds_of_thing = tuple({*(h for h in self.words.heads if len(h) >= 2), *self.words.documents})
        # Slips are read as the words of the list's objects, citizens' words for them, synonyms and the
        # words of other offices' services (「驾使证」 is 驾驶证, whichever office's it turns out to be).
        self._homophones = Homophones([*object_of, *by_object, *(word for word, _ in self._synonyms.items()),
                                       *(entry.word for entry in self.off_list)])
        # What each target is called: its names, citizens' words and lexicon examples.
        named_by = [[normalise(text) for text in doc] for doc in docs]
        self._names_index = _BigramIndex(named_by)
        self._index_phrasings(alike, named_by)

    def _index_phrasings(self, alike: "_NamesAlike", named_by: Sequence[Sequence[str]]) -> None:
        """Every citizen's sentence of the phrasing bank is a document of its own; with the texts that
        name each target (``named_by``), they make the naive Bayes' documents."""
        target_of = {name: alike.get(normalise(name)) for name in {name for name, _ in self.phrasings}}
        found = [(target_of[name], sentence) for name, sentence in self.phrasings]
        rows = [(target, self.as_asked(sentence)) for target, sentence in found if target is not None]
        self._phrase_rows = rows
        self._phrase_target = [index for index, _ in rows]
        self._phrase_index = _BigramIndex([[sentence] for _, sentence in rows], common=COMMON_BIGRAM)
        documents = [list(document) for document in named_by]
        sentences_of: list[list[str]] = [[] for _ in self.targets]
        for index, sentence in rows:
            documents[index].append(sentence)
            sentences_of[index].append(sentence)
        # After the targets' documents, one for each need the list lacks: its name and its sentences.
        needs: dict[str, list[str]] = {}
        for need, sentence in self.elsewhere:
            needs.setdefault(need, [normalise(need)]).append(self.as_asked(sentence))
        self._first_elsewhere = len(documents)
        self._elsewhere_needs = list(needs)
        self._bayes = _NaiveBayes(documents + list(needs.values()))
        sentences_of += [sentences[1:] for sentences in needs.values()]  # (the first is the need's name)
        names = [normalise(t.name) for t in self.targets] + [sentences[0] for sentences in needs.values()]
        self._count_how_citizens_ask(names, sentences_of)

    def _count_how_citizens_ask(self, names: Sequence[str], sentences_of: Sequence[Sequence[str]]) -> None:
        """What the naive Bayes weighs beside words (``_also_likelihood``), counted once per document
        (the targets', then the needs'), each given as its name and its bank sentences."""
        # What each document's sentences ask done: how often its citizens ask the ordinary thing and
        # which special things (补领, 注销…) they ask, its name counted as one more sentence.
        asked = [[_special(self.wanted(self.officially(text))) for text in (name, *sentences)]
                 for name, sentences in zip(names, sentences_of)]
        # Per document, the log-likelihood that a message asks the ordinary thing, or a special thing
        # none of its sentences asks; and, per special stem, the documents whose n sentences ask it,
        # each with what that adds to the latter: log((n + 1) / 1).
        asks_ordinary = [math.log((sum(1 for special in said if not special) + 1) / (len(said) + 2))
                         for said in asked]
        asks_none = [math.log(1 / (len(said) + 2)) for said in asked]
        self._asking: dict[str, dict[int, float]] = {}
        for number, said in enumerate(asked):
            for stem, n in Counter(stem for special in said for stem in special).items():
                self._asking.setdefault(stem, {})[number] = math.log(n + 1)
        # The words a target's citizens nearly always say (a bigram most of its sentences hold, and few
        # of the other documents: 「失业」 in those of 领取失业保险金期间丧葬补助金和抚恤金申领): a message
        # without it is unlikely to be theirs, however like theirs its other words are. Per document,
        # the log-likelihood of a message that says none of them, and per such bigram, what saying it
        # gives back to each document that has it.
        pairs_of = [[_pairs(sentence) for sentence in sentences] for sentences in sentences_of]
        documents_with = Counter(g for pairs in pairs_of for g in set().union(*pairs))
        common = max(1.0, SIGNATURE_COMMON * len(sentences_of))
        unsaid = [0.0] * len(sentences_of)
        self._signature_of: dict[str, list[tuple[int, float]]] = {}
        for number, pairs in enumerate(pairs_of):
            if len(pairs) < SIGNATURE_SENTENCES:
                continue
            for gram, n in Counter(g for held in pairs for g in held).items():
                if (n + 1) / (len(pairs) + 2) >= SIGNATURE_SHARE and documents_with[gram] <= common:
                    missed = math.log((len(pairs) - n + 1) / (len(pairs) + 2))
                    unsaid[number] += missed
                    self._signature_of.setdefault(gram, []).append((number, -missed))
        self._base_ordinary = [ordinary + missed for ordinary, missed in zip(asks_ordinary, unsaid)]
        self._base_special = [none + missed for none, missed in zip(asks_none, unsaid)]

    def _also_likelihood(self, text: str, special: frozenset[str]) -> tuple[Sequence[float], dict[int, float]]:
        """Per document, the log-likelihood of what else the message says beside its words, as (a base
        for every document, the documents whose value differs from it → the difference):

        - what it asks done: the ordinary thing (「营业执照怎么办」 is seldom how 证照遗失补领's citizens
          ask, whose sentences say 丢了), or one of the special things it asks (补领, 注销…), each of a
          document's sentences counted, with one more of each kind (Laplace);
        - the words its citizens nearly always say that the message leaves unsaid."""
        if special:
            base = self._base_special
            differs: dict[int, float] = {}
            for stem in special:
                for number, gain in self._asking.get(stem, {}).items():
                    differs[number] = max(differs.get(number, 0.0), gain)
        else:
            base, differs = self._base_ordinary, {}
        for gram in _pairs(text):
            for number, back in self._signature_of.get(gram, ()):
                differs[number] = differs.get(number, 0.0) + back
        return base, differs

    def asked_part(self, text: str) -> Optional[str]:
        """What of ``text`` asks for the need (``as_asked``), when that leaves out a clause of what the
        citizen holds or of what the need is not; None when the whole message asks."""
        whole, said = self._said_and_asked(text)
        return said if said != whole else None

    @lru_cache(maxsize=256)
    def _said_and_asked(self, text: str) -> tuple[str, str]:
        """(the message as a reading takes it: normalised, its slips put right, its back references
        joined; what of it asks, ``as_asked``), kept for the search's reading of the same message
        (``asked_part``) and the resolver's (``_read``)."""
        whole = self.asked_verbs.joined_back(self.corrected(normalise(text)))
        return whole, self.as_asked(whole)

    def as_asked(self, text: str) -> str:
        """What of a (normalised) message asks for the need, as every message and every sentence of
        the bank is read: the clauses of what the citizen already holds (catalog/held.py) and of what
        the need is not (「不是教堂那种」) left out, where the rest still names something to be done.
        A sentence of the bank read so teaches its target none of the words it only mentions
        (「营业执照都有了」 in a 规划许可 sentence). A clause that goes on to say what the need is not is
        read without that tail (「是路边扬招的那种不是网约车」)."""
        said = without_held_clauses(text, self._names_a_need)
        return self._without_not_this_tails(without_clauses(said, self._says_not_this, _says_something))

    def _without_not_this_tails(self, text: str) -> str:
        """``text`` with each clause cut where a not_this word (「不是」) follows what it says, where the
        rest still says something; 「是不是」 asks, and is kept. A not_this word in brackets cuts only to
        the closing bracket (「行业协会（不是文旅类的）搬了办公地址」)."""
        cut = []
        for clause, end in clauses_of(text):
            at = self._not_this_at(clause)
            if at > 0:
                close = clause.find(")", at)
                clause = clause[:at] + (clause[close + 1:] if close > 0 else "")
            cut.append(clause + end)
        rest = "".join(cut)
        return rest if rest != text and _says_something(rest) else text

    def _not_this_at(self, clause: str) -> int:
        """Where a not_this word follows what the clause says (-1 for none); the asking form of a
        不 word asks (「是不是」「算不算」「属不属于」: the character before 不 is the one after it)."""
        return min((i for word in self.not_this for i in (clause.find(word),)
                    if i > 0 and not (word.startswith("不") and clause[i - 1] == word[1])), default=-1)

    def refused_in(self, text: str) -> frozenset[int]:
        """The targets the (normalised) message says its need is not: each named by what follows a
        not_this word, up to a 是 that says what it is instead (「不是续期」 names 食品小经营店备案续期,
        「（不是文旅类的）」 the 文旅类 items, 「不是塔吊」 what 塔吊 means), by its name's words or the words
        that name objects, and named by nothing else the message says: 「不是注销营业执照，是变更营业执照」
        refuses none of the 营业执照 items."""
        negated: list[str] = []
        kept: list[str] = []
        lacked: list[str] = []
        rest: list[str] = []
        for clause, end in clauses_of(text):
            stripped = clause.strip()
            opening = next((w for w in self.not_this if stripped.startswith(w)), None)
            at = clause.find(stripped) if opening else self._not_this_at(clause)
            left = self._left_as_is_at(clause)
            if at >= 0:
                word = next(w for w in self.not_this if clause.startswith(w, at))
                tail = _INSTEAD.split(clause[at + len(word):].split(")")[0], maxsplit=1)[0]
                negated.append(tail)
                rest.append(clause[:at] + clause[at + len(word) + len(tail):] + end)
            elif left is not None:
                (negated if clause[left[0]:left[1]] in self.not_done else kept).append(clause[:left[0]])
                rest.append(clause[left[1]:] + end)
            else:
                lacking = self._lacking_in(clause)
                if lacking is not None:
                    lacked.append(clause[lacking[1]:])
                    rest.append(clause[:lacking[0]] + end)
                else:
                    rest.append(clause + end)
        if not negated and not kept and not lacked:
            return frozenset()
        asked = "".join(rest)
        refused: set[int] = set()
        for part in self._negated_parts(negated, asked):
            refused |= self._named_by(part)
        for part in self._negated_parts(kept, asked):
            # What stays as it is is no change asked of it; a change of the thing it is part of may be
            # (「证书上的单位名称要改，标准器具和设备都没变」 still asks 计量标准器具核准证书变更).
            refused |= {i for i in self._named_by(part) if not self._changes_what_holds(i, part)}
        for part in self._negated_parts(lacked, asked):
            refused |= {i for i, name in enumerate(self._normalised_names)
                        if part in name and name.replace(part, "", 1) in self._name_set}
            # 「也没领失业金」: what is for those who receive it (领取失业保险金期间…) is not the need
            verb = next((v for v in RECEIVING if part.startswith(v)), None)
            if verb:
                refused |= {i for i in self.objects_in(part[len(verb):]) if _WHILE_RECEIVING.search(self._normalised_names[i])}
        return frozenset(refused - set(self.objects_in(asked))) if refused else frozenset()

    def _named_by(self, part: str) -> set[int]:
        """The targets ``part`` names: by their names' words (not as 非… or …除外) or the words that
        name objects."""
        named = {i for i, name in enumerate(self._normalised_names) if _says_not_negated(name, part)} \
            | set(self.objects_in(part))
        pieces = [piece for piece in _POINTING.split(part) if len(piece) >= MIN_REFUSED]
        if not named and len(pieces) > 1:
            # 「农村那个奖励扶助金」: its pieces, in order, in one name (农村部分计划生育家庭奖励扶助金)
            named = {i for i, name in enumerate(self._normalised_names) if _pieces_in_order(pieces, name)}
        return named

    def _held_only(self, whole: str, asked: str) -> frozenset[int]:
        """The targets whose objects the message names only in the clauses of what the citizen already
        holds or has done (catalog/held.py) and that name one target only, where ``asked``, the rest,
        names something to be done and says nothing of it: 「校车使用许可已经批下来了，司机要先取得校车驾驶
        资格」 asks nothing of 校车使用许可. An object many targets share names none of them so
        (「宗教活动场所登记证已经有了，现在想取得法人资格」 asks another thing of the same object).
        Where the rest names nothing of the list (``asked`` is the whole message), each target the held
        clauses name is ruled out when the rest, of HELD_REST characters or more, asks no special thing of
        it and names it not: 「犬类准养证上个月办下来了，…哪里可以给狗打针」 asks another office's service."""
        held_text, rest = "", ""
        for clause, end in clauses_of(whole):
            if says_held(clause):
                held_text += clause + end
            else:
                rest += clause + end
        if not held_text:
            return frozenset()
        if asked == whole:
            if han_characters(rest) < HELD_REST:
                return frozenset()
            named = self._objects_named(held_text) - self._objects_named(rest)
            special = _special(self._asked_anywhere(rest))
            # A special thing the rest asks is asked of what is held where a name of its object does it
            # (「社保卡已经办好了，咋个激活」); else it is another office's (「小作坊备案早就办了…产品检验报告去哪里检」).
            return frozenset(i for i in named if not (special and self._object_does(i, special)))
        named = set(self.objects_in(held_text))
        return frozenset(named - set(self.objects_in(asked))) if len(named) == 1 else frozenset()

    def _object_does(self, index: int, stems: frozenset[str]) -> bool:
        """A target of ``index``'s leading object (itself or another) has a name that does one of ``stems``."""
        parts = self.targets[index].parts
        if parts is None or not parts.objects:
            return True
        return bool(self._done_to_object[parts.objects[0]] & stems)

    def _objects_named(self, text: str) -> set[int]:
        """The targets whose objects ``text`` says: by the words that name targets, or their names'
        own objects (among the targets most alike in words)."""
        official = self.officially(text)
        pool = {i for i, _ in sorted(self._similarities(official).items(), key=lambda p: -p[1])[:POOL]}
        return set(self.objects_in(official)) | set(self.name_objects_in(official, pool))

    def _kinds_said(self, text: str) -> dict[int, frozenset[int]]:
        """Group → the kinds ``text`` says of it (negations.yaml ``kinds``), not as what it is not or
        lacks (「没得外资」「非零售」)."""
        said: dict[int, set[int]] = defaultdict(set)
        nots = (*self.not_this, *self.lacking, "非", "无")
        for start, _end, _word, (group, kinds) in self._kind_words.scan(text):
            if not text[:start].endswith(nots):
                said[group] |= kinds
        return {group: frozenset(kinds) for group, kinds in said.items()}

    def _other_kinds(self, text: str) -> frozenset[int]:
        """The targets whose name says a kind of a group (negations.yaml ``kinds``: 零售 or 批发) where
        ``text`` says another kind of it and none of the name's, or only another in its last clause that
        says one (「…零售点批发供货，这个批发许可证在哪里申请」), a clause that says it was so before now
        (``kinds_before_now``) read last of all (「…申请二级运动员称号…三级的我们以前都是在区上办的」)."""
        if not self._name_kinds:
            return frozenset()
        said = self._kinds_said(text)
        if not said:
            return frozenset()
        last: dict[int, frozenset[int]] = {}
        clauses = [clause for clause, _end in reversed(clauses_of(text))]
        before_now = [clause for clause in clauses if any(word in clause for word in self.kinds_before_now)]
        for clause in [c for c in clauses if c not in before_now] + before_now:
            for group, kinds in self._kinds_said(clause).items():
                last.setdefault(group, kinds)
        return frozenset(i for i, named in self._name_kinds.items() for group, kinds in named.items()
                         if group in said and said[group] - kinds
                         and (not said[group] & kinds or not last[group] & kinds))

    def _changes_what_holds(self, index: int, part: str) -> bool:
        """The target's name does a special thing (变更, 注销…) to what it says before it, which holds
        ``part`` (计量标准器具核准证书变更 for 标准器具; not …电视台变更节目套数审批 for 节目套数, what it changes)."""
        name = self._normalised_names[index]
        at = next((start for start, _end, _word, stems in self._actions.scan(name) if _special(stems)), -1)
        return at > 0 and part in name[:at]

    def _negated_parts(self, tails: Iterable[str], asked: str) -> Iterator[str]:
        """The things each tail says the need is not (「不是塔吊、施工升降机」 → 塔吊, 施工升降机), each
        without its particles and a not_this word it opens with, and none the rest of the message says."""
        for tail in tails:
            for part in _NEGATED_PARTS.split(tail):
                part = _NEGATED_TAIL.sub("", part)
                part = part[next((len(w) for w in self.not_this if part.startswith(w)), 0):]
                if len(part) >= MIN_REFUSED and part not in asked:
                    yield part

    def _left_as_is_at(self, clause: str) -> Optional[tuple[int, int]]:
        """(start, end) of the first left_as_is or not_done word in ``clause`` that 了 does not follow
        (「节目套数都不动」, not 「饭馆不做了」) nor makes a question of (「改不改」), after what it leaves as
        it is; None for none."""
        # 「改不改」 asks whether, as 是不是 does
        return _first_word(clause, (*self.left_as_is, *self.not_done), lambda at, end, word: at > 0 and not clause.startswith("了", end)
                           and clause[at - 1] != word[-1])

    def _lacking_in(self, clause: str) -> Optional[tuple[int, int]]:
        """(start, end) of the first lacking word of ``clause`` (「莫得分支机构」), None for none."""
        return _first_word(clause, self.lacking, lambda at, end, word: True)

    def _phrased(self, text: str, exclude: Optional[int] = None) -> dict[int, tuple[float, ...]]:
        """Target index → the cosines of the message with its citizens' sentences, best first."""
        found: dict[int, list[float]] = {}
        for number, similarity in self._phrase_index.cosines(text).items():
            if number != exclude:
                found.setdefault(self._phrase_target[number], []).append(similarity)
        return {target: tuple(sorted(values, reverse=True)) for target, values in found.items()}

    @property
    def phrase_rows(self) -> Sequence[tuple[int, str]]:
        """(target index, normalised sentence) of each sentence of the phrasing bank, numbered as
        ``read(..., exclude_phrase=number)`` takes them."""
        return self._phrase_rows

    # ------------------------------------------------------------ reading the message

    def objects_in(self, text: str) -> dict[int, float]:
        """Target index → evidence from the words that name targets explicitly (names, aliases,
        citizens' words): weight of the object plus the span's length."""
        found: dict[int, float] = {}
        for start, end, _word, reached in self._objects.scan(text):
            for index, weight in reached:
                value = weight + SPAN_BONUS * (end - start)
                if value > found.get(index, 0.0):
                    found[index] = value
        return found

    def _named_apart(self, options: Sequence[Scored], text: str) -> bool:
        """The question's first option is named by a word of the message that names none of the others,
        and every word that names another names it too: 「公司的货车…车上那个道路运输证要过户」 names
        货物运输车辆道路运输证办理（过户） by 货车, and 客运车辆…（过户） only by the 道路运输证 both share. The
        options must do the same things (a sibling doing another is the question's to ask)."""
        if len(options) < 2:
            return False
        first = self._index_of[options[0].code]
        actions = self._actions_of(first)
        reached = [frozenset(index for index, _weight in found) for _s, _e, _w, found in self._objects.scan(text)]
        mine = {n for n, found in enumerate(reached) if first in found}
        for option in options[1:]:
            other = self._index_of[option.code]
            theirs = {n for n, found in enumerate(reached) if other in found}
            if self._actions_of(other) != actions or not theirs or not theirs < mine:
                return False
        return True

    def _marked_apart(self, options: Sequence[Scored], reading: "_Reading") -> bool:
        """The question's first option is told apart by who it is for, who handles it or which way it
        goes (``_marks_of``): the message says all of its marks that another option doing the same things
        lacks (「家里困难，想申请低保」 says no 儿童 of 家庭经济困难儿童提供最低生活保障), and none of theirs
        (「…住建局说开工前要把保护方案交过去备案」: 建设项目古树名木保护方案备案（住建行使）)."""
        if len(options) < 2:
            return False
        said = reading.qualifiers | reading.ways
        first = options[0]
        marks, actions = self._marks_of(first.code), self._actions_of(self._index_of[first.code])
        for option in options[1:]:
            other = self._marks_of(option.code)
            if self._actions_of(self._index_of[option.code]) != actions or not marks - other \
                    or not (marks - other) <= said or (other - marks) & said:
                return False
        return True

    def _actions_of(self, index: int) -> frozenset[str]:
        parts = self.targets[index].parts
        return frozenset(parts.actions) if parts is not None else frozenset()

    @staticmethod
    def _names_need(text: str, posterior: float, lift: float) -> bool:
        """The message is that one need the list lacks: the need itself, not only the needs together,
        writes it; a short message (「随便吧」 is like 药店…随便卖) only with that need's own words
        (「着火了」)."""
        return posterior >= ELSEWHERE_PROBABILITY and (len(text) > ELSEWHERE_SHORT or lift >= ELSEWHERE_LIFT)

    def _says_not_this(self, clause: str) -> bool:
        """The clause says what the need is not (「不算特殊建设工程」「不是教堂那种」)."""
        return clause.strip().startswith(self.not_this)

    def _names_an_object(self, text: str) -> bool:
        return next(iter(self._objects.scan(text)), None) is not None

    def _names_a_need(self, text: str) -> bool:
        """``text`` names something to be done: an object of the list, or a kind of thing item names
        end with (objects.yaml ``heads`` of two characters or more, actions.yaml ``documents``):
        「土地证、营业执照都有，…规划许可证要咋个办」 asks for a 规划许可证 whatever its full name,
        where 「社保卡已经办好了，咋个激活」 leaves only a verb."""
        return self._names_an_object(text) or any(head in text for head in self._kinds_of_thing)

    def name_objects_in(self, text: str, pool: Iterable[int]) -> dict[int, float]:
        """Target index → evidence that the message says an object of the target's name, nearly
        (「失业保险」 for 失业保险金: partial_ratio ≥ PARTIAL_OBJECT), scaled by how nearly."""
        found: dict[int, float] = {}
        for index in pool:
            best = 0.0
            for obj, weight in self._name_objects[index]:
                ratio = fuzz.partial_ratio(obj, text) / 100.0 if len(obj) <= len(text) else 0.0
                if ratio >= (PARTIAL_OBJECT if len(obj) > SHORT_OBJECT else 1.0):
                    best = max(best, weight * ratio ** 2 + SPAN_BONUS * len(obj) * ratio)
            if best:
                found[index] = best
        return found

    def short_objects_in(self, text: str, pool: Iterable[int]) -> dict[int, float]:
        """Target index → evidence that the message names a target by a leading object shorter than
        MIN_OBJECT (公司, 发票, 户口): said in one clause with the special thing the target's name does
        (「公司好几年没经营了想注销掉」 names 公司注销登记), and not as part of a longer object of the
        ``pool``'s names (「分公司」)."""
        pool = list(pool)
        by_short: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for index in pool:
            if index in self._short_objects:
                short, specials = self._short_objects[index]
                by_short[short].append((index, specials))
        found: dict[int, float] = {}
        for short, held in by_short.items():
            asked = [self.wanted(clause) for clause in CLAUSE_BREAK.split(self._without_longer(text, short, pool))
                     if short in clause]
            for index, specials in held:
                if any(specials & stems for stems in asked) and self._rest_said(index, short, text):
                    found[index] = LEADING_OBJECT + SPAN_BONUS * len(short)
        return found

    def _rest_said(self, index: int, short: str, text: str) -> bool:
        """The name has no other object, or the message says a part (two characters) of one: the 执业 of
        「护士变更执业注册」 is the 护士's, and 「医生…执业证…咋个改」 says nothing of 护士, where
        「…年金那个缴费工资…」 says 年金 of 机关事业单位职业年金缴费工资申报."""
        parts = self.targets[index].parts
        rest = [normalise(obj) for obj in (parts.objects if parts is not None else ()) if normalise(obj) != short]
        return not rest or _says_part_of(text, rest)

    def _without_longer(self, text: str, short: str, pool: Iterable[int]) -> str:
        """``text`` with every longer object of the ``pool``'s names that holds ``short`` taken out
        (「分公司」 says no 公司)."""
        for obj in {obj for i in pool for obj, _ in self._name_objects[i] if short in obj and obj != short}:
            text = text.replace(obj, "|")
        return text

    def wanted(self, text: str) -> frozenset[str]:
        """The action stems the message asks for (``_asked_anywhere``), or, where its last question asks
        a special thing (补领, 变更, 注销…) of its own and the clauses before it say other things, that
        question's: the need is what the citizen asks to get done, the earlier actions are what
        happened (「行驶证已经过户到我名下了，车上那个运输证还是原来老板的名字，要咋个改」 asks 变更, not
        过户). A question is a clause with one of asked_verbs.yaml's ``questions`` marks; a record it asks
        (备案) files what the clauses before say done, which stays asked. Within the question, a special
        thing asked after its last ``how`` word (咋, 怎么…) is asked, the rest happened (「社保卡掉了咋挂失」)."""
        wanted = self._asked_anywhere(text)
        if len(wanted) < 2:
            return wanted
        question = self._question(text)
        if question is None:
            return wanted
        if question != text:
            wanted = self._narrowed(wanted, question)
        how = max((question.rfind(word) + len(word) for word in self.asked_verbs.how if word in question), default=-1)
        return self._narrowed(wanted, question[how:]) if how >= 0 and len(wanted) > 1 else wanted

    def checked_in(self, text: str) -> frozenset[str]:
        """The action stems the message asks whether were done (asked_verbs.yaml ``whether``:
        「社保卡不晓得激活没得」 asks a check of 激活), not to have them done."""
        after = self.asked_verbs.whether_after
        if not any(word in text for word in after):  # the common message: no scan
            return frozenset()
        return frozenset(stem for _start, end, _word, stems in self._actions.scan(text)
                         if stems and text.startswith(after, end) for stem in stems)

    def _question(self, text: str) -> Optional[str]:
        """The message's last clause that asks (one of asked_verbs.yaml's ``questions`` marks), if any."""
        return next((clause + end for clause, end in reversed(clauses_of(text)) if clause.strip()
                     and any(mark in clause + end for mark in self.asked_verbs.question_marks)), None)

    def _narrowed(self, wanted: frozenset[str], part: str) -> frozenset[str]:
        """What ``part`` of the message asks, where that is a special thing of its own among ``wanted``;
        else ``wanted``. A record asked (备案) after the change it files keeps both (「委派代表换人了，要备案吗」)."""
        asked = self._asked_anywhere(part)
        return asked if _special(asked) and asked < wanted and not asked & self.words.records.keys() else wanted

    def _asked_anywhere(self, text: str) -> frozenset[str]:
        """The action stems any clause of the message asks for. A two-character action word right before a
        certificate or record word names that document, not an action (「检疫证」「登记资料」);
        an asked verb before a character that makes another word of it asks nothing (「能补贴」), nor does a
        special action word right after 不 (「老板说不延续，直接交回去注销」 asks 注销); an
        action word that describes a thing asks nothing of it (「当年注册的原始档案」, ``_describes``);
        one that asks whether it was done asks a check (「激活没得」: asked_verbs.yaml ``whether``); a record
        an action asked after it acts on is not asked itself (actions.yaml ``records``)."""
        verbs = self.asked_verbs
        said = [(end, verbs.whether_stems if verbs.whether_after and text.startswith(verbs.whether_after, end)
                 else stems) for start, end, word, stems in self._actions.scan(text)
                if stems and not (len(word) >= 2 and text.startswith(CERTIFICATE_WORDS, end))
                and not (text[start - 1:start] == NOT and stems - ORDINARY_STEMS)
                and not (end < len(text) and text[end] in verbs.not_before.get(word, ()))
                and not self._describes(text, end) and not self._done_already(text, start, end, word)]
        # A word that does not say which of its stems it means (关门: 注销 or 停业) means the one the
        # message says by a word of its own (「关门一个多月，要办停业不」 asks 停业).
        plain = frozenset(stem for _, stems in said if len(stems) == 1 for stem in stems)
        asked = [(end, stem) for end, stems in said for stem in (stems & plain if len(stems) > 1 and stems & plain
                                                                 else stems)]
        # A record that an action asked after it acts on is what that action is done to, as in names
        # (actions.yaml ``records``): 「之前备了案，门面换了地址，备案要改不」 asks 变更 of the filing,
        # 「委派代表换人了，要备案吗」 asks 备案.
        return frozenset(stem for _, stem in asked) - self.words.records_acted_on(
            text, [(end, frozenset({stem})) for end, stem in asked])

    def _done_already(self, text: str, start: int, end: int, word: str) -> bool:
        """An action word of the names (not a citizen's word for what happened: 「关门了」 asks 注销)
        that its clause says is already done (「医药费在医院已经结算了」「去年…把乡村医生执业证注销了」): an
        ALREADY word before it, 了 or 过 right after."""
        if word not in self._names_actions or not text.startswith(DONE_AFTER, end):
            return False
        opening = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
        return any(marker in text[opening:start] for marker in ALREADY)

    def _describes(self, text: str, end: int) -> bool:
        """The action word ending at ``end`` is followed, within its clause, by 的 that ends no place
        named after it (「改社保上的」; 「登记上的」 is the record's own place) and then by no word that asks
        about the action (asked_verbs.yaml ``describing``)."""
        verbs = self.asked_verbs
        if not verbs.describing_within:
            return False
        near = CLAUSE_BREAK.split(text[end:end + verbs.describing_within + 1], 1)[0]
        mark = near.find("的")
        return mark >= 0 and not text.startswith(verbs.describing_not_after, end + mark + 1) \
            and not (mark > 1 and near[mark - 1] in verbs.describing_places)

    def qualifiers_in(self, text: str) -> frozenset[str]:
        return frozenset(value for _s, _e, _w, value in self._qualifiers.scan(text))

    def audience_of(self, text: str) -> Optional[str]:
        said = {audience for _s, _e, _w, audience in self._asker_scanner.scan(text)}
        return said.pop() if len(said) == 1 else None

    def _similarities(self, text: str) -> dict[int, float]:
        return self._names_index.cosines(text)

    # ------------------------------------------------------------ one ranking

    def read(self, text: str, exclude_phrase: Optional[int] = None) -> "_Reading":
        if exclude_phrase is None:
            return self._read_once(text)
        return self._read(text, exclude_phrase)

    @lru_cache(maxsize=256)
    def _read_once(self, text: str) -> "_Reading":
        """A message's reading, kept for the other rankings of the same message (another reading's
        targets considered, the NLU's items) and the repeats of a turn."""
        return self._read(text, None)

    def _read(self, text: str, exclude_phrase: Optional[int]) -> "_Reading":
        """What the message says, read once: objects, actions, qualifiers, who asks, bigram
        likenesses. ``exclude_phrase``: a sentence of the phrasing bank left out (fitting reads each
        sentence as a message, without itself)."""
        # What the citizen says they already hold is no part of the need (catalog/held.py).
        whole, said = self._said_and_asked(text)
        text = self.officially(said)
        leave_out = self._phrase_rows[exclude_phrase] if exclude_phrase is not None else None
        # The naive Bayes reads the message as said and, where citizens' synonyms change it, as the
        # names say it too (「生孩子的医疗费」 and 「生育的医疗费」): the documents hold both kinds of words.
        wanted = self.wanted(text)
        posteriors, lifts = self._bayes.posteriors(said if text == said else f"{said}\n{text}", leave_out,
                                                   self._also_likelihood(text, _special(wanted)))
        first = self._first_elsewhere
        bayes = {number: p for number, p in posteriors.items() if number < first}
        needs = {number: p for number, p in posteriors.items() if number >= first}
        likeliest = max(needs, key=needs.__getitem__) if needs else None
        need = self._elsewhere_needs[likeliest - first] if likeliest is not None and self._names_need(
            said, needs[likeliest], lifts[likeliest]) else None
        return _Reading(text, self.objects_in(text), self._similarities(text),
                        self._phrased(said, exclude_phrase), bayes, lifts[:first],
                        wanted, self.qualifiers_in(text), self.audience_of(said),
                        round(sum(needs.values()), 4), need, self.ways_in(text),
                        self.refused_in(whole) | self._held_only(whole, said) | self._other_kinds(said),
                        self.checked_in(text), load_aspects().says_complaint(text), self._asking_words(text))

    def _asking_words(self, text: str) -> int:
        """How many distinct action words ask something of the message: 「社保卡申领或者补换」 two, 「密码还是
        初始的，咋改」 one, however many stems one word reads (改: 变更 and 更正)."""
        return len({word for _start, _end, word, stems in self._actions.scan(text) if stems})

    def corrected(self, text: str) -> str:
        """``text`` (normalised) with its slips of the vocabulary's words put right (「营业执找」 →
        「营业执照」, catalog/homophones.py), as every reading of the message takes it."""
        return self._homophones.corrected(text)

    def officially(self, text: str) -> str:
        """``text`` with citizens' words put the way item names say them (the lexicon's synonyms:
        「生孩子的医疗费」 → 「生育的医疗费」), for the parts that compare with names; the citizens'
        sentences of the bank are compared with the message as said. A synonym inside a longer word
        that names targets is left as said (「抽水站」 is no 取水站)."""
        text = _CERTIFICATE_OF.sub("", text)
        parts, last = [], 0
        named: Optional[list[tuple[int, int]]] = None  # the spans of words that name targets, scanned once
        for start, end, _word, official in self._synonyms.scan(text):
            if named is None:
                named = [(s, e) for s, e, _w, _r in self._objects.scan(text)]
            if any(s <= start and end <= e and e - s > end - start for s, e in named):
                continue
            parts += [text[last:start], str(official)]
            last = end
        return "".join(parts) + text[last:] if parts else text

    def candidates(self, reading: "_Reading", search_scores: Mapping[str, float],
                   consider: Iterable[str] = (), nlu: Iterable[str] = ()) -> list[tuple[int, dict[str, float]]]:
        """(target index, features) of every target the message could be about: those it names,
        the most alike in words and in citizens' sentences, the search's hits, the NLU's items
        (``nlu``: codes the NLU read as the message's items) and ``consider``."""
        nlu = frozenset(nlu)
        similar, phrased = reading.similar, reading.phrased
        pool = set(reading.objects) | {i for i, _ in sorted(similar.items(), key=lambda p: -p[1])[:POOL]}
        pool |= {i for i, _ in sorted(phrased.items(), key=lambda p: -p[1][0])[:POOL]}
        pool |= {i for i, _ in sorted(reading.bayes.items(), key=lambda p: -p[1])[:BAYES_POOL]}
        pool |= {self._index_of[code] for code in (*search_scores, *consider, *nlu) if code in self._index_of}
        # What the message says its need is not is no candidate; another reading's are scored in any case.
        pool -= reading.refused - {self._index_of[code] for code in consider if code in self._index_of}
        objects = dict(reading.objects)
        for index, value in self.name_objects_in(reading.text, pool).items():
            objects[index] = max(objects.get(index, 0.0), value)
        for index, value in self.short_objects_in(reading.text, pool).items():
            objects[index] = max(objects.get(index, 0.0), value)
        reading = replace(reading, objects=objects)
        found = [(i, self._features(i, reading, search_scores)) for i in sorted(pool)]
        for i, features in found:
            if self.targets[i].code in nlu:
                features["nlu"] = 1.0
        return found

    def rank(self, text: str, search_scores: Mapping[str, float] | None = None, limit: int = 8,
             consider: Iterable[str] = (), nlu: Iterable[str] = ()) -> Resolution:
        """``text``: the message (places and situation words may be taken out by the caller);
        ``search_scores``: the catalog search's scores (0..100) by code, when the caller has them;
        ``consider``: codes scored whatever their words (another reading's targets), kept in
        ``Resolution.considered``; ``nlu``: the items the NLU read in the message (one part of the score)."""
        reading = self.read(text)
        considered, nlu = set(consider), frozenset(nlu)
        found = self.candidates(reading, search_scores or {}, considered, nlu)
        scores = [self.weights.score(features) for _, features in found]
        probabilities = self.weights.probabilities(scores)
        scored = [self._scored(i, features, score, p, reading.wanted)
                  for (i, features), score, p in zip(found, scores, probabilities)]
        informing = self._informing_into(scored, self.asked_verbs.asks_rules(reading.text)) \
            if INFORMS not in reading.wanted else {}
        scored = _merged(scored, informing)
        standing = self._standing_for(scored)
        scored = _merged(scored, standing)
        gathered = _gathered({**informing, **standing})
        considered_scored = {s.code: s for s in scored if s.code in considered}
        scored = _doing_it_instead(scored)
        scored.sort(key=lambda s: (-s.probability, -s.score, len(s.name), s.code))
        before = {s.code: s.probability for s in scored}
        scored = self._plain_twin(self._said_of_a_twin(scored, reading), reading)
        # A considered reading whose place its twin took is as likely as the twin was: the one ranking.
        considered_scored.update({s.code: s for s in scored
                                  if s.code in considered_scored and s.probability != before[s.code]})
        ranked = tuple(scored[:limit])
        nothing = 1.0 - sum(probabilities)
        said_off = next((e for e in self.off_list if e.said_in(reading.text)), None)
        decision = _decide(ranked, reading.wanted, reading.elsewhere, len(reading.text) <= CONFIRM_SHORT)
        marked_apart: tuple[str, ...] = ()
        if decision == "ask":
            options = _options(_fitting(ranked), reading.wanted, ranked)
            # An option named apart is the answer, and so is the plain twin's, unless the message is one of
            # the needs the list lacks: 「社保断缴了有影响吗」 asks what a gap does, not the 补缴 beside 欠费补缴.
            if self._marked_apart(options, reading):
                decision, marked_apart = "answer", tuple(s.code for s in options[1:])
            elif self._named_apart(options, reading.text) or (
                    reading.elsewhere < ELSEWHERE_PROBABILITY and _plain_apart(options, reading.text)):
                decision = "answer"
        if decision in ("ask", "confirm", "handoff") and self._bayes_sure(ranked, reading, {*considered, *nlu}, gathered):
            decision = "answer"
        # An item the message says and the ranking answers outright is no need the list lacks, however
        # like the bank's sentences the rest sounds (「我老婆怀孕了，生育津贴怎么领」 is no 生育登记).
        # Not where only the NLU's reading, one of the ranking's parts, brings the answer over its bar in a
        # message the needs the list lacks write and that asks nothing its name does (「区图书馆办借书证要押金不，
        # 带个身份证去就要得了嘛」: the NLU read 居民身份证办理 in 身份证): the NLU's word is then a word of the
        # story, and the need is handed off. (「我买的二手房要过户」 asks the 过户 of 不动产转移登记.) Outright is
        # at ANSWER_PROBABILITY, not only at the said-and-asked bar (「…广电每年还在扣收视费，咋个销户」).
        first = _fitting(ranked)[0] if decision == "answer" else None
        listed = first is not None and first.said and first.probability >= ANSWER_PROBABILITY and not (
            reading.elsewhere >= ELSEWHERE_PROBABILITY and first.code in nlu and not first.action_agrees
            and not self._answered_without(found, scores, first.code, "nlu"))
        elsewhere_need = None if listed else reading.elsewhere_need
        alone = None
        if said_off is not None or (reading.elsewhere >= ELSEWHERE_PROBABILITY and not listed) or (
                says_off_the_list_twice(reading.elsewhere, nothing)
                and not (listed and first is not None and first.action_agrees)):
            decision = "handoff"
        elif decision == "handoff":
            alone = self._differing_alone(ranked, reading)
            decision = "confirm" if alone is not None else decision
        elif decision == "confirm":
            alone = _fitting(ranked)[0]
        return Resolution(decision, ranked, reading.wanted,
                          considered_scored, round(nothing, 4), reading.elsewhere,
                          elsewhere_need or (said_off.means if said_off else None), said_off is not None, alone,
                          gathered, marked_apart if decision == "answer" else (), len(reading.text),
                          frozenset(self.targets[i].code for i in reading.refused), reading.asking_words)

    def _answered_without(self, found: Sequence[tuple[int, Mapping[str, float]]], scores: Sequence[float],
                          code: str, part: str) -> bool:
        """``code`` is still the answer's likelihood (ANSWER_PROBABILITY, ANSWER_LEAD times the next) with
        ``part`` of every candidate's score (``scores``, of ``found``) left out: the ranking reads it without
        that reading."""
        weight = self.weights.parts.get(part, 0.0)
        probabilities = self.weights.probabilities(
            [score - weight * features.get(part, 0.0) for score, (_, features) in zip(scores, found)])
        own = next((p for (i, _), p in zip(found, probabilities) if self.targets[i].code == code), 0.0)
        second = max((p for (i, _), p in zip(found, probabilities) if self.targets[i].code != code), default=0.0)
        return own >= ANSWER_PROBABILITY and own >= ANSWER_LEAD * second

    def _bayes_sure(self, ranked: Sequence[Scored], reading: "_Reading", others: set[str],
                    gathered: Optional[Mapping[str, Sequence[str]]] = None) -> bool:
        """The citizens' sentences write the message as the ranking's first target's and hardly any
        other's, needs the list lacks included (its naive Bayes posterior is BAYES_SURE or more): the
        ranking's doubt is the doubt of cosines and words that a long or roundabout message leaves low
        (「开户行换了，扣税的账户要重新签一下」 is 银税三方（委托）划缴协议), not a second reading.
        Not when another reading's target (``others``: the NLU's, the search's) is an option: the
        question between them is the rules' (「在城区养条泰迪要上户口不」 read as 户口登记); nor of a short
        message (CONFIRM_SHORT characters or fewer), whose few grams make any posterior sharp
        (「营业执照的事」 is no 注销税务登记). The targets whose probability the first gathered (``gathered``:
        the plain item of its 「…“一件事”」 or the list item of an authored one, ``_standing_for``; an item
        that only informs of its object, ``_informing_into``) are the same service: their posteriors count
        as its own (「家里老人得了大病，能不能取公积金看病」 is written as 家庭成员患重大疾病提取 and as its 一件事,
        「…学籍咋个转回来」 as 学籍异动政策咨询)."""
        fitting = _fitting(ranked)
        if not fitting or not reading.bayes or len(reading.text) <= CONFIRM_SHORT \
                or any(s.code in others for s in _options(fitting)):
            return False
        first = fitting[0].code
        same = [first, *(gathered or {}).get(first, ())]
        return sum(reading.bayes.get(self._index_of[code], 0.0) for code in same) >= BAYES_SURE

    def _differing_alone(self, ranked: Sequence[Scored], reading: "_Reading") -> Optional[Scored]:

        """The first target, when its name does another thing than the message seems to ask but it is
        DIFFERS_CONFIRM_PROBABILITY likely, ANSWER_LEAD times likelier than the second, and the needs
        the list lacks write the message less than CONFIRM_ELSEWHERE: offered alone, never answered.
        Not when the name does one step of a licence's or certificate's life and the message asks
        another (actions.yaml ``life_steps``, ``documents``): 「出生证明丢了」 asks 补领 of what
        《出生医学证明》首次签发 issues."""
        if not ranked or not ranked[0].action_differs or reading.elsewhere >= CONFIRM_ELSEWHERE \
                or reading.complains:
            return None
        first = ranked[0]
        second = ranked[1].probability if len(ranked) > 1 else 0.0
        if first.probability < DIFFERS_CONFIRM_PROBABILITY or first.probability < ANSWER_LEAD * second:
            return None
        parts = self.targets[self._index_of[first.code]].parts
        steps = self.words.life_steps
        if parts is None or not parts.objects or not normalise(parts.objects[0]).endswith(self.words.documents):
            return first
        return None if parts.actions & steps and reading.wanted & steps else first

    def _informing_into(self, scored: list[Scored], rules: bool = False) -> dict[str, Scored]:
        """An item that only informs (…政策咨询) beside one about the same thing that does it (…办理),
        when the message does not ask to be informed: both readings lead to the doing item's guide,
        which answers the question too, so the informing item's probability is the doing item's
        (``_merged``). The informing item's code → the doing item. Where the message asks what the rules
        are (``rules``: asked_verbs.yaml ``rules``, 「娃娃九月份才满三岁，今年能上公办幼儿园小班不」),
        the other way: the doing item's code → the informing item."""
        doing = _best_by_object(s for s in scored if not self._informs(s.code) and not s.action_differs)
        if rules:
            informing = _best_by_object(s for s in scored if self._informs(s.code) and s.about in doing)
            return {doing[about].code: s for about, s in informing.items()}
        return {s.code: doing[s.about] for s in scored if s.about and self._informs(s.code) and s.about in doing}

    def _standing_for(self, scored: list[Scored]) -> dict[str, "Target"]:
        """A list item for which another target stands (``_stands_for``: an authored item of
        ``same_service.yaml``, the list's 「…“一件事”」) is that target: its probability is the other's,
        and where the other was not scored it takes the list item's place under the other's name
        (``_merged``). The list item's code → the target standing for it."""
        return {s.code: self._stands_for_codes[s.code] for s in scored if s.code in self._stands_for_codes}

    def _said_of_a_twin(self, scored: list[Scored], reading: "_Reading") -> list[Scored]:
        """The first target beside a twin that does the same thing to the same object for someone else
        (单位国际联网备案 and 个人国际联网备案) or the other way (…驾驶证转入 and …驾驶证转出), when the
        message says who the twin is for or which way it goes, and never the first's: the twin takes the
        first place. The citizens' sentences of two such twins are much alike, so their words, not what
        the message says of who or which way, would decide. Likewise a first target whose name only
        says 办理 or 申请, beside a sibling about the same object that does the special thing the message
        asks (会计专业技术人员继续教育办理 and …信息查询 for 「学时记没记上在哪里看」)."""
        fitting = [s for s in scored if not s.action_differs]
        if len(fitting) < 2:
            return scored
        first = fitting[0]
        parts = self.targets[self._index_of[first.code]].parts
        if parts is None or not parts.objects:
            return scored
        if parts.actions and parts.actions <= GENERIC_STEMS and _asks_special(reading.wanted):
            doing = next((s for s in fitting[1:TWIN_POOL] if s.action_agrees and s.probability >= SIBLING_EVIDENCE
                          and first.about and s.about and _same_object(first.about, s.about)), None)
            if doing is not None:
                return _first_given_to(scored, first, doing)
        said = reading.qualifiers | reading.ways
        if not said:
            return scored
        marks = self._marks_of(first.code)
        for twin in fitting[1:TWIN_POOL]:
            if twin.probability < SIBLING_EVIDENCE:
                break  # far less likely: what else the message says is against it (「没得扣缴单位」)
            other = self.targets[self._index_of[twin.code]].parts
            if other is None or not other.objects or other.actions != parts.actions:
                continue
            core, other_core = parts.objects[-1], other.objects[-1]
            for_another = set(parts.qualifiers) != set(other.qualifiers) and (core in other_core or other_core in core)
            if not for_another and self._wayless(first.name) != self._wayless(twin.name):
                continue
            other_marks = self._marks_of(twin.code)
            if (other_marks - marks) & said and not (marks - other_marks) & said:
                return _first_given_to(scored, first, twin)
        return scored

    def _plain_twin(self, scored: list[Scored], reading: "_Reading") -> list[Scored]:
        """The first target, whose name is a twin's name with words put in (分公司注销登记 beside
        公司注销登记, 非公司企业法人分支机构注销登记 beside 非公司企业法人注销登记) that the message does
        not say, and that it does not name by words of its own (「分店关门了」): the plain twin takes the
        first place. The narrower item's citizens say the plain words too, so they would decide."""
        fitting = [s for s in scored if not s.action_differs]
        if len(fitting) < 2 or self._index_of[fitting[0].code] in reading.objects:
            return scored
        first = fitting[0]
        for twin in fitting[1:TWIN_POOL]:
            if twin.probability < SIBLING_EVIDENCE:
                break
            if first.action_agrees and not twin.action_agrees:
                continue  # the words put in do what is asked (…经营许可变更、扩大经营范围 for 「要跟到改」)
            if reading.bayes.get(self._index_of[first.code], 0.0) >= BAYES_CERTAIN:
                break  # its citizens' sentences all but certainly write the message, put-in words and all
            put_in = self._marks_of(first.code) - self._marks_of(twin.code)
            if put_in and put_in <= reading.qualifiers:
                break  # the words put in say who it is for, or who handles it, as the message does (住建行使)
            if _put_in_unsaid(normalise(first.name), normalise(twin.name), reading.text):
                return _first_given_to(scored, first, twin)
        return scored

    def _marks_of(self, code: str) -> frozenset[str]:
        """Who a target is for (its name's qualifiers) and which way it goes (actions.yaml ``directions``)."""
        index = self._index_of[code]
        target = self.targets[index]
        qualifiers = target.parts.qualifiers if target.parts is not None else ()
        way = self._target_ways[index]
        return frozenset(qualifiers) | (frozenset({way}) if way else frozenset())

    def _wayless(self, name: str) -> str:
        """The name with the words that say which way it goes taken out (…驾驶证转入 → …驾驶证)."""
        for names, _said in self.words.directions.values():
            for word in names:
                name = name.replace(word, "")
        return name

    def ways_in(self, text: str) -> frozenset[str]:
        """Which way the message says a transfer goes (actions.yaml ``directions``), when it says one. Where
        it says both, the way its question asks, as ``wanted`` reads the question: 「那边的运输证也转出了，这边
        咋个接收」 tells what happened, then asks for the transfer in."""
        ways = {way for _s, _e, _w, way in self._ways.scan(text)}
        if len(ways) > 1 and (question := self._question(text)) is not None and question != text:
            ways = {way for _s, _e, _w, way in self._ways.scan(question)}
        return frozenset(ways) if len(ways) == 1 else frozenset()

    def _informs(self, code: str) -> bool:
        parts = self.targets[self._index_of[code]].parts
        return parts is not None and bool(parts.actions) and parts.actions <= {INFORMS}

    def _features(self, index: int, reading: "_Reading", search_scores: Mapping[str, float]) -> dict[str, float]:
        """The score's parts for one target (FEATURES, module docstring); the weights are data."""
        target = self.targets[index]
        parts = target.parts
        text = reading.text
        phrases = reading.phrased.get(index, ())
        f = {
            "object": reading.objects.get(index, 0.0),
            "words": reading.similar.get(index, 0.0),
            "phrased": phrases[0] if phrases else 0.0,
            "phrased_others": phrases[1] if len(phrases) > 1 else 0.0,
            "search": search_scores.get(target.code, 0.0) / 100.0,
            "bayes": reading.bayes.get(index, 0.0),
            "lift": min(LIFT_CAP, max(-LIFT_CAP, reading.lifts[index])) if reading.lifts else -LIFT_CAP,
        }
        if not f["words"] and index not in reading.objects:
            # Only a citizen's sentence is alike: the message shares no word with the target's names
            # (「老板把我炒了」 for 失业保险金申领, but also 「帮我推荐一只股票」 for 职业介绍's 「帮我推荐一下」).
            f["phrased_only"] = f["phrased"]
        if parts is not None:
            done = parts.does
            wanted = reading.wanted
            if wanted and done and not done <= GENERIC_STEMS:
                # 登记, 办理, 申请, 核发… are one ordinary thing said several ways (「养狗登记」 is 犬类
                # 准养证核发); a special one (补领, 注销, 变更…) must be said as the name says it. A name
                # that only says 办理 (居民身份证办理) says nothing about which.
                # A name doing a special thing agrees by the special thing asked, not by an ordinary
                # word they share (「办学许可要变更，走啥子审批」 is no …办学许可证延续审批).
                agrees = bool((_special(wanted) if _special(done) else wanted) & done) or (
                    not _asks_special(wanted) and bool(done & ORDINARY_STEMS))
                # Unless the message, longer than CONFIRM_SHORT (whose few grams make any posterior
                # sharp: 「出生医学证明要注销」), names the target's object and its citizens' sentences
                # are sure of it (the naive Bayes, which already weighs what the message asks done,
                # at BAYES_SURE), or they are all but certain of it (BAYES_CERTAIN) whatever it names:
                # the other action word is then a circumstance of the need (「探矿权快到期了…想把探矿权
                # 先保留下来」 asks no 延续 of 探矿权保留登记; 「…电视机和冰箱都打坏了，保险公司要个证明
                # 说是雷打的」 no 换领 of 雷电灾害鉴定).
                # An action the message asks whether was done is no circumstance: the check is asked
                # (「社保卡不晓得激活没得，咋查」 is no 社会保障卡启用（激活）).
                if agrees or f["bayes"] < BAYES_SURE or len(text) <= CONFIRM_SHORT or (
                        index not in reading.objects and f["bayes"] < BAYES_CERTAIN) or done & reading.checked:
                    f["action_agrees" if agrees else "action_differs"] = 1.0
            elif not wanted:
                f["ordinary_action" if not done or done & ORDINARY_STEMS else "special_action"] = 1.0
            goes = self._target_ways[index]
            if goes and reading.ways - {goes}:
                # The name goes one way, the message says the other (「收割机卖给外省的人了，要转出去」 is
                # no 拖拉机/联合收割机转入): another thing than asked, whatever stem they share.
                _does_another_thing(f)
            for qualifier in parts.qualifiers:
                if qualifier in reading.qualifiers:
                    f["qualifier_said"] = f.get("qualifier_said", 0.0) + 1.0
                elif qualifier in self.words.qualifier_audience and qualifier not in UNMARKED_QUALIFIERS:
                    f["qualifier_unsaid"] = f.get("qualifier_unsaid", 0.0) + 1.0
            audience = reading.audience
            if audience and parts.audience in ("citizen", "business", "institution") and parts.audience != audience:
                f["audience_mismatch"] = 1.0
            # A later object of the name is a circumstance the item is for (「领取失业保险金期间丧葬
            # 补助金…」: while drawing unemployment benefit); a message that never says it is about
            # the plain item (遗属待遇申领 for 「丧葬补助金」).
            for obj, weight in self._name_objects[index]:
                if weight == LATER_OBJECT and fuzz.partial_ratio(obj, text) < PARTIAL_OBJECT * 100:
                    f["circumstance_unsaid"] = 1.0
                    break
        if reading.complains and (parts is None or COMPLAINS not in parts.does):
            # A complaint or report about a thing asks nothing of it, whatever the citizens' sentences
            # say (「举报一下，…有人还在帮他领八十岁以上的高龄津贴」 is no 高龄津贴发放).
            _does_another_thing(f)
        if index in reading.refused:
            # Scored only as another reading's target (``consider``): the message says its need is not
            # this one (「校车使用许可已经批下来了，…校车驾驶资格在哪里申请」), which is no answer nor option.
            _does_another_thing(f)
        named = index in reading.objects or f["words"] >= SIMILAR_NAMES or f["phrased"] >= PHRASED_NAMES
        f["named"] = 1.0 if named else 0.0
        return f

    def _scored(self, index: int, features: Mapping[str, float], score: float, probability: float,
                wanted: frozenset[str] = frozenset()) -> Scored:
        target = self.targets[index]
        parts = target.parts
        about = normalise(parts.objects[0]) if parts is not None and parts.objects else None
        special = parts is not None and not features.get("action_agrees") and bool(_special(parts.does) - wanted)
        object_said = features.get("object", 0.0) > 0
        return Scored(target.code, target.name, target.kind, round(score, 3),
                      bool(features.get("named")), bool(features.get("action_agrees")),
                      bool(features.get("action_differs")), about, round(probability, 4),
                      object_said or features.get("words", 0.0) >= SIMILAR_NAMES, special, object_said)


class _NamesAlike:
    """Target index by normalised name or, for a name not on the list, by the one name of the list
    one character longer or shorter (both at least ALIKE_NAME characters): another list's name of
    the same service (广安区's 生育医疗费支付, 防城港市's 生育医疗费用支付) brings its citizens' words along."""

    def __init__(self, by_name: Mapping[str, int]):
        self._by_name = by_name
        self._shorter: dict[str, set[int]] = {}   # a name less one character → targets
        for name, index in by_name.items():
            if len(name) > ALIKE_NAME:
                for variant in _one_less(name):
                    self._shorter.setdefault(variant, set()).add(index)

    def get(self, name: str) -> Optional[int]:
        if name in self._by_name:
            return self._by_name[name]
        found = set(self._shorter.get(name, ())) if len(name) >= ALIKE_NAME else set()
        if len(name) > ALIKE_NAME:
            found |= {self._by_name[variant] for variant in _one_less(name) if variant in self._by_name}
        return found.pop() if len(found) == 1 else None


def _doing_it_instead(scored: list[Scored]) -> list[Scored]:
    """A target whose name does another thing than the message asks, beside a sibling about the same
    object (``_same_object``; one about the very same object first) that does it: the message is about
    that object, and of its items about the sibling, so the first one's probability is the sibling's.
    「妇产医院不开了，做助产和结扎的那个许可要注销」 reads like the citizens of 母婴保健技术服务执业首次申报,
    which does not 注销; 母婴保健技术服务执业许可注销 does. Where no sibling does what is asked
    (「出生证明丢了」: only 《出生医学证明》首次签发), nothing moves; nor does a target less likely than one
    that fits (that one's lead is its own)."""
    agreeing = sorted((s for s in scored if s.action_agrees and s.about), key=lambda s: -s.score)
    fitting = max((s.probability for s in scored if not s.action_differs), default=0.0)
    into: dict[str, Scored] = {}
    for s in scored:
        if s.action_differs and s.about and s.probability >= max(SIBLING_EVIDENCE, fitting):
            sibling = next((a for a in agreeing if a.about == s.about), None) \
                or next((a for a in agreeing if _same_object(s.about, a.about or "")), None)
            if sibling is not None:
                into[s.code] = sibling
    return _merged(scored, into)


def _put_in(longer: str, shorter: str) -> Optional[str]:
    """The words ``longer`` puts into ``shorter`` at one place (分公司注销登记, 公司注销登记 → 「分公司」:
    a one-character insertion is read with the word it makes), or None when it is not ``shorter``
    with words put in."""
    extra = len(longer) - len(shorter)
    if extra <= 0:
        return None
    for i in range(len(shorter) + 1):
        if longer[:i] == shorter[:i] and longer[i + extra:] == shorter[i:]:
            return longer[i:i + extra] if extra > 1 else longer[i:i + 1 + PUT_IN_WORD]
    return None


def _put_in_twice(longer: str, shorter: str) -> Optional[tuple[str, str]]:
    """The words ``longer`` puts into ``shorter`` at two places, each two characters or more
    (文旅类社会团体注销登记前审查, 社会团体注销登记 → 「文旅类」, 「前审查」), or None: past the prefix and
    before the suffix the two share, what is left of ``shorter`` is found in what is left of ``longer``
    with at least two characters on each side."""
    if len(longer) - len(shorter) < 4:
        return None
    prefix = _shared_start(longer, shorter)
    suffix = min(_shared_start(longer[::-1], shorter[::-1]), len(shorter) - prefix)
    middle, window = shorter[prefix:len(shorter) - suffix], longer[prefix:len(longer) - suffix]
    at = window.find(middle, 2) if middle else -1
    while at != -1:
        if len(window) - at - len(middle) >= 2:
            return window[:at], window[at + len(middle):]
        at = window.find(middle, at + 1)
    return None


def _shared_start(one: str, other: str) -> int:
    """How many characters ``one`` and ``other`` start with alike."""
    return next((k for k, (a, b) in enumerate(zip(one, other)) if a != b), min(len(one), len(other)))


def _put_in_words(longer: str, shorter: str) -> tuple[str, ...]:
    """The words ``longer`` puts into ``shorter`` at one place (``_put_in``) or two, or none."""
    once = _put_in(longer, shorter)
    return (once,) if once else (_put_in_twice(longer, shorter) or ())


def _says_part_of(text: str, words: Iterable[str]) -> bool:
    """``text`` says a part (two characters) of one of ``words``, or its short form (产检 of 产前检查)."""
    return any(gram in text for word in words for gram in (*_bigrams(word), _short_form(word))
               if gram and len(gram) == 2)


def _short_form(word: str) -> Optional[str]:
    """The short form of a four-character word of two words, their first characters (产前检查 → 产检,
    公共租赁 → 公租); none of another word."""
    return word[0] + word[2] if len(word) == 4 else None


def _put_in_unsaid(longer: str, shorter: str, text: str) -> bool:
    """``longer`` is ``shorter`` with words put in that ``text`` does not say: put in at one place and
    not said whole (「分公司」) nor by its short form (「产检」), or at two places and no part of either said."""
    words = _put_in_words(longer, shorter)
    if len(words) == 1:
        short = _short_form(words[0])
        return words[0] not in text and not (short and short in text)
    return bool(words) and not _says_part_of(text, words)


def _plain_apart(options: Sequence[Scored], text: str) -> bool:
    """The question's first option is the plain twin of every other, whose names put words into its
    name that the message says no part (two characters) of (非公司企业法人注销登记 beside
    非公司企业法人分支机构注销登记, for 「…不是公司制的，整个企业的执照注销」): the message asks the plain
    item. Stricter than ``_plain_twin``'s order: 「困难家庭的娃娃…低保」 says 困难 of 家庭经济困难儿童提供…,
    so the question between it and 最低生活保障 stays."""
    if len(options) < 2:
        return False
    plain = normalise(options[0].name)
    for other in options[1:]:
        words = _put_in_words(normalise(other.name), plain)
        if not words or _says_part_of(text, words) or (other.action_agrees and not options[0].action_agrees):
            return False
    return True


def _first_given_to(scored: list[Scored], first: Scored, twin: Scored) -> list[Scored]:
    """``scored`` with the probabilities of ``first`` and ``twin`` exchanged, ranked again."""
    swapped = {first.code: twin.probability, twin.code: first.probability}
    scored = [replace(s, probability=swapped.get(s.code, s.probability)) for s in scored]
    scored.sort(key=lambda s: (-s.probability, -s.score, len(s.name), s.code))
    return scored


def _same_object(one: str, other: str) -> bool:
    """Two leading objects name one thing: equal, or one the start of the other, at least SAME_OBJECT long
    (母婴保健技术服务执业 and 母婴保健技术服务执业许可; not 户口 and 户口登记项目内容变更更正证明)."""
    shorter, longer = sorted((one, other), key=len)
    return one == other or (len(shorter) >= SAME_OBJECT and longer.startswith(shorter))


def _one_less(name: str) -> set[str]:
    return {name[:cut] + name[cut + 1:] for cut in range(len(name))}


def _fitting(ranked: Sequence[Scored]) -> list[Scored]:
    """The ranked targets that could be the answer: none whose name does another thing than asked."""
    return [s for s in ranked if not s.action_differs]


def _options(fitting: Sequence[Scored], wanted: frozenset[str] = frozenset(),
             ranked: Sequence[Scored] = ()) -> list[Scored]:
    """The question's options: the targets likely enough, and not far less likely than the first.
    Where fewer are, and the message says the first one's object and asks the special thing it does
    (``wanted``), the targets of that object doing it too, however unlikely a short message leaves
    them (「寺庙要撤销停办」: 宗教活动场所终止审批 or 注销登记审批)."""
    if not fitting:
        return []
    top = fitting[0].probability
    likely = [s for s in fitting
              if s.probability >= OPTION_PROBABILITY and s.probability * ANSWER_LEAD >= top][:MAX_OPTIONS]
    first = fitting[0]
    if len(likely) >= 2 or not (_asks_special(wanted) and _said_and_done(first)) or not _leads_all(first, ranked):
        return likely
    return [s for s in fitting if _said_and_done(s) and s.about == first.about
            and s.probability * ANSWER_LEAD >= top][:MAX_OPTIONS]


def _best_by_object(scored: Iterable[Scored]) -> dict[str, Scored]:
    """Leading object → the highest-scored of ``scored`` about it (those without one left out)."""
    best: dict[str, Scored] = {}
    for s in scored:
        if s.about and (s.about not in best or s.score > best[s.about].score):
            best[s.about] = s
    return best


def _does_another_thing(features: dict[str, float]) -> None:
    """Mark a target's ``features`` as doing another thing than asked, whatever its action agreed with."""
    for agreeing in ("action_agrees", "ordinary_action", "special_action"):
        features.pop(agreeing, None)
    features["action_differs"] = 1.0


def _first_word(text: str, words: Iterable[str], keeps: Callable[[int, int, str], bool]) -> Optional[tuple[int, int]]:
    """(start, end) of the first occurrence of one of ``words`` in ``text`` that ``keeps`` (start, end,
    word) keeps, the longest where several start there; None for none."""
    found = []
    for word in words:
        at = text.find(word)
        while at >= 0 and not keeps(at, at + len(word), word):
            at = text.find(word, at + len(word))
        if at >= 0:
            found.append((at, at + len(word)))
    return min(found, key=lambda span: (span[0], -span[1])) if found else None


def _leads_all(first: Scored, ranked: Sequence[Scored]) -> bool:
    """``first`` is the likeliest of the ``ranked`` targets: none doing another thing than asked is
    likelier (「出租车指标过户」 is 巡游出租汽车车辆经营权变更, whose name says 变更, far likelier than
    不动产转移登记, which does the 过户)."""
    return bool(ranked) and ranked[0] is first


def _said_and_done(target: Scored) -> bool:
    """The message says the target's object and asks what its name does."""
    return target.object_said and target.action_agrees


def _merged(scored: list[Scored], into: Mapping[str, "Scored | Target"]) -> list[Scored]:
    """``scored`` with each target of ``into`` read as the one it maps to: its probability is added
    to that target's, or, where that target was not scored, it takes the target's code and name."""
    if not into:
        return scored
    present = {s.code for s in scored}
    moved: dict[str, float] = {}
    kept = []
    for s in scored:
        other = into.get(s.code)
        if other is None:
            kept.append(s)
        elif other.code in present:
            moved[other.code] = moved.get(other.code, 0.0) + s.probability
        else:
            kept.append(replace(s, code=other.code, name=other.name))
            present.add(other.code)
    return [replace(s, probability=round(s.probability + moved.get(s.code, 0.0), 4)) for s in kept]


def _way_of(name: str, directions: Mapping[str, tuple[Sequence[str], Sequence[str]]]) -> Optional[str]:
    """The one way ``name`` says a transfer goes (``directions``: way → its words in names, in messages)."""
    ways = [way for way, (names, _said) in directions.items() if any(w in name for w in names)]
    return ways[0] if len(ways) == 1 else None


def _gathered(into: Mapping[str, "Scored | Target"]) -> dict[str, tuple[str, ...]]:
    """Of a mapping ``_merged`` reads targets with: each target's code → the codes read as it."""
    gathered: dict[str, list[str]] = defaultdict(list)
    for code, other in into.items():
        gathered[other.code].append(code)
    return {code: tuple(codes) for code, codes in gathered.items()}


def _special(wanted: frozenset[str]) -> frozenset[str]:
    """The special things (补领, 注销, 变更…) among the stems asked, the ordinary ask (办理, 申请…) left out."""
    return wanted - ORDINARY_STEMS


def _asks_special(wanted: frozenset[str]) -> bool:
    """The message asks something special done, not only the ordinary ask."""
    return bool(_special(wanted))


def _decide(ranked: Sequence[Scored], wanted: frozenset[str] = frozenset(), elsewhere: float = 0.0,
            short: bool = False) -> str:
    """``answer``: the first target is likely and far likelier than the second; ``ask``: two to four
    targets are likely and close; ``confirm``: none of these, but the first target is fairly likely
    (CONFIRM_PROBABILITY: with no second option, at least 1.5 times the second), the needs the list
    lacks write the message less than CONFIRM_ELSEWHERE and a ``short`` message says the target's words
    or what its name does; otherwise ``handoff``. A target whose name does another thing
    than the message asks is never the answer nor an option (「出生证明丢了」 is no 《出生医学证明》首次签发,
    which would list first-issue materials).

    A first target whose own words the message says, and that does the special thing the message asks
    (``wanted``: 注销, 变更, 补领…), is the answer at a lower bar (SAID_AND_ASKED_PROBABILITY): few
    citizens' sentences are like 「超市不开了，食品证要注销」, but its object and its action are both said.
    Such a target leads by SAID_ALONE_LEAD where no target close behind it (ANSWER_LEAD) is named by
    words of the message: 「营业执照弄丢了」 is 证照遗失补领, however like 补办 sentences of other
    licences it sounds. And at OPTION_PROBABILITY, leading by SAID_ALONE_LEAD, where the message says its
    object, no other of the first MAX_OPTIONS targets is so said and asked, no target doing another thing
    is likelier (``_leads_all``) and the needs the list lacks do not write it (CONFIRM_ELSEWHERE): a long
    message 「理发店店名改了…卫生许可证上的这些信息要改过来」 is like few sentences of any target. Targets
    of one object that all do it are the question's options (``_options``)."""
    fitting = _fitting(ranked)
    if not fitting:
        return "handoff"
    first = fitting[0]
    second = fitting[1].probability if len(fitting) > 1 else 0.0
    said_and_asked = first.said and first.action_agrees and _asks_special(wanted)
    bar = SAID_AND_ASKED_PROBABILITY if said_and_asked else ANSWER_PROBABILITY
    if first.probability >= bar and first.probability >= ANSWER_LEAD * second:
        return "answer"
    if said_and_asked and first.probability >= bar and not any(
            s.said for s in fitting[1:] if s.probability * ANSWER_LEAD >= first.probability) and \
            first.probability >= SAID_ALONE_LEAD * second:
        return "answer"
    if len(_options(fitting, wanted, ranked)) >= 2:
        return "ask"
    if _asks_special(wanted) and _said_and_done(first) and first.probability >= SAID_ALONE_LEAD * second \
            and first.probability >= OPTION_PROBABILITY and _leads_all(first, ranked) and elsewhere < CONFIRM_ELSEWHERE \
            and not any(_said_and_done(s) for s in fitting[1:MAX_OPTIONS]):
        # The message says the object of one target only that does the special thing it asks, however
        # little a long message is like its citizens' sentences (「理发店店名改了…卫生许可证上的这些信息要改过来」).
        return "answer"
    if first.probability >= CONFIRM_PROBABILITY and elsewhere < CONFIRM_ELSEWHERE and (
            not short or first.said or first.action_agrees):
        return "confirm"
    return "handoff"


def wrapped_items(targets: Sequence[Target]) -> dict[str, Target]:
    """Item's code → the 一件事 of the same list that wraps it: a list may name one service twice, as
    the item and as the reform's one-stop 「…“一件事”」 (防城港市: 家庭成员患重大疾病提取 and
    家庭成员患重大疾病提取公积金“一件事”). The 一件事's name, its marker taken out, holds the item's name
    in order with at most WRAPPER_EXTRA characters more (公积金), and holds no other item's so, nor is
    the item held so by another 一件事: the citizen asks for one service, and the one-stop 一件事 is its
    answer. Read from the names alone."""
    plain = [(normalise(t.name), t) for t in targets if t.kind == "item" and ONE_THING not in t.name]
    wrappers: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        if target.kind != "item" or ONE_THING not in target.name:
            continue
        core = _ONE_THING_MARKER.sub("", normalise(target.name))
        inside = [t for name, t in plain if len(name) >= WRAPPED_MIN and len(core) - WRAPPER_EXTRA <= len(name)
                  <= len(core) and _in_order(name, core)]
        if len(inside) == 1:
            wrappers[inside[0].code].append(target)
    return {code: found[0] for code, found in wrappers.items() if len(found) == 1}


def _in_order(part: str, whole: str) -> bool:
    """Every character of ``part`` is in ``whole``, in the same order."""
    rest = iter(whole)
    return all(character in rest for character in part)


def build_targets(rows: Iterable[tuple[str, str, str, Sequence[str], bool]], words: Words) -> list[Target]:
    """``rows``: (code, name, kind, aliases, has_guide) of every item and 一件事."""
    targets = []
    for code, name, kind, aliases, has_guide in rows:
        names = tuple(dict.fromkeys(normalise(n) for n in (name, *aliases) if normalise(n)))
        parts = parse_name(name, words) if kind == "item" else None
        targets.append(Target(code, name, kind, names, parts, has_guide))
    return targets
