"""Plain, JSON-friendly results of the catalog queries (``dataclasses.asdict`` works on all)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional

Level = Literal["village", "town", "county", "city"]
LEVEL_RANK = {"village": 0, "town": 1, "county": 2, "city": 3}
# The human route every channel offers (the handoff payload, the answers' "where to ask").
HOTLINE = "12345"


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    kind: Literal["item", "bundle"]
    score: float  # 0..100, best first


@dataclass(frozen=True)
class Target:
    code: str
    name: str
    kind: Literal["item", "bundle"]
    level: str
    department: Optional[str]
    time_limit: Optional[str] = None
    fee: Optional[str] = None
    trips: Optional[int] = None
    online: Optional[str] = None
    process: Optional[str] = None
    guide_url: Optional[str] = None
    source: str = "real"  # real | authored sample
    has_guide: bool = False  # materials and situation facts were authored
    official_guide: bool = False  # materials and facts come from the published official guide
    address: Optional[str] = None  # the handling window, when the official guide names one
    hours: Optional[str] = None
    phone: Optional[str] = None
    region_code: Optional[str] = None


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class Place:
    town: Optional[RegionRef] = None
    village: Optional[RegionRef] = None

    @property
    def is_empty(self) -> bool:
        return self.town is None and self.village is None


@dataclass(frozen=True)
class Question:
    slot: str  # a fact key, "place" or "item"
    text: str
    options: list[dict[str, Any]] = field(default_factory=list)  # [{"value", "label"}]


@dataclass(frozen=True)
class MaterialOut:
    name: str
    copies: Optional[int]
    form: Optional[str]
    note: Optional[str]
    condition: Optional[str]  # None = applies plainly; else e.g. 「如委托他人办理」
    # Official guides only (None for authored ones): required or optional, 原件 count (``copies``
    # then counts 复印件), paper/electronic, and the guide's full notes.
    required: Optional[bool] = None
    originals: Optional[int] = None
    medium: Optional[str] = None
    details: Optional[str] = None


@dataclass(frozen=True)
class LocationOut:
    level: str
    name: str
    address: Optional[str] = None
    hours: Optional[str] = None
    phone: Optional[str] = None
    note: Optional[str] = None
