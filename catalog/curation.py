"""Curators' phrasings: a citizen's words a curator attached to an item, read by the resolver.

The report of what went unanswered (api/routes/curator.py) groups the citizens' questions; from a
group a curator attaches the phrasing to the item it asked for. The phrasing joins the phrasing
bank the resolver compares a message with (``catalog.ranking._build_resolver``), so the next
citizen who says it is answered with that item, without retraining or restarting:

- ``attach`` / ``undo`` write the row and bump ``VERSION_KEY`` in ``catalog_meta``; the caller
  commits, then builds the resolver's index again (``catalog.ranking.refresh_resolver``), which
  remembers the version it was built from;
- every other process polls the version (api/curation_watch.py) and builds its index again when
  it was built from another one.

Rows name the item by code and are never deleted (undo marks them), so a re-import of the official
list leaves them alone. Query functions take a Session and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from uuid import uuid4

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from catalog.models import Bundle, CatalogMeta, CuratorPhrasing, Item
from catalog.text import normalise

VERSION_KEY = "curator_phrasings_version"
MAX_PHRASE_CHARS = 200
MIN_PHRASE_CHARS = 2


class CurationError(Exception):
    """``status``: 404 for an unknown item or phrasing, 409 for a duplicate or an undone phrasing,
    422 for an unusable phrase."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class PhrasingView:
    id: int
    phrase: str
    item_code: str
    item_name: Optional[str]  # None: the item is not in the current list
    created_by: str
    created_at: str
    removed_by: Optional[str]
    removed_at: Optional[str]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def target_name(session: Session, code: str) -> Optional[str]:
    item = session.get(Item, code)
    if item is not None:
        return item.name
    bundle = session.get(Bundle, code)
    return bundle.name if bundle is not None else None


def attach(session: Session, phrase: str, item_code: str, curator: str) -> CuratorPhrasing:
    """Attach ``phrase`` (already redacted by the caller) to the item or bundle ``item_code``."""
    text = normalise(phrase)
    if not MIN_PHRASE_CHARS <= len(text) <= MAX_PHRASE_CHARS:
        raise CurationError(422, f"说法须为{MIN_PHRASE_CHARS}–{MAX_PHRASE_CHARS}个字。")
    if target_name(session, item_code) is None:
        raise CurationError(404, f"未找到事项：{item_code}")
    duplicate = session.scalar(select(CuratorPhrasing.id).where(
        CuratorPhrasing.phrase == text, CuratorPhrasing.item_code == item_code, CuratorPhrasing.removed_at.is_(None)))
    if duplicate is not None:
        raise CurationError(409, "这个说法已经关联到该事项。")
    row = CuratorPhrasing(phrase=text, item_code=item_code, created_by=curator[:32], created_at=_now())
    session.add(row)
    _bump_version(session)
    session.flush()
    return row


def undo(session: Session, phrasing_id: int, curator: str) -> CuratorPhrasing:
    row = session.get(CuratorPhrasing, phrasing_id)
    if row is None:
        raise CurationError(404, "未找到该说法。")
    if row.removed_at is not None:
        raise CurationError(409, "该说法已撤销。")
    row.removed_by, row.removed_at = curator[:32], _now()
    _bump_version(session)
    session.flush()
    return row


def listing(session: Session, include_removed: bool = True) -> list[PhrasingView]:
    query = select(CuratorPhrasing).order_by(CuratorPhrasing.id.desc())
    if not include_removed:
        query = query.where(CuratorPhrasing.removed_at.is_(None))
    return [PhrasingView(row.id, row.phrase, row.item_code, target_name(session, row.item_code), row.created_by,
                         row.created_at.isoformat(), row.removed_by,
                         row.removed_at.isoformat() if row.removed_at else None)
            for row in session.scalars(query)]


def resolver_phrasings(session: Session) -> tuple[tuple[str, str], ...]:
    """(target name, phrase) of every phrasing in force whose item is in the list: the resolver's
    phrasing bank takes them beside catalog/data/words/phrasings/. A catalog not yet migrated to
    the table has none."""
    if not inspect(session.get_bind()).has_table(CuratorPhrasing.__tablename__):
        return ()
    rows = session.execute(select(CuratorPhrasing.item_code, CuratorPhrasing.phrase)
                           .where(CuratorPhrasing.removed_at.is_(None)).order_by(CuratorPhrasing.id)).all()
    found = []
    for code, phrase in rows:
        name = target_name(session, code)
        if name is not None:
            found.append((name, phrase))
    return tuple(found)


def version(session: Session) -> Optional[str]:
    row = session.get(CatalogMeta, VERSION_KEY)
    return row.value if row is not None else None


def _bump_version(session: Session) -> None:
    session.merge(CatalogMeta(key=VERSION_KEY, value=uuid4().hex))
