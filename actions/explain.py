"""Why a message gets the reply it gets: the NLU's reading, the rule that decided, the need, and the
general resolver's ranking of the whole list, for the first message of a new conversation.

For curators and developers: before attaching a citizen's phrasing to an item or adding a word to
``catalog/data/words/``, see which part of the reading went wrong (the NLU's intent, an item read
from an incidental word, the resolver's ranking…). The same reading ``action_answer`` makes
(``actions.answer.read_turn`` and ``actions.rules.decide``), with nothing written anywhere.

- ``POST /api/curator/explain`` (agent token) and the curator page's 「说法诊断」 box;
- ``make explain TEXT=…`` (``python -m actions.explain``) against a running Rasa, or over the
  cases of an eval file (``--cases``, one JSON line per case).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, cast

from sqlalchemy.orm import Session

from actions import rules
from actions.answer import places_checked, read_turn
from actions.conversation import Memory, Turn
from catalog import queries
from catalog.types import Target

RANKED = 6  # of the resolver's ranking, the targets shown
# What each rule of ``actions.rules.RULES`` does, for the curators' page (the docstrings say it in full).
RULE_LABELS = {
    "triaged_intent": "投诉、转人工或寒暄：只有全清单排序明确指向某一事项时才按事项答复",
    "reply_for_every_need": "对同时询问多项的问题的回复：补充情形，不是选择",
    "reply_picks_an_option": "对“办哪一项”问题的回复：在给出的选项中选定",
    "reply_takes_every_option": "对“办哪一项”问题回复“都要”：每一项都答复",
    "same_reply_again": "同一句话重复发送：答复不变",
    "continues_item_in_play": "补充地点或情形：接着办刚才的事项",
    "needs_named_apart": "分别说出了几个事项：逐项答复（除非全清单排序明确指向另一事项）",
    "asks_one_or_another": "“A 还是 B”：同一对象的两种办理，问一次选哪项",
    "named_by_the_nlu": "意图识别出的事项（除非全清单排序明确另有所指）",
    "found_by_search": "事项检索的明确结果或几项并列",
    "resolved_over_the_list": "全清单排序的答复或选项",
    "about_item_in_play": "问刚才事项的细节（费用、时限、地点）",
    "rest_of_the_question": "回复了问题的其余部分（如乡镇），但没选事项：几项都答复",
    rules.NOTHING: "没有规则认出需要办的事项：转人工",
}


def _targets(targets: Iterable[Target]) -> list[dict[str, str]]:
    return [{"code": t.code, "name": t.name, "kind": t.kind} for t in targets]


def outcome(need: rules.Need) -> str:
    """What the citizen is given: ``answer`` (the item's 一次性告知, after the place or facts it
    lacks), ``question`` (the one which-item question; one option: 是不是【…】), ``every`` (each
    candidate's guide), ``intent`` (the intent's own reply: a complaint's handoff, a goodbye…) or
    ``handoff`` (nothing found)."""
    if need.hand_on:
        return "intent"
    if need.target is not None:
        return "answer"
    if need.candidates:
        return "every" if need.every else "question"
    return "handoff"


def explain(session: Session, parse: dict[str, Any]) -> dict[str, Any]:
    """``parse``: the NLU's parse of the message (Rasa's ``/model/parse``)."""
    turn = places_checked(session, Turn.from_parse(parse))
    reading = read_turn(session, turn, Memory())
    situation = reading.situation
    need, rule = rules.decide(situation)
    by_name = {r.name: r for r in rules.RULES}
    names = dict((t.code, t.name) for t in situation.catalog.targets(turn.item_codes))
    # The ranking the rules read (remembered for the message): the catalog's own Resolution, all of it shown.
    resolution = cast(queries.Resolution, situation.resolve()) if turn.text else None
    intent = parse.get("intent") or {}
    place = reading.place
    return {
        "text": turn.text,
        "nlu": {
            "intent": turn.intent,
            "confidence": round(float(intent.get("confidence") or 0.0), 3),
            "items": [{"code": code, "name": names.get(code, ""), "words": words}
                      for code, words in turn.item_mentions],
        },
        "place": {"town": place.town.name if place.town else None,
                  "village": place.village.name if place.village else None},
        "facts": reading.facts,
        "held": sorted(situation.held),
        "rule": {"name": rule, "label": RULE_LABELS.get(rule, rule),
                 "doc": by_name[rule].doc if rule in by_name else "No rule read a need: the handoff."},
        "outcome": outcome(need),
        "intent_reply": (need.intent or turn.intent) if need.hand_on else None,
        "targets": _targets([need.target] if need.target else need.candidates),
        "resolver": None if resolution is None else {
            "decision": resolution.decision,
            "wanted": sorted(resolution.wanted),
            "nothing": resolution.nothing,
            "elsewhere": round(resolution.elsewhere, 4),
            "elsewhere_need": resolution.elsewhere_need,
            "off_list_word": resolution.off_list_word,
            "ranked": [{"code": s.code, "name": s.name, "probability": s.probability, "said": s.said,
                        "action": "differs" if s.action_differs else "agrees" if s.action_agrees else "",
                        "nlu": s.code in turn.item_codes}
                       for s in resolution.ranked[:RANKED]],
        },
    }


def as_text(found: dict[str, Any]) -> str:
    """The explanation as a few lines for a terminal."""
    nlu = found["nlu"]
    lines = [f"「{found['text']}」",
             f"  NLU: {nlu['intent']} ({nlu['confidence']})"
             + "".join(f"; {i['name'] or i['code']} ← 「{i['words']}」" for i in nlu["items"])]
    place = "".join(v for v in (found["place"]["town"], found["place"]["village"]) if v)
    if place or found["facts"]:
        lines.append(f"  place: {place or '-'}; facts: {found['facts'] or '-'}")
    lines.append(f"  rule: {found['rule']['name']} — {found['rule']['doc']}")
    targets = "、".join(f"【{t['name']}】" for t in found["targets"])
    lines.append(f"  outcome: {found['outcome']} {targets or found['intent_reply'] or ''}".rstrip())
    resolver = found["resolver"]
    if resolver:
        lines.append(f"  resolver: {resolver['decision']} (wanted {','.join(resolver['wanted']) or '-'}; "
                     f"nothing {resolver['nothing']:.2f}; elsewhere {resolver['elsewhere']:.2f}"
                     + (f" {resolver['elsewhere_need']}" if resolver["elsewhere_need"] else "") + ")")
        for s in resolver["ranked"]:
            marks = " ".join(m for m in ("said" if s["said"] else "", s["action"], "NLU" if s["nlu"] else "") if m)
            lines.append(f"    {s['probability']:.3f} {s['name']} {marks}".rstrip())
    return "\n".join(lines)


def _cases(path: Path) -> list[tuple[str, str, Optional[str]]]:
    """(id, first message, expected item or None) of each case of an eval file."""
    import yaml

    found = []
    for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        turn = (case.get("turns") or [{}])[0]
        expect = turn.get("expect") or {}
        found.append((str(case.get("id")), str(turn.get("user") or ""), expect.get("item")))
    return found


def main(argv: Optional[list[str]] = None) -> int:
    import httpx

    from catalog.db import make_sessionmaker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="*", help="the citizen's message(s)")
    parser.add_argument("--cases", type=Path, help="an eval file: every case's first message, one JSON line each")
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--rasa-token-file", type=Path, default=Path("var/rasa-token"))
    parser.add_argument("--json", action="store_true", help="JSON instead of text")
    args = parser.parse_args(argv)
    if not args.text and not args.cases:
        parser.error("give a message or --cases")
    token = args.rasa_token_file.read_text().strip() if args.rasa_token_file.exists() else None
    messages: list[tuple[Optional[str], str, Optional[str]]] = [(None, text, None) for text in args.text]
    if args.cases:
        messages += _cases(args.cases)
    factory = make_sessionmaker()
    with httpx.Client(base_url=args.rasa_url, timeout=30.0) as client, factory() as session:
        for case_id, text, expected in messages:
            response = client.post("/model/parse", json={"text": text}, params={"token": token} if token else None)
            response.raise_for_status()
            found = explain(session, response.json())
            if case_id is not None:
                found = {"id": case_id, "expected": expected, **found}
            print(json.dumps(found, ensure_ascii=False) if args.json or args.cases else as_text(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
