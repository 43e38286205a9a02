"""NLU comparison on one held-out split of our data: our pipeline vs stock Rasa Chinese vs rapidfuzz.

    PYTHONPATH=. .venv/bot/bin/python scripts/nlu_compare.py [--seed 42] [--test-fraction 0.2]
        [--stock-epochs 60] [--work DIR] [--json results/nlu_compare.json]

Runs in the bot environment (it imports rasa). Steps:

1. loads every hand-written NLU file in nlu_data/ and splits it once, stratified by intent with a
   fixed seed (Rasa's ``TrainingData.train_test_split``), writing train.yml / test.yml to a temp
   dir — the test part is never trained on;
2. trains, with ``rasa train nlu`` on train.yml only, (a) our pipeline (config.yml: jieba with the
   catalog user dictionary, DIET, the catalog entity component) and (b) the stock Chinese pipeline
   Rasa documents (JiebaTokenizer + CountVectorsFeaturizer word and char n-grams + DIETClassifier +
   EntitySynonymMapper; no user dictionary, no catalog component);
3. (c) a rapidfuzz-only baseline: intent of the most similar training example, item = the catalog
   name or alias that best matches the message, places = town/village names found in the text;
4. scores all three on test.yml: intent accuracy, item-resolution top-1 accuracy and place F1.

Item resolution: a test example counts when its annotated ``item`` entity names exactly one catalog
code (vocabulary in assistant/generated/catalog_vocab.json); the prediction is the first ``item``
entity's code (ours: the value the catalog component sets; stock: the predicted span looked up in
the same vocabulary, since stock Rasa has nothing else to map it with). Place F1 is micro F1 over
the (town|village, code) pairs of each example.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
VOCAB_PATH = ROOT / "assistant" / "generated" / "catalog_vocab.json"
PLACE_TYPES = ("town", "village")
FUZZY_ITEM_CUTOFF = 70

logger = logging.getLogger("nlu_compare")

STOCK_CONFIG = """# Stock Rasa 3.x pipeline for Chinese (docs: "Tokenizers → JiebaTokenizer"), no project parts.
recipe: default.v1
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
    analyzer: word
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    random_seed: 42
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.3
policies: []
"""


# ============================================================== examples and gold labels (pure)


@dataclass
class Example:
    text: str
    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Prediction:
    intent: Optional[str]
    item: Optional[str]
    places: set[tuple[str, str]]


class Vocabulary:
    """Surface → codes per entity type, from the generated catalog vocabulary."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.codes: dict[tuple[str, str], set[str]] = {}
        self.all_codes: set[str] = set()
        for section, entity in (("items", "item"), ("towns", "town"), ("villages", "village")):
            for entry in data.get(section, []):
                self.all_codes.add(entry["code"])
                for surface in [entry["name"], *entry.get("aliases", [])]:
                    self.codes.setdefault((entity, surface), set()).add(entry["code"])

    def code(self, entity: str, surface: str) -> Optional[str]:
        codes = self.codes.get((entity, surface.strip()), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def surfaces(self, entity: str) -> list[tuple[str, str]]:
        return [(surface, next(iter(codes))) for (kind, surface), codes in self.codes.items()
                if kind == entity and len(codes) == 1]


def gold_item(example: Example, vocab: Vocabulary) -> Optional[str]:
    for entity in example.entities:
        if entity.get("entity") == "item":
            surface = example.text[entity["start"]:entity["end"]]
            return vocab.code("item", surface) or vocab.code("item", str(entity.get("value") or ""))
    return None


def gold_places(example: Example, vocab: Vocabulary) -> set[tuple[str, str]]:
    places = set()
    for entity in example.entities:
        kind = entity.get("entity")
        if kind in PLACE_TYPES:
            surface = example.text[entity["start"]:entity["end"]]
            code = vocab.code(kind, surface) or vocab.code(kind, str(entity.get("value") or ""))
            places.add((kind, code or f"?{surface}"))  # an unknown gold place still counts as missed
    return places


def prediction_from_parse(parsed: dict[str, Any], vocab: Vocabulary) -> Prediction:
    """Map a Rasa parse result to codes; entity values that are not codes are looked up as names."""
    item, places = None, set()
    for entity in sorted(parsed.get("entities") or [], key=lambda e: e.get("start", 0)):
        kind, value = entity.get("entity"), str(entity.get("value") or "")
        if kind not in ("item", *PLACE_TYPES):
            continue
        code = value if value in vocab.all_codes else vocab.code(kind, value)
        if code is None:
            continue
        if kind == "item" and item is None:
            item = code
        elif kind in PLACE_TYPES:
            places.add((kind, code))
    return Prediction((parsed.get("intent") or {}).get("name"), item, places)


class FuzzyBaseline:
    """rapidfuzz over the catalog names and the training examples; no learning at all."""

    def __init__(self, train: list[Example], vocab: Vocabulary) -> None:
        self.train_texts = [e.text for e in train]
        self.train_intents = [e.intent for e in train]
        self.items = vocab.surfaces("item")
        self.places = {kind: vocab.surfaces(kind) for kind in PLACE_TYPES}

    def predict(self, text: str) -> Prediction:
        from rapidfuzz import fuzz, process

        best = process.extractOne(text, self.train_texts, scorer=fuzz.ratio)
        intent = self.train_intents[best[2]] if best else None
        hit = process.extractOne(text, [s for s, _ in self.items], scorer=fuzz.partial_ratio,
                                 score_cutoff=FUZZY_ITEM_CUTOFF)
        item = self.items[hit[2]][1] if hit else None
        # Place names are short: a one-character slip is usually another real place, so only
        # whole names count (「龙台」 and 「龙台镇」 give the same code).
        places = {(kind, code) for kind, surfaces in self.places.items() for surface, code in surfaces
                  if len(surface) >= 2 and surface in text}
        return Prediction(intent, item, places)


@dataclass
class Scores:
    intent_accuracy: float
    item_top1: float
    item_examples: int
    place_precision: float
    place_recall: float
    place_f1: float
    examples: int


def score(examples: list[Example], predictions: list[Prediction], vocab: Vocabulary) -> Scores:
    intents = sum(p.intent == e.intent for e, p in zip(examples, predictions))
    item_pairs = [(gold_item(e, vocab), p.item) for e, p in zip(examples, predictions)]
    item_pairs = [(g, p) for g, p in item_pairs if g is not None]
    true_pos = false_pos = false_neg = 0
    for example, prediction in zip(examples, predictions):
        gold = gold_places(example, vocab)
        true_pos += len(gold & prediction.places)
        false_pos += len(prediction.places - gold)
        false_neg += len(gold - prediction.places)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 0.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(
        intent_accuracy=intents / len(examples) if examples else 0.0,
        item_top1=sum(g == p for g, p in item_pairs) / len(item_pairs) if item_pairs else 0.0,
        item_examples=len(item_pairs),
        place_precision=precision, place_recall=recall, place_f1=f1,
        examples=len(examples),
    )


def format_table(rows: dict[str, Scores], extra: dict[str, str]) -> str:
    lines = ["| pipeline | intent accuracy | item top-1 | place P / R / F1 | train time |",
             "|---|---:|---:|---:|---:|"]
    for name, s in rows.items():
        lines.append(f"| {name} | {s.intent_accuracy:.3f} | {s.item_top1:.3f} (n={s.item_examples}) "
                     f"| {s.place_precision:.3f} / {s.place_recall:.3f} / {s.place_f1:.3f} | {extra.get(name, '-')} |")
    return "\n".join(lines)


# ============================================================== Rasa glue (I/O)


def hand_written_nlu_files(nlu_dir: Path) -> list[Path]:
    return sorted(p for p in nlu_dir.glob("*.yml") if p.is_file())


def split_data(nlu_dir: Path, work: Path, seed: int, test_fraction: float) -> tuple[Path, Path]:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    parts = [load_data(str(path), language="zh") for path in hand_written_nlu_files(nlu_dir)]
    data = TrainingData().merge(*parts)
    train, test = data.train_test_split(train_frac=1 - test_fraction, random_seed=seed)
    train_path, test_path = work / "train.yml", work / "test.yml"
    train_path.write_text(train.nlu_as_yaml(), encoding="utf-8")
    test_path.write_text(test.nlu_as_yaml(), encoding="utf-8")
    return train_path, test_path


def load_examples(path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path), language="zh")
    return [Example(m.get("text"), m.get("intent"), list(m.get("entities") or []))
            for m in data.intent_examples]


