"""descend.sgd and descend.adam against the documented conventions, replayed in NumPy.

The replay draws the batches as documented (Fisher–Yates from std::mt19937_64, written out
below from the C++ standard's definition) and applies the update formulas to gradients
computed by descend.reference, so every iterate is checked against an independent truth.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

import descend
from descend import reference

MASK = (1 << 64) - 1


class MT19937_64:
    """std::mt19937_64 ([rand.predef]: its 10000th output from the default seed is 9981545732273789042)."""

    def __init__(self, seed: int) -> None:
        self.state = [seed & MASK]
        for i in range(1, 312):
            previous = self.state[-1]
            self.state.append((6364136223846793005 * (previous ^ (previous >> 62)) + i) & MASK)
        self.index = 312

    def __call__(self) -> int:
        if self.index == 312:
            mt = self.state
            for i in range(312):
                x = (mt[i] & 0xFFFFFFFF80000000) | (mt[(i + 1) % 312] & 0x7FFFFFFF)
                mt[i] = mt[(i + 156) % 312] ^ (x >> 1) ^ (0xB5026F5AA96619E9 if x & 1 else 0)
            self.index = 0
        y = self.state[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        return y ^ (y >> 43)

    def below(self, bound: int) -> int:
        limit = MASK - MASK % bound
        while True:
            r = self()
            if r < limit:
                return r % bound


def test_mt19937_64_is_the_standard_one() -> None:
    rng = MT19937_64(5489)
    for _ in range(9999):
        rng()
    assert rng() == 9981545732273789042


def batches(n: int, b: int, epochs: int, seed: int) -> list[list[np.ndarray]]:
    rng = MT19937_64(seed)
    order = list(range(n))
    out = []
    for _ in range(epochs):
        for i in range(n, 1, -1):
            j = rng.below(i)
            order[i - 1], order[j] = order[j], order[i - 1]
        out.append([np.array(order[k : k + b]) for k in range(0, n, b)])
    return out


def batch_gradient(X, y, s, w, rows, *, loss, l2, reduction):
    """The documented batch gradient, from the reference: the batch's weighted mean, times Σs for the sum."""
    sb = np.ones(len(rows)) if s is None else s[rows]
    g = reference.Cost(X[rows], y[rows], loss, sample_weight=sb).gradient(w)
    if reduction == "sum":
        g = g * (len(y) if s is None else s.sum())
    d = X.shape[1]
    g[:d] += l2 * w[:d]
    return g


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(103, 4))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=103) > 0).astype(float)
    s = rng.uniform(0.2, 3.0, size=103)
    return X, y, s


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_batch_gradient_is_the_batch_cost(data, reduction, weighted) -> None:
    X, y, s = data
    s = s if weighted else None
    cost = descend.Cost(X, y, loss="log_loss", l2=0.2, sample_weight=s, reduction=reduction)
    w = np.array([0.3, -0.1, 0.2, 0.05, -0.4])
    rows = np.array([7, 3, 3, 99, 0])
    expected = batch_gradient(X, y, s, w, rows, loss="log_loss", l2=0.2, reduction=reduction)
    np.testing.assert_allclose(cost.batch_gradient(w, rows), expected, rtol=1e-12, atol=1e-14)
    for sparse in (sp.csr_matrix(X), sp.csc_matrix(X)):
        other = descend.Cost(sparse, y, loss="log_loss", l2=0.2, sample_weight=s, reduction=reduction)
        np.testing.assert_allclose(other.batch_gradient(w, rows), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cost.batch_gradient(w, np.arange(103)), cost.gradient(w), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("schedule", ["constant", "inverse", "cosine", "custom"])
def test_iterates_replay(data, method, schedule) -> None:
    X, y, s = data
    n, b, epochs, seed, alpha = len(y), 16, 3, 12345, 0.05
    cost = descend.Cost(X, y, loss="log_loss", l2=0.01, sample_weight=s)
    multiplier = {
        "constant": lambda t: 1.0,
        "inverse": lambda t: 1.0 / (1.0 + t),
        "cosine": lambda t: 0.5 * (1.0 + math.cos(math.pi * t / epochs)),
        "custom": lambda t: 0.9**t,
    }[schedule]
    common = dict(learning_rate=alpha, batch_size=b, epochs=epochs, seed=seed, store_path=True)
    common["schedule"] = multiplier if schedule == "custom" else schedule
    if method == "adam":
        result = descend.adam(cost, **common)
    else:
        result = descend.sgd(cost, momentum=0.0 if method == "sgd" else 0.7, nesterov=method == "nesterov", **common)
    x = np.zeros(cost.dim)
    v, m2, path = np.zeros(cost.dim), np.zeros(cost.dim), [x.copy()]
    k = 0
    for e, epoch in enumerate(batches(n, b, epochs, seed)):
        for j, rows in enumerate(epoch):
            k += 1
            rate = alpha * multiplier(e + j / len(epoch))
            g = batch_gradient(X, y, s, x, rows, loss="log_loss", l2=0.01, reduction="mean")
            if method == "adam":
                v = 0.9 * v + 0.1 * g
                m2 = 0.999 * m2 + 0.001 * g * g
                x = x - rate * (v / (1 - 0.9**k)) / (np.sqrt(m2 / (1 - 0.999**k)) + 1e-8)
            elif method == "sgd":
                x = x - rate * g
            else:
                v = 0.7 * v + g
                x = x - rate * (g + 0.7 * v if method == "nesterov" else v)
            path.append(x.copy())
    assert result.history.x.shape == (epochs * math.ceil(n / b) + 1, cost.dim)
    np.testing.assert_allclose(result.history.x, np.array(path), rtol=1e-10, atol=1e-12)
    assert len(result.history) == epochs + 1 and result.nit == epochs
    assert result.status == "max_iterations" and result.seed == seed
    np.testing.assert_allclose(result.history.cost[-1], cost.value(result.x), rtol=1e-14)


def test_full_batch_equals_fixed_step_descent(data) -> None:
    X, y, _ = data
    cost = descend.Cost(X, y, loss="log_loss")
    gd = descend.gradient_descent(cost, learning_rate=0.8, max_iter=40, tol=0.0, store_path=True)
    for batch in (None, len(y), 10 * len(y)):
        run = descend.sgd(cost, learning_rate=0.8, batch_size=batch, epochs=40, store_path=True)
        np.testing.assert_allclose(run.history.x, gd.history.x, rtol=0, atol=1e-12)
        np.testing.assert_allclose(run.history.cost, gd.history.cost, rtol=1e-12)


def test_heavy_ball_closed_form() -> None:
    """On J = mean (y − Xw)², the heavy ball's error along each eigenvector of H = 2XᵀX/n obeys
    e_{k+1} = (1 + β − αλ)e_k − βe_{k−1}, e_1 = (1 − αλ)e_0: e_k = c₁r₁ᵏ + c₂r₂ᵏ."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)) * np.array([1.0, 3.0, 0.3])
    y = rng.normal(size=50)
    cost = descend.Cost(X, y, loss="squared_error", fit_intercept=False)
    alpha, beta, steps = 0.02, 0.8, 60
    run = descend.sgd(cost, learning_rate=alpha, momentum=beta, batch_size=None, epochs=steps, store_path=True)
    H = 2 * X.T @ X / 50
    optimum = np.linalg.solve(X.T @ X, X.T @ y)
    lam, Q = np.linalg.eigh(H)
    e0 = Q.T @ (np.zeros(3) - optimum)
    k = np.arange(steps + 1)[:, None]
    a = 1 + beta - alpha * lam
    disc = np.sqrt((a * a - 4 * beta).astype(complex))
    r1, r2 = (a + disc) / 2, (a - disc) / 2
    e1 = (1 - alpha * lam) * e0
    c1 = (e1 - r2 * e0) / (r1 - r2)
    c2 = e0 - c1
    errors = (c1 * r1**k + c2 * r2**k).real
    np.testing.assert_allclose(run.history.x, optimum + errors @ Q.T, rtol=0, atol=1e-12)


def test_seeds(data) -> None:
    X, y, _ = data
    cost = descend.Cost(X, y)
    a = descend.sgd(cost, seed=7, epochs=2)
    b = descend.sgd(cost, seed=7, epochs=2)
    assert np.array_equal(a.x, b.x)
    assert not np.array_equal(a.x, descend.sgd(cost, seed=8, epochs=2).x)
    drawn = descend.adam(cost, epochs=2)
    assert isinstance(drawn.seed, int)
    assert np.array_equal(descend.adam(cost, epochs=2, seed=drawn.seed).x, drawn.x)


def test_statuses(data) -> None:
    X, y, _ = data
    cost = descend.Cost(X, y, l2=0.1)
    blown = descend.sgd(cost, learning_rate=1e5, epochs=5, seed=0)
    assert blown.status == "diverged" and np.all(np.isfinite(blown.x)) and "too large" in blown.message
    done = descend.sgd(cost, learning_rate=1.0, batch_size=None, epochs=500, tol=1e-8)
    assert done.status == "converged" and done.grad_norm <= 1e-8 and done.nit < 500
    np.testing.assert_allclose(done.x, descend.newton(cost).x, atol=1e-7)
    stopped = descend.adam(cost, epochs=5, callback=lambda info: info.iteration < 2)
    assert stopped.status == "callback_stopped" and stopped.nit == 2


def test_sparse_float32_multinomial(data) -> None:
    X, y, _ = data
    labels = (X[:, 0] > 0).astype(float) + (X[:, 1] > 0.5)
    dense = descend.Cost(X, labels, loss="multinomial", l2=0.01)
    options = dict(learning_rate=0.1, batch_size=8, epochs=2, seed=3)
    expected = descend.sgd(dense, **options).x
    for other in (sp.csr_matrix(X), sp.csc_matrix(X)):
        np.testing.assert_allclose(
            descend.sgd(descend.Cost(other, labels, loss="multinomial", l2=0.01), **options).x, expected, atol=1e-12
        )
    f32 = descend.Cost(X.astype(np.float32), labels, loss="multinomial", l2=0.01)
    np.testing.assert_allclose(descend.sgd(f32, **options).x, expected, atol=1e-5)


def test_any_cost_takes_full_steps() -> None:
    class Valley:
        dim = 2

        def value(self, x):
            return 0.5 * (x[0] ** 2 + 25 * x[1] ** 2)

        def gradient(self, x):
            return np.array([x[0], 25 * x[1]])

    start = np.array([2.0, 1.0])
    run = descend.sgd(Valley(), start, learning_rate=0.03, momentum=0.5, epochs=30, store_path=True)
    x, v = start.copy(), np.zeros(2)
    for k in range(30):
        v = 0.5 * v + Valley().gradient(x)
        x = x - 0.03 * v
        np.testing.assert_allclose(run.history.x[k + 1], x, rtol=1e-15)


def test_store_path_on_every_solver(data) -> None:
    X, y, _ = data
    cost = descend.Cost(X, y, l2=0.1)
    for solve in (descend.newton, descend.lbfgs, descend.newton_cg, descend.gradient_descent):
        result = solve(cost, store_path=True)
        assert result.history.x.shape == (result.nit + 1, cost.dim)
        np.testing.assert_array_equal(result.history.x[-1], result.x)
        np.testing.assert_array_equal(result.history.x[0], np.zeros(cost.dim))
        assert solve(cost).history.x is None


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(batch_size=0), "batch_size"),
        (dict(epochs=-1), "epochs"),
        (dict(momentum=1.0), "momentum"),
        (dict(nesterov=True), "nesterov"),
        (dict(schedule="linear"), "schedule"),
        (dict(seed=-1), "seed"),
        (dict(tol=-1.0), "tol"),
    ],
)
def test_bad_options(data, kwargs, name) -> None:
    X, y, _ = data
    with pytest.raises(ValueError, match=name):
        descend.sgd(descend.Cost(X, y), **kwargs)


def test_bad_adam_options(data) -> None:
    X, y, _ = data
    cost = descend.Cost(X, y)
    for kwargs, name in ((dict(beta1=1.0), "beta1"), (dict(beta2=-0.1), "beta2"), (dict(eps=0.0), "eps")):
        with pytest.raises(ValueError, match=name):
            descend.adam(cost, **kwargs)
    with pytest.raises(ValueError, match="schedule"):
        descend.adam(cost, schedule=lambda t: -1.0)
    with pytest.raises(ValueError, match="rows"):
        cost.batch_gradient(np.zeros(cost.dim), np.array([0, 500]))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_logistic_regression_solver(solver) -> None:
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    exact = descend.LogisticRegression().fit(X, y)
    with pytest.warns(ConvergenceWarning, match=solver):
        model = descend.LogisticRegression(solver=solver, max_iter=50).fit(X, y)
    assert model.result_.method == solver and model.result_.nit == 50
    assert 0 <= model.result_.fun - exact.result_.fun < 1e-2
    assert np.mean(model.predict(X) == exact.predict(X)) > 0.978


def _sklearn_estimators():  # type: ignore[no-untyped-def]
    pytest.importorskip("sklearn")
    return descend.SGDClassifier, descend.SGDRegressor


@pytest.mark.parametrize("name", ["SGDClassifier", "SGDRegressor"])
def test_check_estimator(name) -> None:
    pytest.importorskip("sklearn")
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(getattr(descend, name)(random_state=0))


def test_sgd_regressor_minimises_sklearns_objective() -> None:
    """Mean ½(y − z)² + (α/2)‖w‖² (intercept unpenalised): its minimiser in closed form, reached to
    1e-3 by a cosine-decayed run; and its steps are those of that objective (rate not doubled)."""
    SGDClassifier, SGDRegressor = _sklearn_estimators()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=400)
    alpha = 0.1
    Xc, yc = X - X.mean(0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc / 400 + alpha * np.eye(3), Xc.T @ yc / 400)
    model = SGDRegressor(alpha=alpha, learning_rate=0.05, max_iter=200, schedule="cosine", random_state=0).fit(X, y)
    np.testing.assert_allclose(model.coef_, w, atol=1e-3)
    np.testing.assert_allclose(model.intercept_[0], y.mean() - X.mean(0) @ w, atol=1e-3)
    one = SGDRegressor(alpha=alpha, learning_rate=0.05, batch_size=None, max_iter=1).fit(X, y)
    gradient = np.append(-X.T @ y / 400, -y.mean())  # the objective's gradient at 0
    np.testing.assert_allclose(np.append(one.coef_, one.intercept_), -0.05 * gradient, rtol=1e-12)


def test_partial_fit_continues_the_schedule() -> None:
    SGDClassifier, _ = _sklearn_estimators()
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2))
    y = np.where(X[:, 0] > 0, "yes", "no")
    seen: list[float] = []

    def schedule(t: float) -> float:
        seen.append(t)
        return 1.0 / (1.0 + t)

    model = SGDClassifier(batch_size=50, schedule=schedule, random_state=0)
    model.partial_fit(X, y, classes=["no", "yes"])
    model.partial_fit(X, y)
    assert seen == [0.0, 0.5, 1.0, 1.5] and model.t_ == 2.0
    once = SGDClassifier(batch_size=50, max_iter=1, random_state=0).fit(X, y)
    again = SGDClassifier(batch_size=50, max_iter=1, random_state=0).partial_fit(X, y, classes=["no", "yes"])
    np.testing.assert_array_equal(once.coef_, again.coef_)
    with pytest.raises(ValueError, match="classes"):
        SGDClassifier().partial_fit(X, y)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_sgd_classifier_is_logistic_regression(optimizer) -> None:
    SGDClassifier, _ = _sklearn_estimators()
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha = 1e-2
    exact = descend.LogisticRegression(C=1.0 / (alpha * len(y))).fit(X, y)
    model = SGDClassifier(alpha=alpha, optimizer=optimizer, learning_rate=1.0 if optimizer == "sgd" else 0.1,
                          max_iter=100, schedule="cosine", random_state=0).fit(X, y)  # fmt: skip
    # the same objective: the exact fit's minimum lies below the run's, and the run comes close
    assert 0 <= model.result_.fun - exact.result_.fun < 1e-3
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert np.mean(model.predict(X) == exact.predict(X)) > 0.97
