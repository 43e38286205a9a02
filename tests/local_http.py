"""A local aiohttp server for tests that need real HTTP in their own event loop (both envs have aiohttp)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable


async def serve(path: str, handler: Callable[[Any], Awaitable[Any]]) -> tuple[Any, str]:
    """Serve POST ``path`` with ``handler`` on a free 127.0.0.1 port: (runner to clean up, URL of ``path``)."""
    from aiohttp import web

    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}{path}"
