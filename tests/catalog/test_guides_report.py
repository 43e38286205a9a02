"""docs/GUIDES_IMPORT.md is the output of `python -m catalog.guides_report`, for the data as shipped."""
from __future__ import annotations

from catalog.guides_report import DEFAULT_OUT, document, main
from catalog.seed import REGIONS


def test_the_committed_report_is_current():
    assert main(["--check"]) == 0, "run: python -m catalog.guides_report"


def test_a_stale_report_is_caught_and_rewritten(tmp_path):
    out = tmp_path / "GUIDES_IMPORT.md"
    out.write_text(DEFAULT_OUT.read_text(encoding="utf-8").replace("rows rejected: 0", "rows rejected: 3"),
                   encoding="utf-8")
    assert main(["--check", "--out", str(out)]) == 1
    assert main(["--out", str(out)]) == 0 and main(["--check", "--out", str(out)]) == 0


def test_the_report_names_what_was_imported_and_rejected():
    lines = [line for line in REGIONS["450600"].official_guides.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = document()
    for line in (f"lines read: {len(lines)}", f"items imported: {len(lines)}", "rows rejected: 0",
                 "conditions recognised:", "recognised conditions (the first",
                 "import-official-guides catalog/data/fangchenggang_services.jsonl --region 450600"):
        assert line in text
