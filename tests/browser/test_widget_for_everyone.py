"""The widget for every citizen, on a phone (390×844) and a desktop: the answer opens at its title,
materials are a checklist, the answer travels as its own link and QR, 「重新开始」 and a reload end
the conversation on the server too, 长辈版, the question card's choices (towns, 「都不是」), and the
host page's tiles."""
from __future__ import annotations

import json
import re

import pytest

from tests.browser.replies import INTRO, ITEM_AND_TOWN

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
RESTAURANT = "我想开个小饭馆，我自己去办，门头不装修，我在龙台镇"
SHARE_PATH = re.compile(r"/guide/t/[A-Za-z0-9_-]{12}$")
QR_LOADED = """() => {
  const img = document.getElementById('wenyici-widget').shadowRoot.querySelector('.guide .qr img');
  return !!img && img.complete && img.naturalWidth > 0;
}"""


def open_widget(page, app_url: str) -> None:
    page.goto(app_url + "/")
    page.get_by_role("button", name="在线咨询").click()


def say(page, text: str) -> None:
    box = page.get_by_label("输入您的问题")
    box.fill(text)
    box.press("Enter")


def ask_for_guide(page, app_url: str, question: str):
    open_widget(page, app_url)
    say(page, question)
    card = page.locator(".guide").last
    card.wait_for(timeout=30_000)
    return card


def reply_with(sent: list, *replies: dict):
    """A route for /api/chat answering the n-th message with the n-th reply (then 「好的」)."""

    def answer(route):
        sent.append(route.request.post_data_json["message"])
        reply = replies[len(sent) - 1] if len(sent) <= len(replies) else {"text": "好的"}
        body = json.dumps({"sender_id": "s", "messages": [reply]}, ensure_ascii=False)
        route.fulfill(status=200, content_type="application/json", body=body)

    return answer


TOWN_ONLY = {
    "text": INTRO + "\n1. 您在哪个乡镇（街道）办理？",
    "custom": {"type": "clarify", "questions": [{"slot": "place", "text": "您在哪个乡镇（街道）办理？", "options": []}]},
}
HANDOFF = {"text": "这个问题需要人工为您解答，请拨打12345。", "custom": {"type": "handoff", "reason": "not_found", "phone": "12345"}}


# --- the answer ------------------------------------------------------------------------------