def train_nlu(config: Path, train: Path, out: Path, name: str) -> tuple[Path, float]:
    started = time.perf_counter()
    command = [str(ROOT / ".venv" / "bot" / "bin" / "rasa"), "train", "nlu", "--nlu", str(train), "--config",
               str(config), "--out", str(out), "--fixed-model-name", name]
    log = out / f"{name}.log"
    with log.open("w") as handle:
        result = subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                env=dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT)))
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed; see {log}")
    return out / f"{name}.tar.gz", time.perf_counter() - started


def parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # otherwise every parse prints a debug line to stdout
    agent = Agent.load(str(model))

    async def run() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nlu", type=Path, default=ROOT / "nlu_data")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--stock-epochs", type=int, default=60, help="DIET epochs of the stock pipeline")
    parser.add_argument("--work", type=Path, help="keep split, models and logs here (default: a temp dir)")
    parser.add_argument("--json", type=Path)
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    args = parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="wyc-nlu-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    vocab = Vocabulary(json.loads(VOCAB_PATH.read_text(encoding="utf-8")))
    train_path, test_path = split_data(args.nlu, work, args.seed, args.test_fraction)
    train, test = load_examples(train_path), load_examples(test_path)
    logger.info("split (seed %d): %d train, %d held-out examples in %s", args.seed, len(train), len(test), work)
    stock_config = work / "config_stock.yml"
    stock_config.write_text(STOCK_CONFIG.format(epochs=args.stock_epochs), encoding="utf-8")

    texts = [e.text for e in test]
    rows: dict[str, Scores] = {}
    train_times: dict[str, str] = {}
    for name, config in (("ours (config.yml)", args.config), ("stock Rasa zh (jieba+CountVectors+DIET)", stock_config)):
        model, seconds = train_nlu(config, train_path, work, "ours" if name.startswith("ours") else "stock")
        train_times[name] = f"{seconds:.0f} s"
        predictions = [prediction_from_parse(p, vocab) for p in parse_all(model, texts)]
        rows[name] = score(test, predictions, vocab)
    baseline = FuzzyBaseline(train, vocab)
    rows["rapidfuzz baseline (no model)"] = score(test, [baseline.predict(t) for t in texts], vocab)

    table = format_table(rows, train_times)
    sys.stdout.write(f"held-out split: seed {args.seed}, {len(test)} of {len(train) + len(test)} examples\n{table}\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({name: vars(s) for name, s in rows.items()}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
