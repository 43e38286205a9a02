"""Ratings (好差评) of guide cards and of agent-answered chats: 满意 / 不满意 with a reason.

Stored with the conversation's hash, the item and the place; the question is redacted and no
sender id is kept (api/desk_models.py). WeChat rates by replying right after a guide: 「1」 or
「满意」, 「2」 or 「不满意」, optionally with the reason in the same or the next message.
"""
from __future__ import annotations

import re
from typing import Optional

from sqlalchemy.orm import sessionmaker

from api.desk_models import Rating, conversation_hash, utc_now
from api.redact import redact

REASONS = {"materials": "材料不对", "location": "地点不对", "misunderstood": "没听懂", "other": "其他"}
SUBJECTS = ("guide", "agent")

WECHAT_PROMPT = "这条答复对您有帮助吗？回复「1」满意，「2」不满意。"
WECHAT_AGENT_PROMPT = "对人工客服的服务满意吗？回复「1」满意，「2」不满意。"
WECHAT_ASK_REASON = "抱歉没能帮到您。请回复不满意的原因：1 材料不对，2 地点不对，3 没听懂，4 其他。"
THANKS = "感谢您的评价！"
THANKS_REASON = "感谢您的反馈，我们会据此改进答复。"

_SATISFIED = re.compile(r"^(?:1|满意|很满意|非常满意|好评)[。!！]?$")
_DISSATISFIED = re.compile(r"^(?:2|不满意|差评|很不满意|非常不满意)[，,。:：\s]*(.*)$")
_REASON_WORDS = {"材料": "materials", "地点": "location", "地址": "location", "没听懂": "misunderstood",
                 "听不懂": "misunderstood", "答非所问": "misunderstood", "其他": "other", "其它": "other"}
_REASON_NUMBERS = {"1": "materials", "2": "location", "3": "misunderstood", "4": "other"}


def parse_rating_reply(text: str) -> Optional[tuple[bool, Optional[str]]]:
    """(satisfied, reason) when a WeChat reply right after an answer is a rating, else None."""
    text = text.strip()
    if _SATISFIED.fullmatch(text):
        return True, None
    match = _DISSATISFIED.fullmatch(text)
    if match:
        return False, reason_in(match.group(1)) if match.group(1) else None
    return None


def reason_in(text: str) -> Optional[str]:
    """A reason named in a reply (「地点不对」, 「3」); None when none is."""
    text = text.strip()
    if text in _REASON_NUMBERS:
        return _REASON_NUMBERS[text]
    for word, reason in _REASON_WORDS.items():
        if word in text:
            return reason
    return None


def record_rating(
    sessions: sessionmaker,
    sender_id: str,
    channel: str,
    subject: str,
    satisfied: bool,
    reason: Optional[str] = None,
    item_code: Optional[str] = None,
    item_name: Optional[str] = None,
    place: Optional[str] = None,
    question: str = "",
) -> int:
    if subject not in SUBJECTS:
        raise ValueError(f"unknown rating subject {subject!r}")
    if reason is not None and reason not in REASONS:
        raise ValueError(f"unknown rating reason {reason!r}")
    with sessions.begin() as session:
        rating = Rating(
            conversation=conversation_hash(sender_id), channel=channel, subject=subject, satisfied=satisfied,
            reason=None if satisfied else (reason or None), item_code=item_code, item_name=redact(item_name)[:200] or None,
            place=redact(place)[:100] or None, question=redact(question)[:500], created_at=utc_now(),
        )
        session.add(rating)
        session.flush()
        return rating.id


def set_reason(sessions: sessionmaker, rating_id: int, reason: str) -> bool:
    with sessions.begin() as session:
        rating = session.get(Rating, rating_id)
        if rating is None or rating.satisfied:
            return False
        rating.reason = reason
        return True
