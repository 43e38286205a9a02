"""The catalog queries' own values: targets, places and search hits (immutable dataclasses).

What the queries hand to the channels (materials, locations, questions, the payloads) is the
contract, catalog/contract.py."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

LEVEL_RANK = {"village": 0, "town": 1, "county": 2, "city": 3}


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
