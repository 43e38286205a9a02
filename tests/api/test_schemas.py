"""The chat payload models follow docs/DESIGN.md §6 and are documented in OpenAPI."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from api.schemas import (
    BotMessage,
    CandidatesPayload,
    ChatResponse,
    ClarifyPayload,
    GuidePayload,
    HandoffPayload,
)
from api.settings import Settings

GUIDE = {
    "type": "guide",
    "bundle": {"name": "我要开小餐馆"},
    "items": [{"code": "511A0074300005", "name": "个体工商户设立登记", "department": "区行政审批局"}],
    "materials": [{"name": "委托代理人证明", "copies": 1, "form": "原件", "note": None, "condition": "如委托他人办理"}],
    "location": {"level": "county", "name": "广安区政务服务中心", "address": None, "hours": None, "phone": None},
    "time_limit": "8个工作日",
    "fee": "免费",
    "trips": 1,
    "online": "可网上申请",
    "guide_url": "https://wyc.example.test/guide/open-restaurant",
    "qr_url": "https://wyc.example.test/guide/open-restaurant/qr.svg",
    "code": "open-restaurant",
    "name": "我要开小餐馆",
    "sample_notice": "示例数据，以官方办事指南为准",
    "process": "一窗受理",
    "source": "authored sample",
    "pending": ["如委托他人办理"],
    "future_key": {"kept": True},
}


@pytest.mark.parametrize(
    "custom, model",
    [
        (GUIDE, GuidePayload),
        ({"type": "clarify", "questions": [{"slot": "place", "text": "您在哪个乡镇？", "options": []}]}, ClarifyPayload),
        ({"type": "handoff", "reason": "out_of_scope", "phone": "12345"}, HandoffPayload),
        ({"type": "candidates", "items": [{"code": "a", "name": "社会保障卡申领"}]}, CandidatesPayload),
    ],
)
def test_custom_payload_is_chosen_by_type(custom, model):
    message = BotMessage.model_validate({"text": "…", "custom": custom})
    assert isinstance(message.custom, model)
    assert message.model_dump(mode="json")["custom"]["type"] == custom["type"]


def test_guide_keeps_contract_and_extra_keys():
    dumped = BotMessage.model_validate({"custom": GUIDE}).model_dump(mode="json")["custom"]
    for key in ("bundle", "items", "materials", "location", "time_limit", "fee", "trips", "online",
                "guide_url", "qr_url", "code", "name", "sample_notice", "process", "source", "pending"):
        assert _contains(dumped[key], GUIDE[key]), key
    assert dumped["future_key"] == {"kept": True}


def _contains(actual, expected) -> bool:
    """Every key the sender gave comes back unchanged (optional keys may be added as null)."""
    if isinstance(expected, dict):
        return all(key in actual and _contains(actual[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return len(actual) == len(expected) and all(_contains(a, e) for a, e in zip(actual, expected))
    return actual == expected


def test_unknown_payload_type_is_rejected():
    with pytest.raises(ValidationError):
        BotMessage.model_validate({"custom": {"type": "poem", "text": "床前明月光"}})


def test_location_level_is_one_of_three():
    broken = dict(GUIDE, location={"level": "province", "name": "四川省政务服务中心"})
    with pytest.raises(ValidationError):
        GuidePayload.model_validate(broken)


def test_handoff_defaults_to_the_hotline():
    assert HandoffPayload(reason="assistant_unavailable").phone == "12345"


def test_status_is_not_serialised():
    response = ChatResponse(sender_id="web-1", messages=[]).with_status("assistant_unavailable")
    assert response.status == "assistant_unavailable"
    assert response.model_dump() == {"sender_id": "web-1", "messages": []}


def test_openapi_documents_the_chat_payloads(tmp_path):
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'c.db'}", load_default_catalog=False)
    schema = TestClient(create_app(settings, action_package=None)).get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for name in ("ChatRequest", "ChatResponse", "BotMessage", "GuidePayload", "ClarifyPayload",
                 "HandoffPayload", "CandidatesPayload", "Material", "Location"):
        assert name in components, name
    custom = components["BotMessage"]["properties"]["custom"]
    assert "discriminator" in str(custom)
    assert set(components["ChatRequest"]["required"]) == {"sender_id", "message"}
    chat = schema["paths"]["/api/chat"]["post"]
    assert chat["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ChatResponse")
