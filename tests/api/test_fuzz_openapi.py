"""Fuzzing: schemathesis generates requests from the app's own OpenAPI document and sends them
in-process to the ASGI app (no network; Rasa answered by a fake transport). No request may make
the app answer 5xx. Bounded: a fixed number of examples per operation, no shrinking deadline."""
from __future__ import annotations

import json

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from starlette.testclient import TestClient

from api.main import create_app, warm_catalog_caches
from api.settings import Settings

EXAMPLES_PER_OPERATION = 25


def fake_rasa(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/status":
        return httpx.Response(200, json={"model_file": "models/wyc-fuzz.tar.gz"})
    if request.url.path == "/webhooks/rest/webhook":
        sender = json.loads(request.content).get("sender", "x")
        return httpx.Response(200, json=[{"recipient_id": sender, "text": "好的",
                                          "custom": {"type": "handoff", "reason": "fuzz", "phone": "12345"}}])
    if request.url.path == "/model/parse":  # 说法诊断: the NLU's reading of any text, as Rasa would give it
        text = json.loads(request.content).get("text", "")
        return httpx.Response(200, json={"text": text, "intent": {"name": "ask_item", "confidence": 0.5}, "entities": []})
    if request.url.path.startswith("/conversations/") and request.url.path.endswith("/tracker/events"):
        return httpx.Response(200, json={})  # 「重新开始」: the restart event is appended
    return httpx.Response(404)


@pytest.fixture(scope="module")
def fuzz_app(catalog_url, tmp_path_factory):
    settings_ = Settings(
        _env_file=None,
        environment="test",
        database_url=catalog_url,
        log_database_url=f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'exchanges.db'}",
        rasa_url="http://rasa.fuzz",
        public_base_url="https://wyc.example.test",
        agent_token=None,
        rate_limit_per_minute=0,  # reach the whole chat path on every example
        rate_limit_per_client_per_minute=0,
        # A configured WeChat channel: unconfigured, it answers a designed 503.
        wechat_token="fuzz-wechat-token",
        # The takeover event stream answers what it has and ends, instead of holding each example
        # for a browser's 25 s (the in-process transport reads a response to its end).
        takeover_stream_seconds=0,
    )
    app = create_app(settings_, rasa_transport=httpx.MockTransport(fake_rasa))
    # The first search builds the resolver's index (about 5–11 s on a 2-core machine); built here, before
    # fuzzing, it does not count against the in-process transport's 10 s per request.
    with app.state.resources.catalog_sessions() as session:
        warm_catalog_caches(session)
    assert TestClient(app).get("/api/items", params={"q": "社保卡"}).status_code == 200
    return app


def operations(app) -> list:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 8, "the OpenAPI document lost its operations: nothing would be fuzzed"
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_request_makes_the_app_fail(fuzz_app, mode):
    """Valid requests and schema-violating ones: each may be refused (4xx), never crash (5xx)."""
    failures: list[str] = []
    calls: dict[str, int] = {}
    for operation in operations(fuzz_app):

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case):
            response = case.call()
            calls[operation.label] = calls.get(operation.label, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}")

        try:
            call()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without inputs cannot be made invalid
    assert sum(calls.values()) >= 5 * len(calls) and len(calls) >= 6, calls
    assert not failures, "\n".join(failures[:10])
