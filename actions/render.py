"""Text of the two variable-length replies: the 一次性告知 guide and the one question.

Fixed sentences live in the domain's ``utter_*`` responses; what is built here is the
part a response template cannot express (a list of materials, a list of questions).
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from catalog.contract import (
    HANDOFF_SENTENCE,
    OFFICIAL_SOURCE_LABEL,
    TRIPS_LABEL,
    missing_sentence,
    trips_text,
)

ASPECTS = ("materials", "location", "process", "time", "fee", "online")
ASPECT_LABELS = {"materials": "所需材料", "location": "办理地点", "process": "办理流程", "time": "办理时限",
                 "fee": "收费标准", "online": "网上办理"}
UNKNOWN_DETAIL = "请以完整办事指南为准。"
# Link-only items (the real list without a loaded guide): no materials heading over nothing.
LINK_ONLY_MATERIALS = "材料清单：完整材料以官方办事指南为准，请扫描二维码或打开下方链接查看。"


def missing_text(guide: dict[str, Any], field: str) -> str:
    """What an official guide leaves empty is said, with where to ask, never guessed."""
    return missing_sentence(field, guide.get("ask_phone"))


def _official_details(material: dict[str, Any]) -> list[str]:
    """The decisive part of an official material, compact and first: 必需 or 非必需, the counts of
    originals and copies (or the form when the guide gives no counts), paper or electronic; the
    guide's full notes stay on the guide page (the same words as api/guide_view.py)."""
    tags: dict[Optional[bool], list[str]] = {True: ["必需"], False: ["非必需"]}
    tag = tags.get(material.get("required"), [])
    counts = [part for part in (f"原件{material['originals']}份" if material.get("originals") else None,
                                f"复印件{material['copies']}份" if material.get("copies") else None) if part]
    if not counts and material.get("form"):
        counts = [str(material["form"])]  # 「原件或复印件」 without counts
    return tag + counts + ([material["medium"]] if material.get("medium") else [])


def _material_line(index: int, material: dict[str, Any]) -> str:
    if material.get("required") is not None or material.get("originals") is not None:
        details = _official_details(material)
    else:
        details = [part for part in (material.get("form"), _copies(material.get("copies"))) if part]
    line = f"{index}. {material['name']}"
    if details:
        line += f"（{'，'.join(details)}）"
    if material.get("note"):
        line += f"：{material['note']}"
    if material.get("condition"):
        line = f"{line} —— {material['condition']}"
    return line


def _copies(copies: Optional[int]) -> Optional[str]:
    return f"{copies}份" if copies else None


def is_link_only(guide: dict[str, Any]) -> bool:
    """A real item whose guide is not loaded: its materials are only behind the official link."""
    return not guide.get("materials") and not guide.get("official") and not guide.get("sample_notice")


def _materials_section(guide: dict[str, Any]) -> list[str]:
    materials = guide.get("materials") or []
    if not materials and guide.get("official"):
        return [missing_text(guide, "materials")]
    if not materials and is_link_only(guide):
        departments = "、".join(dict.fromkeys(i["department"] for i in guide.get("items") or [] if i.get("department")))
        return [LINK_ONLY_MATERIALS] + ([f"受理部门：{departments}"] if departments else [])
    if not materials:
        return [f"所需材料：{UNKNOWN_DETAIL}"]
    return ["所需材料："] + [_material_line(i, m) for i, m in enumerate(materials, start=1)]


def _location_section(guide: dict[str, Any]) -> list[str]:
    location = guide.get("location") or {}
    if not location.get("name"):
        return []
    details = "；".join(
        f"{label}{location[key]}"
        for key, label in (("address", "地址："), ("hours", "时间："), ("phone", "电话："))
        if location.get(key)
    )
    lines = [f"办理地点：{location['name']}" + (f"（{details}）" if details else "")]
    if location.get("note"):
        lines.append(location["note"])
    if guide.get("official"):
        lines += [missing_text(guide, key) for key in ("address", "hours") if key in (guide.get("missing") or [])]
    return lines


def _field_section(label: str, key: str) -> Callable[[dict[str, Any]], list[str]]:
    def section(guide: dict[str, Any]) -> list[str]:
        if guide.get(key) in (None, "") and guide.get("official") and key in (guide.get("missing") or []):
            return [missing_text(guide, key)]
        return [f"{label}：{guide[key]}"] if guide.get(key) not in (None, "") else []

    return section


def _trips_section(guide: dict[str, Any]) -> list[str]:
    if guide.get("trips") is None:
        return [missing_text(guide, "trips")] if guide.get("official") else []
    # An official guide's figure as given; online handling is its own line.
    return [f"{TRIPS_LABEL}：{trips_text(guide['trips'], bool(guide.get('official')))}"]


