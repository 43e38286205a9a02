"""Live takeover: a person answers a web conversation the bot handed off.

States of a conversation (``desk_conversations.state``)::

    bot ──handoff / citizen asks / agent picks──► queued ──claim──► claimed ──release──► bot
                                                    ▲  │                       │
                                                    │  └─claim timeout─► bot   │ console heartbeat lost
                                                    └──────────────────────────┘

While a conversation is queued or claimed the gateway does not call Rasa for that sender: the
citizen's messages are stored here for the agent, and Rasa's tracker is left as it was, so the bot
resumes with its memory when the conversation comes back. Every message of a taken-over
conversation (the citizen's, the agent's, state changes) gets the next number of that
conversation (``last_seq``), taken by one conditional UPDATE in the transaction that stores the
message: numbers are gap-free and in commit order per conversation, on SQLite and on PostgreSQL,
whichever worker writes. The widget's event stream sends them as SSE ids, so a reconnect with
``Last-Event-ID`` loses and repeats nothing. Once a transaction that stored messages commits, the
desk's ``notify`` names their conversations (api/desk_notify.py wakes the streams on every worker).

Ownership changes are conditional UPDATEs (``… WHERE state = 'queued'``): of two agents claiming at
once, one wins and the other gets a conflict, whatever worker each request reaches. Timeouts are
applied by ``sweep``, which every queue read and every open event stream runs: no timer process.

Pure I/O glue over a sessionmaker; the FastAPI routes are api/routes/takeover.py.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time as day_time, timedelta, timezone
from typing import Any, Callable, Iterable, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, bindparam, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.desk_models import (
    BOT,
    CLAIMED,
    QUEUED,
    AgentPresence,
    CallbackRequest,
    DeskBase,
    DeskConversation,
    DeskMessage,
    Episode,
    conversation_hash,
    utc_now,
)
from api.redact import redact
from catalog.contract import HOTLINE
from catalog.db import SQLITE_BEGIN_IMMEDIATE

logger = logging.getLogger(__name__)

# What the citizen reads when the conversation changes hands (the widget shows these lines).
QUEUED_TEXT = "正在为您转接人工客服，请稍候。您可以继续输入，客服接入后会看到您的留言。"
CLAIMED_TEXT = "人工客服正在为您服务"
RELEASED_TEXT = "人工客服已结束本次服务，智能助手继续为您解答。"
REQUEUED_TEXT = "客服连接中断，已为您重新排队，请稍候。"
LEFT_TEXT = "市民已结束本次会话（重新开始）。"
RETURNED_TEXT = (f"暂时没有人工客服接入，智能助手继续为您解答。您也可以拨打{HOTLINE}政务服务便民热线，"
                 "或留下电话号码，工作人员回电。")
NO_AGENT_TEXT = f"当前没有人工客服在线。您可以拨打{HOTLINE}政务服务便民热线，或留下电话号码，工作人员会尽快回电。"
CALLBACK_THANKS = "已记下您的电话，工作人员会尽快回电。"

MAX_AGENT_NAME = 32
# A mainland mobile or a landline with its area code: what an agent can dial back.
PHONE_PATTERN = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


class DeskError(Exception):
    """A request the desk refuses; ``status`` is the HTTP status the route answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(sender_id: str) -> DeskError:
    return DeskError(404, "未找到该会话：它从未转人工，或会话标识有误。")


