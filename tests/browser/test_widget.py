"""The chat widget in a real browser: ask once, get the guide card with materials and a QR code."""
from __future__ import annotations

import re

import pytest

from tests.browser.replies import INTRO, ITEM_AND_TOWN

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


def ask(page, app_url: str, question: str) -> None:
    """Open the demo page, open the widget and send ``question``."""
    page.goto(app_url + "/")
    page.get_by_role("button", name="在线咨询").click()
    box = page.get_by_label("输入您的问题")
    box.fill(question)
    box.press("Enter")


def ask_in_widget(page, app_url: str, question: str):
    ask(page, app_url, question)
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
    # The card is the answer: the plain-text form of the same guide (for text-only channels) is not
    # shown beside it, and the guide comes once.
    assert page.locator(".guide").count() == 1
    assert "纯文本" not in page.locator(".log").inner_text()
    sender_id = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    assert sender_id and sender_id.startswith("web-")
    # Picture the answer from the citizen's question down, as a citizen sees it.
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    save_screenshot(page, "widget.png")


def test_widget_keeps_the_sender_id_across_visits(page_factory, app_with_fake_bot):
    page = page_factory()
    page.goto(app_with_fake_bot.url + "/")
    page.get_by_role("button", name="在线咨询").click()
    box = page.get_by_label("输入您的问题")
    box.fill("怎么申请低保")
    box.press("Enter")
    page.locator(".guide").wait_for(timeout=30_000)
    stored = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    page.reload()
    # The same sender after a reload (the takeover extension follows it; the server's memory of the
    # conversation is ended by the reload: tests/browser/test_widget_for_everyone.py).
    assert stored and page.evaluate("() => localStorage.getItem('wenyici.sender_id')") == stored


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
    ask(page, app_with_fake_bot.url, "测试")
    from playwright.sync_api import expect

    expect(page.locator(".row.bot .bubble").last).to_have_text(hostile)
    expect(page.locator(".notice a")).to_have_attribute("href", "tel:12345")
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0


def _answer_with(sent: list, first_reply: dict):
    """A route for /api/chat: ``first_reply`` to the first message, 「好的」 after; records what was sent."""
    import json

    def answer(route):
        sent.append(route.request.post_data_json["message"])
        reply = first_reply if len(sent) == 1 else {"text": "好的"}
        body = json.dumps({"sender_id": "s", "messages": [reply]}, ensure_ascii=False)
        route.fulfill(status=200, content_type="application/json", body=body)

    return answer


ITEM_QUESTION = {
    "text": "请先确认以下几点（可一次回复）：\n1. 您要办理的是哪一项？\n  1) 补领\n  2) 注销",
    "buttons": [{"title": "补领", "payload": '/inform{"item": "b"}'}, {"title": "注销", "payload": '/inform{"item": "z"}'}],
    "custom": {"type": "clarify", "questions": [{"slot": "item", "text": "您要办理的是哪一项？",
                                                 "options": [{"value": "b", "label": "补领"}, {"value": "z", "label": "注销"}]}]},
}


