"""Turn the chat gateway's messages (docs/DESIGN.md §6) into WeChat text.

Pure logic, no I/O. WeChat text has no buttons, so quick replies become numbered options the
citizen answers with 「1」「2」; the guide payload becomes compact text under WeChat's
2048-byte limit.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from api import guide_view
from catalog.contract import HOTLINE, HOTLINE_NAME, LEVEL_LABELS, TRIPS_LABEL

TEXT_LIMIT_BYTES = 2048

HOTLINE_SENTENCE = f"如需人工服务，请拨打{HOTLINE_NAME}。"
NUMBER_HINT = "请回复选项编号（如「1」），也可以直接打字回答。"
PLACE_EXAMPLE = "XX镇"
MATERIALS_CUT = "…完整清单见链接"
WELCOME_EXAMPLES = ("我想开个小饭馆要准备啥", "社保卡丢了怎么补办", "办低保需要什么材料")
WELCOME_TEXT = (
    "您好！我是「问一次」政务服务助手。告诉我您要办什么事，"
    "我一次把要带的材料、去哪里办、多久办好说清楚。\n您可以这样问（回复编号即可）："
)
UNSUPPORTED_TEXT = "目前只能识别文字消息，请用文字告诉我您要办的事，例如「社保卡丢了怎么补办」。"
SORRY_TEXT = "抱歉，系统暂时无法回答。" + HOTLINE_SENTENCE
LOCATION_ASK_TOWN = (
    "目前还不能按定位查找办理地点。请直接回复您所在的乡镇或街道名称（例如「XX镇」或「XX街道」），"
    "我来告诉您就近在哪里办。"
)
LOCATION_UNAVAILABLE = "目前还不能按定位查找办理地点，办理地点请以答复中的为准。" + HOTLINE_SENTENCE
LOCATION_NEED_TARGET = "已收到您的位置。请先告诉我您要办什么事，我再帮您找最近的办理地点。"


@dataclass(frozen=True)
class WeChatText:
    """What one gateway response becomes on WeChat."""

    text: str
    options: list[str] = field(default_factory=list)  # labels behind 「1」「2」…, in order
    handoff: bool = False
    target_code: Optional[str] = None  # the item/bundle the answer was about, for a later location


# --- byte-length helpers -------------------------------------------------------------


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def fit_bytes(text: str, limit: int = TEXT_LIMIT_BYTES, ellipsis: str = "…") -> str:
    """Cut ``text`` at a character boundary so that it (with the ellipsis) fits ``limit`` bytes."""
    if utf8_len(text) <= limit:
        return text
    budget = limit - utf8_len(ellipsis)
    cut = text.encode("utf-8")[: max(budget, 0)].decode("utf-8", errors="ignore")
    return cut + ellipsis


def cdata_safe(text: str) -> str:
    # wechatpy writes text inside CDATA; a literal "]]>" would end it early.
    return text.replace("]]>", "]] >")


# --- the guide payload ----------------------------------------------------------------


def describe_material(material: Mapping[str, Any]) -> str:
    """「委托书（原件1份）」 — name, then form and copies, then any note. An official guide's material:
    「医疗费用发票报销联（必需，原件1份，电子）」, optional ones marked 非必需."""
    if material.get("required") is not None or material.get("originals") is not None:
        view = guide_view.material_view(material)
        details = "，".join(([view["tag"]] if view["tag"] else []) + view["counts"])
    else:
        details = "".join(
            part for part in (material.get("form") or "", f"{material['copies']}份" if material.get("copies") else "")
        )
    text = str(material.get("name") or "")
    if details:
        text += f"（{details}）"
    if material.get("note"):
        text += f"，{material['note']}"
    return text


def material_lines(materials: Sequence[Mapping[str, Any]]) -> list[str]:
    """Plain materials numbered first; conditional ones grouped under their condition, as an
    official 一次性告知 reads: 「如委托他人办理，还需：」."""
    plain = [m for m in materials if not m.get("condition")]
    lines = [f"{index}. {describe_material(m)}" for index, m in enumerate(plain, start=1)]
    conditions: list[str] = []
    for material in materials:
        condition = material.get("condition")
        if condition and condition not in conditions:
            conditions.append(condition)
    for condition in conditions:
        lines.append(f"{condition}，还需：")
        lines.extend(f"· {describe_material(m)}" for m in materials if m.get("condition") == condition)
    return lines


def location_lines(location: Optional[Mapping[str, Any]], heading: str = "办理地点",
                   guide: Optional[Mapping[str, Any]] = None) -> list[str]:
    if not location:
        return []
    name = location.get("name") or LEVEL_LABELS.get(location.get("level") or "", "")
    lines = [f"{heading}：{name}"]
    for label, key in (("地址", "address"), ("办公时间", "hours"), ("电话", "phone")):
        if location.get(key):
            lines.append(f"{label}：{location[key]}")
    if location.get("note"):
        lines.append(str(location["note"]))
    if guide is not None:
        missing = guide_view.missing_fields(guide)
        lines += [guide_view.missing_sentence(guide, key) for key in ("address", "hours", "phone") if key in missing]
    return lines


def _facts_line(guide: Mapping[str, Any]) -> str:
    parts = []
    if guide.get("time_limit"):
        parts.append(f"办理时限：{guide['time_limit']}")
    if guide.get("fee"):
        parts.append(f"收费：{guide['fee']}")
    if guide.get("trips") is not None:
        parts.append(f"{TRIPS_LABEL}：{guide_view.trips_text(guide)}")
    if guide.get("online"):
        parts.append(f"网上办理：{guide['online']}")
    missing = guide_view.missing_fields(guide)
    parts += [guide_view.missing_sentence(guide, key).rstrip("。") for key in ("time_limit", "fee", "trips", "online")
              if key in missing]
    return "；".join(parts)


def _guide_header(guide: Mapping[str, Any]) -> list[str]:
    bundle = guide.get("bundle") or {}
    items = guide.get("items") or []
    name = bundle.get("name") or guide.get("name") or (items[0].get("name") if items else "办事指南")
    lines = [f"【{name}】"]
    if bundle and items:
        lines.append("包含事项：" + "、".join(str(item.get("name")) for item in items))
    elif len(items) == 1 and items[0].get("department"):
        lines.append(f"办理部门：{items[0]['department']}")
    return lines


def _guide_footer(guide: Mapping[str, Any]) -> list[str]:
    lines = []
    if guide.get("share_url"):
        lines.append(f"您的这份清单（可转发）：{guide['share_url']}")
    link = guide.get("guide_url") or guide.get("qr_url")
    if link:
        label = "完整指南" if guide.get("sample_notice") else guide_view.source_label(guide)
        lines.append(f"{label}：{link}")
    if guide_view.is_link_only(guide) and not guide.get("bundle"):
        lines.append(guide_view.HANDOFF_SENTENCE)
    if guide.get("sample_notice"):
        lines.append(str(guide["sample_notice"]))
    return lines


def format_guide(guide: Mapping[str, Any], limit: int = TEXT_LIMIT_BYTES) -> str:
    """The guide as compact text within ``limit`` bytes; materials are cut first, with a pointer
    to the link, because the link always carries the full list."""
    head = _guide_header(guide)
    facts = [line for line in [_facts_line(guide)] if line]
    tail = location_lines(guide.get("location"), guide=guide) + facts
    footer = _guide_footer(guide)
    materials = material_lines(guide.get("materials") or [])
    if not materials:
        # No empty 「所需材料」 heading: say where the materials are, or that the guide leaves them out.
        if guide_view.is_link_only(guide) and not guide.get("bundle"):
            departments = guide_view.departments(guide)
            head = head + [guide_view.LINK_ONLY_SENTENCE] + (
                [f"受理部门：{'、'.join(departments)}"] if departments and len(head) < 2 else [])
        elif "materials" in guide_view.missing_fields(guide):
            head = head + [guide_view.missing_sentence(guide, "materials")]

    def render(kept: list[str], cut: bool) -> str:
        body = ["所需材料："] + kept + ([MATERIALS_CUT] if cut else []) if (kept or cut) else []
        return "\n".join(head + body + tail + footer)

    text = render(materials, cut=False)
    kept = list(materials)
    while utf8_len(text) > limit and kept:
        kept.pop()
        # A dangling 「如…，还需：」 heading without its materials says nothing.
        while kept and kept[-1].endswith("还需："):
            kept.pop()
        text = render(kept, cut=True)
    if utf8_len(text) <= limit:
        return text
    # Still too long (very long address or names): keep the link, cut the middle.
    footer_text = "\n".join(footer)
    body = "\n".join(head + ["所需材料：", MATERIALS_CUT] + tail)
    return fit_bytes(body, limit - utf8_len(footer_text) - 1) + ("\n" + footer_text if footer_text else "")


# --- clarify, candidates, buttons -------------------------------------------------------


NONE_OF_THESE = "都不是"


def _numbered(labels: Iterable[str], start: int) -> list[str]:
    return [f"{number}. {label}" for number, label in enumerate(labels, start=start)]


def format_clarify(text: Optional[str], custom: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The one clarifying question: every question's options numbered consecutively, so that
    「1 3」 answers two questions at once without ambiguity; free-text questions (the town)
    are answered in the same message, after the numbers."""
    lines = [text] if text else []
    options: list[str] = []
    example: list[str] = []
    for question in custom.get("questions") or []:
        if question.get("text"):
            lines.append(str(question["text"]))
        labels = [str(option.get("label") or option.get("value")) for option in question.get("options") or []]
        if labels and question.get("slot") == "item":
            labels.append(NONE_OF_THESE)  # the bot hands a need none of them fits to a person
        if labels:
            example.append(str(len(options) + 1))
        elif question.get("slot") == "place":
            example.append(PLACE_EXAMPLE)
        lines.extend(_numbered(labels, start=len(options) + 1))
        options.extend(labels)
    if options and len(example) > 1:
        lines.append(f"请在一条消息里回复，例如「{' '.join(example)}」；也可以直接打字回答。")
    elif options:
        lines.append(NUMBER_HINT)
    return "\n".join(lines), options


