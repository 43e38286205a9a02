"""Test text that survives normalisation unchanged in length (no repeats to collapse)."""
from __future__ import annotations

from catalog.text import normalise


def distinct_text(length: int) -> str:
    """``length`` different CJK characters, each its own normal form: a message that long after
    normalisation (「办」×500 collapses to 「办办」, see catalog.text.collapse_repeats)."""
    characters = []
    code = 0x4E00
    while len(characters) < length:
        character = chr(code)
        if normalise(character) == character:
            characters.append(character)
        code += 1
    text = "".join(characters)
    assert len(normalise(text)) == length
    return text
