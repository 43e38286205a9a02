"""Shared fixtures for the API tests: one seeded catalog per session, apps with a fake Rasa.

Rasa is never a real process here: either an ``httpx.MockTransport`` answers for it, or
``rasa_url`` points at a closed port on 127.0.0.1. No network, no trained model.
"""
from __future__ import annotations

import json
import socket
from typing import Any, Callable, Iterator, Optional

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Action

from api.main import create_app
from api.settings import Settings
from tests.processes import reachable

PUBLIC_BASE = "https://wyc.example.test"

RasaHandler = Callable[[httpx.Request], httpx.Response]


def redis_up() -> bool:
    """The local Redis (127.0.0.1:6379) the production-path tests use; it runs here and in CI."""
    return reachable("127.0.0.1", 6379)


class Boom(Action):
    """An action that raises, as one does when the catalog database is gone."""

    def name(self) -> str:
        return "action_boom_for_tests"

    def run(self, dispatcher, tracker, domain):
        raise RuntimeError("catalog exploded")


class Fine(Action):
    def name(self) -> str:
        return "action_fine_for_tests"

    def run(self, dispatcher, tracker, domain):
        return []


@pytest.fixture
def closed_port() -> int:
    """A local port nobody listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_settings(catalog_url, tmp_path, closed_port) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": catalog_url,
            # Each test gets its own exchange log so it can count what was recorded.
            "log_database_url": f"sqlite:///{tmp_path / 'exchanges.db'}",
            "rasa_url": f"http://127.0.0.1:{closed_port}",
            "rasa_timeout_seconds": 2.0,
            "public_base_url": PUBLIC_BASE,
            "agent_token": None,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def make_client(make_settings) -> Iterator[Callable[..., TestClient]]:
    """Start an app (lifespan included) with a Rasa that answers through ``rasa`` (or is down)."""
    clients: list[TestClient] = []

    def start(
        rasa: Optional[RasaHandler] = None, action_package: Optional[str] = "actions", **overrides: Any
    ) -> TestClient:
        transport = httpx.MockTransport(rasa) if rasa is not None else None
        app: FastAPI = create_app(make_settings(**overrides), rasa_transport=transport, action_package=action_package)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


class FakeRasa:
    """Answers the REST channel with canned messages and remembers what it was sent."""

    def __init__(self, replies: Optional[list[dict[str, Any]]] = None, model_file: str = "models/wyc-test.tar.gz"):
        self.replies = replies if replies is not None else [{"recipient_id": "x", "text": "好的"}]
        self.model_file = model_file
        self.received: list[dict[str, Any]] = []

    @property
    def messages(self) -> list[str]:
        """The citizens' words it was sent, in order."""
        return [payload["message"] for payload in self.received]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook" and request.method == "POST":
            self.received.append(json.loads(request.content))
            return httpx.Response(200, json=self.replies)
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": self.model_file, "model_id": "abc", "num_active_training_jobs": 0})
        return httpx.Response(404, json={"error": "not found"})


@pytest.fixture
def fake_rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def rasa_replying() -> Callable[..., FakeRasa]:
    """Build a FakeRasa with given replies (tests cannot import conftest under importlib mode)."""
    return FakeRasa


@pytest.fixture
def exchanges_of() -> Callable[[TestClient], list]:
    def recorded(client: TestClient) -> list:
        """Recorded exchanges of the client's app, oldest first."""
        return list(reversed(client.app.state.resources.exchange_log.recent(limit=100)))

    return recorded
