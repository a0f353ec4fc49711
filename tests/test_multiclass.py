"""LogisticRegression with more than two classes: the multinomial model, against scikit-learn's
multinomial LogisticRegression on iris, wine and digits (standardised), for several C, with and
without sample weights; its normalisation, probabilities, labels and errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

import descend
from descend.estimators import PerfectSeparationWarning

DATASETS = {"iris": load_iris, "wine": load_wine, "digits": load_digits}


def standardised(name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = DATASETS[name](return_X_y=True)
    X = X[:, X.std(axis=0) > 0]  # digits has constant pixels
    return StandardScaler().fit_transform(X), y


def scikit_learn(C: float, X: np.ndarray, y: np.ndarray, weights: Any = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its tol=1e-14 may warn about the last digits
        return SkLogisticRegression(C=C, solver="newton-cholesky", tol=1e-14, max_iter=1000).fit(
            X, y, sample_weight=weights
        )


CASES = [(name, C, weighted, "newton") for name in DATASETS for C in (0.05, 1.0, 20.0) for weighted in (False, True)]
CASES += [(name, 1.0, False, "lbfgs") for name in DATASETS]


@pytest.mark.parametrize(("name", "C", "weighted", "solver"), CASES)
def test_same_numbers_as_scikit_learn(name: str, C: float, weighted: bool, solver: str) -> None:
    X, y = standardised(name)
    weights = np.random.default_rng(0).uniform(0.2, 3.0, y.shape[0]) if weighted else None
    expected = scikit_learn(C, X, y, weights)
    model = descend.LogisticRegression(C=C, tol=1e-10, solver=solver, max_iter=10000).fit(X, y, sample_weight=weights)
    assert model.result_.status == "converged", model.result_.message
    K = np.unique(y).shape[0]
    assert model.coef_.shape == (K, X.shape[1]) and model.intercept_.shape == (K,)
    assert abs(model.intercept_.sum()) <= 1e-12 * max(1.0, np.abs(model.intercept_).max())
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-6 * max(1.0, np.abs(expected.coef_).max()))
    np.testing.assert_allclose(model.intercept_, expected.intercept_, atol=1e-6 * max(1.0, np.abs(expected.intercept_).max()))
    P = model.predict_proba(X)
    np.testing.assert_allclose(P, expected.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), P, rtol=1e-13)
    assert np.array_equal(model.predict(X), model.classes_[np.argmax(P, axis=1)])
    assert model.score(X, y) == pytest.approx(expected.score(X, y), abs=1.5 / y.shape[0])


def test_string_labels_and_shapes() -> None:
    X, y = standardised("iris")
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = descend.LogisticRegression().fit(X, names)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert model.decision_function(X).shape == (150, 3)
    assert set(model.predict(X)) <= set(names)
    numeric = descend.LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(model.coef_, numeric.coef_)


def test_two_classes_keep_the_binary_model() -> None:
    X, y = standardised("iris")
    keep = y > 0
    model = descend.LogisticRegression().fit(X[keep], y[keep])
    assert model.coef_.shape == (1, 4) and model.intercept_.shape == (1,)
    assert model.decision_function(X[keep]).shape == (int(keep.sum()),)


def test_predict_log_proba_is_exact_where_proba_underflows() -> None:
    X, y = standardised("iris")
    model = descend.LogisticRegression(C=10.0).fit(X, y)
    far = 200.0 * X[:1]  # far out along a setosa row: the other classes' probabilities are below 1e-308
    log_p = model.predict_log_proba(far)
    z = model.decision_function(far)[0]
    assert np.all(np.isfinite(log_p))
    assert log_p[0].max() <= 0.0
    expected = z - (z.max() + np.log(np.exp(z - z.max()).sum()))
    np.testing.assert_allclose(log_p[0], expected, rtol=1e-14)


def test_without_penalty_the_coefficients_sum_to_zero() -> None:
    """C = inf: the softmax does not see one vector added to every class; the coefficients reported
    sum to zero over the classes, as scikit-learn's do. Wine is not separable by a single feature
    pair: two of its features keep the unpenalised optimum finite."""
    X, y = standardised("wine")
    X = X[:, [0, 1]]
    model = descend.LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    assert model.result_.status == "converged", model.result_.message
    np.testing.assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-12)
    expected = scikit_learn(np.inf, X, y)
    np.testing.assert_allclose(model.coef_, expected.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, atol=1e-6)


def test_separable_classes_without_penalty_warn() -> None:
    X, y = standardised("iris")  # setosa is linearly separable from the others
    with pytest.warns(PerfectSeparationWarning):
        descend.LogisticRegression(C=np.inf, max_iter=200).fit(X, y)


def test_warm_start_and_every_solver_agree() -> None:
    X, y = standardised("wine")
    reference = descend.LogisticRegression(C=0.5, tol=1e-10).fit(X, y)
    for solver in ("newton", "newton-cg", "lbfgs"):
        model = descend.LogisticRegression(C=0.5, tol=1e-9, solver=solver, max_iter=5000).fit(X, y)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    gd = descend.LogisticRegression(C=0.5, tol=1e-6, solver="gd", max_iter=20000).fit(X, y)
    np.testing.assert_allclose(gd.coef_, reference.coef_, atol=1e-4)
    warm = descend.LogisticRegression(C=0.5, tol=1e-10, warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_[0] <= 1


def test_inference_says_multinomial_is_not_implemented() -> None:
    X, y = standardised("iris")
    model = descend.LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="inference\\(\\) is for two classes"):
        model.inference()
