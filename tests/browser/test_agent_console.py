"""The agent console in a real browser: search 「低保」, open the guide, tailor it, copy the answer."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

QR_LOADED = "() => { const img = document.getElementById('qr'); return img.complete && img.naturalWidth > 0; }"


def open_console(page, app_url: str, token: str):
    page.goto(f"{app_url}/agent?token={token}")
    # The token is kept for the tab and taken out of the address bar (screenshots, shoulder-surfing).
    assert "token=" not in page.url
    return page


def test_agent_searches_dibao_and_opens_the_tailored_guide(page_factory, app_with_fake_bot, agent_token, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1360, "height": 1000})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_with_fake_bot.url)
    open_console(page, app_with_fake_bot.url, agent_token)

    page.get_by_label("搜索事项或一件事").fill("低保")
    result = page.locator("#results button", has_text="最低生活保障").first
    result.wait_for(timeout=15_000)
    # Best first, no raw scores: the agent reads names, not numbers.
    expect(page.locator("#results button").first).to_contain_text("最低生活保障")
    expect(page.locator("#results .score")).to_have_count(0)
    expect(page.locator("#not-listed")).to_contain_text("12345 工单")
    result.click()

    expect(page.locator("#guide-title")).to_have_text("最低生活保障")
    materials = page.locator("#materials li")
    expect(materials.first).to_contain_text("最低生活保障申请书")
    # Nothing said about delegation yet: its materials are listed with their condition.
    expect(page.locator("#materials .cond").first).to_have_text("如委托他人办理")

    # The caller goes in person: the delegation materials drop out.
    page.locator("#facts").get_by_text("本人办理", exact=True).click()
    expect(page.locator("#materials .cond")).to_have_count(0)
    expect(page.locator("#materials")).not_to_contain_text("代理人身份证")

    # The caller lives in 龙台镇: the location follows the picker.
    page.get_by_label("所在乡镇（街道）").select_option(label="龙台镇")
    expect(page.locator("#location .name")).to_contain_text("龙台镇")
    expect(page.get_by_label("村（社区）")).to_be_enabled()
    assert page.get_by_label("村（社区）").locator("option").count() > 1

    page.wait_for_function(QR_LOADED, timeout=15_000)

    page.get_by_role("button", name="复制答复").click()
    expect(page.locator("#copy-status")).to_contain_text("已复制")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.evaluate("() => window.WenYiCiAgent.answerText()")
    assert copied.startswith("【最低生活保障】")
    assert "1. 最低生活保障申请书" in copied and "龙台镇" in copied and "代理人身份证" not in copied

    page.locator("#search").focus()  # the screenshot shows the console as the agent left it
    save_screenshot(page, "agent.png")


def test_agent_console_without_the_token_is_refused(page_factory, app_with_fake_bot):
    page = page_factory()
    response = page.goto(f"{app_with_fake_bot.url}/agent")
    assert response.status == 401
    assert "X-Agent-Token" in page.content()

