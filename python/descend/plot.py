"""Pictures of convergence: how fast solvers approach the optimum, and what the
learning rate does to gradient descent.

Both functions return a ``matplotlib.figure.Figure`` built without pyplot (no
global state, no window): save it with ``fig.savefig("name.png")``, or let a
notebook display it. Needs matplotlib (``pip install "descend[plot]"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._result import FloatArray, LearningRateSweep, OptimizeResult, Status

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["convergence", "learning_rates"]

# Colours that stay distinct for the colour-blind (Okabe–Ito).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def _new_figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(
            'descend.plot needs matplotlib: pip install "descend[plot]" (or pip install matplotlib)'
        ) from None
    return Figure(figsize=(width, height), layout="constrained")


def _as_results(results: OptimizeResult | Sequence[OptimizeResult]) -> list[OptimizeResult]:
    if isinstance(results, OptimizeResult):
        return [results]
    listed = list(results)
    if not listed or not all(isinstance(result, OptimizeResult) for result in listed):
        raise TypeError("results must be an OptimizeResult or a non-empty sequence of them")
    return listed


def _best_cost(results: Sequence[OptimizeResult]) -> float:
    finals = [float(np.min(r.history.cost[np.isfinite(r.history.cost)], initial=np.inf)) for r in results]
    best = min(finals)
    if not math.isfinite(best):
        raise ValueError("no result has a finite cost to plot")
    return best


def _gap(cost: FloatArray, optimum: float) -> tuple[FloatArray, float]:
    """J(w_k) − J*, floored at the rounding level of J* (where the gap is zero or below)."""
    floor = float(np.finfo(np.float64).eps) * max(1.0, abs(optimum))
    gap = np.where(np.isfinite(cost), cost - optimum, np.nan)
    return np.maximum(gap, floor), floor


def convergence(
    results: OptimizeResult | Sequence[OptimizeResult],
    labels: Sequence[str] | None = None,
    *,
    optimum: float | None = None,
    title: str | None = "Convergence",
) -> Figure:
    """Two panels against iteration, both on a log scale: the cost gap
    J(w_k) − J* (J* = ``optimum``, by default the lowest cost any result reached)
    and the gradient's max-norm max|∇J(w_k)|, one line per result.

    ``labels`` name the results (default: each result's method). A gap at or below
    the rounding level ε·max(1, |J*|) is drawn at that level (dotted line). Returns
    the Figure.
    """
    runs = _as_results(results)
    names = [r.method or f"run {i + 1}" for i, r in enumerate(runs)] if labels is None else list(labels)
    if len(names) != len(runs):
        raise ValueError(f"labels must name every result: got {len(names)} labels for {len(runs)} results")
    best = _best_cost(runs) if optimum is None else float(optimum)

    figure = _new_figure(11.0, 4.6 + 0.22 * ((len(runs) + 1) // 2))
    gap_axes, grad_axes = figure.subplots(1, 2, sharex=True)
    floor = float(np.finfo(np.float64).eps)
    for i, (run, name) in enumerate(zip(runs, names)):
        colour = COLOURS[i % len(COLOURS)]
        iterations = np.arange(len(run.history))
        gap, floor = _gap(run.history.cost, best)
        label = f"{name} ({run.status})"
        marker = "o" if len(iterations) <= 30 else None
        gap_axes.plot(iterations, gap, color=colour, marker=marker, markersize=3, label=label)
        grad = np.where(np.isfinite(run.history.grad_norm), run.history.grad_norm, np.nan)
        grad_axes.plot(iterations, grad, color=colour, marker=marker, markersize=3, label=label)
    gap_axes.axhline(floor, color="0.5", linestyle=":", linewidth=1)
    gap_axes.annotate(
        "rounding level", xy=(1.0, floor), xycoords=("axes fraction", "data"), xytext=(-4, 3),
        textcoords="offset points", ha="right", va="bottom", fontsize="x-small", color="0.4",
    )  # fmt: skip

    lengths = [len(run.history) - 1 for run in runs]
    long_and_short = max(lengths) > 10 * max(1, min(lengths)) and max(lengths) > 50
    for axes in (gap_axes, grad_axes):
        axes.set_yscale("log")
        if long_and_short:  # short runs would be squeezed against the axis
            axes.set_xscale("symlog", linthresh=10, linscale=1.5)
            axes.set_xlabel("iteration (logarithmic beyond 10)")
        else:
            axes.set_xlabel("iteration")
        axes.set_xlim(left=0)
        axes.grid(True, which="major", alpha=0.3)
    gap_axes.set_ylabel("cost − best cost   J(w) − J*")
    gap_axes.set_title("distance to the optimum")
    grad_axes.set_ylabel("gradient max-norm   max|∇J(w)|")
    grad_axes.set_title("gradient")
    if len(runs) > 1 or labels is not None:
        handles, texts = grad_axes.get_legend_handles_labels()
        figure.legend(handles, texts, loc="outside lower center", ncols=2 if len(runs) > 3 else len(runs),
                      fontsize="small", frameon=False)  # fmt: skip
    if title:
        figure.suptitle(title)
    return figure


def _verdict(rate: float, result: OptimizeResult, best_rate: float | None) -> tuple[str, str]:
    if result.status is Status.DIVERGED:
        return "too large: diverges", "#D55E00"
    if rate == best_rate:
        return ("good: converges" if result.success else "best of these"), "#009E73"
    if result.success:
        return "converges", "#009E73"
    if best_rate is not None and rate > best_rate:
        return "large: oscillates", "#E69F00"
    return "too small: slow", "#0072B2"


def learning_rates(
    sweep: LearningRateSweep,
    *,
    optimum: float | None = None,
    title: str | None = "Gradient descent: the learning rate",
) -> Figure:
    """The learning rate's effect, one panel per rate of a
    :func:`descend.learning_rate_sweep`, side by side with a shared log-scale
    y-axis: the cost gap J(w_k) − J* against iteration (J* = ``optimum``, by
    default the lowest cost in the sweep; pass Newton's ``result.fun`` for the
    true one). Too small a rate creeps down, a good one drops fast, too large a
    one climbs. Each panel's title gives the rate and the verdict. Returns the Figure.
    """
    if not isinstance(sweep, LearningRateSweep) or len(sweep) == 0:
        raise TypeError("sweep must be a non-empty descend.LearningRateSweep (from descend.learning_rate_sweep)")
    best = _best_cost(sweep.results) if optimum is None else float(optimum)
    try:
        best_rate: float | None = sweep.best[0]
    except ValueError:  # every rate diverged
        best_rate = None

    count = len(sweep)
    figure = _new_figure(min(4.0 * count, 16.0), 4.0)
    panels: list[Axes] = list(np.atleast_1d(figure.subplots(1, count, sharey=True, squeeze=False)[0]))
    for axes, (rate, result) in zip(panels, sweep):
        verdict, colour = _verdict(rate, result, best_rate)
        iterations = np.arange(len(result.history))
        gap, floor = _gap(result.history.cost, best)
        axes.plot(iterations, gap, color=colour, linewidth=1.8)
        axes.axhline(floor, color="0.5", linestyle=":", linewidth=1)
        axes.set_yscale("log")
        axes.set_ylim(bottom=floor / 10)
        axes.set_title(f"α = {rate:g}\n{verdict}", color=colour)
        axes.set_xlabel("iteration")
        axes.grid(True, which="major", alpha=0.3)
        axes.annotate(
            f"{result.status}, {result.nit} iterations",
            xy=(0.03, 0.09), xycoords="axes fraction", ha="left", va="bottom", fontsize="small",
        )  # fmt: skip
    panels[0].set_ylabel("cost − best cost   J(w) − J*")
    if title:
        figure.suptitle(title)
    return figure
