"""The one HTTP client to the Rasa server: REST channel messages and the status probe.

Requests go through one kept-open ``aiohttp.ClientSession`` per app: it costs a quarter of
httpx's CPU per request (scripts/bench_http_client.py: 0.19 against 0.98 ms, docs/BENCHMARKS.md),
and the gateway makes one such request per chat turn. Tests may pass an httpx transport
(``httpx.MockTransport``) to answer for Rasa without a network; then that transport is used
instead, and everything after the raw request (status, JSON, errors) is the same code.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Optional

import aiohttp
import httpx

from api.desk_models import conversation_hash

logger = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
STATUS_PATH = "/status"
# Idle connections are closed after this, below Rasa's (Sanic's) 5 s keep-alive and nginx's 75 s,
# so a request never goes out on a connection the server is closing.
KEEPALIVE_SECONDS = 2.0
# Connections open at once (Settings.rasa_max_connections). A busy Rasa accepted new connections
# slowly (4–6 a second at 50 senders on 2 cores) while the turns on the connections it already had
# went round: with one connection per waiting turn, the last turns of a burst waited 7–9 s in its
# accept queue. Requests beyond the limit wait for a free connection
# here instead, first come first served, within the request's timeout.
DEFAULT_MAX_CONNECTIONS = 16
# The conversation a turn belongs to, as the desk tables name it (a hash, never the sender id): a
# proxy in front of several Rasa replicas can log which replica served which conversation
# (deploy/nginx.conf.template). Rasa ignores it.
CONVERSATION_HEADER = "X-Conversation"


class RasaUnavailable(Exception):
    """Rasa could not be reached, was too slow, or answered with an error."""


class RasaClient:
    """One connection pool to Rasa per app (opened on first use, in the app's event loop); close it
    on shutdown with ``aclose``."""

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        transport: Optional[httpx.AsyncBaseTransport] = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        api_token: Optional[str] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Rasa's HTTP API token (`rasa run --auth-token`): Rasa reads it from ?token=. Only the API
        # (/status here) needs it; the REST channel is not part of the API.
        self._api_params = {"token": api_token} if api_token else None
        self.timeout_seconds = timeout_seconds
        self.max_connections = max(0, int(max_connections))  # 0: no limit (aiohttp's own meaning)
        self._test_client = (
            httpx.AsyncClient(base_url=self.base_url, timeout=timeout_seconds, transport=transport)
            if transport is not None
            else None
        )
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    async def send_message(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        """POST one user message to the REST channel; return Rasa's list of bot messages."""
        body = await self._request_json("POST", REST_WEBHOOK_PATH, body={"sender": sender_id, "message": message},
                                        headers={CONVERSATION_HEADER: conversation_hash(sender_id)})
        if not isinstance(body, list):
            raise RasaUnavailable(f"REST channel answered {type(body).__name__}, expected a list")
        return [message for message in body if isinstance(message, dict)]

    async def status(self, timeout_seconds: float) -> dict[str, Any]:
        """GET /status (needs ``rasa run --enable-api``, and its ``--auth-token`` when set); short
        timeout: it backs the health check."""
        body = await self._request_json("GET", STATUS_PATH, timeout=timeout_seconds, params=self._api_params)
        if not isinstance(body, dict):
            raise RasaUnavailable("status answered something other than an object")
        return body

    async def parse(self, text: str, timeout_seconds: float = 5.0) -> dict[str, Any]:
        """POST /model/parse (Rasa's HTTP API): the NLU's reading of ``text``, no conversation touched."""
        body = await self._request_json("POST", "/model/parse", body={"text": text}, timeout=timeout_seconds,
                                        params=self._api_params)
        if not isinstance(body, dict):
            raise RasaUnavailable("parse answered something other than an object")
        return body

    async def tracker(self, sender_id: str, timeout_seconds: float = 3.0) -> dict[str, Any]:
        """GET /conversations/{sender}/tracker (Rasa's HTTP API, read only): the slots and events an
        agent sees when taking over. Never writes to the tracker."""
        from urllib.parse import quote

        path = f"/conversations/{quote(sender_id, safe='')}/tracker"
        body = await self._request_json("GET", path, timeout=timeout_seconds, params=self._api_params)
        if not isinstance(body, dict):
            raise RasaUnavailable("tracker answered something other than an object")
        return body

    async def restart(self, sender_id: str, timeout_seconds: float = 3.0) -> None:
        """Forget the conversation: append a ``restart`` event through Rasa's HTTP API (slots, the
        open question and the history before it no longer count). Needs ``rasa run --enable-api``."""
        from urllib.parse import quote

        path = f"/conversations/{quote(sender_id, safe='')}/tracker/events"
        params = {**(self._api_params or {}), "include_events": "NONE"}
        await self._request_json("POST", path, body={"event": "restart"}, timeout=timeout_seconds, params=params)

    async def _request_json(
        self, method: str, path: str, body: Any = None, timeout: Optional[float] = None,
        params: Optional[dict[str, str]] = None, headers: Optional[dict[str, str]] = None,
    ) -> Any:
        try:
            status, content = await self._request(method, path, body, timeout or self.timeout_seconds, params,
                                                  headers)
        except (asyncio.TimeoutError, httpx.TimeoutException) as exc:
            raise RasaUnavailable(f"{method} {path} timed out") from exc
        except (aiohttp.ClientError, httpx.HTTPError, OSError) as exc:  # connection refused, reset, ...
            raise RasaUnavailable(f"{method} {path} failed: {type(exc).__name__}") from exc
        if status >= 400:
            raise RasaUnavailable(f"{method} {path} answered HTTP {status}")
        try:
            return json.loads(content.decode("utf-8"))
        except ValueError as exc:  # not JSON, or not UTF-8
            raise RasaUnavailable(f"{method} {path} failed: {type(exc).__name__}") from exc

    async def _request(self, method: str, path: str, body: Any, timeout: float,
                       params: Optional[dict[str, str]] = None,
                       headers: Optional[dict[str, str]] = None) -> tuple[int, bytes]:
        """The raw exchange: status code and body bytes."""
        if self._test_client is not None:
            response = await self._test_client.request(method, path, json=body, timeout=timeout, params=params,
                                                       headers=headers)
            return response.status_code, response.content
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            # A session belongs to the loop it was opened in (tests run several loops in turn).
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections, keepalive_timeout=KEEPALIVE_SECONDS)
            )
            self._session_loop = loop
        async with self._session.request(
            method, self.base_url + path, json=body, params=params, headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            return response.status, await response.read()

    async def aclose(self) -> None:
        if self._test_client is not None:
            await self._test_client.aclose()
        session, self._session = self._session, None
        if session is None or session.closed:
            return
        if self._session_loop is asyncio.get_running_loop():
            await session.close()
        elif session.connector is not None:  # opened in a loop that has ended: close its sockets
            session.connector.close()
