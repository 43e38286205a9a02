"""tests/dialogues_fangchenggang: the cases parse as eval cases, and every item, material and place
they expect is in 防城港市's data, so a typo fails here instead of counting as a bot failure."""
from __future__ import annotations

import json
from pathlib import Path

from tests.scripts.conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "dialogues_fangchenggang"
DATA = ROOT / "catalog" / "data" / "fangchenggang_services.jsonl"
POINTS = ROOT / "catalog" / "data" / "fangchenggang_service_points.csv"
REGIONS = ROOT / "catalog" / "data" / "fangchenggang_450600.csv"


def _guides() -> dict[str, dict]:
    with DATA.open(encoding="utf-8") as handle:
        return {row["item_name"]: row for row in map(json.loads, handle)}


def test_cases_parse_and_name_real_items_and_materials():
    eval_script = load_script("eval")
    cases = eval_script.load_cases(CASES)
    assert len(cases) >= 60
    guides = _guides()
    region_names = REGIONS.read_text(encoding="utf-8")
    for case in cases:
        for turn in case.turns:
            expect = turn.expect or {}
            if "item" in expect:
                assert expect["item"] in guides, f"{case.id}: no item {expect['item']!r} in {DATA.name}"
                names = {m["name"] for m in guides[expect["item"]].get("materials") or []}
                for material in expect.get("materials_include", []):
                    assert material in names, f"{case.id}: {expect['item']} has no material {material!r}"
                assert guides[expect["item"]]["level"] == "市" and expect.get("location_level") == "city", case.id
            if "location_place" in expect:
                # Service points are named after their region: 防城港市政务服务中心.
                place = expect["location_place"].removesuffix("政务服务中心")
                assert place in region_names + POINTS.read_text(encoding="utf-8"), case.id


def test_case_ids_are_unique():
    cases = load_script("eval").load_cases(CASES)
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids))
