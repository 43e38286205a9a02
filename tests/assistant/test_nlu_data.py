"""Checks on the hand-written NLU data in nlu_data/ (bot env; reads it with Rasa's own loader)."""
import os
from pathlib import Path

import jieba
import pytest
import rasa.shared.data
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[2]
NLU_DIR = ROOT / "nlu_data"
USERDICT = Path(os.environ.get("WYC_JIEBA_USERDICT", ROOT / "nlu_data/generated/jieba/userdict.txt"))

FIXED_INTENTS = {
    "ask_item", "inform", "affirm", "deny", "greet", "goodbye", "thanks",
    "request_human", "complaint", "out_of_scope", "bot_challenge",
}
CODED_ENTITIES = {"item", "town", "village"}


@pytest.fixture(scope="module")
def training_data():
    # Rasa's trainer skips non-NLU files (the jieba dictionary under generated/); load_data on
    # the folder would not, so read the YAML files the trainer reads.
    files = rasa.shared.data.get_data_files([str(NLU_DIR)], rasa.shared.data.is_nlu_file)
    return TrainingData().merge(*(load_data(f, language="zh") for f in sorted(files)))


def test_intents_are_exactly_the_agreed_names(training_data):
    assert training_data.intents == FIXED_INTENTS


def test_enough_examples_overall_and_for_the_core_intents(training_data):
    counts = {intent: 0 for intent in FIXED_INTENTS}
    for example in training_data.intent_examples:
        counts[example.get("intent")] += 1
    assert sum(counts.values()) >= 1500
    assert counts["ask_item"] + counts["inform"] >= 1000
    assert min(counts.values()) >= 20, counts


def test_only_the_agreed_entity_types_are_annotated(training_data):
    assert training_data.entities <= CODED_ENTITIES


def test_no_example_is_listed_under_two_intents(training_data):
    seen = {}
    clashes = []
    for example in training_data.intent_examples:
        text, intent = example.get("text"), example.get("intent")
        if seen.setdefault(text, intent) != intent:
            clashes.append((text, seen[text], intent))
    assert clashes == []


@pytest.mark.skipif(not USERDICT.exists(), reason="run `make vocab` to generate the jieba user dictionary")
def test_every_entity_span_falls_on_jieba_token_boundaries(training_data):
    """Rasa warns (and DIET learns partial tags) when a span cuts a token; keep the data aligned."""
    segmenter = jieba.Tokenizer()
    segmenter.load_userdict(str(USERDICT))
    misaligned = []
    for example in training_data.entity_examples:
        text = example.get("text")
        bounds = {0, len(text)}
        for _word, start, end in segmenter.tokenize(text):
            bounds.update((start, end))
        for entity in example.get("entities", []):
            if entity["start"] not in bounds or entity["end"] not in bounds:
                misaligned.append(f"{text} [{text[entity['start']:entity['end']]}]")
    assert misaligned == []


def test_every_line_of_an_examples_block_is_an_example():
    """A comment inside ``examples: |`` is text to Rasa: it warns and skips the line, and the note meant
    for readers is lost from view (``rasa data validate`` passes all the same)."""
    import yaml

    stray = []
    for path in rasa.shared.data.get_data_files([str(NLU_DIR)], rasa.shared.data.is_nlu_file):
        for block in yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip() and not line.lstrip().startswith("- "):
                    stray.append((Path(path).name, block.get("intent") or block.get("synonym"), line.strip()))
    assert stray == []
