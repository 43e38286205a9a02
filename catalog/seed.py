"""The default catalog the project ships: 广安区 regions, its real item list and the authored guides."""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.db import make_sessionmaker, session_scope
from catalog.importers import import_guides, import_items, import_regions
from catalog.models import CatalogMeta
from catalog.schema import upgrade_to_head

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REGIONS = DATA_DIR / "guangan_511602.csv"
DEFAULT_ITEMS = DATA_DIR / "guangan_items.json"
DEFAULT_GUIDES = DATA_DIR / "guides.yaml"
DEFAULT_COUNTY_CODE = "511602"
FINGERPRINT_KEY = "default_catalog_sha256"
DEFAULT_COUNTY_KEY = "default_county"


def default_files() -> list[Path]:
    files = [DEFAULT_REGIONS, DEFAULT_ITEMS]
    if DEFAULT_GUIDES.exists():  # optional: the real list alone is a working catalog
        files.append(DEFAULT_GUIDES)
    return files


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _meta(session: Session, key: str) -> Optional[str]:
    row = session.get(CatalogMeta, key)
    return row.value if row else None


def load_default_catalog(target: Union[Session, Engine]) -> bool:
    """Load the default data; a no-op (returns False) when exactly this data is already loaded.

    With an Engine: migrates the schema to head and commits. With a Session: expects the
    schema to exist and leaves the commit to the caller.
    """
    if isinstance(target, Engine):
        upgrade_to_head(target)
        with session_scope(make_sessionmaker(target)) as session:
            return load_default_catalog(session)
    files = default_files()
    fingerprint = _fingerprint(files)
    if _meta(target, FINGERPRINT_KEY) == fingerprint:
        return False
    import_regions(target, DEFAULT_REGIONS)
    import_items(target, DEFAULT_ITEMS)
    if DEFAULT_GUIDES in files:
        import_guides(target, DEFAULT_GUIDES, prune=True)  # the file is the county's whole authored content
    else:
        log.warning("%s not found: loading the real item list without authored guides", DEFAULT_GUIDES.name)
    target.merge(CatalogMeta(key=DEFAULT_COUNTY_KEY, value=DEFAULT_COUNTY_CODE))
    target.merge(CatalogMeta(key=FINGERPRINT_KEY, value=fingerprint))
    target.flush()
    log.info("default catalog loaded from %s", ", ".join(path.name for path in files))
    return True
