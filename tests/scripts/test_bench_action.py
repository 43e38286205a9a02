"""scripts/bench_action.py runs action_answer on its questions and prints the timing line."""
from actions.catalog_session import use_sessionmaker
from catalog.db import make_engine, make_sessionmaker
from tests.scripts.conftest import load_script


def test_prints_mean_p50_p95_over_every_run(catalog_url, capsys):
    bench = load_script("bench_action")
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
