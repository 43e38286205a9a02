"""Dialogue evaluation: run the test conversations against the running service and score them.

    .venv/app/bin/python scripts/eval.py --url http://127.0.0.1:8000 [--cases tests/dialogues]
        [--metrics tests/longtail/tune.yaml tests/longtail/held_out.yaml] [--list-failures]
        [--show-held-out] [--only CATEGORY_OR_ID ...] [--concurrency 4] [--json results/eval.json]

Every conversation goes through ``POST /api/chat`` (docs/DESIGN.md §6) with its own sender id, turn by
turn. The script prints the pass rate by category and every failure with its reason, and exits
non-zero when fewer than 95% of the cases pass or when any conversation asked twice for one need.

Case format (one YAML list per file under tests/dialogues/, see tests/dialogues/README.md)::

    - id: restaurant-renovate-self          # unique; [A-Za-z0-9_.-]
      category: bundle                      # free label; the report groups by it
      turns:
        - user: 我想开个小饭馆要准备啥
          expect: {clarify: 1, clarify_slots: [shopfront_renovation, handle_tax]}
        - user: 门头要装修，要办税，我自己去
          expect: {bundle: 我要开小餐馆, clarify: 0, materials_include: [现状图（实景照片）],
                   materials_exclude: [委托代理人证明], location_level: county}

Expectation keys (all optional; a turn without ``expect`` is only sent):

- ``clarify`` — exact number of ``clarify`` payloads in the reply (0 or 1);
- ``clarify_slots`` — the exact set of question slots (``place``, ``item`` or a fact key);
- ``candidates_include`` — canonical names that must be among the options of the ``item`` question;
- ``first_candidate`` — the canonical name the ``item`` question offers first;
- ``item`` — the guide answers exactly this item (canonical name, not a bundle);
- ``bundle`` — the guide answers this bundle; ``items_include`` / ``items_exclude`` — member items;
- ``location_level`` (village|town|county|city) and ``location_place`` (text the location name contains);
- ``materials_include`` / ``materials_exclude`` — material names that must / must not appear;
- ``materials_plain`` — must appear with no condition; ``materials_conditional`` — must appear with one;
- ``guides_for`` — the reply carries exactly these guides, in this order, each named by its bundle
  or its one item (a choice left open by a reply that gave only the place answers every candidate);
- ``handoff`` — true: a ``handoff`` payload must be present; false: it must not;
- ``text_include`` — strings the reply's text must contain.

Any of item, bundle, items_*, location_*, materials_* implies that a ``guide`` payload is expected.
A turn may set ``new_need: true``: the conversation moves to another need (e.g. a second item);
the first turn always starts one. "Asked twice for one need" means two turns of the same need
carried a ``clarify`` payload; asking again for a slot already asked earlier in the conversation is
a failure too (docs/DESIGN.md §2.4: a fact, once given, is never asked again).

Measurement sets (``--metrics``, files or directories, each file a set of its own;
tests/longtail/README.md) are scored, never passed or failed: each case is one first message with
one expected outcome, an item (``item``) or a handoff (``handoff: true``). A question without an
``item`` slot (the place, perhaps with a fact) is answered with ``PLACE_REPLY`` and the reply to
that counts. Per set the report gives, for the item cases: top-1 (the first guide answers the
expected item), question rate (a which-item question was asked), right-item-among-candidates when
asked, confident wrong guide (a guide for another item without a which-item question), handoff rate;
for the not-on-list cases: handoff (correct), wrong guide, question. They never change the exit
code. ``--list-failures`` prints each missed case's message, expected and got; a held-out set (its
file name contains ``held_out``) prints aggregates only, in the report and in ``--json``, unless
``--show-held-out`` is given. Without ``--cases`` and with ``--metrics``, only the measurement sets
run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

logger = logging.getLogger("eval")

PASS_RATE_TARGET = 0.95
CASE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
GUIDE_KEYS = frozenset({
    "item", "bundle", "items_include", "items_exclude", "location_level", "location_place",
    "materials_include", "materials_exclude", "materials_plain", "materials_conditional",
})
KNOWN_KEYS = GUIDE_KEYS | {"clarify", "clarify_slots", "candidates_include", "first_candidate", "guides_for", "handoff", "text_include"}
LEVELS = ("village", "town", "county", "city")


# ============================================================== cases (pure)


@dataclass(frozen=True)
class Turn:
    user: str
    expect: dict[str, Any] = field(default_factory=dict)
    new_need: bool = False


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    turns: tuple[Turn, ...]
    source: str = ""


class CaseError(ValueError):
    """A case file that cannot be run as written."""


def parse_case(raw: Any, source: str = "") -> Case:
    if not isinstance(raw, dict):
        raise CaseError(f"{source}: a case must be a mapping, got {type(raw).__name__}")
    case_id = str(raw.get("id") or "")
    if not CASE_ID.match(case_id):
        raise CaseError(f"{source}: bad case id {case_id!r}")
    turns_raw = raw.get("turns")
    if not isinstance(turns_raw, list) or not turns_raw:
        raise CaseError(f"{source}:{case_id}: needs a non-empty list of turns")
    turns = tuple(parse_turn(t, f"{source}:{case_id}") for t in turns_raw)
    return Case(id=case_id, category=str(raw.get("category") or "uncategorised"), turns=turns, source=source)


def parse_turn(raw: Any, where: str) -> Turn:
    if not isinstance(raw, dict) or not isinstance(raw.get("user"), str) or not raw["user"].strip():
        raise CaseError(f"{where}: every turn needs a non-empty `user` text")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise CaseError(f"{where}: `expect` must be a mapping")
    unknown = set(expect) - KNOWN_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown expectation key(s) {sorted(unknown)}")
    level = expect.get("location_level")
    if level is not None and level not in LEVELS:
        raise CaseError(f"{where}: location_level must be one of {LEVELS}")
    return Turn(user=raw["user"], expect=dict(expect), new_need=bool(raw.get("new_need")))


def load_cases(directory: Path) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(directory.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise CaseError(f"{path}: a case file holds a YAML list of cases")
        cases.extend(parse_case(raw, path.name) for raw in data)
    duplicates = [cid for cid, n in Counter(c.id for c in cases).items() if n > 1]
    if duplicates:
        raise CaseError(f"duplicate case ids: {duplicates}")
    return cases


# ============================================================== scoring one reply (pure)


def payloads(reply: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The `custom` payloads of one type in a /api/chat response."""
    found = []
    for message in reply.get("messages") or []:
        custom = message.get("custom") if isinstance(message, dict) else None
        if isinstance(custom, dict) and custom.get("type") == kind:
            found.append(custom)
    return found


