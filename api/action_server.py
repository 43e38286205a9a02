"""The action server's pieces inside the app: rasa_sdk's executor that records whether actions fail
(for /health), built with the actions package registered. The webhook itself: api/routes/actions.py."""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from rasa_sdk.executor import ActionExecutor
from sqlalchemy.orm import Session, sessionmaker

from api.action_outcomes import ActionOutcomes

logger = logging.getLogger(__name__)


class TrackedActionExecutor(ActionExecutor):
    """rasa_sdk's executor that remembers whether actions currently fail (a rejection is no failure).

    ``run`` runs and records in one call. The action webhook runs ``run_untracked`` in a worker
    thread (api/action_pool.py) and records with ``record_success`` / ``record_failure`` on the app's
    event loop, where the shared record's Redis client lives.
    """

    def __init__(self, outcomes: ActionOutcomes) -> None:
        super().__init__()
        self._outcomes = outcomes

    async def run(self, action_call):  # type: ignore[override]
        try:
            result = await self.run_untracked(action_call)
        except Exception as exc:
            await self.record_failure(action_call, exc)
            raise
        await self.record_success()
        return result

    async def run_untracked(self, action_call):
        """rasa_sdk's own ``run``: events and responses, nothing recorded."""
        return await super().run(action_call)

    async def record_success(self) -> None:
        outcomes = self._outcomes
        outcomes.succeeded()
        if outcomes.shared:  # without Redis: no await, today's cost
            await outcomes.share_success()

    async def record_failure(self, action_call: Any, exc: BaseException) -> None:
        """A rejection or an unknown action is the caller's doing, not a failing action."""
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        if isinstance(exc, (ActionExecutionRejection, ActionNotFoundException)):
            return
        outcomes = self._outcomes
        outcomes.failed(action_call.get("next_action") if isinstance(action_call, dict) else None, exc)
        if outcomes.shared:
            await outcomes.share_failure()


def build_action_executor(
    package: Optional[str], outcomes: ActionOutcomes, catalog_sessions: Callable[[], sessionmaker[Session]]
) -> tuple[TrackedActionExecutor, Optional[str]]:
    """rasa_sdk's executor with every Action of ``package`` registered, and why the package failed to
    load (None when it loaded). ``catalog_sessions`` gives the app's sessionmaker, asked for only when
    the package loaded.

    rasa_sdk calls ``sys.exit(1)`` when the package fails to import; in a web app that would
    take the chat and guides down with it, so the failure is logged and reported by /health.
    """
    executor = TrackedActionExecutor(outcomes)
    if not package:
        return executor, None
    try:
        executor.register_package(package)
    except SystemExit:
        error = f"actions package {package!r} failed to import"
        logger.error("%s; the /webhook serves no actions", error)
        return executor, error
    hand_catalog_sessions(executor, catalog_sessions())
    return executor, None


def hand_catalog_sessions(executor: ActionExecutor, sessions: sessionmaker[Session]) -> None:
    """Every registered action that reads the catalog (``use_catalog_sessions``, actions/base.py)
    reads the app's: one engine and pool per process, the one /health and the routes use."""
    for run in executor.actions.values():
        use = getattr(getattr(run, "__self__", None), "use_catalog_sessions", None)
        if use is not None:
            use(sessions)