def test_widget_asks_a_one_point_question_once_and_sends_the_button_payload(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory()
    sent: list = []
    page.route("**/api/chat", _answer_with(sent, ITEM_QUESTION))
    ask(page, app_with_fake_bot.url, "社保卡")
    # The intro line as a bubble (one question is 「一点」, not 「以下几点」), the question and its options once.
    expect(page.locator(".row.bot .bubble").last).to_have_text("请先确认一点：")
    assert page.get_by_text("您要办理的是哪一项？").count() == 1
    page.get_by_role("button", name="补领", exact=True).click()  # strict: one such button
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["社保卡", '/inform{"item": "b"}']
    expect(page.locator(".row.user .bubble").last).to_have_text("补领")


# As the real bot asks them (「户口方面的事情问下」 in tests/browser/replies.py; 「我想开个小饭馆要准备啥」).
SHOPFRONT_AND_TAX = {
    "text": INTRO + "\n1. 门头（店招）需要装修吗？（门头要装修 / 门头不装修）\n2. 现在就一并办理涉税事项吗？（一并办税 / 暂时不办税）",
    "buttons": [{"title": t, "payload": t} for t in ("门头要装修", "门头不装修", "一并办税", "暂时不办税")],
    "custom": {"type": "clarify", "questions": [
        {"slot": "shopfront_renovation", "text": "门头（店招）需要装修吗？",
         "options": [{"value": "yes", "label": "门头要装修"}, {"value": "no", "label": "门头不装修"}]},
        {"slot": "handle_tax", "text": "现在就一并办理涉税事项吗？",
         "options": [{"value": "yes", "label": "一并办税"}, {"value": "no", "label": "暂时不办税"}]}]},
}


def without_towns(page) -> None:
    """The towns cannot be listed (GET /api/towns fails): the town is typed, as a fallback."""
    page.route("**/api/towns", lambda route: route.fulfill(status=503, body="{}", content_type="application/json"))


def test_widget_composes_every_answer_into_one_reply_when_a_point_needs_typing(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 900})
    sent: list = []
    without_towns(page)
    page.route("**/api/chat", _answer_with(sent, ITEM_AND_TOWN))
    ask(page, app_with_fake_bot.url, "户口方面的事情问下")
    page.get_by_role("button", name="户口注销", exact=True).click()
    box = page.get_by_label("输入您的问题")
    expect(box).to_have_value("户口注销，")  # a name, not the button's /inform payload: the town follows
    assert page.get_by_role("button", name="确认并发送").count() == 0
    assert page.get_by_text("您在哪个乡镇（街道）办理？").count() == 1
    box.press("End")
    box.type("龙台镇")
    box.press("Enter")
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["户口方面的事情问下", "户口注销，龙台镇"]


