"""descend.reference against independent truths.

The reference is the truth the C++ core and the shared vectors are checked
against, so it is checked here against things that are not itself: closed
forms, high-precision decimal arithmetic, finite differences, row duplication
for weights, scikit-learn and numpy.linalg.lstsq for the minimisers.
"""

from __future__ import annotations

import decimal
import importlib.util
import itertools
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import descend.reference as ref
import numpy as np
import pytest

VECTORS = Path(__file__).resolve().parent / "vectors"


@contextmanager
def strict() -> Iterator[None]:
    """Any warning is an error, and so is any floating-point exception NumPy would report."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        yield


def exact_log_loss(y: float, z: float) -> float:
    """log(1 + eᶻ) − y·z in decimal arithmetic precise enough for 1 + e^{−1000}, rounded once to a double."""
    with decimal.localcontext() as context:
        context.prec = 60 + int(abs(z) / 2)
        zd, yd = decimal.Decimal(z), decimal.Decimal(y)
        return float((1 + zd.exp()).ln() - yd * zd)


def exact_sigmoid(z: float) -> float:
    with decimal.localcontext() as context:
        context.prec = 60
        return float(1 / (1 + (-decimal.Decimal(z)).exp()))


def fd_gradient(f: Callable[[np.ndarray], float], w: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences (f(w + hⱼeⱼ) − f(w − hⱼeⱼ)) / 2hⱼ."""
    g = np.empty_like(w)
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h * max(1.0, abs(w[j]))
        g[j] = (f(w + e) - f(w - e)) / (2.0 * e[j])
    return g


def fd_jacobian(F: Callable[[np.ndarray], np.ndarray], w: np.ndarray, h: float = 1e-6) -> np.ndarray:
    columns = []
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = h * max(1.0, abs(w[j]))
        columns.append((F(w + e) - F(w - e)) / (2.0 * e[j]))
    return np.column_stack(columns)


def close(actual: object, expected: object, tol: float) -> bool:
    """max |a − b| / max(1, |b|) ≤ tol (the measure the C++ tests use)."""
    a, b = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) / np.maximum(1.0, np.abs(b)) <= tol))


def dataset(loss: str, n: int = 25, d: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    signal = X @ rng.normal(size=d) + 0.3
    if loss == "squared_error":
        y = signal + 0.5 * rng.normal(size=n)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-signal))).astype(float)
    return X, y, rng.uniform(0.2, 3.0, size=n)


# ---------------------------------------------------------------------------
# Pointwise functions


def test_log1pexp_matches_high_precision() -> None:
    z = np.array([-800.0, -745.0, -740.0, -40.0, -30.0, -1.0, -1e-10, 0.0, 1e-10, 0.5, 30.0, 40.0, 700.0, 800.0, 1e300])
    with strict():
        got = ref.log1pexp(z)
    for zi, gi in zip(z, got):
        if zi == 1e300:
            assert gi == 1e300
            continue
        assert math.isclose(gi, exact_log_loss(0.0, zi), rel_tol=2e-16, abs_tol=0.0) or gi == exact_log_loss(0.0, zi)


def test_log1pexp_exact_at_800() -> None:
    with strict():
        assert ref.log1pexp(800.0) == 800.0
        assert ref.log1pexp(-800.0) == 0.0
        assert ref.log1pexp(1000.0) == 1000.0
        assert ref.log1pexp(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)


