"""Security: agent token (constant-time), production refuses placeholder secrets, CORS limited to
the configured origins, no citizen ID or mobile number in any log line, degraded answers."""
from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from api.routes import agents
from api.security import install_logging
from api.settings import Settings
from tests.api.conftest import Boom, Fine

ID_NUMBER = "51160219800101123X"
MOBILE = "13812345678"


# --- agent token --------------------------------------------------------------------------


@pytest.mark.parametrize("headers, expected", [
    ({}, 401),
    ({"X-Agent-Token": "wrong-token-value"}, 401),
    ({"X-Agent-Token": "s3cret-agent-token-for-tests"[:-1]}, 401),  # a prefix is not the token
    ({"X-Agent-Token": "s3cret-agent-token-for-tests"}, 200),
])
def test_agent_apis_need_the_exact_token(make_client, headers, expected):
    client = make_client(agent_token="s3cret-agent-token-for-tests")
    assert client.get("/api/items", params={"q": "身份证"}, headers=headers).status_code == expected
    assert client.get("/api/regions", headers=headers).status_code == expected


def test_agent_api_ignores_the_token_in_the_query_string(make_client):
    """Only the page accepts ?token=; APIs take the header so tokens stay out of access logs."""
    client = make_client(agent_token="s3cret-agent-token-for-tests")
    assert client.get("/api/items", params={"q": "身份证", "token": "s3cret-agent-token-for-tests"}).status_code == 401
    assert client.get("/agent", params={"token": "s3cret-agent-token-for-tests"}).status_code == 200
    assert client.get("/agent").status_code == 401


def test_token_comparison_is_constant_time(monkeypatch):
    calls = []
    real = agents.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(agents.hmac, "compare_digest", spy)
    assert agents._token_matches("abc", "abc") and not agents._token_matches("abc", "abd")
    assert len(calls) == 2
    assert not agents._token_matches("abc", None) and not agents._token_matches("abc", "")


# --- production settings --------------------------------------------------------------------


def production(**values) -> Settings:
    base = {"environment": "production", "agent_token": "a-real-agent-token-1234",
            "action_token": "a-generated-action-token-5678", "rasa_token": "a-generated-rasa-token-9012"}
    base.update(values)
    return Settings(_env_file=None, **base)


def test_production_accepts_real_secrets():
    settings = production(wechat_token="wx-real-token-987", wechat_app_secret="0123456789abcdef")
    assert settings.environment == "production"


@pytest.mark.parametrize("field, value", [
    ("agent_token", "change-me"), ("agent_token", "  Secret "), ("wechat_token", "token"),
    ("wechat_app_secret", "changeme"), ("wechat_aes_key", "placeholder"),
])
def test_production_refuses_placeholder_secrets(field, value):
    with pytest.raises(ValidationError, match=field):
        production(**{field: value})


def test_production_requires_an_agent_token():
    with pytest.raises(ValidationError, match="agent_token must be set"):
        Settings(_env_file=None, environment="production", agent_token=None)


@pytest.mark.parametrize("field, url", [
    ("database_url", "postgresql+psycopg://wyc:change-me@db/wyc"),
    ("redis_url", "redis://:change-me@redis:6379/0"),
])
def test_production_refuses_placeholder_passwords_in_urls(field, url):
    with pytest.raises(ValidationError, match="placeholder password"):
        production(**{field: url})


def test_development_keeps_working_defaults():
    assert Settings(_env_file=None, environment="development", agent_token=None).agent_token is None


# --- CORS ---------------------------------------------------------------------------------


