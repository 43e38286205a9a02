"""Security headers on every response, and a Content-Security-Policy on every HTML page.

The pages (the widget's demo page ``/``, the agent console ``/agent``, guide pages ``/guide/...``)
load scripts and styles only from files under ``/static`` (no inline ``<script>``, no inline
``<style>``: the widget styles its shadow root with a constructed stylesheet, the guide page
links ``/static/guide.css``), images from the app (QR codes) and ``data:`` URIs, and talk only
to the app (``fetch('/api/...')``). ``/docs`` is Swagger UI, served from local files
(``api/docs.py``); it sets inline styles of its own, so its policy allows those, never scripts.
"""
from __future__ import annotations

import os
import secrets
from typing import Optional

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATH = "/docs"

# On every response: no MIME sniffing, not framed, no address (an agent page may carry ?token=)
# sent to the official guide sites the pages link to.
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


def worker_id() -> str:
    """This app process's name on its answers (``X-Served-By``): its pid, which uvicorn's log names
    ("Started server process [pid]"), and a random suffix drawn at start, which tells apart processes of
    several hosts or restarts that got the same pid. Says nothing about the host or the deployment."""
    return f"{os.getpid()}-{secrets.token_hex(2)}"


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name == b"content-type" and value.startswith(b"text/html") for name, value in headers)


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers when the response starts (a header the route set wins);
    with ``served_by``, also ``X-Served-By``: which app process answered (api/main.py gives each its
    ``worker_id()``), so an operator or a test behind the load balancer can tell the workers apart."""

    def __init__(self, app: ASGIApp, served_by: Optional[str] = None) -> None:
        self.app = app
        self.common = COMMON_HEADERS + ([(b"x-served-by", served_by.encode("ascii"))] if served_by else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == DOCS_PATH else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                added = [(n, v) for n, v in self.common if n not in present]
                if _is_html(headers) and b"content-security-policy" not in present:
                    added.append((b"content-security-policy", csp.encode("ascii")))
                message = {**message, "headers": headers + added}
            await send(message)

        await self.app(scope, receive, send_with_headers)
