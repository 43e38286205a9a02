"""/webhook is Rasa's alone and cannot stall the app: the shared token, the inflate cap, actions
run off the event loop with a deadline past which Rasa gets the handoff reply."""
from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
import zlib

import httpx
import pytest
from rasa_sdk import Action

from api.routes import actions as actions_route

TOKEN = "rasa-to-app-token-for-tests-4b1d"


class ActionSlowForTests(Action):
    """Blocks its thread (as a CPU-bound search would) until released or 5 s have passed."""

    release = threading.Event()
    finished = threading.Event()

    def name(self) -> str:
        return "action_slow_for_tests"

    async def run(self, dispatcher, tracker, domain):
        self.release.wait(timeout=5)
        self.finished.set()
        dispatcher.utter_message(text="slow answer")
        return []


class ActionCrashForTests(Action):
    def name(self) -> str:
        return "action_crash_for_tests"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("catalog went away")


class ActionThreadForTests(Action):
    """Says which thread it ran in."""

    def name(self) -> str:
        return "action_thread_for_tests"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=threading.current_thread().name)
        return []


def action_call(name: str, text: str = "你好") -> dict:
    return {
        "next_action": name, "sender_id": "web-1", "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": "web-1", "slots": {}, "events": [], "paused": False, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen",
                    "latest_message": {"text": text, "intent": {"name": "greet", "confidence": 0.9}, "entities": []}},
    }


def register(client) -> None:
    executor = client.app.state.resources.executor
    for action in (ActionSlowForTests, ActionCrashForTests, ActionThreadForTests):
        executor.register_action(action)


@pytest.fixture
def secured(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa, action_token=TOKEN)
    register(client)
    return client


# --- the shared secret ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-Action-Token": "wrong"}, {"X-Action-Token": TOKEN[:-1]},
                                     {"X-Action-Token": ""}, {"Authorization": f"Bearer {TOKEN}"}])
def test_a_call_without_the_token_is_401_and_runs_nothing(secured, headers):
    response = secured.post("/webhook", json=action_call("action_thread_for_tests"), headers=headers)
    assert response.status_code == 401
    assert "X-Action-Token" in response.json()["detail"]


def test_the_token_in_the_query_string_is_not_enough(secured):
    """Rasa sends it as a header; a token in the URL would land in access logs."""
    response = secured.post(f"/webhook?token={TOKEN}", json=action_call("action_thread_for_tests"))
    assert response.status_code == 401


def test_a_call_with_the_token_runs_the_action(secured):
    response = secured.post("/webhook", json=action_call("action_thread_for_tests"), headers={"X-Action-Token": TOKEN})
    assert response.status_code == 200


def test_an_outsider_cannot_make_health_report_failing_actions(secured):
    """Issue 19: an anonymous POST made /health answer 503 for two minutes."""
    for body in ({"next_action": "action_answer"}, action_call("action_crash_for_tests")):
        assert secured.post("/webhook", json=body).status_code == 401
    outcomes = secured.app.state.resources.action_outcomes
    assert outcomes.last_failure is None and outcomes.failing() is None
    assert secured.get("/health").json()["parts"]["app"] == "ok"


def test_a_failing_action_called_by_rasa_is_still_reported(secured):
    response = secured.post("/webhook", json=action_call("action_crash_for_tests"), headers={"X-Action-Token": TOKEN})
    assert response.status_code == 500
    assert secured.get("/health").json()["parts"]["app"].startswith("error: actions failing")


def test_a_malformed_call_with_the_token_is_not_an_action_failure(secured):
    response = secured.post("/webhook", json={"next_action": "action_thread_for_tests"}, headers={"X-Action-Token": TOKEN})
    assert response.status_code == 400
    assert secured.app.state.resources.action_outcomes.last_failure is None


