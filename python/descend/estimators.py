"""scikit-learn estimators on descend's costs and solvers: ``LogisticRegression`` and
``LinearRegression``.

They follow scikit-learn's conventions (parameters only stored by ``__init__``,
``fit`` returns ``self``, learned attributes end in ``_``) and pass
``sklearn.utils.estimator_checks.check_estimator``, so they work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score``. This module needs scikit-learn
(``pip install "descend[sklearn]"``).
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # type: ignore[import-untyped]
    from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
    from sklearn.utils.multiclass import check_classification_targets, type_of_target  # type: ignore[import-untyped]
    from sklearn.utils.validation import check_is_fitted, validate_data  # type: ignore[import-untyped]
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        'descend.estimators needs scikit-learn >= 1.6: pip install "descend[sklearn]" (or pip install scikit-learn)'
    ) from error

from . import _least_squares as least_squares
from ._result import OptimizeResult
from ._validation import AnyArray, FloatArray, as_choice, as_int, as_real, as_threads, as_vector, is_sparse
from .cost import Cost, multinomial_coefficients
from .inference import Inference, inference
from .losses import log_softmax, softmax
from .solvers import adam, gradient_descent, lbfgs, newton, newton_cg, sgd

__all__ = ["LinearRegression", "LogisticRegression", "PerfectSeparationWarning", "PoissonRegressor", "SGDClassifier", "SGDRegressor"]

SOLVERS = ("auto", "newton", "newton-cg", "lbfgs", "gd", "sgd", "adam")
# solver="sgd" | "adam" with learning_rate="auto": these rates, batches of 32, the rows shuffled from seed 0.
STOCHASTIC_RATES = {"sgd": 0.1, "adam": 0.01}
# solver="auto": Newton with the full (d+1)×(d+1) Hessian up to this many features (its Cholesky,
# O(d³), and the Hessian's O(n·d²) stay cheap beside the passes over X), Newton-CG beyond.
NEWTON_UP_TO = 5000
#: The scipy.sparse formats the estimators take as they are (others are converted to CSR).
_SPARSE = ("csr", "csc")


# For K ≥ 3 classes Newton's Hessian has K(d+1) rows and costs O(n·K²d²) a pass, against O(n·K·d) for a
# gradient: solver="auto" takes Newton while K(d+1) is at most this, L-BFGS beyond (benchmarks/bench_multinomial.py).
MULTINOMIAL_NEWTON_UP_TO = 200


def _auto(solver: str, n_features: int, n_classes: int = 1) -> str:
    if solver != "auto":
        return solver
    if n_classes > 1:
        return "newton" if n_classes * (n_features + 1) <= MULTINOMIAL_NEWTON_UP_TO else "lbfgs"
    return "newton" if n_features <= NEWTON_UP_TO else "newton-cg"


class PerfectSeparationWarning(UserWarning):
    """The classes are perfectly separated and the fit is unpenalised (``C=np.inf``):
    the maximum-likelihood coefficients are infinite, so the ones returned (finite)
    are where the solver stopped, not a meaningful estimate."""


def _as_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _sample_weight(sample_weight: Any, n_samples: int) -> FloatArray | None:
    """None, or finite non-negative weights, one per sample, with a positive sum."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, float(sample_weight))
    weights = as_vector(sample_weight, "sample_weight", n_samples, "one entry per sample of X")
    if (weights < 0).any():
        raise ValueError("sample_weight must be non-negative, got a negative weight")
    if not weights.sum() > 0:
        raise ValueError("sample_weight must have a positive sum, got all zeros")
    return weights


def _is_dask(X: Any) -> bool:
    """Whether X is a Dask collection (possible only once dask is imported): then it is fitted where it lives."""
    dask = sys.modules.get("dask")
    return dask is not None and bool(dask.is_dask_collection(X))


def _fit_dask(estimator: BaseEstimator, X: Any, y: Any, sample_weight: Any, **options: Any) -> Any:
    """The fit over a Dask cluster (descend.dask.fit_linear_model) and the input attributes scikit-learn expects."""
    from .dask import fit_linear_model

    fitted = fit_linear_model(X, y, sample_weight=sample_weight, **options)
    estimator.n_features_in_ = fitted.n_features_in
    if fitted.feature_names_in is not None:
        estimator.feature_names_in_ = fitted.feature_names_in
    estimator.result_ = fitted.result
    return fitted


def _minimise(cost: Cost, x0: FloatArray, solver: str, options: dict[str, Any]) -> OptimizeResult:
    solver = _auto(solver, cost.n_features, cost.n_classes)
    if solver == "newton":
        return newton(cost, x0, **options)
    if solver == "newton-cg":
        return newton_cg(cost, x0, **options)
    if solver == "lbfgs":
        return lbfgs(cost, x0, **options)
    learning_rate = options.pop("learning_rate")
    if solver in STOCHASTIC_RATES:
        rate = STOCHASTIC_RATES[solver] if learning_rate == "auto" else learning_rate
        epochs = options.pop("max_iter")
        method = sgd if solver == "sgd" else adam
        return method(cost, x0, learning_rate=rate, batch_size=32, epochs=epochs, seed=0, **options)
    if learning_rate == "auto":
        return gradient_descent(cost, x0, step="curvature", learning_rate=1.0, **options)
    return gradient_descent(cost, x0, step="fixed", learning_rate=learning_rate, **options)


