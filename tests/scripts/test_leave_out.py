"""scripts/leave_out.py: the folds, the outcome kinds and the sets it may read (no model, no network)."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.scripts.conftest import load_script

lo = load_script("leave_out", "wyc_leave_out_script")


def _cases():
    items = [lo.Case("s", f"i{n}", f"text {n}", f"item {n % 7}") for n in range(30)]
    needs = [lo.Case("s", f"n{n}", f"need {n}", None) for n in range(9)]
    return items + needs


def test_every_case_is_in_one_fold_and_every_phrasing_of_an_item_in_the_same():
    groups = lo.folds_of(_cases(), folds=3, seed=1)
    assert sorted(c.case_id for g in groups for c in g) == sorted(c.case_id for c in _cases())
    fold_of_item = {}
    for number, group in enumerate(groups):
        for case in group:
            if case.item:
                assert fold_of_item.setdefault(case.item, number) == number
    assert all(sum(1 for c in g if c.item is None) == 3 for g in groups)


def test_the_folds_are_seeded():
    first = [[c.case_id for c in g] for g in lo.folds_of(_cases(), 3, 5)]
    assert first == [[c.case_id for c in g] for g in lo.folds_of(_cases(), 3, 5)]
    assert first != [[c.case_id for c in g] for g in lo.folds_of(_cases(), 3, 6)]


def _found(outcome, *names):
    return {"outcome": outcome, "targets": [{"name": n} for n in names]}


@pytest.mark.parametrize("found, item, kind", [
    (_found("answer", "甲"), "甲", "top1"),
    (_found("answer", "乙"), "甲", "wrong"),
    (_found("question", "甲", "乙"), "甲", "asked"),
    (_found("every", "甲", "乙"), "甲", "asked"),
    (_found("handoff"), "甲", "handoff"),
    (_found("intent"), "甲", "handoff"),
    (_found("handoff"), None, "handoff"),
    (_found("intent"), None, "handoff"),
    (_found("answer", "乙"), None, "wrong"),
    (_found("question", "甲", "乙"), None, "asked"),
])
def test_each_outcome_is_one_kind(found, item, kind):
    assert lo.kind(found, item) == kind


def test_the_sets_only_scored_are_never_read(tmp_path):
    assert all(p.stem not in lo.ONLY_SCORED for p in lo.tuned_sets())
    assert {p.stem for p in lo.tuned_sets()} >= {"tune", "fresh", "rephrased16"}
    held = tmp_path / "held_out.yaml"
    held.write_text("[]", encoding="utf-8")
    with pytest.raises(SystemExit, match="only scored"):
        lo.load_cases([held])


def test_a_case_file_reads_as_one_message_and_its_expectation(tmp_path):
    path = tmp_path / "some.yaml"
    path.write_text('- {id: a, category: longtail, turns: [{user: "狗证咋办", expect: {item: 犬类准养证核发}}]}\n'
                    '- {id: b, category: not_on_list, turns: [{user: "路灯坏了", expect: {handoff: true}}]}\n',
                    encoding="utf-8")
    assert lo.load_cases([path]) == [lo.Case("some", "a", "狗证咋办", "犬类准养证核发"), lo.Case("some", "b", "路灯坏了", None)]


def test_the_report_gives_each_reading_its_rates():
    counts = {"items": Counter(top1=3, wrong=1), "needs": Counter(handoff=1)}
    text = lo.report([("its item's rows left out", counts)])
    assert "75.0%" in text and "25.0%" in text and "100.0%" in text