@dataclass(frozen=True)
class WorkingHours:
    """When agents answer chats: ``"08:30-17:30"`` on ISO weekdays ``"1-5"`` in a time zone."""

    start: day_time
    end: day_time
    days: frozenset[int]
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str, days: str, zone: str) -> "WorkingHours":
        start_text, end_text = (part.strip() for part in hours.split("-", 1))
        start, end = _clock(start_text), _clock(end_text)
        chosen: set[int] = set()
        for part in days.split(","):
            low, _, high = part.strip().partition("-")
            chosen.update(range(int(low), int(high or low) + 1))
        return cls(start, end, frozenset(chosen), ZoneInfo(zone))

    def open_at(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if local.isoweekday() not in self.days:
            return False
        return self.start <= local.time() < self.end

    def describe(self) -> str:
        days = "每天" if self.days == frozenset(range(1, 8)) else (
            "工作日" if self.days == frozenset(range(1, 6)) else "周" + "、".join("一二三四五六日"[d - 1] for d in sorted(self.days)))
        if self.start == day_time(0, 0) and self.end == day_time(23, 59, 59, 999999):
            return f"{days}全天"
        return f"{days} {self.start:%H:%M}–{self.end:%H:%M}" if self.end != day_time.max else f"{days} {self.start:%H:%M}–24:00"


def _clock(text: str) -> day_time:
    if text in ("24:00", "24"):
        return day_time.max
    hour, _, minute = text.partition(":")
    return day_time(int(hour), int(minute or 0))


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Availability:
    open: bool
    reason: Optional[str]  # None | "hours" | "no_agent"
    agents_online: int
    hours: str

    def text(self) -> Optional[str]:
        if self.reason == "hours":
            return (f"现在是非工作时间（人工客服在线时间：{self.hours}）。您可以拨打{HOTLINE}政务服务便民热线，"
                    "或留下电话号码，工作人员上班后回电。")
        if self.reason == "no_agent":
            return NO_AGENT_TEXT
        return None


def message_view(message: DeskMessage) -> dict[str, Any]:
    return {
        "id": message.seq,
        "author": message.author,
        "kind": message.kind,
        "text": message.text,
        "payload": message.payload,
        "agent_name": message.agent_name,
        "at": _aware(message.created_at).isoformat(),
    }


@dataclass(frozen=True)
class TurnState:
    state: str
    last_answer: Optional[dict[str, Any]]


_TURN_STATE = select(DeskConversation.state, DeskConversation.last_answer).where(
    DeskConversation.sender_id == bindparam("sender_id"))


class Desk:
    """The takeover state of every conversation, in the log database."""

    def __init__(
        self,
        engine: Engine,
        hours: WorkingHours,
        heartbeat_seconds: float,
        claim_timeout_seconds: float,
        clock: Callable[[], datetime] = utc_now,
        tell_wechat: Optional[Callable[[str, str], None]] = None,
        notify: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.engine = engine
        self.hours = hours
        self.heartbeat_seconds = heartbeat_seconds
        self.claim_timeout_seconds = claim_timeout_seconds
        self.clock = clock
        # A WeChat citizen reads a timeout's notice as a 客服消息 (the widget reads it in its events).
        self.tell_wechat = tell_wechat
        # Shared with the ratings (api/ratings.py): the same tables' database. Its transactions read a
        # conversation before they write it: on SQLite they take the write lock when they begin.
        self.sessions = sessionmaker(bind=engine.execution_options(**{SQLITE_BEGIN_IMMEDIATE: True}),
                                     expire_on_commit=False)
        # Reads that write nothing begin deferred: under WAL they take no lock, so the gateway's check
        # before each turn (``conversation``) never waits for, nor holds up, a writer.
        self.reads = sessionmaker(bind=engine, expire_on_commit=False)
        # Told after the commit, never before: a stream woken early would read nothing and sleep.
        self.notify = notify
        event.listen(self.sessions, "after_commit", self._committed)
        event.listen(self.sessions, "after_soft_rollback", _forget_stored)

    def create_tables(self) -> None:
        DeskBase.metadata.create_all(self.engine)

    def session(self) -> Session:
        return self.sessions()

    # ------------------------------------------------------------------ reading

    def conversation(self, sender_id: str) -> Optional[DeskConversation]:
        with self.reads() as session:
            return session.get(DeskConversation, sender_id)

    def turn_state(self, sender_id: str) -> Optional[TurnState]:
        """The gateway's read before each turn: the conversation's state and WeChat's last answer, or
        None for a sender the desk never saw (most turns). One row by primary key, on a connection of
        its own and without the ORM: it is on every citizen's turn."""
        with self.engine.connect() as connection:
            row = connection.execute(_TURN_STATE, {"sender_id": sender_id}).first()
        return None if row is None else TurnState(row.state, row.last_answer)

    def taken_over(self, sender_id: str) -> bool:
        """Is a person (or the queue) answering this sender? (``turn_state``'s row.)"""
        found = self.turn_state(sender_id)
        return found is not None and found.state in (QUEUED, CLAIMED)

    def availability(self) -> Availability:
        now = self.clock()
        described = self.hours.describe()
        if not self.hours.open_at(now):
            return Availability(False, "hours", 0, described)
        online = len(self._online_agents(now))
        return Availability(online > 0, None if online else "no_agent", online, described)

    def _online_agents(self, now: datetime) -> list[str]:
        since = now - timedelta(seconds=self.heartbeat_seconds)
        with self.reads() as session:
            return list(session.scalars(select(AgentPresence.agent_id).where(AgentPresence.last_seen >= since)))

    def messages_after(self, sender_id: str, after: int, authors: Iterable[str] = ("citizen", "agent", "system"),
                       limit: int = 200) -> list[dict[str, Any]]:
        with self.reads() as session:
            rows = session.scalars(
                select(DeskMessage)
                .where(DeskMessage.sender_id == sender_id, DeskMessage.seq > after,
                       DeskMessage.author.in_(list(authors)))
                .order_by(DeskMessage.seq)
                .limit(limit)
            )
            return [message_view(row) for row in rows]

    def queue(self) -> list[dict[str, Any]]:
        """Waiting conversations first (longest wait first), then those agents are answering."""
        self.sweep()
        with self.reads() as session:
            rows = session.scalars(
                select(DeskConversation).where(DeskConversation.state.in_([QUEUED, CLAIMED]))
                .order_by(DeskConversation.queued_at)
            ).all()
        now = self.clock()
        views = [self._summary(row, now) for row in rows]
        return sorted(views, key=lambda view: (view["state"] != QUEUED, -view["waiting_seconds"]))

    def _summary(self, row: DeskConversation, now: datetime) -> dict[str, Any]:
        queued_at = _aware(row.queued_at) or now
        return {
            "sender_id": row.sender_id,
            "channel": row.channel,
            "state": row.state,
            "reason": row.reason,
            "question": row.question or "",
            "agent_id": row.agent_id,
            "agent_name": row.agent_name,
            "queued_at": queued_at.isoformat(),
            "waiting_seconds": max(0, int((now - queued_at).total_seconds())),
            "last_seq": row.last_seq,
        }

    # ------------------------------------------------------------------ the citizen's side

    def hand_off(self, sender_id: str, channel: str, reason: str, question: str,
                 items_offered: Iterable[dict[str, Any]] = (), queue_it: bool = True) -> str:
        """Record a handoff; queue the conversation when ``queue_it`` and agents answer now.
        Returns the outcome: ``queued``, ``unavailable`` (recorded, not queued) or ``already``."""
        now = self.clock()
        question = redact(question)[:500]
        offered = [{"code": str(i.get("code")), "name": str(i.get("name"))} for i in items_offered if i.get("code")]
        available = queue_it and self.availability().open
        with self.sessions.begin() as session:
            row = self._row_for_update(session, sender_id, channel)
            if row.state in (QUEUED, CLAIMED):
                return "already"
            episode = Episode(conversation=conversation_hash(sender_id), channel=channel, reason=reason,
                              question=question, items_offered=offered, started_at=now,
                              outcome=QUEUED if available else "unavailable", ended_at=None if available else now)
            session.add(episode)
            session.flush()
            if not available:
                return "unavailable"
            moved = session.execute(
                update(DeskConversation)
                .where(DeskConversation.sender_id == sender_id, DeskConversation.state == BOT)
                .values(state=QUEUED, reason=reason, queued_at=now, claimed_at=None, agent_id=None, agent_name=None,
                        question=question, episode_id=episode.id, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not moved:
                session.delete(episode)
                return "already"
            first = self._append(session, sender_id, "system", "state", QUEUED_TEXT, {"state": QUEUED})
            session.execute(update(DeskConversation).where(DeskConversation.sender_id == sender_id)
                            .values(started_seq=first).execution_options(synchronize_session=False))
        logger.info("sender %s queued for an agent (%s)", redact(sender_id), reason)
        return QUEUED

    def _row_for_update(self, session: Session, sender_id: str, channel: str) -> DeskConversation:
        row = session.get(DeskConversation, sender_id)
        if row is not None:
            return row
        try:
            with session.begin_nested():
                row = DeskConversation(sender_id=sender_id, channel=channel, state=BOT, last_seq=0,
                                       updated_at=self.clock())
                session.add(row)
        except IntegrityError:  # another worker inserted it a moment ago
            row = session.get(DeskConversation, sender_id)
        assert row is not None
        return row

    def citizen_message(self, sender_id: str, text: str) -> Optional[int]:
        """Store a citizen's message of a taken-over conversation; None when the bot answers it."""
        with self.sessions.begin() as session:
            seq = self._next_seq(session, sender_id, DeskConversation.state.in_([QUEUED, CLAIMED]))
            if seq is None:
                return None
            session.add(DeskMessage(sender_id=sender_id, seq=seq, author="citizen", kind="text",
                                    text=redact(text), created_at=self.clock()))
            _stored(session, sender_id)
        return seq

    def leave_callback(self, sender_id: str, phone: str, note: str = "") -> int:
        digits = re.sub(r"[\s()（）]", "", phone or "")
        if not PHONE_PATTERN.fullmatch(digits):
            raise DeskError(422, "电话号码格式不对：请填写11位手机号，或带区号的固定电话（如 0826-1234567）。")
        with self.sessions.begin() as session:
            row = session.get(DeskConversation, sender_id)
            question = (row.question if row is not None and row.question else "") or redact(note)[:500]
            request = CallbackRequest(sender_id=sender_id, phone=digits, question=question, created_at=self.clock())
            session.add(request)
            session.flush()
            number = request.id
        logger.info("sender %s left a callback number (request %d)", redact(sender_id), number)
        return number

    def callbacks(self, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
        with self.reads() as session:
            rows = session.scalars(select(CallbackRequest).where(CallbackRequest.status == status)
                                   .order_by(CallbackRequest.id.desc()).limit(limit))
            return [{"id": r.id, "phone": r.phone, "question": r.question, "status": r.status,
                     "at": _aware(r.created_at).isoformat(), "done_by": r.done_by} for r in rows]

    def callback_done(self, number: int, agent_name: str) -> None:
        with self.sessions.begin() as session:
            done = session.execute(
                update(CallbackRequest).where(CallbackRequest.id == number, CallbackRequest.status == "open")
                .values(status="done", done_by=agent_name[:MAX_AGENT_NAME])
                .execution_options(synchronize_session=False)
            ).rowcount
            if not done:
                exists = session.get(CallbackRequest, number) is not None
                raise DeskError(409 if exists else 404, "该回电请求已处理。" if exists else "未找到该回电请求。")

    # ------------------------------------------------------------------ the agent's side

    def heartbeat(self, agent_id: str, name: str) -> None:
        now = self.clock()
        with self.sessions.begin() as session:
            row = session.get(AgentPresence, agent_id)
            if row is None:
                try:
                    with session.begin_nested():
                        session.add(AgentPresence(agent_id=agent_id, name=name[:MAX_AGENT_NAME], last_seen=now))
                    return
                except IntegrityError:
                    row = session.get(AgentPresence, agent_id)
            row.name, row.last_seen = name[:MAX_AGENT_NAME], now

    def sign_off(self, agent_id: str) -> int:
        """The console is closing: its agent is offline now and its conversations go back to the queue."""
        with self.sessions.begin() as session:
            row = session.get(AgentPresence, agent_id)
            if row is not None:
                row.last_seen = self.clock() - timedelta(seconds=self.heartbeat_seconds + 1)
        return self.sweep()

    def claim(self, sender_id: str, agent_id: str, agent_name: str) -> dict[str, Any]:
        self.sweep()
        now = self.clock()
        with self.sessions.begin() as session:
            claimed = session.execute(
                update(DeskConversation)
                .where(DeskConversation.sender_id == sender_id, DeskConversation.state == QUEUED)
                .values(state=CLAIMED, agent_id=agent_id, agent_name=agent_name[:MAX_AGENT_NAME], claimed_at=now,
                        updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            row = session.get(DeskConversation, sender_id)
            if not claimed:
                if row is None:
                    raise not_found(sender_id)
                if row.state == CLAIMED:
                    raise DeskError(409, f"该会话已由坐席「{row.agent_name}」接入。")
                raise DeskError(409, "该会话已不在排队中（已回到智能助手）。")
            self._append(session, sender_id, "system", "state", CLAIMED_TEXT,
                         {"state": CLAIMED, "agent_name": agent_name[:MAX_AGENT_NAME]})
            if row.episode_id is not None:
                session.execute(update(Episode).where(Episode.id == row.episode_id, Episode.claimed_at.is_(None))
                                .values(claimed_at=now, outcome=CLAIMED, agent_name=agent_name[:MAX_AGENT_NAME])
                                .execution_options(synchronize_session=False))
            view = self._summary(row, now)
        view.update(state=CLAIMED, agent_id=agent_id, agent_name=agent_name[:MAX_AGENT_NAME])
        logger.info("sender %s claimed by agent %s", redact(sender_id), agent_id)
        return view

    def pick(self, sender_id: str, channel: str, agent_id: str, agent_name: str, question: str = "") -> dict[str, Any]:
        """An agent takes over a conversation the bot is answering (from the list of live chats)."""
        if self.taken_over(sender_id):
            raise DeskError(409, "该会话已在人工队列中或已由坐席接入。")
        outcome = self.hand_off(sender_id, channel, "agent_pick", question, queue_it=True)
        if outcome == "unavailable":  # the picking agent is online by definition; outside hours it still may
            self._force_queue(sender_id, channel, question)
        return self.claim(sender_id, agent_id, agent_name)

    def _force_queue(self, sender_id: str, channel: str, question: str) -> None:
        now = self.clock()
        with self.sessions.begin() as session:
            row = self._row_for_update(session, sender_id, channel)
            episode = Episode(conversation=conversation_hash(sender_id), channel=channel, reason="agent_pick",
                              question=redact(question)[:500], items_offered=[], started_at=now, outcome=QUEUED)
            session.add(episode)
            session.flush()
            row.state, row.reason, row.queued_at, row.episode_id, row.updated_at = QUEUED, "agent_pick", now, episode.id, now
            row.question = redact(question)[:500]
            row.started_seq = self._append(session, sender_id, "system", "state", QUEUED_TEXT, {"state": QUEUED})

    def agent_message(self, sender_id: str, agent_id: str, text: Optional[str] = None,
                      guide: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        now = self.clock()
        with self.sessions.begin() as session:
            seq = self._next_seq(session, sender_id, DeskConversation.state == CLAIMED,
                                 DeskConversation.agent_id == agent_id)
            row = session.get(DeskConversation, sender_id)
            if seq is None:
                if row is None:
                    raise not_found(sender_id)
                if row.state == CLAIMED:
                    raise DeskError(409, f"该会话由坐席「{row.agent_name}」接入，您不能在此发言。")
                raise DeskError(409, "该会话已结束人工服务（已释放或超时），消息未发送。")
            message = DeskMessage(sender_id=sender_id, seq=seq, author="agent", kind="guide" if guide else "text",
                                  text=redact(text) if text else None, payload=guide, agent_name=row.agent_name,
                                  created_at=now)
            session.add(message)
            _stored(session, sender_id)
            if row.episode_id is not None:
                session.execute(update(Episode).where(Episode.id == row.episode_id, Episode.first_reply_at.is_(None))
                                .values(first_reply_at=now).execution_options(synchronize_session=False))
            session.flush()
            return message_view(message)

    def release(self, sender_id: str, agent_id: str) -> None:
        now = self.clock()
        with self.sessions.begin() as session:
            released = self._return_to_bot(session, sender_id, now, "released", RELEASED_TEXT,
                                           DeskConversation.state == CLAIMED, DeskConversation.agent_id == agent_id)
            if not released:
                row = session.get(DeskConversation, sender_id)
                if row is None:
                    raise not_found(sender_id)
                if row.state == CLAIMED:
                    raise DeskError(409, f"该会话由坐席「{row.agent_name}」接入，只能由其释放。")
                raise DeskError(409, "该会话已不在人工服务中。")
        logger.info("sender %s released by agent %s", redact(sender_id), agent_id)

    # ------------------------------------------------------------------ retention

    def purge_older_than(self, days: int) -> int:
        """The exchange log's retention applies here too: messages, call-back requests (their numbers
        are in clear) and conversations the bot has answered alone since. Episodes and ratings, which
        hold no sender id, stay for the curators' figures. ``days <= 0`` keeps all."""
        if days <= 0:
            return 0
        cutoff = self.clock() - timedelta(days=days)
        with self.sessions.begin() as session:
            removed = session.execute(delete(DeskMessage).where(DeskMessage.created_at < cutoff)).rowcount or 0
            removed += session.execute(delete(CallbackRequest).where(CallbackRequest.created_at < cutoff)).rowcount or 0
            stale = select(DeskConversation.sender_id).where(DeskConversation.state == BOT,
                                                             DeskConversation.updated_at < cutoff)
            session.execute(delete(DeskMessage).where(DeskMessage.sender_id.in_(stale)))
            removed += session.execute(delete(DeskConversation).where(DeskConversation.state == BOT,
                                                                      DeskConversation.updated_at < cutoff)).rowcount or 0
        logger.info("service desk: purged %d row(s) older than %d day(s)", removed, days)
        return removed

    def citizen_left(self, sender_id: str) -> bool:
        """The citizen started over (the widget's 「重新开始」): a queued or answered conversation goes
        back to the bot and the agent reads why. False when no person was answering it."""
        with self.sessions.begin() as session:
            left = self._return_to_bot(session, sender_id, self.clock(), "left", LEFT_TEXT,
                                       DeskConversation.state.in_([QUEUED, CLAIMED]))
        if left:
            logger.info("sender %s left the conversation an agent had", redact(sender_id))
        return left

    # ------------------------------------------------------------------ timeouts

    def sweep(self) -> int:
        """Apply the timeouts; returns how many conversations moved. Safe to run from every worker at
        once: each move is a conditional UPDATE that only one of them makes."""
        now = self.clock()
        moved = 0
        online = set(self._online_agents(now))
        claim_deadline = now - timedelta(seconds=self.claim_timeout_seconds)
        with self.reads() as session:
            orphaned = [(r.sender_id, r.agent_id, r.channel) for r in session.execute(
                select(DeskConversation.sender_id, DeskConversation.agent_id, DeskConversation.channel)
                .where(DeskConversation.state == CLAIMED)) if r.agent_id not in online]
            expired = list(session.execute(select(DeskConversation.sender_id, DeskConversation.channel).where(
                DeskConversation.state == QUEUED, DeskConversation.queued_at < claim_deadline)))
        for sender_id, agent_id, channel in orphaned:
            with self.sessions.begin() as session:
                done = session.execute(
                    update(DeskConversation)
                    .where(DeskConversation.sender_id == sender_id, DeskConversation.state == CLAIMED,
                           DeskConversation.agent_id == agent_id)
                    .values(state=QUEUED, agent_id=None, agent_name=None, queued_at=now, updated_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if done:
                    self._append(session, sender_id, "system", "state", REQUEUED_TEXT, {"state": QUEUED})
            if done:
                moved += 1
                logger.info("sender %s back in the queue: agent %s went offline", redact(sender_id), agent_id)
                self._tell(sender_id, channel, REQUEUED_TEXT)
        for sender_id, channel in expired:
            with self.sessions.begin() as session:
                returned = self._return_to_bot(session, sender_id, now, "returned", RETURNED_TEXT,
                                               DeskConversation.state == QUEUED, DeskConversation.queued_at < claim_deadline)
            if returned:
                moved += 1
                logger.info("sender %s back to the bot: no agent claimed it", redact(sender_id))
                self._tell(sender_id, channel, RETURNED_TEXT)
        return moved

    def _tell(self, sender_id: str, channel: str, text: str) -> None:
        if channel != "wechat" or self.tell_wechat is None:
            return
        try:
            self.tell_wechat(sender_id, text)
        except Exception as error:  # the move stands; the citizen may be past WeChat's 48-hour window
            logger.info("wechat notice to %s not delivered (%s)", redact(sender_id), type(error).__name__)

    # ------------------------------------------------------------------ helpers

    def _return_to_bot(self, session: Session, sender_id: str, now: datetime, outcome: str, text: str,
                       *conditions: Any) -> bool:
        row = session.get(DeskConversation, sender_id)
        episode_id = row.episode_id if row is not None else None
        done = session.execute(
            update(DeskConversation).where(DeskConversation.sender_id == sender_id, *conditions)
            .values(state=BOT, agent_id=None, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            return False
        self._append(session, sender_id, "system", "state", text, {"state": BOT, "outcome": outcome})
        if episode_id is not None:
            session.execute(update(Episode).where(Episode.id == episode_id, Episode.ended_at.is_(None))
                            .values(ended_at=now, outcome=outcome).execution_options(synchronize_session=False))
        return True

    def _next_seq(self, session: Session, sender_id: str, *conditions: Any) -> Optional[int]:
        """The conversation's next message number, taken under the row's write lock; None when
        ``conditions`` do not hold (nothing changed)."""
        return session.execute(
            update(DeskConversation).where(DeskConversation.sender_id == sender_id, *conditions)
            .values(last_seq=DeskConversation.last_seq + 1, updated_at=self.clock())
            .returning(DeskConversation.last_seq)
            .execution_options(synchronize_session=False)
        ).scalar()

    def _append(self, session: Session, sender_id: str, author: str, kind: str, text: Optional[str],
                payload: Optional[dict[str, Any]] = None) -> int:
        seq = self._next_seq(session, sender_id)
        assert seq is not None
        session.add(DeskMessage(sender_id=sender_id, seq=seq, author=author, kind=kind, text=text, payload=payload,
                                created_at=self.clock()))
        _stored(session, sender_id)
        return seq

    def _committed(self, session: Session) -> None:
        stored = session.info.pop(STORED, None)
        if not stored or self.notify is None:
            return
        for sender_id in stored:
            try:
                self.notify(sender_id)
            except Exception:  # the message is stored; the streams' poll delivers it
                logger.exception("could not notify the event streams of sender %s", redact(sender_id))


# session.info key: the senders whose messages this transaction stored.
STORED = "desk_stored"


def _stored(session: Session, sender_id: str) -> None:
    session.info.setdefault(STORED, set()).add(sender_id)


def _forget_stored(session: Session, _transaction: Any) -> None:
    session.info.pop(STORED, None)
