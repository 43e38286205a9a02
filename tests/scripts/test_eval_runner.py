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


def test_first_candidate_is_the_first_option_offered():
    options = [{"value": "a", "label": "社会保障卡申领"}, {"value": "b", "label": "社会保障卡注销"}]
    reply = clarify_reply("item", options=options)
    assert ev.score_reply({"first_candidate": "社会保障卡申领"}, reply) == []
    assert ev.score_reply({"first_candidate": "社会保障卡注销"}, reply) == [
        "first option '社会保障卡申领' != expected '社会保障卡注销'"]
    assert ev.score_reply({"first_candidate": "社会保障卡注销"}, clarify_reply("place"))


def test_a_reply_that_hands_off_twice_fails_whatever_is_expected():
    twice = handoff_reply()
    twice["messages"] = twice["messages"] * 2
    assert ev.score_reply({}, handoff_reply()) == []
    assert ev.score_reply({}, twice)[0].startswith("2 handoffs in one reply")


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


class FakeResponse:
    """An answer of POST /api/chat, as the runner reads it."""

    status_code = 200

    def __init__(self, payload):
        self._payload = payload

    def json(self):
        return self._payload


def test_run_case_posts_every_turn_with_one_sender_id():
    import asyncio

    sent = []

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
        for key in ("item", "items_include", "items_exclude", "candidates_include", "first_candidate"):
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


# ------------------------------------------------------------------ measurement sets (long tail)


def need(item="失业保险金申领", user="厂里裁员了"):
    return ev.single_need(ev.parse_case({"id": "m1", "category": "longtail",
                                         "turns": [{"user": user, "expect": {"item": item} if item else
                                                    {"handoff": True}}]}))


def item_question(*names):
    options = [{"value": f"v{i}", "label": n} for i, n in enumerate(names)]
    return clarify_reply("item", "place", options=options)


def text_reply(text="您好"):
    return {"sender_id": "s", "messages": [{"text": text}]}


@pytest.mark.parametrize("raw, message", [
    ({"id": "a", "turns": [{"user": "x", "expect": {"item": "y"}}, {"user": "z"}]}, "exactly one turn"),
    ({"id": "a", "turns": [{"user": "x", "expect": {"item": "y", "clarify": 0}}]}, "only `item`"),
    ({"id": "a", "turns": [{"user": "x", "expect": {"handoff": False}}]}, "only `item`"),
    ({"id": "a", "turns": [{"user": "x"}]}, "only `item`"),
])
def test_a_measurement_case_is_one_turn_expecting_an_item_or_a_handoff(raw, message):
    with pytest.raises(ev.CaseError, match=message):
        ev.single_need(ev.parse_case(raw))


def test_the_first_guide_answering_the_item_is_top1():
    outcome = ev.classify(need(), [guide_reply(name="失业保险金申领")])
    assert (outcome.kind, outcome.answered, outcome.correct, outcome.confident_wrong) == \
        ("guide", "失业保险金申领", True, False)
    two = {"sender_id": "s", "messages": guide_reply(name="失业登记")["messages"]
           + guide_reply(name="失业保险金申领")["messages"]}
    assert ev.classify(need(), [two]).answered == "失业登记"  # only the first guide counts


def test_the_authored_item_standing_for_the_expected_list_item_answers_it():
    """catalog/data/words/same_service.yaml: one service written twice; its authored guide is the answer."""
    listed, authored = next(iter(ev.stand_ins().items()))
    outcome = ev.classify(need(listed), [guide_reply(name=authored)])
    assert outcome.correct and not outcome.confident_wrong


def test_a_guide_for_another_item_or_a_bundle_without_a_question_is_a_confident_wrong_guide():
    wrong = ev.classify(need(), [guide_reply(name="失业登记")])
    assert wrong.confident_wrong and not wrong.correct
    bundle = ev.classify(need("个体工商户设立登记"), [guide_reply(bundle="我要开小餐馆", items=["个体工商户设立登记"])])
    assert bundle.confident_wrong and bundle.answered == "bundle:我要开小餐馆"


def test_only_place_questions_are_answered_with_a_town():
    assert ev.asks_only_place(clarify_reply("place"))
    assert ev.asks_only_place(clarify_reply("place", "move_reason"))
    assert not ev.asks_only_place(item_question("失业登记", "失业保险金申领"))
    assert not ev.asks_only_place(guide_reply())
    assert not ev.asks_only_place(handoff_reply())
    after = ev.classify(need(), [clarify_reply("place"), guide_reply(name="失业保险金申领")])
    assert after.correct and after.place_asked
    wrong = ev.classify(need(), [clarify_reply("place"), guide_reply(name="失业登记")])
    assert wrong.confident_wrong and wrong.place_asked  # the place question is no which-item question


def test_a_which_item_question_counts_as_asked_with_or_without_the_right_candidate():
    right = ev.classify(need(), [item_question("失业登记", "失业保险金申领")])
    assert (right.kind, right.right_among_candidates, right.correct) == ("question", True, False)
    missed = ev.classify(need(), [item_question("失业登记", "就业登记")])
    assert missed.kind == "question" and not missed.right_among_candidates and not missed.confident_wrong
    listed = {"sender_id": "s", "messages": [{"custom": {"type": "candidates", "items": [
        {"code": "a", "name": "失业保险金申领"}]}}]}
    assert ev.classify(need(), [listed]).right_among_candidates


