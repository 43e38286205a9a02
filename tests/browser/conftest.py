"""Browser-test fixtures: Debian's chromium driven by Playwright (never a downloaded browser),
the real app served by uvicorn on a free port, and a small fake Rasa REST server.

The fake bot is honest about what it is: it answers `/webhooks/rest/webhook` with the guide
payload that `catalog.guide` computes for the best `catalog.search` match, the place and the
facts found in the message. It lets the widget be checked without a trained model; the real
bot is exercised by the `e2e` variant on the shared `stack` fixture (tests/conftest.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.processes import free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AGENT_TOKEN = "browser-test-agent-token-7d2e"
SCREENSHOTS = ROOT / "docs" / "screenshots"


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-chromium.sh (Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed in the app env")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser):
    contexts = []

    def new_page(**context_options):
        context = browser.new_context(locale="zh-CN", **context_options)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


# --- the catalog ----------------------------------------------------------------------------


# --- the fake Rasa server ---------------------------------------------------------------------


def build_fake_rasa(catalog_url: str, public_base: str):
    """A stand-in for `rasa run`: one guide answer per message, straight from the catalog, split into
    text and payload as Rasa's REST channel splits it."""
    from fastapi import FastAPI

    from api.main import warm_catalog_caches
    from catalog import queries
    from catalog.db import make_sessionmaker

    sessions = make_sessionmaker(catalog_url)
    with sessions() as session:  # the catalog's indexes, built now and not in a test's first wait
        warm_catalog_caches(session)
    fake = FastAPI()

    @fake.post("/webhooks/rest/webhook")
    def webhook(body: dict) -> list[dict]:
        sender, text = body.get("sender", ""), body.get("message", "")
        with sessions() as session:
            candidates = queries.search(session, text, limit=1)
            target = queries.get_target(session, candidates[0].code) if candidates else None
            if target is None:
                return [{"recipient_id": sender, "custom": {"type": "handoff", "reason": "未找到事项", "phone": "12345"}}]
            place = queries.resolve_place(session, text)
            facts = queries.parse_facts(session, text)
            payload = queries.guide(session, target, facts, place, public_base=public_base)
        # As Rasa's REST channel sends one utterance: the text, then the payload alone.
        return [{"recipient_id": sender, "text": f"【{target.name}】一次性告知（纯文本）"},
                {"recipient_id": sender, "custom": payload}]

    @fake.get("/status")
    def status() -> dict:
        return {"model_file": "fake-bot (tests/browser)", "fingerprint": {}}

    @fake.post("/conversations/{sender}/tracker/events")
    def append_events(sender: str, body: dict) -> dict:
        # The fake keeps no conversation; it records who asked to be forgotten (「重新开始」, reload).
        if body.get("event") == "restart":
            fake.state.restarted.append(sender)
        return {"sender_id": sender}

    fake.state.restarted = []
    return fake


class ThreadedServer:
    """uvicorn in a background thread, stopped cleanly at fixture teardown."""

    def __init__(self, app, port: int):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake Rasa server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


# --- the real app ---------------------------------------------------------------------------


class AppServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log


def start_app(tmp_dir: Path, catalog_url: str, rasa_url: str, port: int, region: str | None = None) -> AppServer:
    """``region``: the demo region the app is set to (WYC_REGION), for a catalog of another region."""
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **({"WYC_REGION": region} if region else {}),
        "RASA_TELEMETRY_ENABLED": "false",
        "WYC_ENVIRONMENT": "test",
        "WYC_DATABASE_URL": catalog_url,
        "WYC_LOG_DATABASE_URL": f"sqlite:///{tmp_dir / 'exchanges.db'}",
        "WYC_RASA_URL": rasa_url,
        "WYC_PUBLIC_BASE_URL": url,
        "WYC_AGENT_TOKEN": AGENT_TOKEN,
        "WYC_RATE_LIMIT_PER_MINUTE": "1000",
        # The real start-up: the catalog's indexes are built before the app serves (api/main.py),
        # not in the first search a test waits for.
        "WYC_WARM_START": "true",
    }
    log = tmp_dir / f"app-{port}.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    wait_for(f"{url}/health/live", process, log, timeout=120, ok=lambda r: r.status_code < 500, interval=0.3)
    return AppServer(url, process, log)


def stop_app(server: AppServer) -> None:
    stop([server.process], timeout=10)


@pytest.fixture(scope="session")
def app_with_fake_bot(tmp_path_factory, catalog_url) -> Iterator[AppServer]:
    """The real app (its own process) whose Rasa URL points at the fake bot (``.fake_bot``: its app)."""
    app_port, bot_port = free_port(), free_port()
    fake = build_fake_rasa(catalog_url, public_base=f"http://127.0.0.1:{app_port}")
    with ThreadedServer(fake, bot_port):
        server = start_app(tmp_path_factory.mktemp("app-fake-bot"), catalog_url, f"http://127.0.0.1:{bot_port}", app_port)
        server.fake_bot = fake
        try:
            yield server
        finally:
            stop_app(server)


@pytest.fixture(scope="session")
def app_with_real_bot(stack):
    """The real stack (Rasa with the trained model + the app), shared with tests/e2e."""
    return stack


@pytest.fixture(scope="session")
def agent_token() -> str:
    return AGENT_TOKEN


@pytest.fixture
def save_screenshot():
    """Saves into docs/screenshots/ (the pictures of README.md and docs/ are these test runs)."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path))
        return path

    return save
