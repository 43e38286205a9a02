"""The real service of another shipped region, as `WYC_REGION=<code> make run` starts it: `rasa run`
with the region's model (scripts/region-model.sh) and the app on the region's own catalog, on free
local ports. Used by the e2e and browser tests of that region (tests/e2e/test_official_guides.py,
tests/browser/test_official_guides.py), which skip with the reason when `WYC_E2E_MODEL_<code>` is not
set (`make test` sets it). Only the standard library at module level, like tests/processes.py.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from tests.processes import free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[1]
BOT_RASA = ROOT / ".venv" / "bot" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"


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
    app_port, rasa_port = free_port(), free_port()
    action_token, rasa_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT), WYC_REGION=region,
               WYC_ACTION_TOKEN=action_token, WYC_RASA_TOKEN=rasa_token,
               WYC_DATABASE_URL=f"sqlite:///{work / f'catalog_{region}.db'}",
               WYC_LOG_DATABASE_URL=f"sqlite:///{work / 'exchanges.db'}",
               WYC_RASA_URL=f"http://127.0.0.1:{rasa_port}", WYC_PUBLIC_BASE_URL=f"http://127.0.0.1:{app_port}",
               WYC_WARM_START="true", WYC_RATE_LIMIT_PER_MINUTE="1000")
    env.pop("WYC_AGENT_TOKEN", None)
    subprocess.run([str(APP_PYTHON), "-m", "catalog.cli", "load-default"], cwd=ROOT, env=env, check=True)
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{app_port}/webhook\n  enable_selective_domain: true\n"
        "  headers:\n    X-Action-Token: ${WYC_ACTION_TOKEN}\n",
        encoding="utf-8",
    )
    app_log, rasa_log = work / "app.log", work / "rasa.log"
    app = subprocess.Popen(
        [str(APP_PYTHON), "-m", "uvicorn", "--factory", "api.main:create_app",
         "--host", "127.0.0.1", "--port", str(app_port)],
        cwd=ROOT, env=env, stdout=app_log.open("w"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [str(BOT_RASA), "run", "--enable-api", "--auth-token", rasa_token, "-m", str(ROOT / model),
         "--endpoints", str(endpoints), "-i", "127.0.0.1", "-p", str(rasa_port)],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/health/live", app, app_log, 60)
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={rasa_token}", rasa, rasa_log, 180,
                 ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        yield RegionStack(f"http://127.0.0.1:{app_port}", region)
    finally:
        stop([rasa, app])
        sys.stderr.write(f"region {region} e2e logs kept in {work}\n")


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