class _KeepsTrainingData:
    """fit keeps what ``inference()`` needs (the cost of the training data, or how to make it);
    pickling drops it."""

    _training: Callable[[], Cost] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())  # type: ignore[misc]
        state.pop("_training", None)
        return state

    def _inference_cost(
        self, X: Any, y: Any, sample_weight: Any, loss: str, fit_intercept: bool, l2_summed: float,
        n_threads: int | None,
    ) -> tuple[Cost, list[str]]:
        """The fitted model's cost over the training data, or over X and y when given."""
        check_is_fitted(self)
        if X is None and y is None:
            if self._training is None:
                raise ValueError(
                    "inference() needs the training data: this model was unpickled or fitted on dask input, "
                    "so pass X and y (and sample_weight) as they were given to fit"
                )
            cost = self._training()
        elif X is None or y is None:
            raise ValueError("inference() takes both X and y, or neither (then the training data)")
        else:
            X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
            targets = self._encode_target(np.asarray(y))
            weights = _sample_weight(sample_weight, X.shape[0])
            cost = Cost(X, targets, loss, fit_intercept=fit_intercept, l2=l2_summed, sample_weight=weights,
                        reduction="sum", n_threads=n_threads)  # fmt: skip
        names = [str(name) for name in getattr(self, "feature_names_in_", [f"x{j}" for j in range(cost.n_features)])]
        return cost, names

    def _infer(
        self, cost: Cost, params: FloatArray, names: list[str], *, on_training_data: bool, cov_type: str, groups: Any
    ) -> Inference:
        """descend.inference of the fitted params; Newton's last Hessian, which is the training cost's
        at params, is reused rather than evaluated again."""
        result: OptimizeResult | None = getattr(self, "result_", None)
        hessian = None
        if on_training_data and result is not None and result.hess is not None and np.array_equal(result.x, params):
            hessian = result.hess
        return inference(cost, params, cov_type=cov_type, groups=groups, names=names, hessian=hessian)

    def _encode_target(self, y: AnyArray) -> FloatArray:
        return np.asarray(y, dtype=np.float64)


def _log_sigmoid(z: FloatArray) -> FloatArray:
    """log σ(z) = −log(1 + e^{−z}), exact in both tails (no log of a rounded probability)."""
    return -np.logaddexp(0.0, -z)