def reply_text(reply: dict[str, Any]) -> str:
    return "\n".join(m.get("text") or "" for m in reply.get("messages") or [] if isinstance(m, dict))


def clarify_slots(reply: dict[str, Any]) -> list[str]:
    return [str(q.get("slot")) for c in payloads(reply, "clarify") for q in c.get("questions") or []]


def candidate_names(reply: dict[str, Any]) -> set[str]:
    names: set[str] = set(item_options(reply))
    for payload in payloads(reply, "clarify"):
        for question in payload.get("questions") or []:
            nested = question.get("candidates") or {}
            names.update(str(i.get("name")) for i in nested.get("items") or [])
    for payload in payloads(reply, "candidates"):
        names.update(str(i.get("name")) for i in payload.get("items") or [])
    return names


def item_options(reply: dict[str, Any]) -> list[str]:
    """The options of the ``item`` question, in the order offered."""
    return [str(o.get("label")) for payload in payloads(reply, "clarify") for question in payload.get("questions") or []
            if question.get("slot") == "item" for o in question.get("options") or []]


def guide_name(guide: dict[str, Any]) -> str:
    """A guide by its bundle's name, else its first item's."""
    bundle = (guide.get("bundle") or {}).get("name")
    items = guide.get("items") or [{}]
    return str(bundle or items[0].get("name"))


