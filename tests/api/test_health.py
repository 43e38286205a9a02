"""/health says which part failed; /health/live only says the process is up."""
from __future__ import annotations

import httpx


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
