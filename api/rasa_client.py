"""The one HTTP client to the Rasa server: REST channel messages and the status probe."""
from __future__ import annotations

import logging
from typing import Any, Optional

import httpx

logger = logging.getLogger(__name__)

REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
STATUS_PATH = "/status"


class RasaUnavailable(Exception):
    """Rasa could not be reached, was too slow, or answered with an error."""


class RasaClient:
    """Wraps one ``httpx.AsyncClient`` per app (connection pooling); close it on shutdown."""

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        transport: Optional[httpx.AsyncBaseTransport] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_seconds, transport=transport)

    async def send_message(self, sender_id: str, message: str) -> list[dict[str, Any]]:
        """POST one user message to the REST channel; return Rasa's list of bot messages."""
        body = await self._request_json("POST", REST_WEBHOOK_PATH, json={"sender": sender_id, "message": message})
        if not isinstance(body, list):
            raise RasaUnavailable(f"REST channel answered {type(body).__name__}, expected a list")
        return [message for message in body if isinstance(message, dict)]

    async def status(self, timeout_seconds: float) -> dict[str, Any]:
        """GET /status (needs ``rasa run --enable-api``); short timeout: it backs the health check."""
        body = await self._request_json("GET", STATUS_PATH, timeout=timeout_seconds)
        if not isinstance(body, dict):
            raise RasaUnavailable("status answered something other than an object")
        return body

    async def _request_json(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
            response.raise_for_status()
            return response.json()
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"{method} {path} timed out") from exc
        except httpx.HTTPStatusError as exc:
            raise RasaUnavailable(f"{method} {path} answered HTTP {exc.response.status_code}") from exc
        except (httpx.HTTPError, ValueError) as exc:  # connection refused, bad JSON, ...
            raise RasaUnavailable(f"{method} {path} failed: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self._http.aclose()
