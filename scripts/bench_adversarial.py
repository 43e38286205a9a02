"""Worst-case messages against normal ones, end to end, on the running service (127.0.0.1 only).

    .venv/app/bin/python scripts/bench_adversarial.py [--url http://127.0.0.1:8000] [--repeats 7]
        [--json results/adversarial.json]

Every message is sent ``--repeats`` times through ``POST /api/chat``, each time as the first turn of
a new conversation, one at a time. The report gives each message's median latency and its ratio to
the median of the normal messages' medians; the target (measured here, never asserted in a test) is
that the worst adversarial message of at most MAX_CHARACTERS costs at most 3× a normal turn.

The adversarial messages fill the chat's 500-character limit with what makes text matching work
hardest: one short name repeated (every position starts a match), long names and aliases, town
names, filler and action words, misspellings (every window is a near miss), alternating scripts,
many different item names at once (the several-needs logic), digits that look like ID numbers, and
a long story with incidental nouns.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Optional

MAX_CHARACTERS = 500
TARGET_RATIO = 3.0

NORMAL = (
    "我在龙台镇，社保卡丢了怎么补",
    "我想开个小饭馆要准备啥",
    "低保咋个申请",
    "户口迁移要带什么材料",
    "结婚证丢了咋补",
    "我家老汉走了，后事要办哪些手续",
    "公积金提取去哪里办",
    "办护照要多久",
    "残疾证怎么办",
    "无犯罪记录证明在哪开",
)


def _fill(piece: str, limit: int = MAX_CHARACTERS) -> str:
    """``piece`` repeated up to exactly ``limit`` characters."""
    return (piece * (limit // max(len(piece), 1) + 1))[:limit]


def adversarial_messages(limit: int = MAX_CHARACTERS) -> dict[str, str]:
    """Name → a message of exactly ``limit`` characters."""
    story = ("我是龙台镇车堂村的，去年在广东打工，身份证和社保卡都在身上，户口还在老家，"
             "上个月厂里裁员了，我老婆生了二胎，娃娃的出生证明已经拿到了，我爸也退休了，"
             "房子是农村自建房，想问下失业了能不能领钱，")
    return {
        "short name repeated (低保)": _fill("低保", limit),
        "long name repeated": _fill("社会保障卡补领、换领、换发", limit),
        "bundle and item names": _fill("我要开小餐馆个体工商户设立登记新生儿出生一件事", limit),
        "town names repeated": _fill("龙台镇协兴镇悦来镇浓洄街道", limit),
        "village names repeated": _fill("车堂村便民服务站", limit),
        "filler words": _fill("请问一下我想要怎么办呢", limit),
        "action words": _fill("补领注销变更申领换发延续", limit),
        "misspellings": _fill("社报卡底保公基金户囗", limit),
        "alternating scripts": _fill("a低1保b社2保c卡", limit),
        "many names at once": _fill("身份证和护照和社保卡和低保和户口和结婚证和残疾证和公积金和", limit),
        "ID-like digits": _fill("51160219800101123X，13800138000，", limit),
        "punctuation between names": _fill("社保卡，。！？低保；：“”", limit),
        "long story": _fill(story, limit),
        "diverse long message": _fill(story + _diverse_text(), limit),
        "random characters of item names": _random_characters(limit),
    }


def _diverse_text() -> str:
    """Distinct citizen questions one after another: nothing repeats, so nothing collapses."""
    return "".join(text + "，" for text in (
        "我家娃娃要上小学了户口不在这边咋办", "社保交了不到十五年就到退休年龄了咋办", "卖烟的许可证要到期了续一下",
        "厂里裁员了失业金咋个领", "平时门诊看病的钱能报销吗", "我们两口子想离婚要预约吗", "房子过户要带哪些资料",
        "公积金贷款买房咋个弄", "老人八十岁了高龄补贴在哪里申请", "残疾证丢了咋个补", "驾驶证到期了在哪换",
        "个体户营业执照地址变了要改", "新生儿上户口要准备啥", "农村合作医疗今年咋个交", "护照过期了要重新办"))


def _random_characters(limit: int, seed: int = 7) -> str:
    """Characters drawn from item and place names at random: the worst case for every matcher
    (near misses everywhere) that repetition cannot shorten."""
    import random

    pool = "社会保障卡补领换发注销申领居民身份证户口迁移登记最低生活保障龙台镇协兴悦来车堂村营业执照个体工商户残疾人"
    rng = random.Random(seed)
    return "".join(rng.choice(pool) for _ in range(limit))


def summarise(latencies: dict[str, list[float]], normal: list[str]) -> dict[str, Any]:
    """Medians per message, the normal baseline (median of the normal medians) and each ratio."""
    medians = {name: statistics.median(values) for name, values in latencies.items() if values}
    baseline = statistics.median(medians[name] for name in normal if name in medians)
    ratios = {name: medians[name] / baseline for name in medians if name not in normal}
    worst = max(ratios, key=ratios.__getitem__) if ratios else None
    return {"normal_median_ms": baseline, "medians_ms": medians, "ratios": ratios,
            "worst": worst, "worst_ratio": ratios.get(worst) if worst else None}


async def _measure(url: str, messages: dict[str, str], repeats: int, timeout: float) -> dict[str, list[float]]:
    import aiohttp

    run = uuid.uuid4().hex[:8]
    latencies: dict[str, list[float]] = {name: [] for name in messages}
    errors: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for repeat in range(repeats + 1):  # the first pass warms every path up and is not counted
            for index, (name, text) in enumerate(messages.items()):
                body = {"sender_id": f"adv-{run}-{index}-{repeat}", "message": text}
                started = time.perf_counter()
                async with session.post(url.rstrip("/") + "/api/chat", json=body) as response:
                    await response.read()
                    status = response.status
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    errors.append(f"{name}: HTTP {status}")
                elif repeat:
                    latencies[name].append(elapsed)
    if errors:
        raise SystemExit("errors: " + "; ".join(errors))
    return latencies


def format_report(summary: dict[str, Any], normal: list[str]) -> list[str]:
    lines = [f"normal turn (median of {len(normal)} messages' medians): {summary['normal_median_ms']:.1f} ms",
             f"{'message':34s} {'median ms':>10s} {'× normal':>9s}"]
    for name, median in sorted(summary["medians_ms"].items(), key=lambda pair: -pair[1]):
        ratio = summary["ratios"].get(name)
        lines.append(f"{name:34s} {median:10.1f} {('%.2f' % ratio) if ratio else '(normal)':>9s}")
    worst = summary["worst"]
    if worst:
        verdict = "meets" if summary["worst_ratio"] <= TARGET_RATIO else "MISSES"
        lines.append(f"worst adversarial: {worst} at {summary['worst_ratio']:.2f}× a normal turn "
                     f"({verdict} the ≤ {TARGET_RATIO:g}× target)")
    return lines


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    normal = {f"normal: {text}": text for text in NORMAL}
    messages = {**normal, **adversarial_messages()}
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    latencies = asyncio.run(_measure(args.url, messages, args.repeats, args.timeout))
    summary = summarise(latencies, list(normal))
    print("\n".join(format_report(summary, list(normal))))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"latencies_ms": latencies, **summary}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
