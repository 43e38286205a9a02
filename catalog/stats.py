"""The one percentile every benchmark here reports (bench, soak, bench-search, bench_action).

Nearest rank, no interpolation: a reported p95 is always one of the measured latencies, the
smallest value that at least 95 % of the samples do not exceed.
"""
from __future__ import annotations

import math
from typing import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in 0..1); NaN for no values."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within 0..1, got {fraction}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
