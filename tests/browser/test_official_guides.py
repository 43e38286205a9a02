"""Official guides in a real browser: 防城港市's 生育医疗费用支付 as the widget's card and as the guide
page (screenshots for docs/COUNTIES.md), and a 广安区 link-only item's card without a materials list.

The app runs on a catalog of region 450600 (its own SQLite file, as WYC_REGION=450600 gives), behind
the fake bot of tests/browser/conftest.py, which answers with catalog.guide for the best search match.
"""
from __future__ import annotations

import re
from typing import Iterator

import pytest

from tests.browser.conftest import AppServer, ThreadedServer, build_fake_rasa, start_app, stop_app
from tests.browser.test_widget import QR_LOADED, ask_in_widget
from tests.processes import free_port

pytestmark = pytest.mark.browser

ITEM = "生育医疗费用支付"
WINDOW = "市政务服务中心2楼市医保局4、5、6号窗口"


@pytest.fixture(scope="module")
def fangchenggang_app(tmp_path_factory) -> Iterator[AppServer]:
    from tests.catalogs import region_catalog_url

    tmp = tmp_path_factory.mktemp("fangchenggang")
    catalog_url = region_catalog_url(tmp, "450600")
    app_port, bot_port = free_port(), free_port()
    fake = build_fake_rasa(catalog_url, public_base=f"http://127.0.0.1:{app_port}")
    with ThreadedServer(fake, bot_port):
        server = start_app(tmp, catalog_url, f"http://127.0.0.1:{bot_port}", app_port, region="450600")
        try:
            yield server
        finally:
            stop_app(server)


CODE = "be80b929-acbc-4299-8afe-a1b1a2273dda"  # the item's source_item_id in fangchenggang_services.jsonl


def test_widget_card_of_an_official_guide(page_factory, fangchenggang_app, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 1000})
    card = ask_in_widget(page, fangchenggang_app.url, "生育医疗费用怎么报")
    expect(card.locator("h3")).to_have_text(ITEM)
    materials = card.locator(".materials li")
    assert materials.count() == 4
    expect(materials.nth(1)).to_contain_text("医疗费用发票报销联")
    expect(materials.nth(1).locator(".tag")).to_have_text("必需")
    expect(materials.nth(1).locator(".mat-meta")).to_contain_text("原件1份")
    expect(materials.nth(1).locator(".mat-meta")).to_contain_text("电子")
    expect(card.locator(".loc .level")).to_have_text("市政务服务中心")
    expect(card.locator(".loc")).to_contain_text(WINDOW)
    expect(card.locator(".loc")).to_contain_text("13:30-16:30")
    expect(card.locator(".loc")).to_contain_text("0770-2838059")
    expect(card.locator(".facts")).to_contain_text("承诺15天办结")
    expect(card.locator(".facts")).to_contain_text("不收费")
    assert card.locator(".sample").count() == 0, "no sample-data notice on an official guide"
    expect(card.locator(".qr a")).to_contain_text("官方办事指南（来源）")
    assert (card.locator(".qr a").get_attribute("href") or "").startswith("https://zwfw.gxzf.gov.cn/")
    page.wait_for_function(QR_LOADED, timeout=15_000)
    # No question about the town: the answer is the card.
    assert page.locator(".clarify").count() == 0
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    save_screenshot(page, "guide-official-widget.png")


def test_widget_greets_with_the_regions_examples_and_no_town(page_factory, fangchenggang_app):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 900})
    page.goto(fangchenggang_app.url + "/")
    expect(page.locator(".site-head .brand")).to_contain_text("防城港市")
    page.get_by_role("button", name="在线咨询").click()
    greeting = page.locator(".row.bot .bubble").first
    expect(greeting).to_contain_text("请一次说清要办的事")
    expect(greeting).not_to_contain_text("乡镇")
    expect(page.get_by_label("输入您的问题")).to_have_attribute("placeholder", "说说要办的事")
    chip = page.get_by_role("button", name="驾驶证补换领要带什么")
    expect(chip).to_be_visible()
    assert page.get_by_role("button", name="我想开个小饭馆要准备啥").count() == 0
    chip.click()
    card = page.locator(".guide").last
    card.wait_for(timeout=30_000)
    expect(card.locator("h3")).to_have_text("驾驶证补换领")


