"""The general resolver: one ranking of the county's whole list for a citizen's words.

Every target (item or 一件事) is described by data only: its name, its aliases, the item model's
parts of its name (objects, actions, qualifiers, audience: ``catalog.item_model``), the citizens'
words that name it (``catalog/data/words/colloquial.yaml``, the search lexicon's ``names``) and
the citizens' sentences that ask for it (``catalog/data/words/phrasings/``). A message is read
once, left to right, by longest-match scanners (the objects it names, the actions it wants, its
qualifiers, who asks) and as character bigrams; each target then gets one score from:

- **object** — the message names what the target is about (an object of its name, an alias, or a
  citizen's word for it); the leading object of a name counts more than a later one, and a longer
  span more than a shorter one (「困难残疾人生活补贴」 over 「生活补贴」);
- **action** — what the message asks done agrees with what the name does (「丢了」 → 补领), or, when
  the message asks nothing in particular, the name does the ordinary thing (申领, 新办, 登记…), not
  a special one (注销, 变更, 补领…);
- **words** — TF-IDF cosine of character bigrams between the message and the target's names;
- **phrased** — the best such cosine with one of the target's citizens' sentences;
- **who** — for-whom qualifiers of the name the message says (退役军人) or does not say, a
  circumstance of the name it never says (「领取失业保险金期间…」), and whether a business item is
  asked for by a citizen;
- **search** — the catalog search's score of the target (``catalog.search``), which carries the
  authored aliases and the phrase lexicon of the core items.

``Resolution.decision``: ``answer`` (one target clearly first: named and ahead, or far ahead),
``ask`` (two to four close targets, each named), or ``handoff`` (nothing the message names). A
target whose name does another thing than the message asks is neither. Thresholds are constants
below, calibrated on tests/longtail/tune.yaml only.

Pure: no database and no I/O; ``catalog.queries.resolve`` builds the index from a session.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from rapidfuzz import fuzz

from catalog.item_model import ItemParts, parse_name
from catalog.text import normalise
from catalog.words import ColloquialEntry, Scanner, Words

# Weights of the score's parts (see the module docstring).
OBJECT_WEIGHT = 2.0
LEADING_OBJECT = 1.0
LATER_OBJECT = 0.6
SPAN_BONUS = 0.04           # per character of the object span the message says
ACTION_AGREES = 1.0
ACTION_DIFFERS = -1.2
ORDINARY_ACTION = 0.3       # nothing asked in particular, and the name does the ordinary thing
SPECIAL_ACTION = -0.4       # nothing asked in particular, and the name does a special thing
WORDS_WEIGHT = 1.5
QUALIFIER_SAID = 0.4
QUALIFIER_UNSAID = -0.35
AUDIENCE_MISMATCH = -0.4
CIRCUMSTANCE_UNSAID = -0.5
SEARCH_WEIGHT = 0.5
PHRASED_WEIGHT = 2.0        # the best cosine with one of the target's citizens' sentences
PHRASED_NAMES = 0.5         # a sentence that close names the target
COMMON_BIGRAM = 0.03        # bigrams in more of the sentences than this are left out
GUIDED_PRIOR = 0.15

# Decision thresholds (calibrated on the tune half of the long-tail set, never on the held-out half).
ANSWER_SCORE = 2.0
ANSWER_MARGIN = 0.45
CLEAR_SCORE = 1.8
CLEAR_MARGIN = 0.6
ASK_SCORE = 2.0
ASK_MARGIN = 0.8
MAX_OPTIONS = 4
OVERRIDE_MARGIN = 1.5       # how far the answer must lead another reading's target to replace it
VARIANT_MARGIN = 0.3        # ... when that target is about the same thing but does not do what is asked
POOL = 30                   # targets most alike in bigrams that are scored in full
MIN_OBJECT = 3              # a shorter object of a name (公司, 医院, 离婚) is too common a word to name it
PARTIAL_OBJECT = 0.8
SHORT_OBJECT = 4            # an object this short is said exactly or not at all (分公司 ≠ 公司)
ALIAS_OBJECT = 0.7
SIMILAR_NAMES = 0.35        # bigram cosine at which the message names a target without an object word

ORDINARY_STEMS = frozenset({"新办", "申领", "申请", "登记", "核发", "办理", "认定", "审批", "申报"})
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


@dataclass(frozen=True)
class Resolution:
    decision: str                   # answer | ask | handoff
    ranked: tuple[Scored, ...]
    wanted: frozenset[str] = frozenset()
    considered: Mapping[str, Scored] = field(default_factory=dict)  # the considered codes, scored

    def outranks(self, codes: Iterable[str]) -> bool:
        """The answer is none of ``codes`` and leads each of them by OVERRIDE_MARGIN: what another
        reading settled on is only a word of the message (「身份证都在身上，失业保险金去哪申请」).
        A variant of the same thing that does what the message asks, where the other does not,
        needs only VARIANT_MARGIN (「户口被注销了…想恢复」 is 户口恢复, not 户口注销)."""
        if self.decision != "answer":
            return False
        top = next(s for s in self.ranked if not s.action_differs)

        def leads(code: str) -> bool:
            other = self.considered.get(code)
            if other is None:
                return code != top.code
            variant = other.about == top.about and top.action_agrees and not other.action_agrees
            return code != top.code and top.score - other.score >= (VARIANT_MARGIN if variant else OVERRIDE_MARGIN)

        return all(leads(code) for code in codes)

    @property
    def codes(self) -> list[str]:
        """The answer's one code, or the question's options; empty for a handoff."""
        fitting = [s for s in self.ranked if not s.action_differs]
        if self.decision == "answer":
            return [fitting[0].code]
        if self.decision == "ask":
            top = fitting[0].score
            return [s.code for s in fitting if s.named and top - s.score <= ASK_MARGIN][:MAX_OPTIONS]
        return []


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
        """Document number → cosine with ``text``, for the documents sharing a bigram with it."""
        found: dict[int, float] = {}
        for gram, value in self._unit_vector(Counter(_bigrams(text))).items():
            for number, weight in self._postings.get(gram, ()):
                found[number] = found.get(number, 0.0) + value * weight
        return found


@dataclass
class ResolverIndex:
    targets: list[Target]
    words: Words
    colloquial: Sequence[ColloquialEntry] = ()
    lexicon_names: Mapping[str, Sequence[str]] = field(default_factory=dict)  # word → target names
    phrasings: Sequence[tuple[str, str]] = ()  # (target name, a citizen's sentence for it)

    def __post_init__(self) -> None:
        by_name = {normalise(t.name): i for i, t in enumerate(self.targets)}
        self._index_of = {t.code: i for i, t in enumerate(self.targets)}
        object_of: dict[str, set[tuple[int, float]]] = {}

        def reach(word: str, index: int, weight: float) -> None:
            word = normalise(word)
            if len(word) >= 2:
                object_of.setdefault(word, set()).add((index, weight))

        by_object: dict[str, list[tuple[int, float]]] = {}
        self._name_objects: list[tuple[tuple[str, float], ...]] = []
        for index, target in enumerate(self.targets):
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
            self._name_objects.append(tuple(objects))
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
                for index, weight in by_object.get(entry.means, ()):
                    reach(entry.word, index, weight)
                    docs[index].append(entry.word)
        for entry in self.colloquial:  # a citizen's sentence is words that name its item too
            if normalise(entry.expect) in by_name:
                docs[by_name[normalise(entry.expect)]].append(entry.example)
        for word, names in self.lexicon_names.items():
            for name in names:
                if normalise(name) in by_name:
                    reach(word, by_name[normalise(name)], LEADING_OBJECT)
        self._objects = Scanner({word: frozenset(reached) for word, reached in object_of.items()})
        actions = {w: stem for w, (kind, stem) in self.words.names.items() if kind == "action"}
        actions.update({e.word: e.stem for e in self.colloquial if e.section == "actions" and e.stem})
        self._actions = Scanner(actions)
        self._qualifiers = Scanner({w: value for w, (kind, value) in self.words.names.items()
                                    if kind in ("qualifier", "scope")})
        self._askers = {e.word: e.audience for e in self.colloquial if e.section == "askers" and e.audience}
        self._asker_scanner = Scanner(self._askers)
        # What each target is called: its names, citizens' words and lexicon examples.
        self._names_index = _BigramIndex([[normalise(text) for text in doc] for doc in docs])
        self._index_phrasings(by_name)

    def _index_phrasings(self, by_name: Mapping[str, int]) -> None:
        """Every citizen's sentence of the phrasing bank is a document of its own."""
        rows = [(by_name[normalise(name)], sentence) for name, sentence in self.phrasings
                if normalise(name) in by_name]
        self._phrase_target = [index for index, _ in rows]
        self._phrase_index = _BigramIndex([[sentence] for _, sentence in rows], common=COMMON_BIGRAM)

    def _phrased(self, text: str) -> dict[int, float]:
        """Target index → the best cosine of the message with one of its citizens' sentences."""
        best: dict[int, float] = {}
        for number, similarity in self._phrase_index.cosines(text).items():
            target = self._phrase_target[number]
            if similarity > best.get(target, 0.0):
                best[target] = similarity
        return best

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

    def wanted(self, text: str) -> frozenset[str]:
        return frozenset(stem for _s, _e, _w, stem in self._actions.scan(text))

    def qualifiers_in(self, text: str) -> frozenset[str]:
        return frozenset(value for _s, _e, _w, value in self._qualifiers.scan(text))

    def audience_of(self, text: str) -> Optional[str]:
        said = {audience for _s, _e, _w, audience in self._asker_scanner.scan(text)}
        return said.pop() if len(said) == 1 else None

    def _similarities(self, text: str) -> dict[int, float]:
        return self._names_index.cosines(text)

    # ------------------------------------------------------------ one ranking

    def rank(self, text: str, search_scores: Mapping[str, float] | None = None, limit: int = 8,
             consider: Iterable[str] = ()) -> Resolution:
        """``text``: the message (places and situation words may be taken out by the caller);
        ``search_scores``: the catalog search's scores (0..100) by code, when the caller has them;
        ``consider``: codes scored whatever their words (another reading's targets), kept in
        ``Resolution.considered``."""
        text = normalise(text)
        search_scores = search_scores or {}
        objects = self.objects_in(text)
        similar = self._similarities(text)
        phrased = self._phrased(text)
        wanted = self.wanted(text)
        said_qualifiers = self.qualifiers_in(text)
        audience = self.audience_of(text)
        pool = set(objects) | {i for i, _ in sorted(similar.items(), key=lambda p: -p[1])[:POOL]}
        pool |= {i for i, _ in sorted(phrased.items(), key=lambda p: -p[1])[:POOL]}
        considered = set(consider)
        pool |= {self._index_of[code] for code in (*search_scores, *considered) if code in self._index_of}
        for index, value in self.name_objects_in(text, pool).items():
            objects[index] = max(objects.get(index, 0.0), value)
        scored = [self._score(i, objects, similar, phrased, wanted, said_qualifiers, audience, search_scores, text)
                  for i in pool]
        scored.sort(key=lambda s: (-s.score, len(s.name), s.code))
        ranked = tuple(scored[:limit])
        return Resolution(_decide(ranked), ranked, wanted, {s.code: s for s in scored if s.code in considered})

    def _score(self, index: int, objects: Mapping[int, float], similar: Mapping[int, float],
               phrased: Mapping[int, float], wanted: frozenset[str], said: frozenset[str],
               audience: Optional[str], search_scores: Mapping[str, float], text: str) -> Scored:
        target = self.targets[index]
        parts = target.parts
        score = OBJECT_WEIGHT * objects.get(index, 0.0) + WORDS_WEIGHT * similar.get(index, 0.0)
        score += PHRASED_WEIGHT * phrased.get(index, 0.0)
        score += SEARCH_WEIGHT * search_scores.get(target.code, 0.0) / 100.0
        agrees = differs = False
        if parts is not None:
            done = parts.actions
            if wanted and done and not done <= GENERIC_STEMS:
                # 登记, 办理, 申请, 核发… are one ordinary thing said several ways (「养狗登记」 is 犬类
                # 准养证核发); a special one (补领, 注销, 变更…) must be said as the name says it. A name
                # that only says 办理 (居民身份证办理) says nothing about which.
                agrees = bool(wanted & done) or (wanted <= ORDINARY_STEMS and bool(done & ORDINARY_STEMS))
                differs = not agrees
                score += ACTION_AGREES if agrees else ACTION_DIFFERS
            elif not wanted:
                score += ORDINARY_ACTION if not done or done & ORDINARY_STEMS else SPECIAL_ACTION
            for qualifier in parts.qualifiers:
                if qualifier in said:
                    score += QUALIFIER_SAID
                elif qualifier in self.words.qualifier_audience and qualifier not in UNMARKED_QUALIFIERS:
                    score += QUALIFIER_UNSAID
            if audience and parts.audience in ("citizen", "business", "institution") and parts.audience != audience:
                score += AUDIENCE_MISMATCH
            # A later object of the name is a circumstance the item is for (「领取失业保险金期间丧葬
            # 补助金…」: while drawing unemployment benefit); a message that never says it is about
            # the plain item (供养亲属抚恤金申领 for 「丧葬补助金」).
            for obj, weight in self._name_objects[index]:
                if weight == LATER_OBJECT and fuzz.partial_ratio(obj, text) < PARTIAL_OBJECT * 100:
                    score += CIRCUMSTANCE_UNSAID
                    break
        if target.has_guide:
            score += GUIDED_PRIOR
        named = index in objects or similar.get(index, 0.0) >= SIMILAR_NAMES \
            or phrased.get(index, 0.0) >= PHRASED_NAMES
        about = normalise(parts.objects[0]) if parts is not None and parts.objects else None
        return Scored(target.code, target.name, target.kind, round(score, 3), named, agrees, differs, about)


