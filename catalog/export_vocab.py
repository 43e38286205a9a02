"""Write the catalog vocabulary the Rasa bot reads (it cannot import the catalog itself).

    python -m catalog.export_vocab [--out-dir nlu_data/generated] [--vocab assistant/generated/catalog_vocab.json]

Outputs (deterministic, sorted): the entity vocabulary JSON and the jieba user dictionary
``<out-dir>/jieba/userdict.txt`` (plain "word freq" lines: jieba has no comment syntax).
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from catalog.db import database_url_from_env, make_engine, make_sessionmaker, session_scope
from catalog.models import Bundle, CatalogMeta, FactOption, Item, Region
from catalog.schema import REPO_ROOT, upgrade_to_head
from catalog.seed import FINGERPRINT_KEY, load_default_catalog
from catalog.words import load_aspects, load_ordinals

log = logging.getLogger(__name__)

COMMAND = "python -m catalog.export_vocab"
ITEM_FREQ, PLACE_FREQ, FACT_FREQ = 20000, 10000, 5000
_WORD_PARTS = re.compile(r"[^\u3400-\u9fff0-9A-Za-z]+")


def _sorted_entries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["aliases"] = sorted(set(row["aliases"]) - {row["name"]})
    return sorted(rows, key=lambda row: row["code"])


def build_vocab(session: Session) -> dict[str, Any]:
    items = [{"code": i.code, "name": i.name, "aliases": [a.alias for a in i.aliases]}
             for i in session.scalars(select(Item).options(selectinload(Item.aliases)))]
    items += [{"code": b.code, "name": b.name, "aliases": [a.alias for a in b.aliases]}
              for b in session.scalars(select(Bundle).options(selectinload(Bundle.aliases)))]
    regions: dict[str, list[dict[str, Any]]] = {level: [] for level in ("town", "village")}
    query = select(Region).where(Region.level.in_(regions)).options(selectinload(Region.aliases))
    for region in session.scalars(query):
        regions[region.level].append({"code": region.code, "name": region.name,
                                      "aliases": [a.alias for a in region.aliases]})
    fact_words = {word for words in session.scalars(select(FactOption.words)) for word in words or []}
    return {
        "_generated": f"generated from the catalog database by `{COMMAND}`; do not edit",
        "items": _sorted_entries(items),
        "towns": _sorted_entries(regions["town"]),
        "villages": _sorted_entries(regions["village"]),
        "fact_words": sorted(fact_words),
        "words": conversation_words(),
    }


def conversation_words() -> dict[str, Any]:
    """The NLU component's own words (catalog/data/words/): aspects, complaints and the pattern of an
    option answered by its number alone."""
    aspects = load_aspects()
    return {
        "aspects": {aspect: list(words) for aspect, words in aspects.keywords.items()},
        "complaints": list(aspects.complaints),
        "bare_ordinal": load_ordinals().bare,
    }


def _words(names: list[str]) -> set[str]:
    # jieba cannot hold punctuation or spaces inside a word: split names at them.
    return {part for name in names for part in _WORD_PARTS.split(name) if len(part) > 1}


def build_userdict(vocab: dict[str, Any]) -> list[str]:
    freq: dict[str, int] = {}
    groups = ((vocab["items"], ITEM_FREQ), (vocab["towns"], PLACE_FREQ), (vocab["villages"], PLACE_FREQ))
    for entries, weight in groups:
        for word in _words([n for entry in entries for n in (entry["name"], *entry["aliases"])]):
            freq[word] = max(freq.get(word, 0), weight)
    for word in _words(vocab["fact_words"]):
        freq.setdefault(word, FACT_FREQ)
    return [f"{word} {freq[word]}" for word in sorted(freq)]


def write_outputs(session: Session, vocab_path: Path, out_dir: Path) -> tuple[Path, Path]:
    vocab = build_vocab(session)
    vocab_path.parent.mkdir(parents=True, exist_ok=True)
    vocab_path.write_text(json.dumps(vocab, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    userdict = out_dir / "jieba" / "userdict.txt"
    userdict.parent.mkdir(parents=True, exist_ok=True)
    userdict.write_text("\n".join(build_userdict(vocab)) + "\n", encoding="utf-8")
    return vocab_path, userdict


def check_up_to_date(vocab_path: Path, out_dir: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        engine = make_engine(f"sqlite:///{scratch_dir / 'catalog.db'}")
        try:
            upgrade_to_head(engine)
            load_default_catalog(engine)
            with session_scope(make_sessionmaker(engine)) as session:
                fresh = write_outputs(session, scratch_dir / "vocab.json", scratch_dir / "out")
        finally:
            engine.dispose()
        stale = [str(committed) for committed, rebuilt in zip((vocab_path, out_dir / "jieba" / "userdict.txt"), fresh)
                 if not committed.exists() or committed.read_bytes() != rebuilt.read_bytes()]
    if stale:
        log.error("generated files are stale: %s; run `%s` and commit them", ", ".join(stale), COMMAND)
        return 1
    log.info("generated files are up to date")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "nlu_data" / "generated")
    parser.add_argument("--vocab", type=Path, default=REPO_ROOT / "assistant" / "generated" / "catalog_vocab.json")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--check", action="store_true",
                        help="rebuild from the default catalog in a scratch database and fail if the "
                             "committed files differ (CI: generated files must be reproducible)")
    args = parser.parse_args(argv)
    if args.check:
        return check_up_to_date(args.vocab, args.out_dir)
    engine = make_engine(args.database_url or database_url_from_env())
    try:
        upgrade_to_head(engine)
        with session_scope(make_sessionmaker(engine)) as session:
            has_items = session.scalar(select(Item.code).limit(1)) is not None
            holds_default = session.get(CatalogMeta, FINGERPRINT_KEY) is not None
        if holds_default or not has_items:
            # Fresh checkout: works in one command. Default catalog: refreshed if guides.yaml changed
            # (a no-op otherwise). Another county's database is exported as it is.
            load_default_catalog(engine)
        with session_scope(make_sessionmaker(engine)) as session:
            for path in write_outputs(session, args.vocab, args.out_dir):
                log.info("wrote %s", path)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
