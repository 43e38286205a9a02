"""ID-card and mobile numbers never reach a log line or the exchange log in clear text."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.redact import ID_NUMBER_MARK, MOBILE_MARK, redact, redact_with_flag

ID_NUMBER = "511602199001011234"
ID_NUMBER_X = "51160219900101123X"
MOBILE = "13812345678"


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"我的身份证号是{ID_NUMBER}，怎么补办", f"我的身份证号是{ID_NUMBER_MARK}，怎么补办"),
        (f"身份证{ID_NUMBER_X}", f"身份证{ID_NUMBER_MARK}"),
        (f"身份证{ID_NUMBER_X.lower()}", f"身份证{ID_NUMBER_MARK}"),
        (f"电话{MOBILE}请回电", f"电话{MOBILE_MARK}请回电"),
        ("电话 138 1234 5678", f"电话 {MOBILE_MARK}"),
        ("电话138-1234-5678", f"电话{MOBILE_MARK}"),
        (f"+86{MOBILE}", MOBILE_MARK),
        (f"86 {MOBILE}", MOBILE_MARK),
        (f"{ID_NUMBER} {MOBILE}", f"{ID_NUMBER_MARK} {MOBILE_MARK}"),
    ],
)
def test_hides_id_and_mobile_numbers(text, expected):
    hidden = redact_with_flag(text)
    assert hidden.text == expected
    assert hidden.changed


@pytest.mark.parametrize(
    "text",
    [
        "社保卡补领要多久",
        "办理时限20个工作日，收费20元",
        "座机 0826-2345678",           # landline, not a mobile
        "12345热线",
        "编号 12812345678",            # 12x is not a mobile prefix
        "1381234567",                  # ten digits
        "513A0011200068",              # an item code
        "5116021990010112345",         # nineteen digits: not an ID number
        "",
    ],
)
def test_leaves_other_text_alone(text):
    assert redact_with_flag(text) == (text, False)


def test_none_is_empty():
    assert redact(None) == ""


@given(prefix=st.text(alphabet="我要办社保卡，。 ", max_size=10), digits=st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_any_mobile_between_chinese_words_is_hidden(prefix, digits):
    hidden = redact(f"{prefix}{digits}{prefix}")
    assert digits not in hidden
    assert MOBILE_MARK in hidden
