"""Every app worker follows the curators' phrasings: when another worker attached or undid one (the
version in ``catalog_meta`` changed), this worker forgets its resolver index too, so the next
message it reads uses the new phrasing. One primary-key read every CHECK_SECONDS; no restart."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from starlette.concurrency import run_in_threadpool

from catalog import curation

logger = logging.getLogger(__name__)

CHECK_SECONDS = 5.0


def check_once(resources: Any, seen: Optional[str]) -> Optional[str]:
    """The current version; forgets the resolver when it differs from ``seen``."""
    with resources.catalog_sessions() as session:
        current = curation.version(session)
        if current != seen:
            curation.forget_resolver(session)
    return current


async def watch(resources: Any, every: float = CHECK_SECONDS) -> None:
    seen: Optional[str] = None
    first = True
    while True:
        try:
            current = await run_in_threadpool(check_once, resources, seen)
            if current != seen and not first:
                logger.info("curators' phrasings changed: the resolver is rebuilt on its next use")
            seen, first = current, False
        except Exception as error:  # a catalog not yet loaded or migrated: try again later
            logger.debug("curation watch: %s", type(error).__name__)
        await asyncio.sleep(every)


def start(resources: Any) -> "asyncio.Task[None]":
    return asyncio.get_running_loop().create_task(watch(resources), name="curation-watch")