class LogisticRegression(_KeepsTrainingData, ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    r"""Logistic regression, binary or multinomial, fitted by Newton's method (default), L-BFGS,
    Newton-CG or gradient descent on descend's C++ cost.

    Minimises scikit-learn's objective

    .. math::

        C \sum_i s_i\,L(z_i, y_i) + \tfrac12 \lVert w \rVert^2,
        \qquad L = \log(1 + e^{z}) - y z,\quad z_i = x_i^\top w + b,

    for two classes, and for K ≥ 3 classes the multinomial (softmax) model
    :math:`z_i = W^\top x_i + b \in \mathbb{R}^K`, :math:`L = \operatorname{logsumexp}(z_i) - z_{i,y_i}`
    with the penalty :math:`\tfrac12\lVert W\rVert^2` (scikit-learn's default for more than two
    classes; ``descend.Cost(loss="multinomial")``). Its softmax is unchanged by adding one number to
    every class's intercept (and, with ``C=np.inf``, one vector to every class's coefficients), so,
    as scikit-learn does, the intercepts reported sum to zero over the classes (and without a
    penalty the coefficients too). Two classes keep the binary model and its shapes.

    The intercepts are not penalised; ``C=np.inf`` means no penalty. Like
    scikit-learn, it is solved in the equivalent form divided by :math:`C \cdot S`,
    :math:`S = \sum_i s_i`: the mean loss plus :math:`\lVert w\rVert^2 / (2 C S)`, i.e.
    ``descend.Cost(X, y, reduction="mean", l2=1/(C*S))``. ``tol``, ``learning_rate``
    and ``result_.fun`` refer to that mean form, whose scale does not grow with the
    number of samples.

    Parameters
    ----------
    C : float, default=1.0
        Inverse penalty strength, > 0; ``np.inf`` for no penalty.
    fit_intercept : bool, default=True
    solver : {"auto", "newton", "newton-cg", "lbfgs", "gd", "sgd", "adam"}, default="auto"
        ``"newton"``: Newton's method with a line search (Cholesky of the
        (d+1)×(d+1) Hessian, K(d+1)-square for K classes; best up to a few thousand
        parameters). ``"newton-cg"``: trust-region Newton-CG from Hessian-vector
        products (any number of features). ``"auto"``: two classes, ``"newton"`` up to
        5 000 features and ``"newton-cg"`` beyond; K ≥ 3 classes, ``"newton"`` while
        K(d+1) ≤ 200 and ``"lbfgs"`` beyond (the Hessian's pass costs K(d+1)/4 gradients).
        ``"lbfgs"``: limited-memory BFGS, gradients only. ``"gd"``: gradient descent.
        ``"sgd"``, ``"adam"``: :func:`descend.sgd` / :func:`descend.adam` in batches of 32 rows
        shuffled from seed 0, ``max_iter`` epochs (a ConvergenceWarning unless the full
        gradient reaches ``tol``, which the batches' noise rarely allows: they are for teaching
        and for data seen in pieces, not for a precise optimum).
    tol : float, default=1e-4
        Stop when max|∇| of the mean objective is ≤ tol (scikit-learn's meaning
        for its "newton-cholesky" and "lbfgs" solvers).
    max_iter : int, default=100
    learning_rate : float or "auto", default="auto"
        For ``solver="gd"``: a positive number is a fixed step size α
        (w ← w − α∇); ``"auto"`` takes the curvature step α = gᵀg / gᵀHg, the
        ideal rate 1/f″ along the gradient. For ``"sgd"`` and ``"adam"``: the rate α;
        ``"auto"`` is 0.1 for sgd and 0.01 for adam.
    warm_start : bool, default=False
        Start from the previous fit's coefficients, when there is one of the same shape.
    verbose : int, default=0
        Passed to the solver: > 0 prints its progress.
    n_threads : int or None, default=None
        Threads for the cost (None: every core available).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels, sorted; with two, ``classes_[1]`` is the positive class.
    coef_ : ndarray of shape (1, n_features), or (n_classes, n_features) for K ≥ 3 classes
    intercept_ : ndarray of shape (1,), or (n_classes,)
        Zeros when ``fit_intercept=False``.
    n_iter_ : ndarray of shape (1,)
        Solver iterations.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has string column names (e.g. a pandas DataFrame).
    result_ : descend.OptimizeResult
        The solver's full result: status, message, evaluation counts, history.
    """

    # Set by fit (annotated here for type checkers; no values, so unfitted stays unfitted).
    classes_: AnyArray
    coef_: FloatArray
    intercept_: FloatArray
    n_iter_: AnyArray
    result_: OptimizeResult

    def __init__(
        self,
        C: float = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        tol: float = 1e-4,
        max_iter: int = 100,
        learning_rate: float | str = "auto",
        warm_start: bool = False,
        verbose: int = 0,
        n_threads: int | None = None,
    ) -> None:
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_threads = n_threads

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _options(self) -> tuple[float, bool, str, dict[str, Any], int | None]:
        if isinstance(self.C, bool) or not isinstance(self.C, numbers.Real):
            raise TypeError(f"C must be a positive number or np.inf, got {type(self.C).__name__}")
        C = float(self.C)
        if not C > 0:
            raise ValueError(f"C must be > 0 (np.inf for no penalty), got {self.C}")
        fit_intercept = _as_bool(self.fit_intercept, "fit_intercept")
        solver = as_choice(self.solver, "solver", SOLVERS)
        options: dict[str, Any] = {
            "tol": as_real(self.tol, "tol", minimum=0.0),
            "max_iter": as_int(self.max_iter, "max_iter", minimum=0),
            "verbose": int(self.verbose) if isinstance(self.verbose, (bool, np.bool_)) else as_int(
                self.verbose, "verbose", minimum=0
            ),
        }
        if solver in ("gd", "sgd", "adam"):
            if isinstance(self.learning_rate, str):
                options["learning_rate"] = as_choice(self.learning_rate, "learning_rate", ("auto",))
            else:
                options["learning_rate"] = as_real(self.learning_rate, "learning_rate", minimum=0.0, strict=True)
        n_threads = None if self.n_threads is None else as_threads(self.n_threads)
        _as_bool(self.warm_start, "warm_start")
        return C, fit_intercept, solver, options, n_threads

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to samples X (n_samples, n_features) and labels y (two classes or more)."""
        C, fit_intercept, solver, options, n_threads = self._options()
        if _is_dask(X):
            from .dask import class_labels

            classes, encoded = class_labels(y)
            fitted = _fit_dask(
                self, X, encoded, sample_weight, loss="log_loss" if classes.shape[0] <= 2 else "multinomial",
                fit_intercept=fit_intercept, l2=lambda S: 0.0 if math.isinf(C) else 1.0 / (C * S),
                solve=lambda cost, x0: _minimise(cost, x0, solver, options),
            )  # fmt: skip
            self.classes_ = classes
            self._set_coefficients(fitted.result, fitted.n_features_in, fit_intercept, C)
            return self
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE)
        classes, y01 = np.unique(y, return_inverse=True)
        # Two classes of integers, booleans or integral floats are binary: skip scikit-learn's
        # type_of_target (most of a small fit's time); anything else goes through it.
        obviously_binary = classes.shape[0] == 2 and (
            y.dtype.kind in "iub" or (y.dtype.kind == "f" and bool(np.all(classes == np.floor(classes))))
        )
        if not obviously_binary:
            check_classification_targets(y)
        if classes.shape[0] == 1:
            raise ValueError(
                f"LogisticRegression needs samples of two classes, got only one class: {classes.tolist()[0]!r}"
            )
        target_type = "binary" if obviously_binary else type_of_target(y, input_name="y")
        if target_type not in ("binary", "multiclass"):
            raise ValueError(f"LogisticRegression needs class labels, got a target of type {target_type}")
        n_samples, n_features = X.shape
        n_classes = classes.shape[0]
        weights = _sample_weight(sample_weight, n_samples)
        if weights is not None:
            weighted = np.unique(y01[weights > 0])
            if weighted.shape[0] < 2:
                raise ValueError(
                    "LogisticRegression needs samples of two classes with positive sample_weight, got only "
                    f"class {classes.tolist()[weighted[0]]!r}"
                )
        total = float(n_samples) if weights is None else float(weights.sum())
        l2 = 0.0 if math.isinf(C) else 1.0 / (C * total)
        cost = Cost(
            X,
            y01.astype(np.float64),
            loss="log_loss" if n_classes == 2 else "multinomial",
            fit_intercept=fit_intercept,
            l2=l2,
            sample_weight=weights,
            n_threads=n_threads,
            n_classes=None if n_classes == 2 else n_classes,
        )
        rows = 1 if n_classes == 2 else n_classes
        x0 = np.zeros(cost.dim)
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (rows, n_features):
            x0[: rows * n_features] = self.coef_.ravel()
            if fit_intercept:
                x0[rows * n_features :] = self.intercept_
        result = _minimise(cost, x0, solver, options)

        self.classes_ = classes
        self._set_coefficients(result, n_features, fit_intercept, C)
        self.result_ = result
        self._training = lambda: cost  # the fitted cost itself: inference() reads X once more, no copy
        self._warn_if_needed(X, y01, weights, C, options["tol"])
        return self

    def _set_coefficients(self, result: OptimizeResult, n_features: int, fit_intercept: bool, C: float) -> None:
        """coef_, intercept_ and n_iter_ from the solver's x ([coef, intercept], or for K ≥ 3 classes
        [W class by class, K intercepts]), with scikit-learn's normalisation of the directions the
        softmax does not see: intercepts (and, without a penalty, coefficients) summing to zero."""
        K = self.classes_.shape[0]
        if K > 2:
            self.coef_, self.intercept_ = multinomial_coefficients(result.x, n_features, K, fit_intercept,
                                                                   penalised=not math.isinf(C))  # fmt: skip
        else:
            self.coef_ = result.x[:n_features].reshape(1, n_features).copy()
            self.intercept_ = result.x[n_features:].copy() if fit_intercept else np.zeros(1)
        self.n_iter_ = np.array([result.nit], dtype=np.int32)

    def _encode_target(self, y: AnyArray) -> FloatArray:
        if self.classes_.shape[0] > 2:
            raise ValueError(
                "inference() is for two classes: the multinomial model's intercepts are not identified (their "
                "covariance does not exist without a constraint); standard errors of multinomial models are not "
                "implemented yet"
            )
        positive = y == self.classes_[1]
        if not np.all(positive | (y == self.classes_[0])):
            raise ValueError(f"y must hold the two classes the model was fitted on, {self.classes_.tolist()}")
        return np.asarray(positive, dtype=np.float64)

    def inference(
        self, X: Any = None, y: Any = None, sample_weight: Any = None, *, cov_type: str = "nonrobust",
        groups: Any = None,
    ) -> Inference:
        """Standard errors, z statistics, p-values and confidence intervals of [coef…, intercept].

        ``cov_type``: ``"nonrobust"`` (the inverse Hessian of the summed log loss, plus I/C on the
        coefficients for a finite C: the covariance of the penalised estimate), ``"HC0"`` … ``"HC3"``
        (sandwich estimators) or ``"cluster"`` (with ``groups``, one label per row). Computed on the
        training data, or on X, y (and sample_weight) if given. Sample weights are frequency weights.
        See ``descend.inference`` for the formulas.
        """
        C = float(self.C)
        check_is_fitted(self)
        self._encode_target(self.classes_[:1])  # multinomial: not implemented, say so
        cost, names = self._inference_cost(
            X, y, sample_weight, "log_loss", bool(self.fit_intercept), 0.0 if math.isinf(C) else 1.0 / C,
            self.n_threads,
        )
        params = np.append(self.coef_[0], self.intercept_[0]) if self.fit_intercept else self.coef_[0]
        return self._infer(cost, params, names, on_training_data=X is None, cov_type=cov_type, groups=groups)

    def _warn_if_needed(self, X: FloatArray, y01: AnyArray, weights: FloatArray | None, C: float, tol: float) -> None:
        result = self.result_
        separated = False
        if math.isinf(C) and self.classes_.shape[0] == 2:
            margins = (2.0 * y01 - 1.0) * (X @ self.coef_[0] + self.intercept_[0])  # X is validated already
            counted = slice(None) if weights is None else weights > 0
            separated = bool((margins[counted] > 0).all())
        if separated or result.status == "no_minimum":
            how = "perfectly separated" if separated else "(quasi-)separated: the cost has no minimum"
            warnings.warn(
                f"LogisticRegression with C=np.inf: the classes are {how}, so the unpenalised "
                "coefficients are infinite. coef_ is finite only because the solver stopped "
                f"({result.status}, max|gradient| {result.grad_norm:.1e}), and its size reflects tol and "
                "max_iter, not the data. Use a finite C for meaningful coefficients.",
                PerfectSeparationWarning,
                stacklevel=3,
            )
            return
        if not result.success:
            advice = "raise max_iter, scale the features (e.g. StandardScaler), or use a smaller C (more penalty)"
            if self.solver not in ("newton", "auto"):
                advice = "use solver='newton', " + advice
            if self.solver == "gd" and self.learning_rate != "auto":
                advice += ", or learning_rate='auto'"
            warnings.warn(
                f"LogisticRegression (solver={self.solver!r}) did not converge: {result.status} after "
                f"{result.nit} iterations, max|gradient| {result.grad_norm:.2e} > tol {tol:g}. Try: {advice}.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def decision_function(self, X: Any) -> FloatArray:
        """The logit z = Xw + b of the positive class ``classes_[1]``, shape (n_samples,); for K ≥ 3
        classes the K logits XWᵀ + b, shape (n_samples, n_classes)."""
        check_is_fitted(self)
        multiclass = self.classes_.shape[0] > 2
        if _is_dask(X):  # a lazy dask array, computed where X lives
            from .dask import decision_function

            if multiclass:
                return decision_function(X, self.coef_.T, self.intercept_)  # type: ignore[return-value]
            return decision_function(X, self.coef_[0], self.intercept_[0])  # type: ignore[return-value]
        X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
        if multiclass:
            return np.asarray(X @ self.coef_.T + self.intercept_, dtype=np.float64)
        return np.asarray(X @ self.coef_[0] + self.intercept_[0], dtype=np.float64)

    def predict(self, X: Any) -> AnyArray:
        """The most probable label of each sample (two classes: ``classes_[1]`` when z > 0)."""
        if _is_dask(X):  # a lazy dask array, computed where X lives
            from .dask import predict_labels

            coef, intercept = (self.coef_.T, self.intercept_) if self.classes_.shape[0] > 2 else (
                self.coef_[0], self.intercept_[0])  # fmt: skip
            return predict_labels(X, coef, intercept, self.classes_)  # type: ignore[return-value]
        z = self.decision_function(X)
        index = np.argmax(z, axis=1) if z.ndim == 2 else (z > 0).astype(np.intp)
        labels: AnyArray = self.classes_[index]
        return labels

    def predict_log_proba(self, X: Any) -> FloatArray:
        """log P(class) per sample, shape (n_samples, n_classes), exact in the tails: two classes
        [log σ(−z), log σ(z)], more the log-softmax of the logits (z − logsumexp z)."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return log_softmax(z)
        return np.column_stack([_log_sigmoid(-z), _log_sigmoid(z)])

    def predict_proba(self, X: Any) -> FloatArray:
        """P(class) per sample, shape (n_samples, n_classes); rows sum to 1: two classes [σ(−z), σ(z)],
        more the softmax of the logits."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return softmax(z)
        positive = np.exp(_log_sigmoid(z))
        negative = np.exp(_log_sigmoid(-z))
        return np.column_stack([negative, positive])


class LinearRegression(_KeepsTrainingData, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    r"""Least squares, optionally ridge-penalised, solved by Newton's method on
    descend's C++ cost, refined to the accuracy of an orthogonal (QR or SVD) solve.

    Minimises scikit-learn's ``Ridge`` objective (``LinearRegression`` for ``alpha=0``)

    .. math::

        \sum_i s_i\,(y_i - x_i^\top w - b)^2 + \alpha \lVert w \rVert^2 ,

    the intercept :math:`b` not penalised. With ``fit_intercept=True``, X and y are
    centred (weighted means, as scikit-learn does; this copies X) and
    :math:`b = \bar y - \bar x^\top w`. The centred problem, ``descend.Cost(Xc, yc,
    "squared_error", fit_intercept=False, l2=2·alpha/S)`` in mean form
    (:math:`S = \sum_i s_i`), is solved on columns scaled to unit root-mean-square,
    so that conditioning and rank never depend on the features' units:

    - by Newton steps with one Cholesky factor of the Hessian (the Gram matrix),
      repeated with gradients computed from the residuals: iterative refinement,
      whose answer is as accurate as a QR or SVD solve wherever the normal
      equations can be factorised (the NIST StRD suite, Filip excepted, in
      ``tests/test_nist.py``);
    - else (a Gram matrix too ill-conditioned to refine: NIST's Filip, duplicate
      columns, more features than samples) by the SVD of the scaled design, which
      copies X once. A direction is dropped only if its scaled singular value is at
      rounding level and dropping it does not raise the residual sum of squares;
      then the answer is the minimum-norm least-squares solution in the features'
      units, as ``numpy.linalg.lstsq`` and scikit-learn give it.

    ``result_.method`` says which (``"newton"`` or ``"svd"``) and ``result_.message``
    how many steps or what rank.

    Sparse X (``scipy.sparse`` CSR or CSC; other formats are converted to CSR) is never
    densified nor centred: the intercept is a parameter of the cost instead. Up to 5 000
    features the Hessian is factorised and refined as above (on the diagonally scaled
    problem; a singular one by its eigen-decomposition, towards the least-norm solution);
    beyond, conjugate gradients on the normal equations (``result_.method`` is
    ``"cg"``), each step one pass over the non-zeros, so 200 000 columns need no
    d × d matrix.

    Parameters
    ----------
    alpha : float, default=0.0
        Ridge penalty strength, ≥ 0.
    fit_intercept : bool, default=True
    tol : float, default=1e-10
        Relative: converged when max|∇J(w)| ≤ tol · max|∇J(0)| (J in mean form), or
        when the refinement has reached rounding level (its last correction no
        longer shrank).
    max_iter : int, default=20
        Newton steps (refinements included) at most; about 1–5 are needed.
    n_threads : int or None, default=None

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    result_ : descend.OptimizeResult
    """

    coef_: FloatArray
    intercept_: float
    n_iter_: int
    result_: OptimizeResult

    def __init__(
        self,
        *,
        alpha: float = 0.0,
        fit_intercept: bool = True,
        tol: float = 1e-10,
        max_iter: int = 20,
        n_threads: int | None = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.n_threads = n_threads

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit the model to samples X (n_samples, n_features) and real targets y."""
        alpha = as_real(self.alpha, "alpha", minimum=0.0)
        fit_intercept = _as_bool(self.fit_intercept, "fit_intercept")
        tol = as_real(self.tol, "tol", minimum=0.0)
        max_iter = as_int(self.max_iter, "max_iter", minimum=1)
        n_threads = None if self.n_threads is None else as_threads(self.n_threads)
        if _is_dask(X):
            fitted = _fit_dask(
                self, X, y, sample_weight, loss="squared_error", fit_intercept=fit_intercept,
                l2=lambda S: 2.0 * alpha / S,
                solve=lambda cost, x0: newton(
                    cost, x0, tol=tol * float(np.max(np.abs(cost.gradient(x0)))), max_iter=max_iter
                ),
            )  # fmt: skip
            self.coef_ = fitted.result.x[: fitted.n_features_in].copy()
            self.intercept_ = float(fitted.result.x[-1]) if fit_intercept else 0.0
            self.n_iter_ = int(fitted.result.nit)
            return self
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE, y_numeric=True)
        weights = _sample_weight(sample_weight, X.shape[0])
        solve = least_squares.solve_sparse if is_sparse(X) else least_squares.solve
        solution = solve(X, y, weights, alpha, fit_intercept, tol, max_iter, n_threads)
        result = solution.result
        if not result.success:
            warnings.warn(
                f"LinearRegression: {result.message}: the coefficients may be inaccurate. Raise max_iter, or try "
                "a small alpha > 0.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.coef_ = solution.coef
        self.intercept_ = solution.intercept
        self.n_iter_ = int(result.nit)
        self.result_ = result
        self._training = lambda: Cost(X, y, "squared_error", fit_intercept=fit_intercept, l2=2.0 * alpha,
                                      sample_weight=weights, reduction="sum", n_threads=n_threads)  # fmt: skip
        return self

    def inference(
        self, X: Any = None, y: Any = None, sample_weight: Any = None, *, cov_type: str = "nonrobust",
        groups: Any = None,
    ) -> Inference:
        """Standard errors, t statistics (n − p degrees of freedom), p-values and confidence
        intervals of [coef…, intercept].

        ``cov_type``: ``"nonrobust"`` (σ̂²(XᵀWX + αI)⁻¹, σ̂² = RSS/(n − p)), ``"HC0"`` … ``"HC3"``
        (sandwich estimators) or ``"cluster"`` (with ``groups``, one label per row). Computed on the
        training data, or on X, y (and sample_weight) if given. Sample weights are frequency weights.
        See ``descend.inference`` for the formulas.
        """
        cost, names = self._inference_cost(
            X, y, sample_weight, "squared_error", bool(self.fit_intercept), 2.0 * float(self.alpha), self.n_threads
        )
        params = np.append(self.coef_, self.intercept_) if self.fit_intercept else self.coef_
        return inference(cost, params, cov_type=cov_type, groups=groups, names=names)

    def predict(self, X: Any) -> FloatArray:
        """ŷ = Xw + b, shape (n_samples,)."""
        check_is_fitted(self)
        if _is_dask(X):  # a lazy dask array, computed where X lives
            from .dask import decision_function

            return decision_function(X, self.coef_, self.intercept_)  # type: ignore[return-value]
        X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
        return np.asarray(X @ self.coef_ + self.intercept_, dtype=np.float64)


def _poisson_deviance(y: FloatArray, mean: FloatArray, weights: FloatArray | None) -> float:
    """Σ sᵢ·2(yᵢ·log(yᵢ/μᵢ) − yᵢ + μᵢ), with 0·log 0 = 0."""
    positive = y > 0
    terms = mean - y
    terms[positive] += y[positive] * np.log(y[positive] / mean[positive])
    return float(2.0 * (np.sum(terms) if weights is None else np.sum(weights * terms)))


class PoissonRegressor(_KeepsTrainingData, RegressorMixin, BaseEstimator):  # type: ignore[misc]
    r"""Poisson regression (log link) on descend's C++ cost, with scikit-learn's
    ``PoissonRegressor`` meaning.

    Minimises

    .. math::

        \frac{1}{2 \sum_i s_i} \sum_i s_i\, d(y_i, \mu_i) + \frac{\alpha}{2} \lVert w \rVert^2,
        \qquad \mu_i = e^{x_i^\top w + b},

    :math:`d` the Poisson deviance; the intercept is not penalised. In descend's terms this
    is the mean Poisson cost :math:`(1/S)\sum_i s_i (e^{z_i} - y_i z_i)` plus
    :math:`(\alpha/2)\lVert w\rVert^2`, i.e. ``descend.Cost(X, y, "poisson", l2=alpha)``
    (no Σs scaling of α, unlike ``LogisticRegression``'s C): the two differ by a term in y
    alone. ``tol`` bounds max|∇| of that objective.

    Parameters
    ----------
    alpha : float, default=1.0
        The L2 strength, ≥ 0.
    fit_intercept : bool, default=True
    solver : {"auto", "newton", "newton-cg", "lbfgs"}, default="auto"
        ``"auto"``: Newton's method (the (d+1)×(d+1) Hessian) up to 5 000 features,
        Newton-CG (Hessian-vector products) beyond.
    tol : float, default=1e-4
    max_iter : int, default=100
    warm_start : bool, default=False
    verbose : int, default=0
    n_threads : int or None, default=None

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    result_ : descend.OptimizeResult
    """

    coef_: FloatArray
    intercept_: float
    n_iter_: int
    result_: OptimizeResult

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        solver: str = "auto",
        tol: float = 1e-4,
        max_iter: int = 100,
        warm_start: bool = False,
        verbose: int = 0,
        n_threads: int | None = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.verbose = verbose
        self.n_threads = n_threads

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        tags.input_tags.sparse = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> PoissonRegressor:
        """Fit the model to samples X (n_samples, n_features) and counts (or rates) y ≥ 0."""
        alpha = as_real(self.alpha, "alpha", minimum=0.0)
        fit_intercept = _as_bool(self.fit_intercept, "fit_intercept")
        solver = as_choice(self.solver, "solver", ("auto", "newton", "newton-cg", "lbfgs"))
        options: dict[str, Any] = {
            "tol": as_real(self.tol, "tol", minimum=0.0),
            "max_iter": as_int(self.max_iter, "max_iter", minimum=0),
            "verbose": int(self.verbose) if isinstance(self.verbose, (bool, np.bool_)) else as_int(
                self.verbose, "verbose", minimum=0
            ),
        }  # fmt: skip
        n_threads = None if self.n_threads is None else as_threads(self.n_threads)
        _as_bool(self.warm_start, "warm_start")
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE, y_numeric=True)
        if np.any(y < 0):
            raise ValueError("y must be >= 0 for PoissonRegressor (counts, or rates): got a negative value")
        n_samples, n_features = X.shape
        weights = _sample_weight(sample_weight, n_samples)
        cost = Cost(X, y, "poisson", fit_intercept=fit_intercept, l2=alpha, sample_weight=weights,
                    n_threads=n_threads)  # fmt: skip
        x0 = np.zeros(cost.dim)
        if fit_intercept:  # start from the intercept-only fit, log of the weighted mean (0 → a small count)
            x0[-1] = math.log(max(float(np.average(y, weights=weights)), 1e-10))
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (n_features,):
            x0[:n_features] = self.coef_
            if fit_intercept:
                x0[-1] = self.intercept_
        solver = _auto(solver, n_features)
        result = {"newton": newton, "newton-cg": newton_cg, "lbfgs": lbfgs}[solver](cost, x0, **options)
        self.coef_ = result.x[:n_features].copy()
        self.intercept_ = float(result.x[-1]) if fit_intercept else 0.0
        self.n_iter_ = int(result.nit)
        self.result_ = result
        self._training = lambda: cost  # the fitted cost: inference() reads X once more, no copy
        if not result.success:
            warnings.warn(
                f"PoissonRegressor (solver={solver!r}) did not converge: {result.status} after {result.nit} "
                f"iterations, max|gradient| {result.grad_norm:.2e} > tol {options['tol']:g}. Try: raise max_iter, "
                "scale the features, or use a larger alpha.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def inference(
        self, X: Any = None, y: Any = None, sample_weight: Any = None, *, cov_type: str = "nonrobust",
        groups: Any = None,
    ) -> Inference:
        """Standard errors, z statistics, p-values and confidence intervals of [coef…, intercept].

        ``cov_type``: ``"nonrobust"`` (the inverse Hessian of the summed Poisson loss, plus
        Σsᵢ·α on the coefficients for α > 0: the covariance of the penalised estimate),
        ``"HC0"`` … ``"HC3"`` or ``"cluster"`` (with ``groups``). Computed on the training data,
        or on X, y (and sample_weight) if given. Sample weights are frequency weights. See
        ``descend.inference`` for the formulas.
        """
        weights_sum = None
        if X is not None and y is not None:
            weights_sum = float(np.sum(sample_weight)) if sample_weight is not None else float(np.shape(X)[0])
        cost, names = self._inference_cost(
            X, y, sample_weight, "poisson", bool(self.fit_intercept),
            float(self.alpha) * (weights_sum if weights_sum is not None else 1.0), self.n_threads,
        )  # fmt: skip
        params = np.append(self.coef_, self.intercept_) if self.fit_intercept else self.coef_
        return self._infer(cost, params, names, on_training_data=X is None, cov_type=cov_type, groups=groups)

    def predict(self, X: Any) -> FloatArray:
        """The mean μ = exp(Xw + b), shape (n_samples,)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
        return np.asarray(np.exp(X @ self.coef_ + self.intercept_), dtype=np.float64)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """D², the fraction of the Poisson deviance explained: 1 − dev(y, μ)/dev(y, ȳ), as scikit-learn's."""
        mean = self.predict(X)
        y = as_vector(y, "y", mean.shape[0], "one entry per row of X")
        weights = _sample_weight(sample_weight, mean.shape[0])
        null = np.full_like(y, np.average(y, weights=weights))
        return 1.0 - _poisson_deviance(y, mean, weights) / _poisson_deviance(y, null, weights)


