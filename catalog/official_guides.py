"""Import published official guides (办事指南) in the shape of a provincial 政务服务网's export.

One JSON object per line (catalog/data/SCHEMA.md, "Official guides"): the item with its handling
window, hours, consultation, promised and statutory days, trips, fee, handling forms, accept
conditions, process steps and source link, and its materials with required/optional, paper or
electronic, originals and copies and the portal's notes.

Unlike the other importers, a broken row does not stop the file: the portal's export is large and
a county loads what is valid. Each rejected row is reported with its line, field and reason, and
the rows that are imported are written inside one SAVEPOINT. A dry run validates and reports
without writing.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import invalidate_catalog
from catalog.models import Bundle, Fact, FactOption, Item, Material, Region

log = logging.getLogger(__name__)

# The portal's level words → catalog levels.
LEVEL_WORDS = {"市": "city", "县": "county", "区": "county", "乡镇": "town", "街道": "town", "村": "village",
               "社区": "village"}
MEDIA = ("电子", "纸质", "纸质或电子", "纸质和电子")
DELEGATED = "delegated"
NOTE_CHARS = 120  # the compact note shown with a material; the full notes stay in ``details``
TRIVIAL_NOTES = {"", "无", "/", "-", "—", "暂无", "否", "真实有效", "真实有效准确", "如实填写"}


def _limit(column) -> int:
    return column.type.length


ITEM_LIMITS = {"item_name": _limit(Item.__table__.c.name), "department": _limit(Item.__table__.c.department),
               "handle_address": _limit(Item.__table__.c.address), "handle_time": _limit(Item.__table__.c.hours),
               "source_url": _limit(Item.__table__.c.guide_url), "source_item_id": _limit(Item.__table__.c.code)}
MATERIAL_NAME_LIMIT = _limit(Material.__table__.c.name)


class MaterialRow(BaseModel):
    """One material as the portal lists it; strict types so 「"1"」 for a count is an error, not a guess."""

    model_config = ConfigDict(strict=True, extra="ignore")

    name: str = Field(min_length=1, max_length=MATERIAL_NAME_LIMIT)
    required: bool
    form: Literal[MEDIA] = Field(description="paper or electronic")  # type: ignore[valid-type]
    original_num: int = Field(ge=0)
    copy_num: int = Field(ge=0)
    note: str = ""

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class GuideRow(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    item_name: str = Field(min_length=1, max_length=ITEM_LIMITS["item_name"])
    department: str = Field(min_length=1, max_length=ITEM_LIMITS["department"])
    region: str = Field(min_length=1)
    level: str
    handle_address: Optional[str] = Field(default=None, max_length=ITEM_LIMITS["handle_address"])
    handle_time: Optional[str] = Field(default=None, max_length=ITEM_LIMITS["handle_time"])
    promise_days: Optional[int] = Field(default=None, ge=0)
    legal_days: Optional[int] = Field(default=None, ge=0)
    on_site_times: Optional[int] = Field(default=None, ge=0)
    is_charge: Optional[bool] = None
    item_type: Optional[str] = None
    handle_form: Optional[str] = None
    accept_condition: Optional[str] = None
    consult_way: Optional[str] = None
    materials: list[MaterialRow] = Field(default_factory=list)
    processes: list[str] = Field(default_factory=list)
    source_url: str = Field(min_length=1, max_length=ITEM_LIMITS["source_url"])
    source_item_id: str = Field(min_length=1, max_length=ITEM_LIMITS["source_item_id"])

    @field_validator("item_name", "department", "region", "source_item_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value not in LEVEL_WORDS:
            raise ValueError(f"'{value}' is not one of {', '.join(LEVEL_WORDS)}")
        return value

    @field_validator("source_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not re.match(r"https?://\S+$", value.strip()):
            raise ValueError("not an http(s) link")
        return value.strip()


# ---------------------------------------------------------------- notes and conditions


def parse_note(note: str) -> dict[str, str]:
    """The portal's 「键：值」 lines as a dict; a line without a key continues the previous value."""
    parts: dict[str, str] = {}
    key = None
    for line in note.splitlines():
        match = re.match(r"^([^：:\n]{1,8})[：:](.*)$", line)
        if match:
            key = match.group(1).strip()
            parts[key] = match.group(2).strip()
        elif key is not None and line.strip():
            parts[key] += "\n" + line.strip()
    return parts


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
# A clause at the very start of 填报须知 saying when the material is needed: 「租住公共租赁住房的，须提供」
# 「非以本人事由申请提取的，须提供」. Only this shape is read, and only when the note names one case:
# 「申报住院费用的，提供出院记录；申报门诊费用的，提供门诊病历」 describes the material's forms, which
# are all needed in one case or another, so it stays a note. A condition elsewhere in running
# text also stays part of the note.
_CONDITION_CLAUSE = re.compile(
    r"^(?:如果|如|若)?(?P<when>[\u4e00-\u9fff、“”]{2,30}?)的[，,]\s*(?:还)?(?:须|需|应|需要|应当)?(?:提供|提交|出具)")
