"""Create Rasa's SQL tracker-store tables once, before the replicas start (bot env).

Several `rasa run` replicas starting together would each run CREATE TABLE on the shared
PostgreSQL database and race; creating them first from the same endpoints file avoids it.
    .venv/bot/bin/python deploy/prepare_tracker_store.py assistant/endpoints.production.yml
"""
from __future__ import annotations

import logging
import sys


def main(endpoints_path: str) -> int:
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    logging.basicConfig(level=logging.WARNING)
    config = read_endpoint_config(endpoints_path, "tracker_store")
    if config is None:
        logging.error("%s has no tracker_store section", endpoints_path)
        return 1
    store = TrackerStore.create(config)
    store.engine.dispose()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "assistant/endpoints.production.yml"))
