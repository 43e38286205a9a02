"""One writer thread for what the chat path hands over without waiting: the exchange log's turns
(api/exchange_log.py) and the shared answers (api/shares.py). The chat path queues (``put``, never
blocks); the thread stores in batches of up to ``batch_size``, waiting up to ``batch_seconds`` for
more; ``flush`` waits until what is queued is stored; ``close`` stores it and stops the thread."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Optional

logger = logging.getLogger(__name__)

_STOP = object()


class BatchWriter:
    def __init__(self, name: str, store: Callable[[list[Any]], None], limit: int, batch_size: int,
                 batch_seconds: float = 0.0) -> None:
        """``store(batch)`` writes one batch; an exception it raises is logged and the thread goes on."""
        self.name = name
        self._store = store
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=limit)
        self._batch_size = batch_size
        self._batch_seconds = batch_seconds
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def put(self, item: Any) -> bool:
        """Queue ``item``; False (nothing queued) when the queue is full."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            return False
        return True

    def flush(self) -> None:
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join()

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch, stop = [], first is _STOP
            if not stop:
                batch.append(first)
            while not stop and len(batch) < self._batch_size:
                try:
                    more = (self._queue.get(timeout=self._batch_seconds) if self._batch_seconds
                            else self._queue.get_nowait())
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                else:
                    batch.append(more)
            try:
                if batch:
                    self._store(batch)
            except Exception:  # the writer must outlive any one bad batch
                logger.exception("%s: could not store %d item(s)", self.name, len(batch))
            finally:
                for _ in range(len(batch) + (1 if stop else 0)):
                    self._queue.task_done()
            if stop:
                return
