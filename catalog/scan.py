"""Longest-match scanning of a text against a fixed phrase → value map (places, fact words)."""
from __future__ import annotations

from typing import Iterable, Mapping, TypeVar

T = TypeVar("T")


def scan(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> Iterable[tuple[int, int, T]]:
    """Left-to-right, longest-first phrase matches as (start, length, value); a matched span is
    not reused, so 「门头不装修」 is one match and the 「装修」 inside it is not another."""
    i = 0
    while i < len(text):
        for length in range(min(longest, len(text) - i), shortest - 1, -1):
            phrase = text[i : i + length]
            if phrase in vocabulary:
                yield i, length, vocabulary[phrase]
                i += length
                break
        else:
            i += 1


def longest_matches(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> list[tuple[str, T]]:
    return [(text[i : i + n], value) for i, n, value in scan(text, vocabulary, longest, shortest)]


def without_matches(text: str, vocabulary: Mapping[str, T], longest: int, shortest: int = 1) -> str:
    """``text`` with every longest match replaced by a space (so neighbours do not fuse)."""
    kept, last = [], 0
    for i, n, _ in scan(text, vocabulary, longest, shortest):
        kept.append(text[last:i])
        last = i + n
    kept.append(text[last:])
    return " ".join(kept)
