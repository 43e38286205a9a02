"""Loading another county, as README "Loading another county" and docs/COUNTIES.md say, up to training:
the county's own catalog database (金寨县's regions, shipped in catalog/data, and an item list) through
the `catalog.cli` commands, the choice `make run` makes on it (scripts/lib/model.sh: nothing of 广安区
loaded over it, the county's own vocabulary and model), the vocabulary scripts/region-model.sh
exports, and the demo page the app serves on it. Training itself is replaced by a stub here; the same
scripts/region-model.sh trains 防城港市's model for the end-to-end tests in `make test`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from api.settings import Settings
from catalog.db import make_engine, make_sessionmaker
from catalog.models import Item, Region

ROOT = Path(__file__).resolve().parents[2]
JINZHAI = ROOT / "catalog" / "data" / "jinzhai_341524.csv"
# An item list in the import format (catalog/data/SCHEMA.md); the names are real 事项 names.
ITEMS = [
    {"name": "最低生活保障申请", "department": "县民政局", "code": "341524-dibao", "level": "village",
     "aliases": ["低保"]},
    {"name": "社会保障卡补领", "department": "县人社局", "code": "341524-card", "level": "town"},
    {"name": "个体工商户设立登记", "department": "县市场监管局", "code": "341524-business"},
]


def cli(database_url: str, *args: str, **env: str) -> str:
    """``python -m catalog.cli …`` as the documentation runs it; returns its stdout."""
    done = subprocess.run([sys.executable, "-m", "catalog.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "WYC_DATABASE_URL": database_url, **env}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> str:
    """The county's catalog database after the documented import commands."""
    work = tmp_path_factory.mktemp("county")
    items = work / "items.json"
    items.write_text(json.dumps(ITEMS, ensure_ascii=False), encoding="utf-8")
    url = f"sqlite:///{work / 'catalog_341524.db'}"
    assert cli(url, "loaded") == "empty"
    cli(url, "import-regions", str(JINZHAI))
    cli(url, "import-items", str(items))
    return url


def prepare_model(tmp_path: Path, database_url: str, **env: str) -> tuple[str, str]:
    """scripts/lib/model.sh's prepare_model as scripts/run.sh calls it, with stub training scripts
    that print what they were asked for; returns ($model, the log)."""
    for name in ("train", "region-model"):
        stub = tmp_path / name
        stub.write_text(f'#!/usr/bin/env bash\necho "models/{name} $*"\n')
        stub.chmod(0o755)
    script = 'set -euo pipefail; source scripts/lib/model.sh; prepare_model; echo "model=$model"'
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "APP": sys.executable, "WYC_DATABASE_URL": database_url,
                               "RUN_TRAIN": str(tmp_path / "train"),
                               "RUN_REGION_MODEL": str(tmp_path / "region-model"), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1].removeprefix("model="), done.stdout + done.stderr


def test_the_imported_county_is_what_the_database_holds(county):
    assert cli(county, "loaded") == "imported 341524"
    # load-default (which `make run` and the app's first start call) loads nothing over it.
    cli(county, "load-default")
    engine = make_engine(county)
    with make_sessionmaker(engine)() as session:
        assert session.get(Region, "511602") is None, "广安区 was loaded over the county"
        assert session.scalars(select(Item.name).order_by(Item.name)).all() == sorted(i["name"] for i in ITEMS)
    engine.dispose()


def test_make_run_trains_the_countys_own_model(county, tmp_path):
    model, log = prepare_model(tmp_path, county)
    assert model == "models/region-model 341524", log
    assert cli(county, "loaded") == "imported 341524"


def test_make_run_loads_a_shipped_region_into_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalog_450600.db'}"
    model, log = prepare_model(tmp_path, url, WYC_REGION="450600")
    assert model == "models/region-model 450600", log
    assert cli(url, "loaded") == "shipped 450600"


def test_the_countys_vocabulary_names_its_towns_and_items(county, tmp_path):
    """The export scripts/region-model.sh runs before training (into var/region_<code>/ there)."""
    vocab = tmp_path / "catalog_vocab.json"
    done = subprocess.run([sys.executable, "-m", "catalog.export_vocab", "--out-dir", str(tmp_path / "nlu"),
                           "--vocab", str(vocab)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "WYC_DATABASE_URL": county, "WYC_REGION": "341524"})
    assert done.returncode == 0, done.stderr
    text = vocab.read_text(encoding="utf-8")
    assert "梅山镇" in text and "最低生活保障申请" in text
    assert "龙台镇" not in text and "广安" not in text


def test_the_demo_page_is_the_countys(county, tmp_path):
    settings = Settings(_env_file=None, environment="test", database_url=county, warm_start=False,
                        log_database_url=f"sqlite:///{tmp_path / 'log.db'}", rasa_url="http://127.0.0.1:9")
    with TestClient(create_app(settings, action_package=None)) as client:
        page = client.get("/").text
    assert "<title>金寨县 12345 政务服务便民热线" in page and "所在乡镇（街道）" in page
    assert "广安" not in page and "龙台" not in page
    # The widget greets with one of the county's own towns, not 广安区's 龙台镇.
    assert 'data-examples="我在梅山镇，社保卡丢了怎么补|' in page
