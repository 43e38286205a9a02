"""Helpers for tests that run real processes (Rasa, uvicorn, nginx) on free local ports.

Imported as `tests.processes` by tests/conftest.py, tests/browser and tests/production. Only the
standard library at module level: tests/assistant runs in the bot env, which loads conftest.py.
"""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterable, Optional


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
