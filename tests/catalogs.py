"""A region's default catalog in a fresh SQLite file, for tests that need real loaded data."""
from __future__ import annotations

from pathlib import Path


def region_catalog_url(folder: Path, region: str) -> str:
    """Load ``region``'s default catalog into ``folder``/catalog_<region>.db; its database URL."""
    from catalog.db import make_engine
    from catalog.seed import load_default_catalog

    url = f"sqlite:///{folder / f'catalog_{region}.db'}"
    engine = make_engine(url)
    try:
        load_default_catalog(engine, region)
    finally:
        engine.dispose()
    return url
