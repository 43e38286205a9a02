"""Live takeover and ratings over HTTP (api/takeover.py holds the states and their rules).

The citizen's widget (no token; the sender id is the conversation's secret, as for /api/chat):

- ``GET  /api/takeover/{sender_id}``           state, whether agents answer now, the last message number;
- ``POST /api/takeover/{sender_id}/request``   the citizen asks for a person;
- ``GET  /api/takeover/{sender_id}/events``    server-sent events: agent messages and state changes,
  ``id`` = the message number; ``Last-Event-ID`` (or ``?after=``) resumes after it;
- ``POST /api/takeover/{sender_id}/callback``  leave a phone number for a call back;
- ``POST /api/ratings``                        满意 / 不满意 with a reason, for a guide card or an agent chat.

The citizen's own messages still go to ``POST /api/chat``: the gateway hands them to the agent.

The agent console (agent token, ``X-Agent-Token``): ``/api/desk/...`` — heartbeat, queue and live
chats, a conversation's context, claim / pick / message / release, call-back requests.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, AsyncIterator, Literal, Optional
from urllib.parse import parse_qsl

from fastapi import APIRouter, Body, Header, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api import ratings
from api.deps import ResourcesDep, SessionDep, SettingsDep
from api.desk_notify import DeskNotifier
from api.exchange_log import Exchange
from api.gateway import RateLimited
from api.rasa_client import RasaUnavailable
from api.redact import redact, redact_with_flag
from api.routes.agents import AgentAccess
from api.schemas import SENDER_ID_PATTERN, GuidePayload
from api.takeover import CALLBACK_THANKS, CLAIMED_TEXT, RELEASED_TEXT, Desk, DeskError

logger = logging.getLogger(__name__)

router = APIRouter(tags=["takeover"])

SenderId = Annotated[str, PathParam(pattern=SENDER_ID_PATTERN, description="会话标识（与 /api/chat 的 sender_id 相同）")]
AGENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# Recent web conversations an agent can pick up from the console.
LIVE_WINDOW_MINUTES = 30
SWEEP_EVERY_SECONDS = 5.0
MAX_NUMBER = 2**31 - 1  # message numbers and row ids fit a 32-bit INTEGER column
WECHAT = "wechat"
WECHAT_PREFIX = "wx:"
WINDOW_CLOSED = 45015  # WeChat's errcode: more than 48 hours since the citizen's last message


class AgentBody(BaseModel):
    agent_id: str = Field(..., pattern=AGENT_ID_PATTERN)
    name: str = Field("坐席", min_length=1, max_length=32)


class AgentOnly(BaseModel):
    agent_id: str = Field(..., pattern=AGENT_ID_PATTERN)


class GuideChoice(BaseModel):
    code: str = Field(..., pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    query: str = Field("", max_length=500, description="坐席台的定制参数：town=…&village=…&<情形>=<取值>")


class AgentMessage(BaseModel):
    agent_id: str = Field(..., pattern=AGENT_ID_PATTERN)
    text: Optional[str] = Field(None, description="坐席的回复（最长见 takeover_max_agent_chars）")
    guide: Optional[GuideChoice] = Field(None, description="发送一张办事指南卡片（与智能助手答复同样的 guide 载荷）")


class CallbackBody(BaseModel):
    phone: str = Field(..., max_length=32)
    note: str = Field("", max_length=200)


class RatingBody(BaseModel):
    sender_id: str = Field(..., pattern=SENDER_ID_PATTERN)
    subject: Literal["guide", "agent"] = "guide"
    satisfied: bool
    reason: Optional[Literal["materials", "location", "misunderstood", "other"]] = None
    item_code: Optional[str] = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    item_name: Optional[str] = Field(None, max_length=200)
    place: Optional[str] = Field(None, max_length=100)
    question: str = Field("", max_length=500, description="引出该答复的提问（服务端脱敏后保存）")

    @field_validator("item_code")
    @classmethod
    def _not_a_personal_number(cls, code: Optional[str]) -> Optional[str]:
        # The other texts are stored redacted; a code is stored as sent, so one that reads as an ID
        # or mobile number (no catalog code does) is refused rather than kept in clear.
        if code is not None and redact(code) != code:
            raise ValueError("item_code 不是事项编码")
        return code


def _desk(resources: Any) -> Desk:
    return resources.desk


async def _limit(resources: Any, sender_id: str) -> None:
    """The citizen's per-sender limit of the chat (WYC_RATE_LIMIT_PER_MINUTE) covers these writes too."""
    verdict = await resources.rate_limiter.hit(sender_id)
    if not verdict.allowed:
        raise RateLimited(verdict.retry_after_seconds)