_ANOTHER_CASE = re.compile(r"[；;。\n]\s*[^；;。\n，,]{2,30}?的[，,]")
_NOT_A_CASE = ("实", "有正副本", "需提供复印件")  # 「如实填写」, and remarks about copies


def _is_delegation_material(name: str) -> bool:
    """An authorisation letter or an agent's ID: needed only when someone else handles it.
    Bracketed remarks are ignored: 「法定代表人身份证（非法人代表的还要出具…委托书）」 is always needed."""
    bare = _BRACKETED.sub("", name).strip("《》 ")
    if any(word in bare for word in ("合同", "报告", "申请", "协议")):
        return False
    return bare.endswith("委托书") or bool(re.search(r"(代理人|受托人)(的)?身份(证|证明)", bare))


@dataclass(frozen=True)
class ReadCondition:
    fact: Optional[dict[str, str]]  # a situation fact ({"delegated": "yes"})
    text: Optional[str]  # or a condition no fact expresses, shown as 「如…」


def read_condition(name: str, notes: dict[str, str]) -> Optional[ReadCondition]:
    """The condition the guide states for a material, when it is stated in a shape read reliably.

    「委托他人办理的，还需提供代办人身份证」 in an ID card's note adds a material; it does not make the
    ID card conditional, so delegation is read from the material's own name only."""
    if _is_delegation_material(name):
        return ReadCondition({DELEGATED: "yes"}, None)
    text = (notes.get("填报须知") or "").strip()
    match = _CONDITION_CLAUSE.match(text)
    if match is None or _ANOTHER_CASE.search(text, match.end()):
        return None
    when = match.group("when")
    if when.startswith(_NOT_A_CASE) or "委托" in when:
        return None
    return ReadCondition(None, f"如{when}")


def compact_note(notes: dict[str, str]) -> Optional[str]:
    """The decisive part of the notes for the citizen: what to fill in or bring, else the remark."""
    for key in ("填报须知", "备注"):
        text = re.sub(r"\s+", " ", notes.get(key) or "").strip()
        if text.rstrip("。.") not in TRIVIAL_NOTES:
            return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"
    return None


# ---------------------------------------------------------------- values shown to the citizen

_PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9}|12345)(?!\d)")


def phones(consult: Optional[str]) -> Optional[str]:
    """The phone numbers in the guide's 咨询方式, in order, each once (「0770-2882370、0770-2038178」)."""
    found = list(dict.fromkeys(_PHONE.findall(consult or "")))
    return "、".join(found)[: _limit(Item.__table__.c.phone)] if found else None


def time_limit_text(row: GuideRow) -> Optional[str]:
    if row.promise_days is None and row.legal_days is None:
        return None
    parts = []
    if row.promise_days is not None:
        parts.append("即办（当场办结）" if row.promise_days == 0 else f"承诺{row.promise_days}天办结")
    if row.legal_days is not None and row.legal_days != row.promise_days:
        parts.append(f"法定时限{row.legal_days}天")
    return "，".join(parts)


def fee_text(is_charge: Optional[bool]) -> Optional[str]:
    if is_charge is None:
        return None
    # The export says whether a fee is charged, not how much: the amount is not invented here.
    return "收费（收费标准见官方办事指南）" if is_charge else "不收费"


def online_text(handle_form: Optional[str]) -> Optional[str]:
    if not handle_form:
        return None
    forms = [part.strip() for part in re.split(r"[,，、]", handle_form) if part.strip()]
    ways = "、".join(forms)
    return f"可以网上办理（办理方式：{ways}）" if "网上办理" in forms else f"不能网上办理（办理方式：{ways}）"


