"""POST/GET /wechat in plain mode, with requests built the way the WeChat server builds them.

The gateway, the customer-service client and the location finder are replaced by recording
fakes (no Rasa, no network); everything between the HTTP request and them is the real code.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from typing import Any, Callable, Optional
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.wechat import get_chat_handler, get_wechat_runtime
from api.settings import Settings
from api.wechat.formatting import (
    LOCATION_ASK_TOWN,
    LOCATION_NEED_TARGET,
    LOCATION_UNAVAILABLE,
    MATERIALS_CUT,
    UNSUPPORTED_TEXT,
    WELCOME_EXAMPLES,
)
from api.wechat.runtime import build_runtime
from api.wechat.store import MemoryStore

TOKEN = "wx-test-token-7d2e"
APP_ID = "wx0123456789abcdef"
OPENID = "oUSER_test_0123456789abcdef"
ACCOUNT = "gh_0123456789ab"
GUIDE_URL = "http://127.0.0.1:8000/guide/open-restaurant"
LOG_NAMES = ("api.routes.wechat", "api.wechat")


# --- what the WeChat server sends ---------------------------------------------------------


def wechat_signature(token: str, timestamp: str, nonce: str) -> str:
    """The signature WeChat puts in the query: sha1 of the sorted, concatenated strings."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def signed_query(token: str = TOKEN, nonce: str = "1405713372") -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"signature": wechat_signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
            "openid": OPENID}


