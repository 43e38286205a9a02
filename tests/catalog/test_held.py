"""catalog.held: every example of catalog/data/words/held.yaml, row by row."""
import pytest

from catalog.held import held, load_held, without_held_clauses


@pytest.mark.parametrize("text, words, expected", load_held().examples)
def test_each_example(text, words, expected):
    assert held(text, words) is expected


def test_words_not_in_the_text_are_not_held():
    assert held("身份证都在身上", "户口本") is False


def test_a_broken_file_says_what_is_wrong(tmp_path):
    bad = tmp_path / "held.yaml"
    bad.write_text("after: [都在身上]\nbefore: 带着\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'before' must be a list"):
        load_held(bad)


def _names_a_document(text):
    return any(word in text for word in ("证", "补贴", "社保卡"))


@pytest.mark.parametrize("text, rest", [
    # the held clause goes, the asking clause stays
    ("营业执照也有，就是原来的道路运输证还是达州的，咋个办", "就是原来的道路运输证还是达州的，咋个办"),
    ("身份证和银行卡也有，培训的补贴去哪里申请", "培训的补贴去哪里申请"),
    ("我带着身份证和户口本，想办居住证", "想办居住证"),
    ("土地证、营业执照都有，车间的规划许可证咋个办", "车间的规划许可证咋个办"),
    # nothing held: as it is (「都有」 ends no clause that has something)
    ("身份证丢了，户口本不见了", "身份证丢了，户口本不见了"),
    ("建设规模和结构形式都有较大调整，规划许可证咋个办", "建设规模和结构形式都有较大调整，规划许可证咋个办"),
    # the rest names nothing to be done: the held clause names the need
    ("社保卡已经办好了，咋个激活", "社保卡已经办好了，咋个激活"),
    # one clause that holds and asks at once is not cut
    ("我带着身份证想办居住证", "我带着身份证想办居住证"),
])
def test_clauses_that_say_what_is_held_are_no_part_of_the_need(text, rest):
    assert without_held_clauses(text, _names_a_document) == rest


def test_without_clauses_leaves_out_what_it_is_told_when_the_rest_says_something():
    from catalog.held import without_clauses
    negated = lambda clause: clause.startswith("不算")  # noqa: E731
    assert without_clauses("厂房改好了，不算特殊工程，备案在哪交", negated, lambda rest: True) == "厂房改好了，备案在哪交"
    assert without_clauses("不算特殊工程", negated, lambda rest: bool(rest)) == "不算特殊工程"
    assert without_clauses("备案在哪交", negated, lambda rest: True) == "备案在哪交"
