"""The importers' row models: a pydantic problem is told in plain words, with the file's field path
(catalog/importers/fields.py); the whole-file behaviour is in test_importers.py."""
import json

import pytest

from catalog.importers import CatalogImportError, import_guides, import_items
from catalog.importers.fields import field_path, validated
from catalog.importers.items import ItemRow
from catalog.importers.regions import RegionRow


@pytest.mark.parametrize(
    "loc, expected",
    [(("name",), "name"), (("materials", 1, "when"), "materials[2].when"), (("members", 0), "members[1]"), ((), "")],
)
def test_field_path_counts_list_entries_from_one(loc, expected):
    assert field_path(loc) == expected


@pytest.mark.parametrize(
    "record, expected",
    [
        ({"department": "局", "code": "c"}, 'f.json: row 4, field "name": missing'),
        ({"name": "  ", "department": "局", "code": "c"}, 'f.json: row 4, field "name": missing'),
        ({"name": ["甲"], "department": "局"}, 'f.json: row 4, field "name": must be text, got list'),
        ({"name": "甲", "department": "局", "code": True}, 'f.json: row 4, field "code": must be text, got bool'),
        ({"name": "甲", "department": "局", "level": "town "}, None),  # trimmed: a valid level
        ({"name": "甲", "department": "局", "aliases": 7},
         'f.json: row 4, field "aliases": must be text or a list of text, got int'),
    ],
)
def test_item_rows_in_plain_words(record, expected):
    if expected is None:
        row = validated(ItemRow, "f.json", 4, record)
        assert (row.name, row.level, row.code) == ("甲", "town", None)
        return
    with pytest.raises(CatalogImportError) as error:
        validated(ItemRow, "f.json", 4, record)
    assert str(error.value) == expected


def test_a_number_is_taken_as_text_where_text_is_optional():
    row = validated(ItemRow, "f.json", 1, {"name": "甲", "department": "局", "code": 1234, "main_item": 5.5})
    assert (row.code, row.main_item) == ("1234", "5.5")


def test_every_problem_of_a_row_is_counted_and_the_first_is_named():
    with pytest.raises(CatalogImportError) as error:
        validated(RegionRow, "r.csv", 2, {"code": "51160X", "name": "", "level": "province", "parent_code": ""})
    assert str(error.value) == ('r.csv: row 2, field "code": \'51160X\' is not a numeric division code '
                                "(and 2 more problems in this row)")
    assert (error.value.row, error.value.field) == (2, "code")


def test_fields_a_file_does_not_know_are_ignored(session, tmp_path):
    path = tmp_path / "i.json"
    path.write_text(json.dumps([{"name": "甲", "department": "局", "code": "t-x", "备注": "内部"}],
                               ensure_ascii=False), encoding="utf-8")
    assert import_items(session, path) == 1


@pytest.mark.parametrize(
    "body, expected",
    [
        ("items:\n  - 失业登记\n", 'g.yaml: row 1 of items: must be a mapping'),
        ("items:\n  - {name: 失业登记, materials: [身份证]}\n", 'g.yaml: row 1 of items, field "materials[1]": must be a mapping'),
        ("items:\n  - {name: 失业登记, materials: [{name: 表, copies: \"2\"}]}\n",
         'g.yaml: row 1 of items, field "materials[1].copies": must be a whole number, got \'2\''),
        ("items:\n  - {name: 失业登记, authored: yes please}\n", 'g.yaml: row 1 of items, field "authored": must be true or false'),
        ("items:\n  - {name: 失业登记, aliases: 失业}\n", 'g.yaml: row 1 of items, field "aliases": must be a list of text'),
        ("items: {name: 失业登记}\n", 'g.yaml: field "items": must be a list'),
        ("facts:\n  - {key: k, kind: detail, question: q, options: [{value: a, label: A}, {value: a, label: B}]}\n",
         'g.yaml: row 1 of facts, field "options": duplicate option value'),
        ("facts:\n  - {key: k, kind: detail, question: q}\n",
         'g.yaml: row 1 of facts, field "options": missing (a fact needs at least one option)'),
        ("bundles:\n  - {code: b1, name: 一件事, members: [{item: 失业登记}, {item: 失业登记}]}\n",
         'g.yaml: row 1 of bundles, field "members": the same item is listed twice'),
        ("bundles:\n  - {code: b1, name: 一件事, members: [{item: 失业登记, when: 本人}]}\n",
         'g.yaml: row 1 of bundles, field "members[1].when": must be a mapping {fact: value}'),
    ],
)
def test_guide_rows_in_plain_words(session, tmp_path, body, expected):
    path = tmp_path / "g.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogImportError) as error:
        import_guides(session, path)
    assert str(error.value) == expected
