"""The gateway: normalise once, validate, forward to Rasa, map the reply, record every turn."""
from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi.testclient import TestClient

from api import gateway as gateway_module
from api.exchange_log import ExchangeLog
from api.gateway import ChatGateway, InvalidMessage, handle_message, to_bot_messages
from api.main import create_app
from api.rasa_client import RasaClient
from catalog.db import make_engine
from tests.text_samples import distinct_text

GUIDE = {
    "type": "guide", "bundle": None, "items": [{"code": "x1", "name": "社会保障卡申领", "department": "区人社局"}],
    "materials": [], "location": {"level": "town", "name": "龙台镇便民服务中心"}, "time_limit": "即时办结",
    "fee": "免费", "trips": 1, "online": "否", "guide_url": "https://g/x1", "qr_url": "https://g/x1/qr.svg",
}


@pytest.fixture
def exchange_log(tmp_path) -> ExchangeLog:
    log = ExchangeLog(make_engine(f"sqlite:///{tmp_path / 'log.db'}"))
    log.create_table()
    yield log
    log.close()


@pytest.fixture
def build_gateway(make_settings, exchange_log):
    def build(handler, **settings) -> ChatGateway:
        settings = make_settings(**settings)
        rasa = RasaClient("http://rasa.test", settings.rasa_timeout_seconds, transport=httpx.MockTransport(handler))
        return ChatGateway(settings, rasa, exchange_log)

    return build


def run(coro):
    return asyncio.run(coro)


def test_forwards_normalised_text_once(build_gateway, fake_rasa):
    gateway = build_gateway(fake_rasa)
    run(gateway.handle_message("web-1", "  社會保障卡　補領\u200b\t要帶啥？ ", "web"))
    assert fake_rasa.received == [{"sender": "web-1", "message": "社会保障卡 补领 要带啥?"}]


def test_maps_text_buttons_custom_and_json_message(build_gateway, rasa_replying):
    rasa = rasa_replying([
        {"recipient_id": "web-1", "text": "请问您办理哪一项？",
         "buttons": [{"title": "补领", "payload": "/choose{\"item\":\"b\"}"}]},
        {"recipient_id": "web-1", "text": "【社会保障卡补领】一次性告知", "custom": GUIDE},
        {"recipient_id": "web-1", "json_message": {"type": "handoff", "reason": "complaint", "phone": "12345"}},
        {"recipient_id": "web-1", "image": "https://x/y.png"},  # nothing the contract carries: dropped
        {"recipient_id": "web-1", "text": None, "custom": {}},  # rasa_sdk's empty custom part
    ])
    response = run(build_gateway(rasa).handle_message("web-1", "社保卡", "web"))
    assert response.status == "ok"
    first, second, third = response.messages
    assert first.text == "请问您办理哪一项？"
    assert [b.model_dump() for b in first.buttons] == [{"title": "补领", "payload": "/choose{\"item\":\"b\"}"}]
    assert second.custom.type == "guide" and second.custom.location.name == "龙台镇便民服务中心"
    assert third.custom.type == "handoff" and third.custom.reason == "complaint"


# Rasa's REST channel sends utter_message(text=…, buttons=…, json_message=…) as two messages.
SPLIT_QUESTION = [
    {"recipient_id": "w", "text": "请先确认以下几点：\n1. 门头需要装修吗？", "buttons": [{"title": "门头要装修", "payload": "门头要装修"}]},
    {"recipient_id": "w", "custom": {"type": "clarify", "questions": [{"slot": "shopfront_renovation", "text": "门头需要装修吗？",
                                                                      "options": [{"value": "yes", "label": "门头要装修"}]}]}},
]


def test_an_utterance_split_by_rasa_is_one_message_again():
    (message,) = to_bot_messages(SPLIT_QUESTION)
    assert message.text.startswith("请先确认以下几点") and message.buttons[0].title == "门头要装修"
    assert message.custom.type == "clarify" and message.custom.questions[0].slot == "shopfront_renovation"


def test_every_guide_after_an_intro_keeps_its_own_text():
    guide_b = {**GUIDE, "items": [{"code": "b", "name": "乙", "department": "区人社局"}]}
    messages = to_bot_messages([
        {"text": "下面把这2项都列出来："},
        {"text": "【甲】一次性告知"}, {"custom": GUIDE},
        {"text": "【乙】一次性告知"}, {"json_message": guide_b},
    ])
    assert [(m.text, m.custom.type if m.custom else None) for m in messages] == [
        ("下面把这2项都列出来：", None), ("【甲】一次性告知", "guide"), ("【乙】一次性告知", "guide")]


def test_a_rule_sentence_and_the_handoff_payload_are_one_message():
    (message,) = to_bot_messages([{"text": "请拨打12345"}, {"custom": {"type": "handoff", "reason": "complaint", "phone": "12345"}}])
    assert message.text == "请拨打12345" and message.custom.type == "handoff"


def test_a_payload_after_a_message_with_its_own_payload_stays_apart():
    handoff = {"type": "handoff", "reason": "x", "phone": "12345"}
    messages = to_bot_messages([{"text": "请拨打12345", "custom": handoff}, {"custom": GUIDE}, {"custom": GUIDE}])
    assert [(m.text, m.custom.type) for m in messages] == [("请拨打12345", "handoff"), (None, "guide"), (None, "guide")]