def test_sigmoid_both_tails() -> None:
    z = np.array([-800.0, -740.0, -40.0, -5.0, 0.0, 5.0, 40.0, 800.0])
    with strict():
        s = ref.sigmoid(z)
        mirror = ref.sigmoid(-z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[4] == 0.5
    assert 0.0 < s[1] < 1e-300  # a subnormal, not flushed, not an exception
    for zi, si in zip(z[2:-1], s[2:-1]):
        assert si == pytest.approx(exact_sigmoid(zi), rel=2e-16)
    np.testing.assert_allclose(s + mirror, 1.0, rtol=0, atol=2.3e-16)


def test_squared_error_closed_form() -> None:
    np.testing.assert_array_equal(ref.squared_error([1.0, 2.0, -0.5], [3.0, -1.0, -0.5]), [4.0, 9.0, 0.0])


def test_log_loss_matches_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    y = (rng.random(40) < 0.5).astype(float)
    p = rng.uniform(0.01, 0.99, size=40)
    w = rng.uniform(0.5, 2.0, size=40)
    got = ref.log_loss(y, p)
    assert np.mean(got) == pytest.approx(metrics.log_loss(y, p, labels=[0, 1]), rel=1e-13)
    assert np.average(got, weights=w) == pytest.approx(metrics.log_loss(y, p, sample_weight=w, labels=[0, 1]), rel=1e-13)


def test_log_loss_certain_predictions() -> None:
    with strict():
        got = ref.log_loss([1.0, 0.0, 1.0, 0.0, 0.5], [1.0, 0.0, 0.0, 1.0, 0.5])
    np.testing.assert_array_equal(got, [0.0, 0.0, np.inf, np.inf, math.log(2.0)])
    assert not np.signbit(got[:2]).any()  # +0.0, not −0.0
    with pytest.raises(ValueError, match="p"):
        ref.log_loss([1.0], [1.5])
    with pytest.raises(ValueError, match="y"):
        ref.log_loss([2.0], [0.5])


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_log_loss_from_logits_matches_high_precision(y: float) -> None:
    z = np.array([-1000.0, -800.0, -745.0, -40.0, -3.0, -1e-8, 0.0, 2.5, 36.0, 40.0, 745.0, 800.0, 1000.0])
    with strict():
        got = ref.log_loss_from_logits(y, z)
        via_probability = ref.log_loss(y, ref.sigmoid(z[4:8]))  # |z| small: the probability form is accurate
    expected = np.array([exact_log_loss(y, zi) for zi in z])
    assert close(got, expected, 1e-15)
    np.testing.assert_allclose(got, expected, rtol=4e-16, atol=1e-300)
    np.testing.assert_allclose(via_probability, expected[4:8], rtol=1e-12)
    assert ref.log_loss(y, z, from_logits=True) == pytest.approx(got)


def test_log_loss_from_logits_exact_at_800() -> None:
    with strict():
        got = ref.log_loss_from_logits([0.0, 1.0, 1.0, 0.0, 1.0], [800.0, -800.0, 800.0, -800.0, -1e300])
    np.testing.assert_array_equal(got, [800.0, 800.0, 0.0, 0.0, 1e300])


def test_pointwise_derivatives_by_finite_differences() -> None:
    points = np.array([-3.0, -0.7, 0.0, 0.4, 2.2])
    pointwise = [
        (ref.squared_error, ref.squared_error_derivatives, (0.0, 1.0, 0.25, -1.5)),
        (ref.log_loss_from_logits, ref.log_loss_derivatives, (0.0, 1.0, 0.25)),
    ]
    for loss, derivatives, labels in pointwise:
        for y in labels:
            first, second = derivatives(y, points)
            for t, a, b in zip(points, first, second):
                h = 1e-6
                assert a == pytest.approx((loss(y, t + h) - loss(y, t - h)) / (2 * h), rel=1e-8, abs=1e-9)
                d1_up, d1_down = derivatives(y, t + h)[0], derivatives(y, t - h)[0]
                assert b == pytest.approx((d1_up - d1_down) / (2 * h), rel=1e-7, abs=1e-9)


def test_log_loss_derivatives_in_the_tails() -> None:
    with strict():
        first, second = ref.log_loss_derivatives([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], [40.0, -40.0, 800.0, -800.0, 800.0, -800.0])
    tail = exact_sigmoid(-40.0)
    np.testing.assert_allclose(first[:2], [-tail, tail], rtol=1e-15)  # σ(40) − 1 without cancellation
    np.testing.assert_array_equal(first[2:], [1.0, -1.0, 0.0, 0.0])
    np.testing.assert_allclose(second[:2], tail * (1 - tail), rtol=1e-15)
    np.testing.assert_array_equal(second[2:], 0.0)


# ---------------------------------------------------------------------------
# The cost


def test_cost_squared_error_by_hand() -> None:
    # z = 0.5·x + 0.25 = [0.75, 1.25]; residuals y − z = [0.25, 1.75]
    cost = ref.Cost([[1.0], [2.0]], [1.0, 3.0], "squared_error", l2=0.5)
    w = np.array([0.5, 0.25])
    f, g, H = cost.value_gradient_hessian(w)
    assert cost.dim == 2
    assert f == (0.0625 + 3.0625) / 2 + 0.25 * 0.25
    np.testing.assert_array_equal(g, [(-0.5 - 7.0) / 2 + 0.25, (-0.5 - 3.5) / 2])
    np.testing.assert_array_equal(H, [[5.5, 3.0], [3.0, 2.0]])
    np.testing.assert_array_equal(cost.hessian_product(w, [1.0, -1.0]), [2.5, 1.0])
    summed = ref.Cost([[1.0], [2.0]], [1.0, 3.0], "squared_error", l2=0.5, reduction="sum")
    assert summed.value(w) == 0.0625 + 3.0625 + 0.25 * 0.25


def test_cost_log_loss_at_zero() -> None:
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]])
    y = np.array([1.0, 0.0, 1.0])
    cost = ref.Cost(X, y, l2=0.3)
    f, g, H = cost.value_gradient_hessian(np.zeros(3))
    X1 = np.hstack([X, np.ones((3, 1))])
    assert f == pytest.approx(math.log(2.0), rel=1e-15)
    np.testing.assert_allclose(g, X1.T @ (0.5 - y) / 3, rtol=1e-15)
    np.testing.assert_allclose(H, X1.T @ X1 / 12 + 0.3 * np.diag([1.0, 1.0, 0.0]), rtol=1e-15)


