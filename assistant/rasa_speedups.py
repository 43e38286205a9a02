"""Five fixes to the per-turn cost of Rasa 3.6 (pinned to 3.6.21: ``PINNED_SOURCES``), installed when
Rasa imports ``assistant``. Every patch of Rasa lives in this module.

1. Compile Rasa's action-response schema once instead of on every custom action call.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)``,
which checks the *schema itself* against the JSON Schema meta-schema before validating the
response, on every call. With jsonschema 4.17 that meta-check is most of a turn: py-spy on
`rasa run` during `make bench` put 54% of the server's CPU in ``check_schema`` under
``_validate_action_result`` (docs/BENCHMARKS.md). The schema is a constant
(``RemoteAction.action_response_format_spec``), so it is checked once here and the compiled
validator reused; every action response is still validated exactly as before (same schema, same
``best_match`` error, same message added by Rasa). A response is first checked event by event
against the one event schema its ``event`` names (``_certainly_valid``); only a response that
fails that goes through the full check, which then gives Rasa's exact error.

2. Keep the HTTP connection to the action server. ``EndpointConfig.request`` opens a new
``aiohttp.ClientSession`` for every call and closes it after: a new connector, a new TCP
connection and its teardown on both sides, every action of every turn (py-spy: 7% of
`rasa run`'s CPU in ``ClientSession.__aenter__``). Here ``EndpointConfig.session()`` hands out
one session per endpoint configuration and event loop, which the ``async with`` in ``request``
leaves open. The session is built with Rasa's own arguments (headers, basic auth, timeout). Idle
connections are closed after ``KEEPALIVE_SECONDS``, below uvicorn's and nginx's keep-alive
timeouts (5 s and 75 s), so the client never reuses a connection the server is closing.

3. Run the prediction graphs in a fixed order instead of through dask. Every parse and every
policy prediction (two per turn) runs a small graph with ``DaskGraphRunner.run``: it rebuilds the
minimal schema and a dask graph, then ``dask.get`` schedules it. The graphs are chains of a few
nodes, so the scheduling is pure overhead: py-spy at 1 sender put 7.8% of `rasa run`'s CPU in dask
outside the nodes themselves (docs/BENCHMARKS.md). ``_run_in_order`` computes each target list's
order once (dependencies first) and calls the same ``GraphNode`` objects with the same arguments
(the ``(name, output)`` pairs of the nodes they need, or of the inputs). Runners whose nodes have
hooks (the training graph) keep dask's scheduler, which also frees intermediate results.

4. Freeze the start-up heap once the model is loaded (``Agent.load_model``, see runtime/heap.py):
a full garbage collection otherwise walks the ~780,000 objects of TensorFlow, spaCy and the
model, a pause of most of a second for every conversation of the process, at a random turn.

5. Compute a tracker's past states once per policy pass. RulePolicy looks for a rule twice in every
prediction, once with the text of the last message and once with its intent, and each look
rebuilds the whole history's states (``DialogueStateTracker.past_states``: every prior tracker
replayed): two of a turn's four computations repeat one already made. ``_past_states`` keeps the
last result on the tracker, for the same domain, arguments and events, and hands out a copy
(the featurizer deletes keys in the states it gets), so every caller sees what Rasa computes.

All are installed when Rasa imports this package (``assistant/__init__.py``): the model's pipeline names
``assistant.components.catalog_entities``, so every `rasa run`, `rasa train` and `rasa test` loads it.
"""
from __future__ import annotations

import atexit
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

logger = logging.getLogger(__name__)

