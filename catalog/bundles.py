"""一件事 (bundles): which one several named items make, and which members a citizen's facts keep."""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.cache import cached
from catalog.facts import open_parts
from catalog.models import Bundle, BundleMember


def _bundle_members(session: Session) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for bundle_code, item_code in session.execute(select(BundleMember.bundle_code, BundleMember.item_code)):
        members.setdefault(bundle_code, set()).add(item_code)
    return {code: frozenset(items) for code, items in members.items()}


def bundle_named_by(session: Session, codes: Iterable[str]) -> Optional[str]:
    """The 一件事 a question names through its parts, when the citizen names several targets.

    「宝宝出生了，出生证、户口、医保能一起办不」 names 《出生医学证明》 and 户口登记: two members of
    新生儿出生一件事, so the bundle is what they need. A bundle is named when at least two of its
    members are among ``codes``, or when it is among them together with one of its members.
    Several bundles qualifying equally name none (None: the caller asks which).
    """
    named = set(codes)
    scored = []
    for bundle_code, members in cached(session, "bundle_members", _bundle_members).items():
        hits = len(named & members)
        if hits >= 2 or (hits >= 1 and bundle_code in named):
            scored.append((hits + (bundle_code in named), bundle_code))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def applicable_members(bundle: Bundle, facts: Mapping[str, str]) -> list:
    """Members whose condition holds or is not yet known (kept, their materials then conditional)."""
    return [member for member in bundle.members if open_parts(member.condition, facts) is not None]
