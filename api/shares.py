"""The gateway's side of shared answers (catalog/shares.py): each guide in a reply is stored as the
citizen sees it, and gets its own short link and QR (``/guide/t/<id>``), so what is scanned at the
hall is the list that was given, not the item's general page.

The id is drawn at once and the reply carries its link; the row is written by one writer thread
(several answers to a transaction, expired answers purged every PURGE_EVERY seconds), so a turn
costs the citizen no database write. A page asked for an id still queued waits for the writer
(``flush``) before it says the link is unknown.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.batch_writer import BatchWriter
from api.schemas import ChatResponse, GuidePayload
from catalog.shares import KEPT_KEYS, new_share_id, purge_expired, store_answers, utc_now

logger = logging.getLogger(__name__)

QUEUE_LIMIT = 10_000      # answers waiting for the writer; past it a reply keeps the item's own link
BATCH = 100               # answers written in one transaction at most
PURGE_EVERY = 600.0       # seconds between two purges of expired answers
_KEPT = set(KEPT_KEYS)    # what of a guide payload is stored (dumped so, on the chat path)


def share_path(share_id: str) -> str:
    return f"/guide/t/{share_id}"


class AnswerShares:
    def __init__(self, sessions: sessionmaker[Session], public_base_url: str, retention_days: int) -> None:
        self.sessions = sessions
        self.public_base = public_base_url.rstrip("/")
        self.retention_days = retention_days
        self._writer = BatchWriter("shared-answers", self._store, QUEUE_LIMIT, BATCH)
        self._last_purge = float("-inf")

    @staticmethod
    def has_guides(response: ChatResponse) -> bool:
        return any(isinstance(m.custom, GuidePayload) for m in response.messages)

    def attach(self, response: ChatResponse) -> None:
        """Give every guide payload of ``response`` its ``share_url`` and a ``qr_url`` encoding it, and
        queue the answer for the writer. Returns at once. A full queue costs the reply only its share
        link: the item's own link and QR stay."""
        now = utc_now()
        for guide in (m.custom for m in response.messages if isinstance(m.custom, GuidePayload)):
            share_id = new_share_id()
            if not self._writer.put((share_id, guide.model_dump(mode="json", include=_KEPT), now)):
                logger.error("shared answers queue full (%d answers): a reply keeps the item's own link", QUEUE_LIMIT)
                continue
            guide.share_url = f"{self.public_base}{share_path(share_id)}"
            guide.qr_url = f"{guide.share_url}/qr.svg"

    def flush(self) -> None:
        """Wait until every queued answer is stored (or failed and logged)."""
        self._writer.flush()

    def close(self) -> None:
        """Store what is queued and stop the writer (app shutdown)."""
        self._writer.close()

    def _store(self, batch: list[tuple[str, dict[str, Any], Any]]) -> None:
        with self.sessions() as session, session.begin():
            if time.monotonic() - self._last_purge >= PURGE_EVERY:
                purge_expired(session)
                self._last_purge = time.monotonic()
            store_answers(session, batch, self.retention_days)
