"""The one normalisation applied wherever citizen or catalog text enters the catalog."""
from __future__ import annotations

import re
import threading
import unicodedata

_converter = None
_converter_lock = threading.Lock()
_WHITESPACE = re.compile(r"\s+")


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


def normalise(text: str) -> str:
    """全角→半角 (NFKC)、繁→简、去控制字符、合并空白。

    >>> normalise("社會保障卡　補領\\u200b ")
    '社会保障卡 补领'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _drop_control_chars(text)
    text = _t2s().convert(text)
    return _WHITESPACE.sub(" ", text).strip()
