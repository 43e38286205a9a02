"""The chat payloads (docs/DESIGN.md §6) and the words every channel shares, defined once.

The catalog builds the ``guide`` payload and the questions of ``clarify`` from these models, the
actions emit ``clarify``, ``handoff`` and ``candidates`` with them, the API validates and documents
the chat response with them (api/schemas.py), and each channel draws a payload with the same words:
the bot's own text (actions/render.py), WeChat (api/wechat/formatting.py), the guide page
(api/guide_view.py) and the widget and agent console, whose constants block is generated from
:func:`js_constants` (``python -m catalog.contract`` prints it; tests/catalog/test_contract.py
checks the copies in api/static/ are current).

Wire form: a payload travels as the plain dict of ``model_dump()`` (through Rasa, the exchange
log and the stored shares). Payloads allow extra keys, so an older or newer sender's extra field
is kept rather than failing a whole reply.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal, NamedTuple, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

# ---------------------------------------------------------------- shared words

# The human route every channel offers (the handoff payload, the answers' "where to ask").
HOTLINE = "12345"
HOTLINE_NAME = f"{HOTLINE}政务服务便民热线"
# Said wherever the materials are only behind the official link, or nothing fits.
HANDOFF_SENTENCE = f"需要人工帮助，可回复「转人工」或拨打{HOTLINE_NAME}。"
# A real item whose guide is not loaded: its materials are only behind the official link.
LINK_ONLY_SENTENCE = "本事项的完整材料清单在官方办事指南中，请扫描二维码或打开官方办事指南链接查看。"
# The catalog's default; a loaded catalog may word its own (catalog_meta ``sample_notice``).
SAMPLE_NOTICE = "示例数据，以官方办事指南为准"
OFFICIAL_SOURCE_LABEL = "官方办事指南（来源）"

Level = Literal["village", "town", "county", "city"]
LEVEL_LABELS: dict[str, str] = {"village": "村（社区）便民服务站", "town": "乡镇（街道）便民服务中心",
                                "county": "区政务服务中心", "city": "市政务服务中心"}

# What an official guide leaves empty is said, with where to ask, never guessed (``missing``).
MISSING_LABELS: dict[str, str] = {"materials": "所需材料", "time_limit": "办理时限", "fee": "收费标准",
                                  "trips": "跑动次数", "online": "网上办理", "address": "办理地址",
                                  "hours": "办理时间", "phone": "咨询电话"}
MISSING_TEXT = "官方办事指南未载明，请咨询{phone}"

TRIPS_LABEL = "跑动次数"
TRIPS_ZERO = "零跑动"
TRIPS_AT_MOST = "最多跑{trips}次"
TRIPS_AS_GIVEN = "{trips}次"  # an official guide's figure, as the guide gives it


def trips_text(trips: Optional[int], official: bool) -> Optional[str]:
    """The trips figure as every channel words it (None when the payload has none)."""
    if trips is None:
        return None
    if official:
        return TRIPS_AS_GIVEN.format(trips=trips)
    return TRIPS_ZERO if trips == 0 else TRIPS_AT_MOST.format(trips=trips)


def missing_sentence(field: str, phone: Optional[str]) -> str:
    """「办理时限：官方办事指南未载明，请咨询0770-1234567。」 (the hotline when no phone is given)."""
    return f"{MISSING_LABELS.get(field, field)}：{MISSING_TEXT.format(phone=phone or HOTLINE)}。"


# ---------------------------------------------------------------- the payloads


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class BundleRef(_Payload):
    name: str
    code: Optional[str] = None


class GuideItem(_Payload):
    code: str
    name: str
    department: Optional[str] = None


class Material(_Payload):
    # Frozen: the catalog memoises tailored lists and hands the same objects to every turn.
    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    copies: Optional[int] = None
    form: Optional[str] = None
    note: Optional[str] = None
    condition: Optional[str] = Field(default=None, description="null = 必须提供；否则为适用条件，如「如委托他人办理」")
    # From a published official guide (null for authored sample materials).
    required: Optional[bool] = Field(default=None, description="官方指南：是否必需")
    originals: Optional[int] = Field(default=None, description="官方指南：原件份数")
    medium: Optional[str] = Field(default=None, description="官方指南：纸质 / 电子 / 纸质或电子")
    details: Optional[str] = Field(default=None, description="官方指南中该材料的全部说明（来源渠道、填报须知、受理标准等）")


class Location(_Payload):
    model_config = ConfigDict(extra="allow", frozen=True)

    level: Level
    name: str
    address: Optional[str] = None
    hours: Optional[str] = None
    phone: Optional[str] = None
    note: Optional[str] = None


class GuidePayload(_Payload):
    """一次性告知：事项或一件事的完整办事指引。"""

    type: Literal["guide"] = "guide"
    code: Optional[str] = None
    name: Optional[str] = None
    bundle: Optional[BundleRef] = None
    items: list[GuideItem] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    location: Optional[Location] = None
    time_limit: Optional[str] = None
    fee: Optional[str] = None
    trips: Optional[int] = None
    online: Optional[str] = None
    process: Optional[str] = None
    guide_url: Optional[str] = None
    qr_url: Optional[str] = None
    sample_notice: Optional[str] = None
    source: Optional[str] = None
    official: bool = Field(default=False, description="材料与办理信息来自已导入的官方办事指南（guide_url 为来源）")
    missing: list[str] = Field(default_factory=list,
                               description="官方指南未载明的字段（materials, time_limit, fee, trips, online, address, hours, phone）")
    ask_phone: Optional[str] = Field(default=None, description=f"未载明时咨询的电话（窗口电话，否则 {HOTLINE}）")
    pending: list[str] = Field(default_factory=list)
    # Set by the app when it keeps the answer (api/shares.py); the catalog leaves it unset.
    share_url: Optional[str] = Field(default=None, description="这一次答复（按所说情况定制的清单）的短链接 /guide/t/<id>；qr_url 随之编码它")

    def wire(self) -> dict[str, Any]:
        """The dict that travels; ``share_url`` only once the app has set it."""
        return self.model_dump(exclude=None if self.share_url else {"share_url"})


class ClarifyOption(_Payload):
    value: str
    label: str


class ClarifyQuestion(_Payload):
    """One question of the one question. The item question (``slot`` "item") also carries its
    ``candidates`` payload (an extra key: the other questions have none)."""

    slot: str  # a fact key, "place" or "item"
    text: str
    options: list[ClarifyOption] = Field(default_factory=list)


class ClarifyPayload(_Payload):
    """唯一的一次追问：缺失的决定性信息一次问齐。"""

    type: Literal["clarify"] = "clarify"
    questions: list[ClarifyQuestion]


class HandoffPayload(_Payload):
    """无法回答时转人工 / 拨打12345。"""

    type: Literal["handoff"] = "handoff"
    reason: str
    phone: str = HOTLINE


class CandidateItem(_Payload):
    code: str
    name: str


class CandidatesPayload(_Payload):
    type: Literal["candidates"] = "candidates"
    items: list[CandidateItem]


CustomPayload = Annotated[
    Union[GuidePayload, ClarifyPayload, HandoffPayload, CandidatesPayload],
    Field(discriminator="type"),
]


class GuideLinks(NamedTuple):
    """Where the app serves a guide's page and QR code. The caller gives the catalog its public
    address; the catalog reads no environment (an official guide's own link, which is data, wins)."""

    page_url: str
    qr_url: str

    @classmethod
    def under(cls, public_base: str, code: str) -> "GuideLinks":
        """The app's own guide routes (api/routes/guides.py) under ``public_base``."""
        base = public_base.rstrip("/")
        return cls(f"{base}/guide/{code}", f"{base}/guide/{code}/qr.svg")


# ---------------------------------------------------------------- the wire dicts the actions emit


def handoff_payload(reason: str) -> dict[str, Any]:
    return HandoffPayload(reason=reason).model_dump()


def candidates_payload(items: list[tuple[str, str]]) -> dict[str, Any]:
    """``items``: (code, name) pairs, in the order offered."""
    return CandidatesPayload(items=[CandidateItem(code=code, name=name) for code, name in items]).model_dump()


def clarify_payload(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The one question: ``questions`` as the catalog and the actions word them (validated here, so
    a malformed question fails in the action, not in a channel)."""
    return ClarifyPayload.model_validate({"questions": questions}).model_dump()


# ---------------------------------------------------------------- the widget's copy


def js_constants() -> str:
    """The shared words as the JavaScript block api/static/widget.js and agent.js carry."""
    values = {"hotline": HOTLINE, "handoffSentence": HANDOFF_SENTENCE, "linkOnlySentence": LINK_ONLY_SENTENCE,
              "sampleNotice": SAMPLE_NOTICE,
              "officialSourceLabel": OFFICIAL_SOURCE_LABEL, "levelLabels": LEVEL_LABELS,
              "missingLabels": MISSING_LABELS, "missingText": MISSING_TEXT, "tripsLabel": TRIPS_LABEL,
              "tripsZero": TRIPS_ZERO, "tripsAtMost": TRIPS_AT_MOST, "tripsAsGiven": TRIPS_AS_GIVEN}
    body = json.dumps(values, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    return f"  {JS_BEGIN} {JS_NOTE}\n  var CONTRACT = {body};\n  {JS_END}"


JS_BEGIN, JS_END = "// contract:begin", "// contract:end"
JS_NOTE = "(generated from catalog/contract.py: `python -m catalog.contract api/static/*.js`; do not edit)"


def write_js_constants(path: str) -> bool:
    """Replace the block between the markers of ``path`` with :func:`js_constants`; True if changed."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    start, end = source.index(JS_BEGIN), source.index(JS_END) + len(JS_END)
    start = source.rindex("\n", 0, start) + 1  # the block's own indentation
    updated = source[:start] + js_constants() + source[end:]
    if updated != source:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(updated)
    return updated != source


if __name__ == "__main__":
    import sys

    # ``python -m catalog.contract [FILE...]``: print the block, or rewrite it in each FILE.
    for name in sys.argv[1:]:
        print(name, "updated" if write_js_constants(name) else "current")
    if len(sys.argv) == 1:
        print(js_constants())
