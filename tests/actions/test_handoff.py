"""action_handoff: the payload of the human route, for every reason."""
import pytest

from actions.handoff import ActionHandoff


@pytest.mark.parametrize(
    "intent, lookup_status, reason",
    [
        ("complaint", None, "complaint"),
        ("request_human", None, "request_human"),
        ("out_of_scope", None, "out_of_scope"),
        ("nlu_fallback", "not_found", "nlu_fallback"),
        ("ask_item", "not_found", "not_found"),
        ("complaint", "complaint", "complaint"),
        # a complaint or request for a person the answer action read as a need found nowhere
        ("complaint", "not_found", "not_found"),
        ("request_human", "referred", "referred"),
    ],
)
def test_handoff_payload_names_the_reason_and_the_hotline(tracker_for, run, intent, lookup_status, reason):
    tracker = tracker_for("随便说点什么", intent, slots={"lookup_status": lookup_status, "pending_question": True},
                          latest_action_name="utter_handoff")
    events, messages = run(ActionHandoff(), tracker)
    # The rule already played the sentence: only the payload is added.
    assert [m["custom"] for m in messages] == [{"type": "handoff", "reason": reason, "phone": "12345"}]
    slots = {e["name"]: e["value"] for e in events}
    assert slots["pending_question"] is False  # the next message is a new request


def test_core_fallback_handoff_also_says_the_human_route(tracker_for, run):
    """Reached as RulePolicy's core fallback (no rule played a sentence first)."""
    tracker = tracker_for("嗯嗯那个啥", "affirm", slots={"lookup_status": "guide"}, latest_action_name="action_listen")
    _, messages = run(ActionHandoff(), tracker)
    assert [m.get("response") for m in messages] == ["utter_handoff", None]
    assert messages[1]["custom"] == {"type": "handoff", "reason": "unhandled", "phone": "12345"}
