"""actions/base.py: only slot changes leave an action (they are validated, stored and replayed)."""
from rasa_sdk.events import ActionReverted, SlotSet

from actions.base import only_changes


def test_unchanged_slots_are_dropped_and_the_last_value_of_each_slot_counts(tracker_for):
    tracker = tracker_for("好的", "affirm", slots={"town_code": "511602108", "pending_question": True})
    events = [
        SlotSet("town_code", "511602108"),  # as it was
        SlotSet("pending_question", False),
        SlotSet("candidates", None),  # was None
        SlotSet("pending_question", True),  # ends as it was: nothing to send
        SlotSet("target_code", "x"),
        SlotSet("target_code", "y"),
        ActionReverted(),
    ]
    assert only_changes(tracker, events) == [SlotSet("target_code", "y"), ActionReverted()]


def test_the_outcome_slot_the_rules_read_is_always_set(tracker_for):
    tracker = tracker_for("好的", "affirm", slots={"lookup_status": "guide"})
    assert only_changes(tracker, [SlotSet("lookup_status", "guide")]) == [SlotSet("lookup_status", "guide")]
