"""What a citizen says they already hold (catalog/data/words/held.yaml): an item's words inside a
clause that says they are at hand (「身份证银行卡都在身上」) name a material, not the need.

Pure: text and the word lists only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

HELD_FILE = Path(__file__).resolve().parent / "data" / "words" / "held.yaml"
CLAUSE_BREAK = re.compile(r"[，,。.！!？?；;：:\n]")


@dataclass(frozen=True)
class HeldWords:
    after: tuple[str, ...]
    before: tuple[str, ...]
    examples: tuple[tuple[str, str, bool], ...]
    right_before: tuple[str, ...] = ()  # only right before the words (「带身份证去」, not 「带娃娃去办身份证」)
    ending: tuple[str, ...] = ()  # only ending the clause after the words (「户口本都在」, not 「都在哪里办」)
    right_after: tuple[str, ...] = ()  # only right after the words (「身份证复印件」, not 「办执照要带原件不」)
    already: tuple[str, ...] = ()  # a time gone by, then a ``done`` word later in the clause: 「我已经在局里办了」
    done: tuple[str, ...] = ()
    particles: str = ""  # may close a clause after an ``ending`` word: 「都有的」「是有的嘛」


@lru_cache(maxsize=4)
def load_held(path: str | Path = HELD_FILE) -> HeldWords:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, required in (("after", True), ("before", True), ("right_before", False), ("ending", False),
                          ("right_after", False), ("already", False), ("done", False)):
        words = data.get(key) if required else data.get(key) or []
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise ValueError(f"{Path(path).name}: {key!r} must be a list of words")
        lists[key] = tuple(words)
    examples = []
    for number, row in enumerate(data.get("examples") or [], start=1):
        if not isinstance(row, dict) or not row.get("text") or not row.get("words") or "held" not in row:
            raise ValueError(f"{Path(path).name}: example {number} needs text, words and held")
        examples.append((str(row["text"]), str(row["words"]), bool(row["held"])))
    particles = data.get("particles") or ""
    if not isinstance(particles, str):
        raise ValueError(f"{Path(path).name}: 'particles' must be a string of characters")
    return HeldWords(lists["after"], lists["before"], tuple(examples), lists["right_before"], lists["ending"],
                     lists["right_after"], lists["already"], lists["done"], particles)


def _done_already(after: str, held_words: HeldWords) -> bool:
    """After what is named, the clause says it was done in a time gone by: an ``already`` word, then a
    ``done`` word (「退役报到我已经在退役军人事务局办了」, 「居住证早就在派出所办好了」), not a state
    (「已经过期了」 is no ``done`` word)."""
    for word in held_words.already:
        at = after.find(word)
        if at >= 0 and any(w in after[at + len(word):] for w in held_words.done):
            return True
    return False


def _ends_held(rest: str, held_words: HeldWords, after_something: bool = False) -> bool:
    """``rest`` ends with an ``ending`` word, a particle or two aside (「都有的」, 「是有的嘛」); with
    ``after_something``, a word that is not all of it (「身份证和银行卡也有」, not 「也有」)."""
    ended = rest.rstrip()
    trimmed = ended.rstrip(held_words.particles) if held_words.particles else ended
    return any(text.endswith(w) and (len(text) > len(w) or not after_something)
               for text in {ended, trimmed} for w in held_words.ending)


def held(text: str, words: str, held_words: HeldWords | None = None) -> bool:
    """``words`` occur in ``text``, and every occurrence is in a clause that says it is held."""
    if not words or words not in text:
        return False
    held_words = held_words or load_held()
    start = text.find(words)
    while start >= 0:
        end = start + len(words)
        clause_start = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
        following = CLAUSE_BREAK.search(text, end)
        clause_end = following.start() if following else len(text)
        before, after = text[clause_start:start], text[end:clause_end]
        if not (any(w in after for w in held_words.after) or any(w in before for w in held_words.before)
                or before.endswith(held_words.right_before) or _ends_held(after, held_words)
                or after.startswith(held_words.right_after) or _done_already(after, held_words)):
            return False
        start = text.find(words, end)
    return True


def says_held(clause: str, held_words: HeldWords | None = None) -> bool:
    """The clause says something is at hand: an ``after`` word follows what it names
    (「身份证都拿到了」) or a ``right_after`` word (「身份证复印件」), an ``ending`` word ends it after
    something (「身份证和银行卡也有」), a ``before`` word leads to it (「带着身份证和户口本」), or after
    something a time gone by is followed by a thing done (「退役报到我已经在局里办了」)."""
    held_words = held_words or load_held()
    return any(clause.find(w) > 0 for w in held_words.after + held_words.right_after) or \
        _ends_held(clause, held_words, after_something=True) or \
        any(0 <= clause.find(w) < len(clause) - len(w) for w in held_words.before) or \
        _done_already(clause[1:], held_words)


def without_held_clauses(text: str, names_a_need: Callable[[str], bool]) -> str:
    """``text`` without its clauses that say what the citizen already holds, when the rest still
    names something to be done (「营业执照也有，就是原来的道路运输证还是达州的」 asks about the 道路运输证);
    else ``text`` as it is (「社保卡已经办好了，咋个激活」: the held clause names the need)."""
    return without_clauses(text, says_held, names_a_need)


def clauses_of(text: str) -> list[tuple[str, str]]:
    """(clause, the mark that ends it, or "" for the last) of ``text``, in order: 「…要咋个改？」 keeps its
    question mark."""
    parts = re.split(f"({CLAUSE_BREAK.pattern})", text)  # clause, break, clause, …, clause
    return [(parts[i], "".join(parts[i + 1:i + 2])) for i in range(0, len(parts), 2)]


def without_clauses(text: str, leave_out: Callable[[str], bool], names_a_need: Callable[[str], bool]) -> str:
    """``text`` without the clauses ``leave_out`` says, when the rest still names something to be
    done; else ``text`` as it is."""
    clauses = clauses_of(text)
    kept = [(clause, end) for clause, end in clauses if not leave_out(clause)]
    if len(kept) == len(clauses):
        return text
    rest = "".join(clause + end for clause, end in kept)
    return rest if names_a_need(rest) else text
