"""assistant/rasa_speedups.py: the action-response check is Rasa's, minus the per-call schema check;
the action calls keep their connection."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import assistant  # noqa: F401  (installs the speedup, as Rasa's import of our component does)
from assistant import rasa_speedups
from tests.local_http import serve

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
    assert EndpointConfig.session is rasa_speedups._session
    from rasa.shared.core.trackers import DialogueStateTracker

    assert DialogueStateTracker.past_states is rasa_speedups._past_states


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
    monkeypatch.setattr(rasa_speedups, "_by_event", None)  # every response takes the full check
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema: calls.append(schema)))
    for _ in range(5):
        action._validate_action_result(GUIDE_RESPONSE)
    assert len(calls) == 1


# ------------------------------------------------------- one kept connection to the action server

async def _serve(handler):
    return await serve("/webhook", handler)


def test_action_calls_reuse_one_connection_with_rasas_headers_and_auth():
    import asyncio

    from aiohttp import web

    seen = []

    async def handler(request):
        seen.append((request.transport.get_extra_info("peername"), request.headers.get("X-Deployment"),
                     request.headers.get("Authorization")))
        return web.json_response(GUIDE_RESPONSE)

    async def main():
        runner, url = await _serve(handler)
        try:
            endpoint = EndpointConfig(url, headers={"X-Deployment": "guangan"},
                                      basic_auth={"username": "rasa", "password": "s3cret"})
            for _ in range(3):
                assert await endpoint.request(json={"next_action": "action_answer"}) == GUIDE_RESPONSE
        finally:
            await runner.cleanup()

    asyncio.run(main())
    assert len(seen) == 3
    assert len({peer for peer, _, _ in seen}) == 1  # one TCP connection for three calls
    assert all(header == "guangan" and auth.startswith("Basic ") for _, header, auth in seen)


def test_a_remote_action_runs_through_the_kept_session_in_each_event_loop():
    import asyncio

    from aiohttp import web
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    async def handler(request):
        body = await request.json()
        assert body["next_action"] == "action_answer" and body["sender_id"] == "citizen-1"
        return web.json_response(GUIDE_RESPONSE)

    async def one_call():
        runner, url = await _serve(handler)
        try:
            action = RemoteAction("action_answer", EndpointConfig(url))
            return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                                    DialogueStateTracker("citizen-1", []), Domain.empty())
        finally:
            await runner.cleanup()

    for _ in range(2):  # a second loop gets its own session: the first one's loop is closed
        events = asyncio.run(one_call())
        assert [type(e).__name__ for e in events] == ["BotUttered", "SlotSet"]
        assert events[0].text == "【最低生活保障】一次性告知"
    # Making the second loop's session closed and dropped the first one's (its loop had ended).
    assert len(rasa_speedups._sessions) == 1


def test_sessions_are_closed_at_exit():
    import asyncio

    async def open_one():
        async with EndpointConfig("http://127.0.0.1:1/webhook").session() as session:
            return session

    session = asyncio.run(open_one())
    assert not session.closed
    rasa_speedups._close_all()
    assert session.closed and not rasa_speedups._sessions


# ------------------------------------------------- the per-event check agrees with the full schema

EVENT_SAMPLES = [
    {"event": "user", "text": "身份证丢了", "parse_data": {"intent": {"name": "ask_item", "confidence": 0.9},
                                                        "entities": [{"entity": "item", "value": "身份证", "start": 0, "end": 3}]}},
    {"event": "action", "name": "action_answer", "policy": None, "confidence": 1.0},
    {"event": "slot", "name": "town_code", "value": "511602108", "timestamp": None},
    {"event": "entities", "entities": [{"entity": "town", "value": "龙台镇"}]},
    {"event": "bot", "text": "好的", "data": {}, "metadata": {}},
    {"event": "followup", "name": "action_answer"},
    {"event": "reset_slots"}, {"event": "restart"}, {"event": "session_started", "metadata": None},
    {"event": "active_loop", "name": None}, {"event": "rewind"}, {"event": "undo"},
]
ODD_VALUES = [None, True, 0, 1.5, "x", [], {}, [{"entity": "x"}], {"name": 1}]


def _variants():
    for sample in EVENT_SAMPLES:
        yield {"events": [sample], "responses": []}
        for key in list(sample) + ["timestamp", "metadata", "event"]:
            for odd in ODD_VALUES:
                yield {"events": [{**sample, key: odd}]}
        yield {"events": [{k: v for k, v in sample.items() if k != "name"}]}
    yield {"events": [{"event": "no_such_event"}]}
    yield {"events": [{"no_event_key": 1}]}
    yield {"events": [1]}
    yield {"events": None}
    yield {"responses": [1]}
    yield {"responses": None}
    yield {"responses": [{"text": 1}]}
    yield {}
    yield []
    yield {"events": [EVENT_SAMPLES[2]] * 3, "responses": [{"text": "好的", "custom": {"type": "guide"}}]}
    yield GUIDE_RESPONSE


def test_the_per_event_check_says_valid_exactly_when_the_full_schema_does():
    schema = RemoteAction.action_response_format_spec()
    full = jsonschema.validators.validator_for(schema)(schema)
    checked = 0
    for response in _variants():
        assert rasa_speedups._certainly_valid(schema, response) == full.is_valid(response), response
        checked += 1
    assert checked > 500


def test_an_unknown_schema_turns_the_per_event_check_off(monkeypatch):
    monkeypatch.setattr(rasa_speedups, "_by_event", rasa_speedups._UNSET)
    changed = {"type": "object", "properties": {"events": {"type": "array"}}}
    assert rasa_speedups._certainly_valid(changed, GUIDE_RESPONSE) is False
    assert rasa_speedups._by_event is None


# ------------------------------------------------ prediction graphs run in order, without dask

class _Component:
    """A graph component whose method is named by the node's ``fn``; every call is recorded."""

    calls: list = []

    def __init__(self, config):
        self.config = config

    @classmethod
    def create(cls, config, model_storage, resource, execution_context, **kwargs):
        return cls(config)

    def provide(self):
        _Component.calls.append("provide")
        return self.config["x"]

    def add(self, left, right):
        _Component.calls.append("add")
        return left + right

    def double(self, value):
        _Component.calls.append("double")
        return [value, value]

    def fail(self, value):
        raise ValueError(f"cannot take {value}")


