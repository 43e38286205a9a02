"""Turn.from_tracker: what the action reads of the NLU's output."""
from actions.conversation import Turn
from tests.actions.conftest import make_tracker


def test_item_mentions_keep_the_words_each_item_was_read_from():
    text = "我爸上个月走了，他是厂里退休的，后事要办哪些手续"
    entities = [
        {"entity": "item", "value": "retirement", "start": 12, "end": 14},
        {"entity": "item", "value": "after-death", "start": 16, "end": 18},
        {"entity": "item", "value": "after-death", "start": 16, "end": 18},   # the same mention twice
        {"entity": "town", "value": "511602104", "start": 0, "end": 1},
    ]
    turn = Turn.from_tracker(make_tracker(text, "ask_item", entities))
    assert turn.item_codes == ["retirement", "after-death"]
    assert turn.item_mentions == (("retirement", "退休"), ("after-death", "后事"))
    assert turn.words_for("after-death") == ["后事"] and turn.words_for("other") == []
    assert turn.item_words == ["退休", "后事"]


def test_a_mention_without_a_usable_span_has_no_words():
    entities = [
        {"entity": "item", "value": "a"},                                # no span reported
        {"entity": "item", "value": "b", "start": 3, "end": 99},          # outside the text
        {"entity": "item", "value": "c", "start": "0", "end": "2"},       # not integers
    ]
    turn = Turn.from_tracker(make_tracker("社保卡丢了", "ask_item", entities))
    assert turn.item_codes == ["a", "b", "c"]
    assert turn.item_words == [] and turn.words_for("a") == []


def test_places_read_from_near_misses_keep_their_words_and_can_be_unsaid():
    text = "我妈在农村交的医保，龙台镇"
    entities = [
        {"entity": "village", "value": "511602105215", "start": 2, "end": 5, "match": "fuzzy"},
        {"entity": "town", "value": "511602108", "start": 10, "end": 13, "match": "exact"},
    ]
    turn = Turn.from_tracker(make_tracker(text, "ask_item", entities))
    assert turn.place_slips == (("511602105215", "在农村"),)
    unsaid = turn.without_places({"511602105215"})
    assert (unsaid.town_code, unsaid.village_code) == ("511602108", None)
    assert turn.without_places(set()) == turn


def test_places_the_learned_extractor_tagged_keep_their_span():
    text = "我在代市镇开了个小卖部"
    entities = [{"entity": "town", "value": "511602112", "start": 3, "end": 5, "extractor": "DIETClassifier"},
                {"entity": "town", "value": "511602108", "start": 0, "end": 2, "match": "exact"}]
    turn = Turn.from_tracker(make_tracker(text, "ask_item", entities))
    assert turn.place_guesses == (("511602112", "市镇"),) and turn.place_slips == ()