def test_guide_page_of_an_official_guide(page_factory, fangchenggang_app, save_screenshot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 420, "height": 1400})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{fangchenggang_app.url}/guide/{CODE}")
    expect(page.locator("h1")).to_have_text(ITEM)
    first = page.locator("ol.materials > li").nth(1)
    expect(first.locator(".tag")).to_have_text("必需")
    expect(first).to_contain_text("原件1份")
    # The full notes are collapsed under the decisive line, and open on a tap.
    details = first.locator("details")
    expect(details.locator(".details")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator(".details")).to_be_visible()
    expect(details.locator(".details")).to_contain_text("来源渠道")
    expect(page.locator("body")).to_contain_text(WINDOW)
    expect(page.locator("body")).to_contain_text("承诺15天办结")
    expect(page.get_by_role("link", name="官方办事指南（来源）")).to_have_attribute("href", re.compile(r"^https://zwfw\.gxzf"))
    assert page.locator(".notice").count() == 0 and page.locator("select[name=town]").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e], errors
    save_screenshot(page, "guide-official-page.png")


def test_widget_card_of_a_link_only_item(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 900})
    card = ask_in_widget(page, app_with_fake_bot.url, "企业投资项目备案（技术改造）（市级/县级）")
    expect(card.locator("h3")).to_contain_text("企业投资项目备案")
    assert card.locator(".materials").count() == 0
    expect(card).not_to_contain_text("需要准备的材料")
    expect(card.locator(".link-only")).to_contain_text("完整材料清单在官方办事指南中")
    expect(card.locator(".link-only")).to_contain_text("12345")
    expect(card.locator(".loc .name")).to_contain_text("广安区政务服务中心")
    assert card.locator(".sample").count() == 0


def test_agent_console_shows_an_official_guide(page_factory, fangchenggang_app, agent_token):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1360, "height": 1000})
    page.goto(f"{fangchenggang_app.url}/agent?token={agent_token}")
    page.get_by_label("搜索事项或一件事").fill(ITEM)
    page.locator("#results button", has_text=ITEM).first.click()
    expect(page.locator("#guide-title")).to_have_text(ITEM)
    expect(page.locator("#materials li").nth(1).locator(".tag")).to_have_text("必需")
    expect(page.locator("#materials li").nth(1)).to_contain_text("原件1份")
    expect(page.locator("#location")).to_contain_text(WINDOW)
    expect(page.locator("#terms")).to_contain_text("承诺15天办结")
    expect(page.locator("#sample")).to_be_hidden()
    expect(page.locator("#guide-link")).to_have_text("官方办事指南（来源）")
    # The town is not asked for a city-level item, and the copied answer carries what the card shows.
    text = page.evaluate("() => window.WenYiCiAgent.answerText()")
    assert "（必需，原件1份，电子）" in text and WINDOW in text and "官方办事指南（来源）：https://zwfw.gxzf.gov.cn/" in text
    assert "示例数据" not in text


# --- the real service of the region (WYC_REGION=450600): its model, actions and catalog ----------

COLLOQUIAL_QUESTION = "生孩子的医疗费咋个报"


@pytest.fixture(scope="module")
def fangchenggang_service(tmp_path_factory):
    from tests.region_stack import stack_from_environment

    with stack_from_environment(tmp_path_factory, "450600") as stack:
        yield stack


@pytest.mark.e2e
def test_real_service_answers_a_colloquial_question_on_the_card_and_the_page(page_factory, fangchenggang_service,
                                                                             save_screenshot):
    """The pictures of the region in docs/COUNTIES.md: the citizen's own words, the real model, the official guide."""
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 1280, "height": 1000})
    card = ask_in_widget(page, fangchenggang_service.url, COLLOQUIAL_QUESTION)
    expect(card.locator("h3")).to_have_text(ITEM)
    assert page.locator(".clarify").count() == 0, "a city-level item: no question about the town"
    expect(card.locator(".materials li").nth(1).locator(".tag")).to_have_text("必需")
    expect(card.locator(".loc")).to_contain_text(WINDOW)
    expect(card.locator(".loc")).to_contain_text("13:30-16:30")
    expect(card.locator(".facts")).to_contain_text("承诺15天办结")
    assert card.locator(".sample").count() == 0
    page.wait_for_function(QR_LOADED, timeout=15_000)
    page.locator(".row.user").last.evaluate("row => row.scrollIntoView({block: 'start'})")
    save_screenshot(page, "guide-official-widget-e2e.png")

    guide_page = page_factory(viewport={"width": 420, "height": 1400})
    guide_page.goto(f"{fangchenggang_service.url}/guide/{CODE}")
    expect(guide_page.locator("h1")).to_have_text(ITEM)
    expect(guide_page.locator("body")).to_contain_text(WINDOW)
    expect(guide_page.locator("body")).to_contain_text("承诺15天办结")
    assert guide_page.locator("select[name=town]").count() == 0 and guide_page.locator(".notice").count() == 0
    save_screenshot(guide_page, "guide-official-page-e2e.png")
