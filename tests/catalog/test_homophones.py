"""Slips of pinyin typing are read as the word of the vocabulary they sound like (catalog/homophones.py)."""
from __future__ import annotations

import pytest

from catalog.homophones import Homophones

VOCABULARY = ["营业执照", "残疾证", "残疾人证", "结婚证", "身份证", "分公司", "失业保险金", "医保码", "无犯罪记录证明",
              "自建房", "办退休", "烟草专卖零售许可证"]


@pytest.fixture(scope="module")
def homophones():
    return Homophones(VOCABULARY)


@pytest.mark.parametrize("said,meant", [
    ("营业执找原件弄丢了", "营业执照原件弄丢了"),        # the last character
    ("残积证搞丢了咋补", "残疾证搞丢了咋补"),            # a middle one
    ("结昏证掉了咋个补", "结婚证掉了咋个补"),
    ("身分证挂失", "身份证挂失"),
    ("开无犯罪纪录证明要本人去不", "开无犯罪记录证明要本人去不"),
    ("失业保险今咋个领", "失业保险金咋个领"),
    ("烟操专卖零售许克证要续", "烟草专卖零售许可证要续"),  # a longer word may differ in two
    ("残疾正掉了咋补", "残疾证掉了咋补"),              # 正 is a slip where it makes no word with its neighbour
])
def test_a_slip_is_read_as_the_word_it_sounds_like(homophones, said, meant):
    assert homophones.corrected(said) == meant


@pytest.mark.parametrize("said", [
    "营业执照丢了",                # the word itself
    "我们是股份公司",              # 份 makes 股份 with its neighbour: no slip of 分公司
    "老板退休了，执照要换",         # 老板 holds 板: no slip of 办退休
    "单位集资建房要哪里批",         # 集资
    "能自己交职工医保吗",           # a sentence's particle is never a slip (医保吗 is no 医保码)
    "残疾人正在办低保",             # 正在 is a word of its own
    "今天天气怎么样",
    "",
])
def test_words_of_their_own_are_left_as_they_are(homophones, said):
    assert homophones.corrected(said) == said


def test_two_characters_are_never_corrected():
    assert Homophones(["低保", "失业"]).corrected("事业单位的底保") == "事业单位的底保"


def test_a_slip_two_words_sound_like_alike_is_left_as_it_is():
    # 「城建证」 is one character from both: neither is meant more than the other
    assert Homophones(["城建正", "城检证"]).corrected("城建证") == "城建证"
