"""catalog/words.py: the conversation's word lists (catalog/data/words/) and what is built from them."""
import re

import pytest

from catalog.words import (
    ColloquialEntry,
    colloquial_without,
    load_asked_verbs,
    load_aspects,
    load_ordinals,
    load_place_suffixes,
    load_words,
)


@pytest.mark.parametrize("reply, number", [("1", 1), ("1.", 1), ("第1个", 1), ("第一项", 1), ("二号", 2),
                                           ("选2", 2), ("选择第两个", 2), ("九", 9)])
def test_an_option_number_alone_is_read_with_its_value(reply, number):
    ordinals = load_ordinals()
    match = re.match(ordinals.bare, reply)
    assert match and ordinals.value(match.group(1)) == number


@pytest.mark.parametrize("reply", ["10", "第十个", "2，龙台镇", "我选了两个", "一起办", ""])
def test_anything_more_than_an_option_number_is_not_a_bare_number(reply):
    assert re.match(load_ordinals().bare, reply) is None


def test_no_aspect_word_belongs_to_two_aspects():
    # The NLU keys its matcher's patterns by word: a word listed twice would keep one aspect only.
    seen: dict[str, str] = {}
    for aspect, words in load_aspects().keywords.items():
        for word in words:
            assert seen.setdefault(word, aspect) == aspect, f"{word} is under {seen[word]} and {aspect}"


def test_complaint_words_are_listed():
    assert "投诉" in load_aspects().complaints


def test_the_complaint_procedures_are_items_of_the_list_and_are_complaints():
    import json
    from pathlib import Path

    names = {item["name"] for item in json.loads(
        (Path(__file__).resolve().parents[2] / "catalog" / "data" / "guangan_items.json").read_text(encoding="utf-8"))}
    procedures = load_aspects().complained_of
    assert procedures and set(procedures) <= names
    assert all(any(word in name for word in load_aspects().complaints) for name in procedures)
    assert all(words for words in procedures.values())
    assert "再见" in load_aspects().small_talk["goodbye"]


@pytest.mark.parametrize("kind", ["villages", "towns"])
def test_a_suffix_is_tried_before_every_shorter_suffix_it_ends_with(kind):
    # The first suffix a name ends with wins: 街道办事处 must come before 街道 could cut it wrongly.
    suffixes = [official for official, _ in getattr(load_place_suffixes(), kind)]
    for i, suffix in enumerate(suffixes):
        for later in suffixes[i + 1:]:
            assert not later.endswith(suffix) or later == suffix, f"{later} comes after {suffix}"


def test_the_scanner_takes_the_longest_word_and_never_reuses_a_span():
    from catalog.words import Scanner

    scanner = Scanner({"门头不装修": "no", "装修": "yes", "门头": "front"})
    assert scanner.matches("我家门头不装修，但要装修") == [("门头不装修", "no"), ("装修", "yes")]


def test_words_shorter_than_asked_are_not_matched():
    from catalog.words import Scanner

    scanner = Scanner({"龙台镇": "t", "村": "v"})
    assert scanner.matches("龙台镇X村", shortest=2) == [("龙台镇", "t")]
    assert scanner.without("住龙台镇X村", shortest=2) == "住 X村"


def test_a_rewrite_replaces_each_match_and_keeps_the_rest():
    from catalog.words import Scanner

    scanner = Scanner({"社保卡": "社会保障卡", "社会保障卡": "社会保障卡"})
    assert scanner.rewrite("补办社保卡和社会保障卡") == "补办社会保障卡和社会保障卡"


@pytest.mark.parametrize("reply, every", [("都要", True), ("两个都要办", True), ("一起办", True), ("全部", True),
                                          ("都不是", False), ("都不要", False), ("全部的材料是啥", False)])
def test_a_reply_that_takes_every_option(reply, every):
    from catalog.words import load_every_option

    assert bool(re.search(load_every_option(), reply)) is every


def test_asked_verbs_are_made_from_leads_and_follows():
    verbs = load_asked_verbs(stems=load_words().stems)
    assert verbs.words["咋个改"] == verbs.words["改一下"] == frozenset({"变更", "更正"})
    assert "补个" in verbs.words and "能补" not in verbs.words  # follows_only
    assert "贴" in verbs.not_before["补个"]
    assert "吗" in verbs.question_marks and "?" in verbs.question_marks  # 「？」 is read as 「?」 (normalise)


