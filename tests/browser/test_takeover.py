"""A whole live takeover in real Chromium, with two browser contexts: a citizen in the widget and an
agent in the console, against the real stack (Rasa with the trained model, the app).

handoff → the conversation in the console's queue → claim → the citizen sees 「人工客服正在为您服务」 →
the agent's message and a guide card arrive in the widget (server push) → the citizen's reply arrives
in the console → release → the bot answers again, remembering the town said before the handoff.
And: a console closed mid-chat puts the conversation back in the queue.
"""
from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

WAIT = 30_000


def open_widget(page, url: str):
    page.goto(url + "/")
    page.get_by_role("button", name="在线咨询").click()
    return page.get_by_label("输入您的问题")


def say(box, text: str) -> None:
    box.fill(text)
    box.press("Enter")


def open_console(page, url: str):
    from playwright.sync_api import expect

    page.goto(url + "/agent")
    expect(page.locator(".desk-presence")).to_contain_text("在线坐席", timeout=WAIT)
    return page


def queued_entry(console, question: str):
    return console.locator(".desk-queue .desk-item", has_text=question)


def claim(console) -> None:
    from playwright.sync_api import expect

    expect(console.locator(".desk-conversation h3")).to_contain_text("排队中", timeout=WAIT)
    console.get_by_role("button", name="接入", exact=True).click()


def test_a_whole_takeover_between_widget_and_console(page_factory, app_with_real_bot, save_screenshot):
    from playwright.sync_api import expect

    url = app_with_real_bot.url
    console = open_console(page_factory(viewport={"width": 1360, "height": 1000}), url)
    console.locator(".desk-name input").fill("小李")
    console.locator(".desk-name input").dispatch_event("change")
    citizen = page_factory(viewport={"width": 480, "height": 860})
    box = open_widget(citizen, url)

    # Before the handoff the bot answers, and learns the town.
    say(box, "我在龙台镇，社保卡丢了怎么补")
    expect(citizen.locator(".guide").last.locator(".loc .name")).to_contain_text("龙台镇", timeout=WAIT)

    # The citizen asks for a person: queued, with the words so far in the console.
    say(box, "我要转人工")
    expect(citizen.locator(".takeover-bar")).to_contain_text("正在为您转接人工客服", timeout=WAIT)
    entry = queued_entry(console, "我要转人工")
    expect(entry).to_be_visible(timeout=WAIT)
    expect(console).to_have_title(re.compile("1人等待"))
    entry.click()
    expect(console.locator(".desk-words")).to_contain_text("社保卡丢了怎么补", timeout=WAIT)
    expect(console.locator(".desk-grasp")).to_contain_text("龙台镇", timeout=WAIT)
    save_screenshot(console, "takeover-queue.png")

    # Claim: the widget says a person answers.
    claim(console)
    expect(citizen.locator(".takeover-bar")).to_contain_text("人工客服正在为您服务", timeout=WAIT)

    # The agent's message reaches the widget by server push.
    reply = console.get_by_label("回复市民")
    reply.fill("您好，我是人工客服，请问还有什么要帮您？")
    reply.press("Enter")
    expect(citizen.locator(".row.agent .bubble").last).to_contain_text("我是人工客服", timeout=WAIT)
    expect(citizen.locator(".row.agent .agent-label").last).to_have_text("人工客服 · 小李")

    # A guide card from the console's search, with one click.
    console.locator("#search").fill("最低生活保障")
    console.locator("#results button").first.click()
    send_card = console.get_by_role("button", name=re.compile("发送指南卡片"))
    expect(send_card).to_be_enabled(timeout=WAIT)
    card_name = console.locator("#guide-title").inner_text()
    send_card.click()
    expect(citizen.locator(".guide").last.locator("h3")).to_contain_text(card_name, timeout=WAIT)

    # The citizen's reply reaches the console; the bot stays silent.
    bot_cards = citizen.locator(".guide").count()
    say(box, "那低保在哪里交材料")
    expect(console.locator(".desk-transcript .msg.citizen").last).to_contain_text("那低保在哪里交材料", timeout=WAIT)
    citizen.locator(".row.agent").last.evaluate("node => node.scrollIntoView({block: 'start'})")
    save_screenshot(citizen, "takeover-widget.png")
    save_screenshot(console, "takeover-console.png")
    assert citizen.locator(".guide").count() == bot_cards

    # Release: the bot resumes with its memory (the town from before the handoff).
    console.get_by_role("button", name="结束人工服务，交还智能助手").click()
    expect(citizen.locator(".system-line").last).to_contain_text("智能助手继续为您解答", timeout=WAIT)
    expect(citizen.locator(".takeover-bar")).to_be_hidden()
    expect(citizen.locator(".rate").last).to_contain_text("对人工客服的服务满意吗")
    say(box, "社保卡丢了怎么补")
    answer = citizen.locator(".guide").nth(bot_cards)
    expect(answer.locator(".loc .name")).to_contain_text("龙台镇", timeout=WAIT)

    # The answer can be rated, with a reason.
    answer.locator(".rate").get_by_role("button", name="不满意").click()
    answer.locator(".rate").get_by_role("button", name="地点不对").click()
    expect(answer.locator(".rate")).to_contain_text("感谢您的反馈")
    console.close(run_before_unload=True)


