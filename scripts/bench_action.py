"""Time action_answer in-process (no Rasa, no HTTP): four typical questions, repeated.

    .venv/app/bin/python scripts/bench_action.py [--rounds 40] [--database-url sqlite:///var/catalog.db]

Each run starts a fresh conversation, so every turn does the full work of a first question (search,
facts, place, the one question or the guide). The first round warms the caches and is not timed.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from catalog.db import database_url_from_env, make_engine, make_sessionmaker
from catalog.stats import percentile

QUESTIONS = [
    ("我想开个小饭馆要准备啥", "ask_item"),
    ("低保怎么申请，我在龙台镇", "ask_item"),
    ("身份证丢了怎么补办", "ask_item"),
    ("门头要装修，要办税，我自己去，住在龙台镇", "inform"),
]


def run_once(action: ActionAnswer, text: str, intent: str) -> float:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    tracker = Tracker("bench", {}, latest, [{"event": "user", "text": text}], False, None, {}, "action_listen")
    started = time.perf_counter()
    asyncio.run(action.run(CollectingDispatcher(), tracker, {}))
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database-url", default=None, help="default: $WYC_DATABASE_URL, else the region's catalog")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or database_url_from_env())
    try:
        action = ActionAnswer(make_sessionmaker(engine))
        for text, intent in QUESTIONS:
            run_once(action, text, intent)
        times = [run_once(action, text, intent) for _ in range(args.rounds) for text, intent in QUESTIONS]
    finally:
        engine.dispose()
    print(f"action_answer over {len(times)} runs: mean {statistics.mean(times):.2f} ms, "
          f"p50 {percentile(times, 0.50):.2f} ms, p95 {percentile(times, 0.95):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
