"""scripts/eval.py: scoring of fake /api/chat replies (no network), and the dialogue set itself
checked against the catalog data so that a typo in an expectation fails here, not in `make eval`."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
DIALOGUES = ROOT / "tests" / "dialogues"


ev = load_script("eval", "wyc_eval_script")


# ------------------------------------------------------------------ fake replies


def guide_reply(name="社会保障卡补领、换领、换发", bundle=None, items=None, materials=(), level="town",
                place="龙台镇便民服务中心"):
    payload = {
        "type": "guide",
        "name": bundle or name,
        "bundle": {"name": bundle} if bundle else None,
        "items": [{"code": f"c{i}", "name": n} for i, n in enumerate(items or [name])],
        "materials": [{"name": n, "condition": c} for n, c in materials],
        "location": {"level": level, "name": place},
    }
    return {"sender_id": "s", "messages": [{"text": "一次性告知……", "custom": payload}]}


def clarify_reply(*slots, options=None):
    questions = [{"slot": s, "text": "?", "options": options if s == "item" and options else []} for s in slots]
    return {"sender_id": "s", "messages": [{"text": "请确认", "custom": {"type": "clarify", "questions": questions}}]}


def handoff_reply():
    return {"sender_id": "s", "messages": [{"text": "请拨打12345", "custom": {"type": "handoff", "reason": "x",
                                                                          "phone": "12345"}}]}


def case_of(*turns):
    return ev.parse_case({"id": "c1", "category": "memory", "turns": list(turns)})


# ------------------------------------------------------------------ one reply


def test_a_matching_guide_has_no_reasons():
    reply = guide_reply(materials=[("居民身份证", None), ("委托书", "如委托他人办理")])
    expect = {"item": "社会保障卡补领、换领、换发", "clarify": 0, "location_level": "town",
              "location_place": "龙台镇", "materials_plain": ["居民身份证"], "materials_conditional": ["委托书"],
              "handoff": False}
    assert ev.score_reply(expect, reply) == []


@pytest.mark.parametrize("expect, fragment", [
    ({"item": "社会保障卡申领"}, "expected item 社会保障卡申领"),
    ({"bundle": "我要开小餐馆"}, "expected bundle"),
    ({"location_level": "county"}, "location level town"),
    ({"location_place": "大安镇"}, "does not name 大安镇"),
    ({"materials_include": ["户口簿"]}, "materials lack 户口簿"),
    ({"materials_exclude": ["委托书"]}, "wrongly include 委托书"),
    ({"materials_plain": ["委托书"]}, "expected plainly"),
    ({"materials_conditional": ["居民身份证"]}, "expected with its condition"),
    ({"clarify": 1}, "expected 1 clarify, got 0"),
    ({"handoff": True}, "expected handoff=True"),
    ({"text_include": ["12345"]}, "text lacks"),
    ({"items_include": ["新办纳税人涉税事项"]}, "items lack"),
])
def test_each_missed_expectation_gives_its_reason(expect, fragment):
    reply = guide_reply(materials=[("居民身份证", None), ("委托书", "如委托他人办理")])
    reasons = ev.score_reply(expect, reply)
    assert len(reasons) == 1 and fragment in reasons[0], reasons


def test_guides_for_wants_exactly_these_guides_in_order():
    one, two = guide_reply(name="户口登记"), guide_reply(bundle="身后一件事", items=["户口注销"])
    reply = {"sender_id": "s", "messages": [{"text": "您没有选定哪一项……"}] + one["messages"] + two["messages"]}
    assert ev.score_reply({"guides_for": ["户口登记", "身后一件事"]}, reply) == []
    assert ev.score_reply({"guides_for": ["身后一件事", "户口登记"]}, reply) == [
        "guides ['户口登记', '身后一件事'] != expected ['身后一件事', '户口登记']"]
    assert ev.score_reply({"guides_for": ["户口登记"]}, reply)
    assert ev.score_reply({"guides_for": ["户口登记"]}, handoff_reply()) == ["guides [] != expected ['户口登记']"]


def test_a_bundle_answer_is_not_an_item_answer():
    reply = guide_reply(bundle="我要开小餐馆", items=["个体工商户设立登记", "小餐饮经营许可证核发"], level="county")
    assert ev.score_reply({"bundle": "我要开小餐馆", "items_exclude": ["新办纳税人涉税事项"]}, reply) == []
    assert ev.score_reply({"item": "个体工商户设立登记"}, reply)


def test_guide_expectations_on_a_question_say_what_came_instead():
    reasons = ev.score_reply({"item": "失业登记"}, clarify_reply("place"))
    assert reasons == ["expected a guide, got clarify:['place']"]


def test_clarify_slots_must_match_exactly():
    reply = clarify_reply("shopfront_renovation", "handle_tax", "place")
    assert ev.score_reply({"clarify": 1, "clarify_slots": ["shopfront_renovation", "handle_tax", "place"]}, reply) == []
    reasons = ev.score_reply({"clarify_slots": ["shopfront_renovation", "handle_tax"]}, reply)
    assert reasons and "place" in reasons[0]


def test_candidates_are_read_from_the_item_question():
    options = [{"value": "a", "label": "社会保障卡申领"}, {"value": "b", "label": "社会保障卡注销"}]
    reply = clarify_reply("item", "place", options=options)
    assert ev.score_reply({"candidates_include": ["社会保障卡申领"]}, reply) == []
    assert ev.score_reply({"candidates_include": ["社会保障卡补领、换领、换发"]}, reply)


def test_handoff_false_fails_when_a_handoff_came():
    assert ev.score_reply({"handoff": False}, handoff_reply())
    assert ev.score_reply({"handoff": True, "clarify": 0}, handoff_reply()) == []


# ------------------------------------------------------------------ conversations


def test_a_second_question_for_the_same_need_is_an_ask_once_violation():
    case = case_of({"user": "迁户口"}, {"user": "协兴镇"}, {"user": "买房落户"})
    result = ev.score_case(case, [clarify_reply("move_reason", "place"), clarify_reply("move_reason"), guide_reply()])
    assert not result.passed
    assert any("second question" in v for v in result.asked_twice)


def test_a_question_for_a_new_need_is_allowed_but_not_for_a_slot_already_asked():
    case = case_of({"user": "失业了"}, {"user": "协兴镇"}, {"user": "迁户口", "new_need": True})
    ok = ev.score_case(case, [clarify_reply("place"), guide_reply(), clarify_reply("move_reason")])
    assert ok.passed, ok.reasons()
    again = ev.score_case(case, [clarify_reply("place"), guide_reply(), clarify_reply("move_reason", "place")])
    assert any("asked again for 'place'" in v for v in again.asked_twice)


def test_missing_replies_and_transport_errors_fail_the_case():
    case = case_of({"user": "a"}, {"user": "b"})
    assert "only 1 of 2" in ev.score_case(case, [guide_reply()]).error
    failed = ev.score_case(case, [], error="ConnectError: refused")
    assert not failed.passed and failed.reasons()[0].startswith("transport")


def test_summary_gates_on_pass_rate_and_ask_once():
    good = ev.CaseResult("a", "x", [ev.TurnResult("u", [], "")])
    bad = ev.CaseResult("b", "y", [ev.TurnResult("u", ["wrong"], "")])
    twice = ev.CaseResult("c", "x", [ev.TurnResult("u", [], "")], asked_twice=["turn 2: ..."])
    assert ev.summarise([good] * 19 + [bad]).ok  # exactly 95%
    assert not ev.summarise([good] * 18 + [bad] * 2).ok
    assert not ev.summarise([good] * 30 + [twice]).ok
    summary = ev.summarise([good, bad, twice])
    assert summary.by_category == {"x": (1, 2), "y": (0, 1)}
    report = ev.format_report([good, bad, twice], summary, 1.0)
    assert "- b [y]" in report and "wrong" in report and "ask-once" in report


@pytest.mark.parametrize("raw, message", [
    ({"id": "bad id!", "turns": [{"user": "x"}]}, "bad case id"),
    ({"id": "a", "turns": []}, "non-empty list"),
    ({"id": "a", "turns": [{"user": "x", "expect": {"itme": "y"}}]}, "unknown expectation"),
    ({"id": "a", "turns": [{"user": "x", "expect": {"location_level": "province"}}]}, "location_level"),
])
def test_malformed_cases_are_refused(raw, message):
    with pytest.raises(ev.CaseError, match=message):
        ev.parse_case(raw)


def test_run_case_posts_every_turn_with_one_sender_id():
    import asyncio

    sent = []

    class FakeResponse:
        status_code = 200

        def __init__(self, payload):
            self._payload = payload

        def json(self):
            return self._payload

    class FakeClient:
        async def post(self, path, json):
            sent.append((path, json["sender_id"], json["message"]))
            return FakeResponse(clarify_reply("place") if len(sent) == 1 else guide_reply())

    case = case_of({"user": "社保卡坏了", "expect": {"clarify": 1}},
                   {"user": "龙台镇", "expect": {"location_place": "龙台镇"}})
    result = asyncio.run(ev.run_case(FakeClient(), case, "run1"))
    assert result.passed, result.reasons()
    assert [s[2] for s in sent] == ["社保卡坏了", "龙台镇"]
    assert {s[1] for s in sent} == {"eval-run1-c1"} and {s[0] for s in sent} == {"/api/chat"}


# ------------------------------------------------------------------ the dialogue set itself


@pytest.fixture(scope="module")
def cases():
    return ev.load_cases(DIALOGUES)


def _expectations(cases):
    for case in cases:
        for turn in case.turns:
            yield case, turn.expect


def test_the_set_is_large_and_covers_every_required_category(cases):
    assert len(cases) >= 150
    categories = {c.category for c in cases}
    assert {"zero_question", "one_question", "county_level", "town_level", "village_level", "bundle", "memory",
            "handoff", "ambiguity"} <= categories
    levels = {e.get("location_level") for _, e in _expectations(cases)}
    assert {"village", "town", "county"} <= levels


def test_every_core_item_and_bundle_is_answered_somewhere(cases, guides):
    answered = {e.get("item") for _, e in _expectations(cases)} | {e.get("bundle") for _, e in _expectations(cases)}
    core = {i["name"] for i in guides["items"]} | {b["name"] for b in guides["bundles"]}
    assert core - answered == set()


def test_names_in_expectations_exist_in_the_catalog(cases, guides, real_items):
    items = {i["name"]: i for i in guides["items"]}
    bundles = {b["name"]: b for b in guides["bundles"]}
    problems = []
    for case, expect in _expectations(cases):
        for name in expect.get("guides_for") or []:
            if name not in items and name not in bundles and name not in real_items:
                problems.append(f"{case.id}: guides_for {name} is no item or bundle of the catalog")
        for key in ("item", "items_include", "items_exclude", "candidates_include"):
            names = expect.get(key) or []
            for name in [names] if isinstance(names, str) else names:
                if name not in items and name not in real_items:
                    problems.append(f"{case.id}: {key} {name} is no item of the catalog")
        if expect.get("bundle") and expect["bundle"] not in bundles:
            problems.append(f"{case.id}: unknown bundle {expect['bundle']}")
    assert problems == []


def _material_names(guides, expect):
    """What an expectation may name as materials: its guide's (none for a real item without one)."""
    items = {i["name"]: i for i in guides["items"]}
    if expect.get("item"):
        return {m["name"] for m in items[expect["item"]]["materials"]} if expect["item"] in items else set()
    bundle = next(b for b in guides["bundles"] if b["name"] == expect["bundle"])
    names = {m["name"] for m in bundle["materials"]}
    for member in bundle["members"]:
        names |= {m["name"] for m in items[member["item"]]["materials"]} - set(bundle.get("omit") or [])
    return names


def test_expected_materials_are_spelled_as_in_the_guides(cases, guides):
    problems = []
    for case, expect in _expectations(cases):
        if not (expect.get("item") or expect.get("bundle")):
            continue
        known = _material_names(guides, expect)
        for key in ("materials_include", "materials_plain", "materials_conditional"):
            problems += [f"{case.id}: {key} {n}" for n in expect.get(key) or [] if n not in known]
    assert problems == []


def test_places_in_expectations_are_real_regions(cases):
    regions = (ROOT / "catalog" / "data" / "guangan_511602.csv").read_text(encoding="utf-8")
    spoken = regions.replace("村委会", "村").replace("社区居委会", "社区")
    for case, expect in _expectations(cases):
        place = expect.get("location_place")
        if not place:
            continue
        bare = place.removesuffix("便民服务中心").removesuffix("便民服务站").removesuffix("政务服务中心")
        assert bare in spoken, f"{case.id}: {place} names no region"


def test_every_case_has_a_checkable_expectation(cases):
    for case in cases:
        assert any(t.expect for t in case.turns), f"{case.id} checks nothing"
