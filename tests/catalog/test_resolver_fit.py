"""catalog.resolver_fit: the resolver's weights are fitted from examples, and the file holds them."""
import math
from pathlib import Path

import pytest

from catalog import resolver_fit
from catalog.resolver import FEATURES, WEIGHTS_FILE, Weights, load_weights
from catalog.resolver_fit import Example, accuracy, first_need, fit, loss_and_gradient


def _row(**features) -> tuple[float, ...]:
    return tuple(features.get(name, 0.0) for name in FEATURES)


def _examples() -> list[Example]:
    # The right target is the one whose citizens' sentences are closest; words alone mislead.
    return [
        Example((_row(phrased=0.8, words=0.1), _row(phrased=0.2, words=0.6)), 0),
        Example((_row(phrased=0.1, words=0.7), _row(phrased=0.7, words=0.2)), 1),
        Example((_row(phrased=0.9), _row(words=0.9)), 0),
        Example((_row(phrased=0.1, words=0.1),), None),  # nothing on the list fits
    ]


def test_the_gradient_is_the_derivative_of_the_loss():
    params = [0.3 * (k % 3) for k in range(len(FEATURES))] + [0.5]
    loss, grad = loss_and_gradient(params, _examples())
    for k in (FEATURES.index("phrased"), FEATURES.index("words"), len(FEATURES)):
        moved = list(params)
        moved[k] += 1e-5
        numeric = (loss_and_gradient(moved, _examples())[0] - loss) / 1e-5
        assert math.isclose(grad[k], numeric, rel_tol=1e-3, abs_tol=1e-4)


def test_fitting_learns_which_part_tells_the_targets_apart():
    start = Weights({"words": 1.0}, 0.0)
    assert accuracy(_examples(), start) < 1.0
    weights, _ = fit(_examples(), start, steps=200)
    assert accuracy(_examples(), weights) == 1.0
    assert weights.parts["phrased"] > weights.parts["words"]


@pytest.mark.parametrize("case, need", [
    ({"turns": [{"user": "失业金咋领", "expect": {"item": "失业保险金申领"}}]}, (True, "失业保险金申领")),
    ({"turns": [{"user": "帮我推荐股票", "expect": {"handoff": True}}]}, (True, "")),
    # asked only where: the item the next turn answers
    ({"turns": [{"user": "低保咋办", "expect": {"clarify_slots": ["place"]}},
                {"user": "龙台镇", "expect": {"item": "最低生活保障"}}]}, (True, "最低生活保障")),
    # asked which item: no single answer to learn
    ({"turns": [{"user": "社保卡的事", "expect": {"clarify": 1, "candidates_include": ["社会保障卡申领"]}}]},
     (False, "")),
])
def test_the_first_need_of_a_case(case, need):
    assert first_need(case) == need


def test_the_held_out_half_is_refused():
    with pytest.raises(SystemExit):
        resolver_fit.main(["--cases", "tests/longtail/held_out.yaml"])


def test_the_weights_file_names_every_part_it_weighs():
    weights = load_weights()
    assert set(weights.parts) <= set(FEATURES) and weights.parts
    assert weights.parts["phrased"] > 0 and weights.parts["action_differs"] < 0


def test_an_unknown_part_in_the_weights_file_is_named(tmp_path: Path):
    broken = tmp_path / "weights.yaml"
    broken.write_text(WEIGHTS_FILE.read_text(encoding="utf-8") + "  colour: 1.0\n", encoding="utf-8")
    # a key outside `weights:` is not read as a part; inside it, it is refused with its name
    broken.write_text("weights:\n  colour: 1.0\nnothing: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        load_weights(broken)


def test_rephrased7_is_refused_too():
    with pytest.raises(SystemExit):
        resolver_fit.main(["--cases", "tests/longtail/rephrased7.yaml"])


def test_the_groups_are_by_name_seeded_and_cover_every_name():
    names = [f"item {n % 9}" for n in range(40)]
    groups = resolver_fit.item_folds(names, 4)
    assert set(groups) == set(names) and set(groups.values()) == {0, 1, 2, 3}
    assert groups == resolver_fit.item_folds(reversed(names), 4)
    assert groups != resolver_fit.item_folds(names, 4, seed=8)


def test_each_case_is_read_again_without_its_items_rows_and_the_index_is_put_back(session):
    from catalog import queries

    cases = [({"id": "a", "turns": [{"user": "屋头想养只狗看门，要办手续不", "expect": {"item": "犬类准养证核发"}}]}, 1.0),
             ({"id": "b", "turns": [{"user": "楼下路灯坏了好几天", "expect": {"handoff": True}}]}, 2.0),
             ({"id": "c", "turns": [{"user": "办啥", "expect": {"clarify": 1}}]}, 1.0)]
    before = queries.resolver_index(session).colloquial
    found = resolver_fit.left_out_examples(session, cases, load_weights(), folds=2)
    assert sorted(name for name, _ in found) == ["", "犬类准养证核发"]
    assert {e.weight for name, examples in found if name == "" for e in examples} == {2.0}
    assert queries.resolver_index(session).colloquial == before
