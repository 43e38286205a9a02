"""The environment, read in one place for what runs outside the app: the catalog's commands
(python -m catalog.cli, catalog.export_vocab, alembic) and the actions when rasa_sdk's own server or
a script runs them. The app reads its own settings (api/settings.py, the same WYC_ names) and hands
the actions its catalog sessions. `make lint` checks that nothing else in catalog/ or actions/
reads the environment.

Read on every call, not cached: a command or a test that sets a variable sees it at once, and the
reads are a few dictionary lookups.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

DEFAULT_REGION = "511602"  # 广安区
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class CatalogSettings:
    region: str = DEFAULT_REGION                      # WYC_REGION: the demo region's code
    database_url: Optional[str] = None                # WYC_DATABASE_URL; None: the region's embedded catalog
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL    # WYC_PUBLIC_BASE_URL: where the citizens' links start


def catalog_settings(environ: Optional[Mapping[str, str]] = None) -> CatalogSettings:
    """The settings from ``environ`` (default: the process environment); an empty variable is unset."""
    env = os.environ if environ is None else environ
    return CatalogSettings(
        region=env.get("WYC_REGION") or DEFAULT_REGION,
        database_url=env.get("WYC_DATABASE_URL") or None,
        public_base_url=env.get("WYC_PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL,
    )