@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_integer_weights_are_repeated_rows(loss: str, reduction: str) -> None:
    X, y, _ = dataset(loss, n=6, d=2, seed=3)
    counts = np.array([2.0, 1.0, 3.0, 0.0, 1.0, 4.0])
    weighted = ref.Cost(X, y, loss, l2=0.4, sample_weight=counts, reduction=reduction)
    repeated = ref.Cost(np.repeat(X, counts.astype(int), axis=0), np.repeat(y, counts.astype(int)), loss,
                        l2=0.4, reduction=reduction)  # fmt: skip
    w = np.array([0.3, -0.8, 0.1])
    f1, g1, H1 = weighted.value_gradient_hessian(w)
    f2, g2, H2 = repeated.value_gradient_hessian(w)
    assert close(f1, f2, 1e-14) and close(g1, g2, 1e-14) and close(H1, H2, 1e-14)


def test_sum_is_mean_times_total_weight() -> None:
    X, y, s = dataset("log_loss", seed=4)
    w = np.array([0.2, -0.1, 0.4, 0.05])
    mean = ref.Cost(X, y, sample_weight=s)
    total = ref.Cost(X, y, sample_weight=s, reduction="sum")
    assert total.value(w) == pytest.approx(s.sum() * mean.value(w), rel=1e-14)
    np.testing.assert_allclose(total.gradient(w), s.sum() * mean.gradient(w), rtol=1e-13)


COMBINATIONS = list(itertools.product(["squared_error", "log_loss"], [True, False], [False, True], [0.0, 0.7], ["mean", "sum"]))


@pytest.mark.parametrize("loss, fit_intercept, weighted, l2, reduction", COMBINATIONS)
def test_derivatives_by_finite_differences(loss: str, fit_intercept: bool, weighted: bool, l2: float, reduction: str) -> None:
    X, y, s = dataset(loss, n=12, d=3, seed=5)
    cost = ref.Cost(X, y, loss, fit_intercept=fit_intercept, l2=l2, sample_weight=s if weighted else None,
                    reduction=reduction)  # fmt: skip
    rng = np.random.default_rng(6)
    w, v = rng.normal(size=cost.dim), rng.normal(size=cost.dim)
    f, g = cost.value_and_gradient(w)
    f3, g3, H = cost.value_gradient_hessian(w)
    assert f == cost.value(w) == f3
    np.testing.assert_array_equal(g, cost.gradient(w))
    np.testing.assert_array_equal(g3, g)
    np.testing.assert_array_equal(H, cost.hessian(w))
    assert close(g, fd_gradient(cost.value, w), 1e-7)
    assert close(H, fd_jacobian(cost.gradient, w), 1e-7)
    np.testing.assert_array_equal(H, H.T)
    assert close(cost.hessian_product(w, v), H @ v, 1e-13)
    assert close(cost.decision_function(w), X @ w[:3] + (w[3] if fit_intercept else 0.0), 1e-15)


