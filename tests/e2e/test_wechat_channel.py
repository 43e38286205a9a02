"""WeChat webhook (plain mode) against the real Rasa: what a citizen on the official account reads.

Rasa's REST channel sends a guide or a question as two messages (the long text, then the payload);
the unit tests' fakes sent them as one, so a reply that carried everything twice went unnoticed.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from xml.etree import ElementTree

import pytest

from tests.conftest import E2E_WECHAT_TOKEN

pytestmark = pytest.mark.e2e
ACCOUNT = "gh_e2e000000000"


def _say(stack, openid: str, text: str) -> str:
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([E2E_WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{uuid.uuid4().int % 10**15}</MsgId></xml>")
    response = stack.client.post("/wechat", params={"signature": signature, "timestamp": timestamp, "nonce": nonce,
                                                    "openid": openid}, content=body.encode("utf-8"))
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.text).findtext("Content") or ""


def test_a_guide_comes_once_in_its_compact_form(stack):
    content = _say(stack, f"o{uuid.uuid4().hex}", "我在龙台镇，社保卡丢了去哪补")
    assert content.count("【社会保障卡补领、换领、换发】") == 1, content
    assert "一次性告知" not in content  # the long web-chat text was replaced, not followed
    assert "龙台镇便民服务中心" in content and len(content.encode("utf-8")) <= 2048


def test_the_one_question_is_asked_once_and_numbered(stack):
    openid = f"o{uuid.uuid4().hex}"
    content = _say(stack, openid, "我想开个小饭馆要准备啥")
    assert content.count("门头要装修") == 1 and content.count("一并办税") == 1, content
    # 「1 3」 answers both questions (门头要装修, 一并办税) in one message.
    numbers = {line.split(". ", 1)[1]: line.split(".", 1)[0] for line in content.splitlines() if ". " in line}
    answer = _say(stack, openid, f"{numbers['门头要装修']} {numbers['一并办税']}")
    assert answer.count("【我要开小餐馆】") == 1, answer
