r"""Standard errors, confidence intervals and p-values from the Hessian at the optimum.

For a linear model's cost at its minimiser :math:`\hat w` (coefficients, then the intercept),
with the *summed* objective :math:`F(w) = \sum_i s_i L(z_i, y_i) + \tfrac{\lambda_\Sigma}{2}\lVert w\rVert^2`
(:math:`\lambda_\Sigma = \lambda S`: the penalty of ``descend.Cost`` in summed form) and its
Hessian :math:`A = \nabla^2 F(\hat w) = \tilde X^\top \operatorname{diag}(s\circ L'')\tilde X + \lambda_\Sigma I`:

- ``"nonrobust"``: log loss and Poisson :math:`A^{-1}` (the inverse observed information); least squares
  :math:`\hat\sigma^2 (X^\top W X + \alpha I)^{-1} = 2\hat\sigma^2 A^{-1}`,
  :math:`\hat\sigma^2 = \mathrm{RSS}/(n - p)`. Sample weights are frequency weights here: a
  weight of 2 is a duplicated row, and :math:`n = \sum_i s_i`.
- ``"HC0"``: the sandwich :math:`A^{-1} M A^{-1}`, :math:`M = \sum_i s_i^2 L_i'^2 \tilde x_i \tilde x_i^\top`.
- ``"HC1"``: :math:`n/(n - p)` times HC0.
- ``"HC2"``, ``"HC3"``: :math:`M` with :math:`L_i'^2` divided by :math:`1 - h_i` and
  :math:`(1 - h_i)^2`, :math:`h_i = s_i L_i'' \tilde x_i^\top A^{-1} \tilde x_i` the leverage of
  the weighted hat matrix (R's ``sandwich`` package; statsmodels' OLS. statsmodels' Logit
  accepts HC1–HC3 but returns HC0 for them: descend does not).
- ``"cluster"``: :math:`M = \sum_g u_g u_g^\top`, :math:`u_g = \sum_{i \in g} s_i L_i' \tilde x_i`,
  times :math:`G/(G-1)\cdot(n-1)/(n-p)` (statsmodels' correction).

With a penalty the covariance is that of the penalised estimate (the inverse Hessian of the
penalised summed objective, as glum reports it). The Hessian and the meat :math:`M` are weighted
Gram matrices, each formed in one pass over X in blocks of rows (never an n × p temporary), in
coordinates centred under the Hessian's weights, where the Hessian is block diagonal and its
inverse keeps its digits whatever the offset of the columns; the hat values take one more pass.
Log loss and Poisson report z statistics (normal), least squares t statistics with ``df_resid`` = n − p degrees of freedom (G − 1 with clusters, as Stata and
statsmodels).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._distributions import normal_ppf, normal_sf, t_ppf, t_sf
from ._validation import AnyArray, FloatArray, as_choice, as_real, is_sparse
from .cost import Cost
from .losses import sigmoid

__all__ = ["COV_TYPES", "Inference", "inference"]

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
_BLOCK = 4096  # rows per block for the leverages


@dataclass(frozen=True, repr=False)
class Inference:
    """Estimates with their covariance, standard errors, test statistics and p-values, in the
    parameter order [coef…, intercept]. ``summary()`` prints them as statsmodels does;
    ``to_frame()`` gives a pandas DataFrame."""

    #: The estimates.
    params: FloatArray
    #: Their covariance matrix, shape (p, p).
    cov: FloatArray
    #: Standard errors: √diag(cov).
    bse: FloatArray
    #: params / bse: z for log loss, t for least squares.
    statistic: FloatArray
    #: Two-sided p-values of statistic (normal, or Student's t with df_resid degrees of freedom).
    pvalues: FloatArray
    #: Parameter names: the features', then "intercept".
    names: tuple[str, ...]
    #: "z" or "t".
    distribution: str
    cov_type: str
    #: n = Σ sᵢ (frequency weights).
    nobs: float
    #: n − p.
    df_resid: float
    #: The degrees of freedom of the t statistics and intervals: n − p, or G − 1 for clusters (as
    #: Stata and statsmodels); unused for z.
    df_test: float
    #: The log-likelihood at params, and that of the intercept-only model.
    llf: float
    llnull: float
    #: R² (least squares) or McFadden's pseudo-R² (log loss).
    rsquared: float
    aic: float
    bic: float
    #: What was fitted, for the summary's title.
    model: str = ""
    #: Extra lines the summary prints (the penalty's meaning, the clusters).
    notes: tuple[str, ...] = field(default=())

    def conf_int(self, alpha: float = 0.05) -> FloatArray:
        """The (1 − alpha) confidence intervals params ± q·bse, shape (p, 2); q the normal or t quantile."""
        alpha = as_real(alpha, "alpha", minimum=0.0, strict=True)
        if not alpha < 1.0:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
        q = _quantile(1.0 - alpha / 2.0, self.distribution, self.df_test)
        return np.column_stack([self.params - q * self.bse, self.params + q * self.bse])

    def to_frame(self, alpha: float = 0.05) -> Any:
        """A pandas DataFrame, one row per parameter (needs pandas)."""
        try:
            import pandas as pd  # type: ignore[import-untyped]
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("Inference.to_frame needs pandas: pip install pandas") from error
        low, high = self.conf_int(alpha).T
        stat = self.distribution
        return pd.DataFrame(
            {"coef": self.params, "std err": self.bse, stat: self.statistic, f"P>|{stat}|": self.pvalues,
             f"[{alpha / 2:g}": low, f"{1 - alpha / 2:g}]": high},
            index=list(self.names),
        )  # fmt: skip

    def summary(self, alpha: float = 0.05) -> str:
        """A text table: coef, std err, z or t, P>|z| or P>|t|, the confidence interval, and the fit."""
        stat = self.distribution
        fit_rows = [
            ("No. observations:", _g(self.nobs), "Log-likelihood:", f"{self.llf:.6g}"),
            ("Df residuals:", _g(self.df_resid), "LL-null:", f"{self.llnull:.6g}"),
            ("Df model:", str(len(self.params) - int("intercept" in self.names)),
             "R-squared:" if stat == "t" else "Pseudo R-squared:", f"{self.rsquared:.4g}"),
            ("Covariance type:", self.cov_type, "AIC / BIC:", f"{self.aic:.6g} / {self.bic:.6g}"),
        ]  # fmt: skip
        width = 78
        lines = [f"descend inference: {self.model}".center(width).rstrip(), "=" * width]
        for a, b, c, d in fit_rows:
            lines.append(f"{a:<18}{b:>20}    {c:<18}{d:>18}")
        lines.append("=" * width)
        low, high = self.conf_int(alpha).T
        name_width = max([12, *(len(name) for name in self.names)])
        header = (f"{'':<{name_width}}{'coef':>11}{'std err':>11}{stat:>9}{f'P>|{stat}|':>9}"
                  f"{f'[{alpha / 2:g}':>11}{f'{1 - alpha / 2:g}]':>11}")  # fmt: skip
        lines += [header, "-" * max(width, len(header))]
        for i, name in enumerate(self.names):
            lines.append(
                f"{name:<{name_width}}{_num(self.params[i]):>11}{_num(self.bse[i]):>11}{self.statistic[i]:>9.3f}"
                f"{self.pvalues[i]:>9.3f}{_num(low[i]):>11}{_num(high[i]):>11}"
            )
        lines.append("=" * max(width, len(header)))
        lines += list(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.summary())}</pre>"


def _g(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def _num(x: float) -> str:
    return f"{x:.4f}" if 1e-3 <= abs(x) < 1e5 or x == 0 else f"{x:.3e}"


def _quantile(q: float, distribution: str, df: float) -> float:
    return normal_ppf(q) if distribution == "z" else t_ppf(q, df)


def _two_sided(statistic: FloatArray, distribution: str, df: float) -> FloatArray:
    tail = normal_sf if distribution == "z" else functools.partial(t_sf, df=df)
    return np.array([2.0 * tail(abs(float(value))) for value in statistic])


def _log_factorial(y: FloatArray) -> FloatArray:
    """log Γ(y + 1) elementwise (log y! for counts, and its continuation for rates)."""
    return np.array([math.lgamma(value + 1.0) for value in y.tolist()])


def _xlogy(x: FloatArray, y: float) -> FloatArray:
    """x·log y, 0 where x = 0 (even for y = 0)."""
    return np.where(x == 0.0, 0.0, x * math.log(y) if y > 0 else -np.inf)


EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class _ScaledEigen:
    """The eigen-decomposition of D⁻¹CD⁻¹, D = √diag(C): what both the choice of the fast path
    (its condition number) and the inverse need, computed once."""

    scale: FloatArray
    zero: AnyArray  # columns whose diagonal is 0: not identified
    values: FloatArray
    vectors: FloatArray

    @property
    def condition(self) -> float:
        if np.any(self.zero) or not self.values.size or not self.values[0] > 0:
            return math.inf
        return float(self.values[-1] / self.values[0])


def _scaled_eigen(C: FloatArray) -> _ScaledEigen:
    diagonal = np.diag(C).copy()
    zero = diagonal <= 0.0
    scale = np.sqrt(np.where(zero, 1.0, diagonal))
    values, vectors = np.linalg.eigh(C / np.outer(scale, scale))
    return _ScaledEigen(scale, zero, values, vectors)


class _Rows:
    """z = X̃x, L′ and L″ for every row, computed on first use (one pass over X)."""

    def __init__(self, cost: Cost, x: FloatArray) -> None:
        self.cost, self.x = cost, x

    @functools.cached_property
    def _derivatives(self) -> tuple[FloatArray, FloatArray]:
        z = self.cost.decision_function(self.x)
        y = self.cost.y
        if self.cost.loss == "squared_error":
            return -2.0 * (y - z), np.full(z.shape, 2.0)
        if self.cost.loss == "poisson":
            mean = np.exp(z)
            return mean - y, mean
        prob = sigmoid(z)
        return prob - y, prob * sigmoid(-z)

    @property
    def first(self) -> FloatArray:
        return self._derivatives[0]

    @property
    def second(self) -> FloatArray:
        return self._derivatives[1]


class _Centred:
    """Weighted Gram matrices of X̃ = [X, 1] in centred coordinates x̃_c = T·x̃ = [x − x̄, 1], x̄ the
    mean under the Hessian's weights D = s∘L″. There the Hessian is block diagonal, diag(C, ΣD), C the
    centred Gram matrix plus the penalty, and the intercept no longer inflates its condition number
    (Longley's year column: 1950 ± 5), so its inverse keeps its digits. Without an intercept, T = I.

    Each Gram matrix is one pass over X. Where centring after the fact costs no accuracy (small
    offsets of the columns, a well-conditioned C: see __init__), the C++ core forms the uncentred
    one and T is applied to it; otherwise NumPy forms the centred one directly, in blocks of rows
    of x − x̄. Neither makes an n × p temporary."""

    def __init__(
        self, cost: Cost, x: FloatArray, normaliser: float, curvature: Callable[[], FloatArray],
        hessian: FloatArray | None,
    ) -> None:
        self.cost, self.x, self.X, self.intercept = cost, x, cost.X, cost.fit_intercept
        self.d = d = self.X.shape[1]
        penalty = normaliser * cost.l2
        # Σ D x̃x̃ᵀ + penalty: the one the solver left, or the core's one pass
        A = normaliser * (cost.hessian(x) if hessian is None else hessian)
        self.centre = np.zeros(d)
        self.fast = True
        if self.intercept:
            total = float(A[-1, -1])
            self.centre = A[:d, -1] / total
            uncentred = np.diag(A)[:d] - penalty
            centred = uncentred - total * self.centre**2
            hessian = np.zeros_like(A)
            hessian[:d, :d] = A[:d, :d] - total * np.outer(self.centre, self.centre)
            # Centring after the fact cancels: entries of C err by about ε·(uncentred/centred)·|C|,
            # and C⁻¹ by κ(C) times that. Keep it only while that stays below 1e-12.
            loss = float(np.max(uncentred / np.maximum(centred, np.finfo(np.float64).tiny), initial=1.0))
            self.eigen = _scaled_eigen(hessian[:d, :d])
            self.fast = bool(np.all(centred > 0.0)) and loss * self.eigen.condition * EPS < 1e-12
            if not self.fast:
                hessian[:d, :d] = self.gram(curvature()) + penalty * np.eye(d)
                self.eigen = _scaled_eigen(hessian[:d, :d])
            hessian[-1, -1] = total
            A = hessian
        else:
            self.eigen = _scaled_eigen(A)
        self.hessian = A

    def rows(self) -> Iterator[tuple[slice, FloatArray]]:
        """Blocks of x − x̄."""
        for start in range(0, self.X.shape[0], _BLOCK):
            rows = slice(start, start + _BLOCK)
            block = self.X[rows]
            dense = block.toarray() if is_sparse(block) else block  # a block of rows, never all of sparse X
            yield rows, np.asarray(dense, dtype=np.float64) - self.centre

    def gram(self, weights: FloatArray) -> FloatArray:
        """Σ wᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ."""
        out = np.zeros((self.d, self.d))
        for rows, block in self.rows():
            out += block.T @ (block * weights[rows, None])
        return np.asarray(0.5 * (out + out.T))

    def score_meat(self, squared_scores: Callable[[], FloatArray]) -> FloatArray:
        """Σ (sᵢL′ᵢ)² x̃_cᵢ x̃_cᵢᵀ: on the fast path the core's score Gram, one pass that forms z too."""
        if not self.fast:
            return self.meat(squared_scores())
        return self._to_centred(self.cost._core.score_gram(self.x))

    def _to_centred(self, M: FloatArray) -> FloatArray:
        """T·M·Tᵀ: an uncentred Gram matrix in centred coordinates."""
        if not self.intercept:
            return M
        T = np.eye(self.d + 1)
        T[: self.d, -1] = -self.centre
        return np.asarray(T @ M @ T.T)

    def meat(self, weights: FloatArray) -> FloatArray:
        """Σ wᵢ x̃_cᵢ x̃_cᵢᵀ."""
        p = self.d + self.intercept
        if self.fast:  # the core's uncentred Gram X̃ᵀdiag(w)X̃, one pass, then T
            return self._to_centred(self.cost._core.weighted_gram(weights))
        out = np.zeros((p, p))
        out[: self.d, : self.d] = self.gram(weights)
        if self.intercept:
            cross = np.zeros(self.d)
            for rows, block in self.rows():
                cross += block.T @ weights[rows]
            out[: self.d, -1] = out[-1, : self.d] = cross
            out[-1, -1] = float(np.sum(weights))
        return out

    def leverages(self, curvature: FloatArray, inverse: FloatArray) -> FloatArray:
        """hᵢ = Dᵢ·x̃_cᵢᵀ A_c⁻¹ x̃_cᵢ (A_c block diagonal)."""
        out = np.empty(self.X.shape[0])
        inner = inverse[: self.d, : self.d]
        extra = float(inverse[-1, -1]) if self.intercept else 0.0
        for rows, block in self.rows():
            out[rows] = np.einsum("ij,jk,ik->i", block, inner, block) + extra
        return out * curvature

    def cluster_scores(self, scores: FloatArray, codes: AnyArray, groups: int) -> FloatArray:
        """u_g = Σ_{i∈g} scoreᵢ·x̃_cᵢ, shape (G, p)."""
        u = np.zeros((groups, self.d + self.intercept))
        for rows, block in self.rows():
            np.add.at(u[:, : self.d], codes[rows], block * scores[rows, None])
            if self.intercept:
                np.add.at(u[:, -1], codes[rows], scores[rows])
        return u

    def to_original(self, cov: FloatArray) -> FloatArray:
        """Tᵀ·cov·T: a covariance of the centred parameters back in [coef…, intercept]."""
        if not self.intercept:
            return cov
        T = np.eye(self.d + 1)
        T[: self.d, -1] = -self.centre
        return np.asarray(T.T @ cov @ T)


def _not_identified(names: Sequence[str], null: FloatArray, zero: AnyArray) -> ValueError:
    """The error for a singular Hessian, naming the parameters in its null space (columns of null)."""
    involved = np.asarray(zero, dtype=bool).copy()
    if null.size:
        weight = np.max(np.abs(null), axis=1)
        involved |= weight > 0.1 * float(np.max(weight))
    shown = ", ".join(repr(names[int(j)]) for j in np.flatnonzero(involved))
    return ValueError(
        f"the Hessian at the optimum is singular, so the parameters {shown} are not identified (duplicate or "
        "collinear columns, a constant column beside the intercept, or perfectly separated classes): drop "
        "columns, or fit with a penalty"
    )


# Up to this condition number of the Jacobi-scaled centred Hessian, its eigen-decomposition gives an
# inverse accurate to about κε; beyond, the SVD of the design itself (NIST's Filip: κ ≈ 1e19).
GRAM_CONDITION = 1e10


def _inverse(
    centred: _Centred, curvature: Callable[[], FloatArray], penalty: float, names: Sequence[str]
) -> FloatArray:
    """A_c⁻¹ (block diagonal: C⁻¹ and 1/ΣD); a ValueError naming the parameters that are not
    identified where C is singular, judged on the column-scaled problem."""
    eps = float(np.finfo(np.float64).eps)
    d = centred.d
    eigen = centred.eigen
    scale, zero, values, vectors = eigen.scale, eigen.zero, eigen.values, eigen.vectors
    largest = float(values[-1]) if d else 0.0
    inverse = np.zeros_like(centred.hessian)
    if centred.intercept:
        inverse[-1, -1] = 1.0 / centred.hessian[-1, -1]
    if d == 0:
        return inverse
    if np.any(zero) or not largest > 0:
        raise _not_identified(names, np.zeros((d, 0)), zero)
    if values[0] > largest / GRAM_CONDITION:
        inner = (vectors / values) @ vectors.T
    else:  # the SVD of √D·(X − x̄), scaled, with rows √λ·I for the penalty: a copy of X
        root = np.sqrt(curvature())[:, None]
        B = np.vstack([root[rows] * block for rows, block in centred.rows()]) / scale
        if penalty > 0.0:
            B = np.vstack([B, np.diag(np.sqrt(penalty) / scale)])
        _, singular, Vt = np.linalg.svd(B, full_matrices=False)
        null = singular <= eps * max(B.shape) * singular[0]
        if np.any(null):
            raise _not_identified(names, Vt[null].T, zero)
        inner = (Vt.T / singular**2) @ Vt
    inverse[:d, :d] = inner / np.outer(scale, scale)
    return inverse


def inference(
    cost: Cost,
    x: Any,
    *,
    cov_type: str = "nonrobust",
    groups: Any = None,
    names: Sequence[str] | None = None,
    hessian: Any = None,
) -> Inference:
    """Standard errors, statistics, p-values and confidence intervals of the estimates ``x`` of a
    ``descend.Cost`` (``x`` its minimiser: [coef…, intercept]); see the module's docstring for the
    formulas of each ``cov_type``. ``groups`` (one label per row, any hashable values) is needed
    for, and only for, ``cov_type="cluster"``. ``names`` names the features (default x0, x1, …).
    ``hessian``, the cost's Hessian at x if known (``newton(...).hess``), saves a pass over X."""
    if not isinstance(cost, Cost):
        raise TypeError(f"cost must be a descend.Cost, got {type(cost).__name__}")
    cov_type = as_choice(cov_type, "cov_type", COV_TYPES)
    x = cost._point(x, "x")
    n_rows, d = cost.X.shape
    if names is None:
        names = [f"x{j}" for j in range(d)]
    names = [str(name) for name in names]
    if len(names) != d:
        raise ValueError(f"names must have one entry per feature ({d}), got {len(names)}")
    all_names = tuple(names + (["intercept"] if cost.fit_intercept else []))
    if cov_type == "cluster":
        if groups is None:
            raise ValueError('groups must be given for cov_type="cluster": one label per row of X')
        labels = np.asarray(groups)
        if labels.shape != (n_rows,):
            raise ValueError(f"groups must have one label per row of X ({n_rows}), got shape {labels.shape}")
        _, codes = np.unique(labels, return_inverse=True)
        codes = codes.reshape(-1)
    elif groups is not None:
        raise ValueError(f'groups is only for cov_type="cluster", not {cov_type!r}')

    s = np.ones(n_rows) if cost.sample_weight is None else cost.sample_weight
    total = float(np.sum(s))
    normaliser = total if cost.reduction == "mean" else 1.0
    p = cost.dim
    y = cost.y
    penalised = cost.l2 > 0.0
    least_squares = cost.loss == "squared_error"
    rows = _Rows(cost, x)  # z, L′ and L″ per row: one more pass over X, made only where needed
    # The Hessian of the summed, penalised objective, in centred coordinates (see _Centred).
    if hessian is not None:
        hessian = np.asarray(hessian, dtype=np.float64)
        if hessian.shape != (p, p) or not np.all(np.isfinite(hessian)):
            raise ValueError(f"hessian must be a finite ({p}, {p}) array, the cost's Hessian at x")
    centred = _Centred(cost, x, normaliser, lambda: s * rows.second, hessian)
    inverse = _inverse(centred, lambda: s * rows.second, normaliser * cost.l2, all_names)
    df_resid = total - p
    # Σ sᵢLᵢ from the cost's value (its penalty taken off): the RSS of least squares, −llf of log loss.
    penalty = 0.5 * cost.l2 * float(np.sum(x[:d] ** 2))
    summed_loss = normaliser * (cost.value(x) - penalty)
    if cov_type == "nonrobust":
        if least_squares:
            sigma2 = summed_loss / df_resid if df_resid > 0 else math.nan
            cov = 2.0 * sigma2 * inverse
        else:
            cov = inverse
    else:
        if cov_type == "cluster":
            G = int(codes.max()) + 1
            u = centred.cluster_scores(s * rows.first, codes, G)
            meat = u.T @ u
            correction = G / (G - 1) * (total - 1) / (total - p) if G > 1 else math.nan
            meat *= correction
        elif cov_type in ("HC2", "HC3"):
            leverage = centred.leverages(s * rows.second, inverse)
            squared = (s * rows.first) ** 2 / (1.0 - leverage) ** (1 if cov_type == "HC2" else 2)
            meat = centred.meat(squared)
        else:
            meat = centred.score_meat(lambda: (s * rows.first) ** 2)
            if cov_type == "HC1":
                meat *= total / df_resid
        cov = inverse @ meat @ inverse
    cov = centred.to_original(cov)
    cov = 0.5 * (cov + cov.T)
    bse = np.sqrt(np.diag(cov))
    statistic = x / bse
    distribution = "t" if least_squares else "z"
    df_test = float(codes.max()) if cov_type == "cluster" else df_resid  # G − 1
    pvalues = _two_sided(statistic, distribution, df_test)

    # The fit: log-likelihoods (frequency weights), R², information criteria.
    if least_squares:
        rss = summed_loss
        centre = float(np.sum(s * y) / total) if cost.fit_intercept else 0.0
        tss = float(np.sum(s * (y - centre) ** 2))
        llf = -0.5 * total * (math.log(2.0 * math.pi * rss / total) + 1.0)
        llnull = -0.5 * total * (math.log(2.0 * math.pi * tss / total) + 1.0)
        rsquared = 1.0 - rss / tss
        model = "least squares" + (" (ridge)" if penalised else "")
    elif cost.loss == "poisson":  # the log-likelihood keeps log yᵢ!, which the loss drops
        log_factorials = float(np.sum(s * _log_factorial(y)))
        llf = -summed_loss - log_factorials
        mean = float(np.sum(s * y) / total)
        llnull = float(np.sum(s * (_xlogy(y, mean) - mean))) - log_factorials
        rsquared = 1.0 - llf / llnull if llnull != 0 else math.nan
        model = "Poisson (log link)" + (", L2-penalised" if penalised else "")
    else:
        llf = -summed_loss
        mean = float(np.sum(s * y) / total)
        llnull = float(np.sum(s * (_xlogy(y, mean) + _xlogy(1.0 - y, 1.0 - mean))))
        rsquared = 1.0 - llf / llnull if llnull != 0 else math.nan
        model = "log loss (logistic regression)" + (", L2-penalised" if penalised else "")
    aic = -2.0 * llf + 2.0 * p
    bic = -2.0 * llf + p * math.log(total)
    notes: list[str] = []
    if penalised:
        notes.append(
            "Penalised fit: cov is the inverse Hessian of the penalised objective (the covariance of the "
            "penalised estimate, as glum reports it)."
        )
    if cov_type == "cluster":
        notes.append(f"Clusters: {int(codes.max()) + 1}, correction G/(G−1)·(n−1)/(n−p).")
    return Inference(
        params=x.copy(), cov=cov, bse=bse, statistic=statistic, pvalues=pvalues, names=all_names,
        distribution=distribution, cov_type=cov_type, nobs=total, df_resid=df_resid, df_test=df_test, llf=llf, llnull=llnull,
        rsquared=rsquared, aic=aic, bic=bic, model=model, notes=tuple(notes),
    )  # fmt: skip
