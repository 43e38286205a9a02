"""/webhook and /actions: rasa_sdk's executor mounted in the app, same shapes as rasa_sdk 3.6."""
from __future__ import annotations

import json
import logging
import zlib

import pytest
from rasa_sdk import Action
from rasa_sdk.interfaces import ActionExecutionRejection

from api.deps import get_action_executor
from api.routes import actions as actions_route

REAL_ACTIONS = {"action_answer", "action_handoff", "action_reset_need"}


class ActionEchoForTests(Action):
    """Test-only action: echoes the latest message so the round trip is visible."""

    def name(self) -> str:
        return "action_echo_for_tests"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=f"echo: {tracker.latest_message.get('text')}")
        return [{"event": "slot", "name": "echoed", "value": True}]


class ActionCrashForTests(Action):
    def name(self) -> str:
        return "action_crash_for_tests"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("catalog went away")


class ActionRejectForTests(Action):
    def name(self) -> str:
        return "action_reject_for_tests"

    async def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "slot is not valid")


def action_call(name: str, text: str = "你好", intent: str = "greet", latest_action: str = "action_listen") -> dict:
    return {
        "next_action": name,
        "sender_id": "web-1",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "web-1",
            "slots": {},
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": latest_action,
        },
    }


@pytest.fixture
def client(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa)
    executor = client.app.state.resources.executor
    executor.register_action(ActionEchoForTests)
    executor.register_action(ActionRejectForTests)
    executor.register_action(ActionCrashForTests)
    return client


def test_lists_the_project_actions(client):
    response = client.get("/actions")
    assert response.status_code == 200
    names = {entry["name"] for entry in response.json()}
    assert names >= REAL_ACTIONS and "action_echo_for_tests" in names


def test_runs_a_registered_action(client):
    response = client.post("/webhook", json=action_call("action_echo_for_tests", text="社保卡"))
    assert response.status_code == 200
    body = response.json()
    assert body["events"] == [{"event": "slot", "name": "echoed", "value": True}]
    assert body["responses"][0]["text"] == "echo: 社保卡"


def test_runs_the_real_handoff_action(client):
    response = client.post("/webhook", json=action_call("action_handoff", text="我要投诉", intent="complaint",
                                                       latest_action="utter_handoff_complaint"))
    assert response.status_code == 200
    (message,) = response.json()["responses"]
    assert message["custom"] == {"type": "handoff", "reason": "complaint", "phone": "12345"}


def test_the_catalog_actions_read_the_apps_catalog_sessions(client):
    # The executor hands them the app's sessionmaker: one engine per process, the one /health checks.
    resources = client.app.state.resources
    answer = resources.executor.actions["action_answer"].__self__
    assert answer._sessions is resources.catalog_sessions


def test_deflated_body_is_accepted(client):
    body = zlib.compress(json.dumps(action_call("action_echo_for_tests", text="压缩")).encode())
    response = client.post("/webhook", content=body,
                           headers={"Content-Type": "application/json", "Content-Encoding": "deflate"})
    assert response.status_code == 200 and response.json()["responses"][0]["text"] == "echo: 压缩"


def test_unknown_action_is_404(client):
    response = client.post("/webhook", json=action_call("action_does_not_exist"))
    assert response.status_code == 404
    assert response.json()["action_name"] == "action_does_not_exist"
    assert "action_does_not_exist" in response.json()["error"]


def test_rejection_is_400_with_the_sdk_error_shape(client):
    response = client.post("/webhook", json=action_call("action_reject_for_tests"))
    assert response.status_code == 400
    assert response.json() == {"error": "slot is not valid", "action_name": "action_reject_for_tests"}


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"next_action": "action_echo_for_tests"}'])
def test_invalid_body_is_400(client, body):
    response = client.post("/webhook", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "Invalid body request" in response.json()["error"]


def test_failing_action_is_500_without_the_citizens_words(client, caplog):
    with caplog.at_level(logging.ERROR, logger="api.routes.actions"):
        response = client.post("/webhook", json=action_call("action_crash_for_tests", text="我的电话13812345678"))
    assert response.status_code == 500
    assert response.json() == {"error": "RuntimeError", "action_name": "action_crash_for_tests"}
    assert "action action_crash_for_tests failed" in caplog.text and "13812345678" not in response.text


def test_failing_action_is_reported_by_health_outcomes(client):
    client.post("/webhook", json=action_call("action_crash_for_tests"))
    outcomes = client.app.state.resources.action_outcomes
    assert outcomes.last_failure is not None


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_other_methods_on_the_webhook_are_405(client, method):
    response = client.request(method, "/webhook")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_action_call_body_arriving_in_chunks_is_read_whole(client):
    body = json.dumps(action_call("action_echo_for_tests", text="分块")).encode()
    response = client.post("/webhook", content=(body[i:i + 50] for i in range(0, len(body), 50)),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["responses"][0]["text"] == "echo: 分块"


def test_executor_can_be_overridden(client):
    class Fake:
        actions = {"only_this": None}

    client.app.dependency_overrides[get_action_executor] = lambda: Fake()
    assert client.get("/actions").json() == [{"name": "only_this"}]


def _access_record(method, path, status):
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", method, path, "1.1", status), None)


@pytest.mark.parametrize(("method", "path", "status", "kept"), [
    ("POST", "/webhook", 200, False),
    ("POST", "/webhook", 400, True),
    ("POST", "/webhook", 500, True),
    ("POST", "/api/chat", 200, True),
    ("GET", "/webhook", 405, True),
    ("POST", "/webhook?x=1", 200, True),
])
def test_access_log_skips_only_answered_action_calls(method, path, status, kept):
    assert actions_route.SkipAnsweredActionCalls().filter(_access_record(method, path, status)) is kept


def test_creating_the_app_installs_the_access_filter_once(make_client):
    make_client()
    make_client()
    filters = logging.getLogger("uvicorn.access").filters
    assert sum(isinstance(f, actions_route.SkipAnsweredActionCalls) for f in filters) == 1
