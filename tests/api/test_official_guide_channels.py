"""Each channel's rendering of the same guide payload (catalog.queries.guide): an item from a published
official guide (防城港市's 生育医疗费用支付, as the payload carries it), one whose guide leaves fields
empty, a 广安区 link-only item and an authored sample item.

The guide page and WeChat are rendered here; the widget and the agent console render in the browser
(tests/browser/test_official_guides.py), and here their scripts are held to the same payload fields
and the same sentences as api/guide_view.py.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from api import guide_view
from api.routes.guides import LEVEL_EXPLANATIONS, LEVEL_LABELS, NO_PLACE_EXPLANATION, page_view, templates
from api.wechat.formatting import format_guide

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"

OFFICIAL = {
    "type": "guide", "code": "be80b929-acbc-4299-8afe-a1b1a2273dda", "name": "生育医疗费用支付", "bundle": None,
    "items": [{"code": "be80b929-acbc-4299-8afe-a1b1a2273dda", "name": "生育医疗费用支付",
               "department": "防城港市医疗保障局"}],
    "materials": [
        {"name": "广西生育保险待遇个人申请表", "copies": 0, "form": "原件或复印件", "note": "1、个人网厅申报提供。2、承诺人签名加盖指印。",
         "condition": None, "required": True, "originals": 0, "medium": "电子",
         "details": "类型：原件或复印件\n来源渠道：申请人自备\n填报须知：1、个人网厅申报提供。2、承诺人签名加盖指印。\n纸质规格：A4"},
        {"name": "医疗费用发票报销联", "copies": 0, "form": "原件", "note": "个人网厅申报需上传发票PDF源文件。",
         "condition": None, "required": True, "originals": 1, "medium": "纸质",
         "details": "类型：原件\n来源渠道：政府部门核发\n受理标准：发票需真实有效"},
        {"name": "病历资料", "copies": 1, "form": "复印件", "note": None, "condition": None, "required": False,
         "originals": 0, "medium": "纸质或电子", "details": None},
    ],
    "location": {"level": "city", "name": "防城港市政务服务中心",
                 "address": "防城港市港口区江山大道88号市政务服务中心2楼市医保局4、5、6号窗口",
                 "hours": "工作日:上午9:00-12:00，下午13:30-16:30，(法定节假日除外)", "phone": "0770-2838059", "note": None},
    "time_limit": "承诺15天办结，法定时限20天", "fee": "不收费", "trips": 0,
    "online": "可以网上办理（办理方式：窗口办理、网上办理）", "process": "收件与受理 → 审查与决定 → 颁证与送达",
    "guide_url": "https://zwfw.gxzf.gov.cn/eportal/ui?pageId=d0349fe94d1c4d139b006db643fb9e52&itemDetailId=be80b929",
    "qr_url": "http://127.0.0.1:8000/guide/be80b929-acbc-4299-8afe-a1b1a2273dda/qr.svg",
    "sample_notice": None, "source": "real", "official": True, "missing": [], "ask_phone": "0770-2838059", "pending": [],
}


def official_with_gaps() -> dict:
    """The same item as if its guide gave no hours, phone, time limit or materials."""
    guide = copy.deepcopy(OFFICIAL)
    guide["materials"], guide["time_limit"] = [], None
    guide["location"].update(hours=None, phone=None)
    guide["missing"], guide["ask_phone"] = ["materials", "time_limit", "hours", "phone"], "12345"
    return guide


LINK_ONLY = {
    "type": "guide", "code": "511Z07001006", "name": "企业投资项目备案（技术改造）（市级/县级）", "bundle": None,
    "items": [{"code": "511Z07001006", "name": "企业投资项目备案（技术改造）（市级/县级）", "department": "区经信局"}],
    "materials": [], "location": {"level": "county", "name": "广安区政务服务中心", "address": None, "hours": None,
                                  "phone": None, "note": None},
    "time_limit": None, "fee": None, "trips": None, "online": None, "process": None,
    "guide_url": "http://www.sczwfw.gov.cn/jiq/front/transition/ywTransToDetail?areaCode=511602000000&itemCode=511Z07001006",
    "qr_url": "http://127.0.0.1:8000/guide/511Z07001006/qr.svg", "sample_notice": None, "source": "real",
    "official": False, "missing": ["materials", "time_limit", "fee", "trips", "online", "address", "hours", "phone"],
    "ask_phone": "12345", "pending": [],
}

SAMPLE = {
    "type": "guide", "code": "S1", "name": "社会保障卡补领、换领、换发", "bundle": None,
    "items": [{"code": "S1", "name": "社会保障卡补领、换领、换发", "department": "区人社局"}],
    "materials": [{"name": "居民身份证", "copies": None, "form": "原件", "note": None, "condition": None}],
    "location": {"level": "county", "name": "广安区政务服务中心", "address": None, "hours": None, "phone": None, "note": None},
    "time_limit": "即时办结", "fee": "不收费", "trips": 1, "online": None, "process": None,
    "guide_url": None, "qr_url": "http://127.0.0.1:8000/guide/S1/qr.svg",
    "sample_notice": "示例数据，以官方办事指南为准", "source": "authored sample", "official": False,
    "missing": ["online", "address", "hours", "phone"], "ask_phone": "12345", "pending": [],
}


def render_page(guide: dict) -> str:
    html = templates.get_template("guide.html").render(
        guide=guide, code=guide["code"], kind="item", target_level=guide["location"]["level"],
        level_explanations=LEVEL_EXPLANATIONS, no_place_explanation=NO_PLACE_EXPLANATION, level_labels=LEVEL_LABELS,
        qr_src=f"/guide/{guide['code']}/qr.svg", towns=[], facts={}, **page_view(guide))
    return html


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the guide page -------------------------------------------------------------------------


def test_page_shows_an_official_items_materials_decisive_part_first_and_details_collapsed():
    html = render_page(OFFICIAL)
    text = text_of(html)
    for shown in ("必需 医疗费用发票报销联 （原件1份，纸质）", "非必需 病历资料 （复印件1份，纸质或电子）",
                  "广西生育保险待遇个人申请表 （原件或复印件，电子）", "个人网厅申报需上传发票PDF源文件。"):
        assert shown in text
    # The full notes are in a closed <details>, after the material's decisive line.
    assert html.count("<details>") == 2 and "open" not in re.findall(r"<details[^>]*>", html)[0]
    assert html.index("医疗费用发票报销联") < html.index("来源渠道：政府部门核发")


def test_page_shows_window_hours_phone_days_fee_trips_and_source_without_sample_notice():
    text = text_of(render_page(OFFICIAL))
    for shown in ("江山大道88号市政务服务中心2楼市医保局4、5、6号窗口", "下午13:30-16:30", "0770-2838059",
                  "承诺15天办结", "不收费", "跑动次数 0次", "官方办事指南（来源）", "无需选择乡镇"):
        assert shown in text
    assert "示例数据" not in text and "以官方办事指南为准" not in text


def test_page_says_what_the_official_guide_leaves_empty_and_where_to_ask():
    text = text_of(render_page(official_with_gaps()))
    assert "所需材料：官方办事指南未载明，请咨询12345。" in text
    assert "办理时间：官方办事指南未载明，请咨询12345。" in text
    assert "咨询电话：官方办事指南未载明，请咨询12345。" in text
    assert "办理时限 官方办事指南未载明，请咨询12345" in text


def test_page_for_a_link_only_item_has_no_empty_materials_heading():
    html = render_page(LINK_ONLY)
    text = text_of(html)
    assert "需要准备的材料" not in html and "所需材料" not in html
    assert guide_view.LINK_ONLY_SENTENCE in text and "受理部门：区经信局" in text and "12345" in text
    assert "广安区政务服务中心" in text and "官方办事指南（来源）" in text and "示例数据" not in text


def test_page_keeps_the_sample_notice_on_authored_items():
    text = text_of(render_page(SAMPLE))
    assert "示例数据，以官方办事指南为准" in text and "需要准备的材料" in text and "官方办事指南未载明" not in text


# --- WeChat ---------------------------------------------------------------------------------


def test_wechat_official_item():
    text = format_guide(OFFICIAL)
    assert "2. 医疗费用发票报销联（必需，原件1份，纸质），个人网厅申报需上传发票PDF源文件。" in text
    assert "3. 病历资料（非必需，复印件1份，纸质或电子）" in text
    for shown in ("地址：防城港市港口区江山大道88号", "办公时间：工作日", "电话：0770-2838059", "承诺15天办结",
                  "收费：不收费", "跑动次数：0次", "官方办事指南（来源）：https://zwfw.gxzf.gov.cn/"):
        assert shown in text
    assert "示例数据" not in text and "来源渠道" not in text  # the full notes are for the guide page


def test_wechat_official_item_with_gaps_names_each_empty_field_and_the_phone():
    text = format_guide(official_with_gaps())
    assert "所需材料：" not in text.replace("所需材料：官方办事指南未载明", "")
    for field in ("所需材料", "办理时限", "办理时间", "咨询电话"):
        assert f"{field}：官方办事指南未载明，请咨询12345" in text


def test_wechat_link_only_item():
    text = format_guide(LINK_ONLY)
    assert "所需材料" not in text
    assert guide_view.LINK_ONLY_SENTENCE in text and "办理部门：区经信局" in text
    assert "办理地点：广安区政务服务中心" in text and "12345" in text and "官方办事指南（来源）：http" in text
    assert "官方办事指南未载明" not in text  # link-only is not an official guide with gaps


def test_wechat_sample_item_keeps_the_notice():
    text = format_guide(SAMPLE)
    assert "示例数据，以官方办事指南为准" in text and "所需材料：" in text


# --- the widget and the agent console: the same payload fields and sentences -----------------


@pytest.mark.parametrize("script", ["widget.js", "agent.js"])
def test_scripts_read_the_official_fields_and_use_the_shared_sentences(script):
    source = (STATIC / script).read_text(encoding="utf-8")
    for field in ("guide.official", "guide.missing", "guide.ask_phone", ".required", ".originals", ".medium",
                  "sample_notice"):
        assert field in source, f"{script} does not read {field}"
    assert guide_view.LINK_ONLY_SENTENCE in source
    assert "官方办事指南未载明，请咨询" in source and "官方办事指南（来源）" in source
    for label in guide_view.MISSING_LABELS.values():
        assert label in source


def test_agent_copy_text_names_the_link_only_materials_without_a_materials_heading():
    source = (STATIC / "agent.js").read_text(encoding="utf-8")
    copy_text = source[source.index("function answerText"):source.index('$("copy").addEventListener')]
    assert 'lines.push("需要准备的材料：")' in copy_text.split("isLinkOnly(guide)")[0]  # only when there are materials
    assert "LINK_ONLY_SENTENCE" in copy_text and "HANDOFF_SENTENCE" in copy_text


# --- a real catalog: 防城港市 loaded, the page and JSON from it --------------------------------


@pytest.fixture(scope="module")
def fangchenggang_url(tmp_path_factory) -> str:
    from tests.catalogs import region_catalog_url

    return region_catalog_url(tmp_path_factory.mktemp("fcg"), "450600")


def test_real_fangchenggang_item_on_the_page_and_in_json(make_client, fake_rasa, fangchenggang_url):
    from sqlalchemy import select

    from catalog.models import Item

    client = make_client(rasa=fake_rasa, action_package=None, database_url=fangchenggang_url, region="450600")
    with client.app.state.resources.catalog_sessions() as session:
        code = session.scalar(select(Item.code).where(Item.name == "生育医疗费用支付"))
    payload = client.get(f"/api/guide/{code}").json()
    assert payload["official"] and payload["sample_notice"] is None and payload["location"]["level"] == "city"
    assert all(m["required"] is not None for m in payload["materials"])
    page = client.get(f"/guide/{code}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "承诺15天办结" in text and "市医保局4、5、6号窗口" in text and "13:30-16:30" in text
    assert "选择您所在的乡镇" not in text  # a city-level item never asks for the town
    assert "<script" not in page.text and "style=" not in page.text  # the page's CSP forbids inline both


# --- the chat gateway: the payload reaches the widget whole ------------------------------------


@pytest.mark.parametrize("guide", [OFFICIAL, official_with_gaps(), LINK_ONLY], ids=["official", "gaps", "link-only"])
def test_chat_gateway_passes_the_official_payload_to_the_widget(make_client, rasa_replying, guide):
    """A city-level location and the official fields are part of the contract: a payload the schema
    refused would be dropped and the widget would show only text."""
    rasa = rasa_replying([{"recipient_id": "web-o1", "text": "【生育医疗费用支付】一次性告知"},
                          {"recipient_id": "web-o1", "custom": guide}])
    client = make_client(rasa=rasa, action_package=None)
    body = client.post("/api/chat", json={"sender_id": "web-o1", "message": "生孩子的医疗费咋个报"}).json()
    custom = next(m["custom"] for m in body["messages"] if m.get("custom"))
    assert custom["location"]["level"] == guide["location"]["level"]
    for key in ("official", "missing", "ask_phone", "sample_notice"):
        assert custom[key] == guide[key]
    for sent, received in zip(guide["materials"], custom["materials"]):
        for key in ("required", "originals", "copies", "medium", "details", "note"):
            assert received[key] == sent[key]