def message_xml(msg_type: str, fields: dict[str, Any], msg_id: Optional[int] = None, openid: str = OPENID) -> str:
    parts = [f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>", f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
             f"<CreateTime>{int(time.time())}</CreateTime>", f"<MsgType><![CDATA[{msg_type}]]></MsgType>"]
    for name, value in fields.items():
        parts.append(f"<{name}>{value}</{name}>" if isinstance(value, (int, float)) else
                     f"<{name}><![CDATA[{value}]]></{name}>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def text_xml(content: str, msg_id: int, openid: str = OPENID) -> str:
    return message_xml("text", {"Content": content}, msg_id, openid)


def reply_fields(xml: str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ElementTree.fromstring(xml)}


# --- fakes for the parts outside the webhook ------------------------------------------------


def guide_message(materials: Optional[list[dict]] = None, code: str = "open-restaurant") -> dict:
    return {"text": "以下是一次性告知：", "custom": {
        "type": "guide", "code": code, "name": "我要开小餐馆", "bundle": {"name": "我要开小餐馆"},
        "items": [{"code": "a1", "name": "个体工商户设立登记", "department": "区行政审批局"},
                  {"code": "a2", "name": "小餐饮经营许可证核发", "department": "区行政审批局"}],
        "materials": materials if materials is not None else [
            {"name": "「我要开小餐馆」一次申请表单", "copies": 1, "form": "原件", "note": None, "condition": None},
            {"name": "委托代理人证明", "copies": 1, "form": "原件", "note": None, "condition": "如委托他人办理"}],
        "location": {"level": "county", "name": "广安区政务服务中心", "address": "广安区金安大道一段",
                     "hours": "工作日9:00-17:00", "phone": "0826-2345678", "note": None},
        "time_limit": "8个工作日", "fee": "免费", "trips": 1, "online": "可网上申请",
        "guide_url": GUIDE_URL, "qr_url": GUIDE_URL + "/qr.svg", "sample_notice": "示例数据，以官方办事指南为准"}}


CLARIFY_MESSAGE = {"text": "为了一次说清楚，请告诉我：", "custom": {"type": "clarify", "questions": [
    {"slot": "shopfront_renovation", "text": "门头要装修吗？",
     "options": [{"value": "yes", "label": "门头要装修"}, {"value": "no", "label": "门头不装修"}]},
    {"slot": "handle_tax", "text": "现在要办税吗？",
     "options": [{"value": "yes", "label": "现在办税"}, {"value": "no", "label": "暂不办税"}]}]}}

HANDOFF_MESSAGE = {"text": "这个问题我答不好。", "custom": {"type": "handoff", "reason": "out_of_scope", "phone": "12345"}}


class FakeGateway:
    """Records every call; answers with ``reply(text)``, after ``delay`` seconds."""

    def __init__(self, reply: Callable[[str], list[dict]] = lambda text: [guide_message()], delay: float = 0.0):
        self.calls: list[tuple[str, str, str]] = []
        self.reply = reply
        self.delay = delay

    async def __call__(self, sender_id: str, text: str, channel: str) -> dict:
        self.calls.append((sender_id, text, channel))
        if self.delay:
            await asyncio.sleep(self.delay)
        return {"sender_id": sender_id, "messages": self.reply(text)}

    @property
    def texts(self) -> list[str]:
        return [text for _, text, _ in self.calls]


class FakeCustomerService:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.arrived = threading.Event()

    def send_text(self, openid: str, text: str) -> None:
        self.sent.append((openid, text))
        self.arrived.set()


class FakeLocationFinder:
    def __init__(self, located: bool) -> None:
        self.located = located
        self.calls: list[tuple[str, float, float]] = []

    def has_coordinates(self) -> bool:
        return self.located

    def nearest(self, target_code: str, lat: float, lng: float) -> dict:
        self.calls.append((target_code, lat, lng))
        return {"level": "town", "name": "北辰街道便民服务中心", "address": "北辰街道建设路8号", "hours": "9:00-17:00",
                "phone": None, "note": None}


def make_settings(tmp_path, **overrides) -> Settings:
    values = dict(environment="test", database_url=f"sqlite:///{tmp_path / 'catalog.db'}", load_default_catalog=False,
                  redis_url=None, WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET="app-secret-for-tests",
                  WECHAT_AES_KEY=None, wechat_has_human_agents=False)
    values.update(overrides)
    return Settings(**values)


def make_client(settings: Settings, gateway: FakeGateway, sender: Optional[FakeCustomerService] = None,
                finder: Optional[FakeLocationFinder] = None, reply_timeout: float = 2.0, store=None) -> TestClient:
    app = create_app(settings, action_package=None)
    runtime = build_runtime(settings, sender=sender or FakeCustomerService(),
                            location_finder=finder or FakeLocationFinder(located=False),
                            store=store or MemoryStore(), reply_timeout=reply_timeout)
    app.dependency_overrides[get_wechat_runtime] = lambda: runtime
    app.dependency_overrides[get_chat_handler] = lambda: gateway
    return TestClient(app)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def client(settings, gateway):
    with make_client(settings, gateway) as test_client:
        yield test_client


def post(client: TestClient, xml: str | bytes, query: Optional[dict] = None):
    return client.post("/wechat", params=query or signed_query(), content=xml,
                       headers={"Content-Type": "text/xml"})


# --- URL verification -----------------------------------------------------------------------


def test_url_verification_echoes_echostr_as_plain_text(client):
    response = client.get("/wechat", params={**signed_query(), "echostr": "7316208351209281"})
    assert response.status_code == 200
    assert response.text == "7316208351209281"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("query", [
    {"signature": "0" * 40},  # forged
    {"signature": None},  # missing
    {"timestamp": None},
    {"nonce": None},
])
def test_url_verification_with_bad_or_missing_signature_is_403_and_nothing_else(client, query):
    params = {**signed_query(), "echostr": "7316208351209281"}
    for name, value in query.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    response = client.get("/wechat", params=params)
    assert response.status_code == 403
    assert response.content == b""


def test_signature_made_with_another_token_is_refused(client, gateway):
    response = post(client, text_xml("社保卡丢了怎么补办", 1), signed_query(token="someone-elses-token"))
    assert response.status_code == 403
    assert response.content == b""
    assert gateway.calls == []


def test_unconfigured_channel_says_so(tmp_path, gateway):
    settings = make_settings(tmp_path, WECHAT_TOKEN=None)
    with make_client(settings, gateway) as client:
        for response in (client.get("/wechat", params={**signed_query(), "echostr": "1"}),
                         post(client, text_xml("你好", 1))):
            assert response.status_code == 503
            assert "WECHAT_TOKEN" in response.text
    assert gateway.calls == []


def test_default_runtime_is_built_from_settings_once(tmp_path):
    """Without overrides the route builds one runtime per app and keeps it (shared dedup state)."""
    settings = make_settings(tmp_path)
    app = create_app(settings, action_package=None)
    with TestClient(app) as client:
        for _ in range(2):
            response = client.get("/wechat", params={**signed_query(), "echostr": "ok"})
            assert response.text == "ok"
        first = app.state.wechat_runtime
        client.get("/wechat", params={**signed_query(), "echostr": "ok"})
        assert app.state.wechat_runtime is first


# --- text messages ----------------------------------------------------------------------------


def test_text_goes_through_the_gateway_as_the_openid_and_the_guide_comes_back_as_text(client, gateway):
    response = post(client, text_xml("我想开个小饭馆要准备啥", 10001))
    assert response.status_code == 200
    assert gateway.calls == [(f"wx:{OPENID}", "我想开个小饭馆要准备啥", "wechat")]
    reply = reply_fields(response.text)
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    content = reply["Content"]
    for expected in ("我要开小餐馆", "小餐饮经营许可证核发", "「我要开小餐馆」一次申请表单（原件1份）",
                     "如委托他人办理，还需：", "委托代理人证明", "广安区政务服务中心", "广安区金安大道一段",
                     "工作日9:00-17:00", "0826-2345678", "8个工作日", "免费", "1次", GUIDE_URL,
                     "示例数据，以官方办事指南为准"):
        assert expected in content
    assert len(content.encode("utf-8")) <= 2048


def test_long_material_list_is_cut_under_2048_bytes_keeping_the_link(tmp_path):
    materials = [{"name": f"第{i}项证明材料（需加盖单位公章并由经办人签字确认）", "copies": 2, "form": "原件",
                  "note": "复印件须注明与原件一致", "condition": None if i % 3 else "如委托他人办理"}
                 for i in range(1, 41)]
    gateway = FakeGateway(reply=lambda text: [guide_message(materials)])
    with make_client(make_settings(tmp_path), gateway) as client:
        content = reply_fields(post(client, text_xml("开小餐馆", 10002)).text)["Content"]
    assert len(content.encode("utf-8")) <= 2048
    assert MATERIALS_CUT in content
    assert "第1项证明材料" in content and "第40项证明材料" not in content
    assert content.rstrip().endswith("示例数据，以官方办事指南为准")
    assert GUIDE_URL in content and "广安区政务服务中心" in content


def test_clarify_becomes_numbered_options_and_numbers_map_back_to_option_text(tmp_path):
    gateway = FakeGateway(reply=lambda text: [CLARIFY_MESSAGE] if text == "开小饭馆" else [guide_message()])
    with make_client(make_settings(tmp_path), gateway) as client:
        content = reply_fields(post(client, text_xml("开小饭馆", 20001)).text)["Content"]
        assert "1. 门头要装修" in content and "2. 门头不装修" in content
        assert "3. 现在办税" in content and "4. 暂不办税" in content
        post(client, text_xml("1 4", 20002))
        # The clarify is answered: a later bare number is the citizen's own text again.
        post(client, text_xml("1", 20003))
    assert gateway.texts == ["开小饭馆", "门头要装修，暂不办税", "1"]


def test_full_width_number_and_single_choice(tmp_path):
    gateway = FakeGateway(reply=lambda text: [CLARIFY_MESSAGE])
    with make_client(make_settings(tmp_path), gateway) as client:
        post(client, text_xml("开小饭馆", 20011))
        post(client, text_xml("２", 20012))
        post(client, text_xml("9", 20013))  # not an option: passed on as typed
    assert gateway.texts == ["开小饭馆", "门头不装修", "9"]


def test_numbers_are_remembered_per_openid(tmp_path):
    gateway = FakeGateway(reply=lambda text: [CLARIFY_MESSAGE] if text == "开小饭馆" else [{"text": "好的"}])
    with make_client(make_settings(tmp_path), gateway) as client:
        post(client, text_xml("开小饭馆", 20021, openid="oFIRST"))
        post(client, text_xml("1", 20022, openid="oSECOND"))
        post(client, text_xml("1", 20023, openid="oFIRST"))
    assert gateway.calls[1] == ("wx:oSECOND", "1", "wechat")
    assert gateway.calls[2] == ("wx:oFIRST", "门头要装修", "wechat")


def test_buttons_without_payload_become_numbered_too(tmp_path):
    buttons = [{"title": "社会保障卡申领", "payload": "/choose"}, {"title": "社会保障卡补领、换领、换发", "payload": "/c"}]
    gateway = FakeGateway(reply=lambda text: [{"text": "您要办哪一项？", "buttons": buttons}])
    with make_client(make_settings(tmp_path), gateway) as client:
        content = reply_fields(post(client, text_xml("社保卡", 20031)).text)["Content"]
        post(client, text_xml("2", 20032))
    assert "1. 社会保障卡申领" in content and "2. 社会保障卡补领、换领、换发" in content
    assert gateway.texts[1] == "社会保障卡补领、换领、换发"


def test_handoff_without_human_agents_gives_the_12345_sentence(tmp_path):
    gateway = FakeGateway(reply=lambda text: [HANDOFF_MESSAGE])
    with make_client(make_settings(tmp_path), gateway) as client:
        reply = reply_fields(post(client, text_xml("我要投诉", 30001)).text)
    assert reply["MsgType"] == "text"
    assert "这个问题我答不好。" in reply["Content"] and "12345" in reply["Content"]


def test_handoff_with_human_agents_transfers_to_customer_service(tmp_path):
    gateway = FakeGateway(reply=lambda text: [HANDOFF_MESSAGE])
    with make_client(make_settings(tmp_path, wechat_has_human_agents=True), gateway) as client:
        reply = reply_fields(post(client, text_xml("我要投诉", 30002)).text)
    assert reply["MsgType"] == "transfer_customer_service"
    assert reply["ToUserName"] == OPENID


def test_gateway_failure_is_a_polite_reply_not_a_500(tmp_path):
    def broken(text):
        raise RuntimeError("rasa exploded")

    with make_client(make_settings(tmp_path), FakeGateway(reply=broken)) as client:
        response = post(client, text_xml("社保卡丢了怎么补办", 30003))
    assert response.status_code == 200
    assert "12345" in reply_fields(response.text)["Content"]


def test_message_refused_by_the_gateway_is_explained(tmp_path):
    from api.gateway import InvalidMessage

    def too_long(text):
        raise InvalidMessage(413, "消息过长：最多500个字。")

    with make_client(make_settings(tmp_path), FakeGateway(reply=too_long)) as client:
        response = post(client, text_xml("很长" * 400, 30004))
    assert response.status_code == 200
    assert reply_fields(response.text)["Content"] == "消息过长：最多500个字。"


# --- retries: de-duplication and the 5-second rule --------------------------------------------


def test_same_msgid_twice_calls_the_gateway_once_and_answers_once(client, gateway):
    first = post(client, text_xml("社保卡丢了怎么补办", 40001))
    retry = post(client, text_xml("社保卡丢了怎么补办", 40001))
    assert len(gateway.calls) == 1
    assert reply_fields(first.text)["MsgType"] == "text"
    assert retry.status_code == 200 and retry.text == "success"
    other = post(client, text_xml("社保卡丢了怎么补办", 40002))
    assert reply_fields(other.text)["MsgType"] == "text"
    assert len(gateway.calls) == 2


def test_slow_answer_replies_success_then_arrives_by_customer_service_once(tmp_path):
    sender = FakeCustomerService()
    gateway = FakeGateway(delay=0.6)
    with make_client(make_settings(tmp_path), gateway, sender=sender, reply_timeout=0.2) as client:
        first = post(client, text_xml("我想开个小饭馆要准备啥", 50001))
        assert first.status_code == 200 and first.text == "success"
        assert sender.arrived.wait(timeout=5)
        retry = post(client, text_xml("我想开个小饭馆要准备啥", 50001))
        assert retry.text == "success"
        time.sleep(0.1)
    assert len(gateway.calls) == 1
    assert len(sender.sent) == 1
    openid, text = sender.sent[0]
    assert openid == OPENID
    assert "我要开小餐馆" in text and GUIDE_URL in text and len(text.encode("utf-8")) <= 2048


def test_retry_while_still_computing_after_deferral_answers_success(tmp_path):
    sender = FakeCustomerService()
    gateway = FakeGateway(delay=0.8)
    with make_client(make_settings(tmp_path), gateway, sender=sender, reply_timeout=0.2) as client:
        assert post(client, text_xml("办低保需要什么材料", 50011)).text == "success"
        retry = post(client, text_xml("办低保需要什么材料", 50011))  # answer still being computed
        assert retry.text == "success"
        assert sender.arrived.wait(timeout=5)
    assert len(gateway.calls) == 1 and len(sender.sent) == 1


def test_concurrent_copies_of_one_message_get_exactly_one_passive_answer(tmp_path):
    sender = FakeCustomerService()
    gateway = FakeGateway(delay=0.4)
    with make_client(make_settings(tmp_path), gateway, sender=sender, reply_timeout=3.0) as client:
        responses: list = [None, None]

        def send(index: int) -> None:
            responses[index] = post(client, text_xml("社保卡丢了怎么补办", 50021))

        threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join(timeout=10)
    bodies = [response.text for response in responses]
    assert bodies.count("success") == 1
    answered = [body for body in bodies if body != "success"]
    assert reply_fields(answered[0])["MsgType"] == "text"
    assert len(gateway.calls) == 1 and sender.sent == []


def test_events_are_deduplicated_by_sender_and_create_time(client):
    xml = message_xml("event", {"Event": "subscribe"})
    first = post(client, xml)
    assert reply_fields(first.text)["MsgType"] == "text"
    assert post(client, xml).text == "success"


# --- location, events, other message types -----------------------------------------------------


def location_xml(msg_id: int) -> str:
    return message_xml("location", {"Location_X": 30.4561, "Location_Y": 106.6331, "Scale": 15,
                                    "Label": "广安区某路"}, msg_id)


def test_location_without_catalog_coordinates_asks_for_the_town_once(client, gateway):
    first = reply_fields(post(client, location_xml(60001)).text)["Content"]
    second = reply_fields(post(client, location_xml(60002)).text)["Content"]
    assert first == LOCATION_ASK_TOWN
    assert second == LOCATION_UNAVAILABLE and "？" not in second and "请直接回复" not in second
    assert gateway.calls == []


def test_location_with_coordinates_finds_the_nearest_point_for_the_last_item(tmp_path):
    finder = FakeLocationFinder(located=True)
    gateway = FakeGateway()
    with make_client(make_settings(tmp_path), gateway, finder=finder) as client:
        before = reply_fields(post(client, location_xml(60011)).text)["Content"]
        post(client, text_xml("我想开个小饭馆要准备啥", 60012))
        after = reply_fields(post(client, location_xml(60013)).text)["Content"]
    assert before == LOCATION_NEED_TARGET
    assert finder.calls == [("open-restaurant", 30.4561, 106.6331)]
    assert "北辰街道便民服务中心" in after and "北辰街道建设路8号" in after


def test_subscribe_welcomes_with_three_examples_answerable_by_number(client, gateway):
    content = reply_fields(post(client, message_xml("event", {"Event": "subscribe", "EventKey": ""})).text)["Content"]
    for number, example in enumerate(WELCOME_EXAMPLES, start=1):
        assert f"{number}. {example}" in content
    post(client, text_xml("2", 70001))
    assert gateway.texts == ["社保卡丢了怎么补办"]


def test_unsubscribe_and_menu_events_get_success(client, gateway):
    assert post(client, message_xml("event", {"Event": "unsubscribe", "EventKey": ""})).text == "success"
    assert gateway.calls == []


@pytest.mark.parametrize("msg_type,fields", [
    ("image", {"PicUrl": "http://mmbiz.qpic.cn/x", "MediaId": "m1"}),
    ("voice", {"MediaId": "m2", "Format": "amr"}),
    ("video", {"MediaId": "m3", "ThumbMediaId": "t3"}),
    ("shortvideo", {"MediaId": "m4", "ThumbMediaId": "t4"}),
])
def test_non_text_messages_get_the_text_only_notice(client, gateway, msg_type, fields):
    reply = reply_fields(post(client, message_xml(msg_type, fields, 80001)).text)
    assert reply["Content"] == UNSUPPORTED_TEXT
    assert gateway.calls == []


def test_voice_with_wechat_recognition_is_treated_as_text(client, gateway):
    post(client, message_xml("voice", {"MediaId": "m5", "Format": "amr", "Recognition": "社保卡丢了怎么补办"}, 80002))
    assert gateway.texts == ["社保卡丢了怎么补办"]


# --- hostile or broken input ---------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&d;</Content><MsgId>9</MsgId></xml>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content><MsgId>10</MsgId></xml>"""


SMALL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY e "社保卡丢了怎么补办">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&e;</Content><MsgId>11</MsgId></xml>"""


@pytest.mark.parametrize("body", [SMALL_ENTITY, BILLION_LAUGHS, XXE], ids=["small-entity", "billion-laughs", "xxe"])
def test_any_dtd_is_refused_before_wechatpy_sees_it(client, gateway, caplog, body):
    """Even a harmless-looking entity: expat would expand it, so the DTD is refused outright."""
    with caplog.at_level(logging.WARNING, logger="api.routes.wechat"):
        response = post(client, body)
    assert response.status_code == 200 and response.text == "success"
    assert gateway.calls == []
    assert "forbidden XML construct" in caplog.text


@pytest.mark.parametrize("body", [
    "<xml><MsgType>text</MsgType><Content>unclosed",
    "not xml at all",
    "",
    "<other><MsgType>text</MsgType></other>",
    "<xml><Content>no type</Content></xml>",
    BILLION_LAUGHS,
    XXE,
], ids=["malformed", "not-xml", "empty", "wrong-root", "no-msgtype", "billion-laughs", "xxe"])
def test_bad_xml_gets_a_safe_empty_reply_and_a_log_line(client, gateway, caplog, body):
    with caplog.at_level(logging.WARNING, logger="api.routes.wechat"):
        response = post(client, body)
    assert response.status_code == 200
    assert response.text == "success"
    assert gateway.calls == []
    assert any(record.name == "api.routes.wechat" and "refused" in record.getMessage() for record in caplog.records)
    assert "root:" not in caplog.text  # nothing of /etc/passwd


def test_oversized_body_is_refused_413_before_it_is_parsed(client, gateway):
    """The app's body limit (api/limits.py) answers before the WeChat route reads the XML."""
    body = text_xml("办" * 30_000, 90001)  # ~90 KB
    assert len(body.encode()) > 64 * 1024
    response = post(client, body)
    assert response.status_code == 413
    assert "65536" in response.json()["detail"]
    assert gateway.calls == []


def test_log_lines_never_carry_the_citizens_id_or_phone_number(tmp_path, caplog):
    id_number, phone = "51160219800101123X", "13912345678"
    gateway = FakeGateway(reply=lambda text: [CLARIFY_MESSAGE])
    with make_client(make_settings(tmp_path), gateway) as client, caplog.at_level(logging.DEBUG):
        post(client, text_xml(f"我的身份证{id_number}，电话{phone}，社保卡丢了", 91001))
        post(client, text_xml("1", 91002))
        post(client, f"<xml><MsgType>text</MsgType><Content>{id_number} {phone}</Content>")  # malformed
    assert gateway.calls  # the message did go through
    assert caplog.records
    assert id_number not in caplog.text and phone not in caplog.text
