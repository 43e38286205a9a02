"""The one path a citizen's message takes, whatever the channel (widget, agent page, WeChat).

normalise once → validate → Rasa REST channel → map to ChatResponse → record the exchange.
When Rasa cannot answer, the citizen gets a handoff to 12345 and the turn is still recorded.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Optional

from fastapi import HTTPException
from pydantic import ValidationError

from api.exchange_log import ExchangeLog, ExchangeRecord
from api.rasa_client import RasaClient, RasaUnavailable
from api.ratelimit import RATE_LIMITED_MESSAGE, NoRateLimit, RateLimiter
from api.redact import redact, redact_for_nlu
from api.schemas import HOTLINE, SENDER_ID_PATTERN, BotMessage, ChatResponse, HandoffPayload
from api.settings import Settings
from catalog.text import normalise

if TYPE_CHECKING:
    from api.desk_hooks import DeskHooks
    from api.shares import AnswerShares

logger = logging.getLogger(__name__)

_SENDER_ID = re.compile(SENDER_ID_PATTERN)
UNAVAILABLE_REASON = "assistant_unavailable"
UNAVAILABLE_TEXT = f"抱歉，智能助手暂时无法回答。您的问题已记录，请拨打{HOTLINE}政务服务便民热线，由人工为您解答。"
# Rasa answered but said nothing (e.g. an action failed and Rasa swallowed the error).
NO_ANSWER_REASON = "no_answer"
NO_ANSWER_TEXT = f"抱歉，这个问题暂时没能查到答案。您的问题已记录，请拨打{HOTLINE}政务服务便民热线，由人工为您解答。"
# Channels a citizen types into; the agent console is staff and is not limited.
RATE_LIMITED_CHANNELS = frozenset({"web", "wechat"})
# Each channel owns the sender ids beginning with its prefix (compared case-insensitively); no
# other channel may use them: a web caller who knows an OpenID must not write into, or spend the
# rate limit of, that citizen's WeChat conversation.
CHANNEL_SENDER_PREFIXES = {"wechat": "wx:"}


class InvalidMessage(HTTPException):
    """The message cannot be forwarded (empty, too long, bad sender id). Carries the HTTP status."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.message = message


class RateLimited(InvalidMessage):
    """HTTP 429 with a Retry-After header; WeChat shows the message as the reply."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(429, RATE_LIMITED_MESSAGE)
        self.headers = {"Retry-After": str(retry_after_seconds)}


class ChatGateway:
    def __init__(
        self,
        settings: Settings,
        rasa: RasaClient,
        exchange_log: Optional[ExchangeLog],
        rate_limiter: Optional[RateLimiter] = None,
        client_rate_limiter: Optional[RateLimiter] = None,
        desk: Optional["DeskHooks"] = None,
        shares: Optional["AnswerShares"] = None,
    ) -> None:
        self.settings = settings
        self.rasa = rasa
        self.exchange_log = exchange_log
        self.rate_limiter = rate_limiter or NoRateLimit()
        self.client_rate_limiter = client_rate_limiter or NoRateLimit()
        # The service desk (api/desk_hooks.py): takeover by a person, WeChat ratings; None in tools.
        self.desk = desk
        # Each guide gets its own short link and QR (api/shares.py); None in tools and tests.
        self.shares = shares

    async def handle_message(
        self, sender_id: str, text: str, channel: str, client: Optional[str] = None
    ) -> ChatResponse:
        """``client``: the caller's address, for the web chat's per-address limit (None: not checked)."""
        validate_sender_id(sender_id, channel)
        message = self.normalise_message(text)
        await self._check_rate(sender_id, channel, client)
        started = time.perf_counter()
        if self.desk is not None:
            diverted = await self.desk.divert(sender_id, channel, message)
            if diverted is not None:  # a person answers this conversation: the bot stays silent
                return diverted
        try:
            # Rasa keeps the text in its tracker store: ID and mobile numbers never reach it (the
            # NLU needs neither; the mark is a word no item or place name contains).
            rasa_messages = await self.rasa.send_message(sender_id, redact_for_nlu(message))
        except RasaUnavailable as exc:
            logger.warning("rasa unavailable for sender %s on %s: %s", redact(sender_id), channel, exc)
            response = unavailable_response(sender_id)
            if self.desk is not None:
                response = await self.desk.after_turn(sender_id, channel, message, response)
            self._record(sender_id, channel, message, response, started, error=str(exc))
            return response
        response, error = ChatResponse(sender_id=sender_id, messages=to_bot_messages(rasa_messages)), None
        if not response.messages:
            logger.warning("rasa gave sender %s on %s no answer; handing off", redact(sender_id), channel)
            response, error = no_answer_response(sender_id), "rasa returned no message"
        # The citizen's words only at DEBUG: the exchange log keeps them under its retention, a log file would not.
        logger.debug(
            "sender %s on %s: %r → %d message(s)", redact(sender_id), channel, redact(message), len(response.messages)
        )
        if self.shares is not None and self.shares.has_guides(response):
            # What the citizen scans at the hall, or forwards, is this answer's own list (queued for
            # the writer thread: no database write on the turn).
            self.shares.attach(response)
        if self.desk is not None:
            response = await self.desk.after_turn(sender_id, channel, message, response)
        self._record(sender_id, channel, message, response, started, error=error)
        return response

    async def _check_rate(self, sender_id: str, channel: str, client: Optional[str]) -> None:
        if channel not in RATE_LIMITED_CHANNELS:
            return
        verdict = await self.rate_limiter.hit(sender_id)
        if not verdict.allowed:
            logger.info("sender %s on %s is over the rate limit", redact(sender_id), channel)
            raise RateLimited(verdict.retry_after_seconds)
        if client and not _is_loopback(client):
            verdict = await self.client_rate_limiter.hit(client)
            if not verdict.allowed:
                logger.info("a client address on %s is over its rate limit (sender %s)", channel, redact(sender_id))
                raise RateLimited(verdict.retry_after_seconds)

    def normalise_message(self, text: str) -> str:
        if not isinstance(text, str):
            raise InvalidMessage(422, "message must be a string")
        message = normalise(text)
        if not message:
            raise InvalidMessage(422, "消息为空：请输入您要办理的事项。")
        limit = self.settings.max_message_chars
        if len(message) > limit:
            raise InvalidMessage(
                413,
                f"消息过长：最多{limit}个字，当前{len(message)}个字。请简要描述您要办理的事项。",
            )
        return message

    def _record(
        self,
        sender_id: str,
        channel: str,
        message: str,
        response: ChatResponse,
        started: float,
        error: Optional[str] = None,
    ) -> None:
        if self.exchange_log is None:
            return
        record = ExchangeRecord(
            sender_id=sender_id,
            channel=channel,
            user_text=message,
            bot_texts=[m.text for m in response.messages if m.text],
            payload_types=[m.custom.type for m in response.messages if m.custom is not None],
            status=response.status,
            error=error,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
        # Stored by the log's writer thread: the citizen does not wait for the database.
        self.exchange_log.record_later(record)


def _is_loopback(address: str) -> bool:
    """Local tools (eval, bench, soak) and a proxy that does not pass X-Forwarded-For look like
    this; limiting them per address would limit everyone at once, so they are not counted."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def validate_sender_id(sender_id: Any, channel: Optional[str] = None) -> None:
    if not isinstance(sender_id, str) or not _SENDER_ID.fullmatch(sender_id):
        raise InvalidMessage(
            422,
            "sender_id 无效：须为 1–128 个字符，仅含字母、数字和 _ . : @ -",
        )
    if channel is None:
        return
    lowered = sender_id.lower()
    for owner, prefix in CHANNEL_SENDER_PREFIXES.items():
        if owner != channel and lowered.startswith(prefix):
            raise InvalidMessage(422, f"sender_id 无效：以 {prefix} 开头的会话标识属于其他渠道（{owner}），不能在此使用。")


