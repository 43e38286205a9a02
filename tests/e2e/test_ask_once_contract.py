"""docs/DESIGN.md §2, end to end: real Rasa model + real actions + real catalog, through POST /api/chat."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.e2e


def payloads(reply: dict, kind: str) -> list[dict]:
    return [m["custom"] for m in reply["messages"] if (m.get("custom") or {}).get("type") == kind]


def the_guide(reply: dict) -> dict:
    guides = payloads(reply, "guide")
    assert len(guides) == 1, f"expected one guide, got {reply}"
    assert not payloads(reply, "clarify"), reply
    return guides[0]


def material_names(guide: dict) -> list[str]:
    return [m["name"] for m in guide["materials"]]


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def test_everything_given_answers_at_once_with_zero_questions(stack):
    reply = stack.chat(new_sender(), "我在龙台镇，社保卡丢了怎么补")
    guide = the_guide(reply)
    assert [i["name"] for i in guide["items"]] == ["社会保障卡补领、换领、换发"]
    assert guide["location"]["level"] == "town"
    assert "龙台镇" in guide["location"]["name"]
    assert guide["qr_url"].endswith("/qr.svg")


def test_county_level_item_never_asks_for_the_place(stack):
    guide = the_guide(stack.chat(new_sender(), "办护照要带啥材料"))
    assert [i["name"] for i in guide["items"]] == ["普通护照签发"]
    assert guide["location"]["level"] == "county"


def test_bundle_asks_one_question_with_every_deciding_fact_then_answers(stack):
    sender = new_sender()
    first = stack.chat(sender, "我想开个小饭馆要准备啥")
    clarify = payloads(first, "clarify")
    assert len(clarify) == 1, first
    slots = [q["slot"] for q in clarify[0]["questions"]]
    assert set(slots) == {"shopfront_renovation", "handle_tax"}, slots  # county-level: no place, no detail facts
    assert all(q["options"] for q in clarify[0]["questions"])

    guide = the_guide(stack.chat(sender, "门头要装修，税务也一起办，我自己去"))
    assert guide["bundle"]["name"] == "我要开小餐馆"
    names = material_names(guide)
    assert "现状图（实景照片）" in names and "健康证明" in names
    assert "委托代理人证明" not in names  # said 我自己去: delegation materials dropped
    assert names.count("经营者身份证复印件") == 1


def test_reply_that_leaves_facts_open_gets_the_full_list_not_a_second_question(stack):
    sender = new_sender()
    assert payloads(stack.chat(sender, "开餐馆需要哪些手续"), "clarify")
    guide = the_guide(stack.chat(sender, "还没想好"))
    conditional = [m for m in guide["materials"] if m["condition"]]
    assert conditional, "open facts must leave their materials in, marked with a condition"


def test_facts_and_place_are_remembered_across_items(stack):
    sender = new_sender()
    first = the_guide(stack.chat(sender, "我住龙台镇，低保怎么申请"))
    assert first["items"][0]["name"] == "最低生活保障"
    assert "龙台镇" in first["location"]["name"]
    second = the_guide(stack.chat(sender, "那80岁高龄补贴呢"))
    assert second["items"][0]["name"] == "80周岁以上老年人高龄津贴发放"
    assert "龙台镇" in second["location"]["name"]


def test_complaint_goes_to_the_human_route(stack):
    reply = stack.chat(new_sender(), "我要投诉隔壁工地半夜施工扰民")
    handoff = payloads(reply, "handoff")
    assert handoff and handoff[0]["phone"] == "12345"
    assert not payloads(reply, "guide")
