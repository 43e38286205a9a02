"""Live takeover on the production shape (tests/production/conftest.py): nginx → two uvicorn workers →
two Rasa replicas, the desk tables on PostgreSQL. Every request goes through nginx, so the citizen's
turns, the agent's calls and the event stream land on either worker; the queue, the ownership and
the message numbers are the database's, so it makes no difference."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

CITIZEN_TURNS = 6
AGENT_TURNS = 3


def read_events(client: httpx.Client, sender: str, wanted: int, last_event_id: str | None = None) -> list[dict]:
    """The first ``wanted`` events of the stream (it stays open up to 25 s; we stop when we have them)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    events: list[dict] = []
    with client.stream("GET", f"/api/takeover/{sender}/events", headers=headers, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[len("data: "):]))
                if len(events) >= wanted:
                    break
    return events


def test_a_takeover_through_nginx_on_two_workers(cluster):
    agent = {"X-Agent-Token": cluster.agent_token}
    me = {"agent_id": f"agent-{uuid.uuid4().hex[:8]}", "name": "小李"}
    sender = f"web-prod-takeover-{uuid.uuid4().hex[:8]}"
    client = cluster.client
    assert client.post("/api/desk/heartbeat", json=me, headers=agent).status_code == 200
    try:
        handed = cluster.chat(sender, "我要转人工")
        assert handed.status_code == 200
        assert any((m.get("custom") or {}).get("type") == "handoff" for m in handed.json()["messages"])
        assert client.get(f"/api/takeover/{sender}").json()["state"] == "queued"
        assert client.post(f"/api/desk/conversations/{sender}/claim", json=me, headers=agent).status_code == 200
        again = client.post(f"/api/desk/conversations/{sender}/claim",
                            json={"agent_id": "agent-other", "name": "小王"}, headers=agent)
        assert again.status_code == 409

        for n in range(CITIZEN_TURNS):  # spread over both workers by the kernel; the bot stays silent
            turn = cluster.chat(sender, f"第{n}句")
            assert turn.status_code == 200 and turn.json()["messages"] == []
        for n in range(AGENT_TURNS):
            sent = client.post(f"/api/desk/conversations/{sender}/messages", json={**me, "text": f"回复{n}"},
                               headers=agent)
            assert sent.status_code == 201

        events = read_events(client, sender, 2 + AGENT_TURNS)  # queued, claimed, the agent's messages
        assert [e["text"] for e in events if e["author"] == "agent"] == [f"回复{n}" for n in range(AGENT_TURNS)]
        ids = [e["id"] for e in events]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        resumed = read_events(client, sender, 1, last_event_id=str(ids[-2]))
        assert resumed[0]["id"] == ids[-1]

        seen = client.get(f"/api/desk/conversations/{sender}/messages", headers=agent).json()["messages"]
        assert [m["text"] for m in seen if m["author"] == "citizen"] == [f"第{n}句" for n in range(CITIZEN_TURNS)]
        assert [m["id"] for m in seen] == list(range(1, len(seen) + 1))

        assert client.post(f"/api/desk/conversations/{sender}/release", json=me, headers=agent).status_code == 200
        late = client.post(f"/api/desk/conversations/{sender}/messages", json={**me, "text": "还在吗"}, headers=agent)
        assert late.status_code == 409
        back = cluster.chat(sender, "社保卡丢了怎么补")
        assert back.status_code == 200 and back.json()["messages"], "the bot answers again"
    finally:
        client.post("/api/desk/sign-off", json={"agent_id": me["agent_id"]}, headers=agent)