def process_text(steps: list[str]) -> Optional[str]:
    steps = [step.strip() for step in steps if step.strip()]
    return " → ".join(steps) if steps else None


# ---------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class Rejected:
    line: int
    item: Optional[str]
    field: Optional[str]
    message: str

    def __str__(self) -> str:
        where = f'line {self.line}' + (f' ({self.item})' if self.item else '')
        return f'{where}, field "{self.field}": {self.message}' if self.field else f"{where}: {self.message}"


@dataclass
class GuideReport:
    file: str
    region: str
    dry_run: bool
    lines: int = 0
    items: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_with_materials: int = 0
    materials: int = 0
    required: int = 0
    optional: int = 0
    delegation_conditions: int = 0
    text_conditions: int = 0
    plain_notes: int = 0
    missing: Counter = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    condition_examples: list[str] = field(default_factory=list)

    def text(self) -> str:
        action = "would import" if self.dry_run else "imported"
        lines = [
            f"{self.file} → region {self.region}{' (dry run: nothing written)' if self.dry_run else ''}",
            f"lines read: {self.lines}",
            f"items {action}: {self.items} ({self.items_new} new, {self.items_updated} updated), "
            f"{self.items_with_materials} with materials",
            f"materials: {self.materials} ({self.required} required, {self.optional} optional)",
            f"conditions recognised: {self.delegation_conditions + self.text_conditions} "
            f"({self.delegation_conditions} delegation → fact delegated=yes, "
            f"{self.text_conditions} other 「如…」 conditions shown with the material)",
            f"materials whose notes stay plain notes (no condition recognised): {self.plain_notes}",
            "fields the source leaves empty (answers say so and where to ask): "
            + (", ".join(f"{name} {count}" for name, count in sorted(self.missing.items())) or "none"),
            f"rows rejected: {len(self.rejected)}",
        ]
        lines += [f"  {rejected}" for rejected in self.rejected]
        if self.condition_examples:
            lines.append(f"recognised conditions (the first {len(self.condition_examples)}):")
            lines += [f"  {example}" for example in self.condition_examples]
        return "\n".join(lines)


def _field_name(loc: tuple) -> str:
    """pydantic's location as the file's field path, materials counted from 1 like the portal."""
    name = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            name += f"[{part + 1}]"
        else:
            name += ("." if index else "") + str(part)
    return name


