"""Shared timing helper for the benches: medians of repeated rounds, as rates."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], rounds: int = 9, per_round: int = 40) -> float:
    """Milliseconds per call of ``fn``: the median over ``rounds`` rounds of ``per_round`` calls."""
    return 1000 / per_second(fn, rounds=rounds, per_round=per_round)


def per_second(fn: Callable[[], object], rounds: int = 7, per_round: int = 300) -> float:
    """Calls per second of ``fn``: the median over ``rounds`` rounds of ``per_round`` calls."""
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(per_round):
            fn()
        samples.append(per_round / (time.perf_counter() - began))
    return statistics.median(samples)
