"""Soak test (not a unit test): N minutes at C concurrent senders against a running service.

    .venv/app/bin/python scripts/soak.py --url http://127.0.0.1:8000 --minutes 10 --senders 20

Each sender plays short conversations (a question that needs the one clarifying question, the
reply, a question answered at once) with a fresh sender id each time, so the per-sender rate
limit is not what is measured. Every 30 s it prints the requests, errors, p50/p95 latency of
that interval and the RSS of the service's processes (rasa, uvicorn, nginx); at the end the totals.
Only 127.0.0.1 is accepted: this is a load generator, never to be pointed at someone else's host.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from catalog.stats import percentile

CONVERSATION = ("我想开个小饭馆要准备啥", "门头要装修，我自己去办，住在龙台镇", "社保卡丢了怎么补办")
# Which processes to weigh: by default those `make run-cluster` starts (default ports).
DEFAULT_PROCESSES = "rasa=--port 5005|--port 5006;app=--port 8001;nginx=nginx: master|var/cluster/nginx"


@dataclass
class Interval:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent pid, command line, RSS in MB), from /proc (Linux)."""
    table = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines() if ":" in line)
        except OSError:
            continue
        rss = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        table[int(proc.name)] = (int(fields["PPid"].strip()), cmdline, rss)
    return table


def service_rss_mb(groups: dict[str, list[str]]) -> dict[str, int]:
    """RSS summed per group: processes whose command line holds one of the group's marks, with
    their descendants (uvicorn's workers and nginx's worker are children of the matched one)."""
    table = _processes()
    totals = {}
    for name, marks in groups.items():
        members = {pid for pid, (_, cmd, _) in table.items() if any(mark in cmd for mark in marks) and "soak.py" not in cmd}
        grew = True
        while grew:
            children = {pid for pid, (ppid, _, _) in table.items() if ppid in members} - members
            members |= children
            grew = bool(children)
        totals[name] = round(sum(table[pid][2] for pid in members))
    return totals


async def one_turn(client: httpx.AsyncClient, sender: str, text: str, state: dict) -> None:
    started = time.perf_counter()
    try:
        response = await client.post("/api/chat", json={"sender_id": sender, "message": text})
    except httpx.HTTPError as exc:
        state["interval"].error(type(exc).__name__)
        return
    # The interval current when the answer came: one the reporter already printed would drop it.
    interval = state["interval"]
    interval.latencies.append(time.perf_counter() - started)
    if response.status_code != 200:
        interval.error(f"HTTP {response.status_code}")
    elif not response.json().get("messages"):
        interval.error("empty answer")


async def sender_loop(client: httpx.AsyncClient, number: int, deadline: float, state: dict) -> None:
    for round_number in itertools.count():
        for text in CONVERSATION:
            if time.monotonic() >= deadline:
                return
            await one_turn(client, f"soak-{number}-{round_number}-{state['run']}", text, state)


async def reporter(deadline: float, state: dict, every: float, totals: Interval, groups: dict) -> None:
    started = time.monotonic()
    while True:
        await asyncio.sleep(max(0.0, min(every, deadline - time.monotonic())))
        interval, state["interval"] = state["interval"], Interval()
        totals.latencies += interval.latencies
        for kind, count in interval.errors.items():
            totals.errors[kind] = totals.errors.get(kind, 0) + count
        print(
            f"t={time.monotonic() - started:6.0f}s requests={len(interval.latencies):5d} "
            f"errors={sum(interval.errors.values()):3d} {interval.errors or ''} "
            f"p50={percentile(interval.latencies, 0.5) * 1000:6.0f}ms p95={percentile(interval.latencies, 0.95) * 1000:6.0f}ms "
            f"rss_mb={service_rss_mb(groups)}",
            flush=True,
        )
        if time.monotonic() >= deadline:
            return


async def soak(url: str, minutes: float, senders: int, every: float, groups: dict) -> int:
    deadline = time.monotonic() + minutes * 60
    state = {"interval": Interval(), "run": uuid.uuid4().hex[:6]}
    totals = Interval()
    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        health = await client.get("/health")
        print(f"soak {url}: {minutes} min, {senders} senders; /health {health.status_code}", flush=True)
        loops = [sender_loop(client, n, deadline, state) for n in range(senders)]
        await asyncio.gather(reporter(deadline, state, every, totals, groups), *loops)
    # Turns still in flight when the last report ran land in the final interval.
    totals.latencies += state["interval"].latencies
    for kind, count in state["interval"].errors.items():
        totals.errors[kind] = totals.errors.get(kind, 0) + count
    count = len(totals.latencies)
    print(
        f"TOTAL requests={count} errors={sum(totals.errors.values())} {totals.errors or ''} "
        f"throughput={count / (minutes * 60):.1f}/s p50={percentile(totals.latencies, 0.5) * 1000:.0f}ms "
        f"p95={percentile(totals.latencies, 0.95) * 1000:.0f}ms "
        f"max={max(totals.latencies, default=0) * 1000:.0f}ms mean={statistics.fmean(totals.latencies or [0]) * 1000:.0f}ms",
        flush=True,
    )
    return 1 if totals.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--report-every", type=float, default=30.0)
    parser.add_argument("--processes", default=DEFAULT_PROCESSES,
                        help="name=mark|mark;... command-line substrings of the processes to weigh")
    args = parser.parse_args(argv)
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("only a local service (127.0.0.1) may be soaked")
    if not (0 < args.minutes <= 60 and 0 < args.senders <= 100):
        parser.error("bounded: at most 60 minutes and 100 senders")
    groups = {name: marks.split("|") for name, marks in (g.split("=", 1) for g in args.processes.split(";"))}
    return asyncio.run(soak(args.url, args.minutes, args.senders, args.report_every, groups))


if __name__ == "__main__":
    sys.exit(main())