def test_an_asked_verb_with_an_unknown_stem_is_refused(tmp_path):
    path = tmp_path / "asked_verbs.yaml"
    path.write_text("leads: [咋个]\nfollows: [一下]\nverbs:\n  改: {stems: [改掉]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="改"):
        load_asked_verbs(path, stems=load_words().stems)
    path.write_text("leads: 咋个\nfollows: [一下]\nverbs: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="leads"):
        load_asked_verbs(path)


@pytest.mark.parametrize("describing, error", [
    ("describing: [的]", "mapping"),
    ("describing: {within: two, not_after: [话]}", "whole number"),
    ("describing: {within: 3, not_after: 话}", "not_after"),
    ("questions: [吗]", "questions must be a mapping"),
    ("questions: {marks: 吗}", "marks"),
    ("rules: [能不能]", "rules must be a mapping"),
    ("rules: {asks: [能不能], not_with: [咋个办], examples: [{text: 能不能转学}]}", "example 1 needs text and rules"),
    ("rules: {asks: [能不能], not_with: [咋个办], examples: [{text: 能不能转学, rules: 是}]}", "true or false"),
])
def test_a_broken_describing_entry_is_refused(tmp_path, describing, error):
    path = tmp_path / "asked_verbs.yaml"
    path.write_text(f"leads: [咋个]\nfollows: [一下]\nverbs: {{}}\n{describing}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=error):
        load_asked_verbs(path)


def test_the_ways_a_transfer_goes_are_read_and_a_broken_one_is_named(tmp_path):
    names, said = load_words().directions["转出"]
    assert "转出" in names and "转过去" in said
    for name in ("qualifiers.yaml", "objects.yaml", "audience.yaml"):
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    (tmp_path / "actions.yaml").write_text("actions: {转移接续: [转出]}\ndirections: {转出: {names: 转出}}\n",
                                           encoding="utf-8")
    with pytest.raises(ValueError, match="directions: 转出"):
        load_words(tmp_path)


def test_the_records_actions_act_on_are_read_and_a_broken_one_is_named(tmp_path):
    assert "注销" in load_words().records["备案"]
    for name in ("qualifiers.yaml", "objects.yaml", "audience.yaml"):
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    for records in ("records: {备案: [作废]}", "records: [备案]", "records: {备案: []}"):
        (tmp_path / "actions.yaml").write_text(f"actions: {{备案: [], 注销: []}}\n{records}\n", encoding="utf-8")
        with pytest.raises(ValueError, match="records"):
            load_words(tmp_path)


def test_the_words_that_say_what_a_need_is_not(tmp_path):
    from catalog.words import load_not_this
    assert "不算" in load_not_this()
    path = tmp_path / "negations.yaml"
    path.write_text("negations: [不]\nnot_this: 不是\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not_this"):
        load_not_this(path)


def test_the_kinds_of_one_thing_are_read_and_a_broken_group_is_named(tmp_path):
    from catalog.words import load_kinds
    assert (("零售",), ("批发",)) in load_kinds()
    path = tmp_path / "negations.yaml"
    path.write_text("kinds:\n  - [客运|客货, 货运|客货]\n", encoding="utf-8")
    assert load_kinds(path) == ((("客运", "客货"), ("货运", "客货")),)  # one word may say both kinds of its group
    for kinds, error in (("kinds: [零售]", "group 1"), ("kinds:\n  - [零售]", "two kinds"),
                         ("kinds:\n  - [零售, 批发]\n  - [批发, 团购]", "another group")):
        path = tmp_path / error.replace(" ", "_") / "negations.yaml"  # each its own file: loads are cached
        path.parent.mkdir()
        path.write_text(kinds + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=error):
            load_kinds(path)


@pytest.mark.parametrize("text, reads", load_asked_verbs().back_reference_examples,
                         ids=[text for text, _ in load_asked_verbs().back_reference_examples])
def test_a_clause_pointing_back_is_read_with_the_clause_before_it(text, reads):
    assert load_asked_verbs().joined_back(text) == reads


@pytest.mark.parametrize("text, rules", load_asked_verbs().rules_examples,
                         ids=[text for text, _ in load_asked_verbs().rules_examples])
def test_a_message_asking_the_rules_is_told_from_one_asking_how(text, rules):
    assert load_asked_verbs().asks_rules(text) is rules


def test_the_lexicon_without_an_items_rows_keeps_what_names_others():
    mine = ColloquialEntry("objects", "狗证", "狗证在哪办", "犬类准养证核发", means="犬类准养证")
    shared = ColloquialEntry("objects", "社保转移", "社保转过来", "甲", items=("甲", "乙"))
    only = ColloquialEntry("objects", "老年卡", "办老年卡", "丙", items=("甲",))
    other = ColloquialEntry("actions", "丢了", "身份证丢了", "居民身份证办理（包括临时）", stems=("补领",))
    kept = colloquial_without((mine, shared, only, other), {"犬类准养证核发", "甲"})
    assert kept == (other,)
    assert colloquial_without((shared,), {"乙"}) == (ColloquialEntry("objects", "社保转移", "社保转过来", "甲", items=("甲",)),)
    assert colloquial_without((mine, other), ()) == (mine, other)
