"""Read what the tracker holds: the latest message (a Turn) and the remembered slots (Memory)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # read from a tracker by the actions; the rules use Turn and Memory alone
    from rasa_sdk import Tracker

# Intents that answer the one question or add a detail rather than ask something new.
REPLY_INTENTS = frozenset({"inform", "affirm", "deny", "nlu_fallback"})


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _span(text: str, entity: dict[str, Any]) -> str:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return ""


def _previous_user_text(tracker: Tracker) -> Optional[str]:
    texts = [(e.get("text") or "").strip() for e in tracker.events or [] if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else None


@dataclass(frozen=True)
class Turn:
    """The citizen's latest message as the NLU understood it."""

    text: str
    intent: str
    item_codes: list[str]
    town_code: Optional[str]
    village_code: Optional[str]
    aspect: Optional[str]
    # The citizen's message before this one, if this conversation had one (tracker events).
    previous_text: Optional[str] = None
    # (item code, the words the NLU read as it): ("512B0070200003", "社保卡") in 「我社保卡弄丢了咋个补」.
    item_mentions: tuple[tuple[str, str], ...] = ()
    # (town or village code, the words the NLU read as it) of each place read from a near miss of its name.
    place_slips: tuple[tuple[str, str], ...] = ()
    # (code, span) of each town or village the learned extractor (DIET) tagged: its span may name no
    # place at all (「代市镇」, 前锋区's town, tagged 「市镇」 as 白市镇).
    place_guesses: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> "Turn":
        return cls.from_parse(tracker.latest_message or {}, previous_text=_previous_user_text(tracker))

    @classmethod
    def from_parse(cls, message: dict[str, Any], previous_text: Optional[str] = None) -> "Turn":
        """From the NLU's parse of a message (a tracker's ``latest_message``, or ``/model/parse``)."""
        entities = message.get("entities") or []

        def values(name: str) -> list[str]:
            return _unique([str(e.get("value") or "") for e in entities if e.get("entity") == name])

        towns, villages, aspects = values("town"), values("village"), values("aspect")
        raw = message.get("text") or ""
        return cls(
            text=raw.strip(),
            intent=((message.get("intent") or {}).get("name") or ""),
            item_codes=values("item"),
            town_code=towns[0] if towns else None,
            village_code=villages[0] if villages else None,
            aspect=aspects[0] if aspects else None,
            previous_text=previous_text,
            item_mentions=tuple(dict.fromkeys(
                (str(e.get("value")), _span(raw, e)) for e in entities if e.get("entity") == "item" and e.get("value")
            )),
            place_slips=tuple(dict.fromkeys(
                (str(e.get("value")), _span(raw, e)) for e in entities
                if e.get("entity") in ("town", "village") and e.get("value") and e.get("match") == "fuzzy"
            )),
            place_guesses=tuple(dict.fromkeys(
                (str(e.get("value")), _span(raw, e)) for e in entities
                if e.get("entity") in ("town", "village") and e.get("value") and not e.get("match")
            )),
        )

    def without_places(self, codes: set[str]) -> "Turn":
        """This turn with the town or village of ``codes`` unsaid (a near miss that names no place)."""
        return replace(self, town_code=None if self.town_code in codes else self.town_code,
                       village_code=None if self.village_code in codes else self.village_code)

    @property
    def repeats_previous(self) -> bool:
        """The same words again: a double tap, a client retry, or a turn re-sent after a replica died."""
        return bool(self.text) and self.text == self.previous_text

    @property
    def item_words(self) -> list[str]:
        return _unique([words for _, words in self.item_mentions])

    def words_for(self, code: str) -> list[str]:
        """What the NLU read as ``code``; empty when its extractor reported no span."""
        return _unique([words for named, words in self.item_mentions if named == code])

    @property
    def is_reply(self) -> bool:
        return self.intent in REPLY_INTENTS

    @property
    def names_place(self) -> bool:
        return bool(self.town_code or self.village_code)


@dataclass(frozen=True)
class Memory:
    """What the conversation already established (slots set by earlier action runs)."""

    target_code: Optional[str] = None
    facts: dict[str, str] = field(default_factory=dict)
    town_code: Optional[str] = None
    village_code: Optional[str] = None
    asked_for: list[str] = field(default_factory=list)
    pending_question: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> "Memory":
        slot = tracker.get_slot
        return cls(
            target_code=slot("target_code") or None,
            facts={str(k): str(v) for k, v in (slot("facts") or {}).items()},
            town_code=slot("town_code") or None,
            village_code=slot("village_code") or None,
            asked_for=list(slot("asked_for") or []),
            pending_question=bool(slot("pending_question")),
            candidates=list(slot("candidates") or []),
        )