def test_the_token_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(actions_route.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    scope = {"headers": [(b"x-action-token", b"abc")]}
    assert actions_route.token_matches("abc", scope) and not actions_route.token_matches("abd", scope)
    assert len(calls) == 2
    assert actions_route.token_matches(None, {"headers": []})  # no token configured: development


# --- size: the inflate cap -----------------------------------------------------------------


def test_a_deflate_bomb_is_413_without_inflating_it(secured):
    bomb = zlib.compress(b"{" + b" " * (50 * 1024 * 1024) + b"}", 9)
    assert len(bomb) < 64 * 1024
    response = secured.post("/webhook", content=bomb, headers={
        "X-Action-Token": TOKEN, "Content-Type": "application/json", "Content-Encoding": "deflate"})
    assert response.status_code == 413 and "bytes" in response.json()["detail"]


def test_a_deflated_call_within_the_cap_runs(secured):
    body = zlib.compress(json.dumps(action_call("action_thread_for_tests")).encode())
    response = secured.post("/webhook", content=body, headers={
        "X-Action-Token": TOKEN, "Content-Type": "application/json", "Content-Encoding": "deflate"})
    assert response.status_code == 200


@pytest.mark.parametrize("size, too_large", [(1000, False), (1024 * 1024, False), (1024 * 1024 + 1, True)])
def test_inflate_stops_at_the_cap(size, too_large):
    data = b"x" * size
    if too_large:
        with pytest.raises(actions_route.BodyTooLarge):
            actions_route.inflate(zlib.compress(data), 1024 * 1024)
    else:
        assert actions_route.inflate(zlib.compress(data), 1024 * 1024) == data


def test_a_truncated_deflate_stream_is_an_invalid_body(secured):
    body = zlib.compress(json.dumps(action_call("action_thread_for_tests")).encode())[:-6]
    response = secured.post("/webhook", content=body, headers={
        "X-Action-Token": TOKEN, "Content-Type": "application/json", "Content-Encoding": "deflate"})
    assert response.status_code == 400


# --- off the event loop, with a deadline ----------------------------------------------------


def test_actions_run_in_a_worker_thread(secured):
    response = secured.post("/webhook", json=action_call("action_thread_for_tests"), headers={"X-Action-Token": TOKEN})
    assert response.json()["responses"][0]["text"].startswith("wyc-action")


def test_a_call_past_its_deadline_gets_the_handoff_reply_and_health_stays_ok(make_client, fake_rasa, caplog):
    client = make_client(rasa=fake_rasa, action_token=TOKEN, action_deadline_seconds=0.3)
    register(client)
    ActionSlowForTests.release.clear()
    ActionSlowForTests.finished.clear()
    try:
        started = time.monotonic()
        response = client.post("/webhook", json=action_call("action_slow_for_tests"), headers={"X-Action-Token": TOKEN})
        took = time.monotonic() - started
    finally:
        ActionSlowForTests.release.set()
    assert response.status_code == 200 and took < 3
    body = response.json()
    from catalog.contract import handoff_payload

    assert body["responses"][0]["response"] == "utter_handoff"  # the domain's sentence, rendered by Rasa
    assert body["responses"][1]["custom"] == handoff_payload(actions_route.DEADLINE_REASON)
    assert {"event": "slot", "name": "pending_question", "value": False, "timestamp": None} in body["events"]
    assert "not answered within 0.3 s" in caplog.text
    assert client.get("/health").json()["parts"]["app"] == "ok"
    assert ActionSlowForTests.finished.wait(5)


def test_the_deadline_answer_has_the_shape_rasa_accepts():
    """Rasa 3.6 checks action responses against RemoteAction.action_response_format_spec: an
    object with a list of events (objects with a string ``event``) and a list of responses."""
    answer = json.loads(json.dumps(actions_route.deadline_answer()))
    assert set(answer) == {"events", "responses"}
    assert all(isinstance(event, dict) and isinstance(event["event"], str) for event in answer["events"])
    assert all(isinstance(response, dict) for response in answer["responses"])


def test_the_event_loop_answers_while_an_action_runs(make_client, fake_rasa):
    """/health/live answers while an action holds its worker (it used to wait for the action)."""
    client = make_client(rasa=fake_rasa, action_token=TOKEN, action_deadline_seconds=10)
    register(client)
    ActionSlowForTests.release.clear()
    ActionSlowForTests.finished.clear()
    app = client.app

    async def scenario() -> tuple[int, list[int]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            slow = asyncio.ensure_future(http.post("/webhook", json=action_call("action_slow_for_tests"),
                                                   headers={"X-Action-Token": TOKEN}))
            await asyncio.sleep(0.2)
            live = [(await http.get("/health/live")).status_code for _ in range(5)]
            assert not slow.done()  # the action still runs, and the loop answered anyway
            ActionSlowForTests.release.set()
            return (await slow).status_code, live

    try:
        status, live = asyncio.run(scenario())
    finally:
        ActionSlowForTests.release.set()
    assert live == [200] * 5 and status == 200
