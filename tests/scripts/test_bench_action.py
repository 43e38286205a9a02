"""scripts/bench_action.py runs action_answer on its questions and prints the timing line."""
from tests.scripts.conftest import load_script


def test_prints_mean_p50_p95_over_every_run(catalog_url, capsys):
    bench = load_script("bench_action")
    assert bench.main(["--rounds", "2", "--database-url", catalog_url]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"action_answer over {2 * len(bench.QUESTIONS)} runs: mean ")
    assert "p50" in line and "p95" in line
