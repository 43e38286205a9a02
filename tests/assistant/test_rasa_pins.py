"""assistant/rasa_speedups.py's pins: the Rasa version the patches (and the stores' overrides) are
written against, and the source of every Rasa function they replace, wrap, copy or override.

An upgrade of Rasa that changes one of those functions fails here, naming it, before a patch can
silently do the wrong thing. The source is read from Rasa's files, not from the live classes,
which the patches have already replaced."""
from __future__ import annotations

import ast
import hashlib
import importlib.util

import pytest
import rasa

from assistant import rasa_speedups
from assistant.rasa_speedups import PINNED_SOURCES, RASA_VERSION


def rasa_source_digest(target: str) -> str:
    """First 16 hex digits of the sha256 of ``module:Class.function``'s source (decorators included)."""
    module, qualname = target.split(":")
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"{module} is gone"
    with open(spec.origin, encoding="utf-8") as handle:
        source = handle.read()
    body, node = ast.parse(source).body, None
    for name in qualname.split("."):
        node = next((n for n in body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == name), None)
        assert node is not None, f"{target}: {name} is gone"
        body = node.body
    start = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    text = "".join(source.splitlines(keepends=True)[start - 1 : node.end_lineno])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_the_installed_rasa_is_the_pinned_one():
    assert rasa.__version__ == RASA_VERSION


@pytest.mark.parametrize("target", sorted(PINNED_SOURCES))
def test_each_patched_or_overridden_rasa_function_is_as_pinned(target):
    assert rasa_source_digest(target) == PINNED_SOURCES[target], (
        f"Rasa's {target} changed: read it again, adapt the patch in assistant/, then move its pin")


def test_a_changed_function_is_seen(tmp_path, monkeypatch):
    module = tmp_path / "pinned_example.py"
    module.write_text("class A:\n    def f(self):\n        return 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = rasa_source_digest("pinned_example:A.f")
    module.write_text("class A:\n    def f(self):\n        return 2\n", encoding="utf-8")
    assert rasa_source_digest("pinned_example:A.f") != before


def test_every_function_a_patch_replaces_is_pinned():
    rasa_speedups.install()
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    patched = {
        "rasa.core.actions.action:RemoteAction._validate_action_result": RemoteAction._validate_action_result,
        "rasa.utils.endpoints:EndpointConfig.session": EndpointConfig.session,
        "rasa.engine.runner.dask:DaskGraphRunner.run": DaskGraphRunner.run,
        "rasa.core.agent:Agent.load_model": Agent.load_model,
        "rasa.shared.core.trackers:DialogueStateTracker.past_states": DialogueStateTracker.past_states,
    }
    for target, replacement in patched.items():
        assert replacement.__module__ == "assistant.rasa_speedups", target  # installed
        assert target in PINNED_SOURCES


@pytest.mark.parametrize("token", ["-e770XbUCCyZe41pVDPVZa3MWXCZEKBM", "plain_Token-1"])
def test_rasa_run_reads_a_token_given_as_one_argument_even_when_it_starts_with_a_dash(token):
    """The launchers pass ``--auth-token=TOKEN`` (tests/scripts/test_rasa_launchers.py): a
    ``secrets.token_urlsafe`` token may start with ``-``, which Rasa's parser rejects as a separate word."""
    from rasa.__main__ import create_argument_parser

    parser = create_argument_parser()
    assert parser.parse_args(["run", "--enable-api", f"--auth-token={token}"]).auth_token == token
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--enable-api", "--auth-token", "-e770XbUCCyZe41pVDPVZa3MWXCZEKBM"])
