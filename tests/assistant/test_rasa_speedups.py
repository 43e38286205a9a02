"""assistant/rasa_speedups.py: the action-response check is Rasa's, minus the per-call schema check."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import assistant  # noqa: F401  (installs the speedup, as Rasa's import of our component does)
from assistant import rasa_speedups

GUIDE_RESPONSE = {
    "events": [{"event": "slot", "timestamp": None, "name": "lookup_status", "value": "guide"}],
    "responses": [{"text": "【最低生活保障】一次性告知", "buttons": [], "elements": [], "custom": {"type": "guide"},
                   "image": None, "attachment": None, "template": None, "response": None}],
}
BAD_RESPONSES = [
    {"events": "not a list", "responses": []},
    {"events": [{"no_event_key": 1}], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "yesterday"}], "responses": []},
]


@pytest.fixture
def action():
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_installed_on_import_of_the_assistant_package():
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


def test_a_valid_response_passes(action):
    assert action._validate_action_result(GUIDE_RESPONSE) is True


@pytest.mark.parametrize("response", BAD_RESPONSES)
def test_an_invalid_response_fails_exactly_as_in_rasa(action, response):
    with pytest.raises(jsonschema.ValidationError) as stock:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(response)
    assert ours.value.message.startswith(stock.value.message)
    assert "Failed to validate Action server response from API" in ours.value.message
    assert list(ours.value.absolute_path) == list(stock.value.absolute_path)


def test_the_schema_is_checked_once(action, monkeypatch):
    calls = []
    validator_class = type(rasa_speedups._compiled_validator(RemoteAction.action_response_format_spec()))
    monkeypatch.setattr(rasa_speedups, "_validator", None)
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema: calls.append(schema)))
    for _ in range(5):
        action._validate_action_result(GUIDE_RESPONSE)
    assert len(calls) == 1
