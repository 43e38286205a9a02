"""POST /api/chat: the HTTP contract of docs/DESIGN.md §6, bad input, and Rasa being down."""
from __future__ import annotations

import json

import httpx
import pytest

from tests.text_samples import distinct_text

GUIDE = {
    "type": "guide", "bundle": {"name": "我要开小餐馆"},
    "items": [{"code": "open-restaurant", "name": "我要开小餐馆", "department": None}],
    "materials": [{"name": "健康证明", "copies": 1, "form": "复印件", "note": None, "condition": None}],
    "location": {"level": "county", "name": "广安区政务服务中心", "address": None, "hours": None, "phone": None},
    "time_limit": "8个工作日", "fee": "免费", "trips": 1, "online": "可网上申请",
    "guide_url": "https://wyc.example.test/guide/open-restaurant",
    "qr_url": "https://wyc.example.test/guide/open-restaurant/qr.svg",
    "sample_notice": "示例数据，以官方办事指南为准", "pending": [],
}


def test_reply_follows_the_contract(make_client, rasa_replying, exchanges_of):
    rasa = rasa_replying([
        {"recipient_id": "web-1", "text": "开小餐馆需要准备以下材料："},
        {"recipient_id": "web-1", "custom": GUIDE},
    ])
    client = make_client(rasa=rasa)
    response = client.post("/api/chat", json={"sender_id": "web-1", "message": "我想开个小饭馆要准备啥"})
    assert response.status_code == 200
    body = response.json()
    assert body["sender_id"] == "web-1"
    # Rasa's REST channel split the utterance in two; the contract has it as one message.
    (message,) = body["messages"]
    assert message["text"] == "开小餐馆需要准备以下材料："
    custom = message["custom"]
    assert custom["type"] == "guide"
    assert custom["materials"][0]["name"] == "健康证明"
    assert custom["sample_notice"] == "示例数据，以官方办事指南为准"
    assert rasa.received == [{"sender": "web-1", "message": "我想开个小饭馆要准备啥"}]
    (row,) = exchanges_of(client)
    assert (row.channel, row.status, row.payload_types) == ("web", "ok", ["guide"])


def test_rasa_down_is_503_handoff_and_recorded(make_client, exchanges_of):
    client = make_client()  # rasa_url points at a closed local port
    response = client.post("/api/chat", json={"sender_id": "web-9", "message": "我要补办社保卡"})
    assert response.status_code == 503
    (message,) = response.json()["messages"]
    assert message["custom"] == {"type": "handoff", "reason": "assistant_unavailable", "phone": "12345"}
    assert "12345" in message["text"]
    (row,) = exchanges_of(client)
    assert (row.sender_id, row.user_text, row.status) == ("web-9", "我要补办社保卡", "assistant_unavailable")


@pytest.mark.parametrize(
    "body, fragment",
    [
        ('{"sender_id": "web-1", "message": ', "JSON decode error"),
        ("not json at all", "JSON decode error"),
    ],
)
def test_malformed_json_is_422(make_client, fake_rasa, body, fragment):
    client = make_client(rasa=fake_rasa)
    response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert fragment in str(response.json()["detail"])
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"sender_id": "web-1", "message": 42}, "message"),
        ({"sender_id": "web-1", "message": ["社保卡"]}, "message"),
        ({"sender_id": 7, "message": "社保卡"}, "sender_id"),
        ({"sender_id": "web-1"}, "message"),
        ({"message": "社保卡"}, "sender_id"),
        ([], None),
    ],
)
def test_wrong_types_are_422(make_client, fake_rasa, payload, field):
    client = make_client(rasa=fake_rasa)
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 422
    if field:
        assert any(field in error["loc"] for error in response.json()["detail"])
    assert fake_rasa.received == []


@pytest.mark.parametrize(
    "payload, status, fragment",
    [
        ({"sender_id": "web-1", "message": ""}, 422, "为空"),
        ({"sender_id": "web-1", "message": "  \u3000\t "}, 422, "为空"),
        ({"sender_id": "web-1", "message": distinct_text(501)}, 413, "最多500个字"),
        ({"sender_id": "web 1", "message": "社保卡"}, 422, "sender_id"),
        ({"sender_id": "", "message": "社保卡"}, 422, "sender_id"),
        ({"sender_id": "x" * 129, "message": "社保卡"}, 422, "sender_id"),
    ],
)
def test_rejected_messages_say_why(make_client, fake_rasa, exchanges_of, payload, status, fragment):
    client = make_client(rasa=fake_rasa)
    response = client.post("/api/chat", json=payload)
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    assert fake_rasa.received == [] and exchanges_of(client) == []


