"""What went unanswered, for the county's curators: handoffs and dissatisfied ratings over a period,
grouped by what the citizen asked (near-duplicate phrasings merged), with the items offered; and
the figures per day, drawn as small SVG charts on the server (no script, no CDN).

Reads the desk tables and the exchange log (the log database): every text there is redacted
already, and ratings and episodes keep a hash instead of the sender id, so nothing here can show
an ID or phone number.

Figures per day (the county's time zone), over the conversations of that day in the exchange log:
- answered without a person: conversations that got a guide and no handoff;
- handoff rate: conversations with a handoff (the bot's, or the citizen's or an agent's takeover);
- question rate: conversations where the assistant asked its one question;
- satisfaction: 满意 among the ratings of the day;
- median time to first human reply: from a handoff joining the queue to an agent's first message.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from html import escape
from typing import Any, Iterable, Optional
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.desk_models import Episode, Rating, conversation_hash
from api.exchange_log import Exchange
from api.ratings import REASONS
from catalog.text import normalise

# Two questions whose normalised texts are at least this alike (rapidfuzz ratio, 0–100) are one group.
MERGE_RATIO = 75
MAX_PERIOD_DAYS = 92
MAX_PHRASINGS_SHOWN = 6
# Why the conversation was handed off (desk_episodes.reason), as the page names it.
HANDOFF_REASONS = {
    "not_found": "没找到事项", "ambiguous": "事项不明确", "nlu_fallback": "没听懂", "out_of_scope": "超出范围",
    "unhandled": "无法处理", "referred": "转其他部门", "no_answer": "助手无答复", "assistant_unavailable": "助手不可用",
    "request_human": "市民要求人工", "complaint": "投诉建议", "agent_pick": "坐席主动接入",
}


@dataclass
class Group:
    phrase: str
    phrasings: Counter = field(default_factory=Counter)
    handoffs: int = 0
    dissatisfied: int = 0
    reasons: Counter = field(default_factory=Counter)  # dissatisfied ratings' reasons
    handoff_reasons: Counter = field(default_factory=Counter)
    items: Counter = field(default_factory=Counter)  # (code, name) → times offered
    days: Counter = field(default_factory=Counter)  # local date → times asked that day
    last_at: Optional[datetime] = None

    @property
    def count(self) -> int:
        return self.handoffs + self.dissatisfied

    def view(self, number: int) -> dict[str, Any]:
        return {
            "id": number,
            "phrase": self.phrase,
            "phrasings": [text for text, _ in self.phrasings.most_common(MAX_PHRASINGS_SHOWN)],
            "count": self.count,
            "handoffs": self.handoffs,
            "dissatisfied": self.dissatisfied,
            "reasons": {REASONS.get(reason, reason): n for reason, n in self.reasons.most_common()},
            "handoff_reasons": {HANDOFF_REASONS.get(reason, reason): n
                                for reason, n in self.handoff_reasons.most_common()},
            "items_offered": [{"code": code, "name": name, "times": n} for (code, name), n in self.items.most_common(5)],
            "last_at": self.last_at.isoformat() if self.last_at else None,
        }


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    zone: ZoneInfo

    @classmethod
    def last_days(cls, days: int, zone: ZoneInfo, today: Optional[date] = None) -> "Period":
        today = today or datetime.now(zone).date()
        return cls(today - timedelta(days=days - 1), today, zone)

    def bounds(self) -> tuple[datetime, datetime]:
        """UTC instants of the period's first midnight and the midnight after its last day."""
        begin = datetime.combine(self.start, time(0), self.zone).astimezone(timezone.utc)
        finish = datetime.combine(self.end + timedelta(days=1), time(0), self.zone).astimezone(timezone.utc)
        return begin, finish

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def day_of(self, moment: datetime) -> date:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(self.zone).date()


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------ the groups


