"""scripts/bench_action.py runs action_answer on its questions and prints the timing line."""
import importlib.util
from pathlib import Path

from actions.catalog_session import use_sessionmaker
from catalog.db import make_engine, make_sessionmaker

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_action.py"


def test_prints_mean_p50_p95_over_every_run(catalog_url, capsys):
    spec = importlib.util.spec_from_file_location("bench_action", SCRIPT)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    engine = make_engine(catalog_url)
    use_sessionmaker(make_sessionmaker(engine))
    try:
        assert bench.main(["--rounds", "2"]) == 0
    finally:
        use_sessionmaker(None)
        engine.dispose()
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"action_answer over {2 * len(bench.QUESTIONS)} runs: mean ")
    assert "p50" in line and "p95" in line
