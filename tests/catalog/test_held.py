"""catalog.held: every example of catalog/data/words/held.yaml, row by row."""
import pytest

from catalog.held import held, load_held


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