def _runner(tmp_path, hooks=None):
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    component = type("Component", (_Component, GraphComponent), {})

    def node(fn, needs, **config):
        return SchemaNode(needs=needs, uses=component, constructor_name="create", fn=fn, config=config)

    schema = GraphSchema({
        "provide": node("provide", {}, x=2),
        "add": node("add", {"left": "provide", "right": "__message__"}),
        "double": node("double", {"value": "add"}),
        "unused": node("double", {"value": "provide"}),
        "broken": node("fail", {"value": "add"}),
    })
    return DaskGraphRunner.create(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"), hooks)


def test_installed_in_place_of_the_dask_scheduler():
    from rasa.engine.runner.dask import DaskGraphRunner

    assert DaskGraphRunner.run is rasa_speedups._run_in_order
    assert rasa_speedups._dask_run is not None and rasa_speedups._dask_run is not rasa_speedups._run_in_order


def test_a_graph_run_in_order_gives_what_dask_gives_and_runs_only_what_the_targets_need(tmp_path):
    runner = _runner(tmp_path)
    ours = [runner.run(inputs={"__message__": 3}, targets=["double"]) for _ in range(2)]
    _Component.calls.clear()
    ours.append(runner.run(inputs={"__message__": 3}, targets=["double"]))
    assert _Component.calls == ["provide", "add", "double"]  # once each; `unused` not run
    stock = rasa_speedups._dask_run(runner, inputs={"__message__": 3}, targets=["double"])
    assert ours == [stock] * 3 == [{"double": [5, 5]}] * 3
    both = {"add": 5, "double": [5, 5]}
    assert runner.run(inputs={"__message__": 3}, targets=["add", "double"]) == both
    assert rasa_speedups._dask_run(runner, inputs={"__message__": 3}, targets=["add", "double"]) == both


def test_a_failing_node_and_a_clashing_input_raise_what_dask_raises(tmp_path):
    from rasa.engine.exceptions import GraphComponentException, GraphRunError

    runner = _runner(tmp_path)
    for run in (runner.run, lambda **kw: rasa_speedups._dask_run(runner, **kw)):
        with pytest.raises(GraphComponentException, match="node broken") as raised:
            run(inputs={"__message__": 3}, targets=["broken"])
        assert str(raised.value.__cause__) == "cannot take 5"
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(inputs={"__message__": "add"}, targets=["double"])


def test_runners_with_hooks_keep_the_dask_scheduler(tmp_path, monkeypatch):
    from rasa.engine.graph import GraphNodeHook

    class Hook(GraphNodeHook):
        def on_before_node(self, node_name, execution_context, config, received_inputs):
            return {}

        def on_after_node(self, node_name, execution_context, config, output, input_hook_data):
            pass

    seen = []
    dask_run = rasa_speedups._dask_run
    monkeypatch.setattr(rasa_speedups, "_dask_run", lambda *a: seen.append(a) or dask_run(*a))
    hooked = _runner(tmp_path, hooks=[Hook()])
    assert hooked.run(inputs={"__message__": 1}, targets=["double"]) == {"double": [3, 3]}
    assert len(seen) == 1
    plain = _runner(tmp_path / "plain")
    assert plain.run(inputs={"__message__": 1}, targets=["double"]) == {"double": [3, 3]}
    assert len(seen) == 1


# ---------------------------------------------------------------- 4. heap frozen after the model loads


def test_loading_a_model_freezes_the_heap_after_rasas_own_load(monkeypatch):
    import gc

    from rasa.core.agent import Agent

    assert Agent.load_model is rasa_speedups._load_model_then_freeze
    calls = []
    monkeypatch.setattr(rasa_speedups, "_load_model",
                        lambda agent, path, fingerprint=None: calls.append((path, gc.get_freeze_count())))
    try:
        Agent.load_model(object(), "models/x.tar.gz")
        assert calls == [("models/x.tar.gz", 0)]  # Rasa's load ran first, on an unfrozen heap
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        from runtime import heap

        if heap._on_collection in gc.callbacks:
            gc.callbacks.remove(heap._on_collection)


# --- past states, once per tracker and events ------------------------------------------------


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load("assistant/domain")


def _conversation(domain, sender="s1"):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [
        ActionExecuted("action_session_start"), ActionExecuted("action_listen"),
        UserUttered("社保卡丢了咋补", {"name": "ask_item", "confidence": 0.97},
                    [{"entity": "item", "value": "512B0070200003", "start": 0, "end": 3}]),
        ActionExecuted("action_answer"), BotUttered("请问您在哪个乡镇？"), SlotSet("lookup_status", "clarify"),
        ActionExecuted("action_listen"),
        UserUttered("龙台镇", {"name": "inform", "confidence": 0.91}),
    ]
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def test_past_states_are_rasas_and_a_caller_cannot_change_the_kept_ones(domain):
    tracker = _conversation(domain)
    expected = rasa_speedups._rasa_past_states(tracker, domain)
    first = tracker.past_states(domain)
    assert first == expected
    for state in first:  # what the featurizer does to the states it gets
        state.get("user", {}).pop("intent", None)
        state.get("user", {}).pop("text", None)
    assert tracker.past_states(domain) == expected
    rule_only = {"slots": ["lookup_status"], "active_loops": []}
    assert tracker.past_states(domain, ignore_rule_only_turns=True, rule_only_data=rule_only) == \
        rasa_speedups._rasa_past_states(tracker, domain, False, True, rule_only)


def test_past_states_are_computed_again_only_when_the_events_or_arguments_change(domain, monkeypatch):
    from rasa.shared.core.events import ActionExecuted

    calls = []
    original = rasa_speedups._rasa_past_states
    monkeypatch.setattr(rasa_speedups, "_rasa_past_states", lambda *a: calls.append(a[2:]) or original(*a))
    tracker = _conversation(domain)
    tracker.past_states(domain)
    tracker.past_states(domain)
    assert len(calls) == 1
    tracker.update(ActionExecuted("action_answer"))
    after = tracker.past_states(domain)
    assert len(calls) == 2 and after == original(tracker, domain)
    tracker.past_states(domain, omit_unset_slots=True)
    tracker.past_states(domain, rule_only_data={"slots": ["lookup_status"]})
    assert len(calls) == 4
    _conversation(domain).past_states(domain)  # another tracker with as many events: its own
    assert len(calls) == 5