def group_questions(entries: Iterable[dict[str, Any]], day_of: Any = None) -> list[Group]:
    """``entries``: {question, kind: handoff|dissatisfied, reason, items: [(code, name)], at}. Most
    frequent phrasings lead their group; a question joins the first group it is MERGE_RATIO alike."""
    entries = [e for e in entries if normalise(e.get("question") or "")]
    frequency = Counter(normalise(e["question"]) for e in entries)
    entries.sort(key=lambda e: (-frequency[normalise(e["question"])], normalise(e["question"])))
    groups: list[Group] = []
    for entry in entries:
        text = normalise(entry["question"])
        group = next((g for g in groups if text in g.phrasings or fuzz.ratio(text, g.phrase) >= MERGE_RATIO), None)
        if group is None:
            group = Group(phrase=text)
            groups.append(group)
        group.phrasings[text] += 1
        if entry["kind"] == "handoff":
            group.handoffs += 1
            if entry.get("reason"):
                group.handoff_reasons[entry["reason"]] += 1
        else:
            group.dissatisfied += 1
            if entry.get("reason"):
                group.reasons[entry["reason"]] += 1
        for code, name in entry.get("items") or ():
            if code:
                group.items[(code, name)] += 1
        at = _aware(entry.get("at"))
        if at is not None and (group.last_at is None or at > group.last_at):
            group.last_at = at
        if at is not None and day_of is not None:
            group.days[day_of(at)] += 1
    groups.sort(key=lambda g: (-g.count, g.phrase))
    return groups


def unanswered_entries(session: Session, period: Period) -> list[dict[str, Any]]:
    begin, finish = period.bounds()
    entries: list[dict[str, Any]] = []
    for episode in session.scalars(select(Episode).where(Episode.started_at >= begin, Episode.started_at < finish)):
        entries.append({"question": episode.question, "kind": "handoff", "reason": episode.reason, "at": episode.started_at,
                        "items": [(i.get("code"), i.get("name")) for i in episode.items_offered or []]})
    for rating in session.scalars(select(Rating).where(Rating.created_at >= begin, Rating.created_at < finish,
                                                       Rating.satisfied.is_(False))):
        entries.append({"question": rating.question, "kind": "dissatisfied", "reason": rating.reason,
                        "at": rating.created_at, "items": [(rating.item_code, rating.item_name)]})
    return entries


# ------------------------------------------------------------------ the figures


