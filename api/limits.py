"""Request-body size limits, enforced before any route reads, parses or normalises a byte.

``BodyLimit`` is the outermost ASGI middleware of the app (``api.main.create_app``). A request
whose ``Content-Length`` is over the limit of its path is answered 413 at once, unread; a body
without one (chunked) is read as it streams and answered 413 as soon as it passes the limit, so
a 10 MB message costs 64 KiB of reading, not a JSON parse and a Unicode normalisation of 10 MB.
A body within the limit is handed on to the app as it was received (already read: the routes
read whole bodies anyway, Starlette's ``Request.body()`` and the action webhook alike).

Limits (``Settings``): ``max_body_bytes`` for every route, ``webhook_max_body_bytes`` for Rasa's
action calls on ``/webhook``, whose trackers are large.
"""
from __future__ import annotations

import json
from typing import Optional

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEBHOOK_PATH = "/webhook"  # api.routes.actions.WEBHOOK_PATH (not imported: no rasa_sdk here)


def too_large_body(limit: int) -> bytes:
    """The 413 answer's JSON body (``{"detail": ...}``, like every other error of the API)."""
    return json.dumps(
        {"detail": f"请求体过大：最多 {limit} 字节。Request body too large: at most {limit} bytes."},
        ensure_ascii=False,
    ).encode("utf-8")


async def send_too_large(send: Send, limit: int) -> None:
    body = too_large_body(limit)
    await send({
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            # The rest of the body is never read: the connection cannot be reused.
            (b"connection", b"close"),
        ],
    })
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> Optional[int]:
    """The declared length; -1 when the header is there but not a number (treated as too large)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def _has_body(scope: Scope) -> bool:
    return any(name in (b"content-length", b"transfer-encoding") for name, _ in scope.get("headers", ()))


class BodyLimit:
    """Pure ASGI middleware: 413 for a body over the limit of its path, before the app sees it."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, webhook_max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.webhook_max_body_bytes = webhook_max_body_bytes

    def limit_for(self, path: str) -> int:
        return self.webhook_max_body_bytes if path == WEBHOOK_PATH else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            await send_too_large(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then the original channel (a later disconnect still arrives)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
