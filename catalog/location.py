"""Where to go: the service point that handles a target for the citizen's place (or nearest to
their coordinates), with the handling window an official guide names."""
from __future__ import annotations

import math
from typing import Optional, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import memoised
from catalog.contract import Level, Location
from catalog.models import CatalogMeta, Region, ServicePoint
from catalog.types import LEVEL_RANK, Place, Target

VILLAGE_STATION_NOTE = "您所在村（社区）的便民服务站也可办理"
NOT_HERE_NOTE = "{name}不能办理这一项"  # the citizen's nearer point, when the item is handled higher up


def _location(point: ServicePoint, note: Optional[str] = None) -> Location:
    # The column holds one of the four levels (the importers write nothing else); Location checks it.
    return Location(level=cast(Level, point.level), name=point.name, address=point.address, hours=point.hours,
                    phone=point.phone, note=note)


def _county_code(session: Session, place: Optional[Place]) -> Optional[str]:
    if place is not None and place.town is not None:
        town = session.get(Region, place.town.code)
        if town is not None and town.parent_code:
            return town.parent_code
    meta = session.get(CatalogMeta, "default_county")
    if meta is not None:
        return meta.value
    return session.scalar(select(Region.code).where(Region.level == "county").order_by(Region.code).limit(1))


def _point_for(session: Session, region_code: Optional[str]) -> Optional[ServicePoint]:
    if not region_code:
        return None
    return session.scalar(select(ServicePoint).where(ServicePoint.region_code == region_code))


def _haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _nearest_by_distance(session: Session, level: str, coordinates: tuple[float, float]) -> Optional[ServicePoint]:
    able = [lvl for lvl, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[level]]  # who can handle it
    points = session.scalars(
        select(ServicePoint).where(ServicePoint.level.in_(able), ServicePoint.lat.is_not(None),
                                   ServicePoint.lng.is_not(None))
    ).all()
    lat, lng = coordinates
    # Only points with both coordinates were selected.
    return min(points, key=lambda p: _haversine_km(lat, lng, cast(float, p.lat), cast(float, p.lng)), default=None)


def nearest_service_point(session: Session, target: Target, place: Optional[Place] = None,
                          coordinates: Optional[tuple[float, float]] = None) -> Location:
    """The lowest-level point that handles ``target`` where the citizen lives (or nearest by distance)."""
    if coordinates is not None:
        nearest = _nearest_by_distance(session, target.level, coordinates)
        if nearest is not None:
            return _location(nearest)
    key = (target.level, target.region_code) + (
        tuple(ref.code if ref else None for ref in (place.town, place.village)) if place else (None, None))
    point = memoised(session, "service_points", key, lambda: _point_by_region(session, target, place))
    return _at_window(point, target)


def _at_window(point: Location, target: Target) -> Location:
    """An official guide names the item's own window (「市政务服务中心2楼市医保局4、5、6号窗口」), hours
    and phone: they are more precise than the hall's. A window outside the hall (a department's own
    office) is named by the department."""
    if not (target.address or target.hours or target.phone):
        return point
    name = point.name
    if target.address and "政务服务中心" not in target.address and target.department:
        name = target.department
    return Location(level=point.level, name=name, address=target.address or point.address,
                    hours=target.hours or point.hours, phone=target.phone or point.phone, note=point.note)


def _point_by_region(session: Session, target: Target, place: Optional[Place]) -> Location:
    county_code = _county_code(session, place)
    if (place is None or place.town is None) and target.region_code and session.get(Region, target.region_code):
        county_code = target.region_code  # the item's own region, when two regions share one catalog
    if target.level == "city":
        county_code = _city_code(session, county_code)
    county = _point_for(session, county_code)
    town = _point_for(session, place.town.code) if place and place.town else None
    village = _point_for(session, place.village.code) if place and place.village else None
    if target.level == "village" and village is not None:
        return _location(village, note=f"{town.name}也可办理" if town else None)
    if target.level in ("village", "town") and town is not None:
        return _location(town, note=VILLAGE_STATION_NOTE if target.level == "village" else _not_here(village))
    if county is None:
        return Location(level="county", name="政务服务中心")
    return _location(county, note=_not_here(village or town))


def _city_code(session: Session, code: Optional[str]) -> Optional[str]:
    """The city above ``code`` (itself when it is the city); unchanged when none is loaded."""
    region = session.get(Region, code) if code else None
    if region is not None and region.level != "city" and region.parent is not None and region.parent.level == "city":
        return region.parent.code
    return code


def _not_here(nearer: Optional[ServicePoint]) -> Optional[str]:
    """Where the citizen said they live cannot handle it: say so, so nobody goes there first."""
    return NOT_HERE_NOTE.format(name=nearer.name) if nearer is not None else None

