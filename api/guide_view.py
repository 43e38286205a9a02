"""What every channel shows of a guide payload (catalog/contract.py ``GuidePayload``), in one place
for the server-rendered channels (the guide page, WeChat text). The words themselves (hotline,
level labels, trips, what an official guide leaves unsaid) are the contract's; the widget and the
agent console render the same fields in JavaScript (api/static/widget.js, agent.js) from the
contract's generated copy.

Three kinds of answer:
- an item from a published official guide (``official``): each material says required or optional,
  originals and copies, paper or electronic, the decisive note; the full notes (``details``) go to
  the guide page; a field the guide leaves empty (``missing``) is said, with the phone to ask;
- a real item without a loaded guide (link-only): no materials list, but a plain sentence that the
  materials are in the official guide (QR and link), the department, the hall and 12345;
- an authored sample item: its materials and the sample-data notice.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from catalog import contract
from catalog.contract import (  # noqa: F401  (the guide page's template reads them as gv.*)
    HANDOFF_SENTENCE,
    HOTLINE,
    LEVEL_LABELS,
    LINK_ONLY_SENTENCE,
    MISSING_LABELS,
    OFFICIAL_SOURCE_LABEL,
)


def is_official(guide: Mapping[str, Any]) -> bool:
    return bool(guide.get("official"))


def is_link_only(guide: Mapping[str, Any]) -> bool:
    """A real item whose guide is not loaded: its materials are only behind the official link."""
    return not guide.get("materials") and not guide.get("official") and not guide.get("sample_notice")


def ask_phone(guide: Mapping[str, Any]) -> str:
    return str(guide.get("ask_phone") or HOTLINE)


def missing_sentence(guide: Mapping[str, Any], field: str) -> str:
    return contract.missing_sentence(field, ask_phone(guide))


def missing_ask(guide: Mapping[str, Any]) -> str:
    """「官方办事指南未载明，请咨询…」 beside a field's own label."""
    return contract.MISSING_TEXT.format(phone=ask_phone(guide))


def missing_fields(guide: Mapping[str, Any]) -> list[str]:
    """The fields an official guide leaves empty (link-only and sample items say nothing of the kind)."""
    if not is_official(guide):
        return []
    return [field for field in guide.get("missing") or [] if field in MISSING_LABELS]


def departments(guide: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(i["department"] for i in guide.get("items") or [] if i.get("department")))


def material_tag(material: Mapping[str, Any]) -> Optional[str]:
    """必需 / 非必需 for official materials; authored ones carry no such flag."""
    required = material.get("required")
    if required is None:
        return None
    return "必需" if required else "非必需"


def material_counts(material: Mapping[str, Any]) -> list[str]:
    """「原件1份」「复印件1份」「纸质」: the decisive part of an official material; an authored one
    keeps its form and copies."""
    if material.get("required") is None and material.get("originals") is None:
        return [part for part in (material.get("form"), f"{material['copies']}份" if material.get("copies") else None)
                if part]
    parts = [f"原件{material['originals']}份" if material.get("originals") else None,
             f"复印件{material['copies']}份" if material.get("copies") else None]
    if not any(parts) and material.get("form"):
        parts = [str(material["form"])]  # 「原件或复印件」 without counts
    return [p for p in parts if p] + ([str(material["medium"])] if material.get("medium") else [])


def material_view(material: Mapping[str, Any]) -> dict[str, Any]:
    details = material.get("details") or None
    if details and details.strip() == (material.get("note") or "").strip():
        details = None
    return {"name": material.get("name") or "", "tag": material_tag(material), "counts": material_counts(material),
            "note": material.get("note") or None, "condition": material.get("condition") or None,
            "details": details}


def trips_text(guide: Mapping[str, Any]) -> Optional[str]:
    return contract.trips_text(guide.get("trips"), is_official(guide))


def source_label(guide: Mapping[str, Any]) -> str:
    return OFFICIAL_SOURCE_LABEL if is_official(guide) or guide.get("source") == "real" else "完整办事指南"


# --- the SMS an agent sends: one message, the short link to the whole list -----------------------

SMS_LIMIT = 140
SMS_SIGNATURE = f"【{HOTLINE}】"
SMS_TITLE_CHARS = 24


def sms_text(guide: Mapping[str, Any], link: str, limit: int = SMS_LIMIT) -> str:
    """「【12345】事项：请带A、B等N项；到某中心办理。清单：<link>」 in at most ``limit`` characters: the
    materials everyone brings, as many as fit, then 「等N项」; the link carries the rest."""
    title = str(guide.get("name") or (guide.get("bundle") or {}).get("name") or "办事指南")
    if len(title) > SMS_TITLE_CHARS:
        title = title[: SMS_TITLE_CHARS - 1] + "…"
    location = guide.get("location") or {}
    where = f"到{location['name']}办理。" if location.get("name") else ""
    head, tail = f"{SMS_SIGNATURE}{title}：", f"清单：{link}"
    budget = limit - len(head) - len(where) - len(tail)
    return head + _materials_phrase(guide, budget) + where + tail


def _materials_phrase(guide: Mapping[str, Any], budget: int) -> str:
    materials = guide.get("materials") or []
    if not materials:
        return "材料见清单；"
    always = [m["name"] for m in materials if not m.get("condition") and m.get("required") is not False]
    names = always or [m["name"] for m in materials]
    for shown in range(len(names), 0, -1):
        rest = len(materials) - shown
        phrase = "请带" + "、".join(names[:shown]) + (f"等{len(materials)}项" if rest else "") + "；"
        if len(phrase) <= budget:
            return phrase
    phrase = f"需带{len(materials)}项材料；"
    return phrase if len(phrase) <= budget else ""
