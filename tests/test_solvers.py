"""The solvers (C++ core through the binding) against independent truths: the
fixed-step iteration written out in NumPy, the NumPy reference, scikit-learn,
numpy.linalg.lstsq, closed forms and the shared test vectors; plus statuses,
callbacks, verbose output, Ctrl-C and argument validation."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import descend
from descend import reference

from vectors import all_vectors

def logistic_problem(n: int = 300, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping classes (a finite minimiser even without a penalty)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + 0.3 + rng.normal(size=n) > 0).astype(float)
    return X, y


def least_squares_problem(n: int = 200, d: int = 5, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    y = X @ rng.normal(size=d) + 2.0 + 0.1 * rng.normal(size=n)
    return X, y


def numpy_logistic(X: np.ndarray, y: np.ndarray, l2: float) -> tuple[Any, Any]:
    """J and ∇J of the mean log loss with an intercept, in plain NumPy."""
    n, d = X.shape

    def J(w: np.ndarray) -> float:
        z = X @ w[:d] + w[d]
        return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * w[:d] @ w[:d])

    def grad(w: np.ndarray) -> np.ndarray:
        z = X @ w[:d] + w[d]
        r = 1.0 / (1.0 + np.exp(-z)) - y
        return np.concatenate([X.T @ r / n + l2 * w[:d], [r.sum() / n]])

    return J, grad


class Rosenbrock:
    """f(x, y) = (1 − x)² + 100·(y − x²)², minimum 0 at (1, 1); a plain Python object."""

    dim = 2

    def value(self, w: np.ndarray) -> float:
        return float((1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2)

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)])

    def hessian(self, w: np.ndarray) -> np.ndarray:
        return np.array([[2 - 400 * (w[1] - 3 * w[0] ** 2), -400 * w[0]], [-400 * w[0], 200.0]])


class GradientOnly:
    """Rosenbrock without second derivatives, dim as a method, value_and_gradient only."""

    def __init__(self) -> None:
        self.inner = Rosenbrock()

    def dim(self) -> int:
        return 2

    def value_and_gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        return self.inner.value(w), self.inner.gradient(w)


class CoreRosenbrock(descend._core.Cost):
    """The same function as a subclass of the core's Cost (the trampoline's own interface)."""

    def dim(self) -> int:
        return 2

    def value_and_gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        r = Rosenbrock()
        return r.value(w), r.gradient(w)

    def hessian(self, w: np.ndarray) -> np.ndarray:
        return Rosenbrock().hessian(w)


class Quadratic:
    """f(x) = ½xᵀAx − bᵀx with only a Hessian-vector product."""

    def __init__(self, A: np.ndarray, b: np.ndarray) -> None:
        self.A, self.b, self.dim = A, b, b.size

    def value(self, x: np.ndarray) -> float:
        return float(0.5 * x @ self.A @ x - self.b @ x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.A @ x - self.b

    def hessian_product(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return self.A @ v


def spd_matrix(d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    return M @ M.T + d * np.eye(d)


# ---------------------------------------------------------------------------
# Against independent truths


def test_fixed_step_iterates_equal_the_numpy_iteration() -> None:
    X, y = logistic_problem()
    l2, alpha = 0.05, 0.7
    J, grad = numpy_logistic(X, y, l2)
    iterates: list[np.ndarray] = []
    result = descend.gradient_descent(
        descend.Cost(X, y, l2=l2), learning_rate=alpha, max_iter=50, tol=0.0,
        callback=lambda info: iterates.append(info.x),
    )
    w = np.zeros(X.shape[1] + 1)
    expected = [w]
    for _ in range(50):
        w = w - alpha * grad(w)
        expected.append(w)
    assert result.status == "max_iterations" and result.nit == 50
    assert len(iterates) == 51
    for k, (got, want) in enumerate(zip(iterates, expected)):
        assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))) <= 1e-10, k
        assert result.history.cost[k] == pytest.approx(J(want), rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(result.x, expected[-1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.jac, grad(expected[-1]), rtol=1e-9, atol=1e-12)
    assert np.all(result.history.step[1:] == alpha)


@pytest.mark.parametrize("step", ["backtracking", "curvature"])
def test_line_search_steps_equal_the_numpy_reference(step: str) -> None:
    # 10 iterations: far enough from the optimum that no Armijo decision is at rounding level.
    X, y = logistic_problem(seed=3)
    ours = descend.gradient_descent(
        descend.Cost(X, y, l2=0.1), learning_rate=8.0, step=step, max_iter=10, tol=0.0
    )
    theirs = reference.gradient_descent(
        reference.Cost(X, y, l2=0.1), np.zeros(X.shape[1] + 1), 8.0, 10, 0.0, step
    )
    assert ours.nit == theirs.nit == 10
    assert len(set(ours.history.step[1:])) > 1  # the line search did act
    np.testing.assert_allclose(ours.x, theirs.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.history.step[1:], theirs.history.step[1:], rtol=1e-8)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("method", ["newton", "lbfgs"])
def test_optimum_equals_scikit_learn(reduction: str, method: str) -> None:
    X, y = logistic_problem(n=500, d=5, seed=7)
    C = 0.5
    # sklearn minimises C·Σ loss + ½‖w‖²: divide by C (sum), or by C·n (mean).
    l2 = 1.0 / C if reduction == "sum" else 1.0 / (C * X.shape[0])
    model = LogisticRegression(solver="newton-cholesky", tol=1e-12, C=C, max_iter=1000).fit(X, y)
    cost = descend.Cost(X, y, l2=l2, reduction=reduction)
    result = descend.minimize(cost, method=method, tol=1e-10)
    assert result.success, result.message
    truth = np.concatenate([model.coef_.ravel(), model.intercept_])
    assert np.max(np.abs(result.x - truth)) <= 1e-6
    if method == "newton":
        assert result.nit <= 10


def test_least_squares_by_newton_equals_lstsq() -> None:
    X, y = least_squares_problem()
    result = descend.newton(descend.Cost(X, y, loss="squared_error"), tol=1e-9)
    truth, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(X))]), y, rcond=None)
    assert result.success and result.nit <= 2
    np.testing.assert_allclose(result.x, truth, rtol=1e-9, atol=1e-10)
    assert (result.nfev, result.njev, result.nhev) == (result.nit + 1,) * 3


@pytest.mark.parametrize("scale", [1.0, 1e7])
def test_newton_on_badly_scaled_and_collinear_features(scale: float) -> None:
    X, y = least_squares_problem()
    X[:, 1] *= scale  # a feature in other units: H is ill-conditioned but not singular
    Xt = np.column_stack([X, np.ones(len(X))])
    truth, *_ = np.linalg.lstsq(Xt, y, rcond=None)
    result = descend.newton(descend.Cost(X, y, loss="squared_error"), tol=1e-6 * scale)
    assert result.success and result.nit <= 2
    np.testing.assert_allclose(result.x, truth, rtol=1e-6)
    # A duplicated column: H is singular; the damped steps still reach a minimiser.
    Xd = np.column_stack([X, X[:, 0]])
    result = descend.newton(descend.Cost(Xd, y, loss="squared_error"), tol=1e-6 * scale)
    assert result.success and result.nit <= 10
    residual = y - Xt @ truth
    assert result.fun == pytest.approx(np.mean(residual**2), rel=1e-7)


def test_curvature_step_is_the_exact_line_search_on_a_quadratic() -> None:
    A = spd_matrix(4, seed=2)
    b = np.array([1.0, -2.0, 0.5, 3.0])
    x0 = np.array([0.3, 0.0, -1.0, 2.0])
    result = descend.gradient_descent(Quadratic(A, b), x0, step="curvature", max_iter=1, tol=0.0)
    g = A @ x0 - b
    alpha = (g @ g) / (g @ A @ g)  # argmin over t of f(x0 − t·g), in closed form
    assert result.history.step[1] == pytest.approx(alpha, rel=1e-14)
    np.testing.assert_allclose(result.x, x0 - alpha * g, rtol=1e-14, atol=1e-15)
    assert abs(result.jac @ g) <= 1e-12 * (g @ g)  # exact line search: new gradient ⟂ old
    assert result.nhev == 1

    # On the least-squares cost, with H = 2X̃ᵀX̃/n from NumPy.
    X, y = least_squares_problem()
    cost = descend.Cost(X, y, loss="squared_error")
    Xt = np.column_stack([X, np.ones(len(X))])
    H = 2.0 * Xt.T @ Xt / len(X)
    g0 = -2.0 * Xt.T @ y / len(X)
    step = descend.gradient_descent(cost, step="curvature", max_iter=1, tol=0.0).history.step[1]
    assert step == pytest.approx((g0 @ g0) / (g0 @ H @ g0), rel=1e-12)


def test_seed_one_dimensional_newton() -> None:
    class Curve:
        """f(x) = eˣ − 2x: f′ = eˣ − 2, f″ = eˣ, minimum at x = ln 2."""

        dim = 1

        def value(self, x: np.ndarray) -> float:
            return float(np.exp(x[0]) - 2 * x[0])

        def gradient(self, x: np.ndarray) -> np.ndarray:
            return np.array([np.exp(x[0]) - 2])

        def value_gradient_hessian(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
            return self.value(x), self.gradient(x), np.array([[np.exp(x[0])]])

    result = descend.newton(Curve(), x0=[3.0], tol=1e-13)
    assert result.success
    assert result.x[0] == pytest.approx(math.log(2.0), abs=1e-12)
    assert result.fun == pytest.approx(2.0 - 2.0 * math.log(2.0), rel=1e-14)
    # The first step is the seed's x − f′(x)/f″(x) (accepted whole).
    first = 3.0 - (math.exp(3.0) - 2.0) / math.exp(3.0)
    assert result.history.step[1] == 1.0
    assert Curve().value(np.array([first])) == pytest.approx(result.history.cost[1], rel=1e-14)


def test_shared_vectors() -> None:
    gd_checked = optimum_checked = 0
    for case in all_vectors():
        cost = descend.Cost(
            case["X"], case["y"], case["loss"], fit_intercept=bool(case["fit_intercept"]), l2=case["l2"],
            sample_weight=case.get("sample_weight"), reduction=case["reduction"], n_classes=case.get("n_classes"),
        )
        if "gd_x" in case:
            result = descend.gradient_descent(
                cost, learning_rate=case["gd_learning_rate"], max_iter=case["gd_iterations"], tol=0.0
            )
            want = case["gd_x"]
            assert np.max(np.abs(result.x - want) / np.maximum(1.0, np.abs(want))) <= 1e-10, case["name"]
            gd_checked += 1
        if "optimum" in case:
            want = case["optimum"]
            for result in (descend.newton(cost, tol=1e-11), descend.lbfgs(cost, tol=1e-10, max_iter=10000)):
                assert np.max(np.abs(result.x - want) / np.maximum(1.0, np.abs(want))) <= 1e-6, (
                    case["name"], result.method, result.message)
            optimum_checked += 1
    assert gd_checked > 0 and optimum_checked > 0


# ---------------------------------------------------------------------------
# Statuses


def test_too_large_rate_diverges_with_a_finite_point() -> None:
    X, y = least_squares_problem()
    cost = descend.Cost(X, y, loss="squared_error")
    Xt = np.column_stack([X, np.ones(len(X))])
    L = np.linalg.eigvalsh(2.0 * Xt.T @ Xt / len(X)).max()  # |1 − αL| > 1 for α > 2/L
    for rate in (2.5 / L, 1e3 / L, 1e300):
        result = descend.gradient_descent(cost, learning_rate=rate)
        assert result.status == "diverged" and not result.success
        assert np.all(np.isfinite(result.x)) and np.isfinite(result.fun) and np.all(np.isfinite(result.jac))
        assert "too large" in result.message
        assert result.fun == pytest.approx(cost.value(result.x))  # the point returned is the point described
    # Logistic: a huge step oscillates outward instead of overflowing; still reported.
    Xl, yl = logistic_problem()
    result = descend.gradient_descent(descend.Cost(Xl, yl), learning_rate=300.0, max_iter=200)
    assert result.status == "diverged" and np.all(np.isfinite(result.x))


def test_too_small_rate_stops_at_max_iter() -> None:
    X, y = least_squares_problem()
    result = descend.gradient_descent(descend.Cost(X, y, loss="squared_error"), learning_rate=1e-6, max_iter=100)
    assert result.status == "max_iterations" and result.nit == 100
    assert "too small" in result.message
    assert np.all(np.diff(result.history.cost) < 0)  # slow, but every step goes down


def test_learning_rate_sweep() -> None:
    X, y = least_squares_problem()
    cost = descend.Cost(X, y, loss="squared_error")
    Xt = np.column_stack([X, np.ones(len(X))])
    L = np.linalg.eigvalsh(2.0 * Xt.T @ Xt / len(X)).max()
    sweep = descend.learning_rate_sweep(cost, [1e-4 / L, 1.0 / L, 3.0 / L], max_iter=20000, tol=1e-6)
    statuses = [str(result.status) for _, result in sweep]
    assert statuses == ["max_iterations", "converged", "diverged"]
    assert sweep.best[0] == pytest.approx(1.0 / L)
    assert len(sweep) == 3 and "learning_rate" in repr(sweep) and "<table>" in sweep._repr_html_()
    with pytest.raises(ValueError, match="rates"):
        descend.learning_rate_sweep(cost, [0.1, -1.0])


@pytest.mark.parametrize("method", ["newton", "lbfgs", "gd"])
def test_separable_data_stop_finite_and_honest(method: str) -> None:
    X = np.array([[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    result = descend.minimize(descend.Cost(X, y), method=method)
    assert np.all(np.isfinite(result.x))
    assert not result.success  # never a clean "converged"
    assert result.status in ("no_minimum", "max_iterations")
    if method == "newton":
        assert result.status == "no_minimum"
    assert "minimiser" in result.message  # says the cost may have none
    # With a penalty there is one, and no such note.
    penalised = descend.minimize(descend.Cost(X, y, l2=0.1), method=method, max_iter=5000)
    assert penalised.success and "minimiser" not in penalised.message


# ---------------------------------------------------------------------------
# Python-defined costs


@pytest.mark.parametrize(
    "solve",
    [
        lambda cost: descend.newton(cost, [-1.2, 1.0], tol=1e-10),
        lambda cost: descend.lbfgs(cost, [-1.2, 1.0], tol=1e-10),
        lambda cost: descend.gradient_descent(cost, [-1.2, 1.0], step="backtracking", learning_rate=1.0,
                                              max_iter=100000, tol=1e-6),
        lambda cost: descend.gradient_descent(cost, [-1.2, 1.0], step="curvature", max_iter=100000, tol=1e-6),
        lambda cost: descend.gradient_descent(cost, [-1.2, 1.0], learning_rate=1e-3, max_iter=100000, tol=1e-6),
    ],
    ids=["newton", "lbfgs", "gd-backtracking", "gd-curvature", "gd-fixed"],
)
@pytest.mark.parametrize("kind", ["object", "core-subclass"])
def test_every_solver_on_rosenbrock(solve: Any, kind: str) -> None:
    cost = Rosenbrock() if kind == "object" else CoreRosenbrock()
    result = solve(cost)
    assert result.success, result.message
    tolerance = 1e-8 if result.method in ("newton", "lbfgs") else 1e-4
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=tolerance)
    assert result.grad_norm == pytest.approx(np.max(np.abs(Rosenbrock().gradient(result.x))), rel=1e-12)
    assert len(result.history) == result.nit + 1 and math.isnan(result.history.step[0])
    assert result.history.cost[-1] == result.fun


@pytest.mark.parametrize("method", ["newton", "lbfgs"])
def test_numpy_reference_cost_through_the_adapter(method: str) -> None:
    X, y = logistic_problem(seed=4)
    ours = descend.minimize(descend.Cost(X, y, l2=0.1), method=method, tol=1e-10)
    theirs = descend.minimize(reference.Cost(X, y, l2=0.1), method=method, tol=1e-10)
    assert ours.success and theirs.success
    np.testing.assert_allclose(theirs.x, ours.x, rtol=1e-9, atol=1e-12)


def test_gradient_only_cost() -> None:
    cost = GradientOnly()
    result = descend.lbfgs(cost, [-1.2, 1.0], tol=1e-9)
    assert result.success and result.nhev == 0
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-8)
    with pytest.raises(ValueError, match="Hessian"):
        descend.newton(cost, [-1.2, 1.0])
    with pytest.raises(ValueError, match="curvature"):
        descend.gradient_descent(cost, [-1.2, 1.0], step="curvature")


def test_hessian_from_products_for_newton() -> None:
    A = spd_matrix(3, seed=5)
    b = np.array([1.0, 2.0, -1.0])
    result = descend.newton(Quadratic(A, b))
    assert result.nit == 1
    np.testing.assert_allclose(result.x, np.linalg.solve(A, b), rtol=1e-12)


def test_exceptions_propagate_unchanged() -> None:
    class Boom(Exception):
        pass

    raised = Boom("from the cost")

    class Failing:
        dim = 2
        calls = 0

        def value_and_gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
            self.calls += 1
            if self.calls > 1:  # the first trial step
                raise raised
            return float(w @ w), 2 * w

    for solve in (descend.newton, descend.lbfgs, descend.gradient_descent):
        if solve is descend.newton:
            continue  # no Hessian
        with pytest.raises(Boom) as caught:
            solve(Failing(), [1.0, 1.0], tol=0.0)
        assert caught.value is raised

    from_callback = Boom("from the callback")

    def callback(info: descend.IterationInfo) -> None:
        if info.iteration == 2:
            raise from_callback

    for solve in (descend.newton, descend.lbfgs, descend.gradient_descent):
        with pytest.raises(Boom) as caught:
            solve(Rosenbrock(), [-1.2, 1.0], callback=callback)
        assert caught.value is from_callback


def test_wrong_shapes_from_a_python_cost() -> None:
    class Wrong:
        dim = 3

        def value(self, w: np.ndarray) -> float:
            return 0.0

        def gradient(self, w: np.ndarray) -> np.ndarray:
            return np.zeros(2)

    with pytest.raises(ValueError, match="gradient"):
        descend.lbfgs(Wrong())


# ---------------------------------------------------------------------------
# Callbacks, verbose output, the result


@pytest.mark.parametrize("method", ["newton", "lbfgs", "gd"])
def test_callback_sees_every_iterate_and_can_stop(method: str) -> None:
    seen: list[descend.IterationInfo] = []

    def callback(info: descend.IterationInfo) -> bool:
        seen.append(info)
        return info.iteration < 3

    cost = Rosenbrock()
    options = {"learning_rate": 1e-3} if method == "gd" else {}
    result = descend.minimize(cost, [-1.2, 1.0], method=method, callback=callback, **options)
    assert result.status == "callback_stopped" and not result.success and result.nit == 3
    assert [info.iteration for info in seen] == [0, 1, 2, 3]
    for info in seen:
        assert info.fun == result.history.cost[info.iteration] == cost.value(info.x)
        np.testing.assert_array_equal(info.jac, cost.gradient(info.x))
        assert info.grad_norm == np.max(np.abs(info.jac))
    np.testing.assert_array_equal(seen[-1].x, result.x)

    def stop(info: descend.IterationInfo) -> None:
        if info.iteration == 1:
            raise StopIteration

    assert descend.minimize(cost, [-1.2, 1.0], method=method, callback=stop, **options).nit == 1


def test_verbose_prints_one_line_per_iteration(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = logistic_problem()
    result = descend.newton(descend.Cost(X, y, l2=0.01), verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == result.nit + 3  # header, iterations 0..nit, the message
    assert lines[0].split()[1:] == ["iter", "cost", "max|grad|", "step"]
    for k, line in enumerate(lines[1:-1]):
        words = line.split()
        assert int(words[1]) == k
        assert float(words[2]) == pytest.approx(result.history.cost[k], rel=1e-8)
        assert float(words[3]) == pytest.approx(result.history.grad_norm[k], rel=1e-3)
    assert lines[-1] == "newton: " + result.message
    descend.newton(descend.Cost(X, y, l2=0.01))
    assert capsys.readouterr().out == ""


def test_result_reads_like_scipy() -> None:
    X, y = logistic_problem()
    result = descend.lbfgs(descend.Cost(X, y, l2=0.01))
    for name in ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "status", "success", "message"):
        assert hasattr(result, name)
    assert result.status == descend.Status.CONVERGED == "converged"
    assert result.nfev >= result.nit + 1 and result.njev == result.nfev and result.nhev == 0
    text = repr(result)
    assert len(text.splitlines()) >= 6
    for word in ("converged", "fun", "grad_norm", "nit", "nfev"):
        assert word in text
    assert "<table>" in result._repr_html_() and "converged" in result._repr_html_()
    assert result.history.cost.shape == result.history.grad_norm.shape == result.history.step.shape
    assert np.all(np.diff(result.history.cost) <= 0)


# ---------------------------------------------------------------------------
# Threads and Ctrl-C


def test_solves_in_threads_release_the_gil() -> None:
    X, y = logistic_problem(n=2000, d=10)
    cost = descend.Cost(X, y, l2=0.01, n_threads=1)
    alone = descend.gradient_descent(cost, learning_rate=1.0, max_iter=200, tol=0.0)
    results: list[Any] = [None, None, None]

    def run(i: int) -> None:
        target = Rosenbrock() if i == 2 else cost
        results[i] = (
            descend.lbfgs(target, [-1.2, 1.0]) if i == 2
            else descend.gradient_descent(target, learning_rate=1.0, max_iter=200, tol=0.0)
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    np.testing.assert_array_equal(results[0].x, alone.x)
    np.testing.assert_array_equal(results[1].x, alone.x)
    assert results[2].success


CHILD = """
import signal, sys, time
import numpy as np
import descend
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if the parent ignores SIGINT
kind = sys.argv[1]
if kind == "python-cost":
    class Slow:
        dim = 3
        def value_and_gradient(self, w):
            time.sleep(0.05)
            return float(w @ w), 2 * w
    cost, rate, x0 = Slow(), 1e-9, np.ones(3)
else:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 20))
    y = (X[:, 0] > 0).astype(float)
    cost, rate, x0 = descend.Cost(X, y, n_threads=1), 1e-9, None
print("ready", flush=True)
try:
    descend.gradient_descent(cost, x0, learning_rate=rate, max_iter=10**9, tol=0.0)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    raise
print("finished", flush=True)
"""


@pytest.mark.parametrize("kind", ["python-cost", "core-cost"])
def test_ctrl_c_interrupts_a_long_fit(kind: str) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(CHILD), kind],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(1.0)  # well inside the fit
            assert child.poll() is None, child.communicate()
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=10)
            elapsed = time.monotonic() - sent
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert "interrupted" in out and "finished" not in out
    assert "KeyboardInterrupt" in err
    assert child.returncode != 0
    assert elapsed < 2.0


# ---------------------------------------------------------------------------
# Validation


def bad_calls() -> list[tuple[Any, type[Exception], str]]:
    cost = descend.Cost(*logistic_problem(n=20, d=2))
    return [
        (lambda: descend.gradient_descent(cost, learning_rate=0.0), ValueError, "learning_rate"),
        (lambda: descend.gradient_descent(cost, learning_rate=-1.0), ValueError, "learning_rate"),
        (lambda: descend.gradient_descent(cost, learning_rate=math.inf), ValueError, "learning_rate"),
        (lambda: descend.gradient_descent(cost, learning_rate=math.nan), ValueError, "learning_rate"),
        (lambda: descend.gradient_descent(cost, learning_rate="0.1"), TypeError, "learning_rate"),
        (lambda: descend.gradient_descent(cost, step="steepest"), ValueError, "step"),
        (lambda: descend.gradient_descent(cost, step=1), TypeError, "step"),
        (lambda: descend.gradient_descent(cost, tol=-1e-3), ValueError, "tol"),
        (lambda: descend.newton(cost, tol=math.nan), ValueError, "tol"),
        (lambda: descend.newton(cost, max_iter=-1), ValueError, "max_iter"),
        (lambda: descend.newton(cost, max_iter=2.5), TypeError, "max_iter"),
        (lambda: descend.lbfgs(cost, memory=0), ValueError, "memory"),
        (lambda: descend.lbfgs(cost, callback=3), TypeError, "callback"),
        (lambda: descend.lbfgs(cost, verbose=-1), ValueError, "verbose"),
        (lambda: descend.lbfgs(cost, [0.0, 0.0]), ValueError, "x0"),
        (lambda: descend.lbfgs(cost, [0.0, math.nan, 0.0]), ValueError, "x0"),
        (lambda: descend.lbfgs(cost, [[0.0, 0.0, 0.0]]), ValueError, "x0"),
        (lambda: descend.lbfgs(cost, ["a", "b", "c"]), TypeError, "x0"),
        (lambda: descend.minimize(cost, method="bfgs"), ValueError, "method"),
        (lambda: descend.lbfgs(None), TypeError, "cost"),
        (lambda: descend.lbfgs("cost"), TypeError, "cost"),
        (lambda: descend.lbfgs(object()), TypeError, "dim"),
        (lambda: descend.lbfgs(type("NoGradient", (), {"dim": 2, "value": lambda self, w: 0.0})()), TypeError,
         "gradient"),
    ]


@pytest.mark.parametrize("index", range(len(bad_calls())))
def test_bad_arguments_name_the_argument(index: int) -> None:
    call, error, name = bad_calls()[index]
    with pytest.raises(error, match=name):
        call()


def test_max_iter_zero_evaluates_the_start_only() -> None:
    X, y = logistic_problem()
    J, grad = numpy_logistic(X, y, 0.0)
    x0 = np.full(X.shape[1] + 1, 0.1)
    for method in ("newton", "lbfgs", "gd"):
        result = descend.minimize(descend.Cost(X, y), x0, method=method, max_iter=0)
        assert result.nit == 0 and result.status == "max_iterations"
        np.testing.assert_array_equal(result.x, x0)
        assert result.fun == pytest.approx(J(x0), rel=1e-13)
        np.testing.assert_allclose(result.jac, grad(x0), rtol=1e-12, atol=1e-15)


def test_max_iterations_advice_tells_too_small_from_oscillating() -> None:
    """Below 2/L the cost falls at every step (rate too small if max_iter runs out); above it
    the cost rises and falls: the advice must say which. L is the Hessian's largest eigenvalue."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 4)) @ np.diag([1.0, 1.0, 3.0, 0.3])
    y = (X @ [1.0, -1.0, 0.5, 2.0] + rng.logistic(size=300) > 0).astype(float)
    cost = descend.Cost(X, y, l2=0.01)
    L = np.linalg.eigvalsh(cost.hessian(descend.newton(cost).x)).max()
    slow = descend.gradient_descent(cost, learning_rate=0.05 / L, max_iter=50)
    assert slow.status == "max_iterations" and "too small" in slow.message
    assert np.all(np.diff(slow.history.cost) <= 0)
    wild = descend.gradient_descent(cost, learning_rate=2.6 / L, max_iter=300)
    assert np.any(np.diff(wild.history.cost) > 0)
    assert wild.status in ("max_iterations", "diverged") and "too large" in wild.message


