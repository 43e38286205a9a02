"""catalog/data/words/phrasings/: every item exists in its region's list, no sentence twice, nothing
from the measurement sets."""
import json
from pathlib import Path

import pytest
import yaml

from catalog.seed import DEFAULT_COUNTY_CODE, REGIONS
from catalog.text import normalise
from catalog.words import PHRASINGS_DIR, load_phrasings

ROOT = Path(__file__).resolve().parents[2]
# A file of the bank belongs to 广安区 unless named here (catalog/data/words/phrasings/README.md).
REGION_OF_FILE = {"fangchenggang.yaml": "450600", "fangchenggang_more.yaml": "450600"}
MEASUREMENT_SETS = ("tests/longtail", "tests/dialogues", "tests/dialogues_fangchenggang")


def region_item_names(region: str) -> set[str]:
    """The item names of a shipped region as its data file writes them (catalog/seed.py REGIONS), and
    the names of its authored 一件事 bundles."""
    data = REGIONS[region]
    if data.items is not None:
        guides = yaml.safe_load(data.guides.read_text("utf-8")) if data.guides else {}
        bundles = guides.get("bundles") or []
        return {row["name"] for row in json.loads(data.items.read_text("utf-8"))} | {b["name"] for b in bundles}
    with data.official_guides.open(encoding="utf-8") as lines:
        return {json.loads(line)["item_name"] for line in lines if line.strip()}


def bank_files() -> list[Path]:
    return sorted(PHRASINGS_DIR.glob("*.yaml"))


def names_in(file: Path) -> list[str]:
    return [str(entry["item"]).strip() for entry in yaml.safe_load(file.read_text("utf-8")) or []]


@pytest.fixture(scope="module")
def phrasings():
    return load_phrasings()


@pytest.mark.parametrize("file", bank_files(), ids=lambda file: file.name)
def test_every_item_is_on_its_regions_list_as_written(file):
    names = region_item_names(REGION_OF_FILE.get(file.name, DEFAULT_COUNTY_CODE))
    unknown = sorted(set(names_in(file)) - names)
    assert not unknown


def test_every_region_file_is_a_shipped_region():
    assert set(REGION_OF_FILE.values()) <= set(REGIONS)
    assert set(REGION_OF_FILE) <= {file.name for file in bank_files()}


def test_another_regions_file_leaves_the_default_regions_items_alone():
    """The resolver reads every file and keeps the names its loaded catalog has, so a name on both lists
    would change what 广安区 reads; such items already have their sentences in 广安区's files."""
    default_names = region_item_names(DEFAULT_COUNTY_CODE)
    for file_name in REGION_OF_FILE:
        assert not set(names_in(PHRASINGS_DIR / file_name)) & default_names, file_name


def test_no_sentence_is_written_twice(phrasings):
    sentences = [sentence for _, sentence in phrasings]
    assert len(sentences) == len(set(sentences))


def test_no_sentence_comes_from_a_measurement_set(phrasings):
    """The bank is what the resolver knows; the long-tail and both regions' dialogue sets are what measure it."""
    measured = set()
    for folder in MEASUREMENT_SETS:
        files = list((ROOT / folder).glob("*.yaml"))
        assert files, folder
        for file in files:
            for case in yaml.safe_load(file.read_text("utf-8")) or []:
                measured.update(normalise(turn["user"]) for turn in case.get("turns", []) if turn.get("user"))
    # Only the overlap is shown: a failure must not print the measurement sets (the held-out half is never read).
    overlap = sorted(measured & {sentence for _, sentence in phrasings})
    assert not overlap, f"sentences of the bank that a measurement set has: {overlap}"


def test_a_broken_entry_is_named(tmp_path):
    (tmp_path / "x.yaml").write_text("- item: 最低生活保障\n  say: 低保\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.yaml: entry 1"):
        load_phrasings.__wrapped__(tmp_path)


def test_the_folder_is_the_one_the_loader_reads():
    assert PHRASINGS_DIR == ROOT / "catalog" / "data" / "words" / "phrasings"
