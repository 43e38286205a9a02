"""Live takeover on the production shape (tests/production/conftest.py): nginx → two uvicorn workers →
two Rasa replicas, the desk tables on PostgreSQL, takeover notices through Redis.

Every request goes through nginx. Which app worker answered is read from ``X-Served-By``
(api/headers.py); which Rasa replica served a turn of this conversation, from nginx's Rasa log
(``replica=… conversation=<hash>``, deploy/nginx.conf.template). nginx keeps its connections to the
app open and reuses the last one freed, so one-at-a-time requests tend to stay on one worker: the
citizen's turns are sent a few at once, and event streams are held a few at once, until both
workers have some. The assertions then hold whichever worker each request reached: the bot silent
while an agent has the chat (not one Rasa call), every citizen message in the console once, every
agent message in every stream once and in order, promptly also on the worker that did not store it,
and the bot answering again after the release."""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.desk_models import conversation_hash

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

WAVE = 8  # citizen turns sent at once: as many connections from nginx, which the two workers share
MAX_WAVES = 3  # 24 turns at most: under the per-sender limit of 30 a minute with the bot's turns
MAX_STREAMS = 8
AGENT_TURNS = 3
# The streams look at the database every 5 s without a notice (takeover_poll_seconds): a message
# stored by the other worker that arrives well before that was pushed through Redis.
PUSHED_SECONDS = 2.5


def served_by(response: httpx.Response) -> str:
    name = response.headers.get("x-served-by")
    assert name, "every answer names its app worker"
    return name


class Stream:
    """One widget's event stream, read in a thread: its worker, and each event with when it arrived."""

    def __init__(self, url: str, sender: str, wanted: int) -> None:
        self.url, self.sender, self.wanted = url, sender, wanted
        self.worker: str | None = None
        self.events: list[tuple[dict, float]] = []
        self.opened = threading.Event()  # the first events (queued, claimed) arrived
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            with httpx.Client(base_url=self.url, timeout=60) as client, \
                    client.stream("GET", f"/api/takeover/{self.sender}/events") as response:
                assert response.status_code == 200
                self.worker = served_by(response)
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        self.events.append((json.loads(line[len("data: "):]), time.monotonic()))
                        if len(self.events) == 2:
                            self.opened.set()
                        if len(self.events) >= self.wanted:
                            return
        except BaseException as error:  # reported by the test thread
            self.error = error
        finally:
            self.opened.set()


def rasa_replicas(cluster, sender: str) -> list[str]:
    """The Rasa replica of each of this conversation's turns so far, in order (nginx's Rasa log)."""
    log = cluster.work / "nginx" / "rasa-access.log"
    mark = f"conversation={conversation_hash(sender)}"
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    return [re.search(r"replica=(\S+)", line).group(1) for line in text.splitlines() if line.endswith(mark)]


