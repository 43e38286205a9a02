"""/health says which part failed; /health/live only says the process is up."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Iterator

import httpx
import pytest

from api import action_outcomes
from api.action_outcomes import ActionOutcomes
from api.action_server import TrackedActionExecutor
from tests.api.conftest import Boom, Fine, redis_up


def test_all_parts_ok(make_client, fake_rasa):
    response = make_client(rasa=fake_rasa).get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["parts"]) == {"app", "catalog", "rasa"}
    assert body["parts"]["app"] == "ok"
    assert body["parts"]["rasa"] == "ok (model loaded)"
    count = int(body["parts"]["catalog"].removeprefix("ok (").removesuffix(" items)"))
    assert count >= 1135  # every real item of 广安区 plus the authored ones


def test_rasa_down_is_503(make_client):
    response = make_client().get("/health")
    assert response.status_code == 503
    parts = response.json()["parts"]
    assert parts["rasa"].startswith("error: rasa not reachable")
    assert parts["catalog"].startswith("ok")


def test_rasa_without_model_is_503(make_client, rasa_replying):
    response = make_client(rasa=rasa_replying(model_file="")).get("/health")
    assert response.status_code == 503
    assert response.json()["parts"]["rasa"] == "error: rasa has no model loaded"


def test_rasa_hanging_is_503_not_a_hang(make_client):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    response = make_client(rasa=slow).get("/health")
    assert response.status_code == 503 and "timed out" in response.json()["parts"]["rasa"]


def test_empty_catalog_is_503(make_client, fake_rasa, tmp_path):
    client = make_client(rasa=fake_rasa, database_url=f"sqlite:///{tmp_path / 'empty.db'}", load_default_catalog=False)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["parts"]["catalog"].startswith("error")
    assert response.json()["parts"]["rasa"] == "ok (model loaded)"


def test_broken_actions_package_is_reported(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa, action_package="no_such_actions_package_for_tests")
    response = client.get("/health")
    assert response.status_code == 503
    assert "no_such_actions_package_for_tests" in response.json()["parts"]["app"]
    assert client.get("/actions").json() == []


def test_live_needs_nothing(make_client):
    response = make_client(database_url="sqlite:////nonexistent-dir/x.db", load_default_catalog=False).get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# --- failing actions, shared between workers through Redis ----------------------------------
# Two ActionOutcomes (or two apps) on one Redis are two uvicorn workers. Each test has its own
# key prefix and removes its keys afterwards.

REDIS_URL = "redis://127.0.0.1:6379/0"
BOOM_FAILURE = "action_boom_for_tests raised RuntimeError"


needs_redis = pytest.mark.skipif(
    not redis_up(), reason="Redis not reachable on 127.0.0.1:6379: the shared /health tests need it"
)


def _call(action: str, sender: str = "citizen-4711") -> dict:
    return {"next_action": action, "sender_id": sender, "version": "3.6.2", "domain": {},
            "tracker": {"sender_id": sender, "slots": {}, "latest_message": {}, "events": []}}


def _worker(outcomes: ActionOutcomes) -> TrackedActionExecutor:
    executor = TrackedActionExecutor(outcomes)
    executor.register_action(Boom())
    executor.register_action(Fine())
    return executor


@pytest.fixture
def redis_prefix(monkeypatch) -> Iterator[str]:
    """This test's key prefix, also the apps' (ACTION_OUTCOME_PREFIX); its keys are deleted after."""
    import redis

    prefix = f"wyc:test-health:{uuid.uuid4().hex}:"
    monkeypatch.setattr(action_outcomes, "ACTION_OUTCOME_PREFIX", prefix)
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.mark.redis
@needs_redis
def test_a_failure_on_one_worker_is_reported_by_the_other_until_a_success_anywhere(redis_prefix):
    async def scenario() -> dict:
        first, second = ActionOutcomes(REDIS_URL), ActionOutcomes(REDIS_URL)
        workers = [_worker(first), _worker(second)]
        seen: dict = {}
        try:
            seen["before"] = await second.current_failure()
            with pytest.raises(RuntimeError, match="catalog exploded"):
                await workers[0].run(_call("action_boom_for_tests"))
            seen["second"] = await second.current_failure()
            seen["second_local"] = second.failing()
            seen["ttl_ms"] = await first._redis.pttl(f"{redis_prefix}actions-failing")
            seen["stored"] = json.loads(await first._redis.get(f"{redis_prefix}actions-failing"))
            await workers[1].run(_call("action_fine_for_tests"))
            seen["after"] = [await first.current_failure(), await second.current_failure()]
            seen["first_local_after"] = first.failing()
        finally:
            await first.aclose()
            await second.aclose()
        return seen

    seen = asyncio.run(scenario())
    assert seen["before"] is None
    assert seen["second"] == BOOM_FAILURE  # the other worker ran no action: it read Redis
    assert seen["second_local"] is None
    assert 0 < seen["ttl_ms"] <= action_outcomes.ACTION_FAILURE_MEMORY_SECONDS * 1000
    assert seen["stored"]["failure"] == BOOM_FAILURE and abs(seen["stored"]["at"] - time.time()) < 60
    # The success on the second worker cleared it for both, although the first still remembers its own.
    assert seen["after"] == [None, None]
    assert seen["first_local_after"] == BOOM_FAILURE


@pytest.mark.redis
@needs_redis
def test_the_shared_failure_expires_after_the_memory_window(redis_prefix, monkeypatch):
    monkeypatch.setattr(action_outcomes, "ACTION_FAILURE_MEMORY_SECONDS", 0.4)

    async def scenario() -> tuple:
        first, second = ActionOutcomes(REDIS_URL), ActionOutcomes(REDIS_URL)
        try:
            with pytest.raises(RuntimeError):
                await _worker(first).run(_call("action_boom_for_tests"))
            fresh = await second.current_failure()
            ttl_ms = await first._redis.pttl(f"{redis_prefix}actions-failing")
            await asyncio.sleep(0.6)
            return fresh, ttl_ms, await second.current_failure(), await first.current_failure()
        finally:
            await first.aclose()
            await second.aclose()

    fresh, ttl_ms, later_second, later_first = asyncio.run(scenario())
    assert fresh == BOOM_FAILURE
    assert 0 < ttl_ms <= 400
    assert later_second is None and later_first is None


def test_redis_down_fails_no_action_and_health_falls_back_to_this_worker(closed_port, caplog):
    outcomes = ActionOutcomes(f"redis://:secret-for-tests@127.0.0.1:{closed_port}/0")
    executor = _worker(outcomes)

    async def scenario() -> tuple:
        try:
            with pytest.raises(RuntimeError, match="catalog exploded"):  # the action's error, not Redis's
                await executor.run(_call("action_boom_for_tests"))
            after_boom = await outcomes.current_failure()
            result = await executor.run(_call("action_fine_for_tests"))
            return after_boom, result, await outcomes.current_failure()
        finally:
            await outcomes.aclose()

    with caplog.at_level(logging.WARNING, logger="api.action_outcomes"):
        after_boom, result, after_fine = asyncio.run(scenario())
    assert outcomes.shared
    assert after_boom == BOOM_FAILURE
    assert result["events"] == [] and after_fine is None
    warnings = [record for record in caplog.records if record.name == "api.action_outcomes"]
    assert len(warnings) == 1, caplog.text  # then Redis rests: not one warning (or timeout) per action
    assert "ConnectionError" in caplog.text
    assert "secret-for-tests" not in caplog.text and "citizen-4711" not in caplog.text


@pytest.mark.redis
@needs_redis
def test_two_app_workers_on_one_redis_report_the_same_failing_actions(make_client, fake_rasa, redis_prefix):
    workers = [make_client(fake_rasa, redis_url=REDIS_URL) for _ in range(2)]
    for client in workers:
        client.app.state.resources.executor.register_action(Boom())
        client.app.state.resources.executor.register_action(Fine())
    # The app part is what is shared; the other parts are probed afresh each time (a Redis PING or a
    # status call that times out on a loaded machine is theirs to report, not this test's).
    before = [client.get("/health").json()["parts"] for client in workers]
    assert [parts["app"] for parts in before] == ["ok", "ok"], before

    assert workers[0].post("/webhook", json=_call("action_boom_for_tests")).status_code == 500
    for client in workers:
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["parts"]["app"] == f"error: actions failing ({BOOM_FAILURE})"
        assert response.json()["parts"]["redis"] == "ok"

    assert workers[1].post("/webhook", json=_call("action_fine_for_tests")).status_code == 200
    after = [client.get("/health").json()["parts"] for client in workers]
    assert [parts["app"] for parts in after] == ["ok", "ok"], after


def test_app_with_redis_down_still_runs_actions_and_reports_its_own(make_client, fake_rasa, closed_port):
    client = make_client(fake_rasa, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    client.app.state.resources.executor.register_action(Boom())
    client.app.state.resources.executor.register_action(Fine())

    failed = client.post("/webhook", json=_call("action_boom_for_tests"))
    assert failed.status_code == 500 and failed.json()["error"] == "RuntimeError"  # the action's, not Redis's
    parts = client.get("/health").json()["parts"]
    assert parts["redis"].startswith("error: redis not reachable")
    assert parts["app"] == f"error: actions failing ({BOOM_FAILURE})"

    assert client.post("/webhook", json=_call("action_fine_for_tests")).status_code == 200
    assert client.get("/health").json()["parts"]["app"] == "ok"


def test_without_redis_the_outcome_stays_in_this_worker(make_client, fake_rasa):
    assert not make_client(fake_rasa).app.state.resources.action_outcomes.shared
