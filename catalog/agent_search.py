"""Search for hotline agents: the item or 一件事 a caller means, best first, without scores.

The chat answers one target or asks; an agent reads a short list and picks. The list leads with
what the general resolver (the chat's own understanding, ``queries.resolve``) ranks, then fills
with the catalog search's close names. ``listed`` is false when neither finds the need on the list,
and the console then offers the 12345 工单 route instead of a guess.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from catalog.queries import resolve, search


@dataclass(frozen=True)
class AgentHit:
    code: str
    name: str
    kind: str  # item | bundle


@dataclass(frozen=True)
class AgentSearch:
    query: str
    results: tuple[AgentHit, ...]
    listed: bool  # false: nothing on the list fits; the agent files a 12345 工单


def agent_search(session: Session, text: str, limit: int = 10) -> AgentSearch:
    resolution = resolve(session, text)
    ordered: dict[str, AgentHit] = {}
    for scored in resolution.ranked:
        if not scored.action_differs:
            ordered.setdefault(scored.code, AgentHit(scored.code, scored.name, scored.kind))
    for candidate in search(session, text, limit=limit):
        ordered.setdefault(candidate.code, AgentHit(candidate.code, candidate.name, candidate.kind))
    results = tuple(ordered.values())[:limit]
    return AgentSearch(text, results, listed=resolution.decision != "handoff")
