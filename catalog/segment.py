"""The only module that touches jieba: private Tokenizer instances, never the global one."""
from __future__ import annotations

import logging
import threading
from typing import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr at DEBUG

_base = None
_base_lock = threading.Lock()


def _base_tokenizer() -> jieba.Tokenizer:
    """The default dictionary, loaded once; new tokenizers copy it instead of reloading (~1 s)."""
    global _base
    if _base is None:
        with _base_lock:
            if _base is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _base = tokenizer
    return _base


def new_tokenizer(words: Iterable[tuple[str, int]]) -> jieba.Tokenizer:
    """A tokenizer with the default dictionary plus ``words`` (word, frequency)."""
    base = _base_tokenizer()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    for word, freq in words:
        if word.strip():
            tokenizer.add_word(word, freq)
    return tokenizer


def cut(tokenizer: jieba.Tokenizer, text: str) -> list[str]:
    return [token for token in tokenizer.lcut(text, HMM=False) if token.strip()]


def is_word(text: str) -> bool:
    """``text`` is a word of jieba's default dictionary (「股份」「老板」)."""
    return _base_tokenizer().FREQ.get(text, 0) > 0