def format_choices(text: Optional[str], labels: Sequence[str]) -> tuple[str, list[str]]:
    lines = ([text] if text else []) + _numbered(labels, start=1)
    if labels:
        lines.append(NUMBER_HINT)
    return "\n".join(lines), list(labels)


def welcome_text() -> WeChatText:
    text, options = format_choices(WELCOME_TEXT, WELCOME_EXAMPLES)
    return WeChatText(text=text, options=options)


# --- a whole gateway response -----------------------------------------------------------


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return dict(value)


def response_messages(response: Any) -> list[dict[str, Any]]:
    """The messages of a ChatResponse (pydantic model or plain dict)."""
    return [_as_dict(message) for message in _as_dict(response).get("messages") or []]


def _handoff_text(text: Optional[str]) -> str:
    if text and HOTLINE in text:
        return text
    return f"{text}\n{HOTLINE_SENTENCE}" if text else HOTLINE_SENTENCE


def _intro(text: Optional[str]) -> Optional[str]:
    """The first line of a question's text: the rest spells out the questions the payload holds."""
    return text.split("\n", 1)[0] if text else text


def format_response(response: Any, limit: int = TEXT_LIMIT_BYTES) -> WeChatText:
    """All messages of one gateway response as one WeChat text (WeChat allows one passive reply)."""
    parts: list[str] = []
    options: list[str] = []
    guides: list[tuple[int, Mapping[str, Any]]] = []  # (slot in parts, guide)
    handoff = False
    for message in response_messages(response):
        custom = _as_dict(message.get("custom"))
        kind = custom.get("type")
        text = message.get("text")
        if kind == "guide":  # its own text is the long form of this payload
            guides.append((len(parts), custom))
            parts.append("")  # rendered last, with whatever room the other parts leave
        elif kind == "clarify":
            part, options = format_clarify(_intro(text), custom)
            parts.append(part)
        elif kind == "candidates":
            labels = [str(item.get("name")) for item in custom.get("items") or []]
            part, options = format_choices(_intro(text), labels)
            parts.append(part)
        elif kind == "handoff":
            handoff = True
            parts.append(_handoff_text(text))
        elif message.get("buttons"):
            labels = [str(button.get("title")) for button in message["buttons"]]
            part, options = format_choices(text, labels)
            parts.append(part)
        elif text:
            parts.append(str(text))
    if guides:
        # Several guides (a choice left open, answered for every candidate) share the room left.
        others = utf8_len("\n\n".join(part for part in parts if part))
        room = (limit - others - 2 * len(guides)) // len(guides)
        for slot, guide in guides:
            parts[slot] = format_guide(guide, max(room, limit // (2 * len(guides))))
    # The item a shared location is for: only when the reply was about one.
    target_code = guides[0][1].get("code") if len(guides) == 1 else None
    text = fit_bytes(cdata_safe("\n\n".join(part for part in parts if part)), limit)
    return WeChatText(text=text, options=options, handoff=handoff, target_code=target_code)


# --- numbered answers -------------------------------------------------------------------

_SEPARATOR = r"[\s,，、;；]+"
_NUMBERED_REPLY = re.compile(rf"^(\d{{1,2}}(?:{_SEPARATOR}\d{{1,2}})*)(?:{_SEPARATOR}(\D.*))?$", re.S)


def map_numbered_reply(text: str, options: Sequence[str]) -> Optional[str]:
    """「1」 or 「1 3」 → the option labels (「门头要装修，现在办税」), keeping any free text after the
    numbers (「1 北辰街道」 → 「门头要装修，北辰街道」). None when ``text`` does not start with
    valid option numbers, so free text passes through untouched."""
    if not options:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip().rstrip("。.")
    match = _NUMBERED_REPLY.match(normalised)
    if not match:
        return None
    numbers = [int(number) for number in re.findall(r"\d+", match.group(1))]
    if not all(1 <= number <= len(options) for number in numbers):
        return None
    chosen = list(dict.fromkeys(options[number - 1] for number in numbers))
    rest = (match.group(2) or "").strip()
    return "，".join(chosen + ([rest] if rest else []))


def format_location_answer(location: Mapping[str, Any]) -> str:
    return "\n".join(location_lines(location, heading="离您最近的办理地点"))
