"""The exchange log: every chat turn (also the failed ones), so an agent can follow up.

Lives in the log database (``settings.effective_log_database_url``), separate from the
catalog's metadata so a catalog reload never touches it. Texts are stored redacted.

The chat path does not wait for the database: ``record_later`` puts the turn on a queue that one
writer thread stores in batches (one multi-row INSERT per batch, at most ``BATCH_SECONDS`` after
the turn). Redaction happens there too. ``recent`` and ``flush`` wait for the queue first, so an
agent reading the log sees every turn answered before. A turn still queued when the process is
killed (SIGKILL) is lost; a normal shutdown stores it (``close``).
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from api.batch_writer import BatchWriter
from api.redact import redact_with_flag

logger = logging.getLogger(__name__)

BATCH_SECONDS = 0.2  # the writer waits this long for more turns before it stores a batch
BATCH_SIZE = 200
QUEUE_LIMIT = 10_000  # turns waiting for a slow or unreachable database; beyond this they are dropped


class LogBase(DeclarativeBase):
    metadata = MetaData(
        naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s"},
    )


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Exchange(LogBase):
    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utc_now, index=True)
    sender_id: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_text: Mapped[str] = mapped_column(Text)
    bot_texts: Mapped[list[str]] = mapped_column(JSON, default=list)
    payload_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(32), index=True)  # ok | assistant_unavailable
    error: Mapped[Optional[str]] = mapped_column(String(300))
    latency_ms: Mapped[Optional[int]] = mapped_column(Integer)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)  # an ID/mobile number was hidden


@dataclass
class ExchangeRecord:
    """One turn as the gateway saw it, before redaction."""

    sender_id: str
    channel: str
    user_text: str
    bot_texts: list[str] = field(default_factory=list)
    payload_types: list[str] = field(default_factory=list)
    status: str = "ok"
    error: Optional[str] = None
    latency_ms: Optional[int] = None
    answered_at: datetime = field(default_factory=_utc_now)


class ExchangeLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = BatchWriter("exchange-log", self._store, QUEUE_LIMIT, BATCH_SIZE, BATCH_SECONDS)
        self.dropped = 0  # turns not queued because the queue was full

    def create_table(self) -> None:
        LogBase.metadata.create_all(self.engine)

    def record(self, record: ExchangeRecord) -> Optional[int]:
        """Store one turn (redacted) now; its row id. A broken log database must not break the
        chat: log and go on."""
        row = _to_row(record)
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return row.id
        except SQLAlchemyError:
            logger.exception("could not record the exchange of sender %s", row.sender_id)
            return None

    def record_later(self, record: ExchangeRecord) -> None:
        """Queue one turn for the writer thread; returns at once (the chat path uses this)."""
        if not self._writer.put(record):
            self.dropped += 1
            logger.error("exchange log queue full (%d turns): a turn was not recorded", QUEUE_LIMIT)

    def flush(self) -> None:
        """Wait until every queued turn is stored (or failed and logged)."""
        self._writer.flush()

    def close(self) -> None:
        """Store what is queued and stop the writer (app shutdown)."""
        self._writer.close()

    def _store(self, batch: list[ExchangeRecord]) -> None:
        try:
            rows = [_to_values(record) for record in batch]
            with self.engine.begin() as connection:
                connection.execute(insert(Exchange), rows)
        except Exception:  # the writer must outlive any one bad batch
            logger.exception("could not record %d exchange(s)", len(batch))

    def purge_older_than(self, days: int, now: Optional[datetime] = None) -> int:
        """Delete turns older than ``days`` (retention); returns how many. ``days <= 0`` keeps all."""
        if days <= 0:
            return 0
        cutoff = (now or _utc_now()) - timedelta(days=days)
        with self._sessions.begin() as session:
            result = session.execute(delete(Exchange).where(Exchange.created_at < cutoff))
        removed = result.rowcount or 0
        logger.info("exchange log: purged %d turn(s) older than %d day(s)", removed, days)
        return removed

    def recent(self, limit: int = 50, sender_id: Optional[str] = None, status: Optional[str] = None) -> list[Exchange]:
        """Newest first; for the agent console (follow up on failed turns with ``status``).
        Waits for the turns still queued."""
        self.flush()
        query = select(Exchange).order_by(Exchange.id.desc()).limit(limit)
        if sender_id is not None:
            query = query.where(Exchange.sender_id == redact_with_flag(sender_id).text)
        if status is not None:
            query = query.where(Exchange.status == status)
        with Session(self.engine) as session:
            return list(session.scalars(query))


def _to_row(record: ExchangeRecord) -> Exchange:
    return Exchange(**_to_values(record))


def _to_values(record: ExchangeRecord) -> dict:
    """The row's column values: texts redacted, the time the turn was answered."""
    sender = redact_with_flag(record.sender_id)
    user = redact_with_flag(record.user_text)
    bots = [redact_with_flag(text) for text in record.bot_texts]
    return dict(
        created_at=record.answered_at,
        sender_id=sender.text,
        channel=record.channel,
        user_text=user.text,
        bot_texts=[bot.text for bot in bots],
        payload_types=list(record.payload_types),
        status=record.status,
        error=(record.error or None) and record.error[:300],
        latency_ms=record.latency_ms,
        redacted=sender.changed or user.changed or any(bot.changed for bot in bots),
    )


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m api.exchange_log purge [--days N]``: apply the retention (cron-friendly)."""
    import argparse

    from api.settings import get_settings
    from catalog.db import make_engine

    parser = argparse.ArgumentParser(prog="python -m api.exchange_log")
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="delete turns older than the retention (WYC_EXCHANGE_RETENTION_DAYS)")
    purge.add_argument("--days", type=int, default=None, help="override the retention in days")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    engine = make_engine(settings.effective_log_database_url)
    try:
        log = ExchangeLog(engine)
        log.create_table()
        days = settings.exchange_retention_days if args.days is None else args.days
        log.purge_older_than(days)
        from api.takeover import (  # the service desk's messages and call-backs (api/takeover.py)
            Desk,
            WorkingHours,
        )

        desk = Desk(engine, WorkingHours.parse("00:00-24:00", "1-7", "UTC"), 30, 300)
        desk.create_tables()
        desk.purge_older_than(days)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
