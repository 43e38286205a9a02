"""Nearest service point for a location shared from WeChat (Location_X / Location_Y)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)


class LocationFinder(Protocol):
    def has_coordinates(self) -> bool:
        """Whether the catalog knows where its service points are (the demo data does not)."""

    def nearest(self, target_code: str, lat: float, lng: float) -> Optional[dict[str, Any]]:
        """The docs/DESIGN.md §6 ``location`` dict of the nearest point handling the item, or None."""


class CatalogLocationFinder:
    """Reads the catalog through ``catalog.queries.nearest_service_point`` (docs/INTERNAL_API.md).

    ``sessions`` returns the app's sessionmaker when called, so the engine is the app's own and
    is only built on first use. Blocking (database I/O): call it from a worker thread.
    """

    def __init__(self, sessions: Callable[[], "sessionmaker[Session]"]) -> None:
        self._sessions = sessions

    def has_coordinates(self) -> bool:
        from catalog.listings import service_points_located

        with self._sessions()() as session:
            return service_points_located(session)

    def nearest(self, target_code: str, lat: float, lng: float) -> Optional[dict[str, Any]]:
        from catalog.location import nearest_service_point
        from catalog.targets import get_target

        with self._sessions()() as session:
            target = get_target(session, target_code)
            if target is None:
                return None
            return nearest_service_point(session, target, coordinates=(lat, lng)).model_dump()