def unavailable_response(sender_id: str) -> ChatResponse:
    handoff = HandoffPayload(reason=UNAVAILABLE_REASON, phone=HOTLINE)
    message = BotMessage(text=UNAVAILABLE_TEXT, custom=handoff)
    return ChatResponse(sender_id=sender_id, messages=[message]).with_status("assistant_unavailable")


def no_answer_response(sender_id: str) -> ChatResponse:
    handoff = HandoffPayload(reason=NO_ANSWER_REASON, phone=HOTLINE)
    return ChatResponse(sender_id=sender_id, messages=[BotMessage(text=NO_ANSWER_TEXT, custom=handoff)])


def to_bot_messages(rasa_messages: list[dict[str, Any]]) -> list[BotMessage]:
    """Map Rasa REST messages (text, buttons, custom / json_message) to the §6 message model,
    one message per utterance."""
    messages = []
    for raw in one_per_utterance(rasa_messages):
        message = to_bot_message(raw)
        if message.text or message.buttons or message.custom:
            messages.append(message)
    return messages


def _custom_part(raw: dict[str, Any]) -> Any:
    # rasa_sdk sends an empty {} when an utterance has no custom part.
    return raw.get("custom") or raw.get("json_message") or None


def one_per_utterance(rasa_messages: list[Any]) -> list[dict[str, Any]]:
    """Rasa's REST channel sends ``utter_message(text=…, buttons=…, json_message=…)`` as two
    messages: the text with its buttons, then the payload alone. docs/DESIGN.md §6 has one message carry
    all three, so every channel can show the payload *instead of* the text it spells out (the
    widget's card, WeChat's compact form). A payload alone is joined to the message before it
    when that one has text and no payload of its own; a rule's sentence followed by
    action_handoff's payload becomes one handoff message the same way."""
    paired: list[dict[str, Any]] = []
    for raw in rasa_messages:
        if not isinstance(raw, dict):
            continue
        previous = paired[-1] if paired else None
        custom = _custom_part(raw)
        lone_payload = custom and not raw.get("text") and not raw.get("buttons")
        if lone_payload and previous is not None and previous.get("text") and not _custom_part(previous):
            paired[-1] = {**previous, "custom": custom}
        else:
            paired.append(raw)
    return paired


def to_bot_message(raw: dict[str, Any]) -> BotMessage:
    text = raw.get("text") if isinstance(raw.get("text"), str) else None
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    custom = _custom_part(raw)
    try:
        return BotMessage(text=text, buttons=buttons or None, custom=custom)
    except ValidationError as exc:
        # A payload the contract does not know must not cost the citizen the text of the answer.
        payload_type = custom.get("type") if isinstance(custom, dict) else type(custom).__name__
        logger.warning("dropping custom payload of type %r: %d validation error(s)", payload_type, exc.error_count())
        return BotMessage(text=text, buttons=buttons or None)


# --- Module-level entry point for channels that are not FastAPI routes of their own. ---

_default_gateway: Optional[ChatGateway] = None


def bind_default_gateway(gateway: Optional[ChatGateway]) -> None:
    """Called by the app's lifespan: the running app's gateway serves `handle_message`."""
    global _default_gateway
    _default_gateway = gateway


async def handle_message(sender_id: str, text: str, channel: str) -> ChatResponse:
    """docs/INTERNAL_API.md entry point. Routes should prefer the ``GatewayDep`` dependency."""
    if _default_gateway is None:
        raise RuntimeError("no gateway bound: handle_message runs inside the app started by create_app()")
    return await _default_gateway.handle_message(sender_id, text, channel)
