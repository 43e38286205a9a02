"""Load benchmark of the running service, against bare Rasa on the same machine (127.0.0.1 only).

    .venv/app/bin/python scripts/bench.py [--url http://127.0.0.1:8000] [--rasa-url http://127.0.0.1:5005]
        [--concurrency 1 10 20 50] [--messages 200] [--max-seconds 60] [--pids app=123 rasa=456]
        [--cold-start-model models/wyc-....tar.gz [--cold-start-only]] [--json results/bench.json]

For each concurrency level, N senders (asyncio + aiohttp) send a realistic mix of citizen messages
(the first turns and follow-ups of tests/dialogues) as fast as answers come back, in three modes:

- ``full``  — ``POST /api/chat`` on the app: normalisation, Rasa, the action webhook, the catalog;
- ``parse`` — the same messages to Rasa's ``POST /model/parse`` (NLU only): the ratio full/parse
  shows what everything around NLU costs;
- ``rest``  — bare Rasa REST turns (``POST /webhooks/rest/webhook``, dialogue and actions but no
  app gateway), for the throughput comparison.

Reports p50/p95/p99 latency, messages per second and errors per mode and level; the peak RSS
(VmHWM) of the app and Rasa processes (pids given, or found by their listening port through
/proc); optionally the cold start (process start → ``/health`` 200) of a fresh app + Rasa pair on
free ports, with the latency of the first questions it answers (FIRST_QUESTIONS; the first one pays
whatever was left to build on first use); and the training times recorded by scripts/train.sh in var/train-times.log.
Before its first level, each mode sends the whole mix once with one sender (reported as its
"first pass", not in the ratios), so no mode is measured while the services still compute their
once-per-item results; ``--no-first-pass`` warms with 3 messages only.
The modes then take turns within a level, in ``--rounds`` blocks each (at least 10 messages per
sender in a block), so that the machine's drift over minutes falls on every mode alike;
``--rounds 1`` runs each mode's level in one go.
Every level is bounded by ``--messages`` and ``--max-seconds``. Targets (measured, not asserted):
full p95 ≤ 1.2× bare Rasa REST p95 and full throughput ≥ 0.95× REST at every concurrency; 0 errors;
full p95 / parse p95 is reported.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlparse

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from api.rasa_client import KEEPALIVE_SECONDS  # the app's own idle limit, below the servers' 5 s keep-alive
from catalog.stats import percentile

logger = logging.getLogger("bench")

ROOT = Path(__file__).resolve().parents[1]
MODES = ("full", "parse", "rest")
TURNS_PER_CONVERSATION = 3  # a sender starts a new conversation every few messages
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
P95_OVER_REST = 1.2  # the full answer's p95 against its peer, a bare Rasa REST turn
THROUGHPUT_OVER_REST = 0.95


# ============================================================== pure helpers


@dataclass
class LevelResult:
    mode: str
    concurrency: int
    sent: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    error_kinds: Counter = field(default_factory=Counter, repr=False)  # HTTP status or exception → count

    @property
    def throughput(self) -> float:
        return (self.sent - self.errors) / self.seconds if self.seconds > 0 else 0.0

    def quantiles(self) -> tuple[float, float, float]:
        return tuple(percentile(self.latencies_ms, q) for q in (0.50, 0.95, 0.99))  # type: ignore[return-value]

    def row(self) -> dict[str, Any]:
        p50, p95, p99 = self.quantiles()
        return {"mode": self.mode, "concurrency": self.concurrency, "sent": self.sent, "errors": self.errors,
                "seconds": round(self.seconds, 2), "msgs_per_s": round(self.throughput, 2),
                "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "p99_ms": round(p99, 1)}


def message_mix(dialogues: Path, limit: int = 400) -> list[str]:
    """Citizen messages from the dialogue set, interleaved so first turns and follow-ups mix."""
    firsts, follow_ups = [], []
    for path in sorted(dialogues.rglob("*.y*ml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            turns = [t["user"] for t in case.get("turns") or [] if isinstance(t, dict) and t.get("user")]
            firsts += turns[:1]
            follow_ups += turns[1:]
    mixed = []
    for index, text in enumerate(firsts):
        mixed.append(text)
        if index % 2 == 1 and follow_ups:
            mixed.append(follow_ups[index % len(follow_ups)])
    return mixed[:limit]


def vm_hwm_kib(status_text: str) -> Optional[int]:
    """Peak resident set size (VmHWM, KiB) from the text of /proc/<pid>/status."""
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", status_text, re.MULTILINE)
    return int(match.group(1)) if match else None


def listening_inodes(proc_net_tcp: str, port: int) -> set[str]:
    """Socket inodes listening on `port` in the text of /proc/net/tcp or tcp6."""
    inodes = set()
    for line in proc_net_tcp.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
            inodes.add(inode)
    return inodes


def parse_train_times(text: str) -> list[dict[str, Any]]:
    """Entries `<iso time> train_seconds=N model=... size=...` written by scripts/train.sh."""
    entries = []
    for line in text.splitlines():
        fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
        if "train_seconds" in fields:
            entries.append({"at": line.split()[0], "seconds": int(fields["train_seconds"]),
                            "model": fields.get("model"), "size": int(fields.get("size", 0) or 0)})
    return entries


def ratios(results: list[LevelResult]) -> dict[str, Any]:
    """Per level: full/rest p95 and full/rest throughput (the targets: the full answer against its
    peer, a bare Rasa REST turn with the same model and action), and full/parse p95 (reported)."""
    by_key = {(r.mode, r.concurrency): r for r in results}
    out: dict[str, Any] = {"p95_full_over_rest": {}, "throughput_full_over_rest": {}, "p95_full_over_parse": {}}
    for (mode, level), result in sorted(by_key.items()):
        if mode != "full" or not result.latencies_ms:
            continue
        rest, parse = by_key.get(("rest", level)), by_key.get(("parse", level))
        if rest and rest.latencies_ms:
            out["p95_full_over_rest"][level] = round(result.quantiles()[1] / rest.quantiles()[1], 2)
            if rest.throughput:
                out["throughput_full_over_rest"][level] = round(result.throughput / rest.throughput, 2)
        if parse and parse.latencies_ms:
            out["p95_full_over_parse"][level] = round(result.quantiles()[1] / parse.quantiles()[1], 2)
    return out


# ============================================================== processes (/proc, no psutil)


def pids_listening_on(port: int) -> list[int]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            inodes |= listening_inodes(Path(table).read_text(), port)
        except OSError:
            continue
    wanted = {f"socket:[{inode}]" for inode in inodes}
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in wanted for fd in (proc / "fd").iterdir()):
                found.append(int(proc.name))
        except OSError:  # another user's process or one that just ended
            continue
    return sorted(found)


def peak_rss_mib(pid: int) -> Optional[float]:
    try:
        kib = vm_hwm_kib(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return round(kib / 1024, 1) if kib is not None else None


def resolve_pids(given: list[str], ports: dict[str, int]) -> dict[str, list[int]]:
    pids: dict[str, list[int]] = {}
    for spec in given or []:
        name, _, value = spec.partition("=")
        pids.setdefault(name, []).append(int(value))
    for name, port in ports.items():
        if name not in pids:
            pids[name] = pids_listening_on(port)
    return pids


# ============================================================== load generation (I/O)


def rasa_api_token(given: Optional[str]) -> Optional[str]:
    """Rasa's HTTP API token: --rasa-token, else $WYC_RASA_TOKEN, else the one `make run` wrote
    to var/rasa-token; None when there is none (a Rasa started without --auth-token)."""
    if given:
        return given
    if os.environ.get("WYC_RASA_TOKEN"):
        return os.environ["WYC_RASA_TOKEN"]
    path = ROOT / "var" / "rasa-token"
    return path.read_text().strip() or None if path.exists() else None


def api_params(args: argparse.Namespace) -> Optional[dict[str, str]]:
    token = rasa_api_token(getattr(args, "rasa_token", None))
    return {"token": token} if token else None


def request_for(mode: str, text: str, sender: str) -> tuple[str, dict[str, Any]]:
    if mode == "full":
        return "/api/chat", {"sender_id": sender, "message": text}
    if mode == "parse":
        return "/model/parse", {"text": text}
    return "/webhooks/rest/webhook", {"sender": sender, "message": text}


class LoadClient:
    """The senders' HTTP client: one aiohttp session per mode, at most ``connections`` connections.

    Not httpx: the load generator shares the two cores with what it measures, and at 50 senders
    httpx spent 3.5–3.8 ms of CPU per request against aiohttp's 1.1–1.4 ms, CPU the service under
    test did not get."""

    def __init__(self, base_url: str, timeout: float, connections: int,
                 params: Optional[dict[str, str]] = None):
        import aiohttp

        self.base_url = base_url.rstrip("/")
        self.params = params  # Rasa's API token for /model/parse (?token=, `rasa run --auth-token`)
        # Idle connections are closed after KEEPALIVE_SECONDS, before the servers' 5 s keep-alive (uvicorn,
        # Rasa's Sanic), as the app's own Rasa client does: between a mode's turns its connections wait while
        # the other modes run, and one the server closed meanwhile would fail a request the service never saw.
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_SECONDS),
            timeout=aiohttp.ClientTimeout(total=timeout),
        )

    async def post(self, path: str, body: dict[str, Any]) -> int:
        """POST ``body`` as JSON and read the whole answer; the HTTP status."""
        async with self.session.post(self.base_url + path, json=body, params=self.params) as response:
            await response.read()
            return response.status

    async def aclose(self) -> None:
        await self.session.close()


async def run_level(client, mode: str, concurrency: int, messages: list[str], total: int,
                    max_seconds: float, run_id: str, start: int = 0) -> LevelResult:
    """`concurrency` senders share a budget of `total` messages and a deadline; the messages are
    taken from the mix from index `start` on."""
    latencies: list[float] = []
    counters = {"sent": 0}
    kinds: Counter = Counter()  # each failed request's kind; their count is the level's errors
    deadline = time.perf_counter() + max_seconds

    async def sender(worker: int) -> None:
        turn = 0
        while counters["sent"] < total and time.perf_counter() < deadline:
            index = start + counters["sent"]
            counters["sent"] += 1
            conversation = f"bench-{run_id}-{mode}-{concurrency}-{worker}-{turn // TURNS_PER_CONVERSATION}"
            path, body = request_for(mode, messages[index % len(messages)], conversation)
            started = time.perf_counter()
            try:
                status = await client.post(path, body)
                kind = None if status == 200 else f"HTTP {status}"
            except Exception as exc:  # counted and reported by kind, the run goes on
                logger.debug("%s %s failed: %s", mode, path, exc)
                kind = type(exc).__name__
            if kind is None:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                kinds[kind] += 1
            turn += 1

    started = time.perf_counter()
    await asyncio.gather(*(sender(w) for w in range(concurrency)))
    return LevelResult(mode, concurrency, counters["sent"], sum(kinds.values()), time.perf_counter() - started,
                       latencies, kinds)


async def run_benchmark(
    args: argparse.Namespace, messages: list[str]
) -> tuple[list[LevelResult], list[LevelResult]]:
    """The measured levels, and each mode's first pass over the whole mix (empty with --no-first-pass).

    Before a mode's first level, one sender sends every message of the mix once, so each mode is
    measured in the same warm state: whatever the services compute once per item, place or fact
    set (the catalog's memos) is computed in that pass, and no mode pays it
    inside its measured level because it happened to run first after a start. The first pass is
    reported on its own; the cold start itself is measured by --cold-start-model."""
    run_id = uuid.uuid4().hex[:6]
    results, first_passes = [], []
    bases = {"full": args.url, "parse": args.rasa_url, "rest": args.rasa_url}
    for level_number, level in enumerate(args.concurrency):
        clients = {mode: LoadClient(bases[mode], args.timeout, max(args.concurrency) + 5,
                                    params=api_params(args) if mode == "parse" else None)
                   for mode in args.modes}
        try:
            for mode in args.modes:
                client = clients[mode]
                if args.first_pass and level_number == 0:
                    first = await run_level(client, mode, 1, messages, len(messages), args.max_seconds,
                                            run_id + "f")
                    logger.info("%-5s first pass %s", mode, first.row())
                    first_passes.append(first)
                else:
                    await run_level(client, mode, 1, messages, min(3, args.messages), 10, run_id + "w")  # warm-up
            block = block_size(args.messages, args.rounds, level)
            level_results = await run_interleaved(clients, args.modes, level, messages, args.messages,
                                                  args.max_seconds, block, f"{run_id}-{level}")
        finally:
            for client in clients.values():
                await client.aclose()
        for result in level_results:
            logger.info("%-5s c=%-3d %s", result.mode, level, result.row())
        results += level_results
    return results, first_passes


def block_size(messages: int, rounds: int, concurrency: int) -> int:
    """Messages per block: the level's budget in `rounds` blocks, but at least 10 per sender, so
    that a block is mostly at full concurrency rather than starting up or draining."""
    blocks = max(1, min(rounds, messages // (10 * concurrency)))
    return max(1, -(-messages // blocks))


def interleaved_order(modes: list[str], round_number: int) -> list[str]:
    """The modes of one round, rotated every round so no mode always runs first or last."""
    shift = round_number % len(modes)
    return list(modes[shift:]) + list(modes[:shift])


async def run_interleaved(clients: dict[str, Any], modes: list[str], concurrency: int, messages: list[str],
                          total: int, max_seconds: float, block: int, run_id: str) -> list[LevelResult]:
    """Each mode's `total` messages in blocks of `block`, the modes taking turns block by block.

    The machine's speed drifts over minutes (shared cores: the bare parse's p95 moved by a quarter
    between two back-to-back runs). Run one after the other, the modes are measured at different
    speeds, and the ratios carry the drift; in turns, each mode's latencies come from the same
    minutes. Each mode is still bounded by `total` messages and `max_seconds` of its own time."""
    merged = {mode: LevelResult(mode, concurrency, 0, 0, 0.0, []) for mode in modes}
    round_number = 0
    while any(r.sent < total and r.seconds < max_seconds for r in merged.values()):
        for mode in interleaved_order(modes, round_number):
            so_far = merged[mode]
            if so_far.sent >= total or so_far.seconds >= max_seconds:
                continue
            part = await run_level(clients[mode], mode, concurrency, messages, min(block, total - so_far.sent),
                                   max_seconds - so_far.seconds, f"{run_id}r{round_number}", start=so_far.sent)
            so_far.sent += part.sent
            so_far.errors += part.errors
            so_far.error_kinds.update(part.error_kinds)
            so_far.seconds += part.seconds
            so_far.latencies_ms += part.latencies_ms
            if part.sent == 0:  # out of time before a message went out: this mode is done
                so_far.seconds = max(so_far.seconds, max_seconds)
        round_number += 1
    return [merged[mode] for mode in modes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FIRST_QUESTIONS = ("我在龙台镇，社保卡丢了怎么补", "开个小饭馆要准备啥", "我在协兴镇，失业了去哪登记")


def measure_cold_start(model: str, timeout: float = 300) -> dict[str, Any]:
    """Start a fresh app + Rasa pair on free ports, time process start → /health 200 and the first
    questions answered after it, stop both."""
    import secrets
    import tempfile

    import httpx

    work = Path(tempfile.mkdtemp(prefix="wyc-cold-"))
    app_port, rasa_port = free_port(), free_port()
    rasa_token = secrets.token_urlsafe(24)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT),
               WYC_DATABASE_URL=f"sqlite:///{work / 'catalog.db'}", WYC_RASA_URL=f"http://127.0.0.1:{rasa_port}",
               WYC_PUBLIC_BASE_URL=f"http://127.0.0.1:{app_port}",
               WYC_ACTION_TOKEN=secrets.token_urlsafe(24), WYC_RASA_TOKEN=rasa_token)
    subprocess.run([str(ROOT / ".venv/app/bin/python"), "-m", "catalog.cli", "load-default"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    (work / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{app_port}/webhook\n  enable_selective_domain: true\n"
        "  headers:\n    X-Action-Token: ${WYC_ACTION_TOKEN}\n")
    started = time.perf_counter()
    processes = [
        subprocess.Popen([str(ROOT / ".venv/app/bin/python"), "-m", "uvicorn", "--factory", "api.main:create_app",
                          "--host", "127.0.0.1", "--port", str(app_port)], cwd=ROOT, env=env,
                         stdout=(work / "app.log").open("w"), stderr=subprocess.STDOUT),
        subprocess.Popen([str(ROOT / ".venv/bot/bin/rasa"), "run", "--enable-api", f"--auth-token={rasa_token}",
                          "-m", str(ROOT / model),
                          "--endpoints", str(work / "endpoints.yml"), "-i", "127.0.0.1", "-p", str(rasa_port)],
                         cwd=ROOT, env=env, stdout=(work / "rasa.log").open("w"), stderr=subprocess.STDOUT),
    ]
    try:
        while time.perf_counter() - started < timeout:
            if any(p.poll() is not None for p in processes):
                return {"error": f"a process exited during startup; logs in {work}"}
            try:
                if httpx.get(f"http://127.0.0.1:{app_port}/health", timeout=2).status_code == 200:
                    ready = round(time.perf_counter() - started, 1)
                    return {"seconds_to_health": ready, "first_questions_ms": _first_questions_ms(app_port),
                            "peak_rss_mib": {"app": peak_rss_mib(processes[0].pid),
                                             "rasa": peak_rss_mib(processes[1].pid)}}
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        return {"error": f"not healthy after {timeout}s; logs in {work}"}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _first_questions_ms(app_port: int) -> list[float]:
    import httpx

    timings = []
    for number, question in enumerate(FIRST_QUESTIONS):
        began = time.perf_counter()
        response = httpx.post(f"http://127.0.0.1:{app_port}/api/chat", timeout=60,
                              json={"sender_id": f"cold-start-{number}-{uuid.uuid4().hex[:8]}", "message": question})
        response.raise_for_status()
        timings.append(round((time.perf_counter() - began) * 1000, 1))
    return timings


# ============================================================== report


def _table(results: list[LevelResult]) -> list[str]:
    lines = ["| mode | senders | sent | errors | msgs/s | p50 ms | p95 ms | p99 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for result in results:
        row = result.row()
        lines.append(f"| {row['mode']} | {row['concurrency']} | {row['sent']} | {row['errors']} | {row['msgs_per_s']} "
                     f"| {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |")
    return lines


def format_report(results: list[LevelResult], rss: dict[str, list[Optional[float]]], extra: dict[str, Any],
                  first_passes: Optional[list[LevelResult]] = None) -> str:
    lines = _table(results)
    if first_passes:
        lines += ["", "First pass over the mix, before each mode's first level (not in the ratios; its errors count):",
                  *_table(first_passes)]
    summary = ratios(results)
    lines.append("")
    for level, ratio in summary["p95_full_over_rest"].items():
        verdict = "meets" if ratio <= P95_OVER_REST else "misses"
        lines.append(f"- p95 full / p95 bare Rasa REST at {level} senders: {ratio}× ({verdict} target ≤ {P95_OVER_REST}×)")
    for level, ratio in summary["throughput_full_over_rest"].items():
        verdict = "meets" if ratio >= THROUGHPUT_OVER_REST else "misses"
        lines.append(f"- throughput full / bare Rasa REST at {level} senders: {ratio}× "
                     f"({verdict} target ≥ {THROUGHPUT_OVER_REST}×)")
    for level, ratio in summary["p95_full_over_parse"].items():
        lines.append(f"- p95 full / p95 Rasa parse at {level} senders: {ratio}× (reported)")
    total_errors = sum(r.errors for r in [*results, *(first_passes or [])])
    lines.append(f"- errors: {total_errors} ({'meets' if total_errors == 0 else 'misses'} target 0)")
    for r in [*(first_passes or []), *results]:
        if r.error_kinds:
            kinds = ", ".join(f"{kind} ×{count}" for kind, count in sorted(r.error_kinds.items()))
            lines.append(f"  - {r.mode} at {r.concurrency} senders: {kinds}")
    for name, values in rss.items():
        lines.append(f"- peak RSS (VmHWM) {name}: {', '.join(f'{v} MiB' for v in values) or 'process not found'}")
    for key, value in extra.items():
        lines.append(f"- {key}: {value}")
    return "\n".join(lines)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the app (POST /api/chat)")
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005", help="Rasa started with --enable-api")
    parser.add_argument("--rasa-token", help="Rasa's --auth-token (default: $WYC_RASA_TOKEN, else var/rasa-token)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 20, 50])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--messages", type=int, default=200, help="messages per mode and level (upper bound)")
    parser.add_argument("--max-seconds", type=float, default=60, help="time bound per mode and level")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--pids", nargs="*", default=[], help="name=pid pairs; default: found by listening port")
    parser.add_argument("--cold-start-model", help="also time a fresh app + Rasa start with this model")
    parser.add_argument("--cold-start-only", action="store_true",
                        help="only the cold start (needs --cold-start-model; no running service needed)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="blocks per mode and level, the modes taking turns (1: each mode's level in one go)")
    parser.add_argument("--no-first-pass", dest="first_pass", action="store_false",
                        help="warm each mode with 3 messages only, not one pass over the whole mix")
    parser.add_argument("--dialogues", type=Path, default=ROOT / "tests" / "dialogues")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if args.cold_start_only and not args.cold_start_model:
        parser.error("--cold-start-only needs --cold-start-model")
    for url in (args.url, args.rasa_url):
        if urlparse(url).hostname not in LOCAL_HOSTS:
            parser.error(f"{url}: the benchmark only targets this machine (127.0.0.1)")
    return args


def main(argv: Optional[list[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the report
    args = parse_args(argv)
    if args.cold_start_only:
        cold = measure_cold_start(args.cold_start_model)
        sys.stdout.write(f"- cold start (process start → /health 200): {cold}\n")
        return 0 if "error" not in cold else 1
    messages = message_mix(args.dialogues)
    results, first_passes = asyncio.run(run_benchmark(args, messages))
    ports = {"app": urlparse(args.url).port or 80, "rasa": urlparse(args.rasa_url).port or 80}
    pids = resolve_pids(args.pids, ports)
    rss = {name: [peak_rss_mib(pid) for pid in found] for name, found in pids.items()}
    extra: dict[str, Any] = {"messages in the mix": len(messages)}
    train_log = ROOT / "var" / "train-times.log"
    if train_log.exists():
        entries = parse_train_times(train_log.read_text(encoding="utf-8"))
        if entries:
            extra["training time (last, var/train-times.log)"] = f"{entries[-1]['seconds']} s ({entries[-1]['model']})"
    if args.cold_start_model:
        extra["cold start (process start → /health 200)"] = measure_cold_start(args.cold_start_model)
    sys.stdout.write(format_report(results, rss, extra, first_passes) + "\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"levels": [r.row() for r in results], "first_passes": [r.row() for r in first_passes],
                    "ratios": ratios(results), "peak_rss_mib": rss,
                    "pids": pids, **{k: v for k, v in extra.items()}}
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
