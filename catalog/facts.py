"""Situation facts: the catalog's fact book, facts stated in free text, and the conditions
(fact values) that materials and bundle members depend on."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached
from catalog.models import Fact
from catalog.text import normalise
from catalog.words import Scanner, load_negations


@dataclass(frozen=True)
class _FactInfo:
    key: str
    kind: str
    question: str
    options: tuple[tuple[str, str, Optional[str]], ...]  # (value, label, condition_text)


@dataclass(frozen=True)
class FactBook:
    facts: dict[str, _FactInfo]
    words: dict[str, tuple[str, str]]  # normalised word → (fact key, value)
    scanner: Scanner[tuple[str, str]]  # over ``words``

    def condition_text(self, key: str, value: str) -> str:
        fact = self.facts.get(key)
        for option_value, label, text in fact.options if fact else ():
            if option_value == value:
                return text or f"如{label}"
        return f"如{key}={value}"

    def without_words(self, normalised_text: str) -> str:
        """The (normalised) text with every fact word of two characters or more taken out."""
        return self.scanner.without(normalised_text, shortest=2)


def _build_fact_book(session: Session) -> FactBook:
    facts, words = {}, {}
    for fact in session.scalars(select(Fact).order_by(Fact.key)):
        facts[fact.key] = _FactInfo(fact.key, fact.kind, fact.question,
                                    tuple((o.value, o.label, o.condition_text) for o in fact.options))
        for option in fact.options:
            for word in option.words or []:
                words[normalise(word)] = (fact.key, option.value)
    return FactBook(facts, words, Scanner(words))


def fact_book(session: Session) -> FactBook:
    return cached(session, "fact_book", _build_fact_book)


def fact_labels(session: Session, facts: Mapping[str, str]) -> list[str]:
    """The citizen-facing labels of stated facts (「本人办理」「门头需要装修」), in ``facts``' order;
    a key or value the catalog does not know is left out."""
    book = fact_book(session)
    labels = []
    for key, value in facts.items():
        fact = book.facts.get(key)
        labels += [label for option_value, label, _ in (fact.options if fact else ()) if option_value == value]
    return labels


def parse_facts(session: Session, text: str, answering: Iterable[str] = ()) -> dict[str, str]:
    """Situation facts stated in free text (「本人办，门头要装修」→ delegated=no, shopfront_renovation=yes).

    Negations are their own, longer phrases in the data (「门头不装修」), so longest match wins;
    when one fact is stated twice the longer phrase, then the later one, counts.
    ``answering``: the deciding facts the one question just asked; a reply may paraphrase them
    (「门头要重新装一下」), and only for those is a paraphrase read.
    """
    book = fact_book(session)
    text = normalise(text)
    asking = _as_asked(text)
    chosen: dict[str, tuple[int, str]] = {}
    for start, _, word, (key, value) in book.scanner.scan(text):
        if not _negated(word) and _negated(asking[max(0, start - 3) : start]):
            continue  # 「我不想委托别人」: a "yes" word under a negation just before it says nothing
        if key not in chosen or len(word) >= chosen[key][0]:
            chosen[key] = (len(word), value)
    found = {key: value for key, (_, value) in chosen.items()}
    asked = set(answering) - set(found)
    if asked:
        found.update({k: v for k, v in _paraphrased_facts(book, text, asked).items()})
    return found


def without_fact_words(session: Session, text: str) -> str:
    """``text``, normalised, without its situation-fact words of two characters or more."""
    return fact_book(session).without_words(normalise(text))


def fact_words_in(session: Session, text: str) -> list[str]:
    """The catalog's situation-fact words found in ``text`` (「厂里退休的」 in 「他是厂里退休的」),
    longest match first at each position, as normalised text."""
    book = fact_book(session)
    text = normalise(text)
    return [word for word, _ in book.scanner.matches(text)]


# A reply that says 「门头要重新装一下」 means 门头要装修 though no listed word is in it. Such
# paraphrases of the deciding facts just asked (never elsewhere: 「要办啥证」 is not 「要办税」
# unless the question was about tax) are read by similarity to the listed words, clause by clause, and only when the
# clause's polarity agrees with the word's (a negated clause never sets a "yes" option).
_CLAUSE_BREAKS = re.compile(r"[，,。.；;！!？?、\s]+")
PARAPHRASE_MIN_SCORE = 80.0
PARAPHRASE_MIN_WORD = 3


def _negated(text: str) -> bool:
    return any(negation in text for negation in load_negations())


# 「能不能」「可不可以」「有没有」 ask; they do not negate what follows (「公积金能不能提出来租房」).
_ASKED_FORM = re.compile(r"(.)[不没]\1")


def _as_asked(text: str) -> str:
    """``text`` with its A不A question forms blanked out, same length (offsets still agree)."""
    return _ASKED_FORM.sub(lambda match: "？" * len(match.group(0)), text)


def _paraphrased_facts(book: FactBook, text: str, keys: set[str]) -> dict[str, str]:
    found: dict[str, tuple[float, str]] = {}
    for clause in _CLAUSE_BREAKS.split(text):
        if len(clause) < 2:
            continue
        negated = _negated(clause)
        for word, (key, value) in book.words.items():
            if key not in keys or book.facts[key].kind != "deciding":
                continue  # only what was just asked; detail facts are never guessed
            if len(word) < PARAPHRASE_MIN_WORD or _negated(word) != negated:
                continue
            score = fuzz.partial_ratio(word, clause)
            if score >= PARAPHRASE_MIN_SCORE and score > found.get(key, (0.0, ""))[0]:
                found[key] = (score, value)
    return {key: value for key, (_, value) in found.items()}


# ---------------------------------------------------------------- conditions

_CONFLICT = object()


def merge_conditions(*conditions: Optional[Mapping[str, str]]) -> Any:
    merged: dict[str, str] = {}
    for condition in conditions:
        for key, value in (condition or {}).items():
            if merged.get(key, value) != value:
                return _CONFLICT  # a material that needs both yes and no can never apply
            merged[key] = value
    return merged


def open_parts(condition: Any, facts: Mapping[str, str]) -> Optional[list[tuple[str, str]]]:
    """None when the condition is contradicted by the facts, else its still-unknown (key, value) parts."""
    if condition is _CONFLICT:
        return None
    unknown = []
    for key, value in (condition or {}).items():
        if key in facts:
            if facts[key] != value:
                return None
        else:
            unknown.append((key, value))
    return unknown