def daily_figures(session: Session, period: Period) -> list[dict[str, Any]]:
    begin, finish = period.bounds()
    seen: dict[date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for created_at, sender, types in session.execute(
            select(Exchange.created_at, Exchange.sender_id, Exchange.payload_types)
            .where(Exchange.created_at >= begin, Exchange.created_at < finish)):
        conversation = conversation_hash(sender)
        day = seen[period.day_of(created_at)]
        day["all"].add(conversation)
        for kind in types or ():
            day[kind].add(conversation)
    replies: dict[date, list[float]] = defaultdict(list)
    for episode in session.scalars(select(Episode).where(Episode.started_at >= begin, Episode.started_at < finish)):
        day = seen[period.day_of(episode.started_at)]
        day["handoff"].add(episode.conversation)
        if episode.first_reply_at is not None:
            waited = (_aware(episode.first_reply_at) - _aware(episode.started_at)).total_seconds()
            replies[period.day_of(episode.started_at)].append(max(0.0, waited))
    rated: dict[date, list[bool]] = defaultdict(list)
    for created_at, satisfied in session.execute(select(Rating.created_at, Rating.satisfied)
                                                 .where(Rating.created_at >= begin, Rating.created_at < finish)):
        rated[period.day_of(created_at)].append(bool(satisfied))
    figures = []
    for day in period.days():
        sets = seen.get(day, {})
        everyone = sets.get("all", set())
        handed = sets.get("handoff", set())
        total = len(everyone)
        figures.append({
            "day": day.isoformat(),
            "conversations": total,
            "answered_without_person": _share(len(sets.get("guide", set()) - handed), total),
            "handoff_rate": _share(len(handed & everyone), total),
            "question_rate": _share(len(sets.get("clarify", set())), total),
            "satisfaction": _share(sum(rated.get(day, [])), len(rated.get(day, []))),
            "ratings": len(rated.get(day, [])),
            "median_first_reply_seconds": round(statistics.median(replies[day]), 1) if replies.get(day) else None,
        })
    return figures


def _share(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def build_report(engine: Engine, period: Period) -> dict[str, Any]:
    with Session(engine) as session:
        groups = group_questions(unanswered_entries(session, period), period.day_of)
        figures = daily_figures(session, period)
    views = []
    for number, group in enumerate(groups, start=1):
        view = group.view(number)
        view["per_day"] = [group.days.get(day, 0) for day in period.days()]  # the group's trend
        views.append(view)
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "groups": views, "figures": figures}


def trend_svg(per_day: list[int]) -> str:
    """A group's times asked per day of the period, as small bars (the page's trend column)."""
    width, height, gap = 112, 24, 1
    top = max(per_day, default=0) or 1
    bar = max(1.0, (width - gap * (len(per_day) - 1)) / max(1, len(per_day)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="每日次数：{"、".join(map(str, per_day))}" class="trend">']
    for i, n in enumerate(per_day):
        h = 0 if n == 0 else max(2.0, (height - 2) * n / top)
        parts.append(f'<rect x="{i * (bar + gap):.1f}" y="{height - h:.1f}" width="{bar:.1f}" height="{h:.1f}"/>')
    parts.append(f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="base"/></svg>')
    return "".join(parts)


# ------------------------------------------------------------------ CSV


def groups_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["代表说法", "合并的说法", "次数", "转人工", "转人工原因", "不满意", "不满意原因", "提供过的事项", "最近一次",
                     f"每日次数（{report['start']} 起）"])
    for group in report["groups"]:
        writer.writerow([
            group["phrase"], " | ".join(group["phrasings"]), group["count"], group["handoffs"],
            "；".join(f"{reason} {n}" for reason, n in group["handoff_reasons"].items()), group["dissatisfied"],
            "；".join(f"{reason} {n}" for reason, n in group["reasons"].items()),
            "；".join(f"{item['name']}（{item['code']}）×{item['times']}" for item in group["items_offered"]),
            group["last_at"] or "", "/".join(str(n) for n in group.get("per_day", [])),
        ])
    return "\ufeff" + out.getvalue()  # a BOM: Excel opens the Chinese text as UTF-8


def figures_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["日期", "会话数", "无需人工解决率", "转人工率", "追问率", "满意率", "评价数", "首次人工回复中位时长（秒）"])
    for row in report["figures"]:
        writer.writerow([row["day"], row["conversations"], _cell(row["answered_without_person"]), _cell(row["handoff_rate"]),
                         _cell(row["question_rate"]), _cell(row["satisfaction"]), row["ratings"],
                         "" if row["median_first_reply_seconds"] is None else row["median_first_reply_seconds"]])
    return "\ufeff" + out.getvalue()


def _cell(value: Optional[float]) -> str:
    return "" if value is None else f"{value:.4f}"


# ------------------------------------------------------------------ charts (inline SVG)

CHARTS = (
    ("answered_without_person", "无需人工解决率", "share"),
    ("handoff_rate", "转人工率", "share"),
    ("question_rate", "追问率", "share"),
    ("satisfaction", "满意率", "share"),
    ("median_first_reply_seconds", "首次人工回复中位时长（秒）", "seconds"),
)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 340, 150, 40, 20, 24, 26


def chart_svg(figures: list[dict[str, Any]], key: str, title: str, unit: str) -> str:
    """One metric per day as a line with dots; days without a value leave a gap."""
    values = [row[key] for row in figures]
    known = [v for v in values if v is not None]
    top = 1.0 if unit == "share" else max([60.0, *known]) * 1.1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(values) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(values) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return TOP + inner_h - (v / top) * inner_h if top else TOP + inner_h

    def label(v: float) -> str:
        return f"{v * 100:.0f}%" if unit == "share" else f"{v:.0f}s"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="img" aria-label="{escape(title)}" class="chart">',
             f'<text x="{LEFT}" y="15" class="chart-title">{escape(title)}</text>']
    for fraction in (0, 0.5, 1):
        gy = y(top * fraction)
        parts.append(f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{gy + 4:.1f}" class="axis" text-anchor="end">{label(top * fraction)}</text>')
    segment: list[str] = []
    for i, value in enumerate(values + [None]):
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" class="line"/>')
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" class="dot">'
                     f'<title>{escape(figures[i]["day"])}：{label(value)}</title></circle>')
    for i, row in enumerate(figures):
        if len(figures) <= 8 or i in (0, len(figures) - 1) or i % max(1, len(figures) // 6) == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" class="axis" text-anchor="middle">'
                         f'{escape(row["day"][5:])}</text>')
    if not known:
        parts.append(f'<text x="{LEFT + inner_w / 2:.1f}" y="{TOP + inner_h / 2:.1f}" class="axis" '
                     'text-anchor="middle">本期无数据</text>')
    parts.append("</svg>")
    return "".join(parts)


def charts(figures: list[dict[str, Any]]) -> list[str]:
    return [chart_svg(figures, key, title, unit) for key, title, unit in CHARTS]
