"""Shared fixtures: `catalog_url` (the default catalog in a SQLite file) and `stack`: the real
processes — `rasa run` (bot env) with the model trained by `scripts/train.sh`, and the FastAPI app
(app env) serving the action webhook — on free local ports.

Started once per test session and shared by every e2e and browser e2e test (docs/DESIGN.md §3).
Lives at the root of tests/ so both folders see the same session fixture; it imports nothing
beyond the standard library at module level because tests/assistant runs in the bot env. Skipped with a clear
reason when `WYC_E2E_MODEL` is not set (plain `pytest` runs only unit tests; `make test` sets it).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.processes import service

# Unit tests start hundreds of apps: no catalog warm-up and no heap freeze per app (api/settings.py
# warm_start). The end-to-end processes below turn it back on: they are the real start-up.
os.environ.setdefault("WYC_WARM_START", "false")

ROOT = Path(__file__).resolve().parents[1]


class Stack:
    """The running service: `chat(sender, text)` posts to /api/chat like the widget does.
    ``action_token`` and ``rasa_token`` are the shared secrets the processes were started with."""

    def __init__(self, app_url: str, rasa_url: str, action_token: str = "", rasa_token: str = ""):
        import httpx

        self.app_url = self.url = app_url
        self.rasa_url = rasa_url
        self.action_token, self.rasa_token = action_token, rasa_token
        self.client = httpx.Client(base_url=app_url, timeout=30)

    def chat(self, sender_id: str, message: str) -> dict:
        response = self.client.post("/api/chat", json={"sender_id": sender_id, "message": message})
        assert response.status_code == 200, response.text
        return response.json()


CATALOG_DATA = ROOT / "catalog" / "data"


# ---------------------------------------------------------------- the catalog's data files, as written


@pytest.fixture(scope="module")
def guides() -> dict:
    """catalog/data/guides.yaml, parsed (the authored guides, facts and bundles)."""
    import yaml  # the bot env loads this conftest too

    with (CATALOG_DATA / "guides.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def real_items() -> dict[str, dict]:
    """catalog/data/guangan_items.json by item name (the real items, with or without a guide)."""
    with (CATALOG_DATA / "guangan_items.json").open(encoding="utf-8") as handle:
        return {row["name"]: row for row in json.load(handle)}


E2E_WECHAT_TOKEN = "e2e-wechat-token"


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    model = os.environ.get("WYC_E2E_MODEL")
    if not model:
        pytest.skip("WYC_E2E_MODEL not set: end-to-end tests run from `make test` after training")
    # Agents answer live chats at any hour here (the takeover tests); handoffs are queued only
    # while an agent console is open. WECHAT_TOKEN: the WeChat webhook in plain mode.
    env = dict(WYC_TAKEOVER_HOURS="00:00-24:00", WYC_TAKEOVER_DAYS="1-7", WECHAT_TOKEN=E2E_WECHAT_TOKEN)
    with service(tmp_path_factory.mktemp("e2e"), model, "catalog.db", env, "e2e") as running:
        yield Stack(running.app_url, running.rasa_url, running.action_token, running.rasa_token)


@pytest.fixture(scope="session")
def catalog_url(tmp_path_factory) -> str:
    """The default catalog (广安区 + guides.yaml) in a SQLite file, loaded once for the API and
    browser tests (a module may override it with its own)."""
    from catalog.db import make_engine
    from catalog.seed import load_default_catalog

    url = f"sqlite:///{tmp_path_factory.mktemp('catalog') / 'catalog.db'}"
    engine = make_engine(url)
    load_default_catalog(engine)
    engine.dispose()
    return url
