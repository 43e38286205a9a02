"""防城港市 end to end, as `WYC_REGION=450600 make run` serves it: a citizen's colloquial question through
POST /api/chat, the region's trained model, the actions and the region's catalog, answered at once with
生育医疗费用支付's real materials, the city hall's window and hours and the promised days, every value
compared with the published source row (catalog/data/fangchenggang_services.jsonl)."""
from __future__ import annotations

import json
import uuid
from typing import Iterator

import pytest

from catalog.seed import REGIONS
from tests.region_stack import RegionStack, stack_from_environment

pytestmark = pytest.mark.e2e

REGION = "450600"
QUESTION = "生孩子的医疗费咋个报"
ITEM = "生育医疗费用支付"


@pytest.fixture(scope="module")
def fangchenggang(tmp_path_factory) -> Iterator[RegionStack]:
    with stack_from_environment(tmp_path_factory, REGION) as stack:
        yield stack


def source_row(name: str) -> dict:
    with REGIONS[REGION].official_guides.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return next(row for row in rows if row["item_name"] == name)


def payloads(reply: dict, kind: str) -> list[dict]:
    return [m["custom"] for m in reply["messages"] if (m.get("custom") or {}).get("type") == kind]


def test_a_colloquial_question_is_answered_at_once_with_the_official_guide(fangchenggang):
    reply = fangchenggang.chat(f"e2e-fcg-{uuid.uuid4().hex[:10]}", QUESTION)
    guides = payloads(reply, "guide")
    assert not payloads(reply, "clarify") and not payloads(reply, "handoff"), reply
    assert len(guides) == 1, reply
    guide, row = guides[0], source_row(ITEM)
    assert [item["name"] for item in guide["items"]] == [ITEM]
    # The real materials, each with what the source says of it; no sample-data notice.
    assert [m["name"] for m in guide["materials"]] == [m["name"].strip() for m in row["materials"]]
    assert [m["required"] for m in guide["materials"]] == [m["required"] for m in row["materials"]]
    assert guide["official"] and guide["sample_notice"] is None and guide["guide_url"] == row["source_url"]
    # The city hall's window and hours as the guide gives them, the promised days; no town asked.
    assert guide["location"]["level"] == "city" and guide["location"]["address"] == row["handle_address"]
    assert guide["location"]["hours"] == row["handle_time"]
    assert f"承诺{row['promise_days']}天办结" in guide["time_limit"] and row["promise_days"] == 15
    text = reply["messages"][0]["text"]
    assert row["handle_address"] in text and "必需" in text and "乡镇" not in text