def test_cors_allows_only_the_configured_widget_origin(make_client, fake_rasa):
    client = make_client(fake_rasa, cors_origins=["https://12345.example.gov.cn"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = client.options("/api/chat", headers={"Origin": "https://12345.example.gov.cn", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://12345.example.gov.cn"
    refused = client.options("/api/chat", headers={"Origin": "https://evil.example.com", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    simple = client.post("/api/chat", json={"sender_id": "c1", "message": "身份证"},
                         headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in simple.headers


def test_no_cors_headers_without_configured_origins(make_client, fake_rasa):
    client = make_client(fake_rasa)
    response = client.post("/api/chat", json={"sender_id": "c1", "message": "身份证"},
                           headers={"Origin": "https://12345.example.gov.cn"})
    assert "access-control-allow-origin" not in response.headers


# --- PII in logs --------------------------------------------------------------------------


def test_no_id_or_mobile_number_reaches_any_log_line(make_client, rasa_replying, caplog):
    """Through the whole chat path (gateway, Rasa down and up, actions webhook), at DEBUG."""
    caplog.set_level(logging.DEBUG)
    text = f"我的身份证号{ID_NUMBER}，电话{MOBILE}，身份证丢了怎么补办"
    up = make_client(rasa_replying())
    assert up.post("/api/chat", json={"sender_id": MOBILE, "message": text}).status_code == 200
    down = make_client()  # Rasa refused: the warning names the sender
    assert down.post("/api/chat", json={"sender_id": MOBILE, "message": text}).status_code == 503
    # An action run whose tracker carries the numbers (actions log the sender id).
    action_call = {
        "next_action": "action_answer", "sender_id": MOBILE, "version": "3.6.2", "domain": {},
        "tracker": {"sender_id": MOBILE, "slots": {}, "latest_message": {"text": text, "intent": {"name": "ask"},
                    "entities": []}, "events": [], "paused": False, "followup_action": None,
                    "active_loop": {}, "latest_action_name": "action_listen"},
    }
    up.post("/webhook", json=action_call)
    logging.getLogger("actions.test").info("sender=%s text=%s", MOBILE, text)

    assert caplog.records, "nothing was logged: the test would prove nothing"
    rendered = "\n".join(record.getMessage() for record in caplog.records) + caplog.text
    assert MOBILE in text and ID_NUMBER in text
    assert MOBILE not in rendered and ID_NUMBER not in rendered
    assert "[手机号]" in rendered


def test_the_apps_lines_reach_stderr_where_nothing_configured_logging(monkeypatch):
    """Under uvicorn only its own loggers have handlers: the actions' 「rule=…」 lines were dropped."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    install_logging("INFO")
    assert len(root.handlers) == 1 and root.level == logging.INFO
    assert logging.getLogger("actions.answer").isEnabledFor(logging.INFO)
    # the per-request lines of the HTTP client carry Rasa's token in the address
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    handler = root.handlers[0]
    install_logging("DEBUG")  # configured already: left alone
    assert root.handlers == [handler] and root.level == logging.INFO


def test_a_citizens_words_are_logged_only_at_debug(make_client, rasa_replying, caplog):
    """The exchange log keeps a citizen's words under its retention; a log file at INFO would keep them for good."""
    caplog.set_level(logging.INFO)
    text = "低保咋个申请我住在协兴镇"
    assert make_client(rasa_replying()).post("/api/chat", json={"sender_id": "s-1", "message": text}).status_code == 200
    assert caplog.records and text not in caplog.text
    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="api.gateway")
    assert make_client(rasa_replying()).post("/api/chat", json={"sender_id": "s-2", "message": text}).status_code == 200
    assert text in caplog.text


# --- degraded answers ---------------------------------------------------------------------


def test_an_empty_rasa_reply_becomes_the_12345_handoff(make_client, rasa_replying, exchanges_of):
    client = make_client(rasa_replying([]))
    response = client.post("/api/chat", json={"sender_id": "quiet", "message": "身份证丢了"})
    assert response.status_code == 200
    (message,) = response.json()["messages"]
    assert message["custom"] == {"type": "handoff", "reason": "no_answer", "phone": "12345"}
    assert "12345" in message["text"]
    recorded = exchanges_of(client)[-1]
    assert recorded.payload_types == ["handoff"] and recorded.error == "rasa returned no message"


def test_a_raising_action_fails_health_until_an_action_succeeds(make_client, fake_rasa):
    client = make_client(fake_rasa)
    executor = client.app.state.resources.executor
    executor.register_action(Boom())
    executor.register_action(Fine())
    call = {"sender_id": "s", "version": "3.6.2", "domain": {},
            "tracker": {"sender_id": "s", "slots": {}, "latest_message": {}, "events": []}}
    assert client.get("/health").status_code == 200

    assert client.post("/webhook", json={**call, "next_action": "action_boom_for_tests"}).status_code == 500
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["parts"]["app"] == "error: actions failing (action_boom_for_tests raised RuntimeError)"

    assert client.post("/webhook", json={**call, "next_action": "action_fine_for_tests"}).status_code == 200
    assert client.get("/health").status_code == 200
