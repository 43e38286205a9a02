"""The chat widget in a real browser: ask once, get the guide card with materials and a QR code."""
from __future__ import annotations

import re

import pytest

QUESTION = "我在龙台镇，社保卡丢了怎么补"
EXPECTED_ITEM = "社会保障卡补领、换领、换发"

pytestmark = pytest.mark.browser

# The widget lives in an open Shadow DOM; Playwright's CSS locators pierce it, page scripts reach
# it through the host element.
QR_LOADED = """() => {
  const root = document.getElementById('wenyici-widget').shadowRoot;
  const img = root.querySelector('.guide .qr img');
  return !!img && img.complete && img.naturalWidth > 0;
}"""


def ask_in_widget(page, app_url: str, question: str):
    page.goto(app_url + "/")
    page.get_by_role("button", name="在线咨询").click()
    box = page.get_by_label("输入您的问题")
    box.fill(question)
    box.press("Enter")
    card = page.locator(".guide").last
    card.wait_for(timeout=30_000)
    return card


def check_guide_card(page, card) -> None:
    from playwright.sync_api import expect

    expect(card.locator("h3")).to_contain_text(EXPECTED_ITEM)
    materials = card.locator(".materials li")
    assert materials.count() >= 2, "a core item carries its authored materials"
    expect(materials.first).to_contain_text(re.compile(r"\S"))
    expect(card.locator(".loc .name")).to_contain_text("龙台镇")
    expect(card.locator(".loc .level")).to_have_text("乡镇（街道）便民服务中心")
    expect(card.locator(".sample")).to_contain_text("示例数据")
    page.wait_for_function(QR_LOADED, timeout=15_000)
    link = card.locator(".qr a")
    assert re.match(r"https?://", link.get_attribute("href") or "")


def test_widget_renders_guide_card_from_fake_bot(page_factory, app_with_fake_bot, save_screenshot):
    page = page_factory(viewport={"width": 1280, "height": 900})
    card = ask_in_widget(page, app_with_fake_bot.url, QUESTION)
    check_guide_card(page, card)
    # The citizen's words are shown back as typed, as text (not markup).
    from playwright.sync_api import expect

    expect(page.locator(".row.user .bubble").last).to_have_text(QUESTION)
    sender_id = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    assert sender_id and sender_id.startswith("web-")
    # Picture the answer from the citizen's question down, as a citizen sees it.
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    save_screenshot(page, "widget.png")


def test_widget_keeps_the_sender_id_across_visits(page_factory, app_with_fake_bot):
    page = page_factory()
    page.goto(app_with_fake_bot.url + "/")
    first = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    page.get_by_role("button", name="在线咨询").click()
    box = page.get_by_label("输入您的问题")
    box.fill("怎么申请低保")
    box.press("Enter")
    page.locator(".guide").wait_for(timeout=30_000)
    stored = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    page.reload()
    assert first is None and stored and page.evaluate("() => localStorage.getItem('wenyici.sender_id')") == stored


def test_widget_shows_server_text_as_text_not_markup(page_factory, app_with_fake_bot):
    """Whatever the server says is displayed literally; a <img onerror> in a reply must not run."""
    page = page_factory()
    hostile = '<img src=x onerror="window.__pwned=1">社保卡'
    page.route(
        "**/api/chat",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body='{"sender_id":"s","messages":[{"text":' + _json(hostile) + ',"custom":{"type":"handoff",'
            '"reason":' + _json(hostile) + ',"phone":"12345"}}]}',
        ),
    )
    page.goto(app_with_fake_bot.url + "/")
    page.get_by_role("button", name="在线咨询").click()
    page.get_by_label("输入您的问题").fill("测试")
    page.get_by_label("输入您的问题").press("Enter")
    from playwright.sync_api import expect

    expect(page.locator(".row.bot .bubble").last).to_have_text(hostile)
    expect(page.locator(".notice a")).to_have_attribute("href", "tel:12345")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0


def test_widget_clarify_buttons_send_their_payload(page_factory, app_with_fake_bot):
    page = page_factory()
    sent = []

    def answer(route):
        sent.append(route.request.post_data_json["message"])
        if len(sent) == 1:
            body = ('{"sender_id":"s","messages":[{"text":"您要办理社保卡的哪一项？",'
                    '"buttons":[{"title":"补领","payload":"社会保障卡补领"},{"title":"注销","payload":"社会保障卡注销"}],'
                    '"custom":{"type":"clarify","questions":[{"slot":"item","text":"办理哪一项？","options":[]}]}}]}')
        else:
            body = '{"sender_id":"s","messages":[{"text":"好的"}]}'
        route.fulfill(status=200, content_type="application/json", body=body)

    page.route("**/api/chat", answer)
    page.goto(app_with_fake_bot.url + "/")
    page.get_by_role("button", name="在线咨询").click()
    page.get_by_label("输入您的问题").fill("社保卡")
    page.get_by_label("输入您的问题").press("Enter")
    page.get_by_role("button", name="补领", exact=True).click()
    from playwright.sync_api import expect

    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["社保卡", "社会保障卡补领"]


@pytest.mark.e2e
def test_widget_renders_guide_card_from_real_bot(page_factory, app_with_real_bot):
    page = page_factory(viewport={"width": 1280, "height": 900})
    card = ask_in_widget(page, app_with_real_bot.url, QUESTION)
    check_guide_card(page, card)


def _json(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
