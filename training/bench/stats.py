"""Percentiles and summaries shared by every benchmark (latency, load, store, encoder) and the GPU check."""

from __future__ import annotations

import statistics
from collections.abc import Iterable

import numpy as np


def summarize(values: Iterable[float]) -> dict[str, float | int | None]:
    """``n``, ``p50``, ``p95``, ``mean``, ``max`` of a list of milliseconds (None when empty)."""
    data = np.asarray([v for v in values if v is not None], dtype=np.float64)
    if data.size == 0:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    return {
        "n": int(data.size),
        "p50": round(float(np.percentile(data, 50)), 3),
        "p95": round(float(np.percentile(data, 95)), 3),
        "mean": round(float(data.mean()), 3),
        "max": round(float(data.max()), 3),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, 4)


def slope_per_minute(times_s: list[float], values: list[float]) -> float | None:
    """Least-squares slope of ``values`` against time, per minute (None with fewer than 3 samples)."""
    if len(times_s) < 3 or max(times_s) - min(times_s) <= 0:
        return None
    slope, _ = np.polyfit(np.asarray(times_s, dtype=np.float64), np.asarray(values, dtype=np.float64), 1)
    return round(float(slope) * 60.0, 4)


def median_spread(values: list[float]) -> dict[str, float]:
    """``median_ms``, ``min_ms``, ``max_ms`` of a few repeated timings (milliseconds, 0.1 ms)."""
    return {"median_ms": round(statistics.median(values), 1), "min_ms": round(min(values), 1), "max_ms": round(max(values), 1)}