def test_exactly_500_characters_pass(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa)
    response = client.post("/api/chat", json={"sender_id": "web-1", "message": distinct_text(500)})
    assert response.status_code == 200
    assert len(fake_rasa.received[0]["message"]) == 500


def test_gateway_dependency_can_be_overridden(make_client, rasa_replying):
    """Routes take the gateway through GatewayDep, so tests and channels can swap parts of it."""
    import httpx

    from api.deps import get_rasa_client
    from api.rasa_client import RasaClient

    other = rasa_replying([{"text": "来自替身"}])
    client = make_client()
    client.app.dependency_overrides[get_rasa_client] = lambda: RasaClient(
        "http://other", 2.0, transport=httpx.MockTransport(other)
    )
    response = client.post("/api/chat", json={"sender_id": "web-1", "message": "社保卡"})
    assert response.json()["messages"] == [{"text": "来自替身", "buttons": None, "custom": None}]


@pytest.mark.parametrize("sender_id", ["wx:oAbC123", "WX:oAbC123", "Wx:o1"])
def test_the_web_channel_cannot_use_the_wechat_namespace(make_client, fake_rasa, exchanges_of, sender_id):
    """A web caller who knows an OpenID must not write into that citizen's WeChat conversation."""
    client = make_client(fake_rasa)
    response = client.post("/api/chat", json={"sender_id": sender_id, "message": "社保卡"})
    assert response.status_code == 422 and "wx:" in response.json()["detail"]
    assert fake_rasa.received == [] and exchanges_of(client) == []


def test_web_senders_that_only_contain_the_prefix_are_fine(make_client, fake_rasa):
    client = make_client(fake_rasa)
    assert client.post("/api/chat", json={"sender_id": "web-wx:1", "message": "社保卡"}).status_code == 200


def test_rasa_never_receives_the_citizens_id_or_mobile_number(make_client, fake_rasa, exchanges_of):
    """Rasa keeps every message in its tracker store: the numbers are hidden before it."""
    client = make_client(fake_rasa)
    text = "我的电话13812345678，身份证51160219900101123X，低保怎么申请"
    assert client.post("/api/chat", json={"sender_id": "web-r", "message": text}).status_code == 200
    (sent,) = fake_rasa.received
    assert "13812345678" not in sent["message"] and "51160219900101123X" not in sent["message"]
    assert sent["message"].endswith("低保怎么申请")
    (row,) = exchanges_of(client)
    assert "13812345678" not in row.user_text and row.redacted


# --- 「重新开始」: the server forgets the conversation too ---------------------------------------


class RestartingRasa:
    """Answers the REST channel and records the events appended through Rasa's HTTP API."""

    def __init__(self):
        self.appended: list[tuple[str, dict, dict]] = []

    def __call__(self, request):
        if request.url.path.endswith("/tracker/events") and request.method == "POST":
            self.appended.append((request.url.path, dict(request.url.params), json.loads(request.content)))
            return httpx.Response(200, json={"sender_id": "x"})
        if request.url.path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=[{"recipient_id": "x", "text": "好的"}])
        return httpx.Response(404, json={})


def test_restart_appends_a_restart_event_for_that_sender(make_client):
    rasa = RestartingRasa()
    client = make_client(rasa=rasa, rasa_token="rasa-api-token-for-tests-0123")
    response = client.post("/api/chat/restart", json={"sender_id": "web-42"})
    assert response.status_code == 200
    assert response.json() == {"sender_id": "web-42", "restarted": True}
    ((path, params, body),) = rasa.appended
    assert path == "/conversations/web-42/tracker/events"
    assert body == {"event": "restart"}
    assert params["token"] == "rasa-api-token-for-tests-0123"


@pytest.mark.parametrize("sender", ["", "wx:openid-of-someone", "bad id"])
def test_restart_refuses_bad_or_foreign_sender_ids(make_client, sender):
    rasa = RestartingRasa()
    client = make_client(rasa=rasa)
    assert client.post("/api/chat/restart", json={"sender_id": sender}).status_code == 422
    assert rasa.appended == []


def test_restart_with_rasa_down_is_a_clear_503(make_client):
    client = make_client()  # rasa_url points at a closed local port
    response = client.post("/api/chat/restart", json={"sender_id": "web-1"})
    assert response.status_code == 503
    assert "暂时无法结束对话" in response.json()["detail"]
