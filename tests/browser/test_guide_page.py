"""The guide page in Chromium: the list without JavaScript, one statement of where to go, a town
picker that asks, and A4 print (one page for most items)."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LONGTAI_TOWN = "511602108"
ONE_PAGE = ["512B0003600029", "512B0070200006", "513A0116800003", "511A0074300005", "512B0003600031"]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_the_list_needs_no_javascript(page_factory, app_with_fake_bot):
    page = page_factory(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page.goto(f"{app_with_fake_bot.url}/guide/512B0003600029?town={LONGTAI_TOWN}&delegated=no")
    materials = page.locator(".materials li")
    assert materials.count() >= 5
    assert "最低生活保障申请书" in materials.first.inner_text()
    assert "龙台镇" in page.locator("main").inner_text()


def test_where_to_go_is_said_once_and_the_picker_asks(page_factory, app_with_fake_bot):
    from playwright.sync_api import expect

    page = page_factory(viewport={"width": 390, "height": 844})
    page.goto(f"{app_with_fake_bot.url}/guide/512B0003600029?town={LONGTAI_TOWN}")  # a village-level item
    where = " ".join(page.locator(".where").all_inner_texts())
    assert "也可办理" in where and "不受理" not in page.locator("main").inner_text()
    page.goto(f"{app_with_fake_bot.url}/guide/512B0003600029")
    picker = page.locator("select[name=town]")
    expect(picker).to_have_value("")
    picker.select_option(label="龙台镇")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("main")).to_contain_text("龙台镇便民服务中心")


@pytest.mark.parametrize("code", ONE_PAGE)
def test_an_item_prints_on_one_a4_page(page_factory, app_with_fake_bot, code):
    page = page_factory()
    page.goto(f"{app_with_fake_bot.url}/guide/{code}?town={LONGTAI_TOWN}")
    page.emulate_media(media="print")
    assert not any(form.is_visible() for form in page.locator("form").all())  # no picker on paper
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_a_bundle_prints_on_at_most_two_pages(page_factory, app_with_fake_bot):
    page = page_factory()
    page.goto(f"{app_with_fake_bot.url}/guide/open-restaurant")
    assert pdf_pages(page.pdf(format="A4")) <= 2
