"""Exchange-log retention: turns older than `exchange_retention_days` are purged — at app start
and by `python -m api.exchange_log purge` — on SQLite and on the production PostgreSQL."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.exchange_log import Exchange, ExchangeLog, ExchangeRecord
from catalog.db import make_engine
from tests.processes import reachable

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def postgres_url():
    if not reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    sys.path.insert(0, str(ROOT))
    from deploy.database import drop_database, ensure_database

    name = f"wyc_{secrets.token_hex(4)}_log"
    ensure_database(name)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        drop_database(name)


def _fill(log: ExchangeLog, ages_in_days: list[int]) -> None:
    """One turn per age, then backdate each row to NOW minus its age."""
    ids = [log.record(ExchangeRecord(sender_id=f"s{age}", channel="web", user_text=f"第{age}天")) for age in ages_in_days]
    with Session(log.engine) as session, session.begin():
        for row_id, age in zip(ids, ages_in_days):
            session.execute(update(Exchange).where(Exchange.id == row_id).values(created_at=NOW - timedelta(days=age)))


def _remaining_senders(log: ExchangeLog) -> list[str]:
    with Session(log.engine) as session:
        return sorted(session.scalars(select(Exchange.sender_id)))


def _check_purge(url: str) -> None:
    engine = make_engine(url)
    try:
        log = ExchangeLog(engine)
        log.create_table()
        _fill(log, [1, 29, 31, 400])
        assert log.purge_older_than(30, now=NOW) == 2
        assert _remaining_senders(log) == ["s1", "s29"]
        assert log.purge_older_than(0, now=NOW) == 0  # 0 = keep everything
        assert _remaining_senders(log) == ["s1", "s29"]
    finally:
        engine.dispose()


def test_purge_on_sqlite(tmp_path):
    _check_purge(f"sqlite:///{tmp_path / 'log.db'}")


@pytest.mark.postgres
def test_purge_on_postgresql(postgres_url):
    _check_purge(postgres_url)


@pytest.mark.postgres
def test_purge_command_applies_the_retention_setting(postgres_url):
    engine = make_engine(postgres_url)
    try:
        log = ExchangeLog(engine)
        log.create_table()
        now = datetime.now(timezone.utc)
        ids = [log.record(ExchangeRecord(sender_id=f"s{age}", channel="web", user_text="问")) for age in (2, 10)]
        with Session(engine) as session, session.begin():
            for row_id, age in zip(ids, (2, 10)):
                session.execute(update(Exchange).where(Exchange.id == row_id).values(created_at=now - timedelta(days=age)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("WYC_")}
        env.update(WYC_DATABASE_URL=postgres_url, WYC_EXCHANGE_RETENTION_DAYS="7", PYTHONPATH=str(ROOT))
        result = subprocess.run([sys.executable, "-m", "api.exchange_log", "purge"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "purged 1 turn(s) older than 7 day(s)" in result.stderr
        assert _remaining_senders(log) == ["s2"]
    finally:
        engine.dispose()


def test_app_start_purges_old_turns(make_client_for_retention):
    _client, log = make_client_for_retention
    with Session(log.engine) as session:
        assert session.scalar(select(func.count()).select_from(Exchange)) == 1


@pytest.fixture
def make_client_for_retention(tmp_path):
    """An app whose log holds one fresh and one 200-day-old turn before it starts (retention 180)."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings
    from catalog.seed import load_default_catalog

    catalog_url, log_url = f"sqlite:///{tmp_path / 'catalog.db'}", f"sqlite:///{tmp_path / 'log.db'}"
    engine = make_engine(log_url)
    log = ExchangeLog(engine)
    log.create_table()
    now = datetime.now(timezone.utc)
    ids = [log.record(ExchangeRecord(sender_id=f"s{age}", channel="web", user_text="问")) for age in (1, 200)]
    with Session(engine) as session, session.begin():
        for row_id, age in zip(ids, (1, 200)):
            session.execute(update(Exchange).where(Exchange.id == row_id).values(created_at=now - timedelta(days=age)))
    catalog_engine = make_engine(catalog_url)
    load_default_catalog(catalog_engine)
    catalog_engine.dispose()
    settings = Settings(_env_file=None, environment="test", database_url=catalog_url, log_database_url=log_url,
                        exchange_retention_days=180, agent_token=None)
    with TestClient(create_app(settings, action_package=None)):
        yield None, log
    engine.dispose()
