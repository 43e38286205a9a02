"""The `cluster` fixture: the production shape on this machine (docs/DESIGN.md §7), once per session.

nginx (app upstream + Rasa upstream with fail-over) → 2 uvicorn workers → 2 `rasa run` replicas
with assistant/endpoints.production.yml: SQLTrackerStore on a fresh PostgreSQL database, the
Redis lock store (assistant/lock_store.py) under a unique key prefix. The catalog (and exchange log) gets a database of its
own, so a test can make it unreachable without touching the tracker store. Everything is torn
down and both databases dropped afterwards.

Needs the trained model (`WYC_E2E_MODEL`, set by scripts/test.sh), the local PostgreSQL and
Redis; nginx is installed by scripts/install-nginx.sh when missing.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import httpx
import pytest

from tests.processes import free_port, log_tail, reachable, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"
BOT_PYTHON = ROOT / ".venv" / "bot" / "bin" / "python"
BOT_RASA = ROOT / ".venv" / "bot" / "bin" / "rasa"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = "redis://127.0.0.1:6379/0"
RASA_START_SECONDS = 240
# Two app workers warm their catalogs while two Rasa replicas load their models, on 2 shared cores.
APP_START_SECONDS = 240



class Cluster:
    """Handles on the running cluster; tests may stop and start Rasa replicas."""

    def __init__(self, work: Path, env: dict[str, str], model: str, catalog_db: str) -> None:
        self.work, self.env, self.model, self.catalog_db = work, env, model, catalog_db
        self.app_port, self.port, self.rasa_proxy_port = free_port(), free_port(), free_port()
        self.rasa_ports = [free_port(), free_port()]
        self.url = f"http://127.0.0.1:{self.port}"
        self.agent_token = env["WYC_AGENT_TOKEN"]
        self.action_token, self.rasa_token = env["WYC_ACTION_TOKEN"], env["WYC_RASA_TOKEN"]
        self.rasa: dict[int, subprocess.Popen] = {}
        self.app: Optional[subprocess.Popen] = None
        self.nginx: Optional[subprocess.Popen] = None
        self.client = httpx.Client(base_url=self.url, timeout=90)

    # --- processes ---------------------------------------------------------------------
    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.work / f"{name}.log").open("a")
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_rasa(self, index: int) -> None:
        port = self.rasa_ports[index]
        self.rasa[index] = self._spawn(f"rasa-{port}", [
            str(BOT_RASA), "run", "--enable-api", f"--auth-token={self.rasa_token}", "-m", str(ROOT / self.model),
            "--endpoints", "assistant/endpoints.production.yml", "--credentials", "assistant/credentials.yml",
            "-i", "127.0.0.1", "-p", str(port)])

    def wait_rasa(self, index: int, timeout: float = RASA_START_SECONDS) -> None:
        port, process = self.rasa_ports[index], self.rasa[index]
        self._wait(f"http://127.0.0.1:{port}/status?token={self.rasa_token}", process, f"rasa-{port}", timeout,
                   ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))

    def kill_rasa(self, index: int, sig: int = signal.SIGKILL) -> None:
        process = self.rasa.get(index)
        if process is not None and process.poll() is None:
            process.send_signal(sig)
            process.wait(timeout=30)

    def rasa_running(self, index: int) -> bool:
        process = self.rasa.get(index)
        return process is not None and process.poll() is None

    def start(self) -> None:
        for index in range(len(self.rasa_ports)):
            self.start_rasa(index)
        self.app = self._spawn("app", [
            str(APP_PYTHON), "-m", "uvicorn", "--factory", "api.main:create_app", "--host", "127.0.0.1",
            "--port", str(self.app_port), "--workers", "2"])
        nginx_bin = subprocess.run([str(ROOT / "scripts" / "install-nginx.sh")], check=True,
                                   capture_output=True, text=True).stdout.strip().splitlines()[-1]
        sys.path.insert(0, str(ROOT))
        from deploy.render_nginx import write_config

        prefix = self.work / "nginx"
        conf = write_config(prefix, listen_port=self.port, rasa_port=self.rasa_proxy_port,
                            app_ports=str(self.app_port), rasa_ports=" ".join(map(str, self.rasa_ports)))
        self.nginx = self._spawn("nginx", [nginx_bin, "-e", str(prefix / "error.log"), "-p", str(prefix), "-c", str(conf)])
        self._wait(f"http://127.0.0.1:{self.app_port}/health/live", self.app, "app", APP_START_SECONDS)
        for index in range(len(self.rasa_ports)):
            self.wait_rasa(index)
        self.wait_healthy(60)

    def wait_healthy(self, timeout: float) -> dict:
        deadline, body = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            try:
                response = self.client.get("/health", timeout=5)
                body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
                if response.status_code == 200:
                    return body
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise AssertionError(f"cluster not healthy after {timeout}s: {body}")

    def _wait(self, url: str, process: subprocess.Popen, name: str, timeout: float, ok=lambda r: r.status_code == 200):
        wait_for(url, process, self.work / f"{name}.log", timeout, ok=ok, interval=1)

    def log_tail(self, name: str, chars: int = 4000) -> str:
        return log_tail(self.work / f"{name}.log", chars)

    def stop(self) -> None:
        stop([self.nginx, self.app, *self.rasa.values()], timeout=30)
        self.client.close()

    # --- requests ----------------------------------------------------------------------
    def chat(self, sender_id: str, message: str) -> httpx.Response:
        return self.client.post("/api/chat", json={"sender_id": sender_id, "message": message})


def _require_services() -> None:
    if not reachable("127.0.0.1", 5432, timeout=2):
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    if not reachable("127.0.0.1", 6379, timeout=2):
        pytest.skip("Redis not reachable on 127.0.0.1:6379")


def _cluster_env(catalog_db: str, tracker_db: str, lock_prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("WYC_") or k.startswith("WECHAT_")]:
        del env[key]  # nothing from the developer's shell leaks into the production profile
    env.update(
        RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        WYC_ENVIRONMENT="production",
        WYC_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{catalog_db}",
        WYC_REDIS_URL=REDIS_URL,
        WYC_RASA_TIMEOUT_SECONDS="45",
        WYC_LOAD_DEFAULT_CATALOG="false",
        WYC_AGENT_TOKEN=secrets.token_urlsafe(24),
        WYC_ACTION_TOKEN=secrets.token_urlsafe(24), WYC_RASA_TOKEN=secrets.token_urlsafe(24),
        WYC_TRACKER_DB_HOST="127.0.0.1", WYC_TRACKER_DB_PORT="5432", WYC_TRACKER_DB_NAME=tracker_db,
        WYC_TRACKER_DB_USER="postgres", WYC_TRACKER_DB_PASSWORD="",
        WYC_REDIS_HOST="127.0.0.1", WYC_REDIS_PORT="6379", WYC_REDIS_PASSWORD="", WYC_REDIS_LOCK_DB="0",
        WYC_REDIS_LOCK_PREFIX=lock_prefix,
        # A killed replica's conversation lock expires after this; the turn waiting on it then
        # proceeds on the other replica well within the app's 45 s Rasa timeout.
        TICKET_LOCK_LIFETIME="15", SQL_POOL_SIZE="5", SQL_MAX_OVERFLOW="10",
        # Agents answer live chats at any hour here (tests/production/test_takeover_cluster.py).
        WYC_TAKEOVER_HOURS="00:00-24:00", WYC_TAKEOVER_DAYS="1-7",
    )
    return env


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Cluster:
    model = os.environ.get("WYC_E2E_MODEL")
    if not model:
        pytest.skip("WYC_E2E_MODEL not set: cluster tests run from `make test` after training")
    _require_services()
    sys.path.insert(0, str(ROOT))
    from deploy.database import drop_database, ensure_database

    run_id = secrets.token_hex(4)
    catalog_db, tracker_db, lock_prefix = f"wyc_{run_id}", f"wyc_{run_id}_tracker", f"wyctest{run_id}"
    work = tmp_path_factory.mktemp("cluster")
    env = _cluster_env(catalog_db, tracker_db, lock_prefix)
    cluster = Cluster(work, env, model, catalog_db)
    env["WYC_RASA_URL"] = f"http://127.0.0.1:{cluster.rasa_proxy_port}"
    env["WYC_PUBLIC_BASE_URL"] = cluster.url
    env["WYC_ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{cluster.app_port}/webhook"
    ensure_database(catalog_db)
    ensure_database(tracker_db)
    try:
        for args in (["-m", "catalog.cli", "load-default"], ["-m", "api.exchange_log", "purge"]):
            subprocess.run([str(APP_PYTHON), *args], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([str(BOT_PYTHON), "deploy/prepare_tracker_store.py", "assistant/endpoints.production.yml"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        _drop_lock_keys(lock_prefix)
        drop_database(catalog_db)
        drop_database(tracker_db)
        sys.stderr.write(f"cluster logs in {work} (kept while pytest keeps its tmp dirs)\n")


def _drop_lock_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    finally:
        client.close()
