"""Curators' phrasings (catalog/curation.py): attached from the report, read by the resolver at once,
undoable, recorded with who and when, and kept through a re-import of the official list."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog import curation, queries, ranking
from catalog.importers import import_items
from catalog.models import CuratorPhrasing, Item
from catalog.seed import DEFAULT_ITEMS

ITEM_NAME = "教师资格认定"
# How a citizen might ask for it in words no list, lexicon or phrasing file has.
PHRASE = "想当老师要的那个本本咋个整"


@pytest.fixture
def item_code(session) -> str:
    code = session.scalar(select(Item.code).where(Item.name == ITEM_NAME))
    assert code, f"{ITEM_NAME} is in the default list"
    return code


def answered_with(session, text: str) -> str | None:
    resolution = queries.resolve(session, text)
    return resolution.ranked[0].code if resolution.decision == "answer" else None


def test_an_attached_phrasing_answers_the_next_message_that_says_it(session, item_code):
    assert answered_with(session, PHRASE) != item_code
    row = curation.attach(session, PHRASE, item_code, "王主任")
    ranking.refresh_resolver(session)
    assert answered_with(session, PHRASE) == item_code
    assert (row.created_by, row.removed_at) == ("王主任", None) and row.created_at is not None

    curation.undo(session, row.id, "李科长")
    ranking.refresh_resolver(session)
    assert answered_with(session, PHRASE) != item_code
    undone = session.get(CuratorPhrasing, row.id)
    assert undone.removed_by == "李科长" and undone.removed_at is not None
    assert [view.removed_by for view in curation.listing(session)] == ["李科长"]
    assert curation.listing(session, include_removed=False) == []


def test_the_version_changes_with_each_attach_and_undo(session, item_code):
    before = curation.version(session)
    row = curation.attach(session, PHRASE, item_code, "王主任")
    attached = curation.version(session)
    curation.undo(session, row.id, "王主任")
    assert len({before, attached, curation.version(session)}) == 3


def test_a_phrasing_survives_a_reimport_of_the_official_list(session, item_code):
    curation.attach(session, PHRASE, item_code, "王主任")
    import_items(session, DEFAULT_ITEMS)
    assert (ITEM_NAME, PHRASE) in curation.resolver_phrasings(session)
    assert [view.item_name for view in curation.listing(session)] == [ITEM_NAME]


@pytest.mark.parametrize(
    ("phrase", "code", "status"),
    [("想当老师", "no-such-item", 404), ("嗯", None, 422), ("".join(chr(0x4E00 + i) for i in range(201)), None, 422)],
)
def test_bad_attachments_are_refused(session, item_code, phrase, code, status):
    with pytest.raises(curation.CurationError) as refused:
        curation.attach(session, phrase, code or item_code, "王主任")
    assert refused.value.status == status
    assert curation.listing(session) == []


def test_the_same_phrasing_twice_and_an_undo_twice_are_conflicts(session, item_code):
    row = curation.attach(session, PHRASE, item_code, "王主任")
    with pytest.raises(curation.CurationError) as twice:
        curation.attach(session, PHRASE, item_code, "李科长")
    assert twice.value.status == 409
    curation.undo(session, row.id, "王主任")
    with pytest.raises(curation.CurationError) as again:
        curation.undo(session, row.id, "王主任")
    assert again.value.status == 409
    with pytest.raises(curation.CurationError) as unknown:
        curation.undo(session, 987654, "王主任")
    assert unknown.value.status == 404
