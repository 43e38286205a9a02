"""The contract (catalog/contract.py): what the catalog builds conforms to it, the wire form is the
§6 dict, and the widget's and agent console's copies of the shared words are current."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog import contract
from catalog.guide import guide, guide_payload
from catalog.models import Bundle, Item
from catalog.places import resolve_place
from catalog.tailoring import missing_facts
from catalog.targets import get_target

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"


# ---------------------------------------------------------------- the shared words


@pytest.mark.parametrize("trips, official, text", [
    (0, False, "零跑动"), (1, False, "最多跑1次"), (2, False, "最多跑2次"),
    (0, True, "0次"), (1, True, "1次"), (None, False, None), (None, True, None),
])
def test_trips_are_worded_one_way(trips, official, text):
    assert contract.trips_text(trips, official) == text


def test_a_missing_field_names_the_phone_to_ask_or_the_hotline():
    assert contract.missing_sentence("hours", "0770-2838059") == "办理时间：官方办事指南未载明，请咨询0770-2838059。"
    assert contract.missing_sentence("fee", None) == f"收费标准：官方办事指南未载明，请咨询{contract.HOTLINE}。"


def test_every_level_has_one_label_and_the_hotline_is_in_the_handoff_sentence():
    assert set(contract.LEVEL_LABELS) == {"village", "town", "county", "city"}
    assert contract.HOTLINE in contract.HANDOFF_SENTENCE and contract.HOTLINE in contract.HOTLINE_NAME


@pytest.mark.parametrize("script", ["widget.js", "agent.js"])
def test_the_scripts_carry_the_current_copy_of_the_shared_words(script):
    source = (STATIC / script).read_text(encoding="utf-8")
    start, end = source.index(contract.JS_BEGIN), source.index(contract.JS_END) + len(contract.JS_END)
    block = source[source.rindex("\n", 0, start) + 1 : end]
    assert block == contract.js_constants(), f"run: python -m catalog.contract api/static/{script}"
    values = json.loads(re.search(r"var CONTRACT = (\{.*\});", block, re.S).group(1))
    assert values["levelLabels"] == contract.LEVEL_LABELS and values["missingLabels"] == contract.MISSING_LABELS
    assert values["hotline"] == contract.HOTLINE and values["handoffSentence"] == contract.HANDOFF_SENTENCE
    # No second copy of a shared word outside the block.
    rest = source[:start] + source[end:]
    for word in (contract.HANDOFF_SENTENCE, contract.LINK_ONLY_SENTENCE, *contract.LEVEL_LABELS.values(),
                 contract.OFFICIAL_SOURCE_LABEL, contract.TRIPS_ZERO, '"' + contract.HOTLINE + '"'):
        assert word not in rest, word


def test_write_js_constants_rewrites_only_the_block(tmp_path):
    script = tmp_path / "s.js"
    script.write_text(f"var a = 1;\n  {contract.JS_BEGIN}\n  var CONTRACT = {{}};\n  {contract.JS_END}\nvar b = 2;\n",
                      encoding="utf-8")
    assert contract.write_js_constants(str(script)) is True
    text = script.read_text(encoding="utf-8")
    assert text.startswith("var a = 1;\n") and text.endswith("\nvar b = 2;\n") and contract.js_constants() in text
    assert contract.write_js_constants(str(script)) is False


# ---------------------------------------------------------------- the payloads


def _all_targets(session) -> list[str]:
    return list(session.scalars(select(Bundle.code))) + list(session.scalars(select(Item.code).order_by(Item.code)))


def test_every_guide_the_catalog_builds_is_a_valid_payload_and_travels_unchanged(session):
    # Every target, so a field the data fills in an unexpected way fails here, not in a channel.
    place = resolve_place(session, "龙台镇")
    for code in _all_targets(session):
        wire = guide(session, get_target(session, code), {}, place, public_base="https://h")
        assert contract.GuidePayload.model_validate(wire).wire() == wire, code
        assert "share_url" not in wire and wire["qr_url"] == f"https://h/guide/{code}/qr.svg"


def test_without_a_public_base_only_an_official_link_is_given(session):
    bundle = guide_payload(session, get_target(session, "open-restaurant"), {}, None)
    assert (bundle.guide_url, bundle.qr_url) == (None, None)
    real = session.scalar(select(Item.code).where(Item.guide_url.is_not(None), Item.has_guide.is_(False)))
    assert guide_payload(session, get_target(session, real), {}, None).guide_url.startswith("http")


def test_the_share_url_travels_once_the_app_sets_it(session):
    payload = guide_payload(session, get_target(session, "open-restaurant"), {}, None, public_base="https://h")
    payload.share_url = "https://h/guide/t/AbCdEfGhIjKl"
    assert payload.wire()["share_url"] == "https://h/guide/t/AbCdEfGhIjKl"


def test_the_catalogs_questions_make_a_valid_clarify_payload(session):
    town_item = session.scalar(select(Item.code).where(Item.level == "town").order_by(Item.code))
    questions = missing_facts(session, get_target(session, "open-restaurant"), {}, None)
    questions += missing_facts(session, get_target(session, town_item), {}, None)
    assert {"shopfront_renovation", "place"} <= {q.slot for q in questions}
    wire = contract.clarify_payload([q.model_dump() for q in questions])
    assert wire["type"] == "clarify" and [q["slot"] for q in wire["questions"]] == [q.slot for q in questions]
    assert all(set(o) == {"value", "label"} for q in wire["questions"] for o in q["options"])


def test_handoff_and_candidates_payloads_are_the_designs():
    assert contract.handoff_payload("not_found") == {"type": "handoff", "reason": "not_found",
                                                     "phone": contract.HOTLINE}
    assert contract.candidates_payload([("a", "甲"), ("b", "乙")]) == {
        "type": "candidates", "items": [{"code": "a", "name": "甲"}, {"code": "b", "name": "乙"}]}


def test_an_item_question_keeps_its_candidates():
    item = {"slot": "item", "text": "哪一项？", "options": [{"value": "a", "label": "甲"}],
            "candidates": contract.candidates_payload([("a", "甲")])}
    assert contract.clarify_payload([item])["questions"] == [item]


def test_a_malformed_question_fails_where_it_is_built():
    with pytest.raises(ValueError):
        contract.clarify_payload([{"slot": "item", "options": []}])
