"""api/rasa_client.py over real local HTTP (the aiohttp path `make run` uses): answers, Rasa's
errors, timeouts, refusals, one kept connection, and no session left open."""
from __future__ import annotations

import asyncio
import json
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest

from api.desk_models import conversation_hash
from api.rasa_client import CONVERSATION_HEADER, REST_WEBHOOK_PATH, RasaClient, RasaUnavailable

Reply = Callable[[str, Any], tuple[int, bytes]]
HANDLERS: dict[str, Any] = {}  # each fake server's handler class, by its URL


class _FakeRasa(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Rasa's Sanic server
    reply: Reply
    seen: list[tuple[str, str, Any, int]]
    conversations: list[Any]

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.seen.append((self.command, self.path, body, self.client_address[1]))
        self.conversations.append(self.headers.get(CONVERSATION_HEADER))
        status, content = type(self).reply(self.path, body)
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Reply], tuple[str, list]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(reply: Reply) -> tuple[str, list]:
        handler = type("Handler", (_FakeRasa,), {"reply": staticmethod(reply), "seen": [], "conversations": []})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        HANDLERS[url] = handler
        return url, handler.seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _json(status: int, value: Any) -> Callable[[str, Any], tuple[int, bytes]]:
    return lambda path, body: (status, json.dumps(value, ensure_ascii=False).encode())


def _run(client: RasaClient, call: Callable[[RasaClient], Any]) -> Any:
    async def go() -> Any:
        try:
            return await call(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_a_message_goes_to_the_rest_channel_and_its_answers_come_back(serve):
    url, seen = serve(_json(200, [{"recipient_id": "s1", "text": "【居民身份证】一次性告知"}, "not a message"]))
    answers = _run(RasaClient(url, 2.0), lambda c: c.send_message("s1", "身份证丢了"))
    assert answers == [{"recipient_id": "s1", "text": "【居民身份证】一次性告知"}]
    assert seen == [("POST", REST_WEBHOOK_PATH, {"sender": "s1", "message": "身份证丢了"}, seen[0][3])]


def test_a_turn_names_its_conversation_by_hash_for_the_proxy_log_never_by_sender_id(serve):
    """nginx logs which Rasa replica served which conversation (deploy/nginx.conf.template)."""
    url, _ = serve(_json(200, []))
    sender = "wx:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    _run(RasaClient(url, 2.0), lambda c: c.send_message(sender, "你好"))
    assert HANDLERS[url].conversations == [conversation_hash(sender)]
    assert sender.split(":")[1] not in conversation_hash(sender)


def test_the_status_probe_reads_rasas_status(serve):
    url, seen = serve(_json(200, {"model_file": "models/wyc-x.tar.gz"}))
    assert _run(RasaClient(url, 2.0), lambda c: c.status(timeout_seconds=1.0)) == {"model_file": "models/wyc-x.tar.gz"}
    assert seen[0][:2] == ("GET", "/status")


@pytest.mark.parametrize(
    "reply, reason",
    [
        (_json(500, {"error": "boom"}), "POST /webhooks/rest/webhook answered HTTP 500"),
        (lambda path, body: (200, b"<html>not json</html>"), "failed: JSONDecodeError"),
        (lambda path, body: (200, b"\xff\xfe"), "failed: UnicodeDecodeError"),
        (_json(200, {"not": "a list"}), "REST channel answered dict, expected a list"),
    ],
)
def test_rasas_errors_become_rasa_unavailable_with_the_reason(serve, reply, reason):
    url, _ = serve(reply)
    with pytest.raises(RasaUnavailable) as raised:
        _run(RasaClient(url, 2.0), lambda c: c.send_message("s1", "你好"))
    assert reason in str(raised.value)


def test_a_slow_rasa_times_out(serve):
    def slow(path: str, body: Any) -> tuple[int, bytes]:
        time.sleep(1.0)
        return 200, b"[]"

    url, _ = serve(slow)
    started = time.monotonic()
    with pytest.raises(RasaUnavailable, match="timed out"):
        _run(RasaClient(url, 0.2), lambda c: c.send_message("s1", "你好"))
    assert time.monotonic() - started < 0.9


def test_a_refused_connection_is_rasa_unavailable(closed_port):
    with pytest.raises(RasaUnavailable, match="failed: ClientConnectorError"):
        _run(RasaClient(f"http://127.0.0.1:{closed_port}", 2.0), lambda c: c.send_message("s1", "你好"))


def test_turns_share_one_kept_connection_and_closing_leaves_no_open_session(serve):
    url, seen = serve(_json(200, []))

    async def three_turns(client: RasaClient) -> None:
        for turn in range(3):
            await client.send_message("s1", f"第{turn}句")

    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        client = RasaClient(url, 2.0)
        _run(client, three_turns)
    assert len(seen) == 3 and len({port for *_, port in seen}) == 1  # one client port: one connection
    assert client._session is None


def test_a_client_used_again_in_a_new_event_loop_opens_a_new_session(serve):
    url, seen = serve(_json(200, []))
    client = RasaClient(url, 2.0)
    asyncio.run(client.send_message("s1", "一"))
    _run(client, lambda c: c.send_message("s1", "二"))  # the first loop has ended
    assert [body["message"] for _, _, body, _ in seen] == ["一", "二"]


def _slow_counting(in_flight: dict) -> Reply:
    """Answers after 50 ms and records the most requests Rasa was handling at once."""
    lock = threading.Lock()

    def reply(path: str, body: Any) -> tuple[int, bytes]:
        with lock:
            in_flight["now"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])
        time.sleep(0.05)
        with lock:
            in_flight["now"] -= 1
        return 200, json.dumps([{"text": body["message"]}], ensure_ascii=False).encode()

    return reply