# The Rasa these patches are written against, and every function of it that a patch replaces,
# wraps or copies a part of, with the first 16 hex digits of the sha256 of its source in that
# version. The stores built on Rasa's (lock_store.py, tracker_store.py) pin the methods they
# override here too. tests/assistant/test_rasa_pins.py fails when an upgrade changes any of them:
# read the new function, adapt the patch, then move the pin.
RASA_VERSION = "3.6.21"
PINNED_SOURCES: Dict[str, str] = {
    # 1. replaced; its schema is compiled once
    "rasa.core.actions.action:RemoteAction._validate_action_result": "f8cdb4be68123961",
    "rasa.core.actions.action:RemoteAction.action_response_format_spec": "091b74aa3738d126",
    # 2. replaced; ``request`` must keep opening it with ``async with self.session()``
    "rasa.utils.endpoints:EndpointConfig.session": "e55aa13d9d4fb4bc",
    "rasa.utils.endpoints:EndpointConfig.request": "ccdb778aed8208e2",
    # 3. wrapped (runners with hooks keep it); the input check is copied
    "rasa.engine.runner.dask:DaskGraphRunner.run": "45f0f52f574f3aa9",
    "rasa.engine.runner.dask:DaskGraphRunner._add_inputs_to_graph": "d04a0ca2df6241c1",
    # 4. wrapped
    "rasa.core.agent:Agent.load_model": "f4c1ab4c5c7af634",
    # 5. wrapped
    "rasa.shared.core.trackers:DialogueStateTracker.past_states": "5463eefb5c69d27f",
    # LeasedRedisLockStore (lock_store.py) overrides
    "rasa.core.lock_store:RedisLockStore.__init__": "829e898a8cddff8d",
    "rasa.core.lock_store:LockStore.issue_ticket": "4dfdfb5e62c1dda9",
    "rasa.core.lock_store:LockStore.finish_serving": "ba76ac5a486b97dd",
    "rasa.core.lock_store:LockStore.cleanup": "f2ba1745c8153f92",
    "rasa.core.lock_store:LockStore.lock": "8b9b716c031a3444",
    "rasa.core.lock_store:LockStore._acquire_lock": "ead2fff373291c24",
    # CachedSQLTrackerStore and LocalSQLTrackerStore (tracker_store.py) override or call
    "rasa.core.tracker_store:SQLTrackerStore.__init__": "64e704d159dfa35b",
    "rasa.core.tracker_store:SQLTrackerStore.retrieve": "0d99846daced97d3",
    "rasa.core.tracker_store:SQLTrackerStore.save": "57165e46eab3de08",
    "rasa.core.tracker_store:SQLTrackerStore._additional_events": "d22f99eb863acb07",
}

_validator: Optional[Any] = None
KEEPALIVE_SECONDS = 2.0
# (event loop, headers, basic auth) → the open session for it
_sessions: Dict[Any, Any] = {}


