"""Tailored answers shared by link: the guide payload a citizen was given, kept behind a short
random id until the county's retention ends (the link and QR of *that* answer, not of the item).

The payload holds catalog facts only (item or bundle, service point, materials with the conditions
applied, the official guide's link); the caller passes nothing of the conversation. Functions take
a Session and never commit: the caller owns the transaction.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional, Sequence, cast

from sqlalchemy import CursorResult, delete, insert
from sqlalchemy.orm import Session

from catalog.models import SharedAnswer

# 9 random bytes: 12 URL-safe characters, 72 bits — short enough for an SMS, too many to guess.
ID_BYTES = 9
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{12}$")
# The payload keys a shared answer keeps (docs/DESIGN.md §6 and catalog.guide's extras); nothing else.
KEPT_KEYS = ("type", "code", "name", "bundle", "items", "materials", "location", "time_limit", "fee", "trips",
             "online", "process", "guide_url", "sample_notice", "source", "official", "missing", "ask_phone", "pending")


def utc_now() -> datetime:
    """Naive UTC, as the table stores it (SQLite keeps no time zone)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def is_share_id(value: str) -> bool:
    return bool(ID_PATTERN.fullmatch(value))


def new_share_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def save_answer(session: Session, payload: Mapping[str, Any], retention_days: int,
                now: Optional[datetime] = None) -> SharedAnswer:
    """Store ``payload`` (a guide payload) under a new id; expired answers are dropped on the way."""
    now = now or utc_now()
    purge_expired(session, now)
    return store_answer(session, new_share_id(), payload, retention_days, now)


def store_answer(session: Session, share_id: str, payload: Mapping[str, Any], retention_days: int,
                 now: Optional[datetime] = None) -> SharedAnswer:
    """Store ``payload`` (a guide payload, only its KEPT_KEYS) under ``share_id``."""
    answer = SharedAnswer(**_answer_row(share_id, payload, retention_days, now or utc_now()))
    session.add(answer)
    session.flush()
    return answer


def store_answers(session: Session, answers: Sequence[tuple[str, Mapping[str, Any], datetime]],
                  retention_days: int) -> None:
    """Store several (share id, guide payload, created) at once: one INSERT of many rows, no ORM
    objects (the writer thread's batches; only each payload's KEPT_KEYS)."""
    if answers:
        session.execute(insert(SharedAnswer), [_answer_row(share_id, payload, retention_days, created)
                                               for share_id, payload, created in answers])


def _answer_row(share_id: str, payload: Mapping[str, Any], retention_days: int, created: datetime) -> dict[str, Any]:
    """One shared answer's columns: only the payload's KEPT_KEYS, kept ``retention_days`` from ``created``."""
    return {"id": share_id, "payload": {key: payload[key] for key in KEPT_KEYS if key in payload},
            "created_at": created, "expires_at": created + timedelta(days=retention_days)}


def load_answer(session: Session, share_id: str, now: Optional[datetime] = None) -> Optional[SharedAnswer]:
    """The answer, or None for an id that is malformed, unknown or past its retention."""
    if not is_share_id(share_id):
        return None
    answer = session.get(SharedAnswer, share_id)
    if answer is None or answer.expires_at <= (now or utc_now()):
        return None
    return answer


def purge_expired(session: Session, now: Optional[datetime] = None) -> int:
    # A DELETE's result is a cursor's, which counts the rows it removed.
    result = cast(CursorResult[Any], session.execute(delete(SharedAnswer).where(SharedAnswer.expires_at <= (now or utc_now()))))
    return result.rowcount or 0
