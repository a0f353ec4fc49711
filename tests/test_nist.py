"""LinearRegression on the NIST StRD linear least squares suite (tests/data/nist): digits of
agreement with NIST's certified values (the log relative error, LRE), against numpy.linalg.lstsq
(SVD) on the same data. scikit-learn is no anchor here: its dense path drops real directions of
Filip and the Wampler problems (scipy.linalg.lstsq with cond=1e-6)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from descend.estimators import LinearRegression
from nist import MODELS, Dataset, load, log_relative_error


def certified(data: Dataset) -> np.ndarray:
    return np.append(data.intercept, data.coef) if data.fit_intercept else data.coef


def lstsq_digits(data: Dataset) -> float:
    design = np.column_stack([np.ones(data.y.size), data.X]) if data.fit_intercept else data.X
    return log_relative_error(np.linalg.lstsq(design, data.y, rcond=None)[0], certified(data))


def descend_fit(data: Dataset, **options: object) -> LinearRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return LinearRegression(fit_intercept=data.fit_intercept, **options).fit(data.X, data.y)  # type: ignore[arg-type]


def digits(model: LinearRegression, data: Dataset) -> float:
    estimate = np.append(model.intercept_, model.coef_) if data.fit_intercept else model.coef_
    return log_relative_error(estimate, certified(data))


# The fewest digits accepted: lstsq's less one, and at least these (Filip: lstsq gets none, a QR
# solve of the raw design about 8, the exact least-squares solution of the data rounded to double 7.6).
FLOOR = {"Wampler1": 6.0, "Wampler2": 6.0, "Wampler3": 6.0, "Wampler4": 6.0, "Wampler5": 6.0, "Filip": 7.0}


@pytest.mark.parametrize("name", list(MODELS))
def test_certified_digits_at_least_lstsq(name: str) -> None:
    data = load(name)
    model = descend_fit(data)
    assert model.result_.success, model.result_.message
    ours, theirs = digits(model, data), lstsq_digits(data)
    assert ours >= theirs - 1.0, f"{name}: {ours:.2f} digits, lstsq {theirs:.2f}"
    assert ours >= FLOOR.get(name, 0.0), f"{name}: {ours:.2f} digits"
    # The residual standard deviation, certified too: √(RSS/(n − p)).
    residual = data.y - model.predict(data.X)
    p = data.X.shape[1] + int(data.fit_intercept)
    residual_sd = float(np.sqrt(residual @ residual / (data.y.size - p)))
    if data.residual_sd > 0:
        assert log_relative_error(residual_sd, data.residual_sd) >= 6.0, name


@pytest.mark.parametrize("name", ["Longley", "Wampler4", "Filip"])
def test_the_answer_does_not_depend_on_row_order_or_threads(name: str) -> None:
    """Rounding differs with the order of the rows and the number of threads; the digits do not drop."""
    data = load(name)
    rng = np.random.default_rng(1)
    for n_threads in (1, 2):
        order = rng.permutation(data.y.size)
        shuffled = Dataset(data.name, data.X[order], data.y[order], data.fit_intercept, data.coef, data.intercept,
                           data.coef_sd, data.residual_sd)  # fmt: skip
        model = descend_fit(shuffled, n_threads=n_threads)
        assert digits(model, data) >= max(lstsq_digits(data) - 1.0, FLOOR.get(name, 0.0)), name


def test_frequency_weights_equal_duplicated_rows() -> None:
    data = load("Wampler3")
    weights = np.tile([1.0, 2.0, 3.0], data.y.size)[: data.y.size]
    repeated = np.repeat(np.arange(data.y.size), weights.astype(int))
    weighted = LinearRegression().fit(data.X, data.y, sample_weight=weights)
    duplicated = LinearRegression().fit(data.X[repeated], data.y[repeated])
    np.testing.assert_allclose(weighted.coef_, duplicated.coef_, rtol=1e-9)
    assert weighted.intercept_ == pytest.approx(duplicated.intercept_, rel=1e-9)


def test_a_small_real_direction_is_kept() -> None:
    """Full rank, columns of scale 1e4 and 1e-3: both coefficients are real (the cutoff of the old
    minimum-norm step, in the features' units, dropped the second)."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=100) * 1e4, rng.normal(size=100) * 1e-3])
    y = 2 * X[:, 0] + 3 * X[:, 1]
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, [2.0, 3.0], rtol=1e-10)
    assert abs(model.intercept_) < 1e-9


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("case", ["duplicate", "scaled-copy", "combination", "wide", "constant"])
def test_rank_deficient_gives_the_minimum_norm_solution(case: str, seed: int) -> None:
    """Truly rank-deficient X: the least-squares solution of least norm in the features' units,
    numpy.linalg.lstsq's on the centred data (and so scikit-learn's)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3)) * 10.0 ** rng.uniform(-3, 3, size=3)
    if case == "duplicate":
        X = np.column_stack([X, X[:, 0]])
    elif case == "scaled-copy":
        X = np.column_stack([X, 10.0 ** rng.uniform(-4, 4) * X[:, 1]])
    elif case == "combination":
        X = np.column_stack([X, X[:, 0] + X[:, 2]])
    elif case == "wide":
        X = rng.normal(size=(10, 25))
    else:
        X = np.column_stack([X, np.full(40, 7.0)])
    y = X @ rng.normal(size=X.shape[1]) + 0.1 * rng.normal(size=X.shape[0])
    model = LinearRegression().fit(X, y)
    centred = X - X.mean(axis=0)
    if case == "constant":  # its centred column is exactly 0, not lstsq's rounding of x̄: coefficient 0
        centred[:, -1] = 0.0
    truth = np.linalg.lstsq(centred, y - y.mean(), rcond=None)[0]
    scale = float(np.max(np.abs(truth)))
    np.testing.assert_allclose(model.coef_, truth, rtol=1e-7, atol=1e-9 * scale)
    assert model.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ truth, rel=1e-7, abs=1e-9 * scale)
    assert model.result_.method == "svd" and "minimum-norm" in model.result_.message
    linear_model = pytest.importorskip("sklearn.linear_model")
    if case != "constant":  # scikit-learn keeps the rounding of a centred constant column, as lstsq does
        np.testing.assert_allclose(model.coef_, linear_model.LinearRegression().fit(X, y).coef_, rtol=1e-6,
                                   atol=1e-8 * scale)  # fmt: skip
