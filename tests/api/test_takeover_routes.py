"""Live takeover over HTTP (api/routes/takeover.py) with a fake Rasa: handoff → queue → claim → the bot
is silent and the citizen's words reach the agent → agent text and guide card in the widget's event
stream → release → the bot answers again. Bad input gets a 4xx and changes nothing."""
from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

HANDOFF_REPLY = [
    {"recipient_id": "x", "text": "好的。人工服务请拨打12345政务服务便民热线，工作人员会为您解答。"},
    {"recipient_id": "x", "custom": {"type": "handoff", "reason": "request_human", "phone": "12345"}},
]
ALWAYS_OPEN = {"takeover_hours": "00:00-24:00", "takeover_days": "1-7", "takeover_stream_seconds": 0}
AGENT = {"agent_id": "agent-a", "name": "小李"}
OTHER_AGENT = {"agent_id": "agent-b", "name": "小王"}


class SwitchableRasa:
    """A fake Rasa whose reply can change between turns; it counts the REST calls it gets and answers
    the tracker with slots and one guide event."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies = replies
        self.received: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            self.received.append(json.loads(request.content))
            return httpx.Response(200, json=self.replies)
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={
                "slots": {"lookup_status": "ambiguous", "candidates": ["nonexistent-code"], "town_code": None,
                          "facts": {"delegated": "no"}},
                "events": [{"event": "bot", "data": {"custom": {"type": "guide", "name": "社保卡补领",
                                                                 "items": [{"code": "X1", "name": "社保卡补领"}],
                                                                 "location": {"level": "town", "name": "龙台镇便民服务中心"}}}}],
            })
        return httpx.Response(404)


@pytest.fixture
def rasa() -> SwitchableRasa:
    return SwitchableRasa(HANDOFF_REPLY)


@pytest.fixture
def client(make_client, rasa):
    return make_client(rasa, **ALWAYS_OPEN)


def events(client, sender: str, after: int = 0, last_event_id: str | None = None) -> list[dict[str, Any]]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    response = client.get(f"/api/takeover/{sender}/events", params={"after": after}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    found = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in lines:
            event = json.loads(lines["data"])
            assert int(lines["id"]) == event["id"]
            found.append(event)
    return found


def handed_off(client, sender: str = "web-citizen-1") -> str:
    client.post("/api/desk/heartbeat", json=AGENT)
    assert client.post("/api/chat", json={"sender_id": sender, "message": "我要转人工"}).status_code == 200
    return sender


def test_a_handoff_joins_the_queue_with_the_citizens_question(client):
    sender = handed_off(client)
    status = client.get(f"/api/takeover/{sender}").json()
    assert status["state"] == "queued" and status["available"] is True
    queue = client.get("/api/desk/queue").json()["queue"]
    assert [(row["sender_id"], row["state"], row["question"]) for row in queue] == [(sender, "queued", "我要转人工")]


def test_a_whole_takeover(client, rasa):
    sender = handed_off(client)
    turns_before = len(rasa.received)
    claimed = client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    assert claimed.status_code == 200 and claimed.json()["state"] == "claimed"

    # The bot is silent: Rasa gets nothing, the agent gets the citizen's words.
    reply = client.post("/api/chat", json={"sender_id": sender, "message": "我的社保卡丢了，电话13812345678"})
    assert reply.status_code == 200 and reply.json()["messages"] == []
    assert len(rasa.received) == turns_before
    agent_view = client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"]
    citizen_lines = [m["text"] for m in agent_view if m["author"] == "citizen"]
    assert citizen_lines == ["我的社保卡丢了,电话[手机号]"]  # normalised (half-width comma), redacted

    # Agent text and a guide card (the bot's guide shape) reach the widget's stream, in order.
    code = client.get("/api/items", params={"q": "社保卡补领"}).json()["results"][0]["code"]
    assert client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "您好，我是小李"}).status_code == 201
    card = client.post(f"/api/desk/conversations/{sender}/messages", json={"agent_id": "agent-a", "guide": {"code": code}})
    assert card.status_code == 201
    seen = events(client, sender)
    assert [e["text"] for e in seen if e["author"] == "system"][:2] == ["正在为您转接人工客服，请稍候。您可以继续输入，客服接入后会看到您的留言。",
                                                                       "人工客服正在为您服务"]
    agent_events = [e for e in seen if e["author"] == "agent"]
    assert agent_events[0]["text"] == "您好，我是小李" and agent_events[0]["agent_name"] == "小李"
    assert agent_events[1]["kind"] == "guide" and agent_events[1]["payload"]["type"] == "guide"
    assert agent_events[1]["payload"]["items"][0]["code"] == code
    assert all(e["author"] != "citizen" for e in seen)
    ids = [e["id"] for e in seen]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    # Release: the bot answers again.
    assert client.post(f"/api/desk/conversations/{sender}/release", json={"agent_id": "agent-a"}).status_code == 200
    assert client.get(f"/api/takeover/{sender}").json()["state"] == "bot"
    rasa.replies = [{"recipient_id": "x", "text": "好的"}]
    assert client.post("/api/chat", json={"sender_id": sender, "message": "谢谢"}).json()["messages"][0]["text"] == "好的"
    assert len(rasa.received) == turns_before + 1


def test_the_stream_resumes_after_the_last_event_id_without_repeats(client):
    sender = handed_off(client)
    client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    for text in ("一", "二", "三"):
        client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": text})
    everything = events(client, sender)
    middle = everything[2]["id"]
    resumed = events(client, sender, last_event_id=str(middle))
    assert [e["id"] for e in resumed] == [e["id"] for e in everything if e["id"] > middle]
    assert events(client, sender, after=everything[-1]["id"]) == []


def test_a_second_claim_is_a_conflict_and_changes_nothing(client):
    sender = handed_off(client)
    assert client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT).status_code == 200
    second = client.post(f"/api/desk/conversations/{sender}/claim", json=OTHER_AGENT)
    assert second.status_code == 409 and "小李" in second.json()["detail"]
    intruder = client.post(f"/api/desk/conversations/{sender}/messages", json={**OTHER_AGENT, "text": "我来"})
    assert intruder.status_code == 409
    state = client.get(f"/api/desk/conversations/{sender}/messages").json()
    assert state["agent_id"] == "agent-a" and all(m["text"] != "我来" for m in state["messages"])


@pytest.mark.parametrize("sender", ["web-nobody", "web-never-handed-off"])
def test_an_unknown_conversation_is_404(client, sender):
    assert client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT).status_code == 404
    assert client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "在吗"}).status_code == 404
    assert client.post(f"/api/desk/conversations/{sender}/release", json=AGENT).status_code == 404
    assert client.get(f"/api/desk/conversations/{sender}/messages").status_code == 404


def test_a_message_to_a_released_chat_is_refused(client):
    sender = handed_off(client)
    client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    client.post(f"/api/desk/conversations/{sender}/release", json=AGENT)
    before = client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"]
    late = client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "还在吗"})
    assert late.status_code == 409 and "已结束" in late.json()["detail"]
    assert client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"] == before
    assert client.post(f"/api/desk/conversations/{sender}/release", json=AGENT).status_code == 409


def test_an_oversized_or_empty_agent_message_is_refused(make_client, rasa):
    client = make_client(rasa, takeover_max_agent_chars=20, **ALWAYS_OPEN)
    sender = handed_off(client)
    client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    before = client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"]
    assert client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "字" * 21}).status_code == 413
    assert client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "  "}).status_code == 422
    unknown_item = client.post(f"/api/desk/conversations/{sender}/messages",
                               json={**AGENT, "guide": {"code": "no-such-item"}})
    assert unknown_item.status_code == 404
    assert client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"] == before


@pytest.mark.parametrize("path", ["/api/takeover/bad id", "/api/takeover/" + "x" * 129])
def test_a_malformed_sender_id_is_422(client, path):
    assert client.get(path).status_code in (404, 422)  # a space cannot route; a long id is refused


def test_agent_apis_need_the_token_when_one_is_set(make_client, rasa):
    client = make_client(rasa, agent_token="s3cret-token-for-tests", **ALWAYS_OPEN)
    assert client.get("/api/desk/queue").status_code == 401
    assert client.post("/api/desk/heartbeat", json=AGENT).status_code == 401
    ok = client.get("/api/desk/queue", headers={"X-Agent-Token": "s3cret-token-for-tests"})
    assert ok.status_code == 200


def test_with_no_agent_online_the_citizen_is_told_and_nothing_is_queued(client):
    sender = "web-alone"
    client.post("/api/chat", json={"sender_id": sender, "message": "我要转人工"})
    status = client.get(f"/api/takeover/{sender}").json()
    assert status["state"] == "bot" and status["available"] is False
    assert "12345" in status["unavailable_text"] and "电话" in status["unavailable_text"]
    assert client.get("/api/desk/queue").json()["queue"] == []


def test_outside_working_hours_the_citizen_is_told_the_hours(make_client, rasa):
    client = make_client(rasa, takeover_hours="00:00-00:01", takeover_days="1")
    client.post("/api/desk/heartbeat", json=AGENT)
    status = client.get("/api/takeover/web-late").json()
    # The window is one minute a week: if this run is inside it, it is open, and says nothing.
    if not status["available"]:
        assert "非工作时间" in status["unavailable_text"] and "12345" in status["unavailable_text"]


def test_a_callback_keeps_the_number_for_agents_and_out_of_the_logs(client, caplog):
    sender = handed_off(client)
    caplog.set_level("INFO")
    left = client.post(f"/api/takeover/{sender}/callback", json={"phone": "138 1234 5678"})
    assert left.status_code == 201
    listed = client.get("/api/desk/callbacks").json()["callbacks"]
    assert [c["phone"] for c in listed] == ["13812345678"]
    assert "13812345678" not in caplog.text
    assert client.post(f"/api/takeover/{sender}/callback", json={"phone": "12"}).status_code == 422
    assert len(client.get("/api/desk/callbacks").json()["callbacks"]) == 1
    assert client.post(f"/api/desk/callbacks/{listed[0]['id']}/done", json=AGENT).status_code == 200
    assert client.post(f"/api/desk/callbacks/{listed[0]['id']}/done", json=AGENT).status_code == 409
    assert client.post("/api/desk/callbacks/999999/done", json=AGENT).status_code == 404


def flushed(client) -> None:
    """The exchange log stores turns from a writer thread; the console reads what is stored."""
    client.app.state.resources.exchange_log.flush()


def test_the_context_shows_words_understanding_and_guides_sent(client):
    sender = handed_off(client)
    flushed(client)
    context = client.get(f"/api/desk/conversations/{sender}").json()
    assert [t["citizen"] for t in context["turns"]] == ["我要转人工"]
    assert context["understood"]["status"] == "ambiguous"
    assert context["understood"]["facts"] == {"delegated": "no"}
    assert context["guides_sent"] == [{"code": "X1", "name": "社保卡补领", "place": "龙台镇便民服务中心"}]
    assert client.get("/api/desk/conversations/web-unknown").status_code == 404


def test_an_agent_picks_a_live_chat_from_the_list(client, rasa):
    rasa.replies = [{"recipient_id": "x", "text": "好的"}]
    client.post("/api/chat", json={"sender_id": "web-live", "message": "低保怎么办"})
    flushed(client)
    live = client.get("/api/desk/queue").json()["live"]
    assert [row["sender_id"] for row in live] == ["web-live"]
    picked = client.post("/api/desk/conversations/web-live/pick", json=AGENT)
    assert picked.status_code == 200 and picked.json()["state"] == "claimed"
    assert client.post("/api/desk/conversations/web-live/pick", json=OTHER_AGENT).status_code == 409
    assert client.post("/api/desk/conversations/web-nobody/pick", json=AGENT).status_code == 404


def test_a_closed_console_returns_its_conversations_to_the_queue(client):
    sender = handed_off(client)
    client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    assert client.post("/api/desk/sign-off", json={"agent_id": "agent-a"}).json() == {"requeued": 1}
    row = client.get("/api/desk/queue").json()["queue"][0]
    assert row["state"] == "queued" and row["agent_id"] is None
    assert events(client, sender)[-1]["text"] == "客服连接中断，已为您重新排队，请稍候。"
    assert client.post(f"/api/desk/conversations/{sender}/claim", json=OTHER_AGENT).status_code == 200


def test_ratings_and_callbacks_share_the_chats_per_sender_limit(make_client, rasa):
    client = make_client(rasa, rate_limit_per_minute=2, **ALWAYS_OPEN)
    rating = {"sender_id": "web-spam", "satisfied": True}
    assert [client.post("/api/ratings", json=rating).status_code for _ in range(3)] == [201, 201, 429]
    refused = client.post("/api/takeover/web-spam/callback", json={"phone": "13812345678"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.get("/api/desk/callbacks").json()["callbacks"] == []


def test_the_citizen_asks_for_a_person_from_the_widget(client):
    client.post("/api/desk/heartbeat", json=AGENT)
    asked = client.post("/api/takeover/web-asks/request", json={"question": "能找个人帮我看看吗"})
    assert asked.status_code == 200 and asked.json()["outcome"] == "queued"
    again = client.post("/api/takeover/web-asks/request", json={})
    assert again.json()["outcome"] == "already"
    assert [row["question"] for row in client.get("/api/desk/queue").json()["queue"]] == ["能找个人帮我看看吗"]


def test_asking_for_a_person_with_no_one_online_says_why(client):
    asked = client.post("/api/takeover/web-alone/request").json()
    assert asked["outcome"] == "unavailable" and asked["available"] is False and "12345" in asked["unavailable_text"]
    assert client.get("/api/takeover/web-alone").json()["state"] == "bot"


def test_a_citizen_who_starts_over_leaves_the_agent(client):
    sender = handed_off(client)
    client.post(f"/api/desk/conversations/{sender}/claim", json=AGENT)
    assert client.post(f"/api/takeover/{sender}/leave").json() == {"state": "bot", "left": True}
    assert client.get(f"/api/takeover/{sender}").json()["state"] == "bot"
    assert client.get(f"/api/desk/conversations/{sender}/messages").json()["messages"][-1]["text"] == "市民已结束本次会话（重新开始）。"
    assert client.post(f"/api/desk/conversations/{sender}/messages", json={**AGENT, "text": "在吗"}).status_code == 409
    assert client.post(f"/api/takeover/{sender}/leave").json() == {"state": "bot", "left": False}
