"""actions.explain: the reading of a first message is the one action_answer makes, told."""
import json

import pytest

from actions import explain as explaining, rules
from actions.answer import ActionAnswer
from tests.actions.conftest import entity, make_tracker, run_action, slot_values


def parse(text, intent="ask_item", entities=()):
    return {"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": list(entities)}


@pytest.mark.parametrize("text, intent, entities", [
    ("厂里裁员了，失业金咋个领", "ask_item", []),                      # the resolver over the list
    ("社保卡要办理", "ask_item", [entity("item", "512B0070200003")]),  # the NLU's item, its siblings tied
    ("我在龙台镇，本人办社保卡丢了怎么补", "ask_item", []),
    ("楼下工地半夜施工吵死了，我要投诉", "complaint", []),              # the intent's own reply
    ("今天天气怎么样", "out_of_scope", []),                            # nothing found
])
def test_the_explanation_is_what_the_action_does(catalog_factory, text, intent, entities):
    with catalog_factory() as session:
        found = explaining.explain(session, parse(text, intent, entities))
    events, messages = run_action(ActionAnswer(catalog_factory), make_tracker(text, intent, entities))
    slots = slot_values(events)
    customs = [m["custom"] for m in messages if m.get("custom")]
    offered = [o["value"] for c in customs if c.get("type") == "clarify"
               for q in c["questions"] if q["slot"] == "item" for o in q.get("options", [])]
    guided = [i["code"] for c in customs if c.get("type") == "guide" for i in c["items"]]
    codes = [t["code"] for t in found["targets"]]
    if found["outcome"] == "answer":
        assert slots["target_code"] == codes[0] and (guided == codes or slots["lookup_status"] == "clarify")
    elif found["outcome"] == "question":
        assert offered == codes
    else:
        assert not guided and not offered and slots["lookup_status"] != "guide"
    assert found["rule"]["name"] and found["rule"]["doc"] and found["rule"]["label"] != found["rule"]["name"]


def test_every_rule_has_a_label_for_the_curators():
    assert set(explaining.RULE_LABELS) == {rule.name for rule in rules.RULES} | {rules.NOTHING}


def test_what_the_explanation_says(catalog_factory):
    with catalog_factory() as session:
        found = explaining.explain(session, parse("身份证都在身上，失业金在哪领", entities=[
            {**entity("item", "513A0011200068"), "start": 0, "end": 3}]))
    assert found["nlu"]["items"][0]["words"] == "身份证"
    assert found["targets"][0]["name"] == "失业保险金申领" and found["outcome"] == "answer"
    text = explaining.as_text(found)
    assert found["rule"]["name"] in text and "失业保险金申领" in text and text.startswith("「身份证都在身上")


def test_the_cases_of_an_eval_file(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text("- id: a1\n  turns:\n    - user: 失业金咋个领\n      expect: {item: 失业保险金申领}\n"
                    "- id: n1\n  turns:\n    - user: 明天下雨不\n      expect: {handoff: true}\n", encoding="utf-8")
    assert explaining._cases(path) == [("a1", "失业金咋个领", "失业保险金申领"), ("n1", "明天下雨不", None)]
    json.dumps(explaining._cases(path))