def _decide(ranked: Sequence[Scored]) -> str:
    """A target whose name does another thing than the message asks is never the answer nor an
    option (「出生证明丢了」 is no 《出生医学证明》首次签发, which would list first-issue materials)."""
    ranked = [s for s in ranked if not s.action_differs]
    if not ranked:
        return "handoff"
    top = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else float("-inf")
    if top.score >= CLEAR_SCORE and top.score - second >= CLEAR_MARGIN:
        return "answer"  # far ahead of everything else, though no single word names it
    if not top.named:
        return "handoff"
    if top.score >= ANSWER_SCORE and top.score - second >= ANSWER_MARGIN:
        return "answer"
    close = [s for s in ranked if s.named and top.score - s.score <= ASK_MARGIN]
    if top.score >= ASK_SCORE and 2 <= len(close) <= MAX_OPTIONS:
        return "ask"
    if top.score >= ANSWER_SCORE and len(close) == 1:
        return "answer"
    return "handoff"


def build_targets(rows: Iterable[tuple[str, str, str, Sequence[str], bool]], words: Words) -> list[Target]:
    """``rows``: (code, name, kind, aliases, has_guide) of every item and 一件事."""
    targets = []
    for code, name, kind, aliases, has_guide in rows:
        names = tuple(dict.fromkeys(normalise(n) for n in (name, *aliases) if normalise(n)))
        parts = parse_name(name, words) if kind == "item" else None
        targets.append(Target(code, name, kind, names, parts, has_guide))
    return targets
