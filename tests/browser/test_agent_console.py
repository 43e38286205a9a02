"""The agent console in a real browser: search 「低保」, open the guide, tailor it, copy the answer."""
from __future__ import annotations

import re

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

    page = page_factory(viewport={"width": 1366, "height": 768})
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
    page.get_by_label("所在乡镇（街道）").fill("龙台镇")
    expect(page.locator("#location .name")).to_contain_text("龙台镇")
    expect(page.get_by_label("村（社区）")).to_be_enabled()
    # The town's villages arrive after the picker is enabled (GET /api/regions): wait for them.
    expect(page.get_by_label("村（社区）").locator("option").nth(1)).to_be_attached()

    page.wait_for_function(QR_LOADED, timeout=15_000)

    page.get_by_role("button", name="复制答复").click()
    expect(page.locator("#copy-status")).to_contain_text("已复制")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.evaluate("() => window.WenYiCiAgent.answerText()")
    assert copied.startswith("【最低生活保障】")
    assert "1. 最低生活保障申请书" in copied and "龙台镇" in copied and "代理人身份证" not in copied

    # The copied answer carries this answer's short link, not the official page's long address.
    assert re.search(r"/guide/t/[A-Za-z0-9_-]{12}", copied) and "sczwfw" not in copied
    page.locator(".guide-pane").evaluate("pane => pane.scrollIntoView({block: 'start'})")
    page.locator("#search").focus()  # the screenshot shows the console as the agent left it
    save_screenshot(page, "agent.png")


def test_agent_console_without_the_token_is_refused(page_factory, app_with_fake_bot):
    page = page_factory()
    response = page.goto(f"{app_with_fake_bot.url}/agent")
    assert response.status == 401
    assert "X-Agent-Token" in page.content()


CONSOLE = {"viewport": {"width": 1366, "height": 768}}


def test_a_whole_call_by_keyboard_fits_the_screen(page_factory, app_with_fake_bot, agent_token):
    """Search has focus; arrows and Enter pick; the town is typed in part; Alt+C copies the SMS;
    Alt+N starts the next call with nothing carried over."""
    from playwright.sync_api import expect

    page = page_factory(**CONSOLE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_with_fake_bot.url)
    open_console(page, app_with_fake_bot.url, agent_token)
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("营业执照")
    expect(page.locator("#results button").first).to_be_visible(timeout=15_000)
    names = page.locator("#results .name").all_inner_texts()
    target = names.index("个体工商户设立登记")
    page.keyboard.press("ArrowDown")
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#guide-title")).to_have_text("个体工商户设立登记")
    expect(page.locator("#town")).to_be_focused()  # where the caller lives is asked next
    page.keyboard.type("龙台")
    page.keyboard.press("Enter")
    expect(page.locator("#town")).to_have_value("龙台镇")
    expect(page.locator("#location .name")).to_contain_text("龙台镇")
    expect(page.locator("#sms")).to_have_value(re.compile(r"/guide/t/[A-Za-z0-9_-]{12}$"), timeout=15_000)
    page.wait_for_function(QR_LOADED, timeout=15_000)

    # Everything for one answer on one 1366×768 screen, the guide pane at the top of the view.
    page.locator(".guide-pane").evaluate("pane => pane.scrollIntoView({block: 'start'})")
    for selector in ("#guide-title", "#location", "#terms", "#sms", "#copy-sms", "#qr"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 768, (selector, box)
    assert page.get_by_text("办理时限").first.is_visible()

    page.keyboard.press("Alt+c")
    expect(page.locator("#copy-status")).to_contain_text("已复制短信")
    sms = page.evaluate("() => navigator.clipboard.readText()")
    assert sms == page.locator("#sms").input_value()
    assert len(sms) <= 140 and sms.startswith("【12345】个体工商户设立登记")
    shared = page_factory(**CONSOLE)
    shared.goto(sms[sms.index("http"):])
    assert "龙台镇" in shared.locator("main").inner_text()

    page.keyboard.press("Alt+n")
    expect(page.locator("#search")).to_be_focused()
    expect(page.locator("#search")).to_have_value("")
    expect(page.locator("#guide")).to_be_hidden()
    expect(page.locator("#results button")).to_have_count(0)
    page.keyboard.type("低保")
    page.keyboard.press("Enter")
    expect(page.locator("#guide-title")).to_have_text("最低生活保障")
    expect(page.locator("#town")).to_have_value("")  # the last caller's town is not carried over
    expect(page.locator("#location .name")).not_to_contain_text("龙台镇")


def test_the_callers_words_open_the_tailored_guide(page_factory, app_with_fake_bot, agent_token):
    from playwright.sync_api import expect

    page = page_factory(**CONSOLE)
    open_console(page, app_with_fake_bot.url, agent_token)
    words = page.get_by_label("来电人原话")
    words.fill("我在龙台镇，社保卡丢了，我自己去办")
    words.press("Control+Enter")
    expect(page.locator("#guide-title")).to_have_text("社会保障卡补领、换领、换发", timeout=15_000)
    expect(page.locator("#town")).to_have_value("龙台镇")
    expect(page.locator("#location .name")).to_contain_text("龙台镇")
    expect(page.locator("#facts input[type=radio]:checked + span", has_text="本人办理")).to_have_count(1)
    expect(page.locator("#materials")).not_to_contain_text("委托书")
    expect(page.locator("#sms")).to_have_value(re.compile("^【12345】社会保障卡补领.*龙台镇"), timeout=15_000)


def test_search_off_the_list_points_to_the_12345_work_order(page_factory, app_with_fake_bot, agent_token):
    from playwright.sync_api import expect

    page = page_factory(**CONSOLE)
    open_console(page, app_with_fake_bot.url, agent_token)
    page.get_by_label("搜索事项或一件事").fill("邻居装修太吵了")
    hint = page.locator("#not-listed")
    expect(hint).to_have_class(re.compile(r"\bstressed\b"), timeout=15_000)
    expect(hint).to_contain_text("12345 工单")