def _compiled_validator(schema: Dict[Text, Any]) -> Any:
    global _validator
    if _validator is None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _event_validators(schema: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    """One compiled validator per event type, or None when Rasa's schema is not the known one.

    Rasa's EVENT_SCHEMA lists 23 event schemas under ``oneOf``, each fixing ``event`` to its own
    constant, so jsonschema tries all 23 on every event. As the constants differ, an event can
    only ever match the schema of its own ``event`` value: ``oneOf`` holds exactly when the event
    is valid against that one. The validators below check just that (plus EVENT_SCHEMA's own
    properties and ``required``), with Rasa's own sub-schemas.
    """
    from jsonschema.validators import validator_for
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA, EVENTS_SCHEMA

    known = {"type": "object", "properties": {"events": EVENTS_SCHEMA,
                                              "responses": {"type": "array", "items": {"type": "object"}}}}
    if schema != known or set(EVENT_SCHEMA) != {"type", "properties", "required", "oneOf"}:
        return None
    base = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    validators = {}
    for sub in EVENT_SCHEMA["oneOf"]:
        const = sub.get("properties", {}).get("event", {}).get("const")
        if not isinstance(const, str) or const in validators:
            return None
        one = {**base, "allOf": [sub]}
        cls = validator_for(one)
        cls.check_schema(one)
        validators[const] = cls(one)
    return validators


_UNSET: Any = object()
_by_event: Any = _UNSET


def _certainly_valid(schema: Dict[Text, Any], result: Any) -> bool:
    """True only when ``result`` is valid against the action response schema; False means "check
    it fully" (it may still be valid)."""
    global _by_event
    if _by_event is _UNSET:
        _by_event = _event_validators(schema)
    if _by_event is None or not isinstance(result, dict):
        return False
    responses = result.get("responses", [])
    if not isinstance(responses, list) or not all(isinstance(response, dict) for response in responses):
        return False
    events = result.get("events", [])
    if not isinstance(events, list):
        return False
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else None
        validator = _by_event.get(kind) if isinstance(kind, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    schema = self.action_response_format_spec()
    if _certainly_valid(schema, result):
        return True
    error = best_match(_compiled_validator(schema).iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


class _KeptOpen:
    """``async with`` over a shared session that leaves it open (Rasa closes the one it gets)."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def _session(self: Any) -> _KeptOpen:
    """``EndpointConfig.session``: Rasa's session arguments, one open session per loop and config."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    auth = (self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    key = (loop, tuple(sorted((str(k), str(v)) for k, v in self.headers.items())), auth)
    session = _sessions.get(key)
    if session is None or session.closed:
        for stale in [k for k in _sessions if k[0].is_closed()]:
            _close(_sessions.pop(stale))
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=aiohttp.BasicAuth(*auth) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        )
        _sessions[key] = session
    return _KeptOpen(session)


def _close(session: Any) -> None:
    # The connector closes its sockets synchronously (aiohttp 3.x); the session then reports
    # itself closed and does not warn "Unclosed client session" at exit.
    if session.connector is not None:
        session.connector.close()


@atexit.register
def _close_all() -> None:
    while _sessions:
        _close(_sessions.popitem()[1])


_dask_run: Optional[Any] = None
_load_model: Optional[Any] = None  # Agent.load_model as Rasa defines it
_rasa_past_states: Optional[Any] = None  # DialogueStateTracker.past_states as Rasa defines it
_PAST_STATES = "_wyc_past_states"


def _order(graph: Any, targets: Tuple[Text, ...]) -> List[Tuple[Text, List[Text]]]:
    """The nodes ``targets`` need, each after the nodes it needs (depth first), with its needs."""
    order: List[Tuple[Text, List[Text]]] = []
    placed: set = set()

    def place(name: Text) -> None:
        node = graph.nodes.get(name)
        if name in placed or node is None:  # placed already, or an input placeholder
            return
        placed.add(name)
        for need in node.needs.values():
            place(need)
        order.append((name, list(node.needs.values())))

    for target in targets:
        place(target)
    return order


def _run_in_order(
    self: Any, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
) -> Dict[Text, Any]:
    """``DaskGraphRunner.run`` for runners without hooks: same nodes, same arguments, no scheduler."""
    from rasa.engine.exceptions import GraphRunError

    plain = self.__dict__.get("_wyc_plain")
    if plain is None:
        plain = self.__dict__["_wyc_plain"] = not any(
            getattr(node, "_hooks", None) for node in self._instantiated_nodes.values()
        )
        self.__dict__["_wyc_orders"] = {}
    if not plain:
        return _dask_run(self, inputs, targets)
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    orders = self.__dict__["_wyc_orders"]
    order = orders.get(run_targets)
    if order is None:
        order = orders[run_targets] = _order(self._graph_schema, run_targets)
    values: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        # Rasa's own check (DaskGraphRunner._add_inputs_to_graph), against the same graph keys.
        if isinstance(value, str) and (value in values or any(value == node for node, _ in order)):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        values[name] = (name, value)
    nodes = self._instantiated_nodes
    try:
        for name, needs in order:
            # As in dask: a need that names a node or an input is replaced by its value.
            values[name] = nodes[name](*[values.get(need, need) for need in needs])
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)


def _copy_states(states: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    # A state maps "user", "prev_action", "active_loop" and "slots" to dicts of strings and tuples;
    # Rasa's featurizer deletes keys of those inner dicts, never changes a value in place.
    return [{key: dict(part) for key, part in state.items()} for state in states]


def _past_states(
    self: Any,
    domain: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[Dict[Text, Any]]:
    """``DialogueStateTracker.past_states``, computed once for the same domain, arguments and events."""
    events = self.events
    # The states follow from the domain (kept with them, compared by identity) and the events
    # alone; the events only grow during a turn, and the newest one's identity tells a tracker
    # rebuilt with as many events apart.
    key = (omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data),
           len(events), id(events[-1]) if events else None)
    memo = self.__dict__.get(_PAST_STATES)
    if memo is None or memo[0] != key or memo[1] is not domain:
        states = _rasa_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        memo = self.__dict__[_PAST_STATES] = (key, domain, states)
    return _copy_states(memo[2])


def _load_model_then_freeze(self: Any, *args: Any, **kwargs: Any) -> None:
    from runtime.heap import freeze_startup_heap

    _load_model(self, *args, **kwargs)
    freeze_startup_heap("rasa model loaded")


def install() -> None:
    """Replace ``RemoteAction._validate_action_result``, ``EndpointConfig.session``,
    ``DaskGraphRunner.run``, ``Agent.load_model`` and ``DialogueStateTracker.past_states``
    (again: the same). Only the bot environment imports ``assistant`` (`make lint` keeps the app
    from it), so Rasa is always there."""
    global _dask_run, _load_model, _rasa_past_states
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    if rasa.__version__ != RASA_VERSION:
        logger.warning("assistant/rasa_speedups.py is pinned to Rasa %s but runs on %s: run "
                       "tests/assistant/test_rasa_pins.py before trusting its patches", RASA_VERSION, rasa.__version__)
    if DialogueStateTracker.past_states is not _past_states:
        _rasa_past_states = DialogueStateTracker.past_states
        DialogueStateTracker.past_states = _past_states
    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _session
    if DaskGraphRunner.run is not _run_in_order:
        _dask_run = DaskGraphRunner.run
        DaskGraphRunner.run = _run_in_order
    if Agent.load_model is not _load_model_then_freeze:
        _load_model = Agent.load_model
        Agent.load_model = _load_model_then_freeze
