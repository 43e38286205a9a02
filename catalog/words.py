"""The item model's vocabulary and the citizens' lexicon: word lists as data in catalog/data/words/.

One loader, one scanner. Adding a word is a YAML edit; nothing here names an item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Collection, Generic, Iterable, Iterator, Mapping, Sequence, TypeVar

import yaml

from catalog.text import normalise

WORDS_DIR = Path(__file__).resolve().parent / "data" / "words"
AUDIENCES = ("citizen", "business", "institution")
V = TypeVar("V")


class Scanner(Generic[V]):
    """Longest-match scanner over a fixed word → value map: the one the catalog uses for every word
    list (the item model's names and cues, the resolver's, situation-fact words, place names, the
    search lexicon's phrases). The spaCy PhraseMatcher of the NLU component is the bot's own.

    Words are tried longest first from each position, only at the lengths of the words that start
    with its character, so a scan costs at most O(len(text) × max word length): linear in the text
    for a fixed vocabulary. A matched span is not reused: 「门头不装修」 is one match and the 「装修」
    inside it is not another.
    """

    def __init__(self, words: Mapping[str, V]):
        self._words = {normalise(w): v for w, v in words.items() if normalise(w)}
        self._max = max((len(w) for w in self._words), default=0)
        # The lengths of the words that start with each character, longest first: a position tries
        # only those (most characters start no word, and most start few).
        lengths: dict[str, set[int]] = {}
        for word in self._words:
            lengths.setdefault(word[0], set()).add(len(word))
        self._lengths = {first: tuple(sorted(sizes, reverse=True)) for first, sizes in lengths.items()}

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def items(self) -> Iterator[tuple[str, V]]:
        """Every (word, value), for building another scanner from part of this one."""
        return iter(self._words.items())

    def scan(self, text: str, shortest: int = 1) -> Iterator[tuple[int, int, str, V]]:
        """(start, end, word, value) of each longest match, left to right, non-overlapping; words
        shorter than ``shortest`` are not matched."""
        i, n = 0, len(text)
        while i < n:
            for size in self._lengths.get(text[i], ()):
                if size > n - i or size < shortest:
                    continue
                word = text[i : i + size]
                if word in self._words:
                    yield i, i + size, word, self._words[word]
                    i += size
                    break
            else:
                i += 1

    def matches(self, text: str, shortest: int = 1) -> list[tuple[str, V]]:
        """(word, value) of each longest match, left to right."""
        return [(word, value) for _, _, word, value in self.scan(text, shortest)]

    def without(self, text: str, shortest: int = 1) -> str:
        """``text`` with every longest match replaced by a space (so neighbours do not fuse)."""
        kept, last = [], 0
        for start, end, _, _ in self.scan(text, shortest):
            kept.append(text[last:start])
            last = end
        kept.append(text[last:])
        return " ".join(kept)

    def rewrite(self, text: str) -> str:
        """``text`` with every longest match replaced by its value (a string), the rest as it was."""
        out: list[str] = []
        last = 0
        for start, end, _, value in self.scan(text):
            out += (text[last:start], str(value))
            last = end
        out.append(text[last:])
        return "".join(out)


ALTERNATIVE_MARKS = ("、", "/")  # between two actions of a name: both are done (补领、换领)


@dataclass(frozen=True)
class Words:
    """The vocabulary the item model parses names with (catalog/data/words/*.yaml)."""

    names: Scanner[tuple[str, str]]  # word → (kind, value); kind ∈ action | qualifier | scope | glue | noun
    cues: Scanner[tuple[str, int]]   # word → (audience, weight)
    heads: tuple[str, ...]    # nouns that end an item named without an action (…证明, …补贴)
    stems: tuple[str, ...]    # canonical action stems, in the order actions.yaml lists them
    qualifier_audience: Mapping[str, str]  # canonical qualifier → audience it implies, if any
    several: Mapping[str, frozenset[str]] = field(default_factory=dict)  # action word → its stems, where it says two
    life_steps: frozenset[str] = frozenset()  # the stems that are steps of one licence's life (新办, 补领, 注销…)
    # A stem that, in a name, before one of its actions, names the record that action acts on
    # (…备案进行注销): record stem → those actions' stems.
    records: Mapping[str, frozenset[str]] = field(default_factory=dict)
    documents: tuple[str, ...] = ()  # the ends of an object that is a licence or certificate (证, 许可, 卡…)
    # Which way a transfer goes (actions.yaml ``directions``): way → (its words in names, its words in messages)
    directions: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)

    def stems_of(self, word: str, stem: str) -> frozenset[str]:
        """The stems an action word of ``names`` says: its one ``stem``, or every stem of ``several``."""
        return self.several.get(word, frozenset({stem}))

    def records_acted_on(self, text: str, said: Sequence[tuple[int, frozenset[str]]],
                         alternatives: Iterable[str] = ()) -> set[str]:
        """The record stems (``records``) of ``text`` that an action on them follows after the record's
        last mention: 「…备案进行注销」 does 注销 of the filing, 「备案要改」 asks it. ``said``: (end offset,
        stems) of each action word, in order; ``alternatives``: marks that, between the two, make both
        done (a name's 「补领、换领」: ALTERNATIVE_MARKS; a message's 、 lists nouns as often)."""
        last = {record: end for end, stems in said for record in stems & self.records.keys()}
        return {record for record, end in last.items()
                if any(later > end and stems & self.records[record] and not any(
                    mark in text[end:later] for mark in alternatives) for later, stems in said)}


# libyaml's parser where PyYAML has it (its wheels do): the phrasing bank's files are large.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(handle: Any) -> Any:
    """``yaml.safe_load``, by libyaml's parser where there is one."""
    return yaml.load(handle, Loader=_SAFE_LOADER)


def _read(folder: Path, name: str) -> dict:
    with open(folder / name, encoding="utf-8") as handle:
        return safe_load(handle) or {}


@lru_cache(maxsize=4)
def load_words(path: str | Path = WORDS_DIR) -> Words:
    folder = Path(path)
    actions, qualifiers, objects, audience = (
        _read(folder, f) for f in ("actions.yaml", "qualifiers.yaml", "objects.yaml", "audience.yaml")
    )
    names: dict[str, tuple[str, str]] = {}
    # Later kinds win over earlier ones for the same word; nouns last, because a noun listed
    # there is listed precisely to stop it being read as an action or qualifier (许可证 ≠ 许可).
    several: dict[str, frozenset[str]] = {}
    for stem, forms in actions["actions"].items():
        for form in [stem, *(forms or [])]:
            names[form] = ("action", stem)
    for form, stems in (actions.get("several") or {}).items():
        unknown = [stem for stem in stems if stem not in actions["actions"]]
        if len(stems) < 2 or unknown:
            raise ValueError(f"actions.yaml: several: {form} needs two or more stems of 'actions' ({unknown or stems})")
        names[form] = ("action", stems[0])
        several[normalise(form)] = frozenset(stems)
    life_steps = frozenset(actions.get("life_steps") or ())
    if life_steps - set(actions["actions"]):
        raise ValueError(f"actions.yaml: life_steps: not stems of 'actions': {sorted(life_steps - set(actions['actions']))}")
    records = _records(actions.get("records") or {}, frozenset(actions["actions"]))
    qualifier_audience: dict[str, str] = {}
    for kind in ("scope", "for_whom"):
        for canonical, entry in (qualifiers.get(kind) or {}).items():
            entry = entry or {}
            forms = entry.get("words", []) if isinstance(entry, dict) else entry
            if isinstance(entry, dict) and entry.get("audience"):
                qualifier_audience[canonical] = entry["audience"]
            for form in [canonical, *forms]:
                names[form] = ("scope" if kind == "scope" else "qualifier", canonical)
    for word in objects.get("glue", []):
        names[word] = ("glue", word)
    for word in objects.get("nouns", []):
        names[word] = ("noun", word)
    cues: dict[str, tuple[str, int]] = {}
    for who in AUDIENCES:
        for weight, key in ((2, "strong"), (1, "weak")):
            for word in (audience.get(who) or {}).get(key, []):
                cues[word] = (who, weight)
    return Words(
        names=Scanner(names),
        cues=Scanner(cues),
        heads=tuple(sorted({normalise(h) for h in objects.get("heads", [])}, key=len, reverse=True)),
        stems=tuple(actions["actions"]),
        qualifier_audience=qualifier_audience,
        several=several,
        life_steps=life_steps,
        records=records,
        documents=tuple(normalise(d) for d in actions.get("documents") or ()),
        directions=_directions(actions.get("directions") or {}),
    )


def _records(data: object, stems: frozenset[str]) -> dict[str, frozenset[str]]:
    """actions.yaml ``records``: record stem → the stems of the actions on it, all stems of ``actions``."""
    if not isinstance(data, dict):
        raise ValueError("actions.yaml: records must map a stem to the stems of the actions on it")
    found = {}
    for record, acts in data.items():
        where = f"actions.yaml: records: {record}"
        on_it = frozenset(_list_of_words(data, str(record), where)) if acts else frozenset()
        if not on_it or {str(record), *on_it} - stems:
            raise ValueError(f"{where}: needs a list of stems of 'actions' (unknown: {sorted({str(record), *on_it} - stems)})")
        found[str(record)] = on_it
    return found


def _directions(data: Mapping[str, object]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """actions.yaml ``directions``: way → (the words names say it with, the words messages say it with)."""
    found = {}
    for way, entry in data.items():
        where = f"actions.yaml: directions: {way}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: needs names and said")
        found[str(way)] = (tuple(_list_of_words(entry, "names", where)), tuple(_list_of_words(entry, "said", where)))
    return found


# ---------------------------------------------------------------- verbs citizens ask with

ASKED_VERBS_FILE = WORDS_DIR / "asked_verbs.yaml"


@dataclass(frozen=True)
class AskedVerbs:
    """One-character verbs asked with (asked_verbs.yaml), as the action words of a message."""

    words: Mapping[str, frozenset[str]]      # lead + verb or verb + follow → the verb's stems
    not_before: Mapping[str, frozenset[str]]  # such a word → the characters that, after it, make another word
    examples: tuple[tuple[str, frozenset[str]], ...] = ()  # (sentence, the stems it must read)
    # An action word followed within ``describing_within`` characters by 的, and then by none of
    # ``describing_not_after``, describes a thing instead of asking it done (「当年注册的原始档案」).
    describing_within: int = 0
    describing_not_after: tuple[str, ...] = ()
    # An action word followed by one of ``whether_after`` (「激活没得」「到账了没」) asks whether it was
    # done: the message asks ``whether_stems`` (查询), not the action.
    whether_after: tuple[str, ...] = ()
    whether_stems: frozenset[str] = frozenset()
    # A clause holding one of ``question_marks`` is a question: the last one, where it asks a special
    # thing of its own, says what the message asks (``ResolverIndex.wanted``).
    question_marks: tuple[str, ...] = ()
    leads: tuple[str, ...] = ()             # the words that ask a verb right after them (「想」「咋个」)
    verbs: frozenset[str] = frozenset()     # the one-character verbs
    # Question words that ask how to do what follows them (「咋个」「怎么」): in a question, a special thing
    # asked after the last of them is what is asked; what the clause says before it happened
    # (「社保卡掉了咋挂失」 asks 挂失, not 补领).
    how: tuple[str, ...] = ()
    # An action word's 的 that ends a place, right after one of ``describing_places``, describes nothing
    # (「要改社保上的个人信息」: the change is asked, of what is on the 社保).
    describing_places: tuple[str, ...] = ()
    # A clause beginning with one of ``back_references`` (「，上面的电话号码」) continues the clause before
    # it (``joined_back``); ``back_reference_examples``: (message, as read).
    back_references: tuple[str, ...] = ()
    back_reference_examples: tuple[tuple[str, str], ...] = ()
    # A message holding one of ``rules`` and none of ``rules_not_with`` asks what the rules are
    # (「能不能在城区读」), not how to get something done (``asks_rules``); ``rules_examples``: (message, asks).
    rules: tuple[str, ...] = ()
    rules_not_with: tuple[str, ...] = ()
    rules_examples: tuple[tuple[str, bool], ...] = ()

    def asks_rules(self, text: str) -> bool:
        """``text`` (normalised) asks what the rules are and not how to get something done. A message
        ending without a mark ends as a question does (「初二可以转学莫」)."""
        said = text if text.endswith(("?", ".", "!", "。")) else text + "?"
        return any(word in said for word in self.rules) and not any(word in said for word in self.rules_not_with)

    def joined_back(self, text: str) -> str:
        """``text`` (normalised) with each clause that begins with a back reference joined to the clause
        before it: 「社保卡,里头的钱」 → 「社保卡里头的钱」."""
        if not self.back_references or not any(word in text for word in self.back_references):
            return text
        words = "|".join(re.escape(word) for word in self.back_references)
        return re.sub(rf"(?<=\w)[,;](?=(?:{words}))", "", text)


def _list_of_words(data: Mapping[str, object], key: str, where: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise ValueError(f"{where}: {key!r} must be a list of words")
    return [normalise(w) for w in value]


def _section(data: Mapping[str, Any], key: str, name: str, holds: str) -> dict[str, Any]:
    """The mapping under ``key`` (empty when absent), or which key of which file is not one."""
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise ValueError(f"{name}: {key} must be a mapping with {holds}")
    return section


def _example_pairs(section: Mapping[str, Any], keys: tuple[str, str], where: str) -> list[tuple[Any, Any]]:
    """The two ``keys`` of each of a section's examples, or which example lacks one."""
    pairs = []
    for number, row in enumerate(section.get("examples") or [], start=1):
        if not isinstance(row, dict) or any(row.get(key) is None or row.get(key) == "" for key in keys):
            raise ValueError(f"{where}: example {number} needs {' and '.join(keys)}")
        pairs.append((row[keys[0]], row[keys[1]]))
    return pairs


@lru_cache(maxsize=4)
def load_asked_verbs(path: str | Path = ASKED_VERBS_FILE, stems: tuple[str, ...] | None = None) -> AskedVerbs:
    """``stems``: the known action stems (actions.yaml); a verb with another stem is refused."""
    name = Path(path).name
    data = _read(Path(path).parent, name)
    leads, follows = _list_of_words(data, "leads", name), _list_of_words(data, "follows", name)
    words: dict[str, frozenset[str]] = {}
    not_before: dict[str, frozenset[str]] = {}
    for verb, entry in (data.get("verbs") or {}).items():
        where = f"{name}: verbs: {verb}"
        if len(str(verb)) != 1 or not isinstance(entry, dict):
            raise ValueError(f"{where}: one character, with stems and not_before")
        verb_stems = frozenset(_list_of_words(entry, "stems", where))
        if stems is not None and not verb_stems <= set(stems):
            raise ValueError(f"{where}: unknown stems {sorted(verb_stems - set(stems))}")
        blocked = frozenset(_list_of_words(entry, "not_before", where)) if entry.get("not_before") else frozenset()
        led = [] if entry.get("follows_only") else [lead + str(verb) for lead in leads]
        for word in led + [str(verb) + follow for follow in follows]:
            words[word] = verb_stems
            not_before[word] = blocked
    describing = _section(data, "describing", name, "within, not_after and examples")
    within = describing.get("within", 0)
    if not isinstance(within, int) or isinstance(within, bool) or within < 0:
        raise ValueError(f"{name}: describing: within must be a whole number of characters")
    not_after = _list_of_words(describing, "not_after", f"{name}: describing") if describing else []
    places = _list_of_words(describing, "places", f"{name}: describing") if describing.get("places") else []
    whether = _section(data, "whether", name, "after, stems and examples")
    whether_after = _list_of_words(whether, "after", f"{name}: whether") if whether else []
    whether_stems = frozenset(_list_of_words(whether, "stems", f"{name}: whether")) if whether else frozenset()
    if stems is not None and not whether_stems <= set(stems):
        raise ValueError(f"{name}: whether: unknown stems {sorted(whether_stems - set(stems))}")
    questions = _section(data, "questions", name, "marks and examples")
    question_marks = _list_of_words(questions, "marks", f"{name}: questions") if questions else []
    how = _list_of_words(questions, "how", f"{name}: questions") if questions.get("how") else []
    back = _section(data, "back_references", name, "words and examples")
    back_words = _list_of_words(back, "words", f"{name}: back_references") if back else []
    back_examples = [(normalise(str(text)), normalise(str(reads)))
                     for text, reads in _example_pairs(back, ("text", "reads"), f"{name}: back_references")]
    rules = _section(data, "rules", name, "asks, not_with and examples")
    rule_words = _list_of_words(rules, "asks", f"{name}: rules") if rules else []
    rule_not_with = _list_of_words(rules, "not_with", f"{name}: rules") if rules else []
    rule_examples = [(normalise(str(text)), asks)
                     for text, asks in _example_pairs(rules, ("text", "rules"), f"{name}: rules")]
    if any(not isinstance(asks, bool) for _text, asks in rule_examples):
        raise ValueError(f"{name}: rules: each example's rules is true or false")
    examples = []
    rows = [*(data.get("examples") or []), *(describing.get("examples") or []), *(whether.get("examples") or []),
            *(questions.get("examples") or [])]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("text") or not isinstance(row.get("stems"), list):
            raise ValueError(f"{name}: example {number} needs text and a list stems")
        examples.append((normalise(str(row["text"])), frozenset(str(s) for s in row["stems"])))
    # Longest first: 「了没有」 is read before 「了没」.
    return AskedVerbs(words, not_before, tuple(examples), within, tuple(not_after),
                      tuple(sorted(whether_after, key=len, reverse=True)), whether_stems, tuple(question_marks),
                      tuple(leads), frozenset(str(verb) for verb in data.get("verbs") or {}), tuple(how),
                      tuple(places), tuple(sorted(back_words, key=len, reverse=True)), tuple(back_examples),
                      tuple(rule_words), tuple(rule_not_with), tuple(rule_examples))


# ---------------------------------------------------------------- the citizens' lexicon


@dataclass(frozen=True)
class ColloquialEntry:
    section: str                 # objects | actions | askers | synonyms
    word: str                    # normalised
    example: str                 # a citizen's sentence containing the word
    expect: str                  # exact item (or guides.yaml) name the example must reach, as written
    means: str | None = None     # objects: an object the item model produces; synonyms: the official wording
    items: tuple[str, ...] = ()  # objects: specific item names, instead of means
    stems: tuple[str, ...] = ()  # actions: the canonical action stems the word may mean (关了: 注销 or 停业)
    audience: str | None = None  # askers: citizen | business | institution
    teaches: bool = True         # the example is also a citizen's sentence the resolver learns from (``teaches: no``: only the row's test)


COLLOQUIAL_FILE = WORDS_DIR / "colloquial.yaml"


def _stems(row: Mapping[str, object]) -> tuple[str, ...]:
    """An action word's stems: ``stem: 注销``, or a list where the word does not say which
    (``stem: [注销, 停业]``: 「店子关了」 may close it for good or for a while)."""
    stem = row.get("stem")
    if not stem:
        return ()
    return tuple(str(s) for s in stem) if isinstance(stem, list) else (str(stem),)


@lru_cache(maxsize=4)
def load_colloquial(path: str | Path = COLLOQUIAL_FILE) -> tuple[ColloquialEntry, ...]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    entries = []
    for section in ("objects", "actions", "askers", "synonyms"):
        for row in data.get(section) or []:
            entries.append(
                ColloquialEntry(
                    section=section,
                    word=normalise(str(row["word"])),
                    example=normalise(str(row["example"])),
                    expect=str(row["expect"]).strip(),
                    means=normalise(row["means"]) if row.get("means") else None,
                    items=tuple(str(i).strip() for i in row.get("items") or ()),
                    stems=_stems(row),
                    audience=row.get("audience"),
                    teaches=row.get("teaches", True) is not False,
                )
            )
    return tuple(entries)


def colloquial_without(entries: Iterable[ColloquialEntry], names: Collection[str]) -> tuple[ColloquialEntry, ...]:
    """``entries`` as if no row had been written for the items or bundles ``names`` (exact names): an
    entry whose example expects one of them goes, and an entry naming several items loses those (it goes
    when it names no other and means no object). What the resolver would know of an item nobody has
    written citizens' words for yet (``scripts/leave_out.py``)."""
    gone = set(names)
    kept = []
    for entry in entries:
        if entry.expect in gone:
            continue
        if any(item in gone for item in entry.items):
            rest = tuple(item for item in entry.items if item not in gone)
            if not rest and not entry.means:
                continue
            entry = replace(entry, items=rest)
        kept.append(entry)
    return tuple(kept)


# ---------------------------------------------------------------- citizens' phrasings, per item

PHRASINGS_DIR = WORDS_DIR / "phrasings"


@lru_cache(maxsize=4)
def load_phrasings(path: str | Path = PHRASINGS_DIR) -> tuple[tuple[str, str], ...]:
    """(exact item name as the list writes it, a citizen's sentence, normalised) for every phrasing
    in ``path``'s YAML files (catalog/data/words/phrasings/README.md)."""
    rows: list[tuple[str, str]] = []
    for file in sorted(Path(path).glob("*.yaml")):
        with open(file, encoding="utf-8") as handle:
            entries = safe_load(handle) or []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not entry.get("item") or not isinstance(entry.get("say"), list):
                raise ValueError(f"{file.name}: entry {number} needs 'item' and a list 'say'")
            rows += [(str(entry["item"]).strip(), normalise(str(sentence))) for sentence in entry["say"]]
    return tuple(rows)


# ---------------------------------------------------------------- negations of situation facts

NEGATIONS_FILE = WORDS_DIR / "negations.yaml"


@lru_cache(maxsize=4)
def load_negations(path: str | Path = NEGATIONS_FILE) -> tuple[str, ...]:
    """The words that negate a situation fact near them (catalog/data/words/negations.yaml)."""
    words = _read(Path(path).parent, Path(path).name).get("negations")
    if not isinstance(words, list) or not all(isinstance(word, str) and word for word in words):
        raise ValueError(f"{path}: 'negations' must be a list of words")
    return tuple(words)


@lru_cache(maxsize=4)
def load_not_this(path: str | Path = NEGATIONS_FILE) -> tuple[str, ...]:
    """The words a clause opens with to say what the need is not (negations.yaml ``not_this``)."""
    return load_negated("not_this", path)


@lru_cache(maxsize=8)
def load_negated(key: str, path: str | Path = NEGATIONS_FILE) -> tuple[str, ...]:
    """One list of negations.yaml's words that say what the need is not: ``not_this`` (before it),
    ``left_as_is`` and ``not_done`` (after it) or ``lacking`` (before what the asker has none of); empty
    when absent."""
    name = Path(path).name
    data = _read(Path(path).parent, name)
    return tuple(_list_of_words(data, key, name)) if data.get(key) is not None else ()


@lru_cache(maxsize=4)
def load_kinds(path: str | Path = NEGATIONS_FILE) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """negations.yaml ``kinds``: groups of the kinds of one thing that exclude each other, each kind
    the words that say it (「网约|网络预约」); empty when absent. A group needs two kinds; a word may say
    several kinds of its group (「客货」), and no kind of another group."""
    name = Path(path).name
    data = _read(Path(path).parent, name)
    groups = data.get("kinds") or []
    if not isinstance(groups, list):
        raise ValueError(f"{name}: 'kinds' must be a list of groups")
    found: list[tuple[tuple[str, ...], ...]] = []
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(k, str) and k.strip("|") for k in group):
            raise ValueError(f"{name}: kinds group {number} must list two kinds or more, each words joined by |")
        kinds = tuple(tuple(normalise(w) for w in kind.split("|") if w.strip()) for kind in group)
        words = {w for kind in kinds for w in kind}
        if words & seen:
            raise ValueError(f"{name}: kinds group {number}: {sorted(words & seen)} say kinds of another group")
        seen |= words
        found.append(kinds)
    return tuple(found)


# ---------------------------------------------------------------- words of the conversation

ASPECTS_FILE = WORDS_DIR / "aspects.yaml"
REPLIES_FILE = WORDS_DIR / "replies.yaml"
PLACES_FILE = WORDS_DIR / "places.yaml"


@dataclass(frozen=True)
class Aspects:
    """What a message asks about an item (aspect → its words), and the words of a complaint."""

    keywords: Mapping[str, tuple[str, ...]]
    complaints: tuple[str, ...]
    small_talk: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # intent → the words that say it
    suggestions: tuple[str, ...] = ()  # the words a suggestion opens a clause with
    reported_speech: tuple[str, ...] = ()  # the words that say someone else speaks (「医生说…，建议…」)
    complained_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # a complaint procedure → its subject's words
    a_person: tuple[str, ...] = ()  # the words that ask for a person (the request_human intent)
    asks_a_service: tuple[str, ...] = ()  # the words that ask where or how a service is done (「在哪里办」)

    def says_complaint(self, text: str) -> bool:
        """``text`` says a word of complaint or report (「投诉」「举报」)."""
        return any(word in text for word in self.complaints)


@lru_cache(maxsize=4)
def load_aspects(path: str | Path = ASPECTS_FILE) -> Aspects:
    data = _read(Path(path).parent, Path(path).name)
    keywords = {str(aspect): tuple(str(word) for word in words) for aspect, words in data["aspects"].items()}
    small_talk = {str(intent): tuple(str(word) for word in words) for intent, words in (data.get("small_talk") or {}).items()}
    return Aspects(keywords=keywords, complaints=tuple(str(word) for word in data["complaints"]), small_talk=small_talk,
                   suggestions=tuple(str(word) for word in data.get("suggestions") or ()),
                   reported_speech=tuple(str(word) for word in data.get("reported_speech") or ()),
                   complained_of={str(item): tuple(str(word) for word in words)
                                  for item, words in (data.get("complained_of") or {}).items()},
                   a_person=tuple(str(word) for word in data.get("a_person") or ()),
                   asks_a_service=tuple(str(word) for word in data.get("asks_a_service") or ()))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in words)


@dataclass(frozen=True)
class Ordinals:
    """An option named by its number (「2」「第二个」「选2」), as regular expressions from replies.yaml."""

    digits: Mapping[str, int]  # 一 → 1, 两 → 2, …
    head: str                  # the number, optionally decorated, at the start; group 1 is the number

    @property
    def bare(self) -> str:
        """The number alone (with at most a closing punctuation mark)."""
        return self.head + r"[。.!！,，]?$"

    def value(self, token: str) -> int:
        return int(token) if token.isdigit() else self.digits[token]


@lru_cache(maxsize=4)
def load_ordinals(path: str | Path = REPLIES_FILE) -> Ordinals:
    data = _read(Path(path).parent, Path(path).name)["ordinals"]
    digits = {str(word): int(value) for word, value in data["digits"].items()}
    head = (rf"^(?:{_alternatives(data['before'])})?{re.escape(data['prefix'])}?\s*"
            rf"([1-9]|[{''.join(re.escape(word) for word in digits)}])\s*(?:{_alternatives(data['after'])})?")
    return Ordinals(digits=digits, head=head)


@lru_cache(maxsize=4)
def load_every_option(path: str | Path = REPLIES_FILE) -> str:
    """The regular expression of a reply that takes every option of the one question."""
    data = _read(Path(path).parent, Path(path).name)["every_option"]
    return (rf"(?:{_alternatives(data['all'])})(?:{_alternatives(data['wanting'])})"
            rf"|^(?:{_alternatives(data['alone'])})[。.!！]?$")


def load_confirming(path: str | Path = REPLIES_FILE) -> str:
    """The regular expression of a reply that says yes to an option offered alone: a word of
    ``confirming`` as the whole reply or before a separator (「是的」「对头，我在龙台镇」), never 「是不是…」."""
    words = _read(Path(path).parent, Path(path).name)["confirming"]
    return rf"^(?:{_alternatives(words)})(?:$|[。.!！,，、;；\s])"


@dataclass(frozen=True)
class PlaceSuffixes:
    """Official suffix → spoken one, longest first, for villages and towns (catalog/naming.py)."""

    villages: tuple[tuple[str, str], ...]
    towns: tuple[tuple[str, str], ...]


@lru_cache(maxsize=4)
def load_place_suffixes(path: str | Path = PLACES_FILE) -> PlaceSuffixes:
    data = _read(Path(path).parent, Path(path).name)

    def pairs(key: str) -> tuple[tuple[str, str], ...]:
        return tuple((str(official), str(spoken)) for official, spoken in data[key])

    return PlaceSuffixes(villages=pairs("village_suffixes"), towns=pairs("town_suffixes"))
