"""POST/GET /wechat in safe mode (安全模式): AES-encrypted bodies with msg_signature, built with
wechatpy's ``WeChatCrypto.encrypt_message`` exactly as the WeChat server does; replies are
decrypted and read back."""
from __future__ import annotations

import base64
import hashlib
import os
import time
from xml.etree import ElementTree

import pytest
from wechatpy.crypto import WeChatCrypto

from tests.api.test_wechat import (
    ACCOUNT,
    APP_ID,
    BILLION_LAUGHS,
    GUIDE_URL,
    OPENID,
    TOKEN,
    FakeCustomerService,
    FakeGateway,
    make_client,
    make_settings,
    reply_fields,
    signed_query,
    text_xml,
)

AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")  # a 43-character EncodingAESKey


def wechat_server_crypto(aes_key: str = AES_KEY) -> WeChatCrypto:
    return WeChatCrypto(TOKEN, aes_key, APP_ID)


def encrypted_request(inner_xml: str, aes_key: str = AES_KEY, nonce: str = "1320562132"):
    """(query, body) of a safe-mode push: the inner message encrypted, signed over
    token/timestamp/nonce/Encrypt as msg_signature, plus the plain signature WeChat also sends."""
    timestamp = str(int(time.time()))
    envelope = reply_fields(wechat_server_crypto(aes_key).encrypt_message(inner_xml, nonce, timestamp))
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>")
    query = {**signed_query(nonce=nonce), "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
    query["timestamp"] = timestamp
    query["signature"] = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    return query, body


def decrypt_reply(xml: str) -> dict[str, str]:
    envelope = reply_fields(xml)
    inner = wechat_server_crypto().decrypt_message(xml, envelope["MsgSignature"], envelope["TimeStamp"],
                                                   envelope["Nonce"])
    return {child.tag: child.text or "" for child in ElementTree.fromstring(inner)}


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, WECHAT_AES_KEY=AES_KEY)


def test_url_verification_works_in_safe_mode(settings):
    with make_client(settings, FakeGateway()) as client:
        response = client.get("/wechat", params={**signed_query(), "echostr": "4820219433"})
        forged = client.get("/wechat", params={**signed_query(), "signature": "f" * 40, "echostr": "4820219433"})
    assert response.status_code == 200 and response.text == "4820219433"
    assert forged.status_code == 403 and forged.content == b""


def test_encrypted_message_gets_an_encrypted_guide_reply(settings):
    gateway = FakeGateway()
    with make_client(settings, gateway) as client:
        query, body = encrypted_request(text_xml("我想开个小饭馆要准备啥", 110001))
        response = client.post("/wechat", params=query, content=body)
    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "我要开小餐馆" not in response.text  # nothing in clear
    reply = decrypt_reply(response.text)
    assert reply["MsgType"] == "text" and reply["ToUserName"] == OPENID
    assert "我要开小餐馆" in reply["Content"] and GUIDE_URL in reply["Content"]
    assert gateway.calls == [(f"wx:{OPENID}", "我想开个小饭馆要准备啥", "wechat")]


def test_bad_msg_signature_is_403(settings):
    gateway = FakeGateway()
    with make_client(settings, gateway) as client:
        query, body = encrypted_request(text_xml("社保卡丢了怎么补办", 110002))
        response = client.post("/wechat", params={**query, "msg_signature": "0" * 40}, content=body)
    assert response.status_code == 403 and response.content == b""
    assert gateway.calls == []


def test_message_encrypted_with_another_key_is_dropped_safely(settings):
    gateway = FakeGateway()
    other_key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    with make_client(settings, gateway) as client:
        query, body = encrypted_request(text_xml("社保卡丢了怎么补办", 110003), aes_key=other_key)
        response = client.post("/wechat", params=query, content=body)
    assert response.status_code == 200 and response.text == "success"
    assert gateway.calls == []


def test_entity_bomb_inside_the_encrypted_body_is_refused(settings):
    gateway = FakeGateway()
    with make_client(settings, gateway) as client:
        query, body = encrypted_request(BILLION_LAUGHS)
        response = client.post("/wechat", params=query, content=body)
    assert response.status_code == 200 and response.text == "success"
    assert gateway.calls == []


def test_safe_mode_push_without_a_configured_key_is_dropped_safely(tmp_path):
    gateway = FakeGateway()
    with make_client(make_settings(tmp_path), gateway) as client:  # no WECHAT_AES_KEY
        query, body = encrypted_request(text_xml("社保卡丢了怎么补办", 110004))
        response = client.post("/wechat", params=query, content=body)
    assert response.status_code == 200 and response.text == "success"
    assert gateway.calls == []


def test_slow_answer_in_safe_mode_goes_out_by_customer_service(settings):
    sender = FakeCustomerService()
    gateway = FakeGateway(delay=0.5)
    with make_client(settings, gateway, sender=sender, reply_timeout=0.1) as client:
        query, body = encrypted_request(text_xml("办低保需要什么材料", 110005))
        first = client.post("/wechat", params=query, content=body)
        assert first.text == "success"
        assert sender.arrived.wait(timeout=5)
        retry = client.post("/wechat", params=query, content=body)
    assert retry.text == "success"
    assert len(gateway.calls) == 1 and len(sender.sent) == 1
    assert sender.sent[0][0] == OPENID and "我要开小餐馆" in sender.sent[0][1]


def test_duplicate_encrypted_message_is_answered_once(settings):
    gateway = FakeGateway()
    with make_client(settings, gateway) as client:
        query, body = encrypted_request(text_xml("社保卡丢了怎么补办", 110006))
        first = client.post("/wechat", params=query, content=body)
        retry = client.post("/wechat", params=query, content=body)
    assert decrypt_reply(first.text)["MsgType"] == "text"
    assert retry.text == "success"
    assert len(gateway.calls) == 1
