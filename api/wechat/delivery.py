"""WeChat's 5-second rule: answer passively in time, or answer `success` and deliver later.

WeChat waits 5 s for a reply, then retries the same message (same MsgId) up to 3 times. Rules
kept here:
- the first request to claim a message computes the answer, once, in a task;
- a request waits up to ``reply_timeout`` for it; when it arrives in time the *latest* waiting
  request replies passively (WeChat has abandoned the earlier connections of the same message);
- when no request got it in time, the answer goes out once through the customer-service API,
  and every later retry answers `success`;
- exactly one delivery is ever claimed per message (``MessageClaims.claim_delivery``).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from api.wechat.customer_service import TextSender
from api.wechat.formatting import SORRY_TEXT
from api.wechat.store import MessageClaims

logger = logging.getLogger(__name__)

DEFAULT_REPLY_TIMEOUT_SECONDS = 4.0


@dataclass(frozen=True)
class Answer:
    text: str  # empty: nothing to say (WeChat gets `success`)
    transfer_to_agent: bool = False  # passive reply becomes TransferCustomerServiceReply


@dataclass
class _InFlight:
    task: "asyncio.Task[Answer]"
    latest_attempt: int = 0
    deferred: bool = False


class ReplyCoordinator:
    def __init__(
        self,
        claims: MessageClaims,
        sender: Optional[TextSender],
        reply_timeout: float = DEFAULT_REPLY_TIMEOUT_SECONDS,
    ) -> None:
        self._claims = claims
        self._sender = sender
        self._reply_timeout = reply_timeout
        self._in_flight: dict[str, _InFlight] = {}
        self._background: set[asyncio.Task] = set()  # strong references until they finish

    async def reply(self, key: str, openid: str, compute: Callable[[], Awaitable[Answer]]) -> Optional[Answer]:
        """The answer to send as the passive reply to this request, or None for `success`."""
        entry = await self._entry_for(key, compute)
        if entry is None or entry.deferred:
            logger.info("wechat message %s already answered or being answered elsewhere", key)
            return None
        entry.latest_attempt += 1
        attempt = entry.latest_attempt
        try:
            answer = await asyncio.wait_for(asyncio.shield(entry.task), self._reply_timeout)
        except asyncio.TimeoutError:
            if attempt == entry.latest_attempt and not entry.deferred:
                entry.deferred = True
                logger.info("wechat message %s not ready in %.1fs: deferring to customer service", key,
                            self._reply_timeout)
                self._spawn(self._deliver_late(key, openid, entry.task))
            return None
        if attempt != entry.latest_attempt:
            return None  # a retry of the same message is waiting; it replies
        if not await self._claims.claim_delivery(key):
            return None
        return answer

    async def _entry_for(self, key: str, compute: Callable[[], Awaitable[Answer]]) -> Optional[_InFlight]:
        if not await self._claims.claim_message(key):
            return self._in_flight.get(key)  # None when the first request ran in another worker
        task = asyncio.get_running_loop().create_task(self._safely(key, compute))
        entry = _InFlight(task=task)
        self._in_flight[key] = entry
        task.add_done_callback(lambda _: self._in_flight.pop(key, None))
        return entry

    @staticmethod
    async def _safely(key: str, compute: Callable[[], Awaitable[Answer]]) -> Answer:
        # The answer is awaited by several requests and a late deliverer; it must never raise.
        try:
            return await compute()
        except Exception:
            logger.exception("wechat message %s: computing the answer failed", key)
            return Answer(text=SORRY_TEXT)

    async def _deliver_late(self, key: str, openid: str, task: "asyncio.Task[Answer]") -> None:
        answer = await task
        if not answer.text or not await self._claims.claim_delivery(key):
            return
        if self._sender is None:
            logger.error("wechat message %s: late answer dropped, no customer-service client configured", key)
            return
        try:
            await asyncio.to_thread(self._sender.send_text, openid, answer.text)
            logger.info("wechat message %s delivered through customer service", key)
        except Exception:  # the API refuses e.g. after 48 h of silence; nothing else to try
            logger.exception("wechat message %s: customer-service delivery failed", key)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def wait_idle(self) -> None:
        """Wait for late deliveries in progress (tests and graceful shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
