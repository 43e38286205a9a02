"""Leave-item-out estimate: what the tuned sets would score if nobody had written lexicon rows for their items.

    .venv/app/bin/python scripts/leave_out.py [--rasa-url http://127.0.0.1:5005] [--folds 5] [--weights FILE] [--json out.json]
    make eval-leave-out RASA_URL=http://127.0.0.1:5005

The held-out half (``tests/longtail/held_out.yaml``) measures items nobody tuned on: their citizens'
words in ``catalog/data/words/colloquial.yaml`` and the search lexicon were never written from its
cases. Every other long-tail set is tuned on, so its items carry rows written from its own failures and
it scores far above the held-out half. This script gives the tuned sets the held-out half's situation:
their items are split into ``--folds`` groups (seeded, by item: every phrasing of an item in one
group); for each group, the lexicon rows written for its items are taken out
(``catalog.ranking.without_rows_for``) and its cases read again, first message only, as a new
conversation reads it (``actions.explain``: the NLU's parse from a running Rasa, the rules' decision,
in this process over the catalog database). Needs the list lacks are spread over the groups by case.

The estimate is an upper bound of sorts: the trained NLU model still knows the vocabulary exported
from those rows (``make vocab``), and the phrasing bank's sentences were written blind for every item,
held-out ones included, so they stay. Reported beside it, the same cases read with every row (what
the tuned sets score now). Outcome kinds as in ``scripts/eval.py``'s metrics: top-1 (the guide of the
expected item, after the place question if only the place was asked), asked (a which-item question),
wrong guide, handoff. The sets only scored (``held_out``, ``rephrased7``) are never read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from catalog.resolver_fit import LEAVE_OUT_SEED as SEED, ONLY_SCORED, item_folds, rasa_parser

ROOT = Path(__file__).resolve().parents[1]
LONGTAIL = ROOT / "tests" / "longtail"
FOLDS = 5


@dataclass(frozen=True)
class Case:
    set_name: str
    case_id: str
    text: str
    item: Optional[str]  # None: a need the list lacks (handed off is right)


def tuned_sets(folder: Path = LONGTAIL) -> list[Path]:
    """Every long-tail file but the ones only scored."""
    return [path for path in sorted(folder.glob("*.yaml")) if path.stem not in ONLY_SCORED]


def load_cases(paths: Iterable[Path]) -> list[Case]:
    import yaml

    found = []
    for path in paths:
        if path.stem in ONLY_SCORED:
            raise SystemExit(f"{path}: only scored, never read here (tests/longtail/README.md)")
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            expect = raw["turns"][0].get("expect") or {}
            found.append(Case(path.stem, str(raw["id"]), str(raw["turns"][0]["user"]),
                              None if expect.get("handoff") else str(expect["item"])))
    return found


def folds_of(cases: Sequence[Case], folds: int = FOLDS, seed: int = SEED) -> list[list[Case]]:
    """The cases in ``folds`` groups: by item (``catalog.resolver_fit.item_folds``, the groups a fit with
    ``--leave-out`` reads), the needs the list lacks by case id."""
    fold_of = item_folds((c.item for c in cases if c.item), folds, seed)
    fold_of_need = item_folds((c.case_id for c in cases if not c.item), folds, seed)
    groups: list[list[Case]] = [[] for _ in range(folds)]
    for case in cases:
        groups[fold_of[case.item] if case.item else fold_of_need[case.case_id]].append(case)
    return groups


def kind(found: dict[str, Any], item: Optional[str]) -> str:
    """One outcome of ``actions.explain.explain``: for an item case top1 / asked / wrong / handoff /
    other, for a need the list lacks handoff / wrong / asked."""
    outcome = found["outcome"]
    names = [t["name"] for t in found["targets"]]
    if item is None:
        if outcome in ("handoff", "intent"):
            return "handoff"
        return "wrong" if outcome == "answer" else "asked"
    if outcome == "answer":
        return "top1" if names[:1] == [item] else "wrong"
    if outcome in ("question", "every"):
        return "asked"
    if outcome in ("handoff", "intent"):
        return "handoff"
    return "other"


def tally(kinds: Iterable[tuple[Case, str]]) -> dict[str, Counter]:
    counts: dict[str, Counter] = {"items": Counter(), "needs": Counter()}
    for case, found in kinds:
        counts["items" if case.item else "needs"][found] += 1
    return counts


def report(rows: Sequence[tuple[str, dict[str, Counter]]]) -> str:
    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:5.1f}%" if whole else "    -"

    lines = [f"  {'reading':<28} {'items':>5} {'top-1':>6} {'asked':>6} {'wrong guide':>11} {'handoff':>7}"
             f" {'other':>6}   {'needs':>5} {'handed off':>10} {'wrong guide':>11}"]
    for label, counts in rows:
        items, needs = counts["items"], counts["needs"]
        n, m = sum(items.values()), sum(needs.values())
        lines.append(f"  {label:<28} {n:>5} {pct(items['top1'], n)} {pct(items['asked'], n)} "
                     f"{pct(items['wrong'], n):>11} {pct(items['handoff'], n):>7} {pct(items['other'], n):>6}"
                     f"   {m:>5} {pct(needs['handoff'], m):>10} {pct(needs['wrong'], m):>11}")
    return "\n".join(lines)


def run(cases: Sequence[Case], parses: dict[str, dict], database_url: str, folds: int,
        seed: int, weights_file: Optional[Path] = None) -> tuple[dict[str, Counter], dict[str, Counter], list[dict]]:
    """(every row, rows left out, per case) over ``cases``; ``weights_file``: the resolver's weights. The
    process's indexes are left without the last group's rows (the script ends with it)."""
    from actions.explain import explain
    from catalog.db import make_engine, make_sessionmaker
    from catalog.ranking import without_rows_for
    from catalog.resolver import load_weights

    weights = load_weights(weights_file) if weights_file else None
    detail: dict[str, dict] = {}
    with make_sessionmaker(make_engine(database_url))() as session:
        if weights is not None:
            without_rows_for(session, (), weights)
        as_it_is = []
        for case in cases:
            found = kind(explain(session, parses[case.text]), case.item)
            as_it_is.append((case, found))
            detail[case.case_id] = {"set": case.set_name, "id": case.case_id, "expected": case.item,
                                    "with_rows": found}
        left_out = []
        for group in folds_of(cases, folds, seed):
            without_rows_for(session, {c.item for c in group if c.item}, weights)
            for case in group:
                explained = explain(session, parses[case.text])
                found = kind(explained, case.item)
                left_out.append((case, found))
                detail[case.case_id].update(without_rows=found, got=[t["name"] for t in explained["targets"]])
    return tally(as_it_is), tally(left_out), list(detail.values())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default=os.environ.get("WYC_RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--rasa-token-file", type=Path, default=ROOT / "var" / "rasa-token")
    parser.add_argument("--database-url", default=None, help="the catalog (default: as the app reads it)")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sets", nargs="*", type=Path, help="long-tail files (default: every tuned set)")
    parser.add_argument("--weights", type=Path, help="the resolver's weights from this file (resolver_fit's format) "
                        "instead of catalog/data/words/resolver_weights.yaml")
    parser.add_argument("--json", type=Path, help="per case: with every row, without its item's rows")
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds: at least 2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from catalog.db import database_url_from_env

    cases = load_cases(args.sets or tuned_sets())
    token = args.rasa_token_file.read_text().strip() if args.rasa_token_file.exists() else ""
    parse = rasa_parser(args.rasa_url, token, timeout=60.0)
    texts = sorted({c.text for c in cases})
    with ThreadPoolExecutor(4) as pool:
        parses = dict(zip(texts, pool.map(parse, texts)))
    with_rows, without, detail = run(cases, parses, args.database_url or database_url_from_env(),
                                     args.folds, args.seed, args.weights)
    names = sorted({c.set_name for c in cases})
    print(f"leave-item-out estimate: {len(cases)} cases of {len(names)} tuned sets, "
          f"{len({c.item for c in cases if c.item})} items in {args.folds} folds (seed {args.seed})"
          + (f"; weights {args.weights}" if args.weights else "") + "\n")
    print(report([("with every lexicon row", with_rows), ("its item's rows left out", without)]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(detail, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
