"""Pictures of convergence: how fast solvers approach the optimum, and what the
learning rate does to gradient descent.

Both functions return a ``matplotlib.figure.Figure`` built without pyplot (no
global state, no window): save it with ``fig.savefig("name.png")``, or let a
notebook display it. Needs matplotlib (``pip install "descend[plot]"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._result import FloatArray, LearningRateSweep, OptimizeResult, Status

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["conditioning", "convergence", "learning_rates", "paths", "steps_1d"]

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


def _dim(cost: Any) -> int:
    dim = getattr(cost, "dim", None)
    return int(dim() if callable(dim) else dim) if dim is not None else -1


def steps_1d(
    cost: Any,
    x0: float,
    rates: Sequence[float],
    *,
    steps: int = 10,
    title: str | None = "Gradient descent on one parameter: the learning rate, and Newton's 1/f″",
) -> Figure:
    """The seed's picture: a one-parameter cost (``dim == 1``, with ``value``, ``gradient`` and
    ``hessian``: a :class:`descend.Cost` of one feature without intercept, or your own object),
    its curve, and ``steps`` iterates from ``x0`` of fixed-step gradient descent at each rate in
    ``rates`` (say a too-small, a good and a too-large one) and of Newton's step
    x ← x − f′(x)/f″(x), drawn on the curve, one colour each. A diverging run is drawn while it
    stays near the others (its legend says so). Returns the Figure.
    """
    from .solvers import gradient_descent, newton

    if _dim(cost) != 1:
        raise ValueError(f"steps_1d needs a cost of one parameter (dim == 1), got dim {_dim(cost)}")
    if not rates:
        raise ValueError("rates must hold at least one learning rate")
    start = np.array([float(x0)])
    runs = [(f"gradient descent, α = {rate:g}", gradient_descent(cost, start, learning_rate=float(rate),
             max_iter=steps, tol=0.0, store_path=True)) for rate in rates]  # fmt: skip
    runs.append(("Newton, α = 1/f″(x)", newton(cost, start, max_iter=steps, tol=0.0, store_path=True)))
    calm = [r.history.x[:, 0] for _, r in runs if r.status is not Status.DIVERGED and r.history.x is not None]
    centre = float(runs[-1][1].x[0])
    span = max(float(np.max(np.abs(np.concatenate(calm) - centre))), 1e-3)
    lo, hi = centre - 1.15 * span, centre + 1.15 * span
    grid = np.linspace(lo, hi, 400)
    curve = np.array([cost.value(np.array([t])) for t in grid])

    figure = _new_figure(8.0, 5.2)
    axes = figure.subplots()
    axes.plot(grid, curve, color="0.35", linewidth=2, label="J(x)")
    shown_values = [float(cost.value(start))]
    for i, (name, result) in enumerate(runs):
        assert result.history.x is not None
        path = result.history.x[:, 0]
        inside = np.abs(path - centre) <= 1.15 * span
        shown = path[: int(np.argmin(inside)) if not inside.all() else len(path)]
        values = np.array([cost.value(np.array([t])) for t in shown])
        shown_values.extend(values.tolist())
        colour = COLOURS[i % len(COLOURS)]
        note = " (diverges)" if result.status is Status.DIVERGED or not inside.all() else ""
        axes.plot(shown, values, color=colour, marker="o", markersize=5, linewidth=1, alpha=0.9,
                  label=f"{name}{note}")  # fmt: skip
    axes.plot([start[0]], [cost.value(start)], "k*", markersize=12, label="start x₀")
    axes.set_xlim(lo, hi)
    bottom, top = float(np.min(curve)), max(shown_values)
    height = max(top - bottom, 1e-12)
    axes.set_ylim(bottom - 0.08 * height, top + 0.45 * height)  # the iterates fill the view, the legend above
    axes.set_xlabel("x")
    axes.set_ylabel("cost J(x)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    if title:
        axes.set_title(title)
    return figure


def paths(
    cost: Any,
    results: OptimizeResult | Sequence[OptimizeResult],
    labels: Sequence[str] | None = None,
    *,
    title: str | None = "Paths of the solvers",
) -> Figure:
    """The contour lines of a two-parameter cost (``dim == 2``: a :class:`descend.Cost` of two
    features without intercept, or any object with ``dim`` and ``value``) with the path of
    each result drawn on it (results made with ``store_path=True``), the optimum marked (the
    lowest point any result or an L-BFGS run reached), the view holding every path. Returns the Figure.
    """
    from .solvers import lbfgs

    runs = _as_results(results)
    if _dim(cost) != 2:
        raise ValueError(f"paths needs a cost of two parameters (dim == 2), got dim {_dim(cost)}")
    if any(r.history.x is None for r in runs):
        raise ValueError("paths needs every result's path: run the solvers with store_path=True")
    names = [r.method or f"run {i + 1}" for i, r in enumerate(runs)] if labels is None else list(labels)
    if len(names) != len(runs):
        raise ValueError(f"labels must name every result: got {len(names)} labels for {len(runs)} results")
    optimum = lbfgs(cost, runs[0].x, tol=1e-12)
    points = np.vstack([r.history.x for r in runs if r.history.x is not None] + [optimum.x[None, :]])
    points = points[np.all(np.isfinite(points), axis=1)]
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.08 * np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad, hi + pad
    u, v = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
    values = np.array([cost.value(np.array([a, b])) for a, b in zip(u.ravel(), v.ravel())]).reshape(u.shape)
    gap = np.maximum(values - optimum.fun, 0.0)
    top = float(np.nanmax(gap))
    levels = np.geomspace(max(top * 1e-6, 1e-12), top, 14) if top > 0 else None

    figure = _new_figure(7.5, 6.2)
    axes = figure.subplots()
    axes.contour(u, v, gap, levels=levels, colors="0.6", linewidths=0.8)
    for i, (run, name) in enumerate(zip(runs, names)):
        assert run.history.x is not None
        colour = COLOURS[i % len(COLOURS)]
        marker = "o" if len(run.history.x) <= 60 else None
        axes.plot(run.history.x[:, 0], run.history.x[:, 1], color=colour, marker=marker, markersize=3,
                  linewidth=1.4, label=f"{name} ({len(run.history.x) - 1} steps)")  # fmt: skip
    axes.plot(*optimum.x, marker="*", color="k", markersize=14, linestyle="none", label="optimum")
    axes.set_xlim(lo[0], hi[0])
    axes.set_ylim(lo[1], hi[1])
    axes.set_xlabel("x₁")
    axes.set_ylabel("x₂")
    axes.legend(fontsize="small")
    if title:
        axes.set_title(title)
    return figure


class _Quadratic:
    """J(x) = ½(x₁² + κx₂²): curvatures 1 and κ, condition number κ, minimum 0 at 0."""

    dim = 2

    def __init__(self, kappa: float) -> None:
        self.curvature = np.array([1.0, float(kappa)])

    def value(self, x: Any) -> float:
        return float(0.5 * np.dot(self.curvature, np.asarray(x) ** 2))

    def gradient(self, x: Any) -> FloatArray:
        gradient: FloatArray = self.curvature * np.asarray(x)
        return gradient

    def hessian(self, x: Any) -> FloatArray:
        return np.diag(self.curvature)


CONDITIONING_METHODS = ("gd", "momentum", "newton")


def conditioning_iterations(kappa: float, method: str, *, tol: float = 1e-8, max_iter: int = 100_000) -> int:
    """Iterations from (1, 1) until max|∇J| ≤ tol on ½(x₁² + κx₂²), by ``method``: ``"gd"`` with
    α = 1/L, ``"momentum"`` with the heavy ball's optimal α = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))²,
    ``"newton"`` (L = κ, μ = 1)."""
    from .solvers import gradient_descent, newton, sgd

    cost, start = _Quadratic(kappa), np.ones(2)
    if method == "gd":
        result = gradient_descent(cost, start, learning_rate=1.0 / kappa, max_iter=max_iter, tol=tol)
    elif method == "momentum":
        root = math.sqrt(kappa)
        beta = ((root - 1) / (root + 1)) ** 2
        rate = 4.0 / (root + 1.0) ** 2
        result = sgd(cost, start, learning_rate=rate, momentum=beta, batch_size=None, epochs=max_iter, tol=tol)
    elif method == "newton":
        result = newton(cost, start, max_iter=max_iter, tol=tol)
    else:
        raise ValueError(f"methods must be among {', '.join(map(repr, CONDITIONING_METHODS))}, got {method!r}")
    return result.nit if result.success else -1


def conditioning(
    kappas: Sequence[float] = (1, 10, 100, 1000),
    methods: Sequence[str] = CONDITIONING_METHODS,
    *,
    title: str | None = "Iterations against the condition number",
) -> Figure:
    """Iterations to converge (max|∇J| ≤ 1e-8 from (1, 1)) against the condition number κ, on the
    quadratics ½(x₁² + κx₂²), log axes, one line per method (:func:`conditioning_iterations`):
    gradient descent grows like κ, the heavy ball like √κ, Newton takes one step whatever κ.
    Returns the Figure."""
    values = [float(k) for k in kappas]
    if not values or any(not (k >= 1 and math.isfinite(k)) for k in values):
        raise ValueError(f"kappas must be condition numbers >= 1, got {list(kappas)}")
    names = {"gd": "gradient descent, α = 1/L", "momentum": "heavy ball, optimal α and β", "newton": "Newton"}
    figure = _new_figure(7.0, 5.0)
    axes = figure.subplots()
    for i, method in enumerate(methods):
        counts = [conditioning_iterations(k, method) for k in values]
        shown = [(k, max(c, 1)) for k, c in zip(values, counts) if c >= 0]
        axes.plot([k for k, _ in shown], [c for _, c in shown], marker="o", color=COLOURS[i % len(COLOURS)],
                  label=names.get(method, method))  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("condition number κ = L/μ")
    axes.set_ylabel("iterations to max|∇J| ≤ 1e-8")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize="small")
    if title:
        axes.set_title(title)
    return figure
