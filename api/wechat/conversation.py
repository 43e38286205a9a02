"""What the assistant says to one WeChat message (text, voice recognition, location, events).

Text goes through the same chat gateway as /api/chat, with sender ``wx:<OpenID>``; a bare
option number is first mapped back to the option text of the last question, so the bot sees
「门头要装修」, not 「1」.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Optional

from fastapi import HTTPException

from api.gateway import CHANNEL_SENDER_PREFIXES
from api.wechat.delivery import Answer
from api.wechat.formatting import (
    LOCATION_ASK_TOWN,
    LOCATION_NEED_TARGET,
    LOCATION_UNAVAILABLE,
    SORRY_TEXT,
    UNSUPPORTED_TEXT,
    format_location_answer,
    format_response,
    map_numbered_reply,
    welcome_text,
)
from api.wechat.location import LocationFinder
from api.wechat.store import ConversationMemory

logger = logging.getLogger(__name__)

ChatHandler = Callable[..., Awaitable[Any]]  # api.gateway.handle_message(sender_id, text, channel)
CHANNEL = "wechat"
SENDER_PREFIX = CHANNEL_SENDER_PREFIXES[CHANNEL]  # this channel's namespace (api/gateway.py)
WELCOME_EVENTS = {"subscribe", "subscribe_scan"}


def sender_id_for(openid: str) -> str:
    return SENDER_PREFIX + openid


class WeChatConversation:
    def __init__(
        self,
        memory: ConversationMemory,
        location_finder: Optional[LocationFinder],
        has_human_agents: bool,
    ) -> None:
        self._memory = memory
        self._location_finder = location_finder
        self._has_human_agents = has_human_agents

    async def answer(self, message: Any, chat_handler: ChatHandler) -> Answer:
        openid = message.source
        if message.type == "text":
            return await self._answer_text(openid, message.content or "", chat_handler)
        if message.type == "voice" and message.recognition:  # WeChat's own speech recognition
            return await self._answer_text(openid, message.recognition, chat_handler)
        if message.type == "location":
            return await self._answer_location(openid, message.location_x, message.location_y)
        if message.type == "event":
            return await self._answer_event(openid, message.event)
        logger.info("wechat %s sent an unsupported %s message", sender_id_for(openid), message.type)
        return Answer(text=UNSUPPORTED_TEXT)

    async def _answer_text(self, openid: str, text: str, chat_handler: ChatHandler) -> Answer:
        if not text.strip():
            return Answer(text="")
        mapped = map_numbered_reply(text, await self._memory.options(openid))
        if mapped is not None:
            logger.info("wechat %s answered with option numbers", sender_id_for(openid))
            text = mapped
        try:
            response = await chat_handler(sender_id=sender_id_for(openid), text=text, channel=CHANNEL)
        except HTTPException as exc:  # the gateway refuses empty or over-long messages, in Chinese
            logger.info("wechat %s: gateway refused the message (%s)", sender_id_for(openid), exc.status_code)
            return Answer(text=exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else SORRY_TEXT)
        reply = format_response(response)
        await self._memory.save_options(openid, reply.options)
        if reply.target_code:
            await self._memory.save_target(openid, reply.target_code)
        return Answer(text=reply.text, transfer_to_agent=reply.handoff and self._has_human_agents)

    async def _answer_location(self, openid: str, location_x: Any, location_y: Any) -> Answer:
        await self._memory.save_options(openid, [])
        finder = self._location_finder
        if finder is None or not await asyncio.to_thread(finder.has_coordinates):
            # Ask for the town only once; afterwards say plainly that locations cannot be used.
            if await self._memory.first_town_request(openid):
                return Answer(text=LOCATION_ASK_TOWN)
            return Answer(text=LOCATION_UNAVAILABLE)
        target_code = await self._memory.target(openid)
        if not target_code:
            return Answer(text=LOCATION_NEED_TARGET)
        try:
            lat, lng = float(location_x), float(location_y)
        except (TypeError, ValueError):
            return Answer(text=LOCATION_UNAVAILABLE)
        location = await asyncio.to_thread(finder.nearest, target_code, lat, lng)
        return Answer(text=format_location_answer(location) if location else LOCATION_UNAVAILABLE)

    async def _answer_event(self, openid: str, event: str) -> Answer:
        if event in WELCOME_EVENTS:
            welcome = welcome_text()
            await self._memory.save_options(openid, welcome.options)  # 「1」 asks the first example
            return Answer(text=welcome.text)
        return Answer(text="")  # unsubscribe, menu clicks…: nothing to say
