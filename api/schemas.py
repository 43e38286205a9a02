"""Request and response models of the chat API (docs/DESIGN.md §6), so OpenAPI documents them.

The payloads a message carries (``custom``) are the contract's (catalog/contract.py), shared by
the catalog, the actions, the widget, the agent console, WeChat and the tests.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field, PrivateAttr

from catalog.contract import (  # noqa: F401  (re-exported: the API's view of the contract)
    HOTLINE,
    BundleRef,
    CandidateItem,
    CandidatesPayload,
    ClarifyOption,
    ClarifyPayload,
    ClarifyQuestion,
    CustomPayload,
    GuideItem,
    GuidePayload,
    HandoffPayload,
    Location,
    Material,
)

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
