"""The resources of one app (engines, HTTP client, action executor, limiters, the desk), built lazily
and closed on shutdown. Routes reach them through the dependencies of api/deps.py."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

import httpx
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.action_outcomes import ActionOutcomes
from api.action_pool import ActionPool
from api.action_server import build_action_executor
from api.exchange_log import ExchangeLog
from api.gateway import ChatGateway
from api.rasa_client import RasaClient
from api.ratelimit import RateLimiter, make_rate_limiter
from api.settings import Settings
from api.shares import AnswerShares

if TYPE_CHECKING:
    from api.desk_hooks import DeskHooks
    from api.desk_notify import DeskNotifier
    from api.takeover import Desk


class AppResources:
    """Engines, HTTP client and action executor of one app; nothing is built before first use."""

    def __init__(
        self,
        settings: Settings,
        rasa_transport: Optional[httpx.AsyncBaseTransport] = None,
        action_package: Optional[str] = "actions",
    ) -> None:
        self.settings = settings
        self._rasa_transport = rasa_transport
        self._action_package = action_package
        self._catalog_engine: Optional[Engine] = None
        self._catalog_sessions: Optional[sessionmaker[Session]] = None
        self._exchange_log: Optional[ExchangeLog] = None
        self._rasa: Optional[RasaClient] = None
        self._executor: Optional[ActionExecutor] = None
        self._action_pool: Optional[ActionPool] = None
        self._rate_limiter: Optional[RateLimiter] = None
        self._client_rate_limiter: Optional[RateLimiter] = None
        self._shares: Optional[AnswerShares] = None
        self._desk: Optional["Desk"] = None
        self._desk_notifier: Optional["DeskNotifier"] = None
        self._wechat_sender: Any = None
        self._wechat_sender_built = False
        self.action_load_error: Optional[str] = None
        self.action_outcomes = ActionOutcomes(settings.redis_url)
        # Sync dependencies run in worker threads: build each resource once.
        self._lock = threading.RLock()

    @property
    def catalog_engine(self) -> Engine:
        with self._lock:
            if self._catalog_engine is None:
                from catalog.db import make_engine

                self._catalog_engine = make_engine(self.settings.database_url, **_pool_options(self.settings.database_url))
            return self._catalog_engine

    @property
    def catalog_sessions(self) -> sessionmaker[Session]:
        with self._lock:
            if self._catalog_sessions is None:
                from catalog.db import make_sessionmaker

                self._catalog_sessions = make_sessionmaker(self.catalog_engine)
            return self._catalog_sessions

    @property
    def exchange_log(self) -> ExchangeLog:
        with self._lock:
            if self._exchange_log is None:
                log_url = self.settings.effective_log_database_url
                if log_url == self.settings.database_url:
                    engine = self.catalog_engine  # one pool, one SQLite file lock
                else:
                    from catalog.db import make_engine

                    engine = make_engine(log_url, **_pool_options(log_url))
                self._exchange_log = ExchangeLog(engine)
                self._exchange_log.create_table()
            return self._exchange_log

    @property
    def rasa(self) -> RasaClient:
        with self._lock:
            if self._rasa is None:
                self._rasa = RasaClient(
                    self.settings.rasa_url,
                    self.settings.rasa_timeout_seconds,
                    transport=self._rasa_transport,
                    max_connections=self.settings.rasa_max_connections,
                    api_token=self.settings.rasa_token,
                )
            return self._rasa

    @property
    def executor(self) -> ActionExecutor:
        with self._lock:
            if self._executor is None:
                self._executor, self.action_load_error = build_action_executor(
                    self._action_package, self.action_outcomes, lambda: self.catalog_sessions)
            return self._executor

    @property
    def action_pool(self) -> ActionPool:
        with self._lock:
            if self._action_pool is None:
                self._action_pool = ActionPool(self.settings.action_workers)
            return self._action_pool

    @property
    def rate_limiter(self) -> RateLimiter:
        with self._lock:
            if self._rate_limiter is None:
                self._rate_limiter = make_rate_limiter(self.settings.rate_limit_per_minute, self.settings.redis_url)
            return self._rate_limiter

    @property
    def client_rate_limiter(self) -> RateLimiter:
        with self._lock:
            if self._client_rate_limiter is None:
                self._client_rate_limiter = make_rate_limiter(
                    self.settings.rate_limit_per_client_per_minute, self.settings.redis_url,
                    prefix="wyc:ratelimit:client:",
                )
            return self._client_rate_limiter

    @property
    def desk(self) -> "Desk":
        """The service desk's tables live beside the exchange log (api/desk_models.py)."""
        with self._lock:
            if self._desk is None:
                from api.takeover import Desk, WorkingHours

                settings = self.settings
                hours = WorkingHours.parse(settings.takeover_hours, settings.takeover_days, settings.takeover_timezone)
                self._desk = Desk(self.exchange_log.engine, hours, settings.takeover_heartbeat_seconds,
                                  settings.takeover_claim_timeout_seconds, tell_wechat=self._tell_wechat,
                                  notify=self.desk_notifier.stored)
                self._desk.create_tables()
            return self._desk

    @property
    def desk_notifier(self) -> "DeskNotifier":
        """Wakes the takeover event streams of every worker (through Redis when configured)."""
        with self._lock:
            if self._desk_notifier is None:
                from api.desk_notify import DeskNotifier

                self._desk_notifier = DeskNotifier(self.settings.redis_url)
            return self._desk_notifier

    def _tell_wechat(self, sender_id: str, text: str) -> None:
        sender = self.wechat_sender
        if sender is not None:
            sender.send_text(sender_id.removeprefix("wx:"), text)

    def desk_hooks(self) -> "DeskHooks":
        from api.desk_hooks import DeskHooks

        return DeskHooks(self.desk, wechat=self.wechat_sender)

    @property
    def wechat_sender(self) -> Any:
        """The 客服消息 client agents answer WeChat citizens with; None when WECHAT_APP_ID/SECRET are unset
        (then WeChat handoffs are not queued for agents)."""
        with self._lock:
            if not self._wechat_sender_built:
                from api.wechat.customer_service import customer_service_from_settings

                settings = self.settings
                self._wechat_sender = (customer_service_from_settings(settings)
                                       if settings.wechat_app_id and settings.wechat_app_secret else None)
                self._wechat_sender_built = True
            return self._wechat_sender

    @property
    def shares(self) -> AnswerShares:
        with self._lock:
            if self._shares is None:
                self._shares = AnswerShares(self.catalog_sessions, self.settings.public_base_url,
                                            self.settings.share_retention_days)
            return self._shares

    def gateway(self) -> ChatGateway:
        return ChatGateway(self.settings, self.rasa, self.exchange_log, self.rate_limiter, self.client_rate_limiter,
                           desk=self.desk_hooks(), shares=self.shares)

    async def aclose(self) -> None:
        if self._exchange_log is not None:
            await run_in_threadpool(self._exchange_log.close)  # stores the turns still queued
        if self._shares is not None:
            await run_in_threadpool(self._shares.close)  # stores the shared answers still queued
        if self._rasa is not None:
            await self._rasa.aclose()
        for limiter in (self._rate_limiter, self._client_rate_limiter):
            if limiter is not None:
                await limiter.aclose()
        await self.action_outcomes.aclose()
        if self._desk_notifier is not None:
            self._desk_notifier.close()
        if self._action_pool is not None:
            self._action_pool.shutdown()
        engines = {id(e): e for e in (self._catalog_engine, self._exchange_log and self._exchange_log.engine) if e}
        for engine in engines.values():
            engine.dispose()


def _pool_options(url: str) -> dict:
    """Server databases: test pooled connections before use, so the app recovers by itself
    after the database restarts or was unreachable (no app restart)."""
    from sqlalchemy.engine import make_url

    return {} if make_url(url).get_backend_name() == "sqlite" else {"pool_pre_ping": True}