async def _call(function: Any, *args: Any) -> Any:
    try:
        return await run_in_threadpool(function, *args)
    except DeskError as error:
        raise HTTPException(status_code=error.status, detail=error.message) from error


# ------------------------------------------------------------------ the citizen's widget


@router.get("/api/takeover/{sender_id}")
async def takeover_status(sender_id: SenderId, resources: ResourcesDep) -> dict[str, Any]:
    """会话当前由谁答复（智能助手 / 排队 / 人工），人工客服此刻是否在线。"""
    desk = _desk(resources)
    row = await run_in_threadpool(desk.conversation, sender_id)
    availability = await run_in_threadpool(desk.availability)
    return {
        "sender_id": sender_id,
        "state": row.state if row is not None else "bot",
        "agent_name": row.agent_name if row is not None else None,
        "last_id": row.last_seq if row is not None else 0,
        # Events after this number are the current handoff's (the widget's ``?after=``).
        "since": max(0, row.started_seq - 1) if row is not None and row.state != "bot" else (row.last_seq if row else 0),
        "available": availability.open,
        "unavailable_text": availability.text(),
        "hours": availability.hours,
        "phone": "12345",
    }


@router.post("/api/takeover/{sender_id}/request")
async def request_person(sender_id: SenderId, resources: ResourcesDep,
                         body: Annotated[Optional[dict[str, str]], Body()] = None) -> dict[str, Any]:
    """市民要求转人工：有坐席在线时进入排队，否则告知 12345 与回电方式。"""
    await _limit(resources, sender_id)
    desk = _desk(resources)
    question = str((body or {}).get("question", ""))[:500]
    outcome = await _call(desk.hand_off, sender_id, "web", "request_human", question, [], True)
    availability = await run_in_threadpool(desk.availability)
    return {"outcome": outcome, "available": availability.open, "unavailable_text": availability.text()}


@router.post("/api/takeover/{sender_id}/leave")
async def leave(sender_id: SenderId, resources: ResourcesDep) -> dict[str, Any]:
    """市民「重新开始」：排队或人工服务中的会话交还智能助手，坐席看到市民已结束会话。"""
    left = await run_in_threadpool(_desk(resources).citizen_left, sender_id)
    return {"state": "bot", "left": left}


