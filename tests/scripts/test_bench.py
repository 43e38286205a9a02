"""scripts/bench.py: its arguments and the cold-start-only path (no service, no processes started)."""
import pytest

from tests.scripts.conftest import load_script


@pytest.fixture(scope="module")
def bench():
    return load_script("bench")


def test_cold_start_only_needs_a_model(bench):
    with pytest.raises(SystemExit):
        bench.parse_args(["--cold-start-only"])


def test_only_this_machine_is_a_target(bench):
    with pytest.raises(SystemExit):
        bench.parse_args(["--url", "http://example.com:8000"])


def test_cold_start_only_reports_it_and_sends_no_load(bench, monkeypatch, capsys):
    monkeypatch.setattr(bench, "measure_cold_start",
                        lambda model: {"seconds_to_health": 61.2, "first_questions_ms": [380.0, 70.1, 50.3]})
    monkeypatch.setattr(bench, "run_benchmark", lambda *a: pytest.fail("no load levels in --cold-start-only"))
    assert bench.main(["--cold-start-model", "models/m.tar.gz", "--cold-start-only"]) == 0
    assert "first_questions_ms': [380.0, 70.1, 50.3]" in capsys.readouterr().out


def test_a_failed_cold_start_exits_non_zero(bench, monkeypatch):
    monkeypatch.setattr(bench, "measure_cold_start", lambda model: {"error": "a process exited during startup"})
    assert bench.main(["--cold-start-model", "models/m.tar.gz", "--cold-start-only"]) == 1
