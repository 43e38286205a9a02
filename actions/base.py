"""The shared shape of our actions: one catalog session per run, from the factory the action was
handed, closed afterwards."""
from __future__ import annotations

import abc
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.catalog_session import SessionFactory, catalog_session, own_sessions


class CatalogAction(Action, abc.ABC):
    """Abstract (rasa_sdk registers every concrete Action subclass it finds).

    rasa_sdk builds each action without arguments; the executor that registered it then hands it
    the catalog sessions to read with (``use_catalog_sessions``). Without that, it reads the
    process's own catalog (``own_sessions``: rasa_sdk's own server, scripts).
    """

    def __init__(self, sessions: Optional[SessionFactory] = None) -> None:
        self._sessions = sessions

    def use_catalog_sessions(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @abc.abstractmethod
    def name(self) -> str:
        ...

    @abc.abstractmethod
    def run_with_session(
        self, session: Session, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Do the action's work against an open catalog session and return the events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        with catalog_session(self._sessions or own_sessions()) as session:
            return only_changes(tracker, self.run_with_session(session, dispatcher, tracker, domain))


# The slot the rules branch on is always set, even to the value it had (the turn's outcome).
ALWAYS_SET = frozenset({"lookup_status"})


def only_changes(tracker: Tracker, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop SlotSet events that leave a slot as it was (each slot's last value counts).

    Every event is validated and stored by Rasa and replayed on every later turn of the
    conversation, so the memory slots (facts, place, the one question) are sent only when they
    change. Other events pass through in order.
    """
    last = {event["name"]: index for index, event in enumerate(events) if event.get("event") == "slot"}
    return [
        event for index, event in enumerate(events)
        if event.get("event") != "slot"
        or (last[event["name"]] == index
            and (event["name"] in ALWAYS_SET or tracker.get_slot(event["name"]) != event.get("value")))
    ]
