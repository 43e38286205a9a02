import pytest

from catalog.text import collapse_repeats, han_characters, normalise


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("社會保障卡補領", "社会保障卡补领"),  # traditional → simplified
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits
        ("（包括臨時）", "(包括临时)"),  # full-width brackets → half-width, 繁→简
        ("我想  开个\t小饭馆\n", "我想 开个 小饭馆"),  # whitespace collapsed and trimmed
        ("　社保卡　", "社保卡"),  # ideographic space
        ("低保\u200b咋申请\x00", "低保咋申请"),  # zero-width and control characters dropped
        ("", ""),
        ("户口簿", "户口簿"),  # already normal text is unchanged
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_normalise_is_idempotent():
    once = normalise("請問ＸＸ村委會　怎麼辦")
    assert normalise(once) == once


@pytest.mark.parametrize("text, expected", [
    ("低保低保低保低保", "低保低保低保"),
    ("啊啊啊啊啊，社保卡丢了", "啊啊啊，社保卡丢了"),
    ("啊啊啊", "啊啊啊"),                           # three copies stay: the NLU reads 「啊啊」 as a yes
    ("要得要得", "要得要得"),
    ("1000000元", "1000000元"),                     # numbers are never shortened
    ("13888888888", "13888888888"),
    ("a低1保a低1保a低1保a低1保", "a低1保a低1保a低1保"),
    ("社保卡丢了怎么补", "社保卡丢了怎么补"),
])
def test_collapse_repeats(text, expected):
    assert collapse_repeats(text) == expected


def test_normalise_shortens_a_padded_message():
    assert normalise("低保" * 250) == "低保低保低保"


def test_han_characters_counts_only_chinese_characters():
    assert han_characters("不是社保卡，是医保卡!") == 9
    assert han_characters("4050 ABC，。") == 0
