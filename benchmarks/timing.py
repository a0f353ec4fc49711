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


def side_by_side(
    candidates: dict[str, Callable[[], object]],
    repeats: int,
    warmup: int = 1,
    min_round_seconds: float = 0.0,
) -> dict[str, Timing]:
    """Times every candidate `repeats` times, interleaved, after `warmup` untimed rounds.

    With ``min_round_seconds`` > 0, a fast candidate is called several times per
    round (as many as fill that time) and its time is the mean per call, so that
    microsecond calls are not lost in the timer's resolution.
    """
    for _ in range(warmup):
        for function in candidates.values():
            function()
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