@pytest.mark.parametrize("limit, most_connections", [(3, 3), (0, 12)])
def test_turns_beyond_the_connection_limit_wait_for_a_free_connection(serve, limit, most_connections):
    in_flight = {"now": 0, "most": 0}
    url, seen = serve(_slow_counting(in_flight))

    async def twelve_senders(client: RasaClient) -> list:
        return await asyncio.gather(*(client.send_message(f"s{n}", f"第{n}句") for n in range(12)))

    answers = _run(RasaClient(url, 5.0, max_connections=limit), twelve_senders)
    assert [a[0]["text"] for a in answers] == [f"第{n}句" for n in range(12)]  # every turn answered
    if limit:
        assert in_flight["most"] <= limit and len({port for *_, port in seen}) <= limit
    else:  # no limit: one connection per waiting turn, as before
        assert len({port for *_, port in seen}) == most_connections


def test_the_connection_limit_comes_from_the_settings():
    from api.deps import AppResources
    from api.settings import Settings

    settings = Settings(rasa_max_connections=5, warm_start=False, load_default_catalog=False)
    assert AppResources(settings).rasa.max_connections == 5
    assert Settings().rasa_max_connections == 16


def test_the_status_probe_passes_rasas_api_token_and_messages_do_not(serve):
    """`rasa run --auth-token` reads ?token= on its HTTP API; the REST channel is not the API."""
    url, seen = serve(lambda path, body: (200, b'{"model_file": "m"}') if path.startswith("/status")
                      else (200, b"[]"))
    client = RasaClient(url, 2.0, api_token="rasa-api-token-for-tests")

    async def both(c):
        await c.status(timeout_seconds=1.0)
        await c.send_message("s1", "身份证")

    _run(client, both)
    assert seen[0][1] == "/status?token=rasa-api-token-for-tests"
    assert seen[1][1] == REST_WEBHOOK_PATH


def test_the_app_gives_its_rasa_client_the_rasa_token():
    from api.deps import AppResources
    from api.settings import Settings

    resources = AppResources(Settings(_env_file=None, environment="test", rasa_token="rasa-api-token-1234567"))
    assert resources.rasa._api_params == {"token": "rasa-api-token-1234567"}
