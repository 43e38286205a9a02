"""Every app worker follows the curators' phrasings: when another worker attached or undid one (the
version in ``catalog_meta`` differs from the one this worker's resolver index was built from), this
worker builds its index again too, off the chat's path, and the messages it reads next use the new
phrasing. The worker that took the curator's request has built it already and does nothing more.
One primary-key read every CHECK_SECONDS; no restart."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from starlette.concurrency import run_in_threadpool

from catalog import curation
from catalog.ranking import refresh_resolver, resolver_behind

logger = logging.getLogger(__name__)

CHECK_SECONDS = 5.0


def check_once(resources: Any) -> tuple[Optional[str], bool]:
    """(the current version, whether the resolver was built again here): again when this worker's
    index was built from another version (here, off the chat's path: the messages read meanwhile use
    the old index). An index not built yet is left to its first use."""
    with resources.catalog_sessions() as session:
        current = curation.version(session)
        behind = resolver_behind(session, current)
        if behind:
            refresh_resolver(session)
    return current, behind


async def watch(resources: Any, every: float = CHECK_SECONDS) -> None:
    while True:
        try:
            current, built = await run_in_threadpool(check_once, resources)
            if built:
                logger.info("curators' phrasings changed (version %s): the resolver was built again", current)
        except Exception as error:  # a catalog not yet loaded or migrated: try again later
            logger.debug("curation watch: %s", type(error).__name__)
        await asyncio.sleep(every)


def start(resources: Any) -> "asyncio.Task[None]":
    return asyncio.get_running_loop().create_task(watch(resources), name="curation-watch")
