"""docs/GUIDES_IMPORT.md, the import report of a shipped region's official guides, written by a command:

    python -m catalog.guides_report [--region 450600] [--out docs/GUIDES_IMPORT.md] [--check]

A fresh SQLite file in a temporary folder gets the region's divisions, then the guides file is imported
exactly as ``python -m catalog.cli import-official-guides`` does; the report (items, materials,
recognised conditions, empty fields, rows rejected with line, item and field) goes into the document
with the commands that reproduce it. ``--check`` writes nothing and exits 1 when the document differs
(tests/catalog/test_guides_report.py runs it the same way).
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from catalog.db import make_engine, make_sessionmaker, session_scope
from catalog.importers import import_regions
from catalog.official_guides import GuideReport, import_official_guides
from catalog.schema import upgrade_to_head
from catalog.seed import REGIONS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "GUIDES_IMPORT.md"
DEFAULT_REGION = "450600"

HOW_TO_READ = """How to read it:
- *delegation* conditions come from the material's own name (授权委托书, 委托书, 代理人/受托人身份证): the
  material gets the situation fact `delegated=yes`, so it is listed 「如委托他人办理」, dropped when the
  citizen says they go themselves, and plain when they say someone goes for them.
- *other 「如…」 conditions* come from a 填报须知 that opens with one case (「租住公共租赁住房的，须提供」);
  they are shown with the material and never asked. A note that lists several cases
  (「申报住院费用的，提供出院记录；申报门诊费用的，提供门诊病历」) describes forms of a material every
  applicant brings, so it stays a note; so does a condition in running text, or 「委托他人办理的，还需提供
  代办人身份证」 inside an ID card's note (it adds a material, it does not make the ID card conditional).
- the empty fields are left empty in the catalog; an answer about such an item says the guide does not
  give it and names the phone (or 12345) to ask.
- a rejected row is named by its line in the file, its item and the field at fault; the valid rows are
  imported and `import-official-guides` exits 1.
"""


def import_report(region: str = DEFAULT_REGION) -> GuideReport:
    """The report of importing ``region``'s shipped guides into a fresh database holding its divisions."""
    data = REGIONS[region]
    if data.official_guides is None:
        raise ValueError(f"region {region} ships no official guides")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'report.db'}")
        try:
            upgrade_to_head(engine)
            sessions = make_sessionmaker(engine)
            with session_scope(sessions) as session:
                import_regions(session, data.regions)
            with session_scope(sessions) as session:
                return import_official_guides(session, data.official_guides, region)
        finally:
            engine.dispose()


def region_name(region: str) -> str:
    with REGIONS[region].regions.open(encoding="utf-8") as handle:
        return next((row["name"] for row in csv.DictReader(handle) if row["code"] == region), region)


def document(region: str = DEFAULT_REGION) -> str:
    data = REGIONS[region]
    report = import_report(region)
    assert data.official_guides is not None, f"region {region} ships no official guides"
    regions, guides = (path.relative_to(ROOT).as_posix() for path in (data.regions, data.official_guides))
    return f"""# Import report: official guides of {region_name(region)} ({region})

Written by `python -m catalog.guides_report --region {region}` (do not edit by hand; `--check` tells
whether it is current). The same report comes from the import commands on a fresh database holding
the region:

```sh
python -m catalog.cli --database-url sqlite:////tmp/guides.db import-regions {regions}
python -m catalog.cli --database-url sqlite:////tmp/guides.db import-official-guides {guides} --region {region}
```

Output:

```text
{report.text()}
```

{HOW_TO_READ}"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.guides_report", description=__doc__.splitlines()[0])
    parser.add_argument("--region", default=DEFAULT_REGION, choices=sorted(r for r, d in REGIONS.items()
                                                                           if d.official_guides is not None))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is not current")
    args = parser.parse_args(argv)
    text = document(args.region)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.out} is not current: run python -m catalog.guides_report\n")
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
