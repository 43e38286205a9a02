"""Tables of the service desk: live takeover (queue, ownership, messages), agents online, callback
requests, handoff episodes and ratings.

They live in the log database (``settings.effective_log_database_url``) beside the exchange log and
are created the same way (``create_all`` at start): they are the record of conversations, not
catalog data, and a catalog reload never touches them. Every worker reads and writes them, so the
queue and who owns a conversation are shared by all app workers (SQLite file by default,
PostgreSQL in production).

Texts kept here are redacted (api/redact.py) except ``callback_requests.phone``: the number the
citizen left so that an agent can call back. Ratings and episodes keep no sender id, only a hash.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class DeskBase(DeclarativeBase):
    metadata = MetaData(
        naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s",
                           "uq": "uq_%(table_name)s_%(column_0_name)s"},
    )


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def conversation_hash(sender_id: str) -> str:
    """What ratings and episodes keep instead of the sender id (a WeChat OpenID identifies a person)."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


# Conversation states: the bot answers (bot), waiting for an agent (queued), an agent answers (claimed).
BOT, QUEUED, CLAIMED = "bot", "queued", "claimed"


class DeskConversation(DeskBase):
    """One row per sender that was ever handed off (or rated on WeChat)."""

    __tablename__ = "desk_conversations"

    sender_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=BOT, index=True)
    reason: Mapped[Optional[str]] = mapped_column(String(64))
    agent_id: Mapped[Optional[str]] = mapped_column(String(64))
    agent_name: Mapped[Optional[str]] = mapped_column(String(32))
    queued_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    episode_id: Mapped[Optional[int]] = mapped_column(Integer)
    # The last message's number: messages are numbered 1, 2, 3… per conversation (SSE event ids).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The number of the current handoff's first message (its "queued" notice): the widget shows from there.
    started_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The citizen's question that led to the handoff (redacted), shown first in the queue.
    question: Mapped[Optional[str]] = mapped_column(Text)
    # WeChat: the guide answered last (item, place), for a rating reply right after it.
    last_answer: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class DeskMessage(DeskBase):
    __tablename__ = "desk_messages"
    __table_args__ = (UniqueConstraint("sender_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    author: Mapped[str] = mapped_column(String(16))  # citizen | agent | system
    kind: Mapped[str] = mapped_column(String(16))  # text | guide | state
    text: Mapped[Optional[str]] = mapped_column(Text)
    payload: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    agent_name: Mapped[Optional[str]] = mapped_column(String(32))


class AgentPresence(DeskBase):
    """An open console: its heartbeat says the agent is online."""

    __tablename__ = "desk_agents"

    agent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)


class Episode(DeskBase):
    """One handoff, from the moment the bot (or the citizen, or an agent) gave up the conversation
    to the moment it went back: the curator report counts and times these."""

    __tablename__ = "desk_episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation: Mapped[str] = mapped_column(String(16), index=True)  # conversation_hash
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
    items_offered: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{code, name}]
    # queued (waiting), claimed, unavailable (no agent / outside hours), returned (no one claimed),
    # released (an agent finished)
    outcome: Mapped[str] = mapped_column(String(16), default="queued")
    agent_name: Mapped[Optional[str]] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    first_reply_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class CallbackRequest(DeskBase):
    __tablename__ = "desk_callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    sender_id: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(32))  # clear: an agent calls it back
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    done_by: Mapped[Optional[str]] = mapped_column(String(32))


class Rating(DeskBase):
    __tablename__ = "desk_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    conversation: Mapped[str] = mapped_column(String(16), index=True)  # conversation_hash
    channel: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16))  # guide | agent
    satisfied: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[Optional[str]] = mapped_column(String(16))  # materials | location | misunderstood | other
    item_code: Mapped[Optional[str]] = mapped_column(String(64))
    item_name: Mapped[Optional[str]] = mapped_column(String(200))
    place: Mapped[Optional[str]] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text, default="")  # redacted