def test_extreme_logits() -> None:
    X = np.array([[800.0], [-800.0], [1000.0], [-1000.0], [800.0], [-800.0], [40.0], [-2.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    cost = ref.Cost(X, y, fit_intercept=False, reduction="sum")
    with strict():
        f, g, H = cost.value_gradient_hessian(np.array([1.0]))
        Hv = cost.hessian_product(np.array([1.0]), np.array([2.0]))
    expected = sum(exact_log_loss(yi, xi) for xi, yi in zip(X[:, 0], y))
    assert f == pytest.approx(expected, rel=1e-15)
    assert f == pytest.approx(3600.0 + exact_log_loss(1.0, 40.0) + exact_log_loss(0.0, -2.0), rel=1e-15)
    expected_g = sum(x * (exact_sigmoid(x) - yi) for x, yi in zip(X[:, 0], y))
    assert g[0] == pytest.approx(expected_g, rel=1e-14)
    s40, s2 = exact_sigmoid(40.0), exact_sigmoid(-2.0)
    assert H[0, 0] == pytest.approx(1600 * s40 * (1 - s40) + 4 * s2 * (1 - s2), rel=1e-14)
    assert np.isfinite([f, *g, *H.ravel(), *Hv]).all()


def test_validation_names_the_argument() -> None:
    X, y = np.ones((3, 2)), np.array([0.0, 1.0, 1.0])
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: ref.Cost(X, y, "hinge"), "loss"),
        (lambda: ref.Cost(X, y, reduction="median"), "reduction"),
        (lambda: ref.Cost(np.ones(3), y), "X"),
        (lambda: ref.Cost(np.full((3, 2), np.nan), y), "X"),
        (lambda: ref.Cost(X, y[:2]), "y"),
        (lambda: ref.Cost(X, [0.0, 2.0, 1.0]), "y"),
        (lambda: ref.Cost(X, y, l2=-1.0), "l2"),
        (lambda: ref.Cost(X, y, sample_weight=[1.0, -1.0, 1.0]), "sample_weight"),
        (lambda: ref.Cost(X, y, sample_weight=[0.0, 0.0, 0.0]), "sample_weight"),
        (lambda: ref.Cost(X, y).value(np.zeros(2)), "w"),
        (lambda: ref.Cost(X, y).hessian_product(np.zeros(3), np.zeros(2)), "v"),
        (lambda: ref.gradient_descent(ref.Cost(X, y), np.zeros(3), 0.1, 5, step="exact"), "step"),
        (lambda: ref.gradient_descent(ref.Cost(X, y), np.zeros(3), -0.1, 5), "learning_rate"),
    ]
    for call, name in cases:
        with pytest.raises(ValueError, match=name):
            call()


# ---------------------------------------------------------------------------
# Solvers


def lipschitz(cost: ref.Cost, bound: float) -> float:
    X1 = cost.design()
    return float(np.linalg.eigvalsh(bound * X1.T @ (cost.sample_weight[:, None] * X1) / cost.normaliser)[-1]) + cost.l2


def test_least_squares_matches_lstsq() -> None:
    X, y, _ = dataset("squared_error", n=30, d=3, seed=7)
    cost = ref.Cost(X, y, "squared_error")
    X1 = np.hstack([X, np.ones((30, 1))])
    truth = np.linalg.lstsq(X1, y, rcond=None)[0]
    result = ref.newton(cost, np.zeros(4), tol=1e-12)
    assert result.status == "converged" and result.success and result.nit == 1  # one Newton step solves it
    assert close(result.x, truth, 1e-12)
    assert result.fun == pytest.approx(np.mean((y - X1 @ truth) ** 2), rel=1e-12)
    alpha = 1.0 / lipschitz(cost, 2.0)
    for step in ("fixed", "backtracking", "curvature"):
        run = ref.gradient_descent(cost, np.zeros(4), alpha, 5000, tol=1e-11, step=step)
        assert run.status == "converged", step
        assert close(run.x, truth, 1e-9), step
    run = ref.lbfgs(cost, np.zeros(4), tol=1e-11)
    assert run.status == "converged" and close(run.x, truth, 1e-9)


def test_ridge_matches_scikit_learn() -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y, s = dataset("squared_error", n=30, d=3, seed=8)
    l2 = 0.7
    # (1/S)·Σ sᵢ rᵢ² + (λ/2)‖w‖²  ∝  Σ sᵢ rᵢ² + (Sλ/2)‖w‖², the objective of Ridge(alpha=Sλ/2)
    ridge = linear_model.Ridge(alpha=s.sum() * l2 / 2, tol=1e-14, solver="cholesky").fit(X, y, sample_weight=s)
    truth = np.append(ridge.coef_, ridge.intercept_)
    result = ref.newton(ref.Cost(X, y, "squared_error", l2=l2, sample_weight=s), np.zeros(4), tol=1e-12)
    assert result.status == "converged" and close(result.x, truth, 1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_logistic_regression_matches_scikit_learn(reduction: str) -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y, s = dataset("log_loss", n=40, d=3, seed=9)
    l2 = 0.05
    cost = ref.Cost(X, y, l2=l2, sample_weight=s, reduction=reduction)
    # scikit-learn minimises C·Σ sᵢ Lᵢ + ½‖w‖², i.e. our cost times 1/(λ·S·C) with C = 1/(λ·S)
    C = 1.0 / (l2 * cost.normaliser)
    model = linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=s)
    truth = np.append(model.coef_.ravel(), model.intercept_)
    result = ref.newton(cost, np.zeros(4), tol=1e-12)
    assert result.status == "converged" and close(result.x, truth, 1e-6)
    assert np.max(np.abs(cost.gradient(result.x))) <= 1e-12
    alpha = 1.0 / lipschitz(cost, 0.25)
    for step in ("fixed", "backtracking", "curvature"):
        run = ref.gradient_descent(cost, np.zeros(4), alpha, 20_000, tol=1e-10, step=step)
        assert run.status == "converged" and close(run.x, result.x, 1e-8), step
    run = ref.lbfgs(cost, np.zeros(4), tol=1e-10)
    assert run.status == "converged" and close(run.x, result.x, 1e-8)


def test_histories_and_max_iterations() -> None:
    X, y, _ = dataset("log_loss", seed=10)
    cost = ref.Cost(X, y, l2=0.1)
    run = ref.gradient_descent(cost, np.zeros(4), 0.5, 7)
    assert run.status == "max_iterations" and not run.success and run.nit == 7
    assert len(run.history.cost) == len(run.history.grad_norm) == 8 and run.history.step[1:] == [0.5] * 7
    assert np.all(np.diff(run.history.cost) < 0)
    assert run.fun == run.history.cost[-1] == cost.value(run.x)
    assert run.history.grad_norm[-1] == np.max(np.abs(cost.gradient(run.x)))
    np.testing.assert_array_equal(run.jac, cost.gradient(run.x))
    # The seed's own iteration, written out: x ← x − α·∇J, seven times.
    x = np.zeros(4)
    for _ in range(7):
        x = x - 0.5 * cost.gradient(x)
    np.testing.assert_array_equal(run.x, x)


def test_too_large_a_learning_rate_diverges() -> None:
    X, y, _ = dataset("squared_error", seed=11)
    cost = ref.Cost(X, y, "squared_error")
    run = ref.gradient_descent(cost, np.zeros(4), 2.5 / lipschitz(cost, 2.0), 60)
    assert run.status != "converged"
    assert run.history.cost[-1] > 1e6 * run.history.cost[0]
    safe = ref.gradient_descent(cost, np.zeros(4), 2.5 / lipschitz(cost, 2.0), 60, step="backtracking")
    assert safe.history.cost[-1] < safe.history.cost[0]


class DoubleWell:
    """f(x) = x₀⁴/4 − x₀²/2 + x₁², minima at (±1, 0) with f = −1/4, a saddle at 0."""

    dim = 2

    def value(self, x: np.ndarray) -> float:
        return self.value_and_gradient(x)[0]

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        return x[0] ** 4 / 4 - x[0] ** 2 / 2 + x[1] ** 2, np.array([x[0] ** 3 - x[0], 2 * x[1]])

    def value_gradient_hessian(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        f, g = self.value_and_gradient(x)
        return f, g, np.diag([3 * x[0] ** 2 - 1, 2.0])


class Rosenbrock:
    dim = 2

    def value(self, x: np.ndarray) -> float:
        return self.value_and_gradient(x)[0]

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        a, b = x
        f = (1 - a) ** 2 + 100 * (b - a * a) ** 2
        return f, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])

    def value_gradient_hessian(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        a, b = x
        f, g = self.value_and_gradient(x)
        return f, g, np.array([[2 - 400 * (b - 3 * a * a), -400 * a], [-400 * a, 200.0]])


def test_newton_damps_an_indefinite_hessian() -> None:
    result = ref.newton(DoubleWell(), [0.1, 1.0], tol=1e-12)  # H = diag(−0.97, 2) at the start
    assert result.status == "converged"
    np.testing.assert_allclose(result.x, [1.0, 0.0], atol=1e-12)
    assert result.fun == pytest.approx(-0.25, rel=1e-15)
    assert np.all(np.diff(result.history.cost) <= 0)


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_rosenbrock(solver: str) -> None:
    result = ref.newton(Rosenbrock(), [-1.2, 1.0], tol=1e-10) if solver == "newton" else ref.lbfgs(Rosenbrock(), [-1.2, 1.0], tol=1e-10)
    assert result.status == "converged"
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-9)