def score_reply(expect: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """Reasons this reply misses the expectation; empty when it meets all of it. Whatever is
    expected, one reply hands off at most once."""
    reasons: list[str] = []
    handoffs = len(payloads(reply, "handoff"))
    if handoffs > 1:
        reasons.append(f"{handoffs} handoffs in one reply ({describe(reply)})")
    reasons += _check_clarify(expect, reply)
    reasons += _check_handoff(expect, reply)
    if GUIDE_KEYS & set(expect):
        guides = payloads(reply, "guide")
        if not guides:
            reasons.append(f"expected a guide, got {describe(reply)}")
        else:
            reasons += _check_guide(expect, guides[-1])
    if "guides_for" in expect:
        got = [guide_name(guide) for guide in payloads(reply, "guide")]
        if got != list(expect["guides_for"]):
            reasons.append(f"guides {got} != expected {list(expect['guides_for'])}")
    for needle in expect.get("text_include") or []:
        if needle not in reply_text(reply):
            reasons.append(f"text lacks {needle!r}")
    return reasons


def _check_clarify(expect: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    reasons = []
    if "clarify" in expect:
        count = len(payloads(reply, "clarify"))
        if count != int(expect["clarify"]):
            reasons.append(f"expected {expect['clarify']} clarify, got {count} ({describe(reply)})")
    if "clarify_slots" in expect:
        wanted, got = set(expect["clarify_slots"]), set(clarify_slots(reply))
        if wanted != got:
            reasons.append(f"clarify slots {sorted(got)} != expected {sorted(wanted)}")
    missing = set(expect.get("candidates_include") or []) - candidate_names(reply)
    if missing:
        reasons.append(f"candidates lack {sorted(missing)} (offered {sorted(candidate_names(reply))})")
    if "first_candidate" in expect:
        offered = item_options(reply)
        if not offered or offered[0] != expect["first_candidate"]:
            reasons.append(f"first option {offered[0] if offered else None!r} != expected {expect['first_candidate']!r}")
    return reasons


def _check_handoff(expect: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    if "handoff" not in expect:
        return []
    present = bool(payloads(reply, "handoff"))
    if present != bool(expect["handoff"]):
        return [f"expected handoff={bool(expect['handoff'])}, got {describe(reply)}"]
    return []


def _check_guide(expect: dict[str, Any], guide: dict[str, Any]) -> list[str]:
    reasons = []
    bundle = (guide.get("bundle") or {}).get("name")
    item_names = [str(i.get("name")) for i in guide.get("items") or []]
    if "item" in expect and (bundle is not None or item_names != [expect["item"]]):
        reasons.append(f"answered {bundle or item_names}, expected item {expect['item']}")
    if "bundle" in expect and bundle != expect["bundle"]:
        reasons.append(f"answered {bundle or item_names}, expected bundle {expect['bundle']}")
    for name in expect.get("items_include") or []:
        if name not in item_names:
            reasons.append(f"items lack {name}")
    for name in expect.get("items_exclude") or []:
        if name in item_names:
            reasons.append(f"items wrongly include {name}")
    reasons += _check_location(expect, guide.get("location") or {})
    reasons += _check_materials(expect, guide.get("materials") or [])
    return reasons


def _check_location(expect: dict[str, Any], location: dict[str, Any]) -> list[str]:
    reasons = []
    if "location_level" in expect and location.get("level") != expect["location_level"]:
        reasons.append(f"location level {location.get('level')} ({location.get('name')}), "
                       f"expected {expect['location_level']}")
    if "location_place" in expect and expect["location_place"] not in str(location.get("name") or ""):
        reasons.append(f"location {location.get('name')!r} does not name {expect['location_place']}")
    return reasons


def _check_materials(expect: dict[str, Any], materials: list[dict[str, Any]]) -> list[str]:
    conditions = {str(m.get("name")): m.get("condition") for m in materials}
    reasons = []
    for name in expect.get("materials_include") or []:
        if name not in conditions:
            reasons.append(f"materials lack {name}")
    for name in expect.get("materials_exclude") or []:
        if name in conditions:
            reasons.append(f"materials wrongly include {name}")
    for name in expect.get("materials_plain") or []:
        if name not in conditions:
            reasons.append(f"materials lack {name}")
        elif conditions[name]:
            reasons.append(f"{name} kept under condition {conditions[name]!r}, expected plainly")
    for name in expect.get("materials_conditional") or []:
        if name not in conditions:
            reasons.append(f"materials lack {name} (expected with its condition)")
        elif not conditions[name]:
            reasons.append(f"{name} listed plainly, expected with its condition")
    return reasons


def describe(reply: dict[str, Any]) -> str:
    """A short account of a reply for failure messages: payload types, guide name, asked slots."""
    parts = []
    for kind in ("clarify", "guide", "handoff", "candidates"):
        for payload in payloads(reply, kind):
            if kind == "guide":
                parts.append(f"guide:{payload.get('name') or [i.get('name') for i in payload.get('items') or []]}")
            elif kind == "clarify":
                parts.append(f"clarify:{[q.get('slot') for q in payload.get('questions') or []]}")
            elif kind == "handoff":
                parts.append(f"handoff:{payload.get('reason')}")
            else:
                parts.append(kind)
    if not parts:
        text = reply_text(reply).replace("\n", " ")
        parts.append(f"text only: {text[:60]!r}" if text else "no messages")
    return ", ".join(parts)


# ============================================================== scoring a conversation (pure)


@dataclass
class TurnResult:
    user: str
    reasons: list[str]
    summary: str


@dataclass
class CaseResult:
    case_id: str
    category: str
    turns: list[TurnResult]
    asked_twice: list[str] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.asked_twice and not any(t.reasons for t in self.turns)

    def reasons(self) -> list[str]:
        found = [f"transport: {self.error}"] if self.error else []
        found += [f"ask-once: {r}" for r in self.asked_twice]
        found += [f"turn {n} {t.user!r}: {r}" for n, t in enumerate(self.turns, 1) for r in t.reasons]
        return found


def ask_once_violations(case: Case, replies: list[dict[str, Any]]) -> list[str]:
    """docs/DESIGN.md §2: one question per need, and a slot once asked is never asked again."""
    violations: list[str] = []
    need_index, clarified_in_need = 0, False
    asked_slots: dict[str, int] = {}
    for number, (turn, reply) in enumerate(zip(case.turns, replies), 1):
        if number > 1 and turn.new_need:
            need_index, clarified_in_need = need_index + 1, False
        if not payloads(reply, "clarify"):
            continue
        if clarified_in_need:
            violations.append(f"turn {number}: a second question for need {need_index + 1}")
        clarified_in_need = True
        for slot in set(clarify_slots(reply)) - {"item"}:
            if slot in asked_slots:
                violations.append(f"turn {number}: asked again for {slot!r} (first asked at turn {asked_slots[slot]})")
            else:
                asked_slots[slot] = number
    return violations


def score_case(case: Case, replies: list[dict[str, Any]], error: Optional[str] = None) -> CaseResult:
    turns = [TurnResult(t.user, score_reply(t.expect, r), describe(r)) for t, r in zip(case.turns, replies)]
    if error is None and len(replies) < len(case.turns):
        error = f"only {len(replies)} of {len(case.turns)} turns answered"
    return CaseResult(case.id, case.category, turns, ask_once_violations(case, replies), error)


@dataclass
class Summary:
    total: int
    passed: int
    by_category: dict[str, tuple[int, int]]
    asked_twice: int
    errors: int

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.pass_rate >= PASS_RATE_TARGET and self.asked_twice == 0


def summarise(results: Iterable[CaseResult]) -> Summary:
    results = list(results)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        by_category[result.category][0] += int(result.passed)
        by_category[result.category][1] += 1
    return Summary(
        total=len(results),
        passed=sum(r.passed for r in results),
        by_category={k: (v[0], v[1]) for k, v in sorted(by_category.items())},
        asked_twice=sum(bool(r.asked_twice) for r in results),
        errors=sum(r.error is not None for r in results),
    )


def format_report(results: list[CaseResult], summary: Summary, elapsed: float) -> str:
    lines = [f"dialogue eval: {summary.passed}/{summary.total} cases pass "
             f"({summary.pass_rate:.1%}, target ≥ {PASS_RATE_TARGET:.0%}) in {elapsed:.1f}s", "", "by category:"]
    for category, (passed, total) in summary.by_category.items():
        lines.append(f"  {category:<16} {passed:>3}/{total:<3} {passed / total:6.1%}")
    asked_ok = summary.total - summary.asked_twice
    lines.append("")
    lines.append(f"at most one question per need: {asked_ok}/{summary.total} conversations "
                 f"({asked_ok / summary.total:.1%}, target 100%)" if summary.total else "no cases")
    lines.append(f"transport errors: {summary.errors}")
    failures = [r for r in results if not r.passed]
    if failures:
        lines += ["", f"failures ({len(failures)}):"]
        for result in failures:
            lines.append(f"- {result.case_id} [{result.category}]")
            lines += [f"    {reason}" for reason in result.reasons()]
    return "\n".join(lines)


# ============================================================== measurement sets (pure)

PLACE_REPLY = "龙台镇"  # the town given when a single-need case is asked only where the citizen is
HELD_OUT_MARK = "held_out"
OUTCOME_KINDS = ("guide", "question", "handoff", "other", "error")


@dataclass(frozen=True)
class SingleNeed:
    """A measurement case: one first message and the one outcome it should get."""
    case_id: str
    category: str
    user: str
    item: Optional[str]  # the expected item, or None when a handoff is expected

    @property
    def expects_handoff(self) -> bool:
        return self.item is None


def single_need(case: Case) -> SingleNeed:
    """The measurement reading of a case: one turn expecting exactly an ``item`` or ``handoff: true``."""
    if len(case.turns) != 1:
        raise CaseError(f"{case.source}:{case.id}: a measurement case has exactly one turn")
    expect = case.turns[0].expect
    if set(expect) == {"item"} and isinstance(expect["item"], str):
        return SingleNeed(case.id, case.category, case.turns[0].user, expect["item"])
    if expect == {"handoff": True}:
        return SingleNeed(case.id, case.category, case.turns[0].user, None)
    raise CaseError(f"{case.source}:{case.id}: a measurement case expects only `item` or `handoff: true`")


def asks_item(reply: dict[str, Any]) -> bool:
    """A which-item question: an ``item`` slot in a clarify, or a list of candidates to pick from."""
    return "item" in clarify_slots(reply) or bool(payloads(reply, "candidates"))


def asks_only_place(reply: dict[str, Any]) -> bool:
    """A question that leaves the item settled and asks where (and perhaps a fact): answered with a town."""
    return bool(payloads(reply, "clarify")) and not asks_item(reply) and not payloads(reply, "guide")


def first_guide_name(reply: dict[str, Any]) -> Optional[str]:
    """The item the first guide answers; a bundle's guide answers no single item (its bundle name)."""
    guides = payloads(reply, "guide")
    if not guides:
        return None
    guide = guides[0]
    bundle = (guide.get("bundle") or {}).get("name")
    items = [str(i.get("name")) for i in guide.get("items") or []]
    if bundle or len(items) != 1:
        return f"bundle:{bundle}" if bundle else ("+".join(items) or str(guide.get("name")))
    return items[0]


SAME_SERVICE_FILE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "words" / "same_service.yaml"


@lru_cache(maxsize=1)
def stand_ins(path: Path = SAME_SERVICE_FILE) -> dict[str, str]:
    """List item → the authored item that stands for it (one service written twice: the catalog's
    ``same_service.yaml``): the authored item's guide answers a case expecting the list item."""
    rows = (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.exists() else []
    return {str(row["list"]): str(row["authored"]) for row in rows}


@dataclass
class Outcome:
    case_id: str
    category: str
    user: str
    expected: str  # the item's name, or "handoff"
    kind: str  # one of OUTCOME_KINDS: what the final reply was
    answered: Optional[str] = None  # the first guide's item
    candidates: list[str] = field(default_factory=list)
    place_asked: bool = False
    summary: str = ""

    @property
    def correct(self) -> bool:
        if self.expected == "handoff":
            return self.kind == "handoff"
        return self.kind == "guide" and self.answered in (self.expected, stand_ins().get(self.expected))

    @property
    def confident_wrong(self) -> bool:
        return self.kind == "guide" and not self.correct

    @property
    def right_among_candidates(self) -> bool:
        return self.kind == "question" and bool({self.expected, stand_ins().get(self.expected)} & set(self.candidates))


def classify(need: SingleNeed, replies: list[dict[str, Any]], error: Optional[str] = None) -> Outcome:
    """What the conversation came to: the last reply decides (the first, or the one after the place)."""
    expected = need.item or "handoff"
    place_asked = len(replies) > 1
    if error is not None or not replies:
        return Outcome(need.case_id, need.category, need.user, expected, "error", place_asked=place_asked,
                       summary=f"transport: {error or 'no reply'}")
    reply = replies[-1]
    summary = " → ".join(describe(r) for r in replies)
    if asks_item(reply):
        return Outcome(need.case_id, need.category, need.user, expected, "question",
                       candidates=sorted(candidate_names(reply)), place_asked=place_asked, summary=summary)
    if payloads(reply, "guide"):
        return Outcome(need.case_id, need.category, need.user, expected, "guide",
                       answered=first_guide_name(reply), place_asked=place_asked, summary=summary)
    kind = "handoff" if payloads(reply, "handoff") else "other"
    return Outcome(need.case_id, need.category, need.user, expected, kind, place_asked=place_asked,
                   summary=summary)


@dataclass
class SetMetrics:
    """One measurement set's aggregates. Rates are over the set's item (or not-on-list) cases."""
    name: str
    items: int = 0
    top1: int = 0
    asked: int = 0
    right_among_candidates: int = 0
    confident_wrong: int = 0
    handoff: int = 0
    other: int = 0
    place_asked: int = 0
    not_on_list: int = 0
    nol_handoff: int = 0
    nol_wrong_guide: int = 0
    nol_asked: int = 0
    nol_other: int = 0
    errors: int = 0

    def rates(self) -> dict[str, Optional[float]]:
        def rate(part: int, whole: int) -> Optional[float]:
            return part / whole if whole else None
        return {
            "top1": rate(self.top1, self.items),
            "question_rate": rate(self.asked, self.items),
            "right_among_candidates_when_asked": rate(self.right_among_candidates, self.asked),
            "confident_wrong_guide": rate(self.confident_wrong, self.items),
            "handoff_rate": rate(self.handoff, self.items),
            "other_rate": rate(self.other, self.items),
            "not_on_list_handoff": rate(self.nol_handoff, self.not_on_list),
            "not_on_list_wrong_guide": rate(self.nol_wrong_guide, self.not_on_list),
            "not_on_list_question": rate(self.nol_asked, self.not_on_list),
        }


def measure(name: str, outcomes: Iterable[Outcome]) -> SetMetrics:
    metrics = SetMetrics(name)
    for o in outcomes:
        metrics.errors += o.kind == "error"
        if o.expected == "handoff":
            metrics.not_on_list += 1
            metrics.nol_handoff += o.kind == "handoff"
            metrics.nol_wrong_guide += o.kind == "guide"
            metrics.nol_asked += o.kind == "question"
            metrics.nol_other += o.kind in ("other", "error")
            continue
        metrics.items += 1
        metrics.top1 += o.correct
        metrics.asked += o.kind == "question"
        metrics.right_among_candidates += o.right_among_candidates
        metrics.confident_wrong += o.confident_wrong
        metrics.handoff += o.kind == "handoff"
        metrics.other += o.kind in ("other", "error")
        metrics.place_asked += o.place_asked
    return metrics


def is_held_out(name: str) -> bool:
    return HELD_OUT_MARK in name


def _pct(value: Optional[float]) -> str:
    return "   –  " if value is None else f"{value:6.1%}"


def format_metrics(sets: list[tuple[SetMetrics, list[Outcome]]], list_failures: bool = False,
                   show_held_out: bool = False) -> str:
    """The compact table of every measurement set, then (on request) each missed case of a set."""
    lines = ["long-tail measurement (never fails the run)", "",
             f"  {'set':<22} {'items':>5} {'top-1':>6} {'asked':>6} {'right∈asked':>11} "
             f"{'wrong guide':>11} {'handoff':>7} {'other':>6}"]
    for m, _ in sets:
        r = m.rates()
        lines.append(f"  {m.name:<22} {m.items:>5} {_pct(r['top1'])} {_pct(r['question_rate'])} "
                     f"{_pct(r['right_among_candidates_when_asked']):>11} "
                     f"{_pct(r['confident_wrong_guide']):>11} "
                     f"{_pct(r['handoff_rate']):>7} {_pct(r['other_rate'])}")
    lines += ["", f"  {'not on the list':<22} {'needs':>5} {'handoff':>7} {'wrong guide':>11} {'asked':>6}"]
    for m, _ in sets:
        r = m.rates()
        lines.append(f"  {m.name:<22} {m.not_on_list:>5} {_pct(r['not_on_list_handoff']):>7} "
                     f"{_pct(r['not_on_list_wrong_guide']):>11} {_pct(r['not_on_list_question'])}")
    errors = sum(m.errors for m, _ in sets)
    if errors:
        lines += ["", f"  transport errors: {errors}"]
    if list_failures:
        for m, outcomes in sets:
            missed = [o for o in outcomes if not o.correct]
            lines += ["", f"{m.name}: {len(missed)} missed"]
            if is_held_out(m.name) and not show_held_out:
                lines.append("  (held-out set: aggregates only; --show-held-out lists its cases)")
                continue
            for o in missed:
                got = o.answered if o.kind == "guide" else o.kind
                if o.kind == "question":
                    got += f" {o.candidates}" + (" (right one offered)" if o.right_among_candidates else "")
                lines.append(f"  - {o.case_id}: {o.user}\n      expected {o.expected}; got {got}"
                             f"{' after the place' if o.place_asked else ''} [{o.summary}]")
    return "\n".join(lines)


def metrics_document(sets: list[tuple[SetMetrics, list[Outcome]]],
                     show_held_out: bool = False) -> dict[str, Any]:
    """The JSON form; a held-out set's cases are left out unless asked for."""
    document: dict[str, Any] = {}
    for m, outcomes in sets:
        entry: dict[str, Any] = {"counts": asdict(m), "rates": m.rates()}
        if show_held_out or not is_held_out(m.name):
            entry["cases"] = [asdict(o) | {"correct": o.correct} for o in outcomes]
        document[m.name] = entry
    return document


def measurement_files(paths: Iterable[Path]) -> list[Path]:
    """Each file given, and each case file of each directory given: every file is a set of its own
    (so a directory holding both halves still reports, and hides, its held-out half apart)."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
    return files


def load_measurement_set(path: Path) -> list[SingleNeed]:
    """One file of measurement cases, each read as a single need."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise CaseError(f"{path}: a case file holds a YAML list of cases")
    cases = [parse_case(raw, path.name) for raw in data]
    duplicates = [cid for cid, n in Counter(c.id for c in cases).items() if n > 1]
    if duplicates:
        raise CaseError(f"{path}: duplicate case ids: {duplicates}")
    return [single_need(c) for c in cases]


def split_by_key(keys: Iterable[str], seed: int) -> tuple[set[str], set[str]]:
    """(tune, held_out): the distinct keys shuffled with a fixed seed, the first half held out.

    The long-tail set was split with it by item (every phrasing of one item on one side) and, for
    the not-on-list needs, by case; tests/scripts re-derive the split from the two files."""
    import random

    ordered = sorted(set(keys))
    random.Random(seed).shuffle(ordered)
    half = len(ordered) // 2
    return set(ordered[half:]), set(ordered[:half])


# ============================================================== running against the service (I/O)


async def run_case(client, case: Case, run_id: str) -> CaseResult:
    """One conversation, turn by turn, with a sender id of its own."""
    sender_id = f"eval-{run_id}-{case.id}"[:128]
    replies: list[dict[str, Any]] = []
    try:
        for turn in case.turns:
            response = await client.post("/api/chat", json={"sender_id": sender_id, "message": turn.user})
            if response.status_code != 200:
                return score_case(case, replies, error=f"HTTP {response.status_code} at turn {len(replies) + 1}")
            replies.append(response.json())
    except Exception as exc:  # any transport failure is a scored failure, not a crash
        return score_case(case, replies, error=f"{type(exc).__name__}: {exc}")
    return score_case(case, replies)


async def run_single(client, need: SingleNeed, run_id: str) -> Outcome:
    """A measurement case: its one message, and ``PLACE_REPLY`` if only the place is asked."""
    sender_id = f"eval-{run_id}-{need.case_id}"[:128]
    replies: list[dict[str, Any]] = []
    try:
        for message in (need.user, PLACE_REPLY):
            response = await client.post("/api/chat", json={"sender_id": sender_id, "message": message})
            if response.status_code != 200:
                return classify(need, replies, error=f"HTTP {response.status_code}")
            replies.append(response.json())
            if not asks_only_place(replies[-1]):
                break
    except Exception as exc:  # a transport failure is a counted error, not a crash
        return classify(need, replies, error=f"{type(exc).__name__}: {exc}")
    return classify(need, replies)


async def _run_bounded(url: str, things: list, concurrency: int, timeout: float, runner) -> list:
    import httpx

    run_id = uuid.uuid4().hex[:8]  # reruns must not resume yesterday's conversations
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:

        async def bounded(thing):
            async with limit:
                return await runner(client, thing, run_id)

        return list(await asyncio.gather(*(bounded(t) for t in things)))


async def run_all(url: str, cases: list[Case], concurrency: int, timeout: float) -> list[CaseResult]:
    return await _run_bounded(url, cases, concurrency, timeout, run_case)


async def run_measurements(url: str, needs: list[SingleNeed], concurrency: int,
                           timeout: float) -> list[Outcome]:
    return await _run_bounded(url, needs, concurrency, timeout, run_single)


def select_cases(cases: list, only: Optional[list[str]]) -> list:
    """Cases (or single needs) whose id or category is named; all of them without ``--only``."""
    if not only:
        return cases
    wanted = set(only)
    return [c for c in cases if getattr(c, "id", None) in wanted or getattr(c, "case_id", None) in wanted
            or c.category in wanted]


def set_name(path: Path) -> str:
    """A measurement set's name in the report: its path below tests/, or its file name."""
    parts = path.resolve().parts
    return "/".join(parts[parts.index("tests") + 1:]) if "tests" in parts else path.name


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running app (POST /api/chat)")
    parser.add_argument("--cases", type=Path, default=None,
                        help="dialogue cases, passed or failed "
                             "(default tests/dialogues unless only --metrics is given)")
    parser.add_argument("--metrics", type=Path, nargs="+", default=[],
                        help="measurement sets (files or directories), scored per file; never fail the run")
    parser.add_argument("--list-failures", action="store_true",
                        help="print each missed case of a measurement set (message, expected, got)")
    parser.add_argument("--show-held-out", action="store_true",
                        help="let --list-failures and --json show the cases of a held-out set too")
    parser.add_argument("--only", nargs="*", help="case ids or categories to run")
    parser.add_argument("--concurrency", type=int, default=4, help="conversations in flight at once")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--json", type=Path, help="also write every result as JSON here")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the report
    args = parse_args(argv)
    if args.cases is None and not args.metrics:
        args.cases = Path(__file__).resolve().parents[1] / "tests" / "dialogues"
    concurrency = max(1, args.concurrency)
    measured = [(set_name(path), select_cases(load_measurement_set(path), args.only))
                for path in measurement_files(args.metrics)]
    document: dict[str, Any] = {}
    exit_code = 0
    if args.cases is not None:
        cases = select_cases(load_cases(args.cases), args.only)
        started = time.perf_counter()
        results = asyncio.run(run_all(args.url, cases, concurrency, args.timeout))
        summary = summarise(results)
        sys.stdout.write(format_report(results, summary, time.perf_counter() - started) + "\n")
        document = {"summary": asdict(summary) | {"pass_rate": summary.pass_rate},
                    "results": [asdict(r) | {"passed": r.passed} for r in results]}
        exit_code = 0 if summary.ok else 1
    if measured:
        scored = []
        for name, needs in measured:
            outcomes = asyncio.run(run_measurements(args.url, needs, concurrency, args.timeout))
            scored.append((measure(name, outcomes), outcomes))
        sys.stdout.write(("\n" if args.cases is not None else "")
                         + format_metrics(scored, args.list_failures, args.show_held_out) + "\n")
        document["sets"] = metrics_document(scored, args.show_held_out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
