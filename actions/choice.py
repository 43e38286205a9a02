"""Understand a citizen's reply to the one clarifying question (pure functions, no I/O).

The reply may be a number (「1」「第二个」「2号」), the text of an option (a button's
payload is the option text) or a sentence that contains it (「补领那个」).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Sequence, cast

from catalog.words import load_confirming, load_every_option, load_ordinals

# 「1」「1.」「第1个」「第一项」「二号」「选2」: an option number, optionally decorated
# (catalog/data/words/replies.yaml).
_ORDINALS = load_ordinals()
# The number alone, or followed, after a separator, by the rest of the answer (「2，龙台镇」).
# The number alone is read by the NLU component too (the exported vocabulary carries its pattern).
_ORDINAL = re.compile(_ORDINALS.head + r"(?:[。.!！,，]?$|\s*[,，、;；.。\s]+(?=\S))")


def ordinal_in(text: str) -> Optional[int]:
    """1-based position named by a reply such as 「2」「第二个」「2，龙台镇」, else None."""
    match = _ORDINAL.match(text.strip())
    if not match:
        return None
    return _ORDINALS.value(match.group(1))


def _label_of(option: dict[str, Any]) -> str:
    return str(option.get("label") or option.get("name") or "")


def _value_of(option: dict[str, Any]) -> str:
    return str(option.get("value") or option.get("code") or "")


# A reply to the which-item question that takes every option: 「都要」「两个都要办」「全部都办」「一起办」,
# or just 「全部」; not 「都不是」「都不要」 (catalog/data/words/replies.yaml).
_EVERY_OPTION = re.compile(load_every_option())


def takes_every_option(text: str) -> bool:
    return bool(_EVERY_OPTION.search(text.strip()))


# A yes to an option offered alone: 「是的」「对头，我在龙台镇」, not 「是不是…」 (replies.yaml).
_CONFIRMS = re.compile(load_confirming())


def confirms(text: str) -> bool:
    return bool(_CONFIRMS.match(text.strip()))


def pick_option(text: str, options: Sequence[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The option a reply chooses: by position, exact value/label, or a label fragment.

    A fragment must point at exactly one option: 「社保卡」 matches all three 社保卡 items
    and so chooses nothing, 「补领」 matches one.
    """
    reply = text.strip()
    if not reply or not options:
        return None
    position = ordinal_in(reply)
    if position is not None:
        return options[position - 1] if position <= len(options) else None
    for option in options:
        if reply in (_label_of(option), _value_of(option)):
            return option
    containing = [o for o in options if _label_of(o) and _label_of(o) in reply]
    if len(containing) == 1:
        return containing[0]
    contained = [o for o in options if len(reply) >= 2 and reply in _label_of(o)]
    if len(contained) == 1:
        return contained[0]
    return _by_distinctive_part(reply, options) or _by_distinctive_bigrams(reply, options)


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _by_distinctive_bigrams(reply: str, options: Sequence[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """「护理补贴」 vs 困难残疾人生活补贴/重度残疾人护理补贴: the reply shares two-character words
    (护理) with one label only. The option with the most such words wins; a tie chooses nothing."""
    labels = [_bigrams(_label_of(o)) for o in options]
    words = _bigrams(reply)
    counts = []
    for index, grams in enumerate(labels):
        others = set().union(*(g for i, g in enumerate(labels) if i != index))
        counts.append(len(words & (grams - others)))
    best = max(counts, default=0)
    if best == 0 or counts.count(best) > 1:
        return None
    return options[counts.index(best)]


def _by_distinctive_part(reply: str, options: Sequence[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """「补领」 vs 社会保障卡申领/补领、换领、换发/注销: drop what all labels share, match the rest."""
    labels = [_label_of(o) for o in options]
    shared = _common_prefix(labels)
    hits = []
    for option, label in zip(options, labels):
        rest = label[len(shared):]
        parts = [p for p in re.split(r"[、，,（）()《》\s]+", rest) if len(p) >= 2]
        if any(part in reply for part in parts):
            hits.append(option)
    return hits[0] if len(hits) == 1 else None


def _common_prefix(labels: Iterable[str]) -> str:
    labels = list(labels)
    if len(labels) < 2:
        return ""
    prefix = labels[0]
    for label in labels[1:]:
        while not label.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def facts_from_options(text: str, questions: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Facts chosen by replying with an option's label (a clicked button) for fact questions."""
    chosen: dict[str, str] = {}
    for question in questions:
        slot = question.get("slot")
        if slot in ("item", "place"):
            continue
        option = _exact_or_contained_label(text, question.get("options") or [])
        if option is not None:
            chosen[cast(str, slot)] = _value_of(option)
    return chosen


def _exact_or_contained_label(text: str, options: Sequence[dict[str, Any]]) -> Optional[dict[str, Any]]:
    reply = text.strip()
    hits = [o for o in options if _label_of(o) and (_label_of(o) == reply or _label_of(o) in reply)]
    return hits[0] if len(hits) == 1 else None


def yes_no_fact(intent: str, questions: Sequence[dict[str, Any]]) -> dict[str, str]:
    """「是的」/「不用」 answers a question only when exactly one yes/no question was open."""
    if intent not in ("affirm", "deny"):
        return {}
    yes_no = [
        q for q in questions
        if q.get("slot") not in ("item", "place")
        and {_value_of(o) for o in q.get("options") or []} == {"yes", "no"}
    ]
    if len(yes_no) != 1:
        return {}
    return {yes_no[0]["slot"]: "yes" if intent == "affirm" else "no"}
