"""Action calls run off the app's event loop, in a small pool of worker threads, with a deadline.

rasa_sdk 3.6's ``ActionExecutor.run`` is a coroutine, but the work inside it is synchronous: it
builds the ``Tracker`` and calls the action's ``run`` (our actions are ``async def`` around plain
catalog code, rasa_sdk/executor.py ``utils.call_potential_coroutine``). Awaited on the app's loop,
one slow action (a long adversarial message) stopped every other request, ``/health/live``
included. Here each worker thread keeps an event loop of its own and runs the whole coroutine in
it, so the app's loop only waits on a future.

The pool is bounded (``Settings.action_workers``, default 4 for a 2-core machine: the actions are
mostly CPU under the GIL, and more threads would only queue inside the interpreter). A call that
has not finished within ``Settings.action_deadline_seconds``, its wait for a free worker included,
raises ``ActionDeadlineExceeded``: the webhook answers Rasa with the handoff reply instead. Python
cannot stop a thread, so a late action finishes in its worker and its result is dropped (logged).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from typing import Any, Awaitable, Callable

logger = logging.getLogger(__name__)


class ActionDeadlineExceeded(Exception):
    """The action call was not answered within its deadline (it may still be running)."""

    def __init__(self, action_name: Any, deadline_seconds: float) -> None:
        super().__init__(f"action {action_name} not answered within {deadline_seconds:g} s")
        self.action_name = action_name
        self.deadline_seconds = deadline_seconds


_worker = threading.local()


def _worker_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_worker, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _worker.loop = loop
    return loop


def _run_in_worker(make_coroutine: Callable[[], Awaitable[Any]]) -> Any:
    return _worker_loop().run_until_complete(make_coroutine())


class ActionPool:
    """A bounded pool of threads, each running coroutines in its own event loop."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wyc-action")

    async def run(self, make_coroutine: Callable[[], Awaitable[Any]], deadline_seconds: float,
                  action_name: Any = None) -> Any:
        """The coroutine's result, computed in a worker; ``ActionDeadlineExceeded`` past the deadline."""
        started = time.monotonic()
        future = self._pool.submit(_run_in_worker, make_coroutine)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=deadline_seconds)
        except asyncio.TimeoutError:
            if not future.cancel():  # already running: let it finish, and say how it ended
                future.add_done_callback(_late_outcome(action_name, started))
            raise ActionDeadlineExceeded(action_name, deadline_seconds) from None

    def shutdown(self) -> None:
        """No new calls; running ones finish in their threads (not waited for)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _late_outcome(action_name: Any, started: float) -> Callable[[concurrent.futures.Future], None]:
    def log(future: concurrent.futures.Future) -> None:
        took = time.monotonic() - started
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            logger.warning("action %s finished after %.1f s, past its deadline; its answer was dropped",
                           action_name, took)
        else:
            logger.warning("action %s raised %s after %.1f s, past its deadline", action_name,
                           type(exc).__name__, took)

    return log
