"""The real service of another shipped region, as `WYC_REGION=<code> make run` starts it: `rasa run`
with the region's model (scripts/region-model.sh) and the app on the region's own catalog, on free
local ports. Used by the e2e and browser tests of that region (tests/e2e/test_official_guides.py,
tests/browser/test_official_guides.py), which skip with the reason when `WYC_E2E_MODEL_<code>` is not
set (`make test` sets it). Only the standard library at module level, like tests/processes.py.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from tests.processes import service

ROOT = Path(__file__).resolve().parents[1]


def model_variable(region: str) -> str:
    return f"WYC_E2E_MODEL_{region}"


class RegionStack:
    """``chat(sender, text)`` posts to /api/chat like the widget; ``url`` is the app."""

    def __init__(self, url: str, region: str):
        import httpx

        self.url, self.region = url, region
        self.client = httpx.Client(base_url=url, timeout=30)

    def chat(self, sender_id: str, message: str) -> dict:
        response = self.client.post("/api/chat", json={"sender_id": sender_id, "message": message})
        assert response.status_code == 200, response.text
        return response.json()


@contextlib.contextmanager
def region_stack(work: Path, region: str, model: str) -> Iterator[RegionStack]:
    env = dict(WYC_REGION=region, WYC_LOG_DATABASE_URL=f"sqlite:///{work / 'exchanges.db'}",
               WYC_RATE_LIMIT_PER_MINUTE="1000")
    with service(work, model, f"catalog_{region}.db", env, f"region {region} e2e") as running:
        yield RegionStack(running.app_url, region)


@contextlib.contextmanager
def stack_from_environment(tmp_path_factory, region: str) -> Iterator[RegionStack]:
    """The region's stack with the model named by ``WYC_E2E_MODEL_<region>``; skips when it is unset."""
    import pytest

    model = os.environ.get(model_variable(region))
    if not model:
        pytest.skip(f"{model_variable(region)} not set: `make test` trains the region's model "
                    f"(scripts/region-model.sh {region}) and sets it")
    with region_stack(tmp_path_factory.mktemp(f"e2e-{region}"), region, model) as stack:
        yield stack
