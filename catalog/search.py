"""Find items and bundles from a citizen's free wording (「社保卡丢了怎么补」).

Both the question and every catalog name/alias are brought to one canonical form
(normalise → phrase synonyms); the question also loses its filler words (jieba tokens,
with the catalog names in the tokenizer so they are never split). Entries sharing a
character bigram with the question are then scored:

    score = 100 · (0.45 · LCS/len(question) + 0.25 · shared bigrams/question bigrams + 0.30 · LCS/len(entry))

i.e. mostly "how much of the question this entry explains", a little "how much of the
entry the question mentions" — so 「社保卡」 scores 申领/补领/注销 close together (ambiguous)
while 「社保卡补领」 separates them. A target's score is its best entry's; only an exact name or
alias scores 100, and items with an authored guide get a small prior (GUIDED_PRIOR).

A name or alias of at least MIN_CONTAINED_LENGTH characters found verbatim in the question
(before filler words are dropped) also scores 100: 「办社保卡要带啥」 names 社会保障卡申领 by its
alias 「办社保卡」 although the bare 「社保卡」 left after dropping 「办」 fits three items. Where
such names overlap, only the longest counts (「户口登记项目内容变更更正证明」 does not also
name 户口登记; 「本人办社保卡丢了」 is 「社保卡丢了」, not 「办社保卡」). A name yields, and is only
ranked, where another target's longer name contains it and says more of the question: 「残疾证丢了
咋个补」 says the alias 「残疾证」 of 残疾人证新办, but 残疾人证挂失补办 says 「残疾证」 and 「补」.

For callers: the question is ambiguous when the best score is below 100 and others are
within a few points of it.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Collection, Iterable, Optional

import yaml
from rapidfuzz.distance import LCSseq
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached, memoised
from catalog.models import Bundle, BundleAlias, Item, ItemAlias
from catalog.segment import cut, new_tokenizer
from catalog.text import normalise
from catalog.types import Candidate
from catalog.words import Scanner

log = logging.getLogger(__name__)

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "search_lexicon.yaml"
CATALOG_WORD_FREQ = 20000  # high enough that jieba keeps a catalog name in one piece
_NOT_HAN_OR_ALNUM = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_WORD_SEPARATORS = re.compile(r"[^\u3400-\u9fff0-9A-Za-z]+")
_BRACKETED = re.compile(r"[（(《【\[][^）)》】\]]*[）)》】\]]")
_PARENTHESISED = re.compile(r"[（(][^）)]*[）)]")  # a name's qualifier: 「（备案）」「（县级）」
MIN_SCORE = 20.0
MIN_CONTAINED_LENGTH = 3
EXACT_SCORE = 100.0
ACTION_MISMATCH = 0.75  # a name that says another thing is done than the question asks


@dataclass(frozen=True)
class Lexicon:
    filler: frozenset[str]
    query_words: dict[str, str]
    phrases: dict[str, str]
    canonical_forms: frozenset[str]
    actions: tuple[tuple[str, str], ...] = ()  # (word, stem): what a name says is done
    names: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (citizens' word, the target names it names alike)
    _rewrites: Scanner[str] = field(init=False, repr=False, compare=False)

    def without_names_of(self, names: Collection[str]) -> "Lexicon":
        """This lexicon without its words for the targets ``names`` (a word naming others keeps those):
        ``catalog.ranking.without_rows_for``."""
        gone = {normalise(name) for name in names}
        kept = [(word, tuple(n for n in named if n not in gone)) for word, named in self.names]
        return replace(self, names=tuple((word, named) for word, named in kept if named))

    def actions_in(self, text: str) -> frozenset[str]:
        """The stems of the action words in ``text`` (canonical form): 「补领」→{补领}, 「补换证」→{补领, 换领}."""
        return frozenset(stem for word, stem in self.actions if word in text)

    def __post_init__(self) -> None:
        # Text already in catalog form is kept as it is: a canonical form maps to itself, over a
        # phrase of the same words.
        rewrites = {**self.phrases, **{form: form for form in self.canonical_forms}}
        object.__setattr__(self, "_rewrites", Scanner(rewrites))

    def rewrite_phrases(self, text: str) -> str:
        """Longest-match phrase mapping; text already in catalog form is copied unchanged."""
        return self._rewrites.rewrite(text)


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    phrases = {normalise(k): normalise(v) for k, v in (data.get("phrases") or {}).items()}
    keep = {normalise(w) for w in data.get("keep") or []}
    return Lexicon(
        filler=frozenset(normalise(w) for w in data.get("filler") or []),
        query_words={normalise(k): normalise(v) for k, v in (data.get("query_words") or {}).items()},
        phrases=phrases,
        canonical_forms=frozenset(phrases.values()) | keep,
        actions=tuple((normalise(word), normalise(stem))
                      for stem, words in (data.get("actions") or {}).items() for word in words),
        names=tuple((normalise(word), tuple(normalise(name) for name in names))
                    for word, names in (data.get("names") or {}).items()),
    )


def _compact(text: str) -> str:
    """Lower-case, letters/digits/Han only: punctuation never helps matching."""
    return _NOT_HAN_OR_ALNUM.sub("", text.lower())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def entry_forms(name: str) -> list[str]:
    """A catalog name and its bracket-free short form (「居民身份证办理（包括临时）」→「居民身份证办理」)."""
    forms = [name]
    short = _BRACKETED.sub("", name)
    if short and short != name:
        forms.append(short)
    return forms


# Items with an authored guide are the high-frequency ones (CATALOG.md "core items"): when
# a question fits several items equally (「社保卡」), they should come first.
GUIDED_PRIOR = 4.0


@dataclass(frozen=True)
class _Target:
    code: str
    name: str
    kind: str
    prior: float = 0.0


class SearchIndex:
    def __init__(self, targets: list[tuple[_Target, list[str]]], lexicon: Lexicon):
        self.lexicon = lexicon
        self.targets: list[_Target] = []
        self.entries: list[tuple[str, int, frozenset[str]]] = []  # (canonical text, target index, bigrams)
        self.entry_actions: list[frozenset[str]] = []  # per entry: the action stems its text says
        self.by_bigram: dict[str, list[int]] = {}
        self.by_char: dict[str, list[int]] = {}
        self.by_form: dict[str, list[int]] = {}  # canonical entry text → target indexes
        self.forms_of: dict[str, list[str]] = {}  # target code → its canonical entry texts
        self._longest_form: int | None = None
        self._form_prefixes: frozenset[str] | None = None
        self._extensions_of: dict[str, list[tuple[frozenset[str], int]]] = {}
        self._actions_of: dict[str, frozenset[str]] | None = None  # target code → what its name says is done
        self._by_object: dict[str, list[str]] | None = None  # what a name is about → item codes
        self._object_of: dict[str, str] = {}  # item code → what its name is about, actions left out
        words: set[str] = set()
        for target, names in targets:
            index = len(self.targets)
            self.targets.append(target)
            for form in dict.fromkeys(self._canonical(n) for name in names for n in entry_forms(name)):
                if form:
                    self._add_entry(form, index)
            for name in names:  # both as written and as queries are rewritten before cutting
                for form in {normalise(name), lexicon.rewrite_phrases(normalise(name))}:
                    words.update(_WORD_SEPARATORS.split(form))
        words.update(lexicon.phrases)
        words.update(lexicon.phrases.values())
        words.update(lexicon.query_words)
        self.tokenizer = new_tokenizer((w, CATALOG_WORD_FREQ) for w in sorted(words) if len(w) > 1)

    def _canonical(self, text: str) -> str:
        return _compact(self.lexicon.rewrite_phrases(normalise(text)))

    def _add_entry(self, form: str, target_index: int) -> None:
        entry_index = len(self.entries)
        grams = frozenset(_bigrams(form))
        self.entries.append((form, target_index, grams))
        self.entry_actions.append(self.lexicon.actions_in(form))
        self.by_form.setdefault(form, []).append(target_index)
        self.forms_of.setdefault(self.targets[target_index].code, []).append(form)
        for gram in grams:
            self.by_bigram.setdefault(gram, []).append(entry_index)
        for char in set(form):
            self.by_char.setdefault(char, []).append(entry_index)

    def query_form(self, text: str) -> str:
        """The question reduced to what names the need: 「社保卡丢了怎么补」→「社会保障卡补领」."""
        text = self.lexicon.rewrite_phrases(normalise(text).lower())
        kept: dict[str, None] = {}  # ordered, and a repeated word costs no scan of the kept ones
        for token in cut(self.tokenizer, text):
            token = self.lexicon.query_words.get(token, token)
            if token not in self.lexicon.filler:
                kept.setdefault(token)
        return _compact("".join(kept))

    def _candidate_entries(self, query: str) -> set[int]:
        grams = _bigrams(query)
        found: set[int] = set()
        for gram in grams:
            found.update(self.by_bigram.get(gram, ()))
        if not found:  # one or two characters, or every bigram misspelt
            for char in set(query):
                found.update(self.by_char.get(char, ()))
        return found

    def _named_spans(self, full: str) -> list[tuple[int, int, list[int]]]:
        """(start, end, target indexes) of the names and aliases in canonical text ``full``; of
        overlapping names the longest wins (「本人办社保卡丢了」: 「社保卡丢了」, not 「办社保卡」).

        Linear in the text's length: each position tries at most ``longest_form`` lengths, and the
        spans are then filtered by one sort and one pass over a per-character occupancy list."""
        found: list[tuple[int, int, list[int]]] = []  # (start, end, target indexes)
        prefixes = self.form_prefixes
        for start in range(len(full)):
            for end in range(start + 1, min(len(full), start + self.longest_form) + 1):
                piece = full[start:end]
                if piece not in prefixes:
                    break  # no name goes on this way: stop extending (a trie walk, without the trie)
                targets = self.by_form.get(piece) if end - start >= MIN_CONTAINED_LENGTH else None
                if targets:
                    found.append((start, end, targets))
        # A name inside a longer one is part of it (「营业执照」 in 「注销营业执照」), even where that
        # longer one then yields to an overlapping name of its own target. Sorted by start, longest
        # first, a span lies inside another exactly when an earlier span reaches as far.
        outermost: list[tuple[int, int, list[int]]] = []
        reach = -1
        for start, end, targets in sorted(found, key=lambda span: (span[0], -span[1])):
            if end > reach:
                outermost.append((start, end, targets))
                reach = end
        chosen: list[tuple[int, int, list[int]]] = []
        taken = [False] * len(full)
        for start, end, targets in sorted(outermost, key=lambda span: (span[0] - span[1], span[0])):
            if not any(taken[start:end]):  # longest first, no overlap
                chosen.append((start, end, targets))
                taken[start:end] = [True] * (end - start)
        return sorted(chosen, key=lambda span: span[0])

    def _named(self, text: str) -> set[int]:
        """Targets named word for word, less those whose name a longer name extends with more of
        the question: 「残疾证丢了咋个补」 says the alias 「残疾证」 (残疾人证新办), but
        残疾人证挂失补办 is 「残疾证」 and 「补办」, so the ranking decides between them.

        What a longer name adds is looked for in the whole question's query form, computed once
        (less the bigrams of the name itself): no step re-reads the message per name found."""
        full = self._canonical(text)
        spans = self._named_spans(full)
        question: Optional[set[str]] = None
        named: set[int] = set()
        for start, end, targets in spans:
            form = full[start:end]
            extensions = self._extensions(form)
            if extensions and question is None:
                question = _bigrams(self.query_form(full))
            rest = (question or set()) - _bigrams(form) if extensions else set()
            named.update(target for target in targets
                         if not any(other != target and rest & more for more, other in extensions))
        return named

    def _extensions(self, form: str) -> list[tuple[frozenset[str], int]]:
        """(bigrams of what it adds, target index) of every longer name containing ``form``."""
        if form not in self._extensions_of:
            self._extensions_of[form] = [
                (frozenset(_bigrams(entry.replace(form, "，"))), target)
                for entry, target, _ in (self.entries[i] for i in sorted(self._candidate_entries(form)))
                if form in entry and entry != form
            ]
        return self._extensions_of[form]

    def asked_otherwise(self, wanted: frozenset[str], codes: Iterable[str]) -> set[str]:
        """Those of ``codes`` whose own name says something is done that the question does not
        ask for, while it asks for something (``wanted``, see ``wanted()``): 「出生证明丢了要咋个补」
        wants a 补领, and 《出生医学证明》首次签发 is a first issue however exactly its alias
        「出生证明」 is said."""
        if not wanted:
            return set()
        return {code for code in codes if (done := self._name_actions(code)) and not wanted & done}

    def wanted(self, text: str, query: Optional[str] = None) -> frozenset[str]:
        """What the question says it wants done, as written or as its query reads (「查下公积金」:
        the query drops 「下」 as filler)."""
        query = self.query_form(text) if query is None else query
        return self.lexicon.actions_in(query) | self.lexicon.actions_in(normalise(text).lower())

    def variant_asked(self, code: str, wanted: frozenset[str]) -> Optional[str]:
        """The one other item about the same thing as ``code`` whose name does what the question asks
        (``wanted``) and ``code``'s does not: 「营业执照地址变了要改」 names 个体工商户设立登记 by its
        alias 「营业执照」 and asks for a 变更, which 个体工商户变更登记（备案） is. Two names are about
        the same thing when they are equal once their action words and qualifiers are left out."""
        if not wanted or wanted & self._name_actions(code):
            return None
        self._index_objects()
        about = self._object_of.get(code)
        variants = [other for other in (self._by_object or {}).get(about or "", ())
                    if other != code and wanted & self._name_actions(other)]
        return variants[0] if len(variants) == 1 else None

    def _index_objects(self) -> None:
        if self._by_object is not None:
            return
        words = sorted({word for word, _stem in self.lexicon.actions}, key=len, reverse=True)
        by_object: dict[str, list[str]] = {}
        for target in self.targets:
            if target.kind != "item":
                continue
            about = _PARENTHESISED.sub("", self._canonical(target.name))
            for word in words:
                about = about.replace(word, "")
            about = _compact(about)
            if about:
                self._object_of[target.code] = about
                by_object.setdefault(about, []).append(target.code)
        self._by_object = by_object

    def _name_actions(self, code: str) -> frozenset[str]:
        if self._actions_of is None:
            self._actions_of = {target.code: self.lexicon.actions_in(self._canonical(target.name))
                                for target in self.targets}
        return self._actions_of.get(code, frozenset())

    def name_extends(self, code: str, words: str) -> bool:
        """A name or alias of ``code`` says ``words`` and more (「社保卡」 → 「社会保障卡补领…」)."""
        said = self._canonical(words)
        return bool(said) and any(said in form and said != form for form in self.forms_of.get(code, ()))

    @property
    def form_prefixes(self) -> frozenset[str]:
        """Every beginning of a name or alias in canonical form (「社」「社会」「社会保」…)."""
        if self._form_prefixes is None:
            self._form_prefixes = frozenset(form[:n] for form in self.by_form for n in range(1, len(form) + 1))
        return self._form_prefixes

    @property
    def longest_form(self) -> int:
        if self._longest_form is None:
            self._longest_form = max((len(form) for form in self.by_form), default=0)
        return self._longest_form

    def search(self, text: str, limit: int = 5) -> list[Candidate]:
        query = self.query_form(text)
        if not query:
            return []
        query_grams = _bigrams(query)
        # Said word for word, or word for word once filler words are gone (「社保卡咋个注销」 is
        # 社会保障卡注销); the message as written decides when it names something itself.
        named = self._named(text) or self._named(query)
        best: dict[int, float] = dict.fromkeys(named, EXACT_SCORE)
        wanted = self.wanted(text, query)
        for entry_index in self._candidate_entries(query):
            form, target_index, grams = self.entries[entry_index]
            score = _score(query, query_grams, form, grams)
            if score < 100.0:  # only an exact name reaches 100
                score = min(99.0, score + self.targets[target_index].prior)
                done = self.entry_actions[entry_index]
                if wanted and done and not wanted & done:
                    # The question wants one thing done, the name says another (「驾照到期了在哪换」:
                    # 换领, against 机动车驾驶证公证): the same object is no close match.
                    score *= ACTION_MISMATCH
            if score > best.get(target_index, 0.0):
                best[target_index] = score
        ranked = sorted(best.items(), key=lambda pair: (-pair[1], self.targets[pair[0]].kind != "bundle",
                                                        len(self.targets[pair[0]].name), self.targets[pair[0]].code))
        return [
            Candidate(code=t.code, name=t.name, kind=t.kind, score=round(score, 1))  # type: ignore[arg-type]
            for t, score in ((self.targets[i], s) for i, s in ranked[:limit])
            if score >= MIN_SCORE
        ]


def _score(query: str, query_grams: set[str], entry: str, entry_grams: frozenset[str]) -> float:
    if query == entry:
        return 100.0
    common = LCSseq.similarity(query, entry)
    query_cover = common / len(query)
    entry_cover = common / len(entry)
    gram_cover = len(query_grams & entry_grams) / len(query_grams) if query_grams else query_cover
    # An exact match is 100; anything else stays just under it. A lone character that is not
    # itself a name (「在」) explains nothing, however fully it is "covered".
    confidence = 0.5 if len(query) == 1 else 1.0
    return min(99.0, confidence * 100.0 * (0.45 * query_cover + 0.25 * gram_cover + 0.30 * entry_cover))


def _load_targets(session: Session) -> list[tuple[_Target, list[str]]]:
    names: dict[tuple[str, str], list[str]] = {}
    targets: dict[tuple[str, str], _Target] = {}
    for code, name, has_guide in session.execute(select(Item.code, Item.name, Item.has_guide)):
        targets[("item", code)] = _Target(code, name, "item", GUIDED_PRIOR if has_guide else 0.0)
        names[("item", code)] = [name]
    for code, alias in session.execute(select(ItemAlias.item_code, ItemAlias.alias)):
        names[("item", code)].append(alias)
    for code, name in session.execute(select(Bundle.code, Bundle.name)):
        targets[("bundle", code)] = _Target(code, name, "bundle", GUIDED_PRIOR)
        names[("bundle", code)] = [name]
    for code, alias in session.execute(select(BundleAlias.bundle_code, BundleAlias.alias)):
        names[("bundle", code)].append(alias)
    return [(targets[key], names[key]) for key in sorted(targets)]


def _with_lexicon_names(targets: list[tuple[_Target, list[str]]],
                        lexicon: Lexicon) -> list[tuple[_Target, list[str]]]:
    """Each target with the lexicon's words that name it among others (``names:``); a name the
    catalog does not have (another county's list) is skipped."""
    by_name = {normalise(target.name): names for target, names in targets}
    for word, named in lexicon.names:
        for name in named:
            if name in by_name:
                by_name[name].append(word)
            else:
                log.debug("search lexicon: %r names %r, which is not in this catalog", word, name)
    return targets


def build_index(session: Session, lexicon: Optional[Lexicon] = None) -> SearchIndex:
    """The search index of the session's catalog, with ``lexicon`` (default: the search lexicon file)."""
    lexicon = lexicon or load_lexicon()
    index = SearchIndex(_with_lexicon_names(_load_targets(session), lexicon), lexicon)
    log.info("search index built: %d targets, %d entries", len(index.targets), len(index.entries))
    return index


def search_index(session: Session) -> SearchIndex:
    return cached(session, "search_index", build_index)


def search(session: Session, text: str, limit: int = 5) -> list[Candidate]:
    """Top ``limit`` items/bundles for a free-text question, best first, scores 0..100."""
    return search_index(session).search(text, limit)


def name_extends(session: Session, code: str, words: str) -> bool:
    """Whether a name or alias of ``code`` contains ``words`` (in catalog form) and says more."""
    return search_index(session).name_extends(code, words)


def _wanted(session: Session, text: str) -> frozenset[str]:
    """What ``text`` asks to be done, remembered per message: one turn asks it of several lists."""
    return memoised(session, "wanted_actions", text, lambda: search_index(session).wanted(text))


def asked_otherwise(session: Session, text: str, codes: Iterable[str]) -> set[str]:
    """The ``codes`` whose names say another thing is done than ``text`` asks for (none when it asks none)."""
    return search_index(session).asked_otherwise(_wanted(session, text), codes)


def variant_asked(session: Session, code: str, text: str) -> Optional[str]:
    """The item about the same thing as ``code`` that does what ``text`` asks for, when there is one."""
    return search_index(session).variant_asked(code, _wanted(session, text))


def catalog_words(session: Session) -> Iterable[str]:
    """Names and aliases as the tokenizer knows them (for the exported jieba dictionary)."""
    for _target, names in _load_targets(session):
        yield from names
