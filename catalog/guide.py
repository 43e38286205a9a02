"""The ``guide`` payload (docs/DESIGN.md §6, catalog/contract.py): one target, tailored to the
citizen's facts and place, with where to go and what the data leaves unsaid."""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from sqlalchemy.orm import Session

from catalog.bundles import applicable_members
from catalog.cache import cached, memoised
from catalog.contract import (
    HOTLINE,
    SAMPLE_NOTICE,
    BundleRef,
    GuideItem,
    GuideLinks,
    GuidePayload,
    Location,
    Material,
)
from catalog.location import nearest_service_point
from catalog.models import Bundle, CatalogMeta
from catalog.tailoring import CONDITION_SEPARATOR, facts_key, tailor
from catalog.types import Place, Target

# The payload fields an answer shows; one the data lacks is named in ``missing`` so every channel
# says it is not known and where to ask, instead of leaving it out or guessing.
ANSWER_FIELDS = ("materials", "time_limit", "fee", "trips", "online")
LOCATION_FIELDS = ("address", "hours", "phone")


def _sample_notice(session: Session) -> str:
    def load(session: Session) -> str:
        meta = session.get(CatalogMeta, "sample_notice")
        return meta.value if meta else SAMPLE_NOTICE

    return cached(session, "sample_notice", load)


def _items_of(session: Session, target: Target, facts: Mapping[str, str]) -> list[GuideItem]:
    return list(memoised(session, "items_of", facts_key(target, facts),
                         lambda: tuple(_load_items_of(session, target, facts))))


def _load_items_of(session: Session, target: Target, facts: Mapping[str, str]) -> list[GuideItem]:
    if target.kind == "item":
        return [GuideItem(code=target.code, name=target.name, department=target.department)]
    bundle = session.get(Bundle, target.code)
    return [GuideItem(code=m.item.code, name=m.item.name, department=m.item.department)
            for m in applicable_members(bundle, facts)] if bundle else []


def _missing(target: Target, materials: list[Material], location: Location) -> list[str]:
    missing = [name for name in ANSWER_FIELDS
               if (not materials if name == "materials" else getattr(target, name) in (None, ""))]
    return missing + [name for name in LOCATION_FIELDS if not getattr(location, name)]


def _unique(values: Iterable[Optional[str]]) -> list[str]:
    return [value for value in dict.fromkeys(values) if value]


def guide_payload(session: Session, target: Target, facts: Mapping[str, str], place: Optional[Place],
                  public_base: Optional[str] = None,
                  coordinates: Optional[tuple[float, float]] = None) -> GuidePayload:
    """The §6 ``guide`` payload plus code, name, sample_notice, process, source, official, missing,
    ask_phone and pending. ``public_base``: the caller's public address, under which the app serves
    the guide page and QR code (none: no page link, only an official guide's own)."""
    links = GuideLinks.under(public_base, target.code) if public_base else None
    authored = target.has_guide or target.source == "authored sample"
    materials = tailor(session, target, facts)
    location = nearest_service_point(session, target, place, coordinates)
    # Validated: the nested parts are already models (memoised, frozen), which pydantic takes as they
    # are; on a 15-material 一件事 this costs about 10 µs, half of an unvalidated model_construct.
    return GuidePayload(
        code=target.code,
        name=target.name,
        bundle=BundleRef(code=target.code, name=target.name) if target.kind == "bundle" else None,
        items=_items_of(session, target, facts),
        materials=materials,
        location=location,
        time_limit=target.time_limit,
        fee=target.fee,
        trips=target.trips,
        online=target.online,
        process=target.process,
        guide_url=target.guide_url or (links.page_url if links else None),
        qr_url=links.qr_url if links else None,
        sample_notice=_sample_notice(session) if authored else None,
        source="authored sample" if authored else "real",
        # Materials and facts from the published official guide (guide_url is its source link).
        official=target.official_guide and not authored,
        missing=_missing(target, materials, location),
        ask_phone=location.phone or HOTLINE,
        # Each open situation once, though several materials (and composite conditions) share it.
        pending=_unique(part for material in materials if material.condition
                        for part in material.condition.split(CONDITION_SEPARATOR)),
    )


def guide(session: Session, target: Target, facts: Mapping[str, str], place: Optional[Place],
          public_base: Optional[str] = None, coordinates: Optional[tuple[float, float]] = None) -> dict[str, Any]:
    """:func:`guide_payload` as the dict that travels (through Rasa, the shares, the JSON routes)."""
    return guide_payload(session, target, facts, place, public_base, coordinates).wire()
