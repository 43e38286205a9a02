"""CatalogEntityExtractor on a small vocabulary fixture (bot env; no trained model needed)."""
import json
from pathlib import Path

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.components.catalog_entities import CatalogEntityExtractor

FIXTURE_VOCAB = Path(__file__).parent / "fixtures" / "catalog_vocab.json"
# The conversation words (aspects, complaints, a bare option number) are the exported ones, as
# `make vocab` writes them from catalog/data/words/: the fixture holds only a small catalog.
EXPORTED_VOCAB = Path(__file__).parents[2] / "assistant" / "generated" / "catalog_vocab.json"


@pytest.fixture(scope="module")
def fixture_vocab(tmp_path_factory):
    data = json.loads(FIXTURE_VOCAB.read_text(encoding="utf-8"))
    data["words"] = json.loads(EXPORTED_VOCAB.read_text(encoding="utf-8"))["words"]
    path = tmp_path_factory.mktemp("vocab") / "catalog_vocab.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def extractor(fixture_vocab):
    config = {**CatalogEntityExtractor.get_default_config(), "vocab_path": str(fixture_vocab)}
    return CatalogEntityExtractor.create(config, None, None, None)


def extract(extractor, text, prior_entities=None):
    message = Message(data={TEXT: text})
    if prior_entities is not None:
        message.set(ENTITIES, prior_entities)
    extractor.process([message])
    return message.get(ENTITIES, [])


def values(entities, entity_type):
    return [e["value"] for e in entities if e["entity"] == entity_type]


@pytest.mark.parametrize(
    "text, expected_item",
    [
        ("我想办社保卡", "511A0001"),
        ("社会保障卡补领、换领、换发要带啥", "511A0002"),
        ("补办社保卡去哪里", "511A0002"),
        ("想开小饭馆要准备啥", "open-restaurant"),
        ("我家想吃低保", "511A0005"),
    ],
)
def test_exact_names_and_aliases_give_the_code(extractor, text, expected_item):
    assert values(extract(extractor, text), "item") == [expected_item]


def test_longest_alias_wins_over_the_alias_it_contains(extractor):
    entities = extract(extractor, "补办社保卡")
    assert [(e["value"], e["start"], e["end"]) for e in entities if e["entity"] == "item"] == [
        ("511A0002", 0, 5)
    ]


def test_entities_carry_span_text_extractor_and_confidence(extractor):
    [entity] = [e for e in extract(extractor, "我在龙台镇") if e["entity"] == "town"]
    assert entity == {
        "entity": "town", "start": 2, "end": 5, "value": "511602014", "text": "龙台镇",
        "confidence_entity": 1.0, "match": "exact", "extractor": "CatalogEntityExtractor",
    }


def test_one_wrong_character_is_matched_with_lower_confidence(extractor):
    [entity] = [e for e in extract(extractor, "我的社报卡丢了") if e["entity"] == "item"]
    assert entity["value"] == "511A0001"
    assert (entity["start"], entity["end"], entity["match"]) == (2, 5, "fuzzy")
    assert entity["confidence_entity"] < 1.0


def test_a_real_word_is_not_taken_for_a_misspelt_name(extractor):
    # 开发区 is one character away from the alias 开发票 but is a word of its own.
    assert values(extract(extractor, "开发区管委会在哪"), "item") == []


def test_a_near_miss_is_never_across_punctuation(extractor):
    # 「，户口」 is one character away from both 迁户口 and 销户口: a comma is not a misspelling.
    assert values(extract(extractor, "我妈走了，户口咋办"), "item") == []
    assert values(extract(extractor, "我妈走了 户口咋办"), "item") == []


def test_diet_span_starting_with_punctuation_is_not_read_as_a_near_miss(extractor):
    diet = {"entity": "item", "start": 4, "end": 7, "value": "，户口", "extractor": "DIETClassifier"}
    assert values(extract(extractor, "我妈走了，户口咋办", prior_entities=[diet]), "item") == []