_SECTIONS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "materials": _materials_section,
    "location": _location_section,
    "process": _field_section(ASPECT_LABELS["process"], "process"),
    "time": _field_section(ASPECT_LABELS["time"], "time_limit"),
    "fee": _field_section(ASPECT_LABELS["fee"], "fee"),
    "online": _field_section(ASPECT_LABELS["online"], "online"),
}


def _header(guide: dict[str, Any]) -> list[str]:
    name = guide.get("name") or "、".join(item["name"] for item in guide.get("items") or [])
    lines = [f"【{name}】一次性告知"]
    if guide.get("bundle"):
        members = "、".join(item["name"] for item in guide.get("items") or [])
        lines.append(f"这件事一次办，包含：{members}")
    return lines


def _footer(guide: dict[str, Any]) -> list[str]:
    lines = []
    if guide.get("pending"):
        lines.append("标有“如……”的材料，请按您的实际情况准备。")
    if guide.get("guide_url"):
        label = OFFICIAL_SOURCE_LABEL if guide.get("official") else "完整办事指南"
        lines.append(f"{label}：{guide['guide_url']}")
    if guide.get("official") and "phone" in (guide.get("missing") or []):
        lines.append(missing_text(guide, "phone"))
    if is_link_only(guide) and not guide.get("bundle"):
        lines.append(HANDOFF_SENTENCE)
    if guide.get("sample_notice"):
        lines.append(f"（{guide['sample_notice']}）")
    return lines


def guide_text(guide: dict[str, Any], aspect: Optional[str] = None) -> str:
    """The guide payload as one message: the part asked about first, then the full notice."""
    order = [aspect] + [a for a in ASPECTS if a != aspect] if aspect in ASPECTS else list(ASPECTS)
    body: list[str] = []
    for name in order:
        section = _SECTIONS[name](guide)
        if not section and name == aspect:
            section = [f"{ASPECT_LABELS[name]}：{UNKNOWN_DETAIL}"]  # asked, so say we do not know
        body += section
        if name == "time":
            body += _trips_section(guide)
    return "\n".join(_header(guide) + body + _footer(guide))


EXAMPLES = "比如「补办社保卡」「开小饭馆要准备啥」"


def same_answer_text(name: str, location: dict[str, Any]) -> str:
    """A place given after the answer that does not change it (the item is handled higher up):
    say so briefly instead of sending the whole 一次性告知 again."""
    note = f"{location['note']}，" if location.get("note") else ""
    return f"【{name}】{note}仍在{location['name']}办理，所需材料和上面的一次性告知相同。"


EMERGENCY_NUMBERS = ("110", "119", "120", "122")


def emergency_numbers(office: Optional[str]) -> list[str]:
    """The emergency numbers among those who handle a need (「122、120」 → 120, 122)."""
    return [number for number in EMERGENCY_NUMBERS if number in (office or "")]


def elsewhere_text(need: str, office: Optional[str]) -> str:
    """A need the county's list does not have: what it was read as and who handles it, an emergency
    number first (the 12345 handoff follows)."""
    urgent = emergency_numbers(office)
    lines = [f"情况紧急请立即拨打{'、'.join(urgent)}！"] if urgent else []
    lines.append(f"您说的像是「{need}」，不在本区政务服务事项清单内")
    named = office and office.strip("0123456789、/ ")  # more than the numbers already given
    lines[-1] += f"，一般由{office}负责。" if named else "。"
    return "".join(lines)


def no_context_text(noted: Sequence[str], answered_before: bool) -> str:
    """The reply to 「好的」「我在龙台镇」… when no item is in play: what was noted, then what to ask."""
    lines = [f"好的，已记下：{'、'.join(noted)}。" if noted else "好的。"]
    if answered_before:
        lines.append(f"还有其他想办的事吗？直接告诉我要办什么，{EXAMPLES}。")
    else:
        lines.append(f"请问您要办什么事？直接告诉我，{EXAMPLES}，我一次告诉您要带的材料和去哪里办。")
    return "".join(lines)


def clarify_text(intro: str, questions: Sequence[dict[str, Any]]) -> str:
    """All open questions in one message, numbered, each with its options spelled out."""
    lines = [intro]
    for number, question in enumerate(questions, start=1):
        line = f"{number}. {question['text']}"
        labels = [option["label"] for option in question.get("options") or []]
        if question["slot"] == "item":  # an option offered alone is named in the question itself
            line += "".join(f"\n  {i}) {label}" for i, label in enumerate(labels, start=1)) if len(labels) > 1 else ""
        elif labels:
            line += f"（{' / '.join(labels)}）"
        lines.append(line)
    return "\n".join(lines)


def clarify_buttons(questions: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """Quick replies: one per option. Item options carry the code; fact options their text."""
    buttons = []
    for question in questions:
        for option in question.get("options") or []:
            if question["slot"] == "item":
                payload = '/inform{"item": "%s"}' % option["value"]
            else:
                payload = option["label"]
            buttons.append({"title": option["label"], "payload": payload})
    return buttons
