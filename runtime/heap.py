"""Keep the start-up heap out of Python's full garbage collections (the app and the bot processes).

After `rasa run` has loaded its model the heap holds about 780,000 container objects (TensorFlow,
spaCy, the graph, the catalog vocabulary); a full (generation 2) collection walks all of them
and took 730–780 ms on this machine (docs/BENCHMARKS.md). Such a collection stops every
conversation of the process at once, and it comes whenever enough new objects have survived
(remembered trackers, catalog memos), i.e. at a random turn. None of the start-up objects ever
becomes garbage, so walking them finds nothing.

``freeze_startup_heap`` collects once, then moves every surviving object to the permanent
generation (``gc.freeze``, Python ≥ 3.7): later collections walk only what was created after
start-up. Objects are still freed by reference counting as before; only reference cycles among
frozen objects are never collected, which is why it runs after loading (a model loaded again
through Rasa's API unfreezes first, so the previous model's cycles are collected).

``watch_slow_collections`` logs every collection slower than SLOW_COLLECTION_MS, so a pause that
comes back is seen in the logs rather than guessed from a latency percentile.
"""
from __future__ import annotations

import gc
import logging
import time
from typing import Any, Dict

logger = logging.getLogger(__name__)

SLOW_COLLECTION_MS = 50.0
_started: Dict[str, float] = {}


def freeze_startup_heap(what: str) -> float:
    """Collect, then freeze what survives; returns the milliseconds it took (logged with ``what``)."""
    started = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("%s: start-up heap frozen (%d objects) in %.0f ms; full collections skip it",
                what, gc.get_freeze_count(), elapsed_ms)
    watch_slow_collections()
    return elapsed_ms


def _on_collection(phase: str, info: Dict[str, Any]) -> None:
    if phase == "start":
        _started["at"] = time.perf_counter()
        return
    began = _started.pop("at", None)
    if began is None:
        return
    elapsed_ms = (time.perf_counter() - began) * 1000
    if elapsed_ms >= SLOW_COLLECTION_MS:
        logger.warning("garbage collection of generation %s paused the process for %.0f ms (%s collected)",
                       info.get("generation"), elapsed_ms, info.get("collected"))


def watch_slow_collections() -> None:
    """Log collections slower than SLOW_COLLECTION_MS (installed once per process)."""
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)