def test_handoffs_text_and_transport_errors():
    assert ev.classify(need(), [handoff_reply()]).kind == "handoff"
    assert ev.classify(need(), [text_reply()]).kind == "other"
    assert ev.classify(need(), [], error="ConnectError").kind == "error"
    nol = need(item=None, user="楼上装修吵")
    assert nol.expects_handoff and ev.classify(nol, [handoff_reply()]).correct
    assert not ev.classify(nol, [guide_reply()]).correct


def test_measure_gives_every_rate_per_set():
    outcomes = [
        ev.classify(need(), [guide_reply(name="失业保险金申领")]),                       # top-1
        ev.classify(need(), [clarify_reply("place"), guide_reply(name="失业保险金申领")]),  # top-1 after place
        ev.classify(need(), [guide_reply(name="失业登记")]),                              # confident wrong
        ev.classify(need(), [item_question("失业登记", "失业保险金申领")]),               # asked, right offered
        ev.classify(need(), [item_question("失业登记", "就业登记")]),                     # asked, not offered
        ev.classify(need(), [handoff_reply()]),                                           # handoff
        ev.classify(need(), [text_reply()]),                                              # other
        ev.classify(need(), [], error="boom"),                                            # error (other)
        ev.classify(need(item=None), [handoff_reply()]),
        ev.classify(need(item=None), [guide_reply()]),
        ev.classify(need(item=None), [item_question("a", "b")]),
        ev.classify(need(item=None), [text_reply()]),
    ]
    m = ev.measure("longtail/tune.yaml", outcomes)
    assert (m.items, m.top1, m.asked, m.right_among_candidates, m.confident_wrong, m.handoff, m.other,
            m.place_asked, m.errors) == (8, 2, 2, 1, 1, 1, 2, 1, 1)
    assert (m.not_on_list, m.nol_handoff, m.nol_wrong_guide, m.nol_asked, m.nol_other) == (4, 1, 1, 1, 1)
    r = m.rates()
    assert r["top1"] == 0.25 and r["question_rate"] == 0.25 and r["right_among_candidates_when_asked"] == 0.5
    assert r["confident_wrong_guide"] == 0.125 and r["handoff_rate"] == 0.125
    assert r["not_on_list_handoff"] == 0.25 and r["not_on_list_wrong_guide"] == 0.25
    assert ev.measure("empty", []).rates()["top1"] is None


def test_failures_are_listed_for_a_tune_set_but_never_for_a_held_out_set_unless_asked():
    outcomes = [ev.classify(need(user="厂里裁员了咋办"), [guide_reply(name="失业登记")]),
                ev.classify(need(), [guide_reply(name="失业保险金申领")])]
    tune = (ev.measure("longtail/tune.yaml", outcomes), outcomes)
    held = (ev.measure("longtail/held_out.yaml", outcomes), outcomes)
    table = ev.format_metrics([tune, held])
    assert "longtail/tune.yaml" in table and "50.0%" in table and "厂里裁员了咋办" not in table
    listed = ev.format_metrics([tune, held], list_failures=True)
    assert listed.count("厂里裁员了咋办") == 1 and "expected 失业保险金申领; got 失业登记" in listed
    assert "aggregates only" in listed
    assert ev.format_metrics([held], list_failures=True, show_held_out=True).count("厂里裁员了咋办") == 1
    document = ev.metrics_document([tune, held])
    assert "cases" in document["longtail/tune.yaml"] and "cases" not in document["longtail/held_out.yaml"]
    assert document["longtail/held_out.yaml"]["rates"]["top1"] == 0.5
    assert "cases" in ev.metrics_document([held], show_held_out=True)["longtail/held_out.yaml"]


def test_split_by_key_is_seeded_halves_and_independent_of_order():
    keys = [f"k{i}" for i in range(11)]
    tune, held = ev.split_by_key(keys, 20)
    assert tune | held == set(keys) and not tune & held and len(held) == 5
    assert ev.split_by_key(reversed(keys + keys), 20) == (tune, held)
    assert ev.split_by_key(keys, 21) != (tune, held)


def test_run_single_answers_a_place_question_with_a_town():
    import asyncio

    sent = []

    class FakeClient:
        def __init__(self, replies):
            self.replies = list(replies)

        async def post(self, path, json):
            sent.append((json["sender_id"], json["message"]))
            return FakeResponse(self.replies.pop(0))

    outcome = asyncio.run(ev.run_single(FakeClient([clarify_reply("place"), guide_reply(name="失业保险金申领")]),
                                        need(), "run1"))
    assert outcome.correct and [m for _, m in sent] == ["厂里裁员了", ev.PLACE_REPLY]
    assert {s for s, _ in sent} == {"eval-run1-m1"}
    sent.clear()
    asked = asyncio.run(ev.run_single(FakeClient([item_question("失业登记")]), need(), "run1"))
    assert asked.kind == "question" and [m for _, m in sent] == ["厂里裁员了"]  # no reply to a which-item question


def test_held_out_sets_are_known_by_name():
    assert ev.is_held_out("longtail/held_out.yaml") and not ev.is_held_out("longtail/tune.yaml")


def test_a_directory_of_measurement_sets_is_one_set_per_file(tmp_path):
    held = "- id: a\n  turns: [{user: x, expect: {handoff: true}}]\n"
    (tmp_path / "held_out.yaml").write_text(held, encoding="utf-8")
    (tmp_path / "tune.yaml").write_text("- id: b\n  turns: [{user: y, expect: {item: z}}]\n", encoding="utf-8")
    files = ev.measurement_files([tmp_path])
    assert [f.name for f in files] == ["held_out.yaml", "tune.yaml"]
    assert ev.is_held_out(ev.set_name(files[0])) and not ev.is_held_out(ev.set_name(files[1]))
    assert [n.item for n in ev.load_measurement_set(files[1])] == ["z"]
