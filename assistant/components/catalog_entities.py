"""Catalog-aware entity extraction: 事项/一件事名称、乡镇、村社区 and the asked-about aspect.

Runs after DIET. Finds exact mentions of every catalog name and alias with a spaCy
PhraseMatcher, near misses (one wrong character: 社报卡 → 社保卡) with rapidfuzz, and
aspect keywords (带什么 → materials). Every `item`/`town`/`village` entity it leaves on
the message carries a catalog code as its value, as docs/INTERNAL_API.md requires.

The vocabulary comes from `assistant/generated/catalog_vocab.json`, written by
`python -m catalog.export_vocab`: the catalog's names, and under "words" the aspect and complaint
words and the pattern of a bare option number (catalog/data/words/). This module imports neither
`catalog` (the bot environment cannot) nor `actions` (`make lint` checks both).
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)
_NO_INDEX = 1 << 30

PROJECT_ROOT = Path(__file__).resolve().parents[2]

CODED_ENTITY_TYPES = ("item", "town", "village")
# DIET's spans of a message that are not our mentions are each searched for a name inside them; a
# message with more than this many such spans is noise (a citizen names a few needs and one place),
# and the rest of them are dropped unsearched, which bounds the work a 500-character message costs.
MAX_SEARCHED_SPANS = 8
VOCAB_SECTIONS = {"items": "item", "towns": "town", "villages": "village"}



@dataclass(frozen=True)
class ConversationWords:
    """The exported vocabulary's "words": aspect keywords (带什么 → materials; the keyword decides the
    aspect), complaint words, and a reply that is an option number alone."""

    aspects: Dict[str, List[str]]
    complaints: List[str]
    bare_ordinal: "re.Pattern[str]"

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "ConversationWords":
        words = data.get("words")
        if not isinstance(words, dict):
            raise ValueError("the catalog vocabulary has no \"words\" section; regenerate it with `make vocab` "
                             "(python -m catalog.export_vocab)")
        return cls(aspects={aspect: list(keywords) for aspect, keywords in words["aspects"].items()},
                   complaints=list(words["complaints"]), bare_ordinal=re.compile(words["bare_ordinal"]))


@dataclass(frozen=True)
class Mention:
    """One span of the message that names a catalog entry (or several, when a name is shared)."""

    entity: str
    start: int
    end: int
    codes: Tuple[str, ...]
    confidence: float
    extractor_kind: str = "exact"  # exact | fuzzy | keyword

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass
class CatalogVocabulary:
    """Surface form → (entity type, codes), from the generated vocabulary JSON."""

    surfaces: Dict[Tuple[str, str], List[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "CatalogVocabulary":
        vocabulary = cls()
        for section, entity in VOCAB_SECTIONS.items():
            for entry in data.get(section, []):
                for surface in [entry["name"], *entry.get("aliases", [])]:
                    vocabulary.add(entity, surface, entry["code"])
        return vocabulary

    def add(self, entity: str, surface: str, code: str) -> None:
        surface = (surface or "").strip()
        if not surface:
            return
        codes = self.surfaces.setdefault((entity, surface), [])
        if code not in codes:
            codes.append(code)

    def codes(self, entity: str, surface: str) -> List[str]:
        return self.surfaces.get((entity, surface), [])


def resolve_vocab_path(configured: str) -> Path:
    """Relative paths are tried from the working directory, then from the project root."""
    path = Path(configured)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path


class CatalogMatcher:
    """Pure matching logic (no Rasa types), built once per loaded vocabulary."""

    def __init__(
        self,
        vocabulary: CatalogVocabulary,
        aspect_keywords: Dict[str, Sequence[str]],
        fuzzy_min_length: int = 3,
        fuzzy_max_length: int = 16,
    ) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self._vocabulary = vocabulary
        # The jieba segmenter only judges whether a near miss is a real word of its own
        # (开发区 is not a typo of 开发票); exact matching runs on characters, so it does not
        # depend on whether the user dictionary was loaded before or after this component.
        self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        self._keys: Dict[int, Tuple[str, str]] = {}
        for entity, surface in vocabulary.surfaces:
            self._add_pattern(f"{entity}|{surface}", entity, surface)
        for aspect, keywords in aspect_keywords.items():
            for keyword in keywords:
                self._add_pattern(f"aspect|{keyword}", "aspect", keyword, value=aspect)
        self._fuzzy_min_length = fuzzy_min_length
        self._fuzzy_by_length = self._group_for_fuzzy(fuzzy_min_length, fuzzy_max_length)
        # Every surface with one character blanked out ("\0"): a window one character from a
        # surface shares one of these keys with it. Values are the first index in its length group.
        self._fuzzy_exact: Dict[str, int] = {}
        self._fuzzy_wildcards: Dict[str, int] = {}
        # The halves of every surface: a window one character from a surface shares its first or its
        # second half exactly (the one character that differs is in the other), so a window that
        # shares neither with any surface of its length is no near miss and is not looked up further.
        self._fuzzy_halves: Set[Tuple[int, int, str]] = set()
        for choices in self._fuzzy_by_length.values():
            for index, (_, surface) in enumerate(choices):
                self._fuzzy_exact.setdefault(surface, index)
                for i in range(len(surface)):
                    self._fuzzy_wildcards.setdefault(surface[:i] + "\0" + surface[i + 1 :], index)
                self._fuzzy_halves.update(_halves(surface))

    def _add_pattern(self, key: str, entity: str, surface: str, value: Optional[str] = None) -> None:
        match_id = self._nlp.vocab.strings.add(key)
        self._keys[match_id] = (entity, value if value is not None else surface)
        self._matcher.add(key, [self._char_doc(surface)])

    def _char_doc(self, text: str):
        from spacy.tokens import Doc

        return Doc(self._nlp.vocab, words=list(text), spaces=[False] * len(text))

    def _group_for_fuzzy(self, min_length: int, max_length: int) -> Dict[int, List[Tuple[str, str]]]:
        groups: Dict[int, List[Tuple[str, str]]] = {}
        for entity, surface in self._vocabulary.surfaces:
            if min_length <= len(surface) <= max_length:
                groups.setdefault(len(surface), []).append((entity, surface))
        return groups

    def find(self, text: str) -> List[Mention]:
        """All non-overlapping mentions in `text`, longest first, exact before fuzzy."""
        if not text:
            return []
        exact = self._exact_mentions(text)
        chosen = _longest_non_overlapping(m for m in exact if m.entity != "aspect")
        aspects = _longest_non_overlapping(m for m in exact if m.entity == "aspect")
        chosen += self._fuzzy_mentions(text, taken=chosen + aspects)
        chosen = [m for m in chosen if not _near_miss_village_of_another_town(m, chosen)]
        chosen = [_prefer_villages_in_named_town(m, chosen) for m in chosen]
        return sorted(chosen + aspects, key=lambda m: m.start)

    def _exact_mentions(self, text: str) -> List[Mention]:
        mentions = []
        for match_id, start, end in self._matcher(self._char_doc(text)):
            entity, value = self._keys[match_id]
            codes = (value,) if entity == "aspect" else tuple(self._vocabulary.codes(entity, value))
            kind = "keyword" if entity == "aspect" else "exact"
            mentions.append(Mention(entity, start, end, codes, 1.0, kind))
        return mentions

    def _fuzzy_mentions(self, text: str, taken: List[Mention]) -> List[Mention]:
        tokens = list(self._nlp(text))
        words = {token.text for token in tokens}
        # A misspelt name is still read as a word or a run of words: a window that starts or ends
        # inside one (「厂里|退休」 → 「里退休」, one character from 「办退休」) is not a near miss.
        boundaries = {token.idx for token in tokens} | {len(text)}
        candidates = []
        occupied = _occupied(text, [(m.start, m.end) for m in taken])
        # 「，户口」 is not a misspelt 「销户口」: a near miss is one wrong character *of a word*.
        not_word = _occupied(text, [(i, i + 1) for i, character in enumerate(text) if not character.isalnum()])
        token_at: List[Any] = [None] * len(text)  # the token each character is in (None: a space)
        nearest: Dict[str, Optional[Tuple[int, int]]] = {}
        for token in tokens:
            token_at[token.idx : token.idx + len(token.text)] = [token] * len(token.text)
        for length, choices in self._fuzzy_by_length.items():
            for start in range(0, len(text) - length + 1):
                end = start + length
                if start not in boundaries or end not in boundaries:
                    continue
                if occupied[end] - occupied[start] or not_word[end] - not_word[start]:
                    continue
                window = text[start:end]
                if window in words:  # a real word of its own is not a misspelling
                    continue
                if window not in nearest:  # a repeated window is looked up once
                    nearest[window] = self._nearest(window)
                best = nearest[window]
                if best is None:
                    continue
                distance, index = best
                entity, surface = choices[index]
                if _another_real_word(window, surface, start, token_at):
                    continue
                confidence = round(1.0 - distance / length, 3)
                codes = tuple(self._vocabulary.codes(entity, surface))
                candidates.append(Mention(entity, start, end, codes, confidence, "fuzzy"))
        return _longest_non_overlapping(candidates)

    def _nearest(self, window: str) -> Optional[Tuple[int, int]]:
        """(Hamming distance, index among the surfaces of its length) of the first surface at most
        one character from ``window``, as rapidfuzz's extractOne with that cutoff would choose, in
        ``len(window)`` look-ups of the one-wildcard index instead of a pass over every surface."""
        exact = self._fuzzy_exact.get(window)
        if exact is not None:
            return 0, exact
        if self._fuzzy_halves.isdisjoint(_halves(window)):
            return None
        found = [self._fuzzy_wildcards.get(window[:i] + "\0" + window[i + 1 :], _NO_INDEX) for i in range(len(window))]
        index = min(found)
        return None if index == _NO_INDEX else (1, index)

    def resolve_span(self, entity: str, span_text: str) -> Tuple[str, ...]:
        """Codes for a span another extractor (DIET) found: exact name, else its best contained mention."""
        codes = self._vocabulary.codes(entity, span_text)
        if codes:
            return tuple(codes)
        inside = [m for m in self.find(span_text) if m.entity == entity]
        if inside:
            return max(inside, key=lambda m: (m.confidence, m.length)).codes
        return ()


def _halves(text: str) -> Tuple[Tuple[int, int, str], Tuple[int, int, str]]:
    """(length, 0, first half) and (length, 1, second half) of ``text``."""
    half = len(text) // 2
    return (len(text), 0, text[:half]), (len(text), 1, text[half:])


def _another_real_word(window: str, surface: str, start: int, token_at: Sequence[Any]) -> bool:
    """The one character that differs sits in a word of the message that is a real word, and the
    name has another real word in the same place: 「驾照到期」 is not a misspelt 「护照到期」.

    A typo rarely makes a dictionary word (「社报卡」: jieba's 「社报」 is no word of its dictionary,
    「公基金」: 「积金」 is none either), so such near misses stay. ``token_at``: the message's token
    at each character."""
    import jieba

    differing = next((index for index, (a, b) in enumerate(zip(window, surface)) if a != b), None)
    token = token_at[start + differing] if differing is not None else None
    if token is None:
        return False
    begin, end = token.idx - start, token.idx - start + len(token.text)
    if end - begin < 2 or begin < 0 or end > len(window):
        return False
    return bool(jieba.get_FREQ(window[begin:end])) and bool(jieba.get_FREQ(surface[begin:end]))


def _near_miss_village_of_another_town(mention: Mention, mentions: List[Mention]) -> bool:
    """A near-miss village in none of the towns the message names word for word: 「我们是农村的，
    龙台镇」 — 「是农村」 is one character from 新农村, a village of 兴平镇, but the citizen named 龙台镇."""
    if mention.entity != "village" or mention.extractor_kind != "fuzzy":
        return False
    towns = [code for m in mentions if m.entity == "town" and m.extractor_kind == "exact" for code in m.codes]
    return bool(towns) and not any(code.startswith(town) for code in mention.codes for town in towns)


def _occupied(text: str, spans: Iterable[Tuple[int, int]]) -> List[int]:
    """Prefix counts of the characters ``spans`` cover: a window [start, end) overlaps one of them
    exactly when ``counts[end] - counts[start]`` is not 0 (one subtraction, not a scan)."""
    covered = [0] * len(text)
    for start, end in spans:
        for index in range(start, min(end, len(text))):
            covered[index] = 1
    counts = [0]
    for flag in covered:
        counts.append(counts[-1] + flag)
    return counts


def _longest_non_overlapping(mentions: Iterable[Mention]) -> List[Mention]:
    """Best first (confidence, then length), each kept only where no kept one covers it; linear in
    the characters covered, so a message of 250 names costs no more than 250 look-ups."""
    chosen: List[Mention] = []
    taken: set = set()
    for mention in sorted(mentions, key=lambda m: (-m.confidence, -m.length, m.start)):
        span = range(mention.start, mention.end)
        if not any(index in taken for index in span):
            chosen.append(mention)
            taken.update(span)
    return chosen


def _prefer_villages_in_named_town(mention: Mention, mentions: List[Mention]) -> Mention:
    """万盛社区 exists in several towns; if the message names one town, keep its village only.

    Statistical village codes start with their town's code."""
    if mention.entity != "village" or len(mention.codes) < 2:
        return mention
    town_codes = [code for m in mentions if m.entity == "town" for code in m.codes]
    narrowed = tuple(c for c in mention.codes if any(c.startswith(t) for t in town_codes))
    if not narrowed:
        return mention
    return Mention(mention.entity, mention.start, mention.end, narrowed, mention.confidence, mention.extractor_kind)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CatalogEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds catalog-coded `item`, `town`, `village` and `aspect` entities to each message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "vocab_path": "assistant/generated/catalog_vocab.json",
            # aspect → keywords; None: the vocabulary's (catalog/data/words/aspects.yaml).
            "aspect_keywords": None,
            # Near-miss matching below 3 characters mostly finds other real words.
            "fuzzy_min_length": 3,
            "fuzzy_max_length": 16,
            # A message that names a catalog item word for word is about that item, whatever
            # small-talk intent DIET guessed (「我是悦来镇金龙村的，交农保去哪」 read as goodbye).
            # Complaints and requests for a person are never overridden.
            "small_talk_intents": ["out_of_scope", "goodbye", "greet", "thanks", "bot_challenge"],
            "item_intent": "ask_item",
            # A bare option number read as small talk is an answer to the one question.
            "reply_intent": "inform",
            # 投诉/举报 always mean the human route (docs/DESIGN.md §2.6): never answered as an item,
            # whatever DIET guessed. A request for a person stays one. None: the vocabulary's.
            "complaint_keywords": None,
            "complaint_intent": "complaint",
            "human_intents": ["request_human", "complaint"],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba", "rapidfuzz"]

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    def __init__(self, config: Dict[Text, Any], matcher: CatalogMatcher, words: ConversationWords) -> None:
        self._config = config
        self._matcher = matcher
        self._complaints = config["complaint_keywords"] or words.complaints
        self._bare_ordinal = words.bare_ordinal

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CatalogEntityExtractor":
        path = resolve_vocab_path(config["vocab_path"])
        if not path.exists():
            raise FileNotFoundError(
                f"Catalog vocabulary {path} is missing; generate it with `make vocab` "
                "(python -m catalog.export_vocab)."
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        vocabulary = CatalogVocabulary.from_json(data)
        words = ConversationWords.from_json(data)
        matcher = CatalogMatcher(
            vocabulary,
            config["aspect_keywords"] or words.aspects,
            fuzzy_min_length=config["fuzzy_min_length"],
            fuzzy_max_length=config["fuzzy_max_length"],
        )
        logger.info("Loaded %d catalog surface forms from %s", len(vocabulary.surfaces), path)
        return cls(config, matcher, words)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        mentions = self._matcher.find(text)
        entities = self._recode_other_extractors(message.get(ENTITIES, []), mentions, text)
        entities += self._entities_for(mentions, text, skip=entities)
        message.set(ENTITIES, sorted(entities, key=lambda e: (e["start"], e["entity"])), add_to_output=True)
        self._correct_intent(message, mentions)

    def _correct_intent(self, message: Message, mentions: List[Mention]) -> None:
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        text = message.get(TEXT) or ""
        if name not in self._config["human_intents"] and any(k in text for k in self._complaints):
            # Certain: full confidence, so the FallbackClassifier after us keeps it.
            self._set_intent(message, intent, self._config["complaint_intent"], confidence=1.0)
            return
        if name not in self._config["small_talk_intents"]:
            return
        if self._bare_ordinal.match(text.strip()):
            # 「1」 answers the numbered question (「请回复序号或名称」); it was read as goodbye.
            self._set_intent(message, intent, self._config["reply_intent"])
            return
        if not any(m.entity == "item" and m.extractor_kind == "exact" for m in mentions):
            return
        # Same confidence: the FallbackClassifier after us still judges how sure DIET was.
        self._set_intent(message, intent, self._config["item_intent"])

    @staticmethod
    def _set_intent(message: Message, intent: Dict[str, Any], name: str, confidence: Optional[float] = None) -> None:
        corrected = {**intent, INTENT_NAME_KEY: name}
        if confidence is not None:
            corrected["confidence"] = confidence
        message.set(INTENT, corrected, add_to_output=True)
        message.set("intent_corrected_from", intent.get(INTENT_NAME_KEY), add_to_output=True)

    def _recode_other_extractors(
        self, entities: List[Dict[str, Any]], mentions: List[Mention], text: str
    ) -> List[Dict[str, Any]]:
        """Give DIET's item/town/village spans a catalog code; drop the ones that name nothing we know."""
        kept = []
        searched = 0
        for entity in entities:
            if entity.get("entity") not in CODED_ENTITY_TYPES:
                kept.append(entity)
                continue
            ours = [m for m in mentions if m.entity == entity["entity"] and m.overlaps(entity["start"], entity["end"])]
            if ours:
                codes = max(ours, key=lambda m: (m.confidence, m.length)).codes
            else:
                searched += 1
                codes = self._searched_span(entity, mentions, text) if searched <= MAX_SEARCHED_SPANS else ()
            if not codes:
                logger.debug("Dropping %s span without a catalog code", entity.get("entity"))
                continue
            kept.append({**entity, "value": codes[0]})
        return kept

    def _searched_span(self, entity: Dict[str, Any], mentions: List[Mention], text: str) -> Tuple[str, ...]:
        """The codes of a DIET span none of our mentions overlaps: a name inside it."""
        codes = self._matcher.resolve_span(entity["entity"], text[entity["start"] : entity["end"]])
        if entity["entity"] == "village" and codes:
            # DIET's village span is no name of ours: the village read inside it must not send the
            # citizen to another town than the one the message names word for word.
            named = Mention("village", entity["start"], entity["end"], codes, 0.0, "fuzzy")
            if _near_miss_village_of_another_town(named, mentions):
                return ()
        return codes

    def _entities_for(
        self, mentions: List[Mention], text: str, skip: List[Dict[str, Any]]
    ) -> List[Dict[str, Any]]:
        entities = []
        for mention in mentions:
            codes = mention.codes
            if any(e["entity"] == mention.entity and mention.overlaps(e["start"], e["end"]) for e in skip):
                codes = codes[1:]  # the first code is already on DIET's span
            # A name shared by several entries yields one entity per code, same span, so the
            # dialogue can offer them as the candidates of its one question.
            for code in codes:
                entity = {
                    "entity": mention.entity,
                    "start": mention.start,
                    "end": mention.end,
                    "value": code,
                    "text": text[mention.start : mention.end],
                    "confidence_entity": mention.confidence,
                    "match": mention.extractor_kind,
                }
                entities.append(self.add_extractor_name([entity])[0])
        return entities