# ---------------------------------------------------------------------------
# The shared vectors


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_descend_vectors_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


OUTPUT_SCALES = {"value": "value_scale", "gradient": "gradient_scale", "hessian": "hessian_scale",
                 "hessian_product": "hessian_product_scale"}  # fmt: skip


def test_vectors_regenerate_within_their_error_bounds(tmp_path: Path) -> None:
    """Regenerated on this CPU, every vector file has the same keys and inputs, and outputs that
    differ from the committed ones by no more than their rounding error bounds (not bit for bit:
    NumPy's exp, log and BLAS kernels depend on the CPU)."""
    generate = load_generator()
    written = generate.write_all(tmp_path)
    committed = sorted(path.name for path in VECTORS.glob("*.txt"))
    assert sorted(path.name for path in written) == committed
    for path in written:
        new, old = generate.read(path), generate.read(VECTORS / path.name)
        assert new.keys() == old.keys(), path.name
        for key in ("name", "loss", "reduction", "fit_intercept", "n", "d", "n_classes", "l2", "X", "y", "w", "v",
                    "sample_weight"):
            if key in old:
                np.testing.assert_array_equal(new[key], old[key], err_msg=f"{path.name}: {key}")
        for key, scale in OUTPUT_SCALES.items():
            assert generate.within(new[key], old[key], old[scale], old), f"{path.name}: {key} beyond its error bound"
            assert generate.within(new[scale], old[scale], old[scale], old), f"{path.name}: {scale}"
        if "optimum" in old:
            check_solver_keys(generate, new, old, path.name)