def test_a_near_miss_does_not_cut_a_word(extractor):
    # 厂里|退休: 「里退休」 is one character from 「办退休」 but starts inside the word 厂里.
    assert values(extract(extractor, "他是厂里退休的，后事咋办"), "item") == []
    assert values(extract(extractor, "我想办退休"), "item") == ["retirement"]


def test_a_near_miss_that_turns_one_real_word_into_another_is_ignored(extractor):
    # 驾照 and 护照 are both words: 「驾照到期」 is not a misspelt 「护照到期」.
    assert values(extract(extractor, "驾照到期了在哪换"), "item") == []
    assert values(extract(extractor, "护照到期了在哪换"), "item") == ["511A0010"]
    # 「社报」 is no dictionary word: still a typo of 社保卡
    assert values(extract(extractor, "我的社报卡丢了"), "item") == ["511A0001"]


def test_a_near_miss_village_outside_the_named_town_is_ignored(extractor):
    # 「是农村」 is one character from 新农村 (兴平镇); the citizen named 龙台镇.
    entities = extract(extractor, "低保怎么申请，我们是农村的，龙台镇")
    assert values(entities, "village") == [] and values(entities, "town") == ["511602014"]
    # the same near miss with no town named, or with its own town, stays
    assert values(extract(extractor, "我们是心农村的"), "village") == ["511602005215"]
    assert values(extract(extractor, "兴平镇心农村的"), "village") == ["511602005215"]
    assert values(extract(extractor, "我是新农村的，龙台镇"), "village") == ["511602005215"]  # said word for word
    # nor through a village span DIET found around the same words
    text = "低保怎么申请，我们是农村的，龙台镇"
    diet = {"entity": "village", "start": text.index("是农村"), "end": text.index("是农村") + 3,
            "value": "是农村", "extractor": "DIETClassifier"}
    assert values(extract(extractor, text, prior_entities=[diet]), "village") == []
    diet_alone = {**diet, "start": 2, "end": 5, "value": "是农村"}
    assert values(extract(extractor, "我们是农村的", prior_entities=[diet_alone]), "village") == ["511602005215"]


def test_two_character_near_misses_are_ignored(extractor):
    assert values(extract(extractor, "低调一点"), "item") == []


def test_shared_name_yields_one_entity_per_candidate_on_the_same_span(extractor):
    items = [e for e in extract(extractor, "身份证怎么办") if e["entity"] == "item"]
    assert sorted(e["value"] for e in items) == ["511A0006", "511A0007"]
    assert {(e["start"], e["end"]) for e in items} == {(0, 3)}


def test_town_and_village_codes(extractor):
    entities = extract(extractor, "我是龙台镇石院村的")
    assert values(entities, "town") == ["511602014"]
    assert values(entities, "village") == ["511602014201"]


def test_village_name_in_several_towns_is_narrowed_by_the_named_town(extractor):
    assert sorted(values(extract(extractor, "万盛社区"), "village")) == ["511602004003", "511602014007"]
    entities = extract(extractor, "龙台镇万盛社区")
    assert values(entities, "village") == ["511602014007"]


def test_village_beats_the_town_alias_it_contains(extractor):
    entities = extract(extractor, "我住万盛社区")
    assert values(entities, "town") == []
    assert len(values(entities, "village")) == 2


@pytest.mark.parametrize(
    "text, aspects",
    [
        ("办社保卡要带啥", ["materials"]),
        ("低保在哪里办", ["location"]),
        ("身份证要多久", ["time"]),
        ("开发票收费吗", ["fee"]),
        ("办社保卡的流程是啥", ["process"]),
        ("低保能在网上办吗", ["online"]),
        ("社保卡要准备啥，多少钱", ["materials", "fee"]),
        ("你好", []),
    ],
)
def test_aspect_keywords(extractor, text, aspects):
    assert values(extract(extractor, text), "aspect") == aspects


