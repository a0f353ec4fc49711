r"""Least squares (and ridge) that keeps every real direction of ill-conditioned data.

The problem is :math:`\min_w \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \lVert w \rVert^2`,
solved on the centred data (weighted means) with the columns scaled to unit root-mean-square,
so that conditioning and rank are judged independently of the features' units:

1. **Normal equations, refined.** The Hessian of descend's squared-error cost (the Gram matrix,
   one pass over X in the C++ core) is factorised by Cholesky, column-scaled; then Newton steps
   ``w ← w − H⁻¹∇J(w)`` are repeated with that factor, each gradient computed from the residuals
   ``y − Xw`` (not from ``Hw − Xᵀy``). That is iterative refinement: the error contracts by about
   κ²ε per step (κ the condition number of the scaled X) and settles at the κε of a QR or SVD
   solve, not at the κ²ε of the plain normal equations.
2. **SVD of the scaled design**, where the Cholesky factor fails or refinement does not contract
   (κ² beyond about 1e-2/ε: NIST's Filip; duplicate columns; more features than samples). A
   direction is dropped only when its scaled singular value is at rounding level
   (≤ ε·max(n, d)·σ₁) *and* dropping it does not raise the residual sum of squares beyond
   rounding. Where directions are dropped, the answer is the least-squares solution of least
   norm in the features' own units, as ``numpy.linalg.lstsq`` and scikit-learn give it. This
   path copies X once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg  # type: ignore[import-untyped]

from ._result import History, OptimizeResult, Status
from ._validation import FloatArray
from .cost import Cost

EPS = float(np.finfo(np.float64).eps)
# Refinement that contracts the error less than this per step means κ²ε is not small: use the SVD.
SLOWEST_CONTRACTION = 1e-2
# np.longdouble: 80-bit extended precision on x86-64 Linux (ε ≈ 1.1e-19), plain double elsewhere.
EXTENDED_EPS = float(np.finfo(np.longdouble).eps)
# Above this condition number of the scaled Gram matrix (κ² of the scaled X), residuals in double
# limit the refined answer to about κ²ε·‖r‖/(‖X‖‖w‖) of error (NIST's Wampler4 and 5, whose residuals
# are large): refine further with residuals in extended precision, block by block (no copy of X).
EXTEND_ABOVE = 1e4
EXTENDED_BLOCK = 4096
# The shift of the normal equations without a copy: the mean of this many first rows.
SHIFT_ROWS = 1024


def _power_of_two(rms: FloatArray) -> FloatArray:
    """Each column's scale as the power of two nearest its root-mean-square: dividing by it is
    exact, so the scaled problem is the same problem, not a rounded copy of it."""
    scale = np.ones_like(rms)
    positive = rms > 0.0  # a constant column: nothing to scale
    scale[positive] = np.exp2(np.round(np.log2(rms[positive])))
    return scale


@dataclass(frozen=True)
class Solution:
    coef: FloatArray
    intercept: float
    result: OptimizeResult


def solve(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray | None,
    alpha: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    n_threads: int | None,
) -> Solution:
    """The (ridge) least-squares coefficients and intercept of X, y (see the module's docstring):
    the normal equations about a shift, without a copy of X, where they are well enough conditioned;
    else the centred copy of X and, where needed, its SVD."""
    fast = _shifted_normal_equations(X, y, weights, alpha, fit_intercept, tol, max_iter, n_threads)
    if fast is not None:
        return fast
    return _solve_centred_copy(X, y, weights, alpha, fit_intercept, tol, max_iter, n_threads)


def _shifted_normal_equations(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray | None,
    alpha: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    n_threads: int | None,
) -> Solution | None:
    """Path 1 without a copy of X: one pass gives the Gram matrix and Xᵀy about a shift c (the mean
    of the first rows: for data far from the origin, near the mean of all, so that no sum cancels),
    the centred Hessian is its Schur complement on the intercept, and refinement steps take their
    gradients from residuals of the shifted cost, one pass each. None where this path cannot
    decide alone (a constant column, a failed or too ill-conditioned factor): the caller then
    centres a copy of X."""
    n_samples, d = X.shape
    if d == 0:
        return None
    s = np.ones(n_samples) if weights is None else weights
    total = float(np.sum(s))
    l2 = 2.0 * alpha / total
    shift = np.mean(X[: min(n_samples, SHIFT_ROWS)], axis=0) if fit_intercept else None
    cost = Cost(X, y, loss="squared_error", fit_intercept=fit_intercept, l2=l2, sample_weight=weights,
                n_threads=n_threads, shift=shift)  # fmt: skip
    p = cost.dim
    f0, g0, H = cost.value_gradient_hessian(np.zeros(p))
    if fit_intercept:
        u, h = H[:d, d], float(H[d, d])  # (2/S)·Σsᵢ(xᵢ − c) and 2: the intercept's row
        centred = H[:d, :d] - np.outer(u, u) / h  # (2/S)·Σsᵢ(xᵢ − x̄)(xᵢ − x̄)ᵀ + λI
        offset = u / h  # x̄ − c
        assert shift is not None
        raw_rms = np.sqrt(np.maximum(0.5 * (np.diag(H[:d, :d]) - l2), 0.0) + (shift + offset) ** 2
                          - offset**2)  # fmt: skip
    else:
        u, h = np.zeros(d), 1.0
        centred = H
        raw_rms = np.sqrt(np.maximum(0.5 * (np.diag(H) - l2), 0.0))
    rms = np.sqrt(np.maximum(0.5 * (np.diag(centred) - l2), 0.0))
    if fit_intercept and np.any(rms <= 16.0 * EPS * raw_rms):
        return None  # a constant column, which the centred copy makes the exact zero it is
    scale = _power_of_two(rms)
    factored = _factor(centred / np.outer(scale, scale))
    if factored is None:
        return None
    factor, condition = factored

    def newton_step(g: FloatArray) -> FloatArray:
        """−H⁻¹g for the full (w, b) Hessian, through the centred Hessian (its Schur complement)."""
        step = np.zeros(p)
        gw = g[:d] - u * (g[d] / h) if fit_intercept else g
        step[:d] = -scipy.linalg.cho_solve(factor, gw / scale, check_finite=False) / scale
        if fit_intercept:
            step[d] = -(g[d] + u @ step[:d]) / h
        return step

    w = np.zeros(p)
    f, g = f0, g0
    start = float(np.max(np.abs(g0), initial=0.0))
    history = [(f0, start)]
    previous = np.inf
    settled = False
    for step in range(max(max_iter, 1)):
        delta = newton_step(g)
        size = float(np.linalg.norm(delta[:d] * scale))
        if step == 1 and size > SLOWEST_CONTRACTION * previous:
            return None
        if step > 0 and not size < 0.5 * previous:
            settled = True  # at rounding level: this correction is noise
            break
        w = w + delta
        f, g = cost.value_and_gradient(w)
        history.append((f, float(np.max(np.abs(g), initial=0.0))))
        if size <= 4.0 * EPS * float(np.linalg.norm(w[:d] * scale)) or not np.any(g):
            settled = True
            break
        previous = size
    coef = w[:d].copy()
    intercept = float(w[d] - shift @ coef) if fit_intercept and shift is not None else 0.0
    method = "newton"
    message = (
        f"solved by the normal equations (Cholesky of the column-scaled Gram matrix, about a shift, "
        f"no copy of X) with {len(history) - 2} refinement step(s)"
    )
    if EXTENDED_EPS < EPS and condition > EXTEND_ABOVE:
        data = _Data(X, y, s, fit_intercept, l2, total)
        cholesky = functools.partial(scipy.linalg.cho_solve, factor, check_finite=False)
        coef, extended, steps = _extended_refinement(data, coef, cholesky, scale)
        intercept = extended if extended is not None else 0.0
        message += f", then {steps} with residuals in extended precision"
        f, g = cost.value_and_gradient(np.r_[coef, intercept + shift @ coef] if fit_intercept and shift is not None else coef)
    return _solution(coef, intercept, f, g, start, history, settled, tol, max_iter, method, message)


def _solution(
    coef: FloatArray, intercept: float, fun: float, jac: FloatArray, start: float, history: list[tuple[float, float]],
    settled: bool, tol: float, max_iter: int, method: str, message: str,
) -> Solution:
    """The solution and its OptimizeResult: converged when the gradient is within tol, or the solve
    has reached rounding level (the last correction no longer shrank), beyond which no method in
    double precision gets closer."""
    grad_norm = float(np.max(np.abs(jac), initial=0.0))
    status = Status.CONVERGED if grad_norm <= tol * start or settled else Status.MAX_ITERATIONS
    if status is not Status.CONVERGED:
        message += (
            f"; max_iter = {max_iter} steps ended with the corrections still shrinking and max|gradient| "
            f"{grad_norm:.2e} above tol·max|∇J(0)| = {tol * start:.2e}"
        )
    costs = np.array([c for c, _ in history])
    result = OptimizeResult(
        x=coef, fun=float(fun), jac=jac, grad_norm=grad_norm, nit=len(history) - 1,
        nfev=len(history), njev=len(history), nhev=1 if method == "newton" else 0,
        status=status, message=message,
        history=History(cost=costs, grad_norm=np.array([g for _, g in history]),
                        step=np.r_[np.nan, np.ones(len(history) - 1)]),
        method=method, options={"tol": tol, "max_iter": max_iter},
    )  # fmt: skip
    return Solution(coef, intercept, result)


def _solve_centred_copy(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray | None,
    alpha: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    n_threads: int | None,
) -> Solution:
    """Paths 1 and 2 on a centred copy of X."""
    n_samples, n_features = X.shape
    s = np.ones(n_samples) if weights is None else weights
    total = float(np.sum(s))
    data = _Data(X, y, s, fit_intercept, 2.0 * alpha / total, total)  # as given, for extended residuals
    x_mean, y_mean = np.zeros(n_features), 0.0
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=s)
        y_mean = float(np.average(y, weights=s))
        X = X - x_mean
        y = y - y_mean
    extended_intercept: float | None = None
    rms = np.sqrt(np.einsum("ij,ij,i->j", X, X, s) / total)
    if fit_intercept:
        # A constant column centres to rounding (x̄ is not exactly its value): make it the exact
        # zero it is, or its rounding, scaled up, would look like a real regressor.
        raw_rms = np.sqrt(np.einsum("ij,ij,i->j", data.X, data.X, s) / total)
        constant = rms <= 16.0 * EPS * raw_rms
        if np.any(constant):
            X[:, constant] = 0.0
            rms[constant] = 0.0
    scale = _power_of_two(rms)
    cost = Cost(X, y, loss="squared_error", fit_intercept=False, l2=2.0 * alpha / total, sample_weight=weights,
                n_threads=n_threads)  # fmt: skip
    zeros = np.zeros(n_features)
    f0, g0 = cost.value_and_gradient(zeros)
    start = float(np.max(np.abs(g0), initial=0.0))
    refined = _refined_normal_equations(cost, scale, f0, g0, max_iter)
    if refined is not None:
        coef, history, settled, factor, condition = refined
        method = "newton"
        message = (
            f"solved by the normal equations (Cholesky of the column-scaled Gram matrix) with "
            f"{len(history) - 2} refinement step(s)"
        )
        if EXTENDED_EPS < EPS and condition > EXTEND_ABOVE:
            cholesky = functools.partial(scipy.linalg.cho_solve, factor, check_finite=False)
            coef, extended_intercept, steps = _extended_refinement(data, coef, cholesky, scale)
            message += f", then {steps} with residuals in extended precision"
    else:
        coef, extended_intercept, message = _svd(X, y, data, scale)
        fun = cost.value(coef)
        history = [(f0, start), (fun, float(np.max(np.abs(cost.gradient(coef)), initial=0.0)))]
        method, settled = "svd", True
    fun, jac = cost.value_and_gradient(coef)
    if not fit_intercept:
        intercept = 0.0
    elif extended_intercept is not None:
        intercept = extended_intercept
    else:
        intercept = float(y_mean - x_mean @ coef)
    return _solution(coef, intercept, fun, jac, start, history, settled, tol, max_iter, method, message)


def _refined_normal_equations(
    cost: Cost, scale: FloatArray, f0: float, g0: FloatArray, max_iter: int
) -> tuple[FloatArray, list[tuple[float, float]], bool, tuple[FloatArray, bool], float] | None:
    """Newton steps with one Cholesky factor of the column-scaled Hessian until the correction stops
    shrinking (then settled is True), with the factor and its condition estimate; None when the
    factor fails or the matrix is too ill-conditioned for refinement to contract."""
    d = scale.size
    w = np.zeros(d)
    history = [(f0, float(np.max(np.abs(g0), initial=0.0)))]
    if d == 0:
        return w, history + history, True, (np.zeros((0, 0)), True), 1.0
    factored = _factor(cost.hessian(w) / np.outer(scale, scale))
    if factored is None:
        return None
    factor, condition = factored
    g = g0
    previous = np.inf
    for step in range(max(max_iter, 1)):
        delta = -scipy.linalg.cho_solve(factor, g / scale, check_finite=False)
        size = float(np.linalg.norm(delta))
        if step == 1 and size > SLOWEST_CONTRACTION * previous:
            return None
        if step > 0 and not size < 0.5 * previous:
            return w, history, True, factor, condition  # at rounding level: this correction is noise
        w = w + delta / scale
        f, g = cost.value_and_gradient(w)
        history.append((f, float(np.max(np.abs(g), initial=0.0))))
        if size <= 4.0 * EPS * float(np.linalg.norm(w * scale)) or not np.any(g):
            return w, history, True, factor, condition
        previous = size
    return w, history, False, factor, condition


def _factor(scaled: FloatArray) -> tuple[tuple[FloatArray, bool], float] | None:
    """The Cholesky factor of the column-scaled Hessian and its condition estimate; None when the
    factor fails, or the matrix is too ill-conditioned for refinement to contract: refinement
    contracts by about κε per step, and beyond SLOWEST_CONTRACTION/ε the factor of a (numerically)
    singular matrix can still "converge", to a rounding artefact. The estimate is a lower bound
    that power iteration makes tight within a few steps."""
    d = scaled.shape[0]
    try:
        factor = scipy.linalg.cho_factor(scaled, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(factor[0])) or np.min(np.abs(np.diag(factor[0]))) ** 2 <= EPS * d * np.max(np.diag(scaled)):
        return None
    condition = _condition(factor)
    if condition * EPS > SLOWEST_CONTRACTION:
        return None
    return factor, condition


def _condition(factor: tuple[FloatArray, bool]) -> float:
    """κ(A) = λmax/λmin of A = LLᵀ, estimated by a few power iterations with A and with A⁻¹."""
    L = factor[0]
    d = L.shape[0]
    lower = np.tril(L)
    A = lower @ lower.T
    v = u = np.ones(d) / np.sqrt(d)
    largest = smallest_inverse = 0.0
    for _ in range(12):
        v = A @ v
        largest = float(np.linalg.norm(v))
        v = v / largest
        u = scipy.linalg.cho_solve(factor, u, check_finite=False)
        smallest_inverse = float(np.linalg.norm(u))
        u = u / smallest_inverse
    return largest * smallest_inverse


@dataclass(frozen=True)
class _Data:
    """The problem as given (X and y not centred): what extended-precision residuals are taken of."""

    X: FloatArray
    y: FloatArray
    s: FloatArray
    fit_intercept: bool
    l2: float
    total: float


def _extended_refinement(
    data: _Data, w: FloatArray, solve: Callable[[FloatArray], FloatArray], scale: FloatArray
) -> tuple[FloatArray, float | None, int]:
    """Refinement steps whose residuals r = y − Xw − b and gradient (2/S)·Xᵀdiag(s)r + λw are
    accumulated in extended precision, block by block, on the data as given (so that neither the
    centring nor the scaling rounds the problem), with b = Σsᵢ(yᵢ − xᵢᵀw)/S, the best intercept
    for w; the correction is −scale⁻¹∘solve(∇J/scale) (solve: the scaled Hessian's inverse).
    Until the correction stops shrinking, at most 8 steps. Returns w, b (None without an
    intercept) and the number of steps."""
    X, y, s = data.X, data.y, data.s
    previous = np.inf
    steps = 0
    intercept: float | None = None
    for steps in range(1, 9):
        wide = w.astype(np.longdouble)
        residual = np.empty(X.shape[0], dtype=np.longdouble)
        for start in range(0, X.shape[0], EXTENDED_BLOCK):
            rows = slice(start, start + EXTENDED_BLOCK)
            residual[rows] = y[rows] - X[rows].astype(np.longdouble) @ wide
        b = np.sum(s * residual) / data.total if data.fit_intercept else np.longdouble(0.0)
        residual -= b
        intercept = float(b) if data.fit_intercept else None
        gradient = np.zeros(w.size, dtype=np.longdouble)
        for start in range(0, X.shape[0], EXTENDED_BLOCK):
            rows = slice(start, start + EXTENDED_BLOCK)
            gradient -= X[rows].astype(np.longdouble).T @ (s[rows] * residual[rows])
        g = np.asarray(gradient * (2.0 / data.total) + data.l2 * wide, dtype=np.float64)
        delta = -solve(g / scale)
        size = float(np.linalg.norm(delta))
        if not size < 0.5 * previous:
            break
        w = np.asarray(wide + delta / scale, dtype=np.float64)
        previous = size
        if size <= EPS * float(np.linalg.norm(w * scale)):
            break
    if intercept is not None:  # for the final w
        wide = w.astype(np.longdouble)
        total = np.longdouble(0.0)
        for start in range(0, X.shape[0], EXTENDED_BLOCK):
            rows = slice(start, start + EXTENDED_BLOCK)
            total += np.sum(s[rows] * (y[rows] - X[rows].astype(np.longdouble) @ wide))
        intercept = float(total / data.total)
    return w, intercept, steps


def _svd(X: FloatArray, y: FloatArray, data: _Data, scale: FloatArray) -> tuple[FloatArray, float | None, str]:
    """Least squares by the SVD of the weighted, column-scaled, centred design (ridge as extra rows),
    refined with extended-precision residuals where the platform has them; returns the
    coefficients, the refined intercept (None if not refined) and a message."""
    n, d = X.shape
    s, total = data.s, data.total
    alpha = 0.5 * data.l2 * total
    root = np.sqrt(s)
    A = root[:, None] * (X / scale)
    b = root * y
    if alpha > 0.0:  # α‖w‖² = α‖ŵ/scale‖²: rows √α/scaleⱼ·eⱼ with target 0
        A = np.vstack([A, np.diag(np.sqrt(alpha) / scale)])
        b = np.concatenate([b, np.zeros(d)])
    U, sv, Vt = np.linalg.svd(A, full_matrices=False)
    largest = float(sv[0]) if sv.size else 0.0
    positive = sv > 0.0
    negligible = sv <= EPS * max(A.shape) * largest

    def solve_with(keep: np.ndarray) -> FloatArray:
        Uk, sk, Vk = U[:, keep], sv[keep], Vt[keep]
        w = Vk.T @ ((Uk.T @ b) / sk)
        for _ in range(2):  # refinement with the same factors
            w = w + Vk.T @ ((Uk.T @ (b - A @ w)) / sk)
        return np.asarray(w)

    def rss(w: FloatArray) -> float:
        return float(np.sum((b - A @ w) ** 2))

    keep = positive & ~negligible
    w = solve_with(keep)
    if np.any(positive & negligible):
        full = solve_with(positive)
        # Drop the rounding-level directions only if that does not raise the residual sum of squares
        # by more than rounding can: perturbing the data by ε|A| moves the residual at the full
        # solution by up to ε·‖|A||w|‖, so its RSS by twice that times ‖r‖ (and a direction that
        # rounding made, with its huge coefficient, gains no more than that).
        wiggle = 10.0 * np.sqrt(d) * EPS * float(np.linalg.norm(np.abs(A) @ np.abs(full)))
        if rss(w) > rss(full) + 2.0 * wiggle * np.sqrt(rss(w)) + wiggle**2:
            keep, w = positive, full
    rank = int(np.sum(keep))
    intercept: float | None = None
    if EXTENDED_EPS < EPS and rank:
        # The scaled Hessian is (2/S)·ÂᵀÂ = (2/S)·VΣ²Vᵀ: its inverse on the kept directions.
        Vk, inverse = Vt[keep], (0.5 * total) / sv[keep] ** 2

        def pseudo_inverse(g: FloatArray) -> FloatArray:
            return np.asarray(Vk.T @ (inverse * (Vk @ g)))

        refined, intercept, _ = _extended_refinement(data, w / scale, pseudo_inverse, scale)
        w = refined * scale
    if rank < d and alpha == 0.0:
        # Of the minimisers w with Vₖ·(scale∘w) = Vₖ·ŵ, the one of least norm in the features' units.
        constraint = Vt[keep] * scale[None, :]
        coef = np.linalg.lstsq(constraint, Vt[keep] @ w, rcond=None)[0] if rank else np.zeros(d)
    else:
        coef = w / scale
    message = (
        f"solved by the SVD of the column-scaled design (its Gram matrix is too ill-conditioned for the normal "
        f"equations): rank {rank} of {d}"
    )
    if rank < d:
        message += ", minimum-norm solution"
        intercept = None  # for the minimum-norm coefficients: ȳ − x̄ᵀw
    return np.asarray(coef), intercept, message


# ---------------------------------------------------------------------------
# Sparse X: never densified, never centred (the intercept is a parameter of the cost instead).

#: Up to this many parameters the sparse path factorises the Hessian; beyond, conjugate gradients.
DIRECT_UP_TO = 5000


def solve_sparse(
    X: Any,
    y: FloatArray,
    weights: FloatArray | None,
    alpha: float,
    fit_intercept: bool,
    tol: float,
    max_iter: int,
    n_threads: int | None,
) -> Solution:
    r"""Least squares on sparse X without a dense copy of X, with the intercept as the cost's last
    parameter (centring is folded into the Hessian rather than applied to X).

    The problem is scaled by D, the power of two nearest 1/√diag(H) (exact, so the scaled problem
    is the same problem). Up to ``DIRECT_UP_TO`` parameters, the Hessian (one pass over X, dense
    p × p) is factorised by Cholesky, or, where that fails (an all-zero column without a penalty,
    duplicate columns), by its eigen-decomposition with eigenvalues at rounding level dropped
    (the least-squares solution of least scaled norm); then refined with gradients from the
    residuals, as in :func:`solve`. Beyond, conjugate gradients on the normal equations with the
    same diagonal preconditioner, from w = 0 (so towards the least-norm solution), each step one
    Hessian-vector product (one pass over X), at most ``max(max_iter, 2·p)`` steps.
    """
    n_samples = int(np.shape(X)[0])
    total = float(n_samples if weights is None else np.sum(weights))
    cost = Cost(X, y, loss="squared_error", fit_intercept=fit_intercept, l2=2.0 * alpha / total,
                sample_weight=weights, n_threads=n_threads)  # fmt: skip
    p = cost.dim
    zeros = np.zeros(p)
    f0, g0 = cost.value_and_gradient(zeros)
    start = float(np.max(np.abs(g0), initial=0.0))
    target = tol * start
    history = [(f0, start)]
    if p <= DIRECT_UP_TO:
        H = cost.hessian(zeros)
        scale = _power_of_two(1.0 / np.sqrt(np.maximum(np.diag(H), 0.0) + (np.diag(H) <= 0.0)))
        scaled = H * np.outer(scale, scale)
        try:
            factor = scipy.linalg.cho_factor(scaled, lower=True, check_finite=False)
            if _condition(factor) * EPS > SLOWEST_CONTRACTION:
                raise np.linalg.LinAlgError("too ill-conditioned to refine")
            solve_scaled: Callable[[FloatArray], FloatArray] = functools.partial(
                scipy.linalg.cho_solve, factor, check_finite=False
            )
            how = "Cholesky of the scaled Hessian"
        except (np.linalg.LinAlgError, ValueError):
            values, vectors = np.linalg.eigh(scaled)
            keep = values > EPS * p * max(float(values[-1]), 0.0)
            inverse = vectors[:, keep] / values[keep]
            basis = vectors[:, keep]
            solve_scaled = lambda b: inverse @ (basis.T @ b)  # noqa: E731
            how = f"eigen-decomposition of the scaled Hessian, rank {int(keep.sum())} of {p}"
        w = zeros
        g = g0
        previous = np.inf
        settled = False
        for _ in range(max_iter):
            step = -scale * solve_scaled(scale * g)
            w = w + step
            f, g = cost.value_and_gradient(w)
            history.append((f, float(np.max(np.abs(g), initial=0.0))))
            size = float(np.max(np.abs(step), initial=0.0))
            if history[-1][1] <= target:
                break
            if size >= 0.5 * previous:  # the corrections stopped shrinking: rounding level
                settled = True
                break
            previous = size
        method = "newton"
        message = f"solved by the normal equations ({how}) with {len(history) - 2} refinement step(s)"
        nhev = 1
    else:
        diagonal = cost.hessian_diagonal(zeros)  # one pass over the non-zeros
        scale = 1.0 / np.where(diagonal > 0.0, diagonal, 1.0)
        w = zeros
        r = -g0
        z = scale * r
        d = z.copy()
        rz = float(r @ z)
        steps = max(max_iter, 2 * p)
        nhev = 0
        for _ in range(steps):
            if float(np.max(np.abs(r), initial=0.0)) <= target:
                break
            Hd = cost.hessian_product(zeros, d)
            nhev += 1
            curvature = float(d @ Hd)
            if curvature <= 0.0:
                break
            a = rz / curvature
            w = w + a * d
            r = r - a * Hd
            z = scale * r
            rz_next = float(r @ z)
            d = z + (rz_next / rz) * d
            rz = rz_next
        f, g = cost.value_and_gradient(w)
        history.append((f, float(np.max(np.abs(g), initial=0.0))))
        settled = False
        method = "cg"
        message = f"solved by conjugate gradients on the normal equations (Jacobi-preconditioned), {nhev} step(s)"
    fun, jac = cost.value_and_gradient(w)
    grad_norm = float(np.max(np.abs(jac), initial=0.0))
    status = Status.CONVERGED if grad_norm <= target or settled else Status.MAX_ITERATIONS
    if status is not Status.CONVERGED:
        message += f"; max|gradient| {grad_norm:.2e} is above tol·max|∇J(0)| = {target:.2e}"
    result = OptimizeResult(
        x=w, fun=float(fun), jac=jac, grad_norm=grad_norm, nit=len(history) - 1 if method == "newton" else nhev,
        nfev=len(history), njev=len(history), nhev=nhev, status=status, message=message,
        history=History(cost=np.array([c for c, _ in history]), grad_norm=np.array([g for _, g in history]),
                        step=np.r_[np.nan, np.ones(len(history) - 1)]),
        method=method, options={"tol": tol, "max_iter": max_iter},
    )  # fmt: skip
    coef = w[: p - 1].copy() if fit_intercept else w.copy()
    return Solution(coef, float(w[-1]) if fit_intercept else 0.0, result)
