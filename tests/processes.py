"""Helpers for tests that run real processes (Rasa, uvicorn, nginx) on free local ports.

Imported as `tests.processes` by tests/conftest.py, tests/browser and tests/production. Only the
standard library at module level: tests/assistant runs in the bot env, which loads conftest.py.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Optional


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Something accepts TCP connections there (the local PostgreSQL, Redis)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(log: Optional[Path], chars: int = 4000) -> str:
    return log.read_text(errors="replace")[-chars:] if log is not None and log.exists() else "(no log)"


def wait_for(url: str, process: Optional[subprocess.Popen], log: Optional[Path], timeout: float,
             ok: Callable = lambda response: response.status_code == 200, interval: float = 0.5) -> None:
    """Poll ``url`` until ``ok(response)``; fail early, with the log's tail, if the process exits."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited early; log:\n{log_tail(log)}")
        try:
            if ok(httpx.get(url, timeout=2)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{url} not ready after {timeout}s; log:\n{log_tail(log)}")


def stop(processes: Iterable[Optional[subprocess.Popen]], timeout: float = 20) -> None:
    """TERM every process still running, then KILL what has not exited within ``timeout``."""
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


ROOT = Path(__file__).resolve().parents[1]
BOT_RASA = ROOT / ".venv" / "bot" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"


@dataclass(frozen=True)
class Service:
    """A running app + Rasa pair (``service``): their URLs and the secrets they were started with."""

    app_url: str
    rasa_url: str
    action_token: str
    rasa_token: str


@contextlib.contextmanager
def service(work: Path, model: str, database_file: str, env: Mapping[str, str], label: str) -> Iterator[Service]:
    """The real service as scripts/run.sh starts it, on free local ports: the catalog loaded into
    ``work/database_file``, the app (uvicorn) serving the action webhook, and `rasa run` with ``model``;
    ``env`` adds to the environment (a region, test-only settings). Stopped on exit; logs stay in ``work``."""
    import secrets

    app_port, rasa_port = free_port(), free_port()
    # The secrets scripts/run.sh generates per start: Rasa's action calls and its HTTP API need them.
    action_token, rasa_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    full_env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT),
                    WYC_ACTION_TOKEN=action_token, WYC_RASA_TOKEN=rasa_token,
                    WYC_DATABASE_URL=f"sqlite:///{work / database_file}",
                    WYC_RASA_URL=f"http://127.0.0.1:{rasa_port}",
                    WYC_PUBLIC_BASE_URL=f"http://127.0.0.1:{app_port}",
                    WYC_WARM_START="true", **env)
    full_env.pop("WYC_AGENT_TOKEN", None)
    subprocess.run([str(APP_PYTHON), "-m", "catalog.cli", "load-default"], cwd=ROOT, env=full_env, check=True)
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
        cwd=ROOT, env=full_env, stdout=app_log.open("w"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [str(BOT_RASA), "run", "--enable-api", f"--auth-token={rasa_token}", "-m", str(ROOT / model),
         "--endpoints", str(endpoints), "-i", "127.0.0.1", "-p", str(rasa_port)],
        cwd=ROOT, env=full_env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/health/live", app, app_log, 60)
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={rasa_token}", rasa, rasa_log, 180,
                 ok=lambda r: r.status_code == 200 and bool(r.json().get("model_file")))
        yield Service(f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{rasa_port}", action_token, rasa_token)
    finally:
        stop([rasa, app])
        sys.stderr.write(f"{label} logs kept in {work}\n")
