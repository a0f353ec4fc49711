"""Side-by-side timing: every candidate of a comparison runs once per round, the
rounds repeat, and each candidate's median over the rounds is its time.

Interleaving the candidates (rather than timing one, then the next) exposes them
to the same background load, which on a shared machine drifts from second to
second; the ratios of the medians are then far steadier than the times.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Seconds per call of one candidate: the median over the rounds, and the spread."""

    seconds: float
    low: float
    high: float
    rounds: int
    calls_per_round: int
    samples: list[float] = field(repr=False, default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "seconds": self.seconds,
            "min": self.low,
            "max": self.high,
            "rounds": self.rounds,
            "calls_per_round": self.calls_per_round,
        }


def _calls_for(function: Callable[[], object], budget: float) -> int:
    """How many back-to-back calls take about `budget` seconds (at least one)."""
    start = time.perf_counter()
    function()
    once = time.perf_counter() - start
    return max(1, int(budget / max(once, 1e-7)))


# OpenBLAS's worker threads keep spinning for a while (about 0.1 s) after a BLAS
# call returns: a candidate timed right after NumPy's or scikit-learn's threaded
# BLAS finds the other core busy (measured: descend's two-thread Hessian at
# 500k×100 took 127 ms right after X.T @ X, 74 ms on its own and 0.2 s later).
# Each timed call of a slow candidate therefore starts after a pause (not a fast
# one's: after a pause a microsecond call meets cold caches and a sleeping core).
SETTLE_SECONDS = 0.2
SLOW_SECONDS = 0.002


def side_by_side(
    candidates: dict[str, Callable[[], object]],
    repeats: int,
    warmup: int = 1,
    min_round_seconds: float = 0.0,
) -> dict[str, Timing]:
    """Times every candidate `repeats` times, interleaved, after `warmup` untimed rounds.

    With ``min_round_seconds`` > 0, a fast candidate is called several times per
    round (as many as fill that time) and its time is the mean per call, so that
    microsecond calls are not lost in the timer's resolution. Otherwise each call
    of a candidate slower than SLOW_SECONDS starts SETTLE_SECONDS after the
    previous one ended, when other libraries' spinning threads have gone idle.
    """
    warm: dict[str, float] = {name: 0.0 for name in candidates}
    for _ in range(warmup):
        for name, function in candidates.items():
            start = time.perf_counter()
            function()
            warm[name] = time.perf_counter() - start
    calls = {
        name: _calls_for(function, min_round_seconds) if min_round_seconds > 0 else 1
        for name, function in candidates.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for round_ in range(repeats):
        # Rotate the order so that no candidate always follows the same one.
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            function, number = candidates[name], calls[name]
            if min_round_seconds <= 0 and warm[name] > SLOW_SECONDS:
                time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            for _ in range(number):
                function()
            samples[name].append((time.perf_counter() - start) / number)
    return {
        name: Timing(
            seconds=statistics.median(values),
            low=min(values),
            high=max(values),
            rounds=len(values),
            calls_per_round=calls[name],
            samples=values,
        )
        for name, values in samples.items()
    }


def ratio(a: Timing, b: Timing) -> float:
    """a's time over b's: the median of the per-round ratios (the two ran in the same
    round, under the same load), which is steadier than the ratio of the medians."""
    return statistics.median(x / y for x, y in zip(a.samples, b.samples))
