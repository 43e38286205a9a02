"""scripts/bench.py: its arguments and the cold-start-only path (no service, no processes started)."""
import asyncio

import pytest

from tests.local_http import serve
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


def _level(bench, mode, concurrency, latencies, errors=0):
    return bench.LevelResult(mode, concurrency, len(latencies) + errors, errors, 1.0, latencies)


def test_first_pass_is_reported_apart_and_not_in_the_ratios(bench):
    measured = [_level(bench, "full", 1, [30.0] * 20), _level(bench, "parse", 1, [16.0] * 20),
                _level(bench, "rest", 1, [27.0] * 20)]
    first = [_level(bench, "full", 1, [90.0] * 20), _level(bench, "parse", 1, [17.0] * 20)]
    report = bench.format_report(measured, {}, {}, first)
    table, _, rest = report.partition("First pass over the mix")
    assert "| full | 1 | 20 | 0 | 20.0 | 30.0 | 30.0 | 30.0 |" in table
    assert "| full | 1 | 20 | 0 | 20.0 | 90.0 | 90.0 | 90.0 |" in rest
    # the first pass left out: 30 / 27 against REST, 30 / 16 against the parse
    assert "p95 full / p95 bare Rasa REST at 1 senders: 1.11× (meets target ≤ 1.2×)" in report
    assert "throughput full / bare Rasa REST at 1 senders: 1.0× (meets target ≥ 0.95×)" in report
    assert "p95 full / p95 Rasa parse at 1 senders: 1.88× (reported)" in report


def test_a_full_turn_slower_than_its_rest_peer_misses(bench):
    measured = [_level(bench, "full", 20, [40.0] * 20), _level(bench, "rest", 20, [30.0] * 20)]
    report = bench.format_report(measured, {}, {})
    assert "p95 full / p95 bare Rasa REST at 20 senders: 1.33× (misses target ≤ 1.2×)" in report


def test_first_pass_errors_count_against_the_zero_error_target(bench):
    measured = [_level(bench, "full", 1, [30.0] * 5)]
    first = [_level(bench, "full", 1, [30.0] * 4, errors=1)]
    assert "- errors: 1 (misses target 0)" in bench.format_report(measured, {}, {}, first)
    assert "- errors: 0 (meets target 0)" in bench.format_report(measured, {}, {})


def test_blocks_split_the_budget_but_keep_ten_messages_per_sender(bench):
    assert bench.block_size(600, 10, 1) == 60
    assert bench.block_size(600, 10, 20) == 200
    assert bench.block_size(600, 10, 50) == 600  # never more than the budget: one block
    assert bench.block_size(600, 1, 1) == 600
    assert bench.block_size(5, 10, 1) == 5


def test_every_mode_leads_a_round_in_turn(bench):
    modes = ["full", "parse", "rest"]
    assert [bench.interleaved_order(modes, r)[0] for r in range(4)] == ["full", "parse", "rest", "full"]
    assert sorted(bench.interleaved_order(modes, 2)) == sorted(modes)


def test_interleaved_modes_share_the_budget_block_by_block(bench, monkeypatch):
    import asyncio

    calls = []

    async def fake_level(client, mode, concurrency, messages, total, max_seconds, run_id, start=0):
        calls.append((mode, total, start))
        return bench.LevelResult(mode, concurrency, total, 0, 0.01 * total, [float(start + i) for i in range(total)])

    monkeypatch.setattr(bench, "run_level", fake_level)
    results = asyncio.run(bench.run_interleaved({"full": None, "parse": None}, ["full", "parse"], 1,
                                                ["m"] * 7, 25, 60, 10, "t"))
    assert calls == [("full", 10, 0), ("parse", 10, 0), ("parse", 10, 10), ("full", 10, 10),
                     ("full", 5, 20), ("parse", 5, 20)]
    assert [(r.mode, r.sent, r.latencies_ms[-1]) for r in results] == [("full", 25, 24.0), ("parse", 25, 24.0)]


def test_a_mode_out_of_time_stops_taking_turns(bench, monkeypatch):
    import asyncio

    async def no_time_left(client, mode, concurrency, messages, total, max_seconds, run_id, start=0):
        return bench.LevelResult(mode, concurrency, 0, 0, 0.0, [])

    monkeypatch.setattr(bench, "run_level", no_time_left)
    results = asyncio.run(bench.run_interleaved({"full": None}, ["full"], 1, ["m"], 25, 60, 10, "t"))
    assert (results[0].sent, results[0].errors) == (0, 0)


def test_senders_post_over_real_http_and_failures_count_as_errors(bench):
    """run_level with the real LoadClient against a local server: every message is sent once, in
    its conversation, and a 500 or a refused request is an error, not a latency."""
    from aiohttp import web

    seen = []

    async def parse(request):
        body = await request.json()
        seen.append(body)
        return web.json_response({"ok": True}, status=500 if body["text"] == "坏" else 200)

    async def go():
        runner, url = await serve("/model/parse", parse)
        base = url.removesuffix("/model/parse")
        client = bench.LoadClient(base + "/", timeout=5, connections=3)
        try:
            served = await bench.run_level(client, "parse", 3, ["好", "坏", "好"], 12, 30, "t")
        finally:
            await client.aclose()
            await runner.cleanup()
        refused = bench.LoadClient(base, timeout=5, connections=1)
        try:
            unserved = await bench.run_level(refused, "parse", 1, ["好"], 2, 30, "u")
        finally:
            await refused.aclose()
        return served, unserved

    served, unserved = asyncio.run(go())
    assert (served.sent, served.errors, len(served.latencies_ms)) == (12, 4, 8)
    assert sorted(body["text"] for body in seen) == ["坏"] * 4 + ["好"] * 8
    assert (unserved.sent, unserved.errors, unserved.latencies_ms) == (2, 2, [])
    # ... each by its kind, in the report
    assert served.error_kinds == {"HTTP 500": 4} and sum(unserved.error_kinds.values()) == 2
    report = bench.format_report([served], {}, {})
    assert "  - parse at 3 senders: HTTP 500 ×4" in report