def test_unknown_custom_is_dropped_but_text_kept(caplog):
    with caplog.at_level(logging.WARNING, logger="api.gateway"):
        messages = to_bot_messages([{"text": "答复正文", "custom": {"type": "mystery"}}])
    assert [(m.text, m.custom) for m in messages] == [("答复正文", None)]
    assert "mystery" in caplog.text


@pytest.mark.parametrize(
    "failure",
    [
        lambda request: httpx.Response(500, text="boom"),
        lambda request: httpx.Response(200, text="<html>not json</html>"),
        lambda request: httpx.Response(200, json={"not": "a list"}),
        lambda request: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=request)),
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused", request=request)),
    ],
    ids=["5xx", "not-json", "not-a-list", "timeout", "connect-error"],
)
def test_rasa_failure_becomes_handoff_and_is_recorded(build_gateway, exchange_log, failure):
    response = run(build_gateway(failure).handle_message("web-2", "我要办身份证", "web"))
    assert response.status == "assistant_unavailable"
    (message,) = response.messages
    assert message.custom.type == "handoff"
    assert message.custom.reason == "assistant_unavailable"
    assert message.custom.phone == "12345"
    assert "12345" in message.text
    (row,) = exchange_log.recent()
    assert (row.sender_id, row.channel, row.user_text, row.status) == ("web-2", "web", "我要办身份证", "assistant_unavailable")
    assert row.payload_types == ["handoff"] and row.error


def test_records_redacted_exchange(build_gateway, exchange_log, rasa_replying, caplog):
    rasa = rasa_replying([{"text": "已收到，您的电话 13812345678"}, {"custom": GUIDE}])
    with caplog.at_level(logging.DEBUG):
        run(build_gateway(rasa).handle_message("wx-13900001111", "身份证511602199001011234丢了", "wechat"))
    (row,) = exchange_log.recent()
    assert row.sender_id == "wx-[手机号]"
    assert row.user_text == "身份证[身份证号]丢了"
    assert row.bot_texts == ["已收到，您的电话 [手机号]"]
    assert row.payload_types == ["guide"]
    assert row.status == "ok" and row.redacted and row.latency_ms is not None
    for secret in ("511602199001011234", "13812345678", "13900001111"):
        assert secret not in caplog.text


def test_exchange_without_secrets_is_not_flagged(build_gateway, exchange_log, fake_rasa):
    run(build_gateway(fake_rasa).handle_message("web-3", "社保卡补领", "web"))
    (row,) = exchange_log.recent()
    assert not row.redacted and row.bot_texts == ["好的"]


@pytest.mark.parametrize("text", ["", "   ", "\u3000\t\n", "\u200b\u200b"])
def test_empty_after_normalising_is_422(build_gateway, fake_rasa, exchange_log, text):
    with pytest.raises(InvalidMessage) as caught:
        run(build_gateway(fake_rasa).handle_message("web-1", text, "web"))
    assert caught.value.status_code == 422 and "为空" in caught.value.message
    assert fake_rasa.received == [] and exchange_log.recent() == []


def test_length_limit_counts_normalised_characters(build_gateway, fake_rasa):
    gateway = build_gateway(fake_rasa)
    run(gateway.handle_message("web-1", distinct_text(500) + "   ", "web"))  # trailing spaces are trimmed first
    with pytest.raises(InvalidMessage) as caught:
        run(gateway.handle_message("web-1", distinct_text(501), "web"))
    assert caught.value.status_code == 413 and "500" in caught.value.message
    assert len(fake_rasa.received) == 1


@pytest.mark.parametrize("sender_id", ["", "a" * 129, "有中文", "a b", "x/../y", "<script>", "a\nb"])
def test_bad_sender_id_is_422(build_gateway, fake_rasa, sender_id):
    with pytest.raises(InvalidMessage) as caught:
        run(build_gateway(fake_rasa).handle_message(sender_id, "社保卡", "web"))
    assert caught.value.status_code == 422 and "sender_id" in caught.value.message
    assert fake_rasa.received == []


def test_broken_exchange_log_does_not_break_the_chat(build_gateway, fake_rasa, exchange_log, caplog):
    exchange_log.engine.dispose()
    with exchange_log.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE exchanges")
    with caplog.at_level(logging.ERROR, logger="api.exchange_log"):
        response = run(build_gateway(fake_rasa).handle_message("web-1", "社保卡", "web"))
        exchange_log.flush()
    assert response.messages[0].text == "好的"
    assert "could not record" in caplog.text


def test_module_entry_point_uses_the_running_app(make_settings, fake_rasa):
    with pytest.raises(RuntimeError):
        run(handle_message("web-1", "社保卡", "wechat"))
    app = create_app(make_settings(), rasa_transport=httpx.MockTransport(fake_rasa), action_package=None)

    async def via_module():
        return await handle_message("wx-1", "社保卡", "wechat")

    with TestClient(app) as client:
        response = client.portal.call(via_module)
    assert response.messages[0].text == "好的"
    assert fake_rasa.received == [{"sender": "wx-1", "message": "社保卡"}]
    assert gateway_module._default_gateway is None  # unbound when the app stops


def test_each_channel_owns_its_sender_prefix():
    from api.gateway import validate_sender_id

    validate_sender_id("wx:oOPENID", "wechat")
    for sender in ("wx:oOPENID", "WX:oOPENID"):
        with pytest.raises(InvalidMessage) as caught:
            validate_sender_id(sender, "web")
        assert caught.value.status_code == 422
    validate_sender_id("web-1", "web")
