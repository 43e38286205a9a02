"""How citizens name regions and what the service point of each region is called (pure logic)."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlparse

from catalog.words import load_place_suffixes

_MIN_BARE_TOWN_NAME = 2  # 「龙台」 yes; a one-character bare name would hit everywhere


def spoken_village_name(official: str) -> str:
    """「XX村委会」→「XX村」，「XX社区居委会」→「XX社区」; other names unchanged."""
    # Official committee names → what people say (catalog/data/words/places.yaml).
    for suffix, replacement in load_place_suffixes().villages:
        if official.endswith(suffix) and len(official) > len(suffix):
            return official[: -len(suffix)] + replacement
    return official


def region_aliases(name: str, level: str) -> list[str]:
    """Names other than the official one that refer to the region, most specific first."""
    aliases: list[str] = []
    if level == "village":
        spoken = spoken_village_name(name)
        if spoken != name:
            aliases.append(spoken)
    elif level == "town":
        for suffix, replacement in load_place_suffixes().towns:
            if name.endswith(suffix) and len(name) > len(suffix):
                base = name[: -len(suffix)]
                if replacement:
                    aliases.append(base + replacement)
                if len(base) >= _MIN_BARE_TOWN_NAME:
                    aliases.append(base)
                break
    return [alias for alias in dict.fromkeys(aliases) if alias != name]


def service_point_name(region_name: str, level: str) -> str:
    if level in ("county", "city"):
        return f"{region_name}政务服务中心"
    if level == "town":
        return f"{region_name}便民服务中心"
    return f"{spoken_village_name(region_name)}便民服务站"


def item_code_from_url(guide_url: str) -> tuple[str, str] | None:
    """(first segment, full itemCode) of the official guide link, or None without an itemCode."""
    values = parse_qs(urlparse(guide_url).query).get("itemCode")
    if not values or not values[0].strip():
        return None
    full = values[0].strip()
    return full.split("-")[0], full


def disambiguated_code(segment: str, full_item_code: str) -> str:
    """Code for an item whose first itemCode segment is shared (docs/INTERNAL_API.md)."""
    return f"{segment}-{hashlib.sha1(full_item_code.encode('utf-8')).hexdigest()[:6]}"
