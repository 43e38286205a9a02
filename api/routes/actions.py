"""The Rasa action server, mounted in the app: rasa_sdk's executor behind POST /webhook
(``ActionCalls``, installed by ``api.main.create_app``), and the list of actions at GET /actions.

Same request/response shapes as rasa_sdk 3.6's own Sanic endpoint (rasa_sdk/endpoint.py), so
``assistant/endpoints.yml`` points ``action_endpoint.url`` at ``{app}/webhook``. Running the
actions here means one process owns the catalog.
"""
from __future__ import annotations

import json
import logging
import zlib
from typing import Any, Optional

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from rasa_sdk import utils as sdk_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import ActionExecutorDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["actions"])

WEBHOOK_PATH = "/webhook"
ACCESS_LOGGER = "uvicorn.access"


class SkipAnsweredActionCalls(logging.Filter):
    """Drops uvicorn's access line for an answered action call (a 2xx or 3xx POST /webhook).

    Rasa calls /webhook once or more in every citizen's turn, so the access log had a second,
    uninformative line for each ``POST /api/chat``. A failed call (4xx, 5xx) keeps its line, and
    ``answer_action_call`` logs the failure itself."""

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


def decode_action_call(body: bytes, content_encoding: Optional[str]) -> Any:
    """The JSON body; Rasa may deflate it (``Content-Encoding: deflate``). None when unreadable."""
    try:
        if content_encoding == "deflate":
            body = zlib.decompress(body)
        return json.loads(body)
    except (zlib.error, ValueError):
        return None


async def answer_action_call(executor: ActionExecutor, action_call: Any) -> tuple[int, dict[str, Any]]:
    """rasa_sdk's answer to one action call, as (status, JSON body); same shapes as rasa_sdk 3.6."""
    if not isinstance(action_call, dict):
        return 400, {"error": "Invalid body request"}
    sdk_utils.check_version_compatibility(action_call.get("version"))
    try:
        return 200, await executor.run(action_call)
    except ActionExecutionRejection as exc:
        logger.debug("action rejected: %s", exc)
        return 400, {"error": exc.message, "action_name": exc.action_name}
    except ActionNotFoundException as exc:
        logger.error("%s", exc)
        return 404, {"error": exc.message, "action_name": exc.action_name}
    except KeyError as exc:  # e.g. no "tracker" in the call: a caller error, not a crash
        return 400, {"error": f"Invalid body request: missing {exc}"}
    except Exception as exc:
        # Like rasa_sdk's 500, minus the echoed request body: it holds the citizen's messages.
        action_name = action_call.get("next_action")
        logger.exception("action %s failed", action_name)
        return 500, {"error": type(exc).__name__, "action_name": action_name}


class ActionCalls:
    """Pure ASGI middleware: Rasa's action calls (``POST /webhook``, 「Rasa 调用自定义动作的入口」)
    go straight to rasa_sdk's executor; every other request goes on to FastAPI.

    Rasa makes one such call in every citizen's turn. Through FastAPI's routing, dependency
    injection and response handling, the call cost about as much app CPU again as the action
    itself (py-spy, docs/BENCHMARKS.md, session 10). Nothing of that is needed here: the body is
    Rasa's JSON, the answer rasa_sdk's, and the executor is the app's (``AppResources.executor``,
    built on first use). Status codes and bodies are those of rasa_sdk 3.6's own endpoint, minus the
    echoed request in a 500. Installed inside Starlette's error middleware, so an exception still
    becomes a 500, and the access log still has the line (kept only for failed calls,
    ``SkipAnsweredActionCalls``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != WEBHOOK_PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await JSONResponse({"detail": "Method Not Allowed"}, status_code=405,
                               headers={"Allow": "POST"})(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # Rasa gave up on the call (timeout): nobody to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        encoding = next((value.decode("latin-1") for name, value in scope["headers"]
                         if name == b"content-encoding"), None)
        executor = scope["app"].state.resources.executor
        status, content = await answer_action_call(executor, decode_action_call(b"".join(chunks), encoding))
        await JSONResponse(content, status_code=status)(scope, receive, send)


@router.get("/actions")
async def list_actions(executor: ActionExecutorDep) -> list[dict[str, str]]:
    """All registered actions, as rasa_sdk lists them."""
    return [{"name": name} for name in executor.actions.keys()]
