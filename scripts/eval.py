"""Dialogue evaluation: run the test conversations against the running service and score them.

    .venv/app/bin/python scripts/eval.py --url http://127.0.0.1:8000 [--cases tests/dialogues]
        [--only CATEGORY_OR_ID ...] [--concurrency 4] [--json results/eval.json]

Every conversation goes through ``POST /api/chat`` (DESIGN.md §6) with its own sender id, turn by
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
- ``item`` — the guide answers exactly this item (canonical name, not a bundle);
- ``bundle`` — the guide answers this bundle; ``items_include`` / ``items_exclude`` — member items;
- ``location_level`` (village|town|county) and ``location_place`` (text the location name contains);
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
a failure too (DESIGN §2.4: a fact, once given, is never asked again).
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
KNOWN_KEYS = GUIDE_KEYS | {"clarify", "clarify_slots", "candidates_include", "guides_for", "handoff", "text_include"}
LEVELS = ("village", "town", "county")


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
    names: set[str] = set()
    for payload in payloads(reply, "clarify"):
        for question in payload.get("questions") or []:
            names.update(str(o.get("label")) for o in question.get("options") or [] if question.get("slot") == "item")
            nested = question.get("candidates") or {}
            names.update(str(i.get("name")) for i in nested.get("items") or [])
    for payload in payloads(reply, "candidates"):
        names.update(str(i.get("name")) for i in payload.get("items") or [])
    return names


def guide_name(guide: dict[str, Any]) -> str:
    """A guide by its bundle's name, else its first item's."""
    bundle = (guide.get("bundle") or {}).get("name")
    items = guide.get("items") or [{}]
    return str(bundle or items[0].get("name"))


def score_reply(expect: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """Reasons this reply misses the expectation; empty when it meets all of it."""
    reasons: list[str] = []
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
    """DESIGN §2: one question per need, and a slot once asked is never asked again."""
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
    except Exception as exc:  # noqa: BLE001 — any transport failure is a scored failure, not a crash
        return score_case(case, replies, error=f"{type(exc).__name__}: {exc}")
    return score_case(case, replies)


async def run_all(url: str, cases: list[Case], concurrency: int, timeout: float) -> list[CaseResult]:
    import httpx

    run_id = uuid.uuid4().hex[:8]  # reruns must not resume yesterday's conversations
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:

        async def bounded(case: Case) -> CaseResult:
            async with limit:
                return await run_case(client, case, run_id)

        return list(await asyncio.gather(*(bounded(c) for c in cases)))


def select_cases(cases: list[Case], only: Optional[list[str]]) -> list[Case]:
    if not only:
        return cases
    wanted = set(only)
    return [c for c in cases if c.id in wanted or c.category in wanted]


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running app (POST /api/chat)")
    parser.add_argument("--cases", type=Path, default=Path(__file__).resolve().parents[1] / "tests" / "dialogues")
    parser.add_argument("--only", nargs="*", help="case ids or categories to run")
    parser.add_argument("--concurrency", type=int, default=4, help="conversations in flight at once")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--json", type=Path, help="also write every result as JSON here")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the report
    args = parse_args(argv)
    cases = select_cases(load_cases(args.cases), args.only)
    started = time.perf_counter()
    results = asyncio.run(run_all(args.url, cases, max(1, args.concurrency), args.timeout))
    summary = summarise(results)
    sys.stdout.write(format_report(results, summary, time.perf_counter() - started) + "\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"summary": asdict(summary) | {"pass_rate": summary.pass_rate},
                    "results": [asdict(r) | {"passed": r.passed} for r in results]}
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