def test_a_takeover_through_nginx_on_two_workers(cluster):
    agent = {"X-Agent-Token": cluster.agent_token}
    me = {"agent_id": f"agent-{uuid.uuid4().hex[:8]}", "name": "小李"}
    sender = f"web-prod-takeover-{uuid.uuid4().hex[:8]}"
    client = cluster.client
    assert client.post("/api/desk/heartbeat", json=me, headers=agent).status_code == 200
    streams: list[Stream] = []
    try:
        asked = cluster.chat(sender, "社保卡丢了怎么补")
        assert asked.status_code == 200 and asked.json()["messages"]
        handed = cluster.chat(sender, "我要转人工")
        assert handed.status_code == 200
        assert any((m.get("custom") or {}).get("type") == "handoff" for m in handed.json()["messages"])
        assert client.get(f"/api/takeover/{sender}").json()["state"] == "queued"
        assert client.post(f"/api/desk/conversations/{sender}/claim", json=me, headers=agent).status_code == 200
        again = client.post(f"/api/desk/conversations/{sender}/claim",
                            json={"agent_id": "agent-other", "name": "小王"}, headers=agent)
        assert again.status_code == 409
        rasa_before = rasa_replicas(cluster, sender)
        assert len(rasa_before) == 2, "the bot's two turns went to Rasa"

        # The citizen writes while the agent has the chat, a few messages at once, until both workers took some.
        texts: list[str] = []
        workers: set[str] = set()
        with ThreadPoolExecutor(max_workers=WAVE) as pool:
            for wave in range(MAX_WAVES):
                batch = [f"第{wave}-{n}句" for n in range(WAVE)]
                turns = list(pool.map(lambda text: cluster.chat(sender, text), batch))
                for turn in turns:
                    assert turn.status_code == 200, turn.text
                    assert turn.json()["messages"] == [], "the bot is silent while an agent has the chat"
                    workers.add(served_by(turn))
                texts += batch
                if len(workers) == 2:
                    break
        assert len(workers) == 2, f"the citizen's turns all landed on one app worker: {workers}"

        assert client.post("/api/desk/heartbeat", json=me, headers=agent).status_code == 200  # as the console does
        # Widgets' event streams held at once, until both workers hold some.
        while len({s.worker for s in streams}) < 2 and len(streams) < MAX_STREAMS:
            opening = [Stream(cluster.url, sender, 2 + AGENT_TURNS) for _ in range(2)]
            for stream in opening:
                assert stream.opened.wait(30) and stream.error is None, stream.error
            streams += opening
        assert len({s.worker for s in streams}) == 2, "every event stream landed on one app worker"

        assert client.post("/api/desk/heartbeat", json=me, headers=agent).status_code == 200
        sent: list[tuple[dict, str, float]] = []  # the message, the worker that stored it, when
        for n in range(AGENT_TURNS):
            response = client.post(f"/api/desk/conversations/{sender}/messages", json={**me, "text": f"回复{n}"},
                                   headers=agent)
            assert response.status_code == 201
            sent.append((response.json(), served_by(response), time.monotonic()))
        for stream in streams:
            stream.thread.join(30)
            assert stream.error is None, stream.error
            events = [event for event, _ in stream.events]
            assert [e["payload"]["state"] for e in events[:2]] == ["queued", "claimed"]
            assert [(e["id"], e["text"]) for e in events[2:]] == [(m["id"], m["text"]) for m, _, _ in sent], \
                "each agent message once, in order, in every stream"
        crossed = [arrived - at for stream in streams for (event, arrived), (_, worker, at)
                   in zip(stream.events[2:], sent) if worker != stream.worker]
        assert crossed, "no message went from one worker to a stream on the other"
        assert max(crossed) < PUSHED_SECONDS, f"a message stored on one worker reached the other's stream late: {crossed}"

        resumed = [e for e, _ in streams[0].events]
        with client.stream("GET", f"/api/takeover/{sender}/events",
                           headers={"Last-Event-ID": str(resumed[-2]["id"])}, timeout=60) as response:
            first = next(json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: "))
        assert first["id"] == resumed[-1]["id"], "a reconnect with Last-Event-ID resumes after it, nothing repeated"

        seen = client.get(f"/api/desk/conversations/{sender}/messages", headers=agent).json()["messages"]
        citizen = [m["text"] for m in seen if m["author"] == "citizen"]
        assert sorted(citizen) == sorted(texts), "every citizen message reached the console once"
        assert [m["id"] for m in seen] == list(range(1, len(seen) + 1))
        assert rasa_replicas(cluster, sender) == rasa_before, "no turn went to Rasa while the agent had the chat"

        assert client.post(f"/api/desk/conversations/{sender}/release", json=me, headers=agent).status_code == 200
        late = client.post(f"/api/desk/conversations/{sender}/messages", json={**me, "text": "还在吗"}, headers=agent)
        assert late.status_code == 409
        back = cluster.chat(sender, "社保卡丢了怎么补")
        assert back.status_code == 200 and back.json()["messages"], "the bot answers again"
        assert client.get(f"/api/takeover/{sender}").json()["state"] == "bot"
        # nginx gives Rasa's requests to its replicas in turn; the bot's turns of this conversation
        # (health probes go round too) reach both within a few more.
        for _ in range(4):
            if len(set(rasa_replicas(cluster, sender))) == 2:
                break
            assert cluster.chat(sender, "办居住证要什么材料").status_code == 200
        replicas = set(rasa_replicas(cluster, sender))
        assert replicas == {f"127.0.0.1:{port}" for port in cluster.rasa_ports}, replicas
    finally:
        client.post("/api/desk/sign-off", json={"agent_id": me["agent_id"]}, headers=agent)