def test_diet_span_is_recoded_not_duplicated(extractor):
    diet = {"entity": "item", "start": 2, "end": 5, "value": "社保卡", "extractor": "DIETClassifier",
            "confidence_entity": 0.93}
    entities = extract(extractor, "我想社保卡补一张", prior_entities=[diet])
    items = [e for e in entities if e["entity"] == "item"]
    assert items == [{**diet, "value": "511A0001"}]


def test_diet_span_around_a_near_miss_gets_the_code(extractor):
    diet = {"entity": "item", "start": 0, "end": 3, "value": "社报卡", "extractor": "DIETClassifier"}
    [item] = [e for e in extract(extractor, "社报卡咋办", prior_entities=[diet]) if e["entity"] == "item"]
    assert (item["value"], item["extractor"]) == ("511A0001", "DIETClassifier")


def test_diet_span_naming_nothing_in_the_catalog_is_dropped(extractor):
    diet = {"entity": "item", "start": 0, "end": 3, "value": "火箭票", "extractor": "DIETClassifier"}
    assert values(extract(extractor, "火箭票怎么买", prior_entities=[diet]), "item") == []


def test_other_entity_types_from_other_extractors_are_kept(extractor):
    other = {"entity": "number", "start": 0, "end": 1, "value": "3", "extractor": "DucklingEntityExtractor"}
    assert other in extract(extractor, "3张社保卡", prior_entities=[other])


def test_empty_message(extractor):
    assert extract(extractor, "") == []


def test_missing_vocabulary_fails_with_the_command_to_make_it(tmp_path):
    config = {**CatalogEntityExtractor.get_default_config(), "vocab_path": str(tmp_path / "none.json")}
    with pytest.raises(FileNotFoundError, match="make vocab"):
        CatalogEntityExtractor.create(config, None, None, None)


def test_a_vocabulary_without_the_conversation_words_fails_with_the_command_to_make_it(tmp_path):
    path = tmp_path / "catalog_vocab.json"
    path.write_text(FIXTURE_VOCAB.read_text(encoding="utf-8"), encoding="utf-8")
    config = {**CatalogEntityExtractor.get_default_config(), "vocab_path": str(path)}
    with pytest.raises(ValueError, match="make vocab"):
        CatalogEntityExtractor.create(config, None, None, None)


def test_configured_complaint_words_replace_the_vocabularys(fixture_vocab):
    config = {**CatalogEntityExtractor.get_default_config(), "vocab_path": str(fixture_vocab),
              "complaint_keywords": ["差评"]}
    configured = CatalogEntityExtractor.create(config, None, None, None)
    assert classified(configured, "给个差评", "greet")[0]["name"] == "complaint"
    assert classified(configured, "我要投诉", "greet")[0]["name"] == "greet"


def classified(extractor, text, intent, confidence=0.6):
    from rasa.shared.nlu.constants import INTENT

    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": confidence}})
    extractor.process([message])
    return message.get(INTENT), message.get("intent_corrected_from")


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("好的，那低保去哪办", "goodbye"),
        ("你好，补办社保卡要钱不", "greet"),
        ("谢谢，再问下开小饭馆要准备啥", "thanks"),
        ("低保现在还有吗", "out_of_scope"),
    ],
)
def test_small_talk_guess_naming_an_item_becomes_a_question_about_it(extractor, text, guessed):
    intent, corrected_from = classified(extractor, text, guessed)
    assert intent == {"name": "ask_item", "confidence": 0.6}  # DIET's confidence kept for the fallback
    assert corrected_from == guessed


@pytest.mark.parametrize(
    "text, intent",
    [
        ("我要投诉办低保的窗口", "complaint"),  # complaints always reach 12345
        ("帮我转人工，社保卡的事", "request_human"),
        ("今天天气怎么样", "out_of_scope"),  # no catalog name: stays out of scope
        ("社报卡好久能办好", "out_of_scope"),  # a near miss is not evidence enough
        ("再见", "goodbye"),
    ],
)
def test_intent_is_kept_without_an_exact_catalog_name_or_for_the_human_route(extractor, text, intent):
    assert classified(extractor, text, intent) == ({"name": intent, "confidence": 0.6}, None)


