"""Items and 一件事 (bundles) by code, as the immutable :class:`~catalog.types.Target` the queries share."""
from __future__ import annotations

from typing import Optional

from sqlalchemy.orm import Session

from catalog.cache import memoised
from catalog.models import Bundle, Item
from catalog.types import LEVEL_RANK, Target


def _level_of_bundle(bundle: Bundle) -> str:
    if bundle.level:
        return bundle.level
    return max((member.item.level for member in bundle.members), key=LEVEL_RANK.__getitem__, default="county")


def get_target(session: Session, code: str) -> Optional[Target]:
    """The item or bundle with this code (None if neither); memoised (Target is immutable)."""
    return memoised(session, "targets", code, lambda: _load_target(session, code))


def _load_target(session: Session, code: str) -> Optional[Target]:
    item = session.get(Item, code)
    if item is not None:
        return Target(code=item.code, name=item.name, kind="item", level=item.level, department=item.department,
                      time_limit=item.time_limit, fee=item.fee, trips=item.trips, online=item.online,
                      process=item.process, guide_url=item.guide_url, source=item.source, has_guide=item.has_guide,
                      official_guide=item.official_guide, address=item.address, hours=item.hours, phone=item.phone,
                      region_code=item.region_code)
    bundle = session.get(Bundle, code)
    if bundle is not None:
        return Target(code=bundle.code, name=bundle.name, kind="bundle", level=_level_of_bundle(bundle),
                      department=None, time_limit=bundle.time_limit, fee=bundle.fee, trips=bundle.trips,
                      online=bundle.online, process=bundle.process, guide_url=None, source="authored sample",
                      has_guide=True)
    return None
