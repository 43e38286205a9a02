"""The citizens' lexicon (catalog/data/words/colloquial.yaml) is well-formed and points at real items."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
import yaml

from catalog.item_model import ITEMS_FILE, catalog_parts, colloquial_coverage
from catalog.text import normalise
from catalog.words import AUDIENCES, COLLOQUIAL_FILE, load_colloquial, load_words

GUIDES = ITEMS_FILE.parent / "guides.yaml"
ENTRIES = load_colloquial()


def _names() -> set[str]:
    names = {row["name"] for row in json.loads(ITEMS_FILE.read_text(encoding="utf-8"))}
    guides = yaml.safe_load(GUIDES.read_text(encoding="utf-8"))
    return names | {i["name"] for i in guides["items"]} | {b["name"] for b in guides["bundles"]}


NAMES = _names()
OBJECTS = {o for parts in catalog_parts().values() for o in parts.objects}


def _id(entry) -> str:
    return f"{entry.section}:{entry.word}:{entry.example[:12]}"


def test_file_parses_into_every_section():
    raw = yaml.safe_load(COLLOQUIAL_FILE.read_text(encoding="utf-8"))
    assert set(raw) == {"objects", "actions", "askers", "synonyms"}
    for section, rows in raw.items():
        assert rows, section
        for row in rows:
            assert {"word", "example", "expect"} <= set(row), row
    assert len(ENTRIES) == sum(len(rows) for rows in raw.values())


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_entry_is_well_formed(entry):
    assert entry.word and entry.example and entry.expect
    assert entry.word in normalise(entry.example), "the example must contain the word"
    assert entry.expect in NAMES, "expect must be an exact item name"
    if entry.section == "objects":
        assert (entry.means is None) != (not entry.items), "an object word has means or items, not both"
        if entry.means is not None:
            assert entry.means in OBJECTS, "means must be an object the item model produces"
            assert entry.means in normalise(entry.expect)
        for name in entry.items:
            assert name in NAMES
        if entry.items:
            assert entry.expect in entry.items
    elif entry.section == "actions":
        assert entry.stems and set(entry.stems) <= set(load_words().stems)
    elif entry.section == "synonyms":
        # the official word is one the county's names use, and the citizen's word is not
        assert entry.means and any(entry.means in normalise(name) for name in NAMES)
        assert entry.word != entry.means
    else:
        assert entry.audience in AUDIENCES


def test_a_word_has_one_meaning():
    meanings = defaultdict(set)
    for e in ENTRIES:
        meanings[(e.section, e.word)].add((e.means, e.items, e.stems, e.audience))
    assert {key: m for key, m in meanings.items() if len(m) > 1} == {}


def test_the_lexicon_brief_words_are_present():
    words = {e.word for e in ENTRIES}
    assert {"狗证", "卖烟的证", "失业金", "网吧", "卖书的店", "住院报销", "高龄补贴", "高龄贴", "低保", "底保",
            "养老金", "医保卡", "丢了", "掉了", "搞丢了", "弄丢了", "坏了", "到期了", "续一下", "不干了", "关了",
            "不开了", "改名字", "写错了", "变了", "第一次", "新办", "咋个领", "领钱", "公司", "厂里", "店里"} <= words


def test_most_citizen_facing_items_have_a_colloquial_way_in():
    covered, uncovered = colloquial_coverage(catalog_parts().values())
    assert len(covered) >= 0.95 * (len(covered) + len(uncovered)), uncovered
