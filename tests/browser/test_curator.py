"""The curators' report in real Chromium against the real stack: a question the assistant could not
answer shows up grouped in the report; the curator attaches its phrasing to an item on the page;
the next citizen who says it gets that item's guide, from the trained bot, with no retraining and
no restart. 说法诊断 shows how the words were read before and after."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

WAIT = 30_000
ITEM_NAME = "教师资格认定"
# A way to ask for it that no list, lexicon or phrasing file has.
PHRASE = "想去学堂教书要的那个红本本咋个整"


def payload_types(reply: dict) -> list[str]:
    return [m["custom"]["type"] for m in reply["messages"] if m.get("custom")]


def guide_items(reply: dict) -> list[str]:
    return [item["name"] for m in reply["messages"] if (m.get("custom") or {}).get("type") == "guide"
            for item in m["custom"]["items"]]


def test_a_curator_attaches_a_phrasing_and_the_next_citizen_gets_the_guide(page_factory, app_with_real_bot,
                                                                            save_screenshot):
    from playwright.sync_api import expect

    stack = app_with_real_bot
    before = stack.chat("web-curator-first", PHRASE)
    assert ITEM_NAME not in guide_items(before), "the phrasing is unknown before the curator attaches it"
    stack.chat("web-curator-second", PHRASE + "嘛")
    stack.client.post("/api/ratings", json={
        "sender_id": "web-curator-third", "satisfied": False, "reason": "misunderstood", "question": "老师证在哪里办"})

    page = page_factory(viewport={"width": 1360, "height": 1100})
    page.goto(stack.url + "/curator")
    row = page.locator("tr[data-group]", has_text=PHRASE).first
    expect(row).to_be_visible(timeout=WAIT)
    expect(page.locator("svg.chart")).to_have_count(5)
    # 说法诊断 on the group: the rule that read it, and that no item was answered
    row.get_by_role("button", name="诊断").click()
    expect(page.locator("#explain-result")).to_contain_text("规则：", timeout=WAIT)
    expect(page.locator("#explain-result")).not_to_contain_text("答复事项 【" + ITEM_NAME)
    page.locator("#curator").fill("王主任")
    row.locator(".item-search").fill(ITEM_NAME)
    expect(row.locator(".item-choice option", has_text=ITEM_NAME).first).to_be_attached(timeout=WAIT)
    row.locator(".item-choice").select_option(label=ITEM_NAME)
    row.get_by_role("button", name="关联").click()
    expect(page.locator("#status")).to_contain_text("立即生效", timeout=WAIT)
    expect(page.locator("table.phrasings")).to_contain_text(PHRASE, timeout=WAIT)
    expect(page.locator("table.phrasings")).to_contain_text("王主任")
    # ... and once attached, the same words read as the item (the page reloaded after attaching)
    page.locator("#explain-text").fill(PHRASE)
    page.locator("#explain-form button").click()
    expect(page.locator("#explain-result")).to_contain_text("【" + ITEM_NAME + "】", timeout=WAIT)
    save_screenshot(page, "curator-report.png")

    after = stack.chat("web-curator-next", PHRASE)
    if "clarify" in payload_types(after):  # the one question may ask the town for a town-level item
        after = stack.chat("web-curator-next", "龙台镇")
    assert ITEM_NAME in guide_items(after), after

    # Undo: the phrasing is no longer in force for the citizen after.
    page.get_by_role("button", name="撤销").first.click()
    expect(page.locator("table.phrasings tr.undone")).to_contain_text("王主任", timeout=WAIT)
    undone = stack.chat("web-curator-after-undo", PHRASE)
    assert ITEM_NAME not in guide_items(undone)
