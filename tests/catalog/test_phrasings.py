"""catalog/data/words/phrasings/: every item exists, no sentence twice, nothing from the measurement sets."""
import json
from pathlib import Path

import pytest
import yaml

from catalog.text import normalise
from catalog.words import PHRASINGS_DIR, load_phrasings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def phrasings():
    return load_phrasings()


def test_every_item_is_on_the_list_as_written(phrasings):
    names = {item["name"] for item in json.loads((ROOT / "catalog/data/guangan_items.json").read_text("utf-8"))}
    unknown = sorted({item for item, _ in phrasings if item not in names})
    assert not unknown


def test_no_sentence_is_written_twice(phrasings):
    sentences = [sentence for _, sentence in phrasings]
    assert len(sentences) == len(set(sentences))


def test_no_sentence_comes_from_a_measurement_set(phrasings):
    """The bank is what the resolver knows; the long-tail and dialogue sets are what measures it."""
    measured = set()
    for folder in ("tests/longtail", "tests/dialogues"):
        for file in (ROOT / folder).glob("*.yaml"):
            for case in yaml.safe_load(file.read_text("utf-8")) or []:
                measured.update(normalise(turn["user"]) for turn in case.get("turns", []) if turn.get("user"))
    assert not measured & {sentence for _, sentence in phrasings}


def test_a_broken_entry_is_named(tmp_path):
    (tmp_path / "x.yaml").write_text("- item: 最低生活保障\n  say: 低保\n", encoding="utf-8")
    with pytest.raises(ValueError, match="x.yaml: entry 1"):
        load_phrasings.__wrapped__(tmp_path)


def test_the_folder_is_the_one_the_loader_reads():
    assert PHRASINGS_DIR == ROOT / "catalog" / "data" / "words" / "phrasings"