@pytest.mark.parametrize("text", ["1", "2。", "第二个", "选3"])
def test_an_option_number_read_as_small_talk_is_a_reply(extractor, text):
    message = Message(data={TEXT: text, INTENT: {"name": "goodbye", "confidence": 0.95}})
    extractor.process([message])
    assert message.get(INTENT)["name"] == "inform"


def test_a_number_inside_a_sentence_keeps_its_intent(extractor):
    message = Message(data={TEXT: "12345", INTENT: {"name": "request_human", "confidence": 0.9}})
    extractor.process([message])
    assert message.get(INTENT)["name"] == "request_human"


@pytest.mark.parametrize(
    "text, guessed",
    [
        ("我要投诉办低保的窗口态度差", "ask_item"),
        ("举报隔壁乱搭乱建", "out_of_scope"),
        ("社保卡窗口的人推诿，我要投诉", "inform"),
    ],
)
def test_complaint_words_always_take_the_human_route(extractor, text, guessed):
    intent, corrected_from = classified(extractor, text, guessed, confidence=0.3)
    assert intent == {"name": "complaint", "confidence": 1.0}
    assert corrected_from == guessed


def test_a_request_for_a_person_that_mentions_a_complaint_stays_a_request(extractor):
    assert classified(extractor, "转人工，我要投诉", "request_human") == ({"name": "request_human", "confidence": 0.6}, None)


def test_near_miss_index_chooses_as_rapidfuzz_extract_one(extractor):
    """The one-wildcard index gives, for every window, the surface rapidfuzz's extractOne with a
    Hamming cutoff of 1 gave (the first of the closest), without a pass over every surface."""
    from rapidfuzz import process
    from rapidfuzz.distance import Hamming

    matcher = extractor._matcher
    checked = 0
    for length, choices in matcher._fuzzy_by_length.items():
        surfaces = [surface for _, surface in choices]
        for surface in surfaces:
            windows = [surface] + [surface[:i] + "某" + surface[i + 1:] for i in range(len(surface))]
            windows.append("某" * length)
            for window in windows:
                best = process.extractOne(window, surfaces, scorer=Hamming.distance, score_cutoff=1)
                assert matcher._nearest(window) == (None if best is None else (best[1], best[2])), window
                checked += 1
    assert checked > 50


def test_a_long_message_of_names_is_read_in_one_pass(extractor):
    """500 characters of one short name: every occurrence found, none twice (was quadratic)."""
    entities = extract(extractor, "社保卡" * 166)
    assert len([e for e in entities if e["entity"] == "item"]) == 166


def test_only_the_first_spans_diet_alone_found_are_searched(extractor, monkeypatch):
    """A message with more DIET spans than a citizen ever names (noise filling the 500 characters)
    has only MAX_SEARCHED_SPANS of them searched for a name inside; the rest are dropped unsearched."""
    from assistant.components.catalog_entities import MAX_SEARCHED_SPANS

    searched = []
    resolve_span = extractor._matcher.resolve_span
    monkeypatch.setattr(extractor._matcher, "resolve_span",
                        lambda entity, span: searched.append(span) or resolve_span(entity, span))
    text = "，火箭票" * (MAX_SEARCHED_SPANS + 3) + "，社保卡"
    spans = [{"entity": "item", "start": i * 4 + 1, "end": i * 4 + 4, "value": "火箭票", "extractor": "DIETClassifier"}
             for i in range(MAX_SEARCHED_SPANS + 3)]
    assert values(extract(extractor, text, prior_entities=spans), "item") == ["511A0001"]
    assert len(searched) == MAX_SEARCHED_SPANS
