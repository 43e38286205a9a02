"""python -m catalog.cli {load-default,import-regions,import-service-points,import-items,import-guides [--prune]}
[--database-url URL]"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Optional, Sequence

from sqlalchemy.orm import Session

from catalog.db import database_url_from_env, make_engine, make_sessionmaker, session_scope
from catalog.importers import (
    CatalogImportError,
    import_guides,
    import_items,
    import_regions,
    import_service_points,
)
from catalog.schema import upgrade_to_head
from catalog.seed import load_default_catalog

log = logging.getLogger("catalog.cli")

IMPORTERS: dict[str, Callable[..., object]] = {
    "import-regions": import_regions,
    "import-service-points": import_service_points,
    "import-items": import_items,
    "import-guides": import_guides,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m catalog.cli", description="Load data into the 问一次 catalog.")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL (default: $WYC_DATABASE_URL, else sqlite:///var/catalog.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("load-default", help="load 广安区 regions, items and guides.yaml (no-op when loaded)")
    for name, help_text in (("import-regions", "regions CSV: code,name,level,parent_code"),
                            ("import-service-points",
                             "service points CSV: region_code[,name,address,hours,phone,lat,lng]"),
                            ("import-items", "items JSON or CSV (catalog/data/SCHEMA.md)"),
                            ("import-guides", "authored guides YAML (docs/INTERNAL_API.md)")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("file")
        if name == "import-guides":
            command.add_argument("--prune", action="store_true",
                                 help="the file is all authored content: delete bundles, authored items and facts "
                                      "it no longer has; real items it no longer guides lose their guide")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    engine = make_engine(args.database_url or database_url_from_env())
    try:
        if args.command == "load-default":
            loaded = load_default_catalog(engine)
            log.info("default catalog %s", "loaded" if loaded else "already loaded: nothing to do")
            return 0
        upgrade_to_head(engine)
        with session_scope(make_sessionmaker(engine)) as session:
            options = {"prune": True} if getattr(args, "prune", False) else {}
            result = IMPORTERS[args.command](session, args.file, **options)
        log.info("%s %s: %s", args.command, args.file, result)
        return 0
    except CatalogImportError as error:
        log.error("%s (nothing was imported)", error)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
