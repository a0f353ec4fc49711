r"""The NumPy reference: the maths of descend a second time, written for reading.

Every function here computes the formula in its docstring in plain NumPy, with
no shortcut beyond a branch-stable ``log1pexp``. The C++ core is checked
against it, and the shared test vectors in ``tests/vectors`` are written from
it. It depends on NumPy only and imports nothing else from descend, so it can
be loaded from a source checkout by file path.

Pointwise losses, on the model's output (ŷ, or the logit z for log loss)::

    squared error   L(ŷ, y) = (y − ŷ)²                      L′ = 2(ŷ − y)   L″ = 2
    log loss        L(z, y) = log(1 + eᶻ) − y·z              L′ = σ(z) − y   L″ = σ(z)(1 − σ(z))
    multinomial     L(z, y) = logsumexp(z) − z_y  (z ∈ ℝᴷ)   ∂L/∂z = p − e_y  ∂²L/∂z² = diag p − ppᵀ
                    p = softmax(z); K classes, labels y ∈ {0, …, K − 1}

The cost of a linear model (the intercept b is the last parameter and is not
penalised; S = Σ sᵢ for ``reduction="mean"``, S = 1 for ``"sum"``)::

    z  = Xw + b
    J  = (1/S)·Σ sᵢ·L(zᵢ, yᵢ) + (λ/2)·‖w‖²
    ∇J = X̃ᵀ(s∘L′(z))/S + λw                  X̃ = [X, 1]
    H  = X̃ᵀ diag(s∘L″(z)) X̃/S + λI            (λ on the first d entries only)

The multinomial cost has the parameters [W[:, 0], …, W[:, K−1], b] (W of shape d × K, class by
class, then the K intercepts), Z = XW + 1bᵀ, and the gradient and Hessian of the same sum
with the K-vector derivatives (``multinomial_derivatives``).

Solvers: gradient descent (fixed, backtracking and curvature steps), Newton
(Cholesky, damped when needed) and L-BFGS (two-loop recursion). All of them
stop when the largest absolute entry of the gradient is at most ``tol``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, cast

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "poisson",
    "poisson_derivatives",
    "Cost",
    "CostLike",
    "Result",
    "gradient_descent",
    "lbfgs",
    "log1pexp",
    "log_loss",
    "log_loss_derivatives",
    "log_loss_from_logits",
    "multinomial",
    "multinomial_derivatives",
    "newton",
    "sigmoid",
    "softmax",
    "squared_error",
    "squared_error_derivatives",
]

#: Sufficient-decrease constant of every Armijo test here.
ARMIJO_C1 = 1e-4
#: Curvature constant of the weak Wolfe test in L-BFGS.
WOLFE_C2 = 0.9
#: Step halvings (or bisections) before a line search gives up.
MAX_LINE_SEARCH_STEPS = 60
#: The Armijo test accepts an increase of a few rounding errors of J, so that a
#: step whose true decrease is below the precision of J (close to the optimum)
#: is not rejected because of rounding: f(x + t·d) ≤ f(x) + c1·t·∇fᵀd + ROUNDING·|f(x)|.
ROUNDING = 4.0 * np.finfo(np.float64).eps

_F = TypeVar("_F", bound=Callable[..., Any])


def _underflow_is_exact(function: _F) -> _F:
    """Run under np.errstate(under="ignore"): a result that rounds to a subnormal or to 0
    (e^{−800}, σ(−800)·σ(800), 0.3·5e-324) is the correctly rounded answer, not an error,
    even where the caller has asked for np.errstate(all="raise")."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(under="ignore"):
            return function(*args, **kwargs)

    return cast(_F, wrapper)


# ---------------------------------------------------------------------------
# Pointwise functions


def _floats(a: npt.ArrayLike) -> FloatArray:
    return np.asarray(a, dtype=np.float64)


@_underflow_is_exact
def log1pexp(z: npt.ArrayLike) -> FloatArray:
    r"""log(1 + eᶻ), elementwise, for any finite z without overflow or loss of precision.

    Computed as max(z, 0) + log1p(e^{−|z|}): the only exponential has a
    non-positive argument, so it never overflows; where it underflows (|z| > 745)
    the exact result rounds to max(z, 0) anyway, e.g. log1pexp(800) = 800 and
    log1pexp(−800) = 0.
    """
    z = _floats(z)
    out: FloatArray = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return out