def read_guides(path: Path) -> tuple[list[tuple[int, GuideRow]], list[Rejected], int]:
    """(line, row) for each valid line, the rejected lines with reasons, and the number of lines."""
    valid, rejected = [], []
    seen: dict[str, int] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [Rejected(0, None, None, f"not UTF-8 text ({error.reason})")], 0
    count = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        count += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            rejected.append(Rejected(line_number, None, None, f"malformed JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            rejected.append(Rejected(line_number, None, None, "must be a JSON object"))
            continue
        name = record.get("item_name") if isinstance(record.get("item_name"), str) else None
        try:
            row = GuideRow.model_validate(record)
        except ValidationError as error:
            first = error.errors()[0]
            message = first["msg"] + (f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else "")
            rejected.append(Rejected(line_number, name, _field_name(first["loc"]), message))
            continue
        if row.source_item_id in seen:
            rejected.append(Rejected(line_number, row.item_name, "source_item_id",
                                     f"duplicate {row.source_item_id} (first on line {seen[row.source_item_id]})"))
            continue
        seen[row.source_item_id] = line_number
        valid.append((line_number, row))
    return valid, rejected, count


# ---------------------------------------------------------------- writing


def _ensure_delegation_fact(session: Session) -> None:
    """The delegation fact the recognised conditions use; a catalog without authored guides lacks it."""
    if session.get(Fact, DELEGATED) is not None:
        return
    session.add(Fact(key=DELEGATED, kind="detail", question="您是本人办理，还是委托他人代办？", options=[
        FactOption(position=0, value="no", label="本人办理", words=["本人办理", "我自己去", "我自己办", "本人去"],
                   condition_text="本人办理的"),
        FactOption(position=1, value="yes", label="委托他人代办", words=["委托他人", "找人代办", "代办", "委托别人"],
                   condition_text="如委托他人办理"),
    ]))


def _materials(row: GuideRow, report: GuideReport) -> list[Material]:
    materials = []
    for position, source in enumerate(row.materials):
        notes = parse_note(source.note)
        condition = read_condition(source.name, notes)
        if condition is None:
            report.plain_notes += 1
        elif condition.fact:
            report.delegation_conditions += 1
        else:
            report.text_conditions += 1
        if condition is not None and len(report.condition_examples) < 12:
            shown = condition.text or "委托他人办理"
            report.condition_examples.append(f"{row.item_name} / {source.name}: {shown}")
        report.materials += 1
        report.required += source.required
        report.optional += not source.required
        materials.append(Material(
            position=position, name=source.name, copies=source.copy_num, originals=source.original_num,
            form=(notes.get("类型") or None), medium=source.form, required=source.required,
            note=compact_note(notes), details=source.note.strip() or None,
            condition=condition.fact if condition else None,
            condition_text=condition.text[:200] if condition and condition.text else None,
        ))
    return materials


def _count_missing(row: GuideRow, report: GuideReport) -> None:
    for name, value in (("time limit", row.promise_days), ("fee", row.is_charge), ("trips", row.on_site_times),
                        ("online", row.handle_form), ("address", row.handle_address), ("hours", row.handle_time),
                        ("phone", phones(row.consult_way)), ("materials", row.materials or None)):
        if value in (None, ""):
            report.missing[name] += 1


def _apply(item: Item, row: GuideRow, region: str, materials: list[Material]) -> None:
    item.name, item.department, item.level = row.item_name, row.department, LEVEL_WORDS[row.level]
    item.region_code, item.source, item.official_guide = region, "real", True
    item.guide_url = row.source_url
    item.address, item.hours = row.handle_address or None, row.handle_time or None
    item.consult, item.phone = row.consult_way or None, phones(row.consult_way)
    item.promise_days, item.legal_days = row.promise_days, row.legal_days
    item.time_limit, item.fee, item.trips = time_limit_text(row), fee_text(row.is_charge), row.on_site_times
    item.online, item.process = online_text(row.handle_form), process_text(row.processes)
    item.accept_condition = row.accept_condition or None
    item.materials[:] = materials


def import_official_guides(session: Session, path: str | Path, region: str, dry_run: bool = False) -> GuideReport:
    """Validate every line, import the valid ones (unless ``dry_run``) and report what happened."""
    path = Path(path)
    report = GuideReport(file=path.name, region=region, dry_run=dry_run)
    region_row = session.get(Region, region)
    if region_row is None:
        report.rejected.append(Rejected(0, None, "--region", f"region {region} is not loaded (import-regions first)"))
        return report
    valid, report.rejected, report.lines = read_guides(path)
    existing = {item.code: item for item in session.scalars(select(Item).where(
        Item.code.in_([row.source_item_id for _, row in valid])))}
    bundles = set(session.scalars(select(Bundle.code)))
    accepted = []
    for line, row in valid:
        if region_row.name not in row.region:
            report.rejected.append(Rejected(line, row.item_name, "region",
                                            f"'{row.region}' is not in region {region} ({region_row.name})"))
        elif row.source_item_id in bundles:
            report.rejected.append(Rejected(line, row.item_name, "source_item_id", "already a bundle code"))
        elif (other := existing.get(row.source_item_id)) is not None and other.region_code not in (None, region):
            report.rejected.append(Rejected(line, row.item_name, "source_item_id",
                                            f"already an item of region {other.region_code}"))
        else:
            accepted.append(row)
    report.rejected.sort(key=lambda rejected: rejected.line)
    with session.begin_nested() as savepoint:
        if any(material.name for row in accepted for material in row.materials):
            _ensure_delegation_fact(session)
        for row in accepted:
            item = existing.get(row.source_item_id)
            if item is None:
                item = Item(code=row.source_item_id, has_guide=False)
                session.add(item)
                report.items_new += 1
            else:
                report.items_updated += 1
            _apply(item, row, region, _materials(row, report))
            _count_missing(row, report)
            report.items += 1
            report.items_with_materials += bool(row.materials)
        session.flush()
        if dry_run:
            savepoint.rollback()
    if not dry_run:
        invalidate_catalog(session)
    log.info("%s %d official guides from %s", "checked" if dry_run else "imported", report.items, path.name)
    return report
