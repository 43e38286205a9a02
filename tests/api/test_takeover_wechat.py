"""A WeChat conversation taken over by an agent, answered through the customer-service message API
(客服消息) of a fake WeChat server on 127.0.0.1 (nothing here calls the internet): the citizen reads
that a person is coming, the bot stays silent, the agent's text and guide card arrive as 客服消息,
and a message WeChat refuses (past the 48-hour window) is a 409 and is not shown as sent."""
from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from api.desk_models import Rating
from api.takeover import CLAIMED_TEXT, QUEUED_TEXT, RELEASED_TEXT

OPENID = "oWeChatCitizen0001"
SENDER = "wx:" + OPENID
AGENT = {"agent_id": "agent-a", "name": "小李"}
HANDOFF = [{"recipient_id": "x", "text": "好的。人工服务请拨打12345政务服务便民热线。"},
           {"recipient_id": "x", "custom": {"type": "handoff", "reason": "request_human", "phone": "12345"}}]


class FakeWeChat(ThreadingHTTPServer):
    """GET /cgi-bin/token and POST /cgi-bin/message/custom/send, as WeChat answers them."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sent: list[dict[str, Any]] = []
        self.refuse = False
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/"

    def texts_to(self, openid: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _json(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if urlparse(self.path).path == "/cgi-bin/token":
            self._json({"access_token": "fake-access-token", "expires_in": 7200})
        else:
            self._json({"errcode": 40001, "errmsg": "invalid"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = parse_qs(url.query).get("access_token", [""])[0]
        if url.path != "/cgi-bin/message/custom/send" or token != "fake-access-token":
            self._json({"errcode": 40001, "errmsg": "invalid credential"})
        elif self.server.refuse:
            self._json({"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"})
        else:
            self.server.sent.append(body)
            self._json({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def wechat_api():
    server = FakeWeChat()
    server.thread.start()
    yield server
    server.shutdown()
    server.server_close()


def wechat_turn(client, text: str):
    return asyncio.run(client.app.state.resources.gateway().handle_message(SENDER, text, "wechat"))


@pytest.fixture
def rasa(rasa_replying):
    return rasa_replying(HANDOFF)


@pytest.fixture
def client(make_client, rasa, wechat_api):
    return make_client(rasa, takeover_hours="00:00-24:00", takeover_days="1-7", WECHAT_APP_ID="wx-app-id-for-tests",
                       WECHAT_APP_SECRET="wx-app-secret-for-tests", wechat_api_base_url=wechat_api.base_url)


def test_an_agent_answers_a_wechat_citizen_through_customer_service_messages(client, rasa, wechat_api):
    client.post("/api/desk/heartbeat", json=AGENT)
    handed = wechat_turn(client, "我要转人工")
    assert handed.messages[-1].text == QUEUED_TEXT
    assert client.post(f"/api/desk/conversations/{SENDER}/claim", json=AGENT).status_code == 200
    assert wechat_api.texts_to(OPENID) == [CLAIMED_TEXT]

    # The bot is silent; the citizen's words go to the agent (WeChat gets no passive reply).
    assert wechat_turn(client, "我的社保卡丢了").messages == []
    assert rasa.messages == ["我要转人工"]
    seen = client.get(f"/api/desk/conversations/{SENDER}/messages").json()["messages"]
    assert [m["text"] for m in seen if m["author"] == "citizen"] == ["我的社保卡丢了"]

    assert client.post(f"/api/desk/conversations/{SENDER}/messages", json={**AGENT, "text": "您好，我是小李"}).status_code == 201
    code = client.get("/api/items", params={"q": "社保卡补领"}).json()["results"][0]["code"]
    name = client.get(f"/api/guide/{code}").json()["name"]
    assert client.post(f"/api/desk/conversations/{SENDER}/messages",
                       json={**AGENT, "guide": {"code": code}}).status_code == 201
    texts = wechat_api.texts_to(OPENID)
    assert texts[1] == "您好，我是小李" and name in texts[2]

    # Past the 48-hour window WeChat refuses: the agent is told, and nothing is shown as sent.
    wechat_api.refuse = True
    before = client.get(f"/api/desk/conversations/{SENDER}/messages").json()["messages"]
    late = client.post(f"/api/desk/conversations/{SENDER}/messages", json={**AGENT, "text": "还在吗"})
    assert late.status_code == 409 and "48小时" in late.json()["detail"]
    assert client.get(f"/api/desk/conversations/{SENDER}/messages").json()["messages"] == before
    wechat_api.refuse = False

    assert client.post(f"/api/desk/conversations/{SENDER}/release", json=AGENT).status_code == 200
    assert wechat_api.texts_to(OPENID)[-1].startswith(RELEASED_TEXT)
    # The chat the agent answered is rated by the next reply; then the bot answers again.
    assert "感谢" in wechat_turn(client, "1").messages[0].text
    with client.app.state.resources.desk.session() as session:
        assert [(r.subject, r.satisfied, r.channel) for r in session.query(Rating)] == [("agent", True, "wechat")]
    wechat_turn(client, "谢谢")
    assert rasa.messages[-1] == "谢谢"


def test_without_customer_service_credentials_wechat_handoffs_are_not_queued(make_client, rasa):
    client = make_client(rasa, takeover_hours="00:00-24:00", takeover_days="1-7")
    client.post("/api/desk/heartbeat", json=AGENT)
    handed = wechat_turn(client, "我要转人工")
    assert all(m.text != QUEUED_TEXT for m in handed.messages)
    assert client.get(f"/api/takeover/{SENDER}").json()["state"] == "bot"
    assert wechat_turn(client, "还有个问题").messages  # the bot answers


def test_a_wechat_citizen_is_told_when_the_agent_is_gone(client, wechat_api):
    from api.takeover import REQUEUED_TEXT

    client.post("/api/desk/heartbeat", json=AGENT)
    wechat_turn(client, "我要转人工")
    client.post(f"/api/desk/conversations/{SENDER}/claim", json=AGENT)
    assert client.post("/api/desk/sign-off", json={"agent_id": AGENT["agent_id"]}).json() == {"requeued": 1}
    assert wechat_api.texts_to(OPENID)[-1] == REQUEUED_TEXT
