"""CPU per request of the gateway's HTTP client to Rasa: httpx against aiohttp (api/rasa_client.py).

    .venv/app/bin/python scripts/bench_http_client.py [--requests 2000] [--rounds 2]

Both clients POST the gateway's REST-channel body to the same in-process HTTP/1.1 server (keep-alive,
a canned 400-character JSON answer) on 127.0.0.1, one request at a time on uvloop, as the gateway does
at 1 sender. Prints wall and CPU milliseconds per request (the server's share is the same for both).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time

BODY = {"sender": "bench", "message": "我想开个小饭馆要准备啥"}
ANSWER = json.dumps([{"recipient_id": "bench", "text": "好" * 400}], ensure_ascii=False).encode()


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
                         % len(ANSWER) + ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):  # the client closed its connection
        writer.close()


async def _measure(name: str, send, requests: int) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        await send()
    print(f"{name:8s} {1000 * (time.perf_counter() - wall) / requests:.3f} ms/request wall, "
          f"{1000 * (time.process_time() - cpu) / requests:.3f} ms CPU")


async def main(requests: int, rounds: int) -> None:
    import aiohttp
    import httpx

    server = await asyncio.start_server(_handle, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/webhooks/rest/webhook"
    async with httpx.AsyncClient(timeout=30) as h, aiohttp.ClientSession() as a:
        async def by_httpx() -> None:
            (await h.post(url, json=BODY)).json()

        async def by_aiohttp() -> None:
            async with a.post(url, json=BODY) as response:
                json.loads(await response.read())

        for _ in range(rounds):
            await _measure("httpx", by_httpx, requests)
            await _measure("aiohttp", by_aiohttp, requests)
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    import uvloop

    uvloop.install()
    asyncio.run(main(args.requests, args.rounds))
