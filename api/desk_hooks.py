"""What the chat gateway asks the service desk around each turn (api/gateway.py).

- ``divert`` before Rasa: a web conversation that is queued for or answered by a person gets no
  bot answer (Rasa is not called, its tracker stays as it was); the message goes to the agent. A
  WeChat reply right after a guide that is a rating (「1」「不满意」) is recorded and thanked.
- ``after_turn`` after Rasa: a handoff is recorded for the curator report and, on the web chat,
  queued for an agent when one is online in working hours; on WeChat a guide answer gets the
  rating prompt and is remembered for the reply that rates it.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from starlette.concurrency import run_in_threadpool

from api import ratings
from api.desk_models import DeskConversation, utc_now
from api.redact import redact
from api.schemas import BotMessage, ChatResponse
from api.takeover import QUEUED_TEXT, Desk
from catalog.contract import HOTLINE

logger = logging.getLogger(__name__)

TAKEOVER_CHANNELS = frozenset({"web"})
RATED_CHANNELS = frozenset({"wechat"})


def handoff_reason(response: ChatResponse) -> Optional[str]:
    for message in response.messages:
        if message.custom is not None and message.custom.type == "handoff":
            return message.custom.reason
    return None


def items_offered(response: ChatResponse) -> list[dict[str, Any]]:
    offered: list[dict[str, Any]] = []
    for message in response.messages:
        custom = message.custom
        if custom is None or custom.type not in ("guide", "candidates"):
            continue
        for item in custom.items:
            offered.append({"code": item.code, "name": item.name})
    return offered


def answered_guide(response: ChatResponse) -> Optional[dict[str, Any]]:
    """The guide a reply ends with, as a rating names it (item, place); None for any other reply."""
    if not response.messages:
        return None
    custom = response.messages[-1].custom
    if custom is None or custom.type != "guide":
        return None
    code = custom.code or (custom.items[0].code if custom.items else None)
    name = (custom.bundle.name if custom.bundle else None) or custom.name or (custom.items[0].name if custom.items else None)
    place = custom.location.name if custom.location else None
    return {"item_code": code, "item_name": name, "place": place}


class DeskHooks:
    """``wechat``: the 客服消息 client (api/wechat/customer_service.py); with it, WeChat conversations
    are taken over too (agents answer through it, within WeChat's 48-hour window)."""

    def __init__(self, desk: Desk, wechat: Any = None) -> None:
        self.desk = desk
        self.takeover_channels = TAKEOVER_CHANNELS | ({"wechat"} if wechat is not None else set())

    async def divert(self, sender_id: str, channel: str, message: str) -> Optional[ChatResponse]:
        if channel not in self.takeover_channels and channel not in RATED_CHANNELS:
            return None
        try:
            return await self._divert(sender_id, channel, message)
        except Exception:  # a broken desk database must not cost the citizen the bot's answer
            logger.exception("service desk unavailable for sender %s; the bot answers", redact(sender_id))
            return None

    async def _divert(self, sender_id: str, channel: str, message: str) -> Optional[ChatResponse]:
        row = await run_in_threadpool(self.desk.turn_state, sender_id)
        if row is None:
            return None
        if channel in self.takeover_channels and row.state != "bot":
            seq = await run_in_threadpool(self.desk.citizen_message, sender_id, message)
            if seq is not None:
                logger.info("sender %s: message %d goes to the agent, not the bot", redact(sender_id), seq)
                return ChatResponse(sender_id=sender_id, messages=[])
        if channel in RATED_CHANNELS and row.last_answer:
            return await run_in_threadpool(self._wechat_rating, sender_id, channel, message, row.last_answer)
        return None

    def _wechat_rating(self, sender_id: str, channel: str, message: str,
                       answer: dict[str, Any]) -> Optional[ChatResponse]:
        awaiting = answer.get("awaiting_reason")
        if awaiting:
            reason = ratings.reason_in(message)
            self._remember(sender_id, channel, None)
            if reason is None:
                return None  # a new question: the bot answers it
            ratings.set_reason(self.desk.sessions, int(awaiting), reason)
            return _reply(sender_id, ratings.THANKS_REASON)
        parsed = ratings.parse_rating_reply(message)
        if parsed is None:
            return None
        satisfied, reason = parsed
        number = ratings.record_rating(
            self.desk.sessions, sender_id, channel, answer.get("subject") or "guide", satisfied, reason,
            answer.get("item_code"), answer.get("item_name"), answer.get("place"), answer.get("question") or "",
        )
        if satisfied or reason:
            self._remember(sender_id, channel, None)
            return _reply(sender_id, ratings.THANKS if satisfied else ratings.THANKS_REASON)
        self._remember(sender_id, channel, {**answer, "awaiting_reason": number})
        return _reply(sender_id, ratings.WECHAT_ASK_REASON)

    async def after_turn(self, sender_id: str, channel: str, message: str, response: ChatResponse) -> ChatResponse:
        reason = handoff_reason(response)
        if reason is not None:
            try:
                outcome = await run_in_threadpool(self.desk.hand_off, sender_id, channel, reason, message,
                                                  items_offered(response), channel in self.takeover_channels)
                if channel == "wechat" and channel in self.takeover_channels:
                    # The web widget asks the desk itself; a WeChat citizen reads it in the reply.
                    response.messages.append(BotMessage(text=await self._wechat_notice(outcome)))
            except Exception:  # the citizen still reads the handoff; the desk's failure is logged
                logger.exception("could not record the handoff of sender %s", redact(sender_id))
        if channel in RATED_CHANNELS:
            guide = answered_guide(response)
            try:
                if guide is not None:
                    await run_in_threadpool(self._remember, sender_id, channel, {**guide, "question": redact(message)})
                    response.messages.append(BotMessage(text=ratings.WECHAT_PROMPT))
                else:
                    await run_in_threadpool(self._forget_answer, sender_id)
            except Exception:
                logger.exception("could not remember the answer of sender %s for its rating", redact(sender_id))
        return response

    async def _wechat_notice(self, outcome: str) -> str:
        if outcome in ("queued", "already"):
            return QUEUED_TEXT
        availability = await run_in_threadpool(self.desk.availability)
        if availability.reason == "hours":
            return f"现在是非工作时间（人工客服在线时间：{availability.hours}）。请拨打{HOTLINE}政务服务便民热线。"
        return f"当前没有人工客服在线，请拨打{HOTLINE}政务服务便民热线。"

    def agent_chat_ended(self, sender_id: str) -> None:
        """A WeChat chat an agent answered has ended: the citizen's next 「1」/「2」 rates it."""
        self._remember(sender_id, "wechat", {"subject": "agent", "item_code": None, "item_name": None, "place": None})

    def _remember(self, sender_id: str, channel: str, answer: Optional[dict[str, Any]]) -> None:
        with self.desk.sessions.begin() as session:
            row = self.desk._row_for_update(session, sender_id, channel)
            row.last_answer = answer
            row.updated_at = utc_now()

    def _forget_answer(self, sender_id: str) -> None:
        with self.desk.sessions.begin() as session:
            row = session.get(DeskConversation, sender_id)
            if row is not None and row.last_answer:
                row.last_answer = None


def _reply(sender_id: str, text: str) -> ChatResponse:
    return ChatResponse(sender_id=sender_id, messages=[BotMessage(text=text)])