class MaxEnt:
    """scipy's CheckOptimize maximum-entropy problem (scipy/optimize/tests/test_optimize.py):
    f(x) = log Σᵢ exp(Fᵢ·x) − K·x. F's first column is all ones, so f does not depend on x₀:
    its gradient and curvature along x₀ are zero up to rounding."""

    F = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 0, 0], [1, 0, 0]], dtype=np.float64)
    K = np.array([1.0, 0.3, 0.5])
    dim = 3

    def _p(self, x: np.ndarray) -> np.ndarray:
        log_p = self.F @ x
        return np.asarray(np.exp(log_p - np.log(np.sum(np.exp(log_p)))))

    def value(self, x: np.ndarray) -> float:
        return float(np.log(np.sum(np.exp(self.F @ x))) - self.K @ x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.F.T @ self._p(x) - self.K)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        p = self._p(x)
        return np.asarray(self.F.T @ np.diag(p) @ (self.F - self.F.T @ p))


@pytest.mark.parametrize("tol", [1e-5, 1e-8, 1e-12])
def test_newton_leaves_flat_directions_alone(tol: float) -> None:
    """Along x₀, where curvature and gradient are both rounding, Newton takes no step; the other
    components reach the minimiser that scipy's BFGS and L-BFGS find."""
    optimize = pytest.importorskip("scipy.optimize")
    problem = MaxEnt()
    result = descend.newton(problem, np.zeros(3), tol=tol)
    assert result.status == "converged", result.message
    assert abs(result.x[0]) < 1e-8
    theirs = optimize.minimize(problem.value, np.zeros(3), jac=problem.gradient, method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(result.x[1:], theirs.x[1:], atol=max(tol, 1e-9) * 10)
    assert np.max(np.abs(problem.gradient(result.x))) <= tol
    assert descend.lbfgs(problem, np.zeros(3), tol=tol).success


# ---------------------------------------------------------------------------
# Newton-CG


def test_newton_cg_on_rosenbrock_through_negative_curvature() -> None:
    """From (−1.2, 1) the Hessian is indefinite on the way: Steihaug's CG stops at the boundary."""
    result = descend.newton_cg(Rosenbrock(), [-1.2, 1.0], tol=1e-10)
    assert result.status == "converged", result.message
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-9)
    optimize = pytest.importorskip("scipy.optimize")
    problem = Rosenbrock()
    theirs = optimize.minimize(problem.value, [-1.2, 1.0], jac=problem.gradient, hess=problem.hessian,
                               method="trust-ncg", options={"gtol": 1e-10})  # fmt: skip
    np.testing.assert_allclose(result.x, theirs.x, atol=1e-9)


