"""FastAPI app factory. Serve with ``uvicorn --factory api.main:create_app`` (no I/O at import)."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.curation_watch import start as start_curation_watch
from api.docs import install_docs
from api.gateway import bind_default_gateway
from api.headers import SecurityHeaders, worker_id
from api.limits import BodyLimit
from api.resources import AppResources
from api.routes import actions, agents, chat, curator, guides, health, takeover, wechat
from api.security import install_cors, install_log_redaction, install_logging
from api.settings import Settings, get_settings
from catalog import queries
from catalog.listings import item_count
from runtime.heap import freeze_startup_heap

logger = logging.getLogger(__name__)


def create_app(
    settings: Optional[Settings] = None,
    *,
    rasa_transport: Optional[httpx.AsyncBaseTransport] = None,
    action_package: Optional[str] = "actions",
) -> FastAPI:
    """Build the app. ``rasa_transport`` lets tests answer for Rasa without a network."""
    settings = settings or get_settings()
    install_log_redaction()
    install_logging(settings.log_level)
    actions.quiet_answered_action_calls()
    app = FastAPI(
        title="问一次 API",
        version="0.1.0",
        description="一次性告知：政务服务事项的材料、地点、时限与办事指南二维码。",
        lifespan=_lifespan,
        # FastAPI's pages load Swagger UI and ReDoc from a public CDN: /docs is served locally instead.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.resources = AppResources(settings, rasa_transport=rasa_transport, action_package=action_package)
    for module in (health, chat, guides, agents, takeover, curator, wechat, actions):
        app.include_router(module.router)
    install_docs(app)
    install_cors(app, settings.cors_origins)
    app.add_middleware(actions.ActionCalls)  # POST /webhook, before FastAPI's routing
    # Outermost: no route reads a byte of a body over its limit; every answer, a 413 included,
    # carries the security headers.
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes,
                       webhook_max_body_bytes=settings.webhook_max_body_bytes)
    # Each uvicorn worker builds its own app (--factory): one name per process.
    app.state.worker_id = worker_id()
    app.add_middleware(SecurityHeaders, served_by=app.state.worker_id)
    if not settings.action_token:
        logger.warning("WYC_ACTION_TOKEN is not set: /webhook runs actions for any caller "
                       "(development only; scripts/run.sh sets one, production requires it)")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    resources: AppResources = app.state.resources
    await run_in_threadpool(prepare_storage, resources)
    # Imports actions/ once, before the first call; the actions read the app's catalog sessions.
    await run_in_threadpool(lambda: resources.executor)
    if resources.settings.warm_start:
        await run_in_threadpool(warm_catalog, resources)
        freeze_startup_heap("app started")
    bind_default_gateway(resources.gateway())
    curation_watch = start_curation_watch(resources)  # other workers' phrasing changes (api/curation_watch.py)
    desk_notices = resources.desk_notifier.start()  # other workers' takeover messages (api/desk_notify.py)
    try:
        yield
    finally:
        curation_watch.cancel()
        if desk_notices is not None:
            desk_notices.cancel()
        bind_default_gateway(None)
        await resources.aclose()


def warm_catalog(resources: AppResources) -> None:
    """Build the catalog's search and resolver indexes and matchers now (``warm_catalog_caches``), not in
    the first citizen's turn.

    A failure is logged, not raised: the app still starts, and /health names the broken part.
    """
    try:
        with resources.catalog_sessions() as session:
            warm_catalog_caches(session)
    except Exception:
        logger.exception("could not warm the catalog caches; the first question builds them")


def warm_catalog_caches(session: Session) -> None:
    """Build the session's catalog caches: the search's and the resolver's indexes (the resolver's takes
    several seconds on 2 cores: docs/BENCHMARKS.md, "Search and resolver"), the places and the facts.
    Raises what the catalog raises."""
    queries.search(session, "社保卡补办")
    queries.resolve(session, "社保卡补办")
    queries.resolve_place(session, "龙台镇")
    queries.parse_facts(session, "本人办理")


def prepare_storage(resources: AppResources) -> None:
    """Load the default catalog into an empty database and create the exchange-log table.

    Failures are logged, not raised: the app still starts, and /health names the broken part.
    """
    if resources.settings.load_default_catalog:
        try:
            ensure_catalog_loaded(resources)
        except Exception:
            logger.exception("could not load the default catalog into %s", _safe_url(resources.settings.database_url))
    try:
        resources.exchange_log.create_table()
        # Retention: every start trims the log (cron `python -m api.exchange_log purge` for long runs).
        resources.exchange_log.purge_older_than(resources.settings.exchange_retention_days)
        resources.desk.purge_older_than(resources.settings.exchange_retention_days)  # creates its tables first
    except SQLAlchemyError:
        logger.exception("could not create or purge the exchange log table")


def ensure_catalog_loaded(resources: AppResources) -> None:
    try:
        with resources.catalog_sessions() as session:
            if item_count(session) > 0:
                return
    except SQLAlchemyError:
        pass  # no tables yet: a first run
    from catalog.seed import load_default_catalog

    logger.info("catalog is empty: loading the default catalog")
    load_default_catalog(resources.catalog_engine, resources.settings.region)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
