"""descend.plot: the figures' structure (panels, lines, log scales, labels), the plotted
numbers against the results' own histories, and the error without matplotlib."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import descend
from descend import plot
from descend._datasets import exam_results
from descend._result import LearningRateSweep
from descend.solvers import gradient_descent, learning_rate_sweep, lbfgs, newton


@pytest.fixture(scope="module")
def cost() -> descend.Cost:
    X, y, _ = exam_results()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return descend.Cost(X, y, loss="log_loss", l2=0.01)


def test_convergence_draws_gap_and_gradient_on_log_scales(cost):  # type: ignore[no-untyped-def]
    results = [newton(cost, tol=1e-10), lbfgs(cost, tol=1e-10), gradient_descent(cost, learning_rate=5.0, tol=1e-8)]
    figure = plot.convergence(results, ["Newton", "L-BFGS", "GD"])
    gap_axes, grad_axes = figure.axes
    assert gap_axes.get_yscale() == "log" and grad_axes.get_yscale() == "log"
    assert "iteration" in gap_axes.get_xlabel() and "J(w) − J*" in gap_axes.get_ylabel()
    assert "∇J" in grad_axes.get_ylabel()
    assert len(grad_axes.get_lines()) == 3
    assert len(gap_axes.get_lines()) == 4  # three runs and the rounding level
    legend_texts = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend_texts == ["Newton (converged)", "L-BFGS (converged)", "GD (converged)"]

    best = min(result.fun for result in results)
    floor = np.finfo(float).eps * max(1.0, abs(best))
    for line, result in zip(gap_axes.get_lines(), results):
        expected = np.maximum(result.history.cost - best, floor)
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-15)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(len(result.history)))
    for line, result in zip(grad_axes.get_lines(), results):
        np.testing.assert_array_equal(line.get_ydata(), result.history.grad_norm)


def test_convergence_of_one_result_and_bad_arguments(cost):  # type: ignore[no-untyped-def]
    result = newton(cost)
    figure = plot.convergence(result)
    assert len(figure.axes) == 2 and not figure.legends
    with pytest.raises(ValueError, match="labels must name every result"):
        plot.convergence([result, result], ["only one"])
    with pytest.raises(TypeError, match="OptimizeResult"):
        plot.convergence([1.0])


def test_long_and_short_runs_share_a_readable_axis(cost):  # type: ignore[no-untyped-def]
    slow = gradient_descent(cost, learning_rate=0.05, max_iter=400)
    figure = plot.convergence([newton(cost), slow], ["Newton", "slow"])
    assert figure.axes[0].get_xscale() == "symlog"


def test_learning_rates_shows_slow_good_and_diverging_side_by_side(cost):  # type: ignore[no-untyped-def]
    # 250 diverges for a reason, not by chance: the log loss's gradient is bounded, and the penalty
    # alone multiplies w by 1 − 250·λ = −1.5 each step. (A rate such as 20 oscillates chaotically,
    # and whether that is caught as divergence within 300 steps depends on the last bits.)
    sweep = learning_rate_sweep(cost, [0.05, 5.0, 250.0], max_iter=300, tol=1e-8)
    statuses = [str(result.status) for _, result in sweep]
    assert statuses == ["max_iterations", "converged", "diverged"]
    figure = plot.learning_rates(sweep, optimum=newton(cost, tol=1e-12).fun)
    assert len(figure.axes) == 3
    titles = [axes.get_title() for axes in figure.axes]
    assert "α = 0.05" in titles[0] and "too small" in titles[0]
    assert "α = 5" in titles[1] and "good" in titles[1]
    assert "α = 250" in titles[2] and "too large" in titles[2]
    assert all(axes.get_yscale() == "log" for axes in figure.axes)
    assert figure.axes[0].get_shared_y_axes().joined(figure.axes[0], figure.axes[2])
    assert figure.axes[0].get_ylabel() and all(axes.get_xlabel() == "iteration" for axes in figure.axes)
    assert all(len(axes.get_lines()) == 2 for axes in figure.axes)  # the run and the rounding level


def test_learning_rates_needs_a_sweep():
    with pytest.raises(TypeError, match="LearningRateSweep"):
        plot.learning_rates([])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="LearningRateSweep"):
        plot.learning_rates(LearningRateSweep(rates=np.array([]), results=[]))


def test_figures_save_as_png(cost, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "convergence.png"
    plot.convergence(newton(cost)).savefig(path)
    assert path.read_bytes().startswith(b"\x89PNG")


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import now fails
    result = newton(descend.Cost(np.eye(2), [0.0, 1.0], l2=1.0))
    with pytest.raises(ImportError, match=r'pip install "descend\[plot\]"'):
        plot.convergence(result)


class _Quartic:
    dim = 1

    def value(self, x):  # type: ignore[no-untyped-def]
        return (x[0] - 2.0) ** 4 + x[0]

    def gradient(self, x):  # type: ignore[no-untyped-def]
        return np.array([4.0 * (x[0] - 2.0) ** 3 + 1.0])

    def hessian(self, x):  # type: ignore[no-untyped-def]
        return np.array([[12.0 * (x[0] - 2.0) ** 2]])


def test_steps_1d_draws_each_run_on_the_curve() -> None:
    figure = plot.steps_1d(_Quartic(), 3.0, [0.005, 0.05], steps=6)
    (axes,) = figure.axes
    curve, small, good, newton_line, start = axes.get_lines()
    np.testing.assert_allclose(curve.get_ydata(), [_Quartic().value([t]) for t in curve.get_xdata()])
    expected = gradient_descent(_Quartic(), [3.0], learning_rate=0.05, max_iter=6, tol=0.0, store_path=True)
    assert expected.history.x is not None
    np.testing.assert_allclose(good.get_xdata(), expected.history.x[:, 0])
    np.testing.assert_allclose(good.get_ydata(), [_Quartic().value(x) for x in expected.history.x])
    assert "Newton" in str(newton_line.get_label()) and len(axes.get_legend().get_texts()) == 5
    with pytest.raises(ValueError, match="dim == 1"):
        plot.steps_1d(descend.Cost(np.ones((3, 2)), np.zeros(3)), 0.0, [0.1])


def test_paths_draws_every_iterate_and_the_optimum() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)) * np.array([1.0, 3.0])
    y = X @ np.array([1.0, 0.5]) + rng.normal(size=80)
    cost = descend.Cost(X, y, loss="squared_error", fit_intercept=False)
    runs = [
        gradient_descent(cost, [-2.0, 2.0], learning_rate=0.03, max_iter=30, tol=0.0, store_path=True),
        descend.sgd(cost, [-2.0, 2.0], learning_rate=0.01, momentum=0.8, batch_size=None, epochs=30, store_path=True),
    ]
    figure = plot.paths(cost, runs, ["GD", "momentum"])
    (axes,) = figure.axes
    lines = axes.get_lines()
    for line, run in zip(lines, runs):
        assert run.history.x is not None
        np.testing.assert_allclose(np.column_stack([line.get_xdata(), line.get_ydata()]), run.history.x)
    star = lines[-1]
    np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-6)
    x_lo, x_hi = axes.get_xlim()
    y_lo, y_hi = axes.get_ylim()
    for run in runs:
        assert run.history.x is not None
        assert np.all((run.history.x[:, 0] >= x_lo) & (run.history.x[:, 0] <= x_hi))
        assert np.all((run.history.x[:, 1] >= y_lo) & (run.history.x[:, 1] <= y_hi))
    with pytest.raises(ValueError, match="store_path"):
        plot.paths(cost, [newton(cost)])


def test_conditioning_matches_the_rates_of_convergence() -> None:
    """Gradient descent at α = 1/L on ½(x₁² + κx₂²) shrinks the gradient's flat component by
    1 − 1/κ a step (the steep one vanishes at once): k = ⌈log(1e-8)/log(1 − 1/κ)⌉ exactly. The heavy
    ball's rate is (√κ − 1)/(√κ + 1) (up to the factor k of its double root); Newton takes one step."""
    import math

    figure = plot.conditioning((10, 100, 1000))
    (axes,) = figure.axes
    gd, heavy, newton_line = axes.get_lines()
    np.testing.assert_array_equal(gd.get_xdata(), [10, 100, 1000])
    expected = [math.ceil(math.log(1e-8) / math.log(1 - 1 / k)) for k in (10, 100, 1000)]
    np.testing.assert_array_equal(gd.get_ydata(), expected)
    np.testing.assert_array_equal(newton_line.get_ydata(), [1, 1, 1])
    for k, count in zip((10, 100, 1000), heavy.get_ydata()):
        root = math.sqrt(k)
        estimate = math.log(1e8) / math.log((root + 1) / (root - 1))
        assert 0.8 * estimate <= count <= 3 * estimate
    assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
    with pytest.raises(ValueError, match="kappas"):
        plot.conditioning((0.5,))
