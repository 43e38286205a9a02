"""The catalogs the project ships, one per region (WYC_REGION): 广安区 (511602, the default: regions, its
real item list and the authored guides) and 防城港市 (450600: regions, the city hall and the published
official guides of its city-level departments)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalog.db import make_sessionmaker, session_scope
from catalog.importers import (
    CatalogImportError,
    import_guides,
    import_items,
    import_regions,
    import_service_points,
)
from catalog.models import CatalogMeta, Item, Region
from catalog.schema import upgrade_to_head
from catalog.settings import DEFAULT_REGION, catalog_settings

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REGIONS = DATA_DIR / "guangan_511602.csv"
DEFAULT_ITEMS = DATA_DIR / "guangan_items.json"
DEFAULT_GUIDES = DATA_DIR / "guides.yaml"
DEFAULT_COUNTY_CODE = DEFAULT_REGION
FINGERPRINT_KEY = "default_catalog_sha256"
# The region answers default to (its service point is the top of "nearest"); the name is historical.
DEFAULT_COUNTY_KEY = "default_county"


@dataclass(frozen=True)
class RegionData:
    code: str
    regions: Path
    items: Optional[Path] = None  # real item list without guides (import-items)
    guides: Optional[Path] = None  # authored sample guides (import-guides)
    service_points: Optional[Path] = None
    official_guides: Optional[Path] = None  # published guides (import-official-guides)

    def files(self) -> list[Path]:
        # The authored guides are optional: the real list alone is a working catalog.
        return [path for path in (self.regions, self.items, self.service_points, self.official_guides)
                if path is not None] + ([self.guides] if self.guides and self.guides.exists() else [])


REGIONS = {
    DEFAULT_COUNTY_CODE: RegionData(DEFAULT_COUNTY_CODE, DEFAULT_REGIONS, items=DEFAULT_ITEMS, guides=DEFAULT_GUIDES),
    "450600": RegionData("450600", DATA_DIR / "fangchenggang_450600.csv",
                         service_points=DATA_DIR / "fangchenggang_service_points.csv",
                         official_guides=DATA_DIR / "fangchenggang_services.jsonl"),
}


def region_from_env() -> str:
    """The demo region (WYC_REGION, default 广安区); an unknown code is an error, not a silent default."""
    region = catalog_settings().region
    if region not in REGIONS:
        raise ValueError(f"WYC_REGION={region} is not a shipped region (one of {', '.join(sorted(REGIONS))})")
    return region


def fingerprint_key(region: str) -> str:
    return FINGERPRINT_KEY if region == DEFAULT_COUNTY_CODE else f"{FINGERPRINT_KEY}:{region}"


def default_files(region: str = DEFAULT_COUNTY_CODE) -> list[Path]:
    return REGIONS[region].files()


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _meta(session: Session, key: str) -> Optional[str]:
    row = session.get(CatalogMeta, key)
    return row.value if row else None


def load_default_catalog(target: Union[Session, Engine], region: Optional[str] = None) -> bool:
    """Load a shipped region's data (default: WYC_REGION, else 广安区); a no-op (returns False) when
    exactly this data is already loaded.

    With an Engine: migrates the schema to head and commits. With a Session: expects the
    schema to exist and leaves the commit to the caller.
    """
    region = region or region_from_env()
    if isinstance(target, Engine):
        upgrade_to_head(target)
        with session_scope(make_sessionmaker(target)) as session:
            return load_default_catalog(session, region)
    data = REGIONS[region]
    files = data.files()
    fingerprint = _fingerprint(files)
    if _meta(target, fingerprint_key(region)) == fingerprint:
        return False
    import_regions(target, data.regions)
    if data.service_points:
        import_service_points(target, data.service_points)
    if data.items:
        import_items(target, data.items, region=region)
    if data.official_guides:
        from catalog.official_guides import import_official_guides

        report = import_official_guides(target, data.official_guides, region)
        if report.rejected:  # the shipped file is all valid; a rejection here is a broken checkout
            raise CatalogImportError(data.official_guides.name, report.rejected[0].line, report.rejected[0].field,
                                     report.rejected[0].message)
    if data.guides and data.guides in files:
        import_guides(target, data.guides, prune=True)  # the file is the county's whole authored content
    elif data.guides:
        log.warning("%s not found: loading the real item list without authored guides", data.guides.name)
    target.merge(CatalogMeta(key=DEFAULT_COUNTY_KEY, value=region))
    target.merge(CatalogMeta(key=fingerprint_key(region), value=fingerprint))
    target.flush()
    log.info("catalog of region %s loaded from %s", region, ", ".join(path.name for path in files))
    return True


def loaded_catalog(session: Session) -> tuple[str, Optional[str]]:
    """What a catalog database holds: ("empty", None); ("shipped", code) when `load-default` loaded a
    shipped region into it; ("imported", code) when a county's own regions or items were imported with
    the `import-*` commands (code: its top region). `make run` loads a shipped region only into the
    first two, and never over a county imported by hand."""
    try:
        has_data = any(session.scalar(select(column).limit(1)) is not None for column in (Region.code, Item.code))
        keys = session.scalars(select(CatalogMeta.key).where(CatalogMeta.key.startswith(FINGERPRINT_KEY))).all()
    except SQLAlchemyError:  # no tables yet: a first run
        session.rollback()
        return "empty", None
    if keys:
        return "shipped", _meta(session, DEFAULT_COUNTY_KEY) or DEFAULT_COUNTY_CODE
    if not has_data:
        return "empty", None
    top = session.scalars(select(Region.code).where(Region.parent_code.is_(None)).order_by(Region.code)).first()
    return "imported", top