def check_solver_keys(generate: ModuleType, new: dict[str, Any], old: dict[str, Any], name: str) -> None:
    """The solver keys: 50 fixed steps of a non-expanding map accumulate at most 50 steps' rounding;
    two optima with max|∇J| ≤ 1e-12 lie within ‖Δ∇J‖/λmin(H) of each other."""
    cost = ref.Cost(old["X"], old["y"], old["loss"], fit_intercept=bool(old["fit_intercept"]), l2=old["l2"],
                    sample_weight=old.get("sample_weight"), reduction=old["reduction"],
                    n_classes=old.get("n_classes"))  # fmt: skip
    tol = generate.tolerance(old)
    assert new["gd_learning_rate"] == pytest.approx(old["gd_learning_rate"], rel=tol), name
    step = old["gd_learning_rate"] * generate.error_scales(cost, old["gd_x"], old["v"])["gradient_scale"]
    assert np.all(np.abs(new["gd_x"] - old["gd_x"]) <= old["gd_iterations"] * tol * (np.abs(old["gd_x"]) + step)), name
    p = old["optimum"].size
    smallest = float(np.linalg.eigvalsh(cost.hessian(old["optimum"]))[0])
    gradient_scale = generate.error_scales(cost, old["optimum"], old["v"])["gradient_scale"]
    distance = (2.0 * np.sqrt(p) * 1e-12 + tol * float(np.linalg.norm(gradient_scale))) / smallest
    assert float(np.linalg.norm(new["optimum"] - old["optimum"])) <= distance, name
    value_scale = generate.error_scales(cost, old["optimum"], old["v"])["value_scale"]
    assert abs(new["optimum_value"] - old["optimum_value"]) <= tol * value_scale + 1e-12 * np.sqrt(p) * distance, name


