"""The parts of an item name: object, action, qualifiers, audience — derived from the name alone.

Chinese item names follow the national naming: an object (什么证、什么待遇、什么许可), an action
(新办、补领、换领、延续、变更、注销…) and qualifiers (for whom, at which level). Every name of a
county's list is parsed at load time with the vocabulary in catalog/data/words/; no item has
code of its own, so another county's list is parsed by the same words.

    python -m catalog.item_model report [--names FILE]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from catalog.text import normalise
from catalog.words import ALTERNATIVE_MARKS, AUDIENCES, Words, load_colloquial, load_words

ITEMS_FILE = Path(__file__).resolve().parent / "data" / "guangan_items.json"

# One level of bracketed note, after normalise() (NFKC makes （） into ()); 《》 and quotes
# only mark a title, so they are dropped and their text stays in place.
_NOTE = re.compile(r"\(([^()]*)\)")
_TITLE_MARKS = str.maketrans("", "", "《》“”\"'「」")
_TITLE = re.compile(r"《([^《》]+)》")
_DOCUMENT_ENDS = ("证", "证明", "证书", "执照", "许可")  # a title ending so is the document citizens name
_EDGE = "、,，/\\;；:： "
_MIN_BARE = 2  # a one-character remainder (「证」) is no object


@dataclass(frozen=True)
class ItemParts:
    name: str
    objects: tuple[str, ...]    # what the item is about, most specific first (normalised text)
    actions: frozenset[str]     # canonical action stems (actions.yaml keys)
    qualifiers: tuple[str, ...] # canonical qualifiers, then unrecognised bracketed notes as written
    audience: str               # citizen | business | institution | mixed
    parsed: bool                # an object and (an action or a noun-item head) were found
    # What the name does: its actions less a record a later action acts on (actions.yaml ``records``:
    # 「…备案进行注销」 does 注销 of the filing; 「…竣工验收备案」 files the acceptance).
    does: frozenset[str] = frozenset()


def _audience(text: str, qualifiers: Iterable[str], words: Words) -> str:
    points: Counter[str] = Counter()
    for _, _, _, (who, weight) in words.cues.scan(text):
        points[who] += weight
    for qualifier in qualifiers:
        if qualifier in words.qualifier_audience:
            points[words.qualifier_audience[qualifier]] += 2
    if not points:
        return "mixed"
    ranked = points.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return "mixed"
    return ranked[0][0]


def _trim_scope(segment: list[tuple[str, str | None, str | None]]) -> list:
    """Drop scope words at a segment's edges (they say where, not what)."""
    while segment and segment[0][1] == "scope":
        segment = segment[1:]
    while segment and segment[-1][1] == "scope":
        segment = segment[:-1]
    return segment


def parse_name(name: str, words: Words) -> ItemParts:
    text = normalise(name).translate(_TITLE_MARKS)
    notes = _NOTE.findall(text)
    main = _NOTE.sub("", text)
    actions: set[str] = set()
    qualifiers: list[str] = []

    # Bracketed notes carry an action (「（补办）」), a scope (「（县级）」) or a plain remark.
    for note in notes:
        found = False
        for _, _, word, (kind, value) in words.names.scan(note):
            if kind == "action":
                actions.update(words.stems_of(word, value))
                found = True
            elif kind in ("scope", "qualifier"):
                qualifiers.append(value)
                found = True
        if not found and note.strip(_EDGE):
            qualifiers.append(note.strip(_EDGE))

    # The main text: actions and glue split it into object segments; qualifiers stay inside.
    segments: list[tuple[int, list]] = []  # (start offset, [(text, kind, canonical)])
    current: list = []
    action_starts: list[int] = []
    said: list[tuple[int, frozenset[str]]] = []  # (end offset, stems) of each action of the main text
    start = 0
    pos = 0

    def close(at: int) -> None:
        nonlocal current
        trimmed = _trim_scope(current)
        if "".join(t for t, _, _ in trimmed).strip(_EDGE):
            segments.append((at, trimmed))
        current = []

    for i, j, word, (kind, value) in words.names.scan(main):
        if i > pos:
            if not current:
                start = pos
            current.append((main[pos:i], None, None))
        if kind in ("action", "glue"):
            close(start)
            if kind == "action":
                actions.update(words.stems_of(word, value))
                action_starts.append(i)
                said.append((j, words.stems_of(word, value)))
        else:
            if not current:
                start = i
            current.append((word, kind if kind != "noun" else None, value))
            if kind in ("scope", "qualifier"):
                qualifiers.append(value)
        pos = j
    if pos < len(main):
        if not current:
            start = pos
        current.append((main[pos:], None, None))
    close(start)

    # Most specific first: the object just before the last action is what the item acts on
    # (「领取失业保险金期间职业培训补贴申领」 → 职业培训补贴); verb-first names
    # (「补领结婚证」) have none before it, so the first object leads.
    if segments:
        last_action = action_starts[-1] if action_starts else len(main)
        before = [k for k, (s, _) in enumerate(segments) if s < last_action]
        lead = before[-1] if before else 0
        segments.insert(0, segments.pop(lead))
    objects: list[str] = []
    for _, parts in segments:
        full = "".join(t for t, _, _ in parts).strip(_EDGE)
        bare = "".join(t for t, kind, _ in parts if kind is None).strip(_EDGE)
        for candidate in (full, bare):
            if len(candidate) >= _MIN_BARE and candidate not in objects:
                objects.append(candidate)

    # The document a title names is an object of its own: 「设立歌舞娱乐场所《娱乐经营许可证》核发」 is
    # asked for as 「娱乐经营许可证」; a law's title (「按《公司法》改制」) names no document.
    for title in _TITLE.findall(normalise(name)):
        title = title.strip(_EDGE)
        if title.endswith(_DOCUMENT_ENDS) and len(title) >= _MIN_BARE and title not in objects:
            objects.append(title)

    # A name that is all action (「停业登记」「面对面咨询」) names the act itself as its object.
    if not objects and actions and len(main.strip(_EDGE)) >= _MIN_BARE:
        objects.append(main.strip(_EDGE))
    lead_object = objects[0] if objects else ""
    noun_item = any(lead_object.endswith(h) for h in words.heads)
    qualifiers = list(dict.fromkeys(qualifiers))
    return ItemParts(
        name=name,
        objects=tuple(objects),
        actions=frozenset(actions),
        qualifiers=tuple(qualifiers),
        audience=_audience(text, qualifiers, words),
        parsed=bool(objects) and (bool(actions) or noun_item),
        does=frozenset(actions) - words.records_acted_on(main, said, ALTERNATIVE_MARKS),
    )


