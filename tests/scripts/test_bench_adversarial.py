"""scripts/bench_adversarial.py: the message set and the report's arithmetic (no service needed)."""
import pytest

from tests.scripts.conftest import load_script

bench = load_script("bench_adversarial")


def test_every_adversarial_message_fills_the_limit():
    messages = bench.adversarial_messages()
    assert len(messages) >= 10
    assert all(len(text) == bench.MAX_CHARACTERS for text in messages.values())


def test_some_adversarial_messages_cannot_be_shortened_by_collapsing_repeats():
    from catalog.text import normalise

    messages = bench.adversarial_messages()
    assert len(normalise(messages["random characters of item names"])) > 400
    assert len(normalise(messages["diverse long message"])) > 400


def test_summary_ratios_are_against_the_median_normal_turn():
    latencies = {"n1": [10.0, 12.0, 11.0], "n2": [20.0, 20.0], "n3": [30.0], "bad": [33.0, 36.0, 35.0]}
    summary = bench.summarise(latencies, ["n1", "n2", "n3"])
    assert summary["normal_median_ms"] == 20.0
    assert summary["worst"] == "bad"
    assert summary["worst_ratio"] == pytest.approx(35.0 / 20.0)
    assert any("meets" in line for line in bench.format_report(summary, ["n1", "n2", "n3"]))