def test_vectors_read_back_and_agree_with_the_reference() -> None:
    generate = load_generator()
    paths = sorted(VECTORS.glob("*.txt"))
    assert len(paths) >= 30
    with_solver = 0
    for path in paths:
        case = generate.read(path)
        assert case["name"] == path.stem and case["loss"] in ("log_loss", "squared_error", "poisson", "multinomial")
        n, d, p = case["n"], case["d"], case.get("n_classes", 1) * (case["d"] + case["fit_intercept"])
        assert case["X"].shape == (n, d) and case["y"].shape == (n,) and case["hessian"].shape == (p, p)
        cost = ref.Cost(case["X"], case["y"], case["loss"], fit_intercept=bool(case["fit_intercept"]), l2=case["l2"],
                        sample_weight=case.get("sample_weight"), reduction=case["reduction"],
                        n_classes=case.get("n_classes"))  # fmt: skip
        with strict():
            value, gradient, hessian = cost.value_gradient_hessian(case["w"])
            assert generate.within(value, case["value"], case["value_scale"], case), path.name
            assert generate.within(gradient, case["gradient"], case["gradient_scale"], case), path.name
            assert generate.within(hessian, case["hessian"], case["hessian_scale"], case), path.name
            product = cost.hessian_product(case["w"], case["v"])
            assert generate.within(product, case["hessian_product"], case["hessian_product_scale"], case), path.name
        if "optimum" in case:
            with_solver += 1
            assert case["gd_iterations"] == 50
            assert np.max(np.abs(cost.gradient(case["optimum"]))) <= 1e-12
            value_scale = generate.error_scales(cost, case["optimum"], case["v"])["value_scale"]
            assert abs(cost.value(case["optimum"]) - case["optimum_value"]) <= generate.tolerance(case) * value_scale
            descent = cost.value(case["gd_x"])
            assert case["optimum_value"] <= descent + 1e-15 * abs(descent)  # a Poisson cost may be negative
    assert with_solver >= 30
    assert sum(1 for path in paths if path.name.startswith("multinomial")) >= 18


def test_multinomial_extreme_vector_holds_exact_values() -> None:
    """Logits of ±800, ±1000, 1e5: z = (x₁, −x₁, 0) exactly, so each loss is log1p of exponentials
    that underflow to 0 or are exact, plus a difference of logits."""
    generate = load_generator()
    case = generate.read(VECTORS / "multinomial-extreme-intercept-l2-mean.txt")
    x1 = case["X"][:, 0]
    Z = np.column_stack([x1, -x1, np.zeros_like(x1)])
    assert np.max(np.abs(Z)) >= 1e5
    top = Z.max(axis=1)
    losses = [math.log1p(sum(math.exp(z - m) for z in row if z != m)) + m - row[int(label)]
              for row, m, label in zip(Z, top, case["y"])]  # fmt: skip
    penalty = 0.35 * (1.0 + 1.0 + 0.25)
    assert generate.within(case["value"], np.mean(losses) + penalty, case["value_scale"], case)
    assert np.isfinite(case["gradient"]).all() and np.isfinite(case["hessian"]).all()


def test_error_bounds_are_tight_enough_to_catch_a_wrong_digit() -> None:
    """The tolerance is rounding-sized: a change in the 12th digit of any output is caught."""
    generate = load_generator()
    for path in sorted(VECTORS.glob("*.txt")):
        case = generate.read(path)
        for key, scale in OUTPUT_SCALES.items():
            value = np.asarray(case[key], dtype=np.float64)
            wrong = value + 1e-11 * np.maximum(np.abs(value), np.asarray(case[scale]))
            changed = wrong != value
            if np.any(changed):
                assert not generate.within(wrong, value, case[scale], case), f"{path.name}: {key}"


def test_extreme_vectors_hold_exact_values() -> None:
    case = load_generator().read(VECTORS / "log_loss-extreme-intercept-l2-mean.txt")
    z = case["X"] @ case["w"][:-1] + case["w"][-1]
    assert np.max(np.abs(z)) >= 1000.0
    expected = np.mean([exact_log_loss(yi, zi) for yi, zi in zip(case["y"], z)]) + 0.35 * (case["w"][:-1] @ case["w"][:-1])
    assert load_generator().within(case["value"], expected, case["value_scale"], case)
    assert np.isfinite(case["gradient"]).all() and np.isfinite(case["hessian"]).all()