@router.get("/api/takeover/{sender_id}/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def takeover_events(
    sender_id: SenderId,
    request: Request,
    resources: ResourcesDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=MAX_NUMBER, description="从该编号之后的消息开始（断线重连时以 Last-Event-ID 为准）")] = 0,
    last_event_id: Annotated[Optional[str], Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """服务端推送（SSE）：坐席消息、指南卡片与状态变化；每条消息的 id 为会话内递增编号。"""
    start = after
    if last_event_id is not None:
        if not last_event_id.isdigit() or int(last_event_id) > MAX_NUMBER:
            raise HTTPException(status_code=422, detail="Last-Event-ID 须为消息编号（非负整数）")
        start = max(start, int(last_event_id))
    desk = _desk(resources)
    return StreamingResponse(
        _event_stream(desk, resources.desk_notifier, request, sender_id, start, settings.takeover_poll_seconds,
                      settings.takeover_stream_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _event_stream(desk: Desk, notifier: DeskNotifier, request: Request, sender_id: str, start: int,
                        poll: float, lasting: float) -> AsyncIterator[str]:
    """Agent and system messages after ``start``, in order, each once; the response ends after
    ``lasting`` seconds and the browser's EventSource reconnects with the last id it got.

    The database is read when a notice says a message of this conversation was stored (on any
    worker: api/desk_notify.py), and at least every ``poll`` seconds in case a notice was lost. The
    alarm is cleared before each read: a message stored during the read rings it again."""
    last = start
    deadline = time.monotonic() + lasting
    swept = 0.0
    yield "retry: 1000\n\n"
    with notifier.listen(sender_id) as wake:
        while True:
            if time.monotonic() - swept >= SWEEP_EVERY_SECONDS:
                swept = time.monotonic()
                await run_in_threadpool(desk.sweep)
            wake.clear()
            for event in await run_in_threadpool(desk.messages_after, sender_id, last, ("agent", "system")):
                last = event["id"]
                yield f"id: {last}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
            now = time.monotonic()
            if now >= deadline or await request.is_disconnected():
                return
            await wake.wait(min(poll, SWEEP_EVERY_SECONDS - (now - swept), deadline - now))


@router.post("/api/takeover/{sender_id}/callback", status_code=201)
async def leave_callback(sender_id: SenderId, body: CallbackBody, resources: ResourcesDep) -> dict[str, Any]:
    """留下电话，工作人员回电（号码只给坐席看，日志中脱敏）。"""
    await _limit(resources, sender_id)
    number = await _call(_desk(resources).leave_callback, sender_id, body.phone, body.note)
    return {"id": number, "text": CALLBACK_THANKS}


@router.post("/api/ratings", status_code=201)
async def rate(body: RatingBody, resources: ResourcesDep) -> dict[str, Any]:
    """好差评：满意 / 不满意（材料不对、地点不对、没听懂、其他）。"""
    await _limit(resources, body.sender_id)
    number = await run_in_threadpool(
        ratings.record_rating, resources.desk.sessions, body.sender_id, "web", body.subject, body.satisfied,
        body.reason, body.item_code, body.item_name, body.place, body.question,
    )
    return {"id": number, "text": ratings.THANKS if body.satisfied else ratings.THANKS_REASON}


# ------------------------------------------------------------------ the agent console


@router.post("/api/desk/heartbeat")
async def heartbeat(body: AgentBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """坐席台每 10 秒报到一次：在线坐席据此计算，断线的坐席的会话回到队列。"""
    desk = _desk(resources)
    await run_in_threadpool(desk.heartbeat, body.agent_id, body.name)
    availability = await run_in_threadpool(desk.availability)
    return {"agents_online": availability.agents_online, "open": availability.open, "hours": availability.hours}


@router.post("/api/desk/sign-off")
async def sign_off(body: AgentOnly, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """坐席台关闭：该坐席下线，其会话回到队列。"""
    moved = await run_in_threadpool(_desk(resources).sign_off, body.agent_id)
    return {"requeued": moved}


@router.get("/api/desk/queue")
async def queue(resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """排队与人工服务中的会话；以及智能助手正在答复、坐席可以主动接入的会话。"""
    desk = _desk(resources)
    waiting = await run_in_threadpool(desk.queue)
    taken = {row["sender_id"] for row in waiting}
    live = await run_in_threadpool(_live_chats, resources, taken)
    availability = await run_in_threadpool(desk.availability)
    return {"queue": waiting, "live": live, "agents_online": availability.agents_online, "open": availability.open,
            "hours": availability.hours}


def _turns(resources: Any, sender_id: Optional[str] = None, limit: int = 200) -> list[Exchange]:
    """Recent turns of the exchange log, newest first, as stored so far (no wait for its writer: a
    console polling every few seconds must not wait behind a busy chat)."""
    query = select(Exchange).order_by(Exchange.id.desc()).limit(limit)
    if sender_id is not None:
        query = query.where(Exchange.sender_id == redact_with_flag(sender_id).text)
    with Session(resources.exchange_log.engine) as session:
        return list(session.scalars(query))


def _live_chats(resources: Any, taken: set[str]) -> list[dict[str, Any]]:
    since = datetime.now(timezone.utc) - timedelta(minutes=LIVE_WINDOW_MINUTES)
    seen: dict[str, dict[str, Any]] = {}
    for turn in _turns(resources):
        at = turn.created_at if turn.created_at.tzinfo else turn.created_at.replace(tzinfo=timezone.utc)
        if turn.channel != "web" or at < since or turn.sender_id in taken or turn.sender_id in seen:
            continue
        seen[turn.sender_id] = {"sender_id": turn.sender_id, "question": turn.user_text, "at": at.isoformat(),
                                "answer_types": list(turn.payload_types)}
    return list(seen.values())[:30]


@router.get("/api/desk/conversations/{sender_id}")
async def conversation_context(sender_id: SenderId, resources: ResourcesDep, session: SessionDep,
                               _access: AgentAccess) -> dict[str, Any]:
    """接入前后坐席需要的上下文：市民说过的话、智能助手的理解（事项候选、地点、情形）、已发出的指南，
    以及人工服务期间的消息。"""
    desk = _desk(resources)
    row = await run_in_threadpool(desk.conversation, sender_id)
    turns = await run_in_threadpool(_turns, resources, sender_id, 30)
    if row is None and not turns:
        raise HTTPException(status_code=404, detail="未找到该会话。")
    understood, guides = await _understood(resources, session, sender_id)
    messages = await run_in_threadpool(desk.messages_after, sender_id, 0)
    return {
        "sender_id": sender_id,
        "state": row.state if row is not None else "bot",
        "agent_id": row.agent_id if row is not None else None,
        "agent_name": row.agent_name if row is not None else None,
        "question": (row.question if row is not None else None) or "",
        "turns": [{"at": t.created_at.isoformat(), "citizen": t.user_text, "bot": list(t.bot_texts),
                   "answer_types": list(t.payload_types)} for t in reversed(turns)],
        "understood": understood,
        "guides_sent": guides,
        "messages": messages,
        "last_id": row.last_seq if row is not None else 0,
    }


async def _understood(resources: Any, session: Any, sender_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """From Rasa's tracker, read only: the slots of the item, place and facts, and the guides sent.
    Without Rasa the console still shows the citizen's words (from the exchange log)."""
    try:
        tracker = await resources.rasa.tracker(sender_id)
    except RasaUnavailable as error:
        logger.info("no tracker for sender %s: %s", redact(sender_id), error)
        return {"available": False}, []
    slots = tracker.get("slots") or {}
    guides: list[dict[str, Any]] = []
    for event in tracker.get("events") or []:
        data = event.get("data") or {} if isinstance(event, dict) else {}
        custom = data.get("custom") if isinstance(data, dict) else None
        if event.get("event") == "bot" and isinstance(custom, dict) and custom.get("type") == "guide":
            guides.append(_guide_summary(custom))
    understood = await run_in_threadpool(_name_slots, session, slots)
    return understood, guides


def _guide_summary(custom: dict[str, Any]) -> dict[str, Any]:
    items = [i for i in custom.get("items") or [] if isinstance(i, dict)]
    name = (custom.get("bundle") or {}).get("name") if isinstance(custom.get("bundle"), dict) else None
    location = custom.get("location") if isinstance(custom.get("location"), dict) else {}
    return {"code": custom.get("code") or (items[0].get("code") if items else None),
            "name": name or custom.get("name") or (items[0].get("name") if items else ""),
            "place": (location or {}).get("name")}


def _name_slots(session: Any, slots: dict[str, Any]) -> dict[str, Any]:
    from catalog.models import Region
    from catalog.targets import get_target

    def target_name(code: Any) -> Optional[str]:
        target = get_target(session, str(code)) if code else None
        return target.name if target is not None else None

    def region_name(code: Any) -> Optional[str]:
        region = session.get(Region, str(code)) if code else None
        return region.name if region is not None else None

    candidates = slots.get("candidates") or []
    return {
        "available": True,
        "status": slots.get("lookup_status"),
        "target": {"code": slots.get("target_code"), "name": target_name(slots.get("target_code"))}
        if slots.get("target_code") else None,
        "candidates": [{"code": c, "name": target_name(c)} for c in candidates if isinstance(c, str)][:8],
        "town": region_name(slots.get("town_code")),
        "village": region_name(slots.get("village_code")),
        "facts": slots.get("facts") if isinstance(slots.get("facts"), dict) else {},
    }


@router.get("/api/desk/conversations/{sender_id}/messages")
async def conversation_messages(sender_id: SenderId, resources: ResourcesDep, _access: AgentAccess,
                                after: Annotated[int, Query(ge=0, le=MAX_NUMBER)] = 0) -> dict[str, Any]:
    desk = _desk(resources)
    row = await run_in_threadpool(desk.conversation, sender_id)
    if row is None:
        raise HTTPException(status_code=404, detail="未找到该会话：它从未转人工。")
    messages = await run_in_threadpool(desk.messages_after, sender_id, after)
    return {"state": row.state, "agent_id": row.agent_id, "agent_name": row.agent_name, "messages": messages}


@router.post("/api/desk/conversations/{sender_id}/claim", responses={404: {}, 409: {"description": "已被接入或已不在队列"}})
async def claim(sender_id: SenderId, body: AgentBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    desk = _desk(resources)
    await run_in_threadpool(desk.heartbeat, body.agent_id, body.name)
    view = await _call(desk.claim, sender_id, body.agent_id, body.name)
    if view["channel"] == WECHAT:
        await _notify_wechat(resources, sender_id, CLAIMED_TEXT)
    return view


# --- WeChat conversations: the agent answers through the 客服消息 API ------------------------------


async def _to_wechat(resources: Any, sender_id: str, text: str) -> None:
    """Send ``text`` to the WeChat citizen now; a clear 4xx/5xx when WeChat will not take it."""
    sender = resources.wechat_sender
    if sender is None:
        raise HTTPException(status_code=503, detail="未配置微信客服消息（WECHAT_APP_ID / WECHAT_APP_SECRET），无法回复微信市民。")
    try:
        await run_in_threadpool(sender.send_text, sender_id[len(WECHAT_PREFIX):], text)
    except Exception as error:  # wechatpy raises its own exceptions; a network error is no different here
        if getattr(error, "errcode", None) == WINDOW_CLOSED:
            raise HTTPException(status_code=409, detail="距市民最后一条消息已超过48小时，微信不允许再发客服消息；"
                                                        "请电话联系，或等市民再次留言。") from error
        logger.warning("wechat customer-service message to %s failed: %s", redact(sender_id), type(error).__name__)
        raise HTTPException(status_code=502, detail="微信客服消息发送失败，消息未发出，请稍后再试。") from error


async def _notify_wechat(resources: Any, sender_id: str, text: str) -> None:
    """A state notice (claimed, released): best effort, the change itself stands."""
    try:
        await _to_wechat(resources, sender_id, text)
    except HTTPException as error:
        logger.info("wechat notice to %s not delivered (%s)", redact(sender_id), error.status_code)


def _wechat_text(text: Optional[str], guide: Optional[dict[str, Any]]) -> str:
    if guide is None:
        return text or ""
    from api.schemas import BotMessage, ChatResponse
    from api.wechat.formatting import format_response

    return format_response(ChatResponse(sender_id="agent", messages=[BotMessage(custom=guide)])).text


@router.post("/api/desk/conversations/{sender_id}/pick", responses={404: {}, 409: {}})
async def pick(sender_id: SenderId, body: AgentBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """坐席主动接入智能助手正在答复的会话。"""
    desk = _desk(resources)
    turns = await run_in_threadpool(_turns, resources, sender_id, 1)
    if not turns:
        raise HTTPException(status_code=404, detail="未找到该会话：没有这位市民的对话记录。")
    await run_in_threadpool(desk.heartbeat, body.agent_id, body.name)
    view = await _call(desk.pick, sender_id, turns[0].channel, body.agent_id, body.name, turns[0].user_text)
    if view["channel"] == WECHAT:
        await _notify_wechat(resources, sender_id, CLAIMED_TEXT)
    return view


@router.post("/api/desk/conversations/{sender_id}/messages", status_code=201,
             responses={404: {}, 409: {"description": "会话已释放或由其他坐席接入"}, 413: {}, 422: {}})
async def send_agent_message(sender_id: SenderId, body: AgentMessage, request: Request, resources: ResourcesDep,
                             session: SessionDep, settings: SettingsDep, _access: AgentAccess) -> dict[str, Any]:
    """坐席发言或发送办事指南卡片（卡片与智能助手的 guide 载荷相同）。"""
    text = (body.text or "").strip()
    if bool(text) == bool(body.guide):
        raise HTTPException(status_code=422, detail="请提供 text（回复内容）或 guide（指南卡片）二者之一。")
    if len(text) > settings.takeover_max_agent_chars:
        raise HTTPException(status_code=413, detail=f"消息过长：最多{settings.takeover_max_agent_chars}个字，当前{len(text)}个字。")
    guide = None
    if body.guide is not None:
        guide = await run_in_threadpool(_guide_payload, session, body.guide, settings.public_base_url.rstrip("/"))
    desk = _desk(resources)
    row = await run_in_threadpool(desk.conversation, sender_id)
    if row is not None and row.channel == WECHAT and row.state == "claimed" and row.agent_id == body.agent_id:
        # Sent first: a message WeChat refuses (the 48-hour window) is not shown as sent.
        await _to_wechat(resources, sender_id, _wechat_text(text, guide))
    return await _call(desk.agent_message, sender_id, body.agent_id, text or None, guide)


def _guide_payload(session: Any, choice: GuideChoice, public_base: str) -> dict[str, Any]:
    from api.routes.guides import (
        FACT_VALUE_PATTERN,
        Tailoring,
        _known_fact_keys,
        _region_code,
        build_guide,
        load_target,
    )

    target = load_target(session, choice.code)
    params = dict(parse_qsl(choice.query, keep_blank_values=False))
    known = _known_fact_keys(session)
    facts = {k: v for k, v in params.items() if k in known and FACT_VALUE_PATTERN.fullmatch(v)}
    tailoring = Tailoring(_region_code(params.get("town")), _region_code(params.get("village")), facts)
    payload = build_guide(session, target, tailoring, public_base)
    # The same validated shape the widget draws for the bot's answers (docs/DESIGN.md §6).
    return GuidePayload.model_validate(payload).model_dump(mode="json")


@router.post("/api/desk/conversations/{sender_id}/release", responses={404: {}, 409: {}})
async def release(sender_id: SenderId, body: AgentOnly, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    """结束人工服务：会话交还智能助手（其对话记忆未被改动）。"""
    desk = _desk(resources)
    await _call(desk.release, sender_id, body.agent_id)
    row = await run_in_threadpool(desk.conversation, sender_id)
    if row is not None and row.channel == WECHAT:
        await run_in_threadpool(resources.desk_hooks().agent_chat_ended, sender_id)
        await _notify_wechat(resources, sender_id, RELEASED_TEXT + "\n" + ratings.WECHAT_AGENT_PROMPT)
    return {"state": "bot"}


@router.get("/api/desk/callbacks")
async def callbacks(resources: ResourcesDep, _access: AgentAccess,
                    status: Annotated[Literal["open", "done"], Query()] = "open") -> dict[str, Any]:
    """市民留下的回电请求（号码明文，仅坐席可见）。"""
    return {"callbacks": await run_in_threadpool(_desk(resources).callbacks, status)}


@router.post("/api/desk/callbacks/{number}/done", responses={404: {}, 409: {}})
async def callback_done(number: Annotated[int, PathParam(ge=1, le=MAX_NUMBER)], body: AgentBody, resources: ResourcesDep, _access: AgentAccess) -> dict[str, Any]:
    await _call(_desk(resources).callback_done, number, body.name)
    return {"status": "done"}

