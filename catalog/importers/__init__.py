"""Load regions (CSV), service points (CSV), items (JSON or CSV) and authored guides (YAML) into the catalog.

One module per file kind (regions, service_points, items, guides with its row models in guide_rows);
each row is checked by a pydantic row model (shared field types: fields.py), then against the other
rows and the database. Every importer validates the whole file first and reports the first broken
row as ``CatalogImportError`` (file, row, field, in plain words); then writes inside one SAVEPOINT,
so a failure leaves the database as it was.
Importers flush but never commit: the caller owns the transaction (the CLI commits once per command).
The input formats: catalog/data/SCHEMA.md.
"""
from catalog.importers.files import CatalogImportError
from catalog.importers.guides import SAMPLE_NOTICE_KEY, import_guides, read_guides
from catalog.importers.items import import_items, read_items
from catalog.importers.regions import import_regions, read_regions
from catalog.importers.service_points import import_service_points, read_service_points

__all__ = [
    "CatalogImportError",
    "SAMPLE_NOTICE_KEY",
    "import_guides",
    "import_items",
    "import_regions",
    "import_service_points",
    "read_guides",
    "read_items",
    "read_regions",
    "read_service_points",
]
