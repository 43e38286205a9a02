"""The shared shape of our actions: one catalog session per run, closed afterwards."""
from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.catalog_session import catalog_session


class CatalogAction(Action, abc.ABC):
    """Abstract (rasa_sdk registers every concrete Action subclass it finds)."""

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
        with catalog_session() as session:
            return self.run_with_session(session, dispatcher, tracker, domain)
