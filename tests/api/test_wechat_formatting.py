"""Pure formatting of gateway messages for WeChat: numbered options, compact guide, byte limit."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from api.schemas import BotMessage, ChatResponse
from api.wechat.formatting import (
    HOTLINE_SENTENCE,
    MATERIALS_CUT,
    TEXT_LIMIT_BYTES,
    fit_bytes,
    format_guide,
    format_response,
    map_numbered_reply,
    material_lines,
    utf8_len,
)
from api.wechat.xml_safety import UnsafeXmlError, parse_fields

OPTIONS = ["门头要装修", "门头不装修", "现在办税", "暂不办税"]


@pytest.mark.parametrize("text,expected", [
    ("1", "门头要装修"),
    ("１", "门头要装修"),  # full-width digit from a Chinese keyboard
    (" 2 ", "门头不装修"),
    ("1 3", "门头要装修，现在办税"),
    ("1，4", "门头要装修，暂不办税"),
    ("1、3。", "门头要装修，现在办税"),
    ("3 3", "现在办税"),
    ("1 北辰街道", "门头要装修，北辰街道"),
    ("5", None),  # no such option
    ("0", None),
    ("1 5", None),
    ("3个人", None),  # a number that belongs to the sentence
    ("门头要装修", None),
    ("", None),
])
def test_map_numbered_reply(text, expected):
    assert map_numbered_reply(text, OPTIONS) == expected


def test_numbers_without_a_pending_question_are_left_alone():
    assert map_numbered_reply("1", []) is None


def test_conditional_materials_are_grouped_under_their_condition():
    lines = material_lines([
        {"name": "申请表", "copies": 1, "form": "原件", "note": None, "condition": None},
        {"name": "委托书", "copies": 1, "form": "原件", "note": None, "condition": "如委托他人办理"},
        {"name": "现状图", "copies": None, "form": None, "note": "实景照片", "condition": "如门头装修"},
        {"name": "代理人身份证", "copies": 1, "form": "复印件", "note": None, "condition": "如委托他人办理"},
        {"name": "健康证明", "copies": None, "form": None, "note": None, "condition": None},
    ])
    assert lines == ["1. 申请表（原件1份）", "2. 健康证明", "如委托他人办理，还需：", "· 委托书（原件1份）",
                     "· 代理人身份证（复印件1份）", "如门头装修，还需：", "· 现状图，实景照片"]


def _guide(material_count: int, address: str = "某路1号") -> dict:
    return {"type": "guide", "name": "居民身份证办理（包括临时）", "bundle": None,
            "items": [{"code": "x", "name": "居民身份证办理（包括临时）", "department": "区公安分局"}],
            "materials": [{"name": f"材料{i}很长很长的名称", "copies": 1, "form": "原件", "note": None,
                           "condition": None if i % 2 else "如委托他人办理"} for i in range(material_count)],
            "location": {"level": "town", "name": "浓洄街道便民服务中心", "address": address, "hours": None,
                         "phone": None, "note": "您所在村的便民服务站也可办理"},
            "time_limit": "20个工作日", "fee": "首次申领20元", "trips": 1, "online": None,
            "guide_url": "https://www.sczwfw.gov.cn/x", "qr_url": "http://h/guide/x/qr.svg", "sample_notice": None}


def test_the_answers_own_link_comes_first_and_survives_the_cut():
    share = "http://h/guide/t/AbCdEfGhIjKl"
    short = format_guide({**_guide(3), "share_url": share})
    assert f"您的这份清单（可转发）：{share}" in short and "https://www.sczwfw.gov.cn/x" in short
    long = format_guide({**_guide(80), "share_url": share})
    assert MATERIALS_CUT in long and share in long and len(long.encode("utf-8")) <= 2048
    assert "您的这份清单" not in format_guide(_guide(3))


def test_short_guide_is_complete_and_not_cut():
    text = format_guide(_guide(3))
    assert MATERIALS_CUT not in text
    assert "办理部门：区公安分局" in text and "您所在村的便民服务站也可办理" in text
    assert "材料0很长很长的名称" in text and "材料2很长很长的名称" in text
    assert "online" not in text and "网上办理" not in text  # absent facts are not printed as None


@given(material_count=st.integers(min_value=0, max_value=200), limit=st.integers(min_value=400, max_value=4096),
       address=st.text(min_size=0, max_size=1500))
@settings(max_examples=60, deadline=None)
def test_guide_always_fits_and_keeps_the_link(material_count, limit, address):
    text = format_guide(_guide(material_count, address=address), limit)
    assert utf8_len(text) <= limit
    assert "https://www.sczwfw.gov.cn/x" in text
    assert not text.rstrip().endswith("还需：")  # no condition heading left without its materials


@given(st.text(max_size=3000), st.integers(min_value=1, max_value=2048))
@settings(max_examples=60, deadline=None)
def test_fit_bytes_never_exceeds_the_limit_nor_splits_a_character(text, limit):
    cut = fit_bytes(text, limit)
    assert utf8_len(cut) <= max(limit, utf8_len("…"))
    cut.encode("utf-8")  # still valid text
    if utf8_len(text) <= limit:
        assert cut == text


def test_response_models_from_the_gateway_are_read_like_dicts():
    response = ChatResponse(sender_id="wx:o1", messages=[
        BotMessage(text="为了一次说清楚：", custom={"type": "clarify", "questions": [
            {"slot": "delegated", "text": "您本人办理吗？",
             "options": [{"value": "no", "label": "本人办理"}, {"value": "yes", "label": "委托他人代办"}]},
            {"slot": "place", "text": "您在哪个乡镇或街道？", "options": []}]}),
    ])
    formatted = format_response(response)
    assert formatted.options == ["本人办理", "委托他人代办"]
    assert "1. 本人办理" in formatted.text and "2. 委托他人代办" in formatted.text
    assert "「1 XX镇」" in formatted.text  # both questions answered in one message


def test_a_which_item_question_offers_none_of_these_by_number():
    clarify = {"type": "clarify", "questions": [
        {"slot": "item", "text": "您要办理的是哪一项？请回复序号或名称。",
         "options": [{"value": "a", "label": "户口登记"}, {"value": "b", "label": "户口注销"}]},
        {"slot": "place", "text": "您在哪个乡镇（街道）办理？", "options": []}]}
    formatted = format_response({"messages": [{"text": "请先确认以下几点（可一次回复）：", "custom": clarify}]})
    assert formatted.options == ["户口登记", "户口注销", "都不是"]
    assert "3. 都不是" in formatted.text
    assert map_numbered_reply("3", formatted.options) == "都不是"


def test_candidates_are_numbered():
    formatted = format_response({"messages": [{"text": "您要办哪一项？", "custom": {"type": "candidates", "items": [
        {"code": "a", "name": "社会保障卡申领"}, {"code": "b", "name": "社会保障卡注销"}]}}]})
    assert formatted.options == ["社会保障卡申领", "社会保障卡注销"]
    assert "2. 社会保障卡注销" in formatted.text


def test_handoff_adds_the_hotline_once():
    plain = format_response({"messages": [{"text": "无法回答", "custom": {"type": "handoff", "reason": "x"}}]})
    already = format_response({"messages": [{"text": "请拨打12345", "custom": {"type": "handoff", "reason": "x"}}]})
    assert plain.handoff and plain.text == "无法回答\n" + HOTLINE_SENTENCE
    assert already.text == "请拨打12345"


def test_guide_shares_the_limit_with_other_messages_and_remembers_its_code():
    guide = {**_guide(120), "code": "id-card"}
    # As Rasa's REST channel sends them: another text, then the guide's own long text, then its payload.
    formatted = format_response({"messages": [{"text": "好的，" * 100}, {"text": "【居民身份证办理】一次性告知\n…"},
                                              {"custom": guide}]})
    assert utf8_len(formatted.text) <= TEXT_LIMIT_BYTES
    assert formatted.text.startswith("好的，") and "https://www.sczwfw.gov.cn/x" in formatted.text
    assert formatted.target_code == "id-card" and formatted.options == []


def test_cdata_terminator_in_bot_text_cannot_break_the_reply_xml():
    formatted = format_response({"messages": [{"text": "a]]><evil/>b"}]})
    assert "]]>" not in formatted.text


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE xml [<!ENTITY e 'x'>]><xml><MsgType>text</MsgType><Content>&e;</Content></xml>",
    b"<xml><MsgType>text</MsgType><Content><![CDATA[x]]></Content>",
    b"x" * (64 * 1024 + 1),
])
def test_parse_fields_refuses_dtds_malformed_and_oversized(body):
    with pytest.raises(UnsafeXmlError):
        parse_fields(body)


def test_parse_fields_reads_a_flat_wechat_message():
    fields = parse_fields("<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[社保卡]]></Content>"
                          "<MsgId>1</MsgId></xml>".encode())
    assert fields == {"MsgType": "text", "Content": "社保卡", "MsgId": "1"}


# The gateway gives one message per utterance (text, buttons and payload together; Rasa's split is
# undone in api/gateway.py): the payload's compact form replaces the long text it spells out.
LONG_GUIDE_TEXT = "【居民身份证办理（包括临时）】一次性告知\n所需材料：\n1. 材料0很长很长的名称（原件，1份）"


def test_a_guide_with_its_long_text_comes_once():
    formatted = format_response({"messages": [{"text": LONG_GUIDE_TEXT, "custom": {**_guide(3), "code": "x"}}]})
    assert formatted.text.count("居民身份证办理（包括临时）") == 1
    assert "一次性告知" not in formatted.text and formatted.target_code == "x"


def test_a_question_with_its_long_text_is_asked_once_with_its_numbers():
    clarify = {"type": "clarify", "questions": [
        {"slot": "shopfront_renovation", "text": "门头需要装修吗？",
         "options": [{"value": "yes", "label": "门头要装修"}, {"value": "no", "label": "门头不装修"}]},
        {"slot": "place", "text": "您在哪个乡镇（街道）办理？", "options": []}]}
    text = "请先确认以下几点（可一次回复）：\n1. 门头需要装修吗？（门头要装修 / 门头不装修）\n2. 您在哪个乡镇（街道）办理？"
    buttons = [{"title": "门头要装修", "payload": "门头要装修"}, {"title": "门头不装修", "payload": "门头不装修"}]
    formatted = format_response({"messages": [{"text": text, "buttons": buttons, "custom": clarify}]})
    assert formatted.text.count("门头需要装修吗") == 1 and formatted.text.count("门头要装修") == 1
    assert formatted.text.startswith("请先确认以下几点") and "「1 XX镇」" in formatted.text
    assert formatted.options == ["门头要装修", "门头不装修"]


def test_every_guide_of_an_open_choice_fits_with_its_link():
    names = ["户口登记", "户口注销", "户口迁移审批"]
    messages = [{"text": "您没有选定哪一项，下面把这3项的材料和办理地点都列出来："}]
    for index, name in enumerate(names):
        guide = {**_guide(40), "name": name, "code": f"c{index}", "items": [{"code": f"c{index}", "name": name}],
                 "guide_url": f"https://www.sczwfw.gov.cn/{index}"}
        messages.append({"text": f"【{name}】一次性告知\n…", "custom": guide})
    formatted = format_response({"messages": messages})
    assert utf8_len(formatted.text) <= TEXT_LIMIT_BYTES
    assert all(formatted.text.count(f"【{name}】") == 1 for name in names)
    assert all(f"https://www.sczwfw.gov.cn/{index}" in formatted.text for index in range(3))
    assert formatted.target_code is None  # a shared location would not say which of them it is for