def test_widget_choice_keeps_what_the_citizen_already_typed(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory()
    sent: list = []
    without_towns(page)
    page.route("**/api/chat", _answer_with(sent, ITEM_AND_TOWN))
    ask(page, app_with_fake_bot.url, "户口方面的事情问下")
    expect(page.get_by_text("您在哪个乡镇（街道）办理？")).to_be_visible()
    box = page.get_by_label("输入您的问题")
    box.type("龙台镇")  # the town first, then the item by its chip
    page.get_by_role("button", name="户口注销", exact=True).click()
    expect(box).to_have_value("户口注销，龙台镇")
    page.get_by_role("button", name="户口登记", exact=True).click()  # a second thought replaces the first
    expect(box).to_have_value("户口登记，龙台镇")
    box.press("Enter")
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["户口方面的事情问下", "户口登记，龙台镇"]


def test_widget_sends_the_choices_together_when_every_point_has_options(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory()
    sent: list = []
    page.route("**/api/chat", _answer_with(sent, SHOPFRONT_AND_TAX))
    ask(page, app_with_fake_bot.url, "我想开个小饭馆要准备啥")
    expect(page.locator(".row.bot .bubble").last).to_have_text(INTRO)
    send_choices = page.get_by_role("button", name="确认并发送")
    page.get_by_role("button", name="门头不装修", exact=True).click()
    expect(send_choices).to_be_disabled()  # one answer per point, all in one message
    page.get_by_role("button", name="一并办税", exact=True).click()
    send_choices.click()
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["我想开个小饭馆要准备啥", "门头不装修，一并办税"]


def test_widget_handoff_offers_the_hotline_without_the_staff_reason(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory()
    sent: list = []
    handoff = {"text": "请拨打12345政务服务便民热线咨询。", "custom": {"type": "handoff", "reason": "nlu_fallback", "phone": "12345"}}
    page.route("**/api/chat", _answer_with(sent, handoff))
    ask(page, app_with_fake_bot.url, "我家孩子想转学")
    expect(page.locator(".notice a")).to_have_attribute("href", "tel:12345")
    assert "nlu_fallback" not in page.locator(".log").inner_text()


@pytest.mark.e2e
def test_widget_renders_guide_card_from_real_bot(page_factory, app_with_real_bot):
    page = page_factory(viewport={"width": 1280, "height": 900})
    card = ask_in_widget(page, app_with_real_bot.url, QUESTION)
    check_guide_card(page, card)
    assert page.locator(".guide").count() == 1
    assert "一次性告知" not in page.locator(".log").inner_text()  # the text form is not shown beside the card


@pytest.mark.e2e
def test_widget_small_restaurant_one_question_then_the_bundle_from_real_bot(page_factory, app_with_real_bot):
    """The product's front page flow: one question with every open point, answered in one reply."""
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 900})
    ask(page, app_with_real_bot.url, "我想开个小饭馆要准备啥")
    card = page.locator(".clarify")
    card.wait_for(timeout=30_000)
    points = card.locator(".qblock")
    assert points.count() >= 2, "the shopfront and the tax point are asked together"
    log = page.locator(".log")
    first_point = points.first.locator(".q").inner_text().split(". ", 1)[-1]
    assert log.inner_text().count(first_point) == 1, "each point is asked once, in the card"
    chips = points.first.locator(".chip")
    assert chips.count() == 2
    for index in range(points.count()):
        options = points.nth(index).locator(".chip")
        towns = points.nth(index).locator("select")
        if options.count():
            options.first.click()
        elif towns.count():
            towns.select_option(label="龙台镇")
    box = page.get_by_label("输入您的问题")
    if page.get_by_role("button", name="确认并发送").count():
        page.get_by_role("button", name="确认并发送").click()
    else:
        box.press("End")
        box.type("我在龙台镇")
        box.press("Enter")
    guide = page.locator(".guide").last
    guide.wait_for(timeout=30_000)
    expect(guide.locator("h3")).to_contain_text("我要开小餐馆")
    assert page.locator(".clarify").count() == 1, "never a second question"


def _json(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


CSP_WATCH = """() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
}"""


def _watch_csp(page) -> list:
    """CSP violations on the page: the console's reports and the DOM's violation events."""
    reports: list = []
    page.on("console", lambda msg: reports.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.add_init_script(f"({CSP_WATCH})()")
    return reports


def _violations(page, reports: list) -> list:
    return reports + (page.evaluate("() => window.__csp || []") or [])


def test_widget_agent_console_guide_and_docs_work_under_their_csp(page_factory, app_with_fake_bot, agent_token):
    """Every page is served with a Content-Security-Policy (api/headers.py) and does all it does
    under it: the widget styled and answering, the guide page with its stylesheet and QR code,
    the agent console searching, Swagger UI drawing the API from local files."""
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 900})
    reports = _watch_csp(page)
    response = page.goto(app_with_fake_bot.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Styled: the constructed stylesheet applies inside the shadow root (fixed launcher).
    launcher_position = page.evaluate(
        "() => getComputedStyle(document.getElementById('wenyici-widget').shadowRoot"
        ".querySelector('.launcher')).position")
    assert launcher_position == "fixed"
    card = ask_in_widget(page, app_with_fake_bot.url, QUESTION)
    check_guide_card(page, card)
    assert _violations(page, reports) == []

    guide_url = card.locator(".qr a").get_attribute("href")
    guide = page_factory()
    guide_reports = _watch_csp(guide)
    guide.goto(app_with_fake_bot.url + "/guide/open-restaurant")
    assert guide.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(245, 247, 250)"
    guide.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert _violations(guide, guide_reports) == [], guide_url

    agent = page_factory()
    agent_reports = _watch_csp(agent)
    agent.goto(f"{app_with_fake_bot.url}/agent?token={agent_token}")
    agent.get_by_label("搜索事项或一件事").fill("低保")
    agent.locator("#results button", has_text="最低生活保障").first.click()
    expect(agent.locator("#guide-title")).to_have_text("最低生活保障", timeout=15_000)
    assert _violations(agent, agent_reports) == []

    docs = page_factory()
    docs_reports = _watch_csp(docs)
    docs.goto(app_with_fake_bot.url + "/docs")
    expect(docs.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    assert docs.get_by_text("/api/chat").count() >= 1
    assert _violations(docs, docs_reports) == []
