"""Every app worker follows the curators' phrasings: when another worker attached or undid one (the
version in ``catalog_meta`` changed), this worker builds its resolver index again too, off the chat's
path, and the messages it reads next use the new phrasing. One primary-key read every CHECK_SECONDS;
no restart."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from starlette.concurrency import run_in_threadpool

from catalog import curation
from catalog.ranking import refresh_resolver

logger = logging.getLogger(__name__)

CHECK_SECONDS = 5.0


def check_once(resources: Any, seen: Optional[str]) -> Optional[str]:
    """The current version; builds the resolver again when it differs from ``seen`` (here, off the
    chat's path: the messages read meanwhile use the old index)."""
    with resources.catalog_sessions() as session:
        current = curation.version(session)
        if current != seen and seen is not None:
            refresh_resolver(session)
        elif current != seen:
            curation.forget_resolver(session)
    return current


async def watch(resources: Any, every: float = CHECK_SECONDS) -> None:
    seen: Optional[str] = None
    first = True
    while True:
        try:
            current = await run_in_threadpool(check_once, resources, seen)
            if current != seen and not first:
                logger.info("curators' phrasings changed: the resolver was built again")
            seen, first = current, False
        except Exception as error:  # a catalog not yet loaded or migrated: try again later
            logger.debug("curation watch: %s", type(error).__name__)
        await asyncio.sleep(every)


def start(resources: Any) -> "asyncio.Task[None]":
    return asyncio.get_running_loop().create_task(watch(resources), name="curation-watch")
