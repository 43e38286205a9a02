"""python -m catalog.bench — catalog size, search and resolver latency over colloquial questions.

Loads the default catalog into a temporary SQLite file, warms the indexes up, then times every
question in QUESTIONS (each phrased several ways), each read for the first time (the per-message
memos emptied), and prints p50/p95/max.
"""
from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from catalog.cache import forget
from catalog.db import make_engine, make_sessionmaker
from catalog.models import Bundle, Item, Region, ServicePoint
from catalog.ranking import resolve, resolver_index, search  # what actions and the agent console call
from catalog.seed import load_default_catalog
from catalog.stats import percentile

NEEDS = [
    "开个小饭馆", "开小餐馆", "开饭店", "社保卡丢了", "社保卡", "补社保卡", "社保卡注销", "低保", "申请低保",
    "营业执照", "个体户执照", "身份证", "补身份证", "临时身份证", "居住证", "户口迁移", "迁户口", "上户口",
    "户口注销", "无犯罪记录证明", "无犯罪证明", "护照", "失业登记", "养老保险参保", "领养老金", "退休",
    "退休手续", "公积金提取", "取公积金", "高龄津贴", "残疾人补贴", "护理补贴", "结婚登记", "结婚证丢了",
    "残疾证", "出生证明", "老年证", "计生奖励", "教师资格证", "退役报到", "退伍补助", "医保转移", "医保参保",
    "个体户注销", "一般纳税人", "代开发票", "不动产过户", "房子过户", "新生儿上户口", "生孩子要办什么",
    "家里老人去世", "临时救助", "特困供养", "门头装修占道", "交税", "社會保障卡補領", "低保咋弄",
]
FRAMES = ["{}", "我想{}", "{}怎么办", "请问{}需要什么材料", "{}要准备啥去哪办"]
QUESTIONS = [frame.format(need) for need in NEEDS for frame in FRAMES]
MEMO_TABLES = ("search", "resolutions", "wanted_actions")  # what a turn remembers per message


def _count(session, statement) -> int:
    return session.scalar(statement) or 0


def main() -> int:
    print(f"command: {' '.join([Path(sys.executable).name, '-m', 'catalog.bench', *sys.argv[1:]])}")
    print(f"machine: {platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        started = time.perf_counter()
        load_default_catalog(engine)
        print(f"load default catalog: {time.perf_counter() - started:.2f} s")
        with make_sessionmaker(engine)() as session:
            levels = {level: count for level, count in
                      session.execute(select(Region.level, func.count()).group_by(Region.level))}
            print(f"items: {_count(session, select(func.count()).select_from(Item))}"
                  f" (with authored guides: {_count(session, select(func.count()).where(Item.has_guide))},"
                  f" authored items: {_count(session, select(func.count()).where(Item.source == 'authored sample'))})")
            print(f"bundles: {_count(session, select(func.count()).select_from(Bundle))}")
            print(f"towns: {levels.get('town', 0)}, villages: {levels.get('village', 0)},"
                  f" service points: {_count(session, select(func.count()).select_from(ServicePoint))}")
            started = time.perf_counter()
            resolver_index(session)  # the resolver's index (the search reads a message's slips through it)
            print(f"resolver index build: {(time.perf_counter() - started) * 1000:.0f} ms")
            started = time.perf_counter()
            search(session, "社保卡")  # builds the search's own index
            print(f"search index build (first query): {(time.perf_counter() - started) * 1000:.0f} ms")
            for question in QUESTIONS:  # warm-up
                resolve(session, question)
            timings: dict[str, list[float]] = {"search": [], "resolve (after search)": []}
            for question in QUESTIONS:
                forget(session, *MEMO_TABLES)  # each message read for the first time, as in a turn
                started = time.perf_counter()
                search(session, question)
                searched = time.perf_counter()
                resolve(session, question)
                timings["search"].append((searched - started) * 1000)
                timings["resolve (after search)"].append((time.perf_counter() - searched) * 1000)
        engine.dispose()
    for name, values in timings.items():
        print(f"{name} latency over {len(QUESTIONS)} questions: p50 {percentile(values, 0.50):.2f} ms,"
              f" p95 {percentile(values, 0.95):.2f} ms, max {max(values):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
