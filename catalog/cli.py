"""python -m catalog.cli {load-default [--region CODE],loaded,import-regions,import-service-points,
import-items,import-guides [--prune],import-official-guides FILE --region CODE [--dry-run]} [--database-url URL]"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable, Optional, Sequence

from sqlalchemy import Engine

from catalog.db import database_url_from_env, make_engine, make_sessionmaker, session_scope
from catalog.importers import (
    CatalogImportError,
    import_guides,
    import_items,
    import_regions,
    import_service_points,
)
from catalog.official_guides import import_official_guides
from catalog.schema import upgrade_to_head
from catalog.seed import REGIONS, load_default_catalog, loaded_catalog

# Exit status of import-official-guides when some rows were rejected (the valid ones are imported).
ROWS_REJECTED = 1

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
    default = commands.add_parser("load-default", help="load a shipped region's data (no-op when loaded)")
    default.add_argument("--region", choices=sorted(REGIONS), default=None,
                         help="511602 广安区 or 450600 防城港市 (default: $WYC_REGION, else 511602)")
    commands.add_parser("loaded", help="print what the database holds: 'empty', 'shipped CODE' (load-default) "
                                       "or 'imported CODE' (a county's own data, which load-default leaves as it is)")
    official = commands.add_parser("import-official-guides",
                                   help="published guides, one JSON object per line (catalog/data/SCHEMA.md)")
    official.add_argument("file")
    official.add_argument("--region", required=True, help="code of the loaded region the guides belong to")
    official.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
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


def _loaded(engine: Engine) -> tuple[str, Optional[str]]:
    with make_sessionmaker(engine)() as session:
        return loaded_catalog(session)


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    engine = make_engine(args.database_url or database_url_from_env())
    try:
        if args.command == "loaded":
            print(" ".join(part for part in _loaded(engine) if part))
            return 0
        if args.command == "load-default":
            kind, county = _loaded(engine)
            if kind == "imported":
                log.info("the database holds the imported catalog of region %s: nothing loaded over it", county)
                return 0
            loaded = load_default_catalog(engine, args.region)
            log.info("default catalog %s", "loaded" if loaded else "already loaded: nothing to do")
            return 0
        upgrade_to_head(engine)
        if args.command == "import-official-guides":
            with session_scope(make_sessionmaker(engine)) as session:
                report = import_official_guides(session, args.file, args.region, dry_run=args.dry_run)
            print(report.text())
            return ROWS_REJECTED if report.rejected else 0
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
