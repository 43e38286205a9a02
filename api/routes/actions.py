"""The Rasa action server, mounted in the app: rasa_sdk's executor behind POST /webhook.

Same request/response shapes as rasa_sdk 3.6's own Sanic endpoint (rasa_sdk/endpoint.py), so
``assistant/endpoints.yml`` points ``action_endpoint.url`` at ``{app}/webhook``. Running the
actions here means one process owns the catalog.
"""
from __future__ import annotations

import json
import logging
import zlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk import utils as sdk_utils
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from api.deps import ActionExecutorDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["actions"])

WEBHOOK_PATH = "/webhook"
ACCESS_LOGGER = "uvicorn.access"


class SkipAnsweredActionCalls(logging.Filter):
    """Drops uvicorn's access line for an answered action call (a 2xx or 3xx POST /webhook).

    Rasa calls /webhook once or more in every citizen's turn, so the access log had a second,
    uninformative line for each ``POST /api/chat``. A failed call (4xx, 5xx) keeps its line, and
    ``run_action`` logs the failure itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5:
            return True
        _client, method, path, _version, status = args
        return not (method == "POST" and path == WEBHOOK_PATH and isinstance(status, int) and status < 400)


def quiet_answered_action_calls() -> None:
    """Idempotent: installs the filter once on uvicorn's access logger."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, SkipAnsweredActionCalls) for f in access.filters):
        access.addFilter(SkipAnsweredActionCalls())


async def read_action_call(request: Request) -> Any:
    """The JSON body; Rasa may deflate it (``Content-Encoding: deflate``). None when unreadable."""
    body = await request.body()
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            body = zlib.decompress(body)
        return json.loads(body)
    except (zlib.error, ValueError):
        return None


@router.post(WEBHOOK_PATH)
async def run_action(request: Request, executor: ActionExecutorDep) -> JSONResponse:
    """Rasa 调用自定义动作的入口（rasa_sdk 协议）。"""
    action_call = await read_action_call(request)
    if not isinstance(action_call, dict):
        return JSONResponse({"error": "Invalid body request"}, status_code=400)
    sdk_utils.check_version_compatibility(action_call.get("version"))
    try:
        result = await executor.run(action_call)
    except ActionExecutionRejection as exc:
        logger.debug("action rejected: %s", exc)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        logger.error("%s", exc)
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except KeyError as exc:  # e.g. no "tracker" in the call: a caller error, not a crash
        return JSONResponse({"error": f"Invalid body request: missing {exc}"}, status_code=400)
    except Exception as exc:
        # Like rasa_sdk's 500, minus the echoed request body: it holds the citizen's messages.
        action_name = action_call.get("next_action")
        logger.exception("action %s failed", action_name)
        return JSONResponse({"error": type(exc).__name__, "action_name": action_name}, status_code=500)
    return JSONResponse(result, status_code=200)


@router.get("/actions")
async def list_actions(executor: ActionExecutorDep) -> list[dict[str, str]]:
    """All registered actions, as rasa_sdk lists them."""
    return [{"name": name} for name in executor.actions.keys()]
