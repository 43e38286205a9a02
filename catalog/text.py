"""The one normalisation applied wherever citizen or catalog text enters the catalog."""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

_converter = None
_converter_lock = threading.Lock()
_WHITESPACE = re.compile(r"\s+")
LONGEST_REPEATED_UNIT = 100
# Copies of one piece a run keeps: three, not two, because the NLU reads 「啊啊」 as a yes and
# 「啊啊啊」 as gibberish (out of scope).
KEPT_COPIES = 3
# One turn normalises its message in many places (search, places, facts): remember the latest ones.
NORMALISED_CACHE = 2048
_REPEATED = re.compile(r"(.{1,%d}?)\1{%d,}" % (LONGEST_REPEATED_UNIT, KEPT_COPIES), re.DOTALL)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def han_characters(text: str) -> int:
    """How many Chinese characters ``text`` has (what a message says, its punctuation and digits aside)."""
    return len(_HAN.findall(text))


def _t2s():
    """Build the OpenCC converter once, on first use (loading its tables costs ~100 ms)."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                from opencc import OpenCC

                _converter = OpenCC("t2s")
    return _converter


def _drop_control_chars(text: str) -> str:
    # Category C* = control, format (zero-width, BOM), unassigned, private use. Whitespace
    # controls become spaces first so "a\tb" keeps its word boundary.
    return "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or not unicodedata.category(ch).startswith("C")
    )


def collapse_repeats(text: str) -> str:
    """A run of more than KEPT_COPIES back-to-back copies of the same piece (up to
    LONGEST_REPEATED_UNIT characters, not digits alone) keeps that many: 「低保低保低保低保…」 says
    what 「低保低保低保」 says, and a message padded that way would cost every later step as much as
    a long one. Numbers are never touched (「1000000元」 is not 「100元」). One regular-expression
    pass, in C.

    >>> collapse_repeats("啊啊啊啊啊，社保卡丢了")
    '啊啊啊，社保卡丢了'
    """
    return _REPEATED.sub(_kept_copies, text)


def _kept_copies(match: "re.Match[str]") -> str:
    piece = match.group(1)
    return match.group(0) if piece.isdigit() else piece * KEPT_COPIES


@lru_cache(maxsize=NORMALISED_CACHE)
def normalise(text: str) -> str:
    """全角→半角 (NFKC)、繁→简、去控制字符、合并空白、折叠连续重复三次以上的片段（保留三次）。

    >>> normalise("社會保障卡　補領\\u200b ")
    '社会保障卡 补领'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _drop_control_chars(text)
    text = _t2s().convert(text)
    return collapse_repeats(_WHITESPACE.sub(" ", text).strip())
