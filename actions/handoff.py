"""action_handoff: the structured half of every handoff (docs/DESIGN.md §2.6 and §6).

The sentence the citizen reads (拨打12345) is the `utter_handoff*` response the
rules play just before this action; this action adds the payload channels act on
(the widget's call-12345 card, WeChat's hotline line; the exchange log records its type)
and closes the open question so the citizen's next message is read as a new request.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.rules import HANDOFF_REPLY_INTENTS
from catalog.contract import handoff_payload

logger = logging.getLogger(__name__)

# Intents that are themselves the reason; otherwise the catalog lookup's outcome is.
HANDOFF_INTENTS = frozenset({"complaint", "request_human", "out_of_scope", "nlu_fallback"})


def handoff_reason(tracker: Tracker) -> str:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
    status = tracker.get_slot("lookup_status")
    # action_answer plays a complaint's or a request for a person's own handoff (lookup_status names it); one
    # it read as a need instead (「新买的电瓶车要上牌不，在哪里上」) is handed off for the need's reason.
    if intent in HANDOFF_INTENTS and (intent not in HANDOFF_REPLY_INTENTS or status in (None, intent)):
        return intent
    return status or "not_found"


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reason = handoff_reason(tracker)
        if not (tracker.latest_action_name or "").startswith("utter_handoff"):
            # Reached without a rule's sentence (RulePolicy's core fallback): the citizen still
            # gets the plain human route, not a bare payload.
            reason = "unhandled"
            dispatcher.utter_message(response="utter_handoff")
        logger.info("sender=%s handoff reason=%s", tracker.sender_id, reason)
        dispatcher.utter_message(json_message=handoff_payload(reason))
        return [SlotSet("pending_question", False), SlotSet("candidates", None)]
