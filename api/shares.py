"""The gateway's side of shared answers (catalog/shares.py): each guide in a reply is stored as the
citizen sees it, and gets its own short link and QR (``/guide/t/<id>``), so what is scanned at the
hall is the list that was given, not the item's general page."""
from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from api.schemas import ChatResponse, GuidePayload
from catalog.shares import save_answer

logger = logging.getLogger(__name__)


def share_path(share_id: str) -> str:
    return f"/guide/t/{share_id}"


class AnswerShares:
    def __init__(self, sessions: sessionmaker[Session], public_base_url: str, retention_days: int) -> None:
        self.sessions = sessions
        self.public_base = public_base_url.rstrip("/")
        self.retention_days = retention_days

    @staticmethod
    def has_guides(response: ChatResponse) -> bool:
        return any(isinstance(m.custom, GuidePayload) for m in response.messages)

    def attach(self, response: ChatResponse) -> None:
        """Give every guide payload of ``response`` its ``share_url`` and a ``qr_url`` encoding it.
        Blocking (one short transaction): the gateway runs it in a worker thread. A failure costs the
        reply only its share link: the item's own link and QR stay."""
        guides = [m.custom for m in response.messages if isinstance(m.custom, GuidePayload)]
        if not guides:
            return
        try:
            with self.sessions() as session, session.begin():
                ids = [save_answer(session, guide.model_dump(mode="json"), self.retention_days).id for guide in guides]
        except Exception as exc:  # the answer itself must still reach the citizen
            logger.warning("shared answer not stored (%s); the reply keeps the item's own link", type(exc).__name__)
            return
        for guide, share_id in zip(guides, ids):
            guide.share_url = f"{self.public_base}{share_path(share_id)}"
            guide.qr_url = f"{guide.share_url}/qr.svg"
