"""GET /health (every part the answer depends on) and GET /health/live (the process is up)."""
from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.deps import RasaClientDep, ResourcesDep
from api.rasa_client import RasaClient, RasaUnavailable
from api.resources import AppResources
from catalog.listings import item_count

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

# A probe must answer fast even when Rasa hangs; load balancers poll it every few seconds.
RASA_STATUS_TIMEOUT_SECONDS = 2.0


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health", responses={503: {"description": "某个部分不可用（parts 中注明）"}})
async def health(resources: ResourcesDep, rasa: RasaClientDep) -> JSONResponse:
    """200 only when the catalog answers and Rasa has a model loaded."""
    parts = {
        "app": await app_part(resources),
        "catalog": await run_in_threadpool(catalog_part, resources),
        "rasa": await rasa_part(rasa),
    }
    if resources.settings.redis_url:
        parts["redis"] = await redis_part(resources.settings.redis_url)
    healthy = all(value.startswith("ok") for value in parts.values())
    return JSONResponse({"status": "ok" if healthy else "error", "parts": parts}, status_code=200 if healthy else 503)


async def app_part(resources: AppResources) -> str:
    """The app itself: its actions package imported, and its actions not currently raising."""
    if resources.action_load_error:
        return f"error: {resources.action_load_error}"
    return await actions_part(resources)


async def actions_part(resources: AppResources) -> str:
    """Error while the last action raised, none has succeeded since, and it is under 120 s old.

    Without ``redis_url``: the actions run in this worker. With it: the actions run in any worker
    (shared through Redis, read with a 0.5 s timeout), so every worker answers the same; if Redis
    fails, the ``redis`` part says so and this part falls back to this worker's own actions.
    """
    failing = await resources.action_outcomes.current_failure()
    return f"error: actions failing ({failing})" if failing else "ok"


async def redis_part(url: str) -> str:
    """Redis shares rate limits, WeChat de-duplication and failing actions between workers."""
    import redis.asyncio as redis_asyncio
    from redis.exceptions import RedisError

    client = redis_asyncio.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return f"error: redis not reachable ({type(exc).__name__})"
    finally:
        await client.aclose()
    return "ok"


def catalog_part(resources: AppResources) -> str:
    try:
        with resources.catalog_sessions() as session:
            count = item_count(session)
    except SQLAlchemyError as exc:
        logger.warning("health: catalog database failed: %s", type(exc).__name__)
        return "error: catalog database not reachable or not migrated"
    return f"ok ({count} items)" if count else "error: catalog is empty"


async def rasa_part(rasa: RasaClient) -> str:
    try:
        status = await rasa.status(timeout_seconds=RASA_STATUS_TIMEOUT_SECONDS)
    except RasaUnavailable as exc:
        return f"error: rasa not reachable ({exc})"
    if not status.get("model_file"):
        return "error: rasa has no model loaded"
    return "ok (model loaded)"