# ---------------------------------------------------------------------------
# Stochastic estimators


class _Stochastic(BaseEstimator):  # type: ignore[misc]
    """What SGDClassifier and SGDRegressor share: the options, the run of descend.sgd / descend.adam
    over a cost, and the epoch count t_ that partial_fit continues from."""

    # descend's cost divided by these is the estimator's objective (SGDRegressor: descend's squared
    # error has no ½), so the rates and tolerances are rescaled to act on the estimator's objective.
    _objective_scale = 1.0
    #: Epochs done (the schedule's t of the next one).
    t_: float

    def _seed(self, offset: int) -> int:
        from sklearn.utils import check_random_state  # type: ignore[import-untyped]

        base = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        return base + offset

    def _run(self, cost: Cost, x0: FloatArray, epochs: int, start_epoch: float, seed: int) -> OptimizeResult:
        from . import _core
        from .solvers import _stochastic

        optimizer = as_choice(self.optimizer, "optimizer", ("sgd", "adam"))
        rate = as_real(self.learning_rate, "learning_rate", minimum=0.0, strict=True)
        max_iter = as_int(self.max_iter, "max_iter", minimum=1)
        tol = 0.0 if self.tol is None else as_real(self.tol, "tol", minimum=0.0) * self._objective_scale
        if optimizer == "sgd":
            extra: dict[str, object] = {
                "momentum": as_real(self.momentum, "momentum", minimum=0.0),
                "nesterov": _as_bool(self.nesterov, "nesterov"),
            }
            rate /= self._objective_scale  # the gradient of descend's cost is scale × the objective's
            options: Any = _core.SgdOptions()
        else:
            extra = {"eps": 1e-8 * self._objective_scale}  # Adam's step does not see the scale, but ε does
            options = _core.AdamOptions()
        return _stochastic(
            optimizer, options, cost, x0, learning_rate=rate, batch_size=self.batch_size, epochs=epochs,
            schedule=self.schedule, seed=seed, tol=tol, store_path=False, callback=None, verbose=self.verbose,
            extra=extra, start_epoch=start_epoch, horizon=float(max_iter),
        )  # fmt: skip

    def _store(self, result: OptimizeResult, n_features: int, fit_intercept: bool) -> None:
        raise NotImplementedError

    def _epochs(self, cost: Cost, x0: FloatArray, n_features: int, continued: bool) -> None:
        """fit: max_iter epochs from t = 0; partial_fit (continued): one epoch from t = t_."""
        if continued:
            result = self._run(cost, x0, 1, self.t_, self._seed(int(self.t_)))
            self.t_ += 1.0
        else:
            result = self._run(cost, x0, as_int(self.max_iter, "max_iter", minimum=1), 0.0, self._seed(0))
            self.t_ = float(result.nit)
            self._warn(result)
        self._store(result, n_features, cost.fit_intercept)
        self.n_iter_ = int(self.t_)

    def _warn(self, result: OptimizeResult) -> None:
        if self.tol is not None and not result.success:
            warnings.warn(
                f"{type(self).__name__} did not converge: {result.status} after {result.nit} epochs; raise max_iter, "
                "use a decaying schedule or larger batches, or tol=None to run every epoch without this warning",
                ConvergenceWarning,
                stacklevel=3,
            )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class SGDClassifier(ClassifierMixin, _Stochastic):  # type: ignore[misc]
    r"""Logistic regression by mini-batch SGD (or Adam): the mean log loss + (α/2)‖w‖², the
    objective of scikit-learn's ``SGDClassifier(loss="log_loss", penalty="l2")``; K ≥ 3 classes
    take the multinomial (softmax) loss, not one-versus-rest.

    ``learning_rate`` is the rate α (a number, not scikit-learn's schedule name), ``schedule``
    its multiplier (:func:`descend.sgd`); ``max_iter`` counts epochs; ``tol=None`` runs every
    epoch, a number stops once the full-data max|∇| ≤ tol (else a ConvergenceWarning).
    ``partial_fit`` runs one epoch over the data given, continuing the schedule's t from the
    epochs before (momentum and Adam's moments restart at each call). ``random_state`` seeds the
    shuffles.
    """

    classes_: AnyArray

    def __init__(
        self,
        loss: str = "log_loss",
        *,
        alpha: float = 1e-4,
        fit_intercept: bool = True,
        optimizer: str = "sgd",
        learning_rate: float = 0.1,
        batch_size: int | None = 32,
        max_iter: int = 10,
        momentum: float = 0.0,
        nesterov: bool = False,
        schedule: Any = "constant",
        tol: float | None = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
    ) -> None:
        self.loss = loss
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def _cost(self, X: Any, y: AnyArray, sample_weight: Any) -> tuple[Cost, FloatArray]:
        as_choice(self.loss, "loss", ("log_loss",))
        index = np.searchsorted(self.classes_, y)
        if np.any(index >= self.classes_.shape[0]) or np.any(self.classes_[np.minimum(index, len(self.classes_) - 1)] != y):
            raise ValueError(f"y holds labels that are not in classes {self.classes_.tolist()}")
        K = self.classes_.shape[0]
        cost = Cost(
            X, index.astype(np.float64), loss="log_loss" if K == 2 else "multinomial",
            fit_intercept=_as_bool(self.fit_intercept, "fit_intercept"), l2=as_real(self.alpha, "alpha", minimum=0.0),
            sample_weight=_sample_weight(sample_weight, X.shape[0]), n_classes=None if K == 2 else K,
        )  # fmt: skip
        x0 = np.zeros(cost.dim)
        rows = 1 if K == 2 else K
        if hasattr(self, "coef_") and self.coef_.shape == (rows, X.shape[1]):
            x0[: rows * X.shape[1]] = self.coef_.ravel()
            if cost.fit_intercept:
                x0[rows * X.shape[1] :] = self.intercept_
        return cost, x0

    def _store(self, result: OptimizeResult, n_features: int, fit_intercept: bool) -> None:
        K = self.classes_.shape[0]
        if K > 2:
            self.coef_, self.intercept_ = multinomial_coefficients(result.x, n_features, K, fit_intercept,
                                                                   penalised=float(self.alpha) > 0)  # fmt: skip
        else:
            self.coef_ = result.x[:n_features].reshape(1, n_features).copy()
            self.intercept_ = result.x[n_features:].copy() if fit_intercept else np.zeros(1)
        self.result_ = result

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SGDClassifier:
        """``max_iter`` epochs from zeros (or, with ``warm_start``, the previous coefficients)."""
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(f"SGDClassifier needs samples of two classes, got only one class: {classes.tolist()}")
        if not (self.warm_start and hasattr(self, "classes_") and np.array_equal(self.classes_, classes)):
            for name in ("coef_", "intercept_"):
                self.__dict__.pop(name, None)
        self.classes_ = classes
        cost, x0 = self._cost(X, y, sample_weight)
        self._epochs(cost, x0, X.shape[1], continued=False)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> SGDClassifier:
        """One epoch over (X, y), from the current coefficients; ``classes`` (every label) on the first call."""
        first = not hasattr(self, "classes_")
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE, reset=first)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit (every label there will be)")
            self.classes_ = np.unique(np.asarray(classes))
            if self.classes_.shape[0] < 2:
                raise ValueError(f"classes must hold at least two labels, got {self.classes_.tolist()}")
            self.t_ = 0.0
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(f"classes {np.unique(np.asarray(classes)).tolist()} differ from the first call's "
                             f"{self.classes_.tolist()}")  # fmt: skip
        cost, x0 = self._cost(X, y, sample_weight)
        self._epochs(cost, x0, X.shape[1], continued=True)
        return self

    def decision_function(self, X: Any) -> FloatArray:
        """The logit of ``classes_[1]``, shape (n_samples,); for K ≥ 3 classes the K logits, (n_samples, K)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
        if self.classes_.shape[0] > 2:
            return np.asarray(X @ self.coef_.T + self.intercept_, dtype=np.float64)
        return np.asarray(X @ self.coef_[0] + self.intercept_[0], dtype=np.float64)

    def predict(self, X: Any) -> AnyArray:
        """The most probable label of each sample."""
        z = self.decision_function(X)
        index = np.argmax(z, axis=1) if z.ndim == 2 else (z > 0).astype(np.intp)
        labels: AnyArray = self.classes_[index]
        return labels

    def predict_proba(self, X: Any) -> FloatArray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        z = self.decision_function(X)
        if z.ndim == 2:
            return softmax(z)
        p = np.exp(-np.logaddexp(0.0, -z))
        return np.column_stack([1.0 - p, p])


class SGDRegressor(RegressorMixin, _Stochastic):  # type: ignore[misc]
    r"""Linear least squares by mini-batch SGD (or Adam): the mean ½(y − z)² + (α/2)‖w‖², the
    objective of scikit-learn's ``SGDRegressor(penalty="l2")``. descend's squared error has no ½,
    so the fit runs on descend's cost with λ = 2α and the rate halved: the steps are those of
    this objective. Options as in :class:`SGDClassifier`; ``partial_fit(X, y, sample_weight=None)``.
    """

    _objective_scale = 2.0

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        alpha: float = 1e-4,
        fit_intercept: bool = True,
        optimizer: str = "sgd",
        learning_rate: float = 0.01,
        batch_size: int | None = 32,
        max_iter: int = 10,
        momentum: float = 0.0,
        nesterov: bool = False,
        schedule: Any = "constant",
        tol: float | None = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
    ) -> None:
        self.loss = loss
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.momentum = momentum
        self.nesterov = nesterov
        self.schedule = schedule
        self.tol = tol
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def _cost(self, X: Any, y: Any, sample_weight: Any) -> tuple[Cost, FloatArray]:
        as_choice(self.loss, "loss", ("squared_error",))
        cost = Cost(
            X, np.asarray(y, dtype=np.float64), loss="squared_error",
            fit_intercept=_as_bool(self.fit_intercept, "fit_intercept"),
            l2=2.0 * as_real(self.alpha, "alpha", minimum=0.0), sample_weight=_sample_weight(sample_weight, X.shape[0]),
        )  # fmt: skip
        x0 = np.zeros(cost.dim)
        if hasattr(self, "coef_") and self.coef_.shape == (X.shape[1],):
            x0[: X.shape[1]] = self.coef_
            if cost.fit_intercept:
                x0[X.shape[1] :] = self.intercept_
        return cost, x0

    def _store(self, result: OptimizeResult, n_features: int, fit_intercept: bool) -> None:
        self.coef_ = result.x[:n_features].copy()
        self.intercept_ = result.x[n_features:].copy() if fit_intercept else np.zeros(1)
        self.result_ = result

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> SGDRegressor:
        """``max_iter`` epochs from zeros (or, with ``warm_start``, the previous coefficients)."""
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE, y_numeric=True)
        if not self.warm_start:
            for name in ("coef_", "intercept_"):
                self.__dict__.pop(name, None)
        cost, x0 = self._cost(X, y, sample_weight)
        self._epochs(cost, x0, X.shape[1], continued=False)
        return self

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> SGDRegressor:
        """One epoch over (X, y), from the current coefficients."""
        first = not hasattr(self, "coef_")
        X, y = validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE, y_numeric=True, reset=first)
        if first:
            self.t_ = 0.0
        cost, x0 = self._cost(X, y, sample_weight)
        self._epochs(cost, x0, X.shape[1], continued=True)
        return self

    def predict(self, X: Any) -> FloatArray:
        """Xw + b, shape (n_samples,)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, accept_sparse=_SPARSE, reset=False)
        return np.asarray(X @ self.coef_ + self.intercept_[0], dtype=np.float64)