@lru_cache(maxsize=4096)
def sets_up(name: str) -> bool:
    """The item's name sets something up (its actions have the stem 新办: 个体工商户设立登记): what it gives
    (the 营业执照) is the result the citizen holds once it is done."""
    return "新办" in parse_name(name, load_words()).does


def parse_catalog(names: Iterable[str], words: Words | None = None) -> list[ItemParts]:
    words = words or load_words()
    return [parse_name(n, words) for n in names]


@lru_cache(maxsize=1)
def catalog_parts() -> dict[str, ItemParts]:
    """The default list (广安区) parsed once: item name → parts."""
    with open(ITEMS_FILE, encoding="utf-8") as handle:
        names = [row["name"] for row in json.load(handle)]
    return {p.name: p for p in parse_catalog(names)}


# ---------------------------------------------------------------- report


def colloquial_coverage(parts: Iterable[ItemParts], audience: str = "citizen") -> tuple[list[str], list[str]]:
    """(covered, uncovered) names of the items of one audience: covered when a lexicon word that is
    not a substring of the item's name reaches it, by naming it (items, expect) or one of its objects."""
    entries = load_colloquial()
    covered: list[str] = []
    uncovered: list[str] = []
    for p in parts:
        if p.audience != audience:
            continue
        name = normalise(p.name)
        reached = any(
            e.word not in name
            and (p.name in e.items or p.name == e.expect or (e.means is not None and e.means in p.objects))
            for e in entries
            if e.section == "objects"
        )
        (covered if reached else uncovered).append(p.name)
    return covered, uncovered


def report(names: list[str], out=None, coverage: bool = True) -> None:
    out = out or sys.stdout
    parts = parse_catalog(names)
    parsed = [p for p in parts if p.parsed]
    w = out.write
    w(f"items: {len(parts)}\n")
    w(f"parsed: {len(parsed)} ({100 * len(parsed) / max(len(parts), 1):.1f}%)\n")
    w(f"not parsed: {len(parts) - len(parsed)}\n\n")
    w("by audience:\n")
    by_audience = Counter(p.audience for p in parts)
    for who in (*AUDIENCES, "mixed"):
        w(f"  {who}: {by_audience[who]}\n")
    w("\nby action (an item may have several):\n")
    by_action = Counter(a for p in parts for a in p.actions)
    for stem, count in by_action.most_common():
        w(f"  {stem}: {count}\n")
    w(f"  (none: noun-shaped items): {sum(1 for p in parts if not p.actions)}\n")
    if coverage:
        w("\ncolloquial coverage (items a citizen's word reaches, by audience):\n")
        gaps = {}
        for who in (*AUDIENCES, "mixed"):
            covered, gaps[who] = colloquial_coverage(parts, who)
            w(f"  {who}: {len(covered)}/{len(covered) + len(gaps[who])}\n")
        for who, uncovered in gaps.items():
            w(f"\nuncovered {who} items:\n")
            for name in uncovered:
                w(f"  {name}\n")
    w("\nnot parsed:\n")
    for p in parts:
        if not p.parsed:
            w(f"  {p.name}  objects={list(p.objects)} actions={sorted(p.actions)}\n")


def _read_names(path: str | None) -> list[str]:
    if path is None:
        with open(ITEMS_FILE, encoding="utf-8") as handle:
            return [row["name"] for row in json.load(handle)]
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        return [row["name"] for row in json.loads(text)]
    if path.endswith(".jsonl"):
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [row.get("item_name") or row["name"] for row in rows]
    return [line.strip() for line in text.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m catalog.item_model")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="parse counts and unparsed names")
    rep.add_argument("--names", help="a .json list (name), .jsonl (item_name) or one name a line; default 广安区")
    args = parser.parse_args(argv)
    report(_read_names(args.names), coverage=args.names is None)


if __name__ == "__main__":
    main()