def test_a_long_answer_opens_at_its_title_on_a_phone(page_factory, app_with_fake_bot, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    card = ask_for_guide(page, app_with_fake_bot.url, RESTAURANT)
    expect(card.locator("h3")).to_contain_text("我要开小餐馆")
    page.wait_for_function(QR_LOADED, timeout=15_000)  # the layout is final before it is measured
    log_box = page.locator(".log").bounding_box()
    title_box = card.locator("h3").bounding_box()
    assert log_box["y"] <= title_box["y"] <= log_box["y"] + 60, (log_box, title_box)
    # The card is taller than the screen: had it opened at its end, the title would be above the log.
    assert card.bounding_box()["height"] > log_box["height"]
    save_screenshot(page, "widget-phone.png")


def test_materials_are_a_checklist_decisive_first_with_notes_folded(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**DESKTOP)
    card = ask_for_guide(page, app_with_fake_bot.url, "我想开个小饭馆")
    items = card.locator(".materials li")
    count = items.count()
    assert count >= 5
    conditional = [bool(items.nth(i).locator(".cond").count()) for i in range(count)]
    assert any(conditional) and conditional == sorted(conditional), "what everyone brings comes first"
    progress = card.locator(".progress")
    expect(progress).to_have_text(f"勾选已备齐的材料：0 / {count}")
    items.nth(0).locator(".mat-name").click()  # the name is the checkbox's label
    expect(items.nth(0).locator("input[type=checkbox]")).to_be_checked()
    expect(progress).to_have_text(f"勾选已备齐的材料：1 / {count}")
    notes = card.locator("details.mat-more")
    if notes.count():
        assert notes.first.get_attribute("open") is None
        expect(notes.first.locator(".mat-note")).to_be_hidden()
        notes.first.locator("summary").click()
        expect(notes.first.locator(".mat-note")).to_be_visible()


def test_the_tailored_qr_opens_the_list_that_was_given(page_factory, app_with_fake_bot, save_screenshot):
    from tests.api.test_guides import decode_png

    page = page_factory(**PHONE)
    card = ask_for_guide(page, app_with_fake_bot.url, RESTAURANT)
    given = [name.strip() for name in card.locator(".materials .mat-name").all_inner_texts()]
    share = card.locator(".share a", has_text="打开我的清单").get_attribute("href")
    assert SHARE_PATH.search(share), share
    qr_src = card.locator(".qr img").get_attribute("src")
    assert qr_src == share + "/qr.svg"
    png = page.request.get(share + "/qr.png")
    assert png.ok
    decoded = decode_png(png.body())
    assert decoded == share

    guide = page_factory(**PHONE)
    response = guide.goto(decoded)
    assert response.status == 200
    shown = [name.strip() for name in guide.locator(".materials .mat-name").all_inner_texts()]
    assert shown == [m for m in given if m in shown] and sorted(shown) == sorted(given)
    assert "龙台镇" in guide.locator("main").inner_text()
    assert guide.get_by_text("这是您在对话中得到的清单").count() == 1
    assert guide.locator("select[name=town]").count() == 0
    save_screenshot(guide, "guide-tailored-phone.png")

    missing = guide.goto(app_with_fake_bot.url + "/guide/t/AAAAAAAAAAAA")
    assert missing.status == 404
    assert "链接无效或已过期" in guide.locator("main").inner_text()


# --- fresh starts --------------------------------------------------------------------------------


def test_restart_ends_the_conversation_on_the_server_too(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    restarted = app_with_fake_bot.fake_bot.state.restarted
    page = page_factory(**PHONE)
    ask_for_guide(page, app_with_fake_bot.url, "怎么申请低保")
    sender = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    before = restarted.count(sender)
    page.get_by_role("button", name="重新开始").click()
    expect(page.locator(".guide")).to_have_count(0)
    expect(page.locator(".row.user")).to_have_count(0)
    expect(page.locator(".row.bot .bubble").first).to_contain_text("您好")
    assert restarted.count(sender) == before + 1, "the server was told to forget this sender"
    say(page, "怎么申请低保")
    page.locator(".guide").wait_for(timeout=30_000)  # and the chat goes on


def test_a_reload_clears_both_sides_never_half(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    restarted = app_with_fake_bot.fake_bot.state.restarted
    page = page_factory(**DESKTOP)
    ask_for_guide(page, app_with_fake_bot.url, "怎么申请低保")
    sender = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    before = restarted.count(sender)
    page.reload()
    page.get_by_role("button", name="在线咨询").click()
    expect(page.locator(".row.user")).to_have_count(0)  # the screen starts empty ...
    say(page, "怎么申请低保")
    page.locator(".guide").wait_for(timeout=30_000)
    assert restarted.count(sender) == before + 1  # ... and so does the server, before the next message



def test_a_page_view_without_a_conversation_asks_the_server_nothing(page_factory, app_with_fake_bot):
    restarts: list = []
    page = page_factory(**DESKTOP)
    page.on("request", lambda request: restarts.append(request.url) if request.url.endswith("/api/chat/restart") else None)
    page.goto(app_with_fake_bot.url + "/")
    page.reload()
    page.get_by_role("button", name="在线咨询").click()
    page.get_by_label("输入您的问题").wait_for()
    assert restarts == []


def test_restart_when_the_server_cannot_forget_starts_a_new_conversation(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**DESKTOP)
    page.route("**/api/chat/restart", lambda route: route.fulfill(status=503, body="{}", content_type="application/json"))
    ask_for_guide(page, app_with_fake_bot.url, "怎么申请低保")
    sender = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    page.get_by_role("button", name="重新开始").click()
    expect(page.locator(".row.user")).to_have_count(0)
    renewed = page.evaluate("() => localStorage.getItem('wenyici.sender_id')")
    assert renewed and renewed != sender  # a sender the server has never seen remembers nothing


# --- 长辈版 -----------------------------------------------------------------------------------------


def test_elders_mode_is_large_and_remembered(page_factory, app_with_fake_bot, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    card = ask_for_guide(page, app_with_fake_bot.url, "我在龙台镇，社保卡丢了怎么补")
    toggle = page.get_by_role("button", name="长辈版")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    size = lambda locator: float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))  # noqa: E731
    assert size(page.locator(".row.bot .bubble").first) >= 18
    assert size(card.locator(".mat-name").first) >= 18
    assert size(card.locator(".loc").first) >= 18
    for button in (toggle, page.get_by_role("button", name="重新开始")):
        assert button.bounding_box()["height"] >= 44
    assert card.locator(".mat-check input").first.bounding_box()["width"] >= 26
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    save_screenshot(page, "widget-elder.png")
    page.reload()
    page.get_by_role("button", name="在线咨询").click()
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="长辈版").click()  # and back, also remembered
    page.reload()
    page.get_by_role("button", name="在线咨询").click()
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "false")