@pytest.mark.parametrize("loss", ["log_loss", "squared_error", "poisson"])
def test_newton_cg_reaches_newtons_optimum_from_products_only(loss: str) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 6))
    z = X @ rng.normal(scale=0.5, size=6)
    y = {"log_loss": (rng.random(400) < 1 / (1 + np.exp(-z))).astype(float), "squared_error": z + rng.normal(size=400),
         "poisson": rng.poisson(np.exp(0.5 * z)).astype(float)}[loss]  # fmt: skip
    cost = descend.Cost(X, y, loss, l2=1e-3)
    ours = descend.newton_cg(cost, tol=1e-10)
    assert ours.success and ours.nhev > ours.nit  # several CG products per step
    np.testing.assert_allclose(ours.x, descend.newton(cost, tol=1e-12).x, rtol=1e-8, atol=1e-10)
    assert descend.minimize(cost, method="newton-cg", tol=1e-10).nit == ours.nit


def test_newton_cg_needs_only_hessian_products() -> None:
    A = spd_matrix(12, seed=5)
    b = np.arange(12.0)
    result = descend.newton_cg(Quadratic(A, b), tol=1e-10, initial_radius=100.0)
    np.testing.assert_allclose(result.x, np.linalg.solve(A, b), rtol=1e-9)


@pytest.mark.parametrize(
    ("options", "name"),
    [({"eta": 0.3}, "eta"), ({"initial_radius": 0.0}, "initial_radius"), ({"max_radius": 0.5, "initial_radius": 1.0}, "max_radius"),
     ({"max_cg": -1}, "max_cg")],  # fmt: skip
)
def test_newton_cg_options_are_checked(options: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        descend.newton_cg(Rosenbrock(), [0.0, 0.0], **options)
