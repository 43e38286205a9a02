"""Per-app resources (built lazily, closed on shutdown) and the FastAPI dependencies over them.

Routes use the named aliases (``SessionDep``, ``SettingsDep``, ...); tests swap any of them
with ``app.dependency_overrides``.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Annotated, Any, Iterator, Optional

import httpx
from fastapi import Depends, Request
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.action_pool import ActionPool
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

logger = logging.getLogger(__name__)


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
                self._executor = build_action_executor(self._action_package, self)
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


# A failed action is reported by /health until an action succeeds or this long has passed
# (a quiet night must not keep a fixed fault on the dashboard forever).
ACTION_FAILURE_MEMORY_SECONDS = 120.0

# With `redis_url` set, the failure is shared by every worker under this key prefix ("wyc:" like
# the rate limiter's and the WeChat channel's keys); read when an ActionOutcomes is built.
ACTION_OUTCOME_PREFIX = "wyc:health:"
# After a Redis error a worker keeps its outcomes to itself this long before trying Redis again:
# a Redis that hangs costs one timeout (0.5 s) and one warning per window, not one per action.
SHARED_OUTCOME_RETRY_SECONDS = 5.0


class ActionOutcomes:
    """Whether actions currently fail, for /health: the last failure and the last success of an action.

    Without ``redis_url`` (one worker) the record lives in this worker's memory, as it always has.
    With it (several workers behind a load balancer, the cluster), the failure is also shared:
    a failure is SET on Redis (``{prefix}actions-failing``: failure text and wall-clock time, expiring
    after ACTION_FAILURE_MEMORY_SECONDS) and each success DELetes it, so a failure on one worker is
    reported by every worker's /health and a success on any worker clears it.

    One DEL per successful action: another worker's failure is not known here without asking Redis,
    and a DEL of an absent key (the usual case) is a ~0.2 ms round trip on the local Redis that is
    neither written to the AOF nor replicated. A Redis error never fails the action: it is logged
    (error type only) and this worker falls back to its own record for SHARED_OUTCOME_RETRY_SECONDS.
    """

    def __init__(self, redis_url: Optional[str] = None, prefix: Optional[str] = None) -> None:
        self.last_failure: Optional[str] = None
        self.last_failure_at = 0.0
        self.last_success_at = 0.0
        self._key = (ACTION_OUTCOME_PREFIX if prefix is None else prefix) + "actions-failing"
        self._redis: Any = None
        self._redis_retry_at = 0.0
        if redis_url:
            import redis.asyncio as redis_asyncio

            # Short timeouts: on every action's path and in the /health probe.
            self._redis = redis_asyncio.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )

    @property
    def shared(self) -> bool:
        """True when the outcome is shared through Redis (``redis_url`` set)."""
        return self._redis is not None

    # --- this worker's record (all there is without Redis; the fallback with it) ---

    def succeeded(self) -> None:
        self.last_success_at = time.monotonic()

    def failed(self, action_name: Optional[str], exc: BaseException) -> None:
        self.last_failure, self.last_failure_at = f"{action_name} raised {type(exc).__name__}", time.monotonic()

    def failing(self) -> Optional[str]:
        """This worker's failure, while no action has succeeded here since it."""
        recent = time.monotonic() - self.last_failure_at < ACTION_FAILURE_MEMORY_SECONDS
        return self.last_failure if recent and self.last_failure_at > self.last_success_at else None

    # --- shared through Redis (call only when `shared`) ---

    async def share_failure(self) -> None:
        """SET the failure just recorded by ``failed`` for every worker (one round trip)."""
        if not self._redis_usable():
            return
        value = json.dumps({"failure": self.last_failure, "at": time.time()})
        try:
            await self._redis.set(self._key, value, px=max(1, int(ACTION_FAILURE_MEMORY_SECONDS * 1000)))
        except Exception as exc:  # whatever Redis does, the action's own outcome stands
            self._redis_failed("record a failure", exc)

    async def share_success(self) -> None:
        """DEL the shared failure (one round trip): a success on any worker clears it."""
        if not self._redis_usable():
            return
        try:
            await self._redis.delete(self._key)
        except Exception as exc:
            self._redis_failed("clear the failure", exc)

    async def current_failure(self) -> Optional[str]:
        """What /health reports: the shared failure when Redis is set and answers, else this worker's."""
        if not self._redis_usable():
            return self.failing()
        try:
            raw = await self._redis.get(self._key)
        except Exception as exc:
            self._redis_failed("read the failure", exc)
            return self.failing()
        if raw is None:
            return None
        try:
            return str(json.loads(raw)["failure"])
        except (ValueError, KeyError, TypeError):
            return "unreadable shared failure record"

    def _redis_usable(self) -> bool:
        return self._redis is not None and time.monotonic() >= self._redis_retry_at

    def _redis_failed(self, what: str, exc: BaseException) -> None:
        # Error type only: the URL holds the password, and the record names no sender.
        self._redis_retry_at = time.monotonic() + SHARED_OUTCOME_RETRY_SECONDS
        logger.warning(
            "action outcomes: redis failed to %s (%s); /health uses this worker's record for %.0f s",
            what, type(exc).__name__, SHARED_OUTCOME_RETRY_SECONDS,
        )

    async def aclose(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


class TrackedActionExecutor(ActionExecutor):
    """rasa_sdk's executor that remembers whether actions currently fail (a rejection is no failure).

    ``run`` runs and records in one call. The action webhook runs ``run_untracked`` in a worker
    thread (api/action_pool.py) and records with ``record_success`` / ``record_failure`` on the app's
    event loop, where the shared record's Redis client lives.
    """

    def __init__(self, outcomes: ActionOutcomes) -> None:
        super().__init__()
        self._outcomes = outcomes

    async def run(self, action_call):  # type: ignore[override]
        try:
            result = await self.run_untracked(action_call)
        except Exception as exc:
            await self.record_failure(action_call, exc)
            raise
        await self.record_success()
        return result

    async def run_untracked(self, action_call):
        """rasa_sdk's own ``run``: events and responses, nothing recorded."""
        return await super().run(action_call)

    async def record_success(self) -> None:
        outcomes = self._outcomes
        outcomes.succeeded()
        if outcomes.shared:  # without Redis: no await, today's cost
            await outcomes.share_success()

    async def record_failure(self, action_call: Any, exc: BaseException) -> None:
        """A rejection or an unknown action is the caller's doing, not a failing action."""
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        if isinstance(exc, (ActionExecutionRejection, ActionNotFoundException)):
            return
        outcomes = self._outcomes
        outcomes.failed(action_call.get("next_action") if isinstance(action_call, dict) else None, exc)
        if outcomes.shared:
            await outcomes.share_failure()


def build_action_executor(package: Optional[str], resources: AppResources) -> ActionExecutor:
    """rasa_sdk's executor with every Action of ``package`` registered.

    rasa_sdk calls ``sys.exit(1)`` when the package fails to import; in a web app that would
    take the chat and guides down with it, so the failure is logged and reported by /health.
    """
    executor = TrackedActionExecutor(resources.action_outcomes)
    if not package:
        return executor
    try:
        executor.register_package(package)
    except SystemExit:
        resources.action_load_error = f"actions package {package!r} failed to import"
        logger.error("%s; the /webhook serves no actions", resources.action_load_error)
        return executor
    hand_catalog_sessions(executor, resources.catalog_sessions)
    return executor


def hand_catalog_sessions(executor: ActionExecutor, sessions: sessionmaker[Session]) -> None:
    """Every registered action that reads the catalog (``use_catalog_sessions``, actions/base.py)
    reads the app's: one engine and pool per process, the one /health and the routes use."""
    for run in executor.actions.values():
        use = getattr(getattr(run, "__self__", None), "use_catalog_sessions", None)
        if use is not None:
            use(sessions)


# --- dependencies ---------------------------------------------------------------------------
# FastAPI runs a plain `def` dependency in a worker thread: a thread hop per dependency per
# request (five for one chat turn; py-spy: 7% of the app's CPU). The ones below only hand out
# objects built at start-up, so they are `async def` and run on the event loop. `get_session`
# stays `def`: its routes are sync and use the session in their own worker thread.


async def get_resources(request: Request) -> AppResources:
    return request.app.state.resources


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(resources: Annotated[AppResources, Depends(get_resources)]) -> Iterator[Session]:
    """One catalog session per request; queries never commit, so nothing is written here."""
    session = resources.catalog_sessions()
    try:
        yield session
    finally:
        session.close()


async def get_rasa_client(resources: Annotated[AppResources, Depends(get_resources)]) -> RasaClient:
    return resources.rasa


async def get_exchange_log(resources: Annotated[AppResources, Depends(get_resources)]) -> ExchangeLog:
    return resources.exchange_log


async def get_action_executor(resources: Annotated[AppResources, Depends(get_resources)]) -> ActionExecutor:
    return resources.executor


ResourcesDep = Annotated[AppResources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
RasaClientDep = Annotated[RasaClient, Depends(get_rasa_client)]
ExchangeLogDep = Annotated[ExchangeLog, Depends(get_exchange_log)]
ActionExecutorDep = Annotated[ActionExecutor, Depends(get_action_executor)]


async def get_gateway(
    settings: SettingsDep, rasa: RasaClientDep, exchange_log: ExchangeLogDep, resources: ResourcesDep
) -> ChatGateway:
    return ChatGateway(settings, rasa, exchange_log, resources.rate_limiter, resources.client_rate_limiter,
                       desk=resources.desk_hooks(), shares=resources.shares)


GatewayDep = Annotated[ChatGateway, Depends(get_gateway)]


def catalog_item_count(session: Session) -> int:
    """Items in the catalog (bundles not counted); raises if the catalog tables are missing."""
    from sqlalchemy import func, select

    from catalog.models import Item

    return session.scalar(select(func.count()).select_from(Item)) or 0
