"""Slips of pinyin typing read as the word meant: 「营业执找」 is 营业执照, 「残积证」 is 残疾证.

Citizens type Chinese by its sound; a slip picks another character of the same sound. A span of a
message that sounds like a word of the catalog's vocabulary (toneless pinyin, each character's first
reading), differs from it in few characters and is itself no word of the vocabulary is read as that
word. Only words of MIN_LENGTH characters or more are corrected: two characters of the same sound are
often two words (失业/事业, 公示/公式 are not slips of each other). Characters too common to be a slip
(「是」 beside 事, 「的」 beside 地) are never changed; 「正在」's 正 beside 证 is left as it is because 正在 is a
word with its neighbour, where 「残疾正掉了」's 正 is 证.

The readings come from pypinyin's character table (its data file, read once, ~0.04 s; the package's
phrase tables are not loaded).
"""
from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from catalog.segment import is_word
from catalog.words import Scanner

MIN_LENGTH = 3
MAX_LENGTH = 10            # longer vocabulary (whole item names) is left to the bigram likeness
SHORT_WORD = 5             # a word this long or shorter may differ in one character, a longer one in two
# Characters so common in running text that a span with one of them is a word of its own, not a slip.
NEVER_SLIPS = frozenset("的地得了是在再这就时事市式之只知一以已意会为位和合有又也上下中个们要去吗呢吧啊呀嘛么哦")
NEIGHBOUR_WORD = (2, 3)     # lengths of the dictionary words looked for across a span's edge
_SOUND_BASE = 0xA000       # Yi syllables: letters no normalisation changes, one per toneless syllable


@lru_cache(maxsize=1)
def _sounds() -> dict[str, str]:
    """Character → one letter for its first reading, toneless (ü kept apart as v: 绿 lv is not 路 lu);
    characters of one sound share the letter. One table for every vocabulary."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pypinyin is not installed (requirements/app.in)")
    table = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    with open(table, encoding="utf-8") as handle:
        raw: dict[str, str] = json.load(handle)
    letters: dict[str, str] = {}
    sounds = {}
    for code, readings in raw.items():
        reading = _toneless(readings.split(",")[0])
        sounds[chr(int(code))] = letters.setdefault(reading, chr(_SOUND_BASE + len(letters)))
    return sounds


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    return "".join("v" if ch == "\u0308" else ch for ch in decomposed
                   if not unicodedata.combining(ch) or ch == "\u0308").replace("uv", "v")


class Homophones:
    """The vocabulary's words by sound, and the correction of a message's slips."""

    def __init__(self, words: Iterable[str]):
        self._sound_of = _sounds()
        vocabulary = {w for w in words if MIN_LENGTH <= len(w) <= MAX_LENGTH and all(ch in self._sound_of for ch in w)}
        by_sound: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            by_sound.setdefault(self.sound(word), []).append(word)
        self._vocabulary = frozenset(vocabulary)
        self._by_sound: Scanner[tuple[str, ...]] = Scanner({s: tuple(ws) for s, ws in by_sound.items()})

    def sound(self, text: str) -> str:
        """One letter per character: its syllable's for a character with a reading, else itself."""
        return "".join(self._sound_of.get(ch, ch) for ch in text)

    def corrected(self, text: str) -> str:
        """``text`` (normalised) with each slip replaced by the word it sounds like; the rest as it was."""
        parts, last = [], 0
        for start, end, _sound, words in self._by_sound.scan(self.sound(text)):
            span = text[start:end]
            if span in self._vocabulary:
                continue
            meant = _meant(span, words)
            if meant is not None and not _held_by_a_neighbour(text, start, end, _changed(span, meant)):
                parts += [text[last:start], meant]
                last = end
        return "".join(parts) + text[last:] if parts else text


def _meant(span: str, words: Iterable[str]) -> Optional[str]:
    """The one word ``span`` is a slip of: fewest characters apart, within the length's allowance,
    none of the changed characters too common to be a slip."""
    allowed = 1 if len(span) <= SHORT_WORD else 2
    found: dict[int, list[str]] = {}
    for word in words:
        changed = _changed(span, word)
        if len(changed) <= allowed and not any(span[k] in NEVER_SLIPS for k in changed):
            found.setdefault(len(changed), []).append(word)
    if not found:
        return None
    closest = found[min(found)]
    return closest[0] if len(closest) == 1 else None


def _changed(span: str, word: str) -> list[int]:
    """The positions at which ``span`` and ``word`` (of one length) differ."""
    return [k for k, (a, b) in enumerate(zip(span, word)) if a != b]


def _held_by_a_neighbour(text: str, start: int, end: int, changed: list[int]) -> bool:
    """A changed character of ``text[start:end]`` (``changed``: its positions in the span) makes a
    dictionary word with a character outside the span."""
    for at in (start + k for k in changed):
        for size in NEIGHBOUR_WORD:
            for first in range(max(0, at - size + 1), at + 1):
                last = first + size
                if last <= len(text) and (first < start or last > end) and is_word(text[first:last]):
                    return True
    return False