@_underflow_is_exact
def sigmoid(z: npt.ArrayLike) -> FloatArray:
    r"""The logistic function σ(z) = 1 / (1 + e^{−z}), elementwise, exact in both tails.

    With e = e^{−|z|}: σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0, so
    σ(−40) ≈ 4.2e-18 keeps its digits instead of being computed as 1 − (1 − 4.2e-18).
    """
    z = _floats(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


@_underflow_is_exact
def squared_error(y: npt.ArrayLike, y_pred: npt.ArrayLike) -> FloatArray:
    r"""Squared error L(ŷ, y) = (y − ŷ)², elementwise."""
    y, y_pred = _floats(y), _floats(y_pred)
    return (y - y_pred) ** 2


def _xlogy(a: FloatArray, b: FloatArray) -> FloatArray:
    """a·log(b), with 0·log(b) = 0 for every b ≥ 0 (so 0·log 0 = 0), and a·log 0 = −inf for a > 0."""
    safe_b = np.where(a == 0.0, 1.0, b)  # never evaluate 0·log 0 = 0·(−inf) = NaN
    with np.errstate(divide="ignore"):  # log 0 = −inf is the intended value
        return np.where(a == 0.0, 0.0, a * np.log(safe_b))


def _check_unit_interval(a: FloatArray, name: str) -> None:
    if not np.all((a >= 0.0) & (a <= 1.0)):  # also rejects NaN
        raise ValueError(f"{name} must lie in [0, 1]")


@_underflow_is_exact
def log_loss(y: npt.ArrayLike, p: npt.ArrayLike, *, from_logits: bool = False) -> FloatArray:
    r"""Log loss on probabilities, elementwise: L(p, y) = −(y·log p + (1 − y)·log(1 − p)).

    With 0·log 0 = 0: p ∈ {0, 1} with the matching label gives 0, with the other
    label +inf; never NaN, never a warning. y and p must lie in [0, 1].
    ``from_logits=True`` reads p as a logit z and returns :func:`log_loss_from_logits`.
    """
    if from_logits:
        return log_loss_from_logits(y, p)
    y, p = np.broadcast_arrays(_floats(y), _floats(p))
    _check_unit_interval(y, "y")
    _check_unit_interval(p, "p")
    return 0.0 - (_xlogy(y, p) + _xlogy(1.0 - y, 1.0 - p))  # 0.0 − x, not −x: a perfect prediction is +0.0, not −0.0


@_underflow_is_exact
def log_loss_from_logits(y: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    r"""Log loss on the logit, elementwise: L(z, y) = log(1 + eᶻ) − y·z.

    Computed without cancellation as y·log1pexp(−z) + (1 − y)·log1pexp(z), a sum of
    non-negative terms for y ∈ [0, 1] (the two forms are equal because
    log1pexp(z) − log1pexp(−z) = z). Exact at z = ±800: the mismatched label gives
    |z|, the matched one e^{−800}, which rounds to 0.
    """
    y, z = _floats(y), _floats(z)
    return y * log1pexp(-z) + (1.0 - y) * log1pexp(z)


@_underflow_is_exact
def squared_error_derivatives(y: npt.ArrayLike, y_pred: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""First and second derivative of (y − ŷ)² with respect to ŷ: L′ = 2(ŷ − y), L″ = 2."""
    y, y_pred = np.broadcast_arrays(_floats(y), _floats(y_pred))
    return 2.0 * (y_pred - y), np.full(y.shape, 2.0)


@_underflow_is_exact
def log_loss_derivatives(y: npt.ArrayLike, z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""First and second derivative of the log loss with respect to the logit z.

    L′ = σ(z) − y, computed as (1 − y)·σ(z) − y·σ(−z) (equal since σ(z) + σ(−z) = 1),
    which has no cancellation for labels 0 and 1: σ(40) − 1 = −σ(−40) ≈ −4.2e-18, not 0.
    L″ = σ(z)(1 − σ(z)) = σ(z)·σ(−z).
    """
    y, z = np.broadcast_arrays(_floats(y), _floats(z))
    first = (1.0 - y) * sigmoid(z) - y * sigmoid(-z)
    second = sigmoid(z) * sigmoid(-z)
    return first, second


def poisson(y: npt.ArrayLike, z: npt.ArrayLike) -> FloatArray:
    r"""Poisson loss with the log link, elementwise: L(z, y) = eᶻ − y·z, μ = eᶻ the mean.

    Half the Poisson deviance y·log(y/μ) − y + μ, less its term in y alone.
    """
    y, z = _floats(y), _floats(z)
    return np.asarray(np.exp(z) - y * z)


def poisson_derivatives(y: npt.ArrayLike, z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""First and second derivative of the Poisson loss in z: L′ = eᶻ − y, L″ = eᶻ."""
    y, z = np.broadcast_arrays(_floats(y), _floats(z))
    mean = np.exp(z)
    return mean - y, mean


def _softmax_parts(Z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For logits Z (n × K): Z − max (per row), the probabilities P, and r = Σ_{l ≠ top} e^{z_l − max}."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    top = np.argmax(Z, axis=1)
    rest = e.sum(axis=1) - e[np.arange(Z.shape[0]), top]  # e at the top is exactly 1
    return shifted, e / (1.0 + rest)[:, None], rest


@_underflow_is_exact
def softmax(Z: npt.ArrayLike) -> FloatArray:
    """p = softmax(z) per row of the logits Z (n × K), from z − max(z): no overflow."""
    return _softmax_parts(_floats(Z))[1]


@_underflow_is_exact
def multinomial(y: npt.ArrayLike, Z: npt.ArrayLike) -> FloatArray:
    r"""The softmax cross-entropy L = logsumexp(zᵢ) − zᵢ,yᵢ per row of the logits Z (n × K), labels y.

    With m the row's largest logit and r = Σ_{l≠m} e^{z_l − z_m}: L = log1p(r) + (z_m − z_y), a sum
    of non-negative terms, exact for logits of any size.
    """
    Z, labels = _floats(Z), np.asarray(y).astype(np.int64)
    shifted, _, rest = _softmax_parts(Z)
    loss: FloatArray = np.log1p(rest) - shifted[np.arange(Z.shape[0]), labels]
    return loss


@_underflow_is_exact
def multinomial_derivatives(y: npt.ArrayLike, Z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """∂L/∂z = p − e_y (n × K) and ∂²L/∂z² = diag p − ppᵀ (n × K × K) per row.

    1 − p_k is formed as Σ_{l≠k} p_l (never 1 − p_k rounded), so p_y − 1 and p_k(1 − p_k) keep their
    digits when p_k is close to 1.
    """
    Z, labels = _floats(Z), np.asarray(y).astype(np.int64)
    _, P, _ = _softmax_parts(Z)
    n, K = P.shape
    complement = np.stack([P[:, [l for l in range(K) if l != k]].sum(axis=1) for k in range(K)], axis=1)
    first = P.copy()
    first[np.arange(n), labels] = -complement[np.arange(n), labels]
    second = -P[:, :, None] * P[:, None, :]
    second[:, np.arange(K), np.arange(K)] = P * complement
    return first, second


# ---------------------------------------------------------------------------
# The cost of a linear model

LossName = Literal["log_loss", "squared_error", "poisson", "multinomial"]
ReductionName = Literal["mean", "sum"]


class Cost:
    r"""The cost of a linear model over (X, y), the same API as ``descend.Cost``.

    J(w) = (1/S)·Σᵢ sᵢ·L(zᵢ, yᵢ) + (λ/2)·‖w‖², zᵢ = xᵢᵀw + b, where the
    intercept b is the last parameter (``fit_intercept=True``) and is not
    penalised; S = Σ sᵢ for ``reduction="mean"`` and S = 1 for ``"sum"``;
    the sample weights sᵢ default to 1.
    """

    def __init__(
        self,
        X: npt.ArrayLike,
        y: npt.ArrayLike,
        loss: LossName = "log_loss",
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        sample_weight: npt.ArrayLike | None = None,
        reduction: ReductionName = "mean",
        shift: npt.ArrayLike | None = None,
        n_classes: int | None = None,
    ) -> None:
        if loss not in ("log_loss", "squared_error", "poisson", "multinomial"):
            raise ValueError(f"loss must be 'log_loss', 'squared_error', 'poisson' or 'multinomial', got {loss!r}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        X = _floats(X)
        if X.ndim != 2 or X.shape[0] < 1:
            raise ValueError(f"X must be a 2-D array with at least one row, got shape {X.shape}")
        if X.shape[1] < 1 and not fit_intercept:
            raise ValueError("X must have at least one column (feature) without an intercept")
        if not np.all(np.isfinite(X)):
            raise ValueError("X must contain only finite values")
        n = X.shape[0]
        y = _floats(y)
        if y.shape != (n,) or not np.all(np.isfinite(y)):
            raise ValueError(f"y must be a finite 1-D array with one entry per row of X ({n}), got shape {y.shape}")
        if loss == "log_loss":
            _check_unit_interval(y, "y")
        if loss == "poisson" and np.any(y < 0):
            raise ValueError("y must be >= 0 for poisson (counts, or rates)")
        #: K, the outputs per row (1 but for the multinomial loss).
        self.n_classes: int = 1
        if loss == "multinomial":
            if np.any(y < 0) or np.any(y != np.floor(y)):
                raise ValueError("y must hold class labels 0, 1, ..., K - 1 for multinomial")
            self.n_classes = int(n_classes) if n_classes is not None else int(y.max()) + 1
            if self.n_classes < 2 or y.max() >= self.n_classes:
                raise ValueError(f"n_classes must be >= 2 and above every label, got {self.n_classes}")
        if not (math.isfinite(l2) and l2 >= 0.0):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2}")
        if sample_weight is None:
            s: FloatArray = np.ones(n)
        else:
            s = _floats(sample_weight)
            if s.shape != (n,) or not np.all(np.isfinite(s)) or np.any(s < 0.0) or not np.sum(s) > 0.0:
                raise ValueError(
                    f"sample_weight must be a finite 1-D array of {n} entries >= 0 with a positive sum"
                )
        if shift is not None:  # the model on x − c: z = (x − c)ᵀw + b
            c = _floats(shift)
            if c.shape != (X.shape[1],) or not np.all(np.isfinite(c)):
                raise ValueError(f"shift must be a finite 1-D array with one entry per column of X ({X.shape[1]})")
            X = X - c
        self.X: FloatArray = X
        self.y: FloatArray = y
        self.sample_weight: FloatArray = s
        self.loss: LossName = loss
        self.fit_intercept: bool = bool(fit_intercept)
        self.l2: float = float(l2)
        self.reduction: ReductionName = reduction
        #: The normaliser S.
        self.normaliser: float = float(np.sum(s)) if reduction == "mean" else 1.0

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def dim(self) -> int:
        """The number of parameters p = K·(d + fit_intercept) (K = 1 but for the multinomial loss)."""
        return self.n_classes * (self.n_features + int(self.fit_intercept))

    # -- pieces -------------------------------------------------------------

    def _point(self, w: npt.ArrayLike, name: str = "w") -> FloatArray:
        w = _floats(w)
        if w.shape != (self.dim,):
            raise ValueError(f"{name} must have length {self.dim} (dim), got shape {w.shape}")
        return w

    def design(self) -> FloatArray:
        """X̃ = [X, 1] with an intercept, X without: z = X̃·w."""
        if self.fit_intercept:
            return np.hstack([self.X, np.ones((self.n_samples, 1))])
        return self.X

    def penalty_mask(self) -> FloatArray:
        """1 for each penalised parameter (the coefficients, K·d of them), 0 for the intercepts."""
        mask = np.zeros(self.dim)
        mask[: self.n_classes * self.n_features] = 1.0
        return mask

    def coefficients(self, w: FloatArray) -> FloatArray:
        """The multinomial parameters as the (d + fit_intercept) × K matrix [W; bᵀ] (column k: class k)."""
        K, d = self.n_classes, self.n_features
        W = w[: K * d].reshape(K, d).T
        return np.vstack([W, w[K * d :][None, :]]) if self.fit_intercept else W

    def flatten(self, G: FloatArray) -> FloatArray:
        """The inverse of coefficients: a (d + fit_intercept) × K matrix as a parameter vector."""
        d = self.n_features
        flat: FloatArray = np.concatenate([G[:d].T.ravel(), G[d:].ravel()])
        return flat

    @_underflow_is_exact
    def decision_function(self, w: npt.ArrayLike) -> FloatArray:
        """The model's output z = Xw + b (the logits for log loss), shape (n,); multinomial: the
        logits X̃[W; bᵀ], shape (n, K)."""
        w = self._point(w)
        if self.loss == "multinomial":
            return self.design() @ self.coefficients(w)
        return self.design() @ w

    def pointwise(self, z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """L(zᵢ, yᵢ), L′ and L″ for every sample."""
        if self.loss == "squared_error":
            first, second = squared_error_derivatives(self.y, z)
            return squared_error(self.y, z), first, second
        if self.loss == "poisson":
            first, second = poisson_derivatives(self.y, z)
            return poisson(self.y, z), first, second
        first, second = log_loss_derivatives(self.y, z)
        return log_loss_from_logits(self.y, z), first, second

    # -- the cost -----------------------------------------------------------

    def value(self, w: npt.ArrayLike) -> float:
        """J(w) = (1/S)·Σ sᵢ·L(zᵢ, yᵢ) + (λ/2)·‖w‖² (intercept not penalised)."""
        return self.value_and_gradient(w)[0]

    def gradient(self, w: npt.ArrayLike) -> FloatArray:
        """∇J(w) = X̃ᵀ(s∘L′(z))/S + λw (no λ on the intercept)."""
        return self.value_and_gradient(w)[1]

    @_underflow_is_exact
    def value_and_gradient(self, w: npt.ArrayLike) -> tuple[float, FloatArray]:
        """J(w) and ∇J(w)."""
        w = self._point(w)
        Xt, s, lam, mask = self.design(), self.sample_weight / self.normaliser, self.l2, self.penalty_mask()
        if self.loss == "multinomial":  # ∇ = X̃ᵀ diag(s)(P − Y)/S + λ[W; 0]
            Z = Xt @ self.coefficients(w)
            first, _ = multinomial_derivatives(self.y, Z)
            penalised = mask * w
            value = np.sum(s * multinomial(self.y, Z)) + 0.5 * lam * np.dot(penalised, penalised)
            return float(value), self.flatten(Xt.T @ (s[:, None] * first)) + lam * penalised
        loss, first, _ = self.pointwise(Xt @ w)
        penalised = mask * w
        # s/S is taken first: the weight of each sample in the mean (no underflow in sᵢ·L′ᵢ·xᵢ for tiny sᵢ).
        value = np.sum(s * loss) + 0.5 * lam * np.dot(penalised, penalised)
        gradient = Xt.T @ (s * first) + lam * penalised
        return float(value), gradient

    def hessian(self, w: npt.ArrayLike) -> FloatArray:
        """∇²J(w) = X̃ᵀ diag(s∘L″(z)) X̃/S + λ·diag(1, …, 1, 0), shape (p, p)."""
        return self.value_gradient_hessian(w)[2]

    @_underflow_is_exact
    def hessian_product(self, w: npt.ArrayLike, v: npt.ArrayLike) -> FloatArray:
        """∇²J(w)·v = X̃ᵀ(s∘L″(z)∘(X̃v))/S + λ·(v without its intercept entry), without forming H."""
        w, v = self._point(w), self._point(v, "v")
        if self.loss == "multinomial":
            return self.hessian(w) @ v
        Xt, s, lam, mask = self.design(), self.sample_weight / self.normaliser, self.l2, self.penalty_mask()
        _, _, second = self.pointwise(Xt @ w)
        product: FloatArray = Xt.T @ (s * second * (Xt @ v)) + lam * mask * v
        return product

    @_underflow_is_exact
    def value_gradient_hessian(self, w: npt.ArrayLike) -> tuple[float, FloatArray, FloatArray]:
        """J(w), ∇J(w) and ∇²J(w)."""
        w = self._point(w)
        value, gradient = self.value_and_gradient(w)
        Xt, s, lam, mask = self.design(), self.sample_weight / self.normaliser, self.l2, self.penalty_mask()
        if self.loss == "multinomial":
            # Block (k, l) over x̃: X̃ᵀ diag(s∘(∂²L/∂z²)ₖₗ) X̃; parameter (k, j) sits at flatten's index.
            _, second = multinomial_derivatives(self.y, Xt @ self.coefficients(w))
            K, q = self.n_classes, Xt.shape[1]
            # index[position in the parameters] = that parameter's class-major position k·q + j
            index = self.flatten(np.arange(K * q, dtype=np.float64).reshape(K, q).T).astype(np.int64)
            blocks = np.block([[Xt.T @ ((s * second[:, k, l])[:, None] * Xt) for l in range(K)] for k in range(K)])
            hessian = blocks[np.ix_(index, index)] + lam * np.diag(mask)
            return value, gradient, 0.5 * (hessian + hessian.T)
        _, _, second = self.pointwise(Xt @ w)
        hessian = Xt.T @ ((s * second)[:, None] * Xt) + lam * np.diag(mask)
        return value, gradient, 0.5 * (hessian + hessian.T)  # symmetric to the last bit, whatever the matmul order

    def __repr__(self) -> str:
        return (
            f"descend.reference.Cost(loss={self.loss!r}, n_samples={self.n_samples}, n_classes={self.n_classes}, "
            f"n_features={self.n_features}, fit_intercept={self.fit_intercept}, l2={self.l2}, "
            f"reduction={self.reduction!r})"
        )


# ---------------------------------------------------------------------------
# Solvers


class CostLike(Protocol):
    """What the solvers need from a cost (``Cost`` here, ``descend.Cost``, or a user's own)."""

    def value(self, w: FloatArray) -> float: ...

    def value_and_gradient(self, w: FloatArray) -> tuple[float, FloatArray]: ...


Status = Literal["converged", "max_iterations", "line_search_failed", "non_finite"]


@dataclass
class History:
    """One entry per iterate, the start included (``nit + 1`` entries), as
    ``descend.OptimizeResult.history``: the cost J, its max|∇J|, and the step length
    t of x ← x + t·d that led there (the learning rate for gradient descent; NaN
    for the start)."""

    cost: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    step: list[float] = field(default_factory=list)


@dataclass
class Result:
    """What a solver returns; field names follow ``scipy.optimize.OptimizeResult``,
    as ``descend.OptimizeResult`` and the C++ ``descend::Result`` do."""

    x: FloatArray
    fun: float
    jac: FloatArray
    nit: int
    status: Status
    history: History = field(default_factory=History)

    @property
    def success(self) -> bool:
        return self.status == "converged"


def _max_abs(g: FloatArray) -> float:
    """The max-norm ‖g‖∞, the stopping measure of every solver."""
    return float(np.max(np.abs(g))) if g.size else 0.0


def _armijo(f_new: float, f: float, slope: float, t: float) -> bool:
    """Sufficient decrease f(x + t·d) ≤ f(x) + c1·t·∇fᵀd (up to a few rounding errors of f)."""
    return bool(f_new <= f + ARMIJO_C1 * t * slope + ROUNDING * abs(f))


def _backtrack(cost: CostLike, x: FloatArray, f: float, g: FloatArray, d: FloatArray, t: float) -> float | None:
    """Armijo backtracking along d: halve t until sufficient decrease holds; None if it never does."""
    slope = float(g @ d)
    for _ in range(MAX_LINE_SEARCH_STEPS):
        if _armijo(cost.value(x + t * d), f, slope, t):
            return t
        t *= 0.5
    return None


class _Run:
    """Iterate bookkeeping shared by the solvers: histories and the stopping test."""

    def __init__(self, x: FloatArray, f: float, g: FloatArray, tol: float) -> None:
        self.tol = tol
        self.result = Result(x=x, fun=f, jac=g, nit=0, status="max_iterations")
        self.result.history.cost.append(f)
        self.result.history.grad_norm.append(_max_abs(g))
        self.result.history.step.append(math.nan)

    def step(self, x: FloatArray, f: float, g: FloatArray, t: float) -> None:
        r = self.result
        r.x, r.fun, r.jac, r.nit = x, f, g, r.nit + 1
        r.history.cost.append(f)
        r.history.grad_norm.append(_max_abs(g))
        r.history.step.append(t)

    def done(self, k: int, max_iter: int) -> bool:
        """Stop on a non-finite value or gradient, on ‖g‖∞ ≤ tol, or after max_iter iterations."""
        r = self.result
        if not (math.isfinite(r.fun) and np.all(np.isfinite(r.jac))):
            r.status = "non_finite"
        elif _max_abs(r.jac) <= self.tol:
            r.status = "converged"
        elif k >= max_iter:
            r.status = "max_iterations"
        else:
            return False
        return True

    def fail(self, status: Status) -> Result:
        self.result.status = status
        return self.result


def gradient_descent(
    cost: CostLike,
    x0: npt.ArrayLike,
    learning_rate: float,
    max_iter: int,
    tol: float = 0.0,
    step: Literal["fixed", "backtracking", "curvature"] = "fixed",
) -> Result:
    r"""Gradient descent x ← x − α·∇J(x) from x0.

    The step α of each iteration:

    * ``"fixed"``: α = learning_rate;
    * ``"backtracking"``: Armijo backtracking, α = learning_rate·2⁻ᵏ with the
      smallest k ≥ 0 such that J(x − α·g) ≤ J(x) − c1·α·gᵀg (c1 = 1e-4);
    * ``"curvature"``: α = gᵀg / gᵀHg, the exact minimiser of the local quadratic
      model along −g (one Hessian-vector product, ``cost.hessian_product``), halved
      while the Armijo condition fails (never, on a quadratic cost); where gᵀHg ≤ 0
      (or is not finite), backtracking from learning_rate as above.

    Stops when ‖∇J‖∞ ≤ tol, after max_iter iterations, on a non-finite value or
    gradient, or when the line search fails.
    """
    if step not in ("fixed", "backtracking", "curvature"):
        raise ValueError(f"step must be 'fixed', 'backtracking' or 'curvature', got {step!r}")
    if not (math.isfinite(learning_rate) and learning_rate > 0.0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate}")
    x = _floats(x0).copy()
    f, g = cost.value_and_gradient(x)
    run = _Run(x, f, g, tol)
    for k in range(max_iter + 1):
        if run.done(k, max_iter):
            break
        alpha: float | None = learning_rate
        if step == "curvature":
            curvature = float(g @ cost.hessian_product(x, g))  # type: ignore[attr-defined]
            start = float(g @ g) / curvature if curvature > 0.0 and math.isfinite(curvature) else learning_rate
            alpha = _backtrack(cost, x, f, g, -g, start)
        elif step == "backtracking":
            alpha = _backtrack(cost, x, f, g, -g, learning_rate)
        if alpha is None:
            return run.fail("line_search_failed")
        x = x - alpha * g
        f, g = cost.value_and_gradient(x)
        run.step(x, f, g, alpha)
    return run.result


def newton(cost: CostLike, x0: npt.ArrayLike, max_iter: int = 100, tol: float = 1e-10) -> Result:
    r"""Newton's method x ← x + t·s, H·s = −∇J, from x0.

    s is solved by Cholesky, H = LLᵀ (``np.linalg.cholesky``). Where H is not
    positive definite (Cholesky fails, or a pivot is below eps·max diag H) it is
    damped, H + μI, with μ growing tenfold from 1e-8·max(1, max|diag H|) until
    it is. The step length t is Armijo backtracking from t = 1 (c1 = 1e-4).
    Needs ``cost.value_gradient_hessian``.
    """
    x = _floats(x0).copy()
    f, g, H = cost.value_gradient_hessian(x)  # type: ignore[attr-defined]
    run = _Run(x, f, g, tol)
    for k in range(max_iter + 1):
        if run.done(k, max_iter):
            break
        if not np.all(np.isfinite(H)):
            return run.fail("non_finite")
        s = _newton_direction(H, g)
        t = _backtrack(cost, x, f, g, s, 1.0)
        if t is None:
            return run.fail("line_search_failed")
        x = x + t * s
        f, g, H = cost.value_gradient_hessian(x)  # type: ignore[attr-defined]
        run.step(x, f, g, t)
    return run.result


def _newton_direction(H: FloatArray, g: FloatArray) -> FloatArray:
    """s = −(H + μI)⁻¹g by Cholesky, with the smallest μ in {0, μ₀, 10μ₀, …} that makes H + μI positive definite."""
    p = g.size
    scale = max(1.0, float(np.max(np.abs(np.diag(H))))) if p else 1.0
    mu = 0.0
    while mu < 1e300:
        try:
            L = np.linalg.cholesky(H + mu * np.eye(p))
            if np.min(np.diag(L)) ** 2 > np.finfo(np.float64).eps * scale:
                u = np.linalg.solve(L, -g)  # L·u = −g
                return np.linalg.solve(L.T, u)  # Lᵀ·s = u
        except np.linalg.LinAlgError:
            pass
        mu = 1e-8 * scale if mu == 0.0 else 10.0 * mu
    return -g / scale  # unreachable for a finite H: μ ≥ ‖H‖ makes H + μI positive definite


def lbfgs(cost: CostLike, x0: npt.ArrayLike, memory: int = 10, max_iter: int = 1000, tol: float = 1e-8) -> Result:
    r"""L-BFGS: x ← x + t·d with d = −H̃·∇J, H̃ the inverse-Hessian estimate from the last
    ``memory`` pairs (sₖ = xₖ₊₁ − xₖ, yₖ = ∇Jₖ₊₁ − ∇Jₖ), applied by the two-loop recursion
    with H̃₀ = (sᵀy / yᵀy)·I from the newest pair.

    The step length t satisfies the weak Wolfe conditions, found by bisection
    (start t = 1, or 1/‖g‖∞ on the first iteration; halve on failed sufficient
    decrease, double or bisect on failed curvature): J(x + t·d) ≤ J(x) + c1·t·gᵀd
    and ∇J(x + t·d)ᵀd ≥ c2·gᵀd, c1 = 1e-4, c2 = 0.9. Pairs with sᵀy ≤ 0 are skipped.
    """
    if memory < 1:
        raise ValueError(f"memory must be >= 1, got {memory}")
    x = _floats(x0).copy()
    f, g = cost.value_and_gradient(x)
    run = _Run(x, f, g, tol)
    pairs: list[tuple[FloatArray, FloatArray]] = []
    for k in range(max_iter + 1):
        if run.done(k, max_iter):
            break
        d = -_two_loop(pairs, g)
        if not float(g @ d) < 0.0:  # not a descent direction: forget the memory
            pairs.clear()
            d = -g
        t0 = 1.0 if pairs else min(1.0, 1.0 / _max_abs(g))
        found = _weak_wolfe(cost, x, f, g, d, t0)
        if found is None:
            return run.fail("line_search_failed")
        t, f_new, g_new = found
        s, y = t * d, g_new - g
        if float(s @ y) > 0.0:
            pairs.append((s, y))
            if len(pairs) > memory:
                pairs.pop(0)
        x, f, g = x + s, f_new, g_new
        run.step(x, f, g, t)
    return run.result


def _two_loop(pairs: list[tuple[FloatArray, FloatArray]], g: FloatArray) -> FloatArray:
    """H̃·g by the two-loop recursion over the (s, y) pairs, oldest first in ``pairs``."""
    q = g.copy()
    alphas: list[float] = []
    for s, y in reversed(pairs):  # newest to oldest
        a = float(s @ q) / float(y @ s)
        q = q - a * y
        alphas.append(a)
    if pairs:
        s, y = pairs[-1]
        q = (float(s @ y) / float(y @ y)) * q
    for (s, y), a in zip(pairs, reversed(alphas)):  # oldest to newest
        b = float(y @ q) / float(y @ s)
        q = q + (a - b) * s
    direction: FloatArray = q
    return direction


def _weak_wolfe(
    cost: CostLike, x: FloatArray, f: float, g: FloatArray, d: FloatArray, t: float
) -> tuple[float, float, FloatArray] | None:
    """A step t along d with sufficient decrease and the weak curvature condition, by bisection."""
    slope = float(g @ d)
    low, high = 0.0, math.inf
    for _ in range(MAX_LINE_SEARCH_STEPS):
        f_new, g_new = cost.value_and_gradient(x + t * d)
        if not _armijo(f_new, f, slope, t):
            high = t
        elif float(g_new @ d) < WOLFE_C2 * slope:
            low = t
        else:
            return t, f_new, g_new
        t = 0.5 * (low + high) if math.isfinite(high) else 2.0 * low
    return None
