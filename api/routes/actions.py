"""The Rasa action server, mounted in the app: rasa_sdk's executor behind POST /webhook
(``ActionCalls``, installed by ``api.main.create_app``), and the list of actions at GET /actions.

Same request/response shapes as rasa_sdk 3.6's own Sanic endpoint (rasa_sdk/endpoint.py), so
``assistant/endpoints.yml`` points ``action_endpoint.url`` at ``{app}/webhook``. Running the
actions here means one process owns the catalog.
"""
from __future__ import annotations

import hmac
import json
import logging
import zlib
from typing import Any, Optional

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from rasa_sdk import utils as sdk_utils
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from starlette.types import ASGIApp, Receive, Scope, Send

from api.action_pool import ActionDeadlineExceeded, ActionPool
from api.action_server import TrackedActionExecutor
from api.deps import ActionExecutorDep
from api.limits import send_too_large

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


TOKEN_HEADER = "X-Action-Token"
TOKEN_HEADER_BYTES = TOKEN_HEADER.lower().encode("ascii")
MISSING_TOKEN = {"error": "Unauthorized", "detail": f"the action endpoint needs Rasa's token in the {TOKEN_HEADER} header"}
# The handoff reason a citizen's payload carries when the action did not answer in time.
DEADLINE_REASON = "action_timeout"


class BodyTooLarge(Exception):
    """A deflated action call inflates past the webhook's limit."""


def decode_action_call(body: bytes, content_encoding: Optional[str], max_bytes: Optional[int] = None) -> Any:
    """The JSON body; Rasa may deflate it (``Content-Encoding: deflate``). None when unreadable.

    ``max_bytes`` caps the inflated size (``BodyTooLarge`` past it): 51 KB of zeros inflate to 50 MB.
    """
    try:
        if content_encoding == "deflate":
            body = inflate(body, max_bytes)
        return json.loads(body)
    except (zlib.error, ValueError):
        return None


def inflate(body: bytes, max_bytes: Optional[int]) -> bytes:
    if max_bytes is None:
        return zlib.decompress(body)
    inflater = zlib.decompressobj()
    out = inflater.decompress(body, max_bytes + 1)
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise BodyTooLarge()
    out += inflater.flush()
    if len(out) > max_bytes:
        raise BodyTooLarge()
    if not inflater.eof:
        raise zlib.error("incomplete deflate stream")
    return out


def token_matches(expected: Optional[str], scope: Scope) -> bool:
    """True when no token is configured (development) or the call carries it (constant-time)."""
    if not expected:
        return True
    given = next((value for name, value in scope["headers"] if name == TOKEN_HEADER_BYTES), b"")
    return hmac.compare_digest(expected.encode("utf-8"), given)


def deadline_answer() -> dict[str, Any]:
    """A valid action response with the handoff reply: the sentence is the domain's
    ``utter_handoff`` (Rasa renders it) and the payload is action_handoff's own."""
    from catalog.contract import handoff_payload

    dispatcher = CollectingDispatcher()
    dispatcher.utter_message(response="utter_handoff")
    dispatcher.utter_message(json_message=handoff_payload(DEADLINE_REASON))
    # What action_handoff returns: the open question is closed, the next message is a new request.
    events = [SlotSet("pending_question", False), SlotSet("candidates", None)]
    return {"events": events, "responses": dispatcher.messages}


async def run_action(executor: ActionExecutor, action_call: dict[str, Any], pool: Optional[ActionPool],
                     deadline_seconds: float) -> dict[str, Any]:
    """The executor's answer, computed in ``pool`` (off the event loop) when there is one.

    Outcomes for /health are recorded here, on the app's loop: only calls that reached this point
    (authenticated, readable) count."""
    if pool is None:
        return await executor.run(action_call)
    action_name = action_call.get("next_action")
    if not isinstance(executor, TrackedActionExecutor):
        return await pool.run(lambda: executor.run(action_call), deadline_seconds, action_name)
    try:
        result = await pool.run(lambda: executor.run_untracked(action_call), deadline_seconds, action_name)
    except ActionDeadlineExceeded:
        raise
    except Exception as exc:
        await executor.record_failure(action_call, exc)
        raise
    await executor.record_success()
    return result


async def answer_action_call(executor: ActionExecutor, action_call: Any, pool: Optional[ActionPool] = None,
                             deadline_seconds: float = 5.0) -> tuple[int, dict[str, Any]]:
    """rasa_sdk's answer to one action call, as (status, JSON body); same shapes as rasa_sdk 3.6.

    Past ``deadline_seconds`` (with a ``pool``): 200 with the handoff reply (``deadline_answer``)."""
    if not isinstance(action_call, dict):
        return 400, {"error": "Invalid body request"}
    if action_call.get("next_action") and not isinstance(action_call.get("tracker"), dict):
        return 400, {"error": "Invalid body request: missing 'tracker'"}  # the caller's error, not the action's
    sdk_utils.check_version_compatibility(action_call.get("version"))
    try:
        return 200, await run_action(executor, action_call, pool, deadline_seconds)
    except ActionDeadlineExceeded as exc:
        # Overload or a pathological message, not a broken action: /health is not told.
        logger.warning("%s; answered with the handoff reply", exc)
        return 200, deadline_answer()
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
    go to rasa_sdk's executor; every other request goes on to FastAPI.

    Rasa makes one such call in every citizen's turn. Through FastAPI's routing, dependency
    injection and response handling, the call cost about as much app CPU again as the action
    itself (measured with py-spy). Nothing of that is needed here: the body is
    Rasa's JSON, the answer rasa_sdk's, and the executor is the app's (``AppResources.executor``,
    built on first use). Status codes and bodies are those of rasa_sdk 3.6's own endpoint, minus the
    echoed request in a 500. Installed inside Starlette's error middleware, so an exception still
    becomes a 500, and the access log still has the line (kept only for failed calls,
    ``SkipAnsweredActionCalls``).

    The endpoint is Rasa's alone: with ``Settings.action_token`` set, a call without that token in
    ``X-Action-Token`` gets 401 before its body is decoded, and changes nothing (no action runs, and
    /health's record of action outcomes is untouched). The body's size was checked before this
    (``api.limits.BodyLimit``); a deflated body is capped again once inflated. The action runs in
    the app's ``ActionPool``, off the event loop, within ``Settings.action_deadline_seconds``.
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
        resources = scope["app"].state.resources
        settings = resources.settings
        if not token_matches(settings.action_token, scope):
            await JSONResponse(MISSING_TOKEN, status_code=401)(scope, receive, send)
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
        try:
            action_call = decode_action_call(b"".join(chunks), encoding, settings.webhook_max_body_bytes)
        except BodyTooLarge:
            await send_too_large(send, settings.webhook_max_body_bytes)
            return
        status, content = await answer_action_call(
            resources.executor, action_call, resources.action_pool, settings.action_deadline_seconds)
        await JSONResponse(content, status_code=status)(scope, receive, send)


@router.get("/actions")
async def list_actions(executor: ActionExecutorDep) -> list[dict[str, str]]:
    """All registered actions, as rasa_sdk lists them."""
    return [{"name": name} for name in executor.actions]