def test_a_console_closed_mid_chat_returns_the_conversation_to_the_queue(page_factory, app_with_real_bot):
    from playwright.sync_api import expect

    url = app_with_real_bot.url
    first = open_console(page_factory(), url)
    citizen = page_factory()
    box = open_widget(citizen, url)
    say(box, "找人工客服")
    expect(citizen.locator(".takeover-bar")).to_contain_text("正在为您转接人工客服", timeout=WAIT)
    entry = queued_entry(first, "找人工客服")
    entry.click()
    claim(first)
    expect(citizen.locator(".takeover-bar")).to_contain_text("人工客服正在为您服务", timeout=WAIT)

    first.close(run_before_unload=True)  # the tab is closed mid-chat

    expect(citizen.locator(".system-line").last).to_contain_text("客服连接中断，已为您重新排队", timeout=60_000)
    expect(citizen.locator(".takeover-bar")).to_contain_text("正在为您转接人工客服")
    second = open_console(page_factory(), url)
    waiting = queued_entry(second, "找人工客服")
    expect(waiting).to_contain_text("排队中", timeout=WAIT)
    waiting.click()
    claim(second)
    expect(citizen.locator(".takeover-bar")).to_contain_text("人工客服正在为您服务", timeout=WAIT)
    second.get_by_role("button", name="结束人工服务，交还智能助手").click()
    expect(citizen.locator(".takeover-bar")).to_be_hidden(timeout=WAIT)
    second.close(run_before_unload=True)


def test_with_no_agent_online_the_widget_offers_12345_and_a_call_back(page_factory, app_with_real_bot):
    from playwright.sync_api import expect

    stack = app_with_real_bot
    citizen = page_factory()
    box = open_widget(citizen, stack.url)
    say(box, "我要转人工")
    card = citizen.locator(".card.notice").filter(has_text="当前没有人工客服在线")
    expect(card).to_contain_text("当前没有人工客服在线", timeout=WAIT)
    expect(card).to_contain_text("12345")
    card.get_by_label("回电号码").fill("1381234")
    card.get_by_role("button", name="请回电").click()
    expect(card.locator(".err")).to_contain_text("电话号码格式不对")
    card.get_by_label("回电号码").fill("13812345678")
    card.get_by_role("button", name="请回电").click()
    expect(card).to_contain_text("已记下您的电话", timeout=WAIT)
    phones = [c["phone"] for c in stack.client.get("/api/desk/callbacks").json()["callbacks"]]
    assert "13812345678" in phones


def test_a_reload_keeps_the_person_and_starting_over_leaves_them(page_factory, app_with_real_bot):
    from playwright.sync_api import expect

    url = app_with_real_bot.url
    console = open_console(page_factory(), url)
    citizen = page_factory()
    box = open_widget(citizen, url)
    say(box, "帮我转个人工")
    queued_entry(console, "帮我转个人工").click()
    claim(console)
    reply = console.get_by_label("回复市民")
    reply.fill("请稍等，我帮您查一下")
    reply.press("Enter")
    expect(citizen.locator(".row.agent .bubble").last).to_contain_text("我帮您查一下", timeout=WAIT)

    citizen.reload()
    citizen.get_by_role("button", name="在线咨询").click()
    expect(citizen.locator(".takeover-bar")).to_contain_text("人工客服正在为您服务", timeout=WAIT)
    expect(citizen.locator(".row.agent .bubble").last).to_contain_text("我帮您查一下", timeout=WAIT)

    citizen.get_by_role("button", name="重新开始").click()
    expect(citizen.locator(".takeover-bar")).to_be_hidden(timeout=WAIT)
    expect(console.locator(".desk-transcript .msg.system").last).to_contain_text("市民已结束本次会话", timeout=WAIT)
    console.close(run_before_unload=True)