# --- the question card ---------------------------------------------------------------------------


def test_the_town_is_offered_as_choices_and_sent_with_the_item(page_factory, app_with_fake_bot, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    sent: list = []
    page.route("**/api/chat", reply_with(sent, ITEM_AND_TOWN))
    open_widget(page, app_with_fake_bot.url)
    say(page, "户口方面的事情问下")
    card = page.locator(".clarify")
    expect(card).to_be_visible()
    assert "请回复序号" not in card.inner_text()
    towns = card.get_by_label("您在哪个乡镇（街道）办理？")
    expect(towns).to_have_value("")  # asks, no town chosen for the citizen
    expect(towns.locator("option").nth(10)).to_be_attached()  # the county's towns, however soon they arrive
    submit = card.get_by_role("button", name="确认并发送")
    card.get_by_role("button", name="户口注销", exact=True).click()
    expect(submit).to_be_disabled()
    towns.select_option(label="龙台镇")
    expect(submit).to_be_enabled()
    # The submit is an action, not one more option: filled, full width, unlike the chips.
    chip_bg = card.locator(".chip").first.evaluate("e => getComputedStyle(e).backgroundColor")
    submit_bg = submit.evaluate("e => getComputedStyle(e).backgroundColor")
    assert submit_bg != chip_bg
    assert submit.bounding_box()["width"] > card.bounding_box()["width"] * 0.8
    save_screenshot(page, "widget-question.png")
    submit.click()
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["户口方面的事情问下", "户口注销，龙台镇"]


def test_a_lone_town_question_is_answered_by_choosing(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**DESKTOP)
    sent: list = []
    page.route("**/api/chat", reply_with(sent, TOWN_ONLY))
    open_widget(page, app_with_fake_bot.url)
    say(page, "我要申请低保")
    expect(page.locator(".row.bot .bubble").last).to_have_text("为了一次把材料和办理地点告诉您，请先确认一点：")
    page.locator(".clarify select").select_option(label="龙台镇")
    expect(page.locator(".row.bot .bubble").last).to_have_text("好的")
    assert sent == ["我要申请低保", "龙台镇"]


def test_none_of_these_hands_over_and_offers_the_common_needs(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    sent: list = []
    page.route("**/api/chat", reply_with(sent, ITEM_AND_TOWN, HANDOFF))
    open_widget(page, app_with_fake_bot.url)
    say(page, "户口方面的事情问下")
    none = page.locator(".clarify").get_by_role("button", name="都不是")
    none.click()
    expect(page.locator(".notice a")).to_have_attribute("href", "tel:12345")  # the human route
    expect(page.get_by_text("也可以从常办事项中选一项")).to_be_visible()
    page.get_by_role("button", name="申请低保", exact=True).click()
    expect(page.locator(".row.user .bubble").last).to_have_text("申请低保")
    assert sent == ["户口方面的事情问下", "都不是", "申请低保"]


def test_a_tile_on_the_home_page_starts_its_conversation(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    page.goto(app_with_fake_bot.url + "/")
    page.locator(".tiles .tile", has_text="最低生活保障").click()
    card = page.locator(".guide").last
    card.wait_for(timeout=30_000)
    expect(card.locator("h3")).to_contain_text("最低生活保障")
    expect(page.locator(".row.user .bubble").last).to_have_text("最低生活保障")


def test_the_home_pages_links_lead_somewhere(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(**DESKTOP)
    page.goto(app_with_fake_bot.url + "/")
    hrefs = page.locator("nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#" not in hrefs
    page.locator("nav a", has_text="在线咨询").click()
    expect(page.get_by_label("输入您的问题")).to_be_visible()
    expect(page.locator(".row.user")).to_have_count(0)  # it opens the chat, and asks nothing by itself


# --- against the real bot: the server's memory really goes ------------------------------------------


def _ask_then_answer_the_town(page, app_url: str, forget) -> None:
    """「怎么申请低保」 makes the bot ask the town; ``forget(page)`` runs before 「我在龙台镇」 is said."""
    open_widget(page, app_url)
    say(page, "怎么申请低保")
    page.locator(".clarify").wait_for(timeout=30_000)
    forget(page)
    say(page, "我在龙台镇")
    page.locator(".row.user .bubble", has_text="我在龙台镇").wait_for()
    page.wait_for_function("() => !document.getElementById('wenyici-widget').shadowRoot.querySelector('.typing')",
                           timeout=30_000)


@pytest.mark.e2e
def test_restart_and_reload_clear_the_real_bots_memory(page_factory, app_with_real_bot):
    # Control: without a fresh start the town completes the open question and the guide comes.
    page = page_factory(**PHONE)
    _ask_then_answer_the_town(page, app_with_real_bot.url, lambda p: None)
    assert "最低生活保障" in page.locator(".guide").last.locator("h3").inner_text()

    def restart(p):
        p.get_by_role("button", name="重新开始").click()
        p.locator(".row.user").first.wait_for(state="detached")

    def reload(p):
        p.reload()
        p.get_by_role("button", name="在线咨询").click()

    for forget in (restart, reload):
        page = page_factory(**PHONE)
        _ask_then_answer_the_town(page, app_with_real_bot.url, forget)
        # The bot no longer knows what the town was for: no guide the screen never asked for.
        assert page.locator(".guide").count() == 0, forget.__name__
        assert "最低生活保障" not in page.locator(".log").inner_text(), forget.__name__


@pytest.mark.parametrize("reason, menu", [("not_found", True), ("nlu_fallback", True), ("complaint", False),
                                          ("request_human", False)])
def test_a_vague_ask_gets_the_common_needs_not_a_dead_end(page_factory, app_with_fake_bot, reason, menu):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    sent: list = []
    handoff = {"text": "这个问题需要人工为您解答，请拨打12345。", "custom": {"type": "handoff", "reason": reason, "phone": "12345"}}
    page.route("**/api/chat", reply_with(sent, handoff))
    open_widget(page, app_with_fake_bot.url)
    say(page, "我想办个证")
    expect(page.locator(".notice a")).to_have_attribute("href", "tel:12345")
    offered = page.get_by_text("也可以从常办事项中选一项")
    if menu:
        expect(offered).to_be_visible()
        page.get_by_role("button", name="社保卡补办", exact=True).click()
        expect(page.locator(".row.user .bubble").last).to_have_text("社保卡补办")
        assert sent == ["我想办个证", "社保卡补办"]
    else:
        expect(page.locator(".row.bot").last).to_contain_text("12345")
        assert offered.count() == 0


@pytest.mark.e2e
def test_none_of_these_with_the_real_bot_gives_the_human_route_and_the_menu(page_factory, app_with_real_bot):
    from playwright.sync_api import expect

    page = page_factory(**PHONE)
    open_widget(page, app_with_real_bot.url)
    say(page, "户口方面的事情问下")
    card = page.locator(".clarify")
    card.wait_for(timeout=30_000)
    card.get_by_role("button", name="都不是").click()
    expect(page.locator(".notice a").last).to_have_attribute("href", "tel:12345", timeout=30_000)
    expect(page.get_by_text("也可以从常办事项中选一项")).to_be_visible()
    assert page.locator(".guide").count() == 0
