"""Request and response models of the chat API (docs/DESIGN.md §6), so OpenAPI documents them.

Field names are the contract shared by the widget, the agent console, WeChat and the tests.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from catalog.types import HOTLINE  # one number for every channel; the gateway imports it from here

SENDER_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"


class ChatRequest(BaseModel):

    sender_id: str = Field(
        ...,
        description="会话标识：1–128 个字符，仅字母、数字和 _ . : @ -",
        examples=["web-3f9c2a"],
    )
    message: str = Field(..., description="市民输入的原文（服务端统一规范化，最长 500 字）", examples=["我想开个小饭馆要准备啥"])


class RestartRequest(BaseModel):
    sender_id: str = Field(..., description="要结束的会话标识", examples=["web-3f9c2a"])


class RestartResponse(BaseModel):
    sender_id: str
    restarted: bool = Field(..., description="服务端已忘记这次对话（已说的乡镇、情形和未答的问题）")


class Button(BaseModel):
    title: str
    payload: str


class _Payload(BaseModel):
    # Actions may add keys later; keep them rather than fail the whole reply.
    model_config = ConfigDict(extra="allow")


class BundleRef(_Payload):
    name: str
    code: Optional[str] = None


class GuideItem(_Payload):
    code: str
    name: str
    department: Optional[str] = None


class Material(_Payload):
    name: str
    copies: Optional[int] = None
    form: Optional[str] = None
    note: Optional[str] = None
    condition: Optional[str] = Field(None, description="null = 必须提供；否则为适用条件，如「如委托他人办理」")
    # From a published official guide (null for authored sample materials).
    required: Optional[bool] = Field(None, description="官方指南：是否必需")
    originals: Optional[int] = Field(None, description="官方指南：原件份数")
    medium: Optional[str] = Field(None, description="官方指南：纸质 / 电子 / 纸质或电子")
    details: Optional[str] = Field(None, description="官方指南中该材料的全部说明（来源渠道、填报须知、受理标准等）")


class Location(_Payload):
    level: Literal["village", "town", "county", "city"]
    name: str
    address: Optional[str] = None
    hours: Optional[str] = None
    phone: Optional[str] = None
    note: Optional[str] = None


class GuidePayload(_Payload):
    """一次性告知：事项或一件事的完整办事指引。"""

    type: Literal["guide"] = "guide"
    bundle: Optional[BundleRef] = None
    items: list[GuideItem] = Field(default_factory=list)
    materials: list[Material] = Field(default_factory=list)
    location: Optional[Location] = None
    time_limit: Optional[str] = None
    fee: Optional[str] = None
    trips: Optional[int] = None
    online: Optional[str] = None
    guide_url: Optional[str] = None
    qr_url: Optional[str] = None
    # Extra keys carried by catalog.guide() (docs/INTERNAL_API.md).
    code: Optional[str] = None
    name: Optional[str] = None
    sample_notice: Optional[str] = None
    process: Optional[str] = None
    source: Optional[str] = None
    pending: list[str] = Field(default_factory=list)
    official: bool = Field(False, description="材料与办理信息来自已导入的官方办事指南（guide_url 为来源）")
    missing: list[str] = Field(default_factory=list,
                               description="官方指南未载明的字段（materials, time_limit, fee, trips, online, address, hours, phone）")
    ask_phone: Optional[str] = Field(None, description="未载明时咨询的电话（窗口电话，否则 12345）")
    share_url: Optional[str] = Field(None, description="这一次答复（按所说情况定制的清单）的短链接 /guide/t/<id>；qr_url 随之编码它")


class ClarifyOption(_Payload):
    value: str
    label: str


class ClarifyQuestion(_Payload):
    slot: str
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


class BotMessage(BaseModel):
    """One bot utterance (docs/DESIGN.md §6). ``text`` is complete on its own for text-only channels; when
    ``custom`` is set, the text spells out the same payload, and a channel that draws the payload
    (the widget's card, WeChat's compact form) shows it instead of the text."""

    text: Optional[str] = None
    buttons: Optional[list[Button]] = None
    custom: Optional[CustomPayload] = None


ExchangeStatus = Literal["ok", "assistant_unavailable"]


class ChatResponse(BaseModel):
    sender_id: str
    messages: list[BotMessage]

    # Not serialised: lets each channel pick its HTTP status without re-reading the payloads.
    _status: ExchangeStatus = PrivateAttr(default="ok")

    @property
    def status(self) -> ExchangeStatus:
        return self._status

    def with_status(self, status: ExchangeStatus) -> "ChatResponse":
        self._status = status
        return self


class ErrorDetail(BaseModel):
    detail: str
