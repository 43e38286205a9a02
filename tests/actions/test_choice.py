"""Reading the reply to the one question: numbers, option texts, yes/no."""
import pytest

from actions.choice import (
    confirms,
    facts_from_options,
    ordinal_in,
    pick_option,
    takes_every_option,
    yes_no_fact,
)

SOCIAL_CARD = [
    {"value": "a", "label": "社会保障卡申领"},
    {"value": "b", "label": "社会保障卡补领、换领、换发"},
    {"value": "c", "label": "社会保障卡注销"},
]


@pytest.mark.parametrize(
    "reply, position",
    [("1", 1), ("2.", 2), ("第二个", 2), ("第3项", 3), ("选2", 2), ("三", 3), ("第二个吧啊啊", None), ("12345", None),
     # the number first, then the rest of the answer (「2，龙台镇」), as the question invites
     ("2，龙台镇", 2), ("第一个，我自己去", 1), ("3 在悦来镇", 3),
     ("一起办，龙台镇", None), ("两个都要办", None), ("2024年办的", None)],
)
def test_ordinal_in(reply, position):
    assert ordinal_in(reply) == position


@pytest.mark.parametrize(
    "reply, chosen",
    [
        ("2", "b"),
        ("第三个", "c"),
        ("社会保障卡注销", "c"),  # the button's text
        ("b", "b"),  # the option's value
        ("我要补领", "b"),  # a fragment only one option has
        ("申领", "a"),
        ("是补领那个", "b"),
        ("社保卡", None),  # all three share it: no choice
        ("第五个", None),
        ("随便", None),
    ],
)
def test_pick_option(reply, chosen):
    option = pick_option(reply, SOCIAL_CARD)
    assert (option["value"] if option else None) == chosen


QUESTIONS = [
    {"slot": "shopfront_renovation", "text": "门头要装修吗？",
     "options": [{"value": "yes", "label": "门头要装修"}, {"value": "no", "label": "门头不装修"}]},
    {"slot": "handle_tax", "text": "税务现在一起办吗？",
     "options": [{"value": "yes", "label": "一并办税"}, {"value": "no", "label": "暂时不办税"}]},
    {"slot": "place", "text": "您在哪个乡镇？", "options": []},
]


@pytest.mark.parametrize(
    "reply, facts",
    [
        ("门头要装修", {"shopfront_renovation": "yes"}),
        ("门头不装修，一并办税", {"shopfront_renovation": "no", "handle_tax": "yes"}),
        ("暂时不办税", {"handle_tax": "no"}),
        ("龙台镇", {}),
    ],
)
def test_facts_from_options(reply, facts):
    assert facts_from_options(reply, QUESTIONS) == facts


def test_yes_no_answers_only_a_single_open_yes_no_question():
    assert yes_no_fact("affirm", QUESTIONS) == {}  # two yes/no questions: 「是的」 says nothing
    assert yes_no_fact("deny", QUESTIONS[1:]) == {"handle_tax": "no"}
    assert yes_no_fact("affirm", QUESTIONS[1:]) == {"handle_tax": "yes"}
    assert yes_no_fact("inform", QUESTIONS[1:]) == {}


@pytest.mark.parametrize(
    "reply, every",
    [
        ("都要", True), ("两个都要办", True), ("全部都办，我在龙台镇", True), ("一起办", True), ("全部", True),
        ("都不是", False), ("都不要", False), ("第一个", False), ("医保那个", False), ("我都不晓得", False),
    ],
)
def test_takes_every_option(reply, every):
    assert takes_every_option(reply) is every


@pytest.mark.parametrize("reply, yes", [
    ("是", True), ("是的", True), ("对头，我在龙台镇", True), ("嗯嗯", True), ("没错。", True), ("要得", True),
    ("是不是要带户口本", False), ("不是", False), ("对面那个", False), ("好像不对", False), ("", False),
])
def test_a_yes_to_an_option_offered_alone(reply, yes):
    assert confirms(reply) is yes
