"""Body limits before any work (api/limits.py): declared and streamed sizes, every route, 413 JSON."""
from __future__ import annotations

import asyncio

import pytest

from api.gateway import ChatGateway
from api.limits import BodyLimit

KIB = 1024


@pytest.fixture
def client(make_client, fake_rasa):
    return make_client(rasa=fake_rasa, rate_limit_per_minute=0, rate_limit_per_client_per_minute=0)


@pytest.fixture
def normalised(monkeypatch) -> list[str]:
    """Every message the gateway normalised: a refused body must never get that far."""
    seen: list[str] = []
    real = ChatGateway.normalise_message

    def spy(self, text):
        seen.append(text)
        return real(self, text)

    monkeypatch.setattr(ChatGateway, "normalise_message", spy)
    return seen


def chunks(body: bytes, size: int = 4096):
    for start in range(0, len(body), size):
        yield body[start:start + size]


def big_chat(chars: int) -> bytes:
    return ('{"sender_id": "web-big", "message": "' + "办" * chars + '"}').encode()


def test_a_declared_oversized_body_is_413_and_never_normalised(client, normalised, fake_rasa):
    body = big_chat(10 * 1024 * 1024 // 3)  # ~10 MB, the case
    response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("请求体过大") and "65536" in response.json()["detail"]
    assert normalised == [] and fake_rasa.received == []


def test_a_chunked_oversized_body_is_413_through_the_app(client, normalised):
    body = big_chat(1024 * 1024 // 3)
    response = client.post("/api/chat", content=chunks(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and normalised == []


def test_a_streamed_body_stops_being_read_at_the_limit():
    """No Content-Length: the middleware pulls chunks only until the limit is passed."""
    pulled, sent = [], []
    total_chunks = 1000  # 4 MB in 4 KiB chunks

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 4096, "more_body": len(pulled) < total_chunks}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app was called")

    scope = {"type": "http", "path": "/api/chat", "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyLimit(app, 64 * KIB, 1024 * KIB)(scope, receive, send))
    assert sent[0]["status"] == 413 and len(pulled) == 17  # 16 chunks fit in 64 KiB, the 17th passes it


def test_a_body_within_the_limit_is_answered(client, normalised):
    response = client.post("/api/chat", json={"sender_id": "web-ok", "message": "社保卡补办"})
    assert response.status_code == 200 and normalised == ["社保卡补办"]


def test_a_chunked_body_within_the_limit_is_read_whole(client):
    body = '{"sender_id": "web-chunked", "message": "社保卡补办"}'.encode()
    response = client.post("/api/chat", content=chunks(body, 7), headers={"Content-Type": "application/json"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/chat", "/wechat", "/guide/open-restaurant", "/api/items?q=x", "/no/such/route"])
def test_every_route_has_the_limit(client, path):
    response = client.post(path, content=b"x" * (64 * KIB + 1), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_non_numeric_content_length_is_refused():
    sent = []

    async def app(scope, receive, send):  # pragma: no cover - must not be reached
        raise AssertionError("the app was called")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/api/chat", "headers": [(b"content-length", b"lots")]}
    asyncio.run(BodyLimit(app, 64 * KIB, 1024 * KIB)(scope, None, send))
    assert sent[0]["status"] == 413


def test_the_webhook_has_its_own_larger_limit(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa, action_token="webhook-limit-token-1234")
    headers = {"Content-Type": "application/json", "X-Action-Token": "webhook-limit-token-1234"}
    # A big tracker is fine: past the body limit it is a 400 (not an action call), not a 413.
    fits = client.post("/webhook", content=b"[" + b"1," * (200 * KIB) + b"1]", headers=headers)
    assert fits.status_code == 400
    over = client.post("/webhook", content=b"x" * (1024 * KIB + 1), headers=headers)
    assert over.status_code == 413 and "1048576" in over.json()["detail"]


def test_limits_come_from_the_settings(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa, max_body_bytes=2 * KIB)
    assert client.post("/api/chat", content=b"x" * (2 * KIB + 1)).status_code == 413
    assert client.post("/api/chat", json={"sender_id": "web-s", "message": "身份证"}).status_code == 200


def test_get_requests_without_a_body_pass_untouched(client):
    assert client.get("/health/live").status_code == 200
