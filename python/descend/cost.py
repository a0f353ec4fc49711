"""The cost of a linear or logistic model over a dataset, computed by the C++ core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from .losses import sigmoid, softmax
from ._validation import FloatArray, as_choice, as_design, as_int, as_real, as_threads, as_vector, is_sparse

@dataclass(frozen=True)
class Loss:
    """One row of the loss table: what Python needs to know about a loss of the core's registry
    (``DESCEND_LOSSES`` in losses.hpp, which owns the formulas and the y check)."""

    #: The name, as the core's registry spells it.
    name: str
    #: In words, for messages and output ("log loss", "squared error", ...).
    words: str
    #: What y holds: "real", "labels" (two classes as 0/1, or probabilities), "counts" (y ≥ 0) or
    #: "classes" (labels 0 … K − 1, K outputs per row).
    target: str
    #: The inverse link: the mean of y given the model's output z (for "classes", the (n, K)
    #: probabilities from the (n, K) logits).
    mean: Callable[[FloatArray], FloatArray]
    #: Whether the loss grows like eᶻ, so that a large w makes it overflow (checked after evaluations).
    exponential: bool = False


#: Every loss, once: adding one is its struct and registry row in losses.hpp, one row here, and its
#: formula in descend.reference.
LOSS_TABLE: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("log_loss", "log loss", "labels", sigmoid),
        Loss("squared_error", "squared error", "real", lambda z: np.asarray(z, dtype=np.float64)),
        Loss("poisson", "Poisson deviance", "counts", lambda z: np.exp(np.asarray(z, dtype=np.float64)),
             exponential=True),  # fmt: skip
        Loss("multinomial", "multinomial log loss", "classes", softmax),
    )
}
LOSSES = tuple(LOSS_TABLE)
REDUCTIONS = ("mean", "sum")


def multinomial_coefficients(
    x: FloatArray, n_features: int, n_classes: int, fit_intercept: bool, penalised: bool
) -> tuple[FloatArray, FloatArray]:
    """The (K, d) coefficients and K intercepts of multinomial parameters x = [W class by class, b],
    normalised as scikit-learn reports them: the intercepts (and, unpenalised, the coefficients of
    each feature) summing to zero over the classes, directions the softmax does not see."""
    K, d = n_classes, n_features
    coef = np.array(x[: K * d], dtype=np.float64).reshape(K, d)
    intercept = np.array(x[K * d :], dtype=np.float64) if fit_intercept else np.zeros(K)
    intercept -= intercept.mean()
    if not penalised:
        coef -= coef.mean(axis=0)
    return coef, intercept


def core_cost(
    X: Any, y: FloatArray, loss: str, fit_intercept: bool, l2: float, sample_weight: FloatArray | None,
    reduction: str, n_threads: int, shift: FloatArray | None = None, n_classes: int = 0,
) -> Any:
    """The core's LinearModelCost over X (already through as_design): dense X as an array, sparse
    X as its three arrays. The core keeps what it views alive."""
    options = (y, loss, fit_intercept, l2, sample_weight, reduction, n_threads)
    if is_sparse(X):
        if shift is not None:
            raise ValueError("shift needs dense X: subtracting it would fill sparse X in")
        rows, cols = X.shape
        return _core.LinearModelCost.from_sparse(
            X.format, rows, cols, X.data, X.indices, X.indptr, *options, n_classes=n_classes
        )
    return _core.LinearModelCost(X, *options, shift, n_classes)


class Cost:
    r"""The cost of a linear model: losses combined over a dataset.

    .. math::

        J(w) = \frac{1}{S} \sum_i s_i\,L(z_i, y_i) + \frac{\lambda}{2}\lVert w\rVert^2,
        \qquad z_i = x_i^\top w + b

    * ``loss="log_loss"``: :math:`L = \log(1 + e^{z}) - y z` on the logit, exact for any
      finite logit; ``loss="squared_error"``: :math:`L = (y - z)^2`; ``loss="poisson"``:
      :math:`L = e^{z} - y z` (log link, mean :math:`e^z`, counts :math:`y \ge 0`).
    * ``loss="multinomial"``: the softmax cross-entropy over K classes, y holding the labels
      0 … K − 1 (K = ``n_classes``, or the largest label + 1). Each row has K logits
      :math:`z_i = W^\top x_i + b \in \mathbb{R}^K` (W of shape (n_features, K)),
      :math:`p_i = \operatorname{softmax}(z_i)`, :math:`L = \operatorname{logsumexp}(z_i) - z_{i,y_i}`,
      :math:`\partial L/\partial z = p_i - e_{y_i}`,
      :math:`\partial^2 L/\partial z^2 = \operatorname{diag}(p_i) - p_i p_i^\top`; exact for logits of
      ±800 and beyond. The parameters are ``[W[:, 0], …, W[:, K-1], b]`` (W column by column, i.e.
      class by class, then the K intercepts), ``dim = K·(n_features + fit_intercept)``: in NumPy,
      ``W = w[:K*d].reshape(K, d).T`` and ``b = w[K*d:]``. With :math:`\tilde x = [x, 1]`, the gradient is
      :math:`\tilde X^\top \operatorname{diag}(s)(P - Y)/S + \lambda[W; 0]` and the Hessian
      :math:`\sum_i s_i (\tilde x_i \tilde x_i^\top) \otimes (\operatorname{diag} p_i - p_i p_i^\top)/S` plus
      λ on the coefficients' diagonal, in the parameters' order; ``decision_function`` returns the
      (n_samples, K) logits. The cost is unchanged by adding one number to every intercept (and,
      with ``l2=0``, one vector to every class's coefficients): its minimiser is not unique along
      those directions, and the solvers say so. A class with no samples and an intercept has no
      minimum (the solvers report ``no_minimum``).
    * ``reduction="mean"`` (default): :math:`S = \sum_i s_i`; ``"sum"``: :math:`S = 1`.
    * With ``fit_intercept=True`` the intercept :math:`b` is the last parameter and is
      not penalised; ``dim`` is ``n_features + 1``.

    Gradient :math:`\nabla J = X^\top (s \circ L'(z)) / S + \lambda w`, Hessian
    :math:`H = X^\top \operatorname{diag}(s \circ L''(z))\, X / S + \lambda I`
    (intercept row and column included).

    ``X`` is viewed, not copied, when it is a float64 or float32 array whose rows
    or columns are contiguous (C or Fortran order); anything else is converted
    once, here. One evaluation reads X once, split over ``n_threads`` threads
    (default: every core available) with the GIL released; a given
    ``n_threads`` always gives the same bits.

    ``X`` may be sparse: a ``scipy.sparse`` CSR or CSC matrix or array
    (``csr_matrix``, ``csr_array``, ``csc_matrix``, ``csc_array``) with float64
    or float32 values and int32 or int64 indices is viewed, not copied (its
    ``data``, ``indices`` and ``indptr``; keep them unchanged while the cost
    lives). Other sparse input is converted once, here: COO, LIL, DOK, BSR and
    DIA to CSR, other value dtypes to float64, other index dtypes to int64, and
    a CSC matrix with unsorted row indices to a sorted copy. Duplicate entries
    are summed, as scipy does. Every result equals the same cost on
    ``X.toarray()`` up to rounding; a pass costs O(non-zeros), except
    ``hessian``, which costs O(Σ nnz(row)²) and returns a dense
    (dim × dim) matrix: with many features use ``hessian_product``.

    Parameters
    ----------
    X : array or scipy.sparse matrix of shape (n_samples, n_features)
    y : array of shape (n_samples,)
        Targets; for log loss, labels 0/1 (or probabilities in [0, 1]); for multinomial, the
        integer class labels 0 … K − 1.
    loss : {"log_loss", "squared_error", "poisson", "multinomial"}
    fit_intercept : bool
    l2 : float
        The L2 strength :math:`\lambda \ge 0`.
    sample_weight : array of shape (n_samples,), optional
        Non-negative weights :math:`s_i` with a positive sum; default all ones.
    reduction : {"mean", "sum"}
    n_threads : int, optional
    shift : array of shape (n_features,), optional
        A point c subtracted from every row of dense X as it is read (never a copy of X): the model
        is then :math:`z = (x - c)^\top w + b`, the same model with intercept :math:`b - c^\top w`.
        With c near the rows' mean, the Hessian and the residuals of data far from the origin keep
        their digits (``LinearRegression`` uses it in place of a centred copy of X).
    n_classes : int, optional
        For ``loss="multinomial"``: K, the number of classes (default: the largest label + 1); a
        class without samples is allowed, though with an intercept it has no minimum.
    """

    def __init__(
        self,
        X: Any,
        y: Any,
        loss: str = "log_loss",
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        sample_weight: Any = None,
        reduction: str = "mean",
        n_threads: int | None = None,
        shift: Any = None,
        n_classes: int | None = None,
    ) -> None:
        self.loss = as_choice(loss, "loss", LOSSES)
        self.reduction = as_choice(reduction, "reduction", REDUCTIONS)
        if not isinstance(fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be True or False, got {type(fit_intercept).__name__}")
        self.fit_intercept = bool(fit_intercept)
        self.l2 = as_real(l2, "l2", minimum=0.0)
        self.n_threads = as_threads(n_threads)
        self.X = as_design(X)
        n = self.X.shape[0]
        self.y = as_vector(y, "y", n, "one entry per row of X")
        self.sample_weight = (
            None if sample_weight is None else as_vector(sample_weight, "sample_weight", n, "one entry per row of X")
        )
        self.shift = None if shift is None else as_vector(shift, "shift", self.X.shape[1], "one entry per column of X")
        if n_classes is not None and self.loss != "multinomial":
            raise ValueError(f"n_classes is for loss='multinomial' only, not {self.loss!r}")
        requested = 0 if n_classes is None else as_int(n_classes, "n_classes", minimum=2)
        self._core = core_cost(
            self.X, self.y, self.loss, self.fit_intercept, self.l2, self.sample_weight, self.reduction, self.n_threads,
            self.shift, requested,
        )
        self._dim = int(self._core.dim())
        #: K, the outputs per row: the classes of the multinomial loss, 1 for the others.
        self.n_classes: int = int(self._core.classes)

    @property
    def dim(self) -> int:
        """The number of parameters: n_features, plus one for the intercept (times K for the multinomial loss)."""
        return self._dim

    @property
    def n_samples(self) -> int:
        return int(self._core.n_samples)

    @property
    def n_features(self) -> int:
        return int(self._core.n_features)

    def _point(self, w: Any, name: str = "w") -> FloatArray:
        # Fast path for the common case (a solver's float64 vector): the core
        # itself rejects non-finite entries, naming the argument.
        if type(w) is np.ndarray and w.dtype == np.float64 and w.ndim == 1 and w.shape[0] == self._dim:
            return w
        return as_vector(w, name, self.dim, "dim")

    def _finite(self, w: FloatArray, *results: Any) -> None:
        """For the Poisson loss, eᶻ overflows for z > 709.78: a clear error, never a silent inf or NaN."""
        if not LOSS_TABLE[self.loss].exponential or all(np.all(np.isfinite(r)) for r in results):
            return
        largest = float(np.max(self._core.decision_function(w)))
        raise ValueError(
            f"the poisson cost at w is not finite: its mean exp(z) overflows where z = Xw + b > 709.78 (the "
            f"largest z here is {largest:.6g}); w is too large for this data: start from smaller values or scale X"
        )

    def value(self, w: Any) -> float:
        """J(w)."""
        w = self._point(w)
        value = float(self._core.value(w))
        self._finite(w, value)
        return value

    def gradient(self, w: Any) -> FloatArray:
        """∇J(w), shape (dim,)."""
        return self.value_and_gradient(w)[1]

    def value_and_gradient(self, w: Any) -> tuple[float, FloatArray]:
        """J(w) and ∇J(w) from one pass over X."""
        w = self._point(w)
        value, gradient = self._core.value_and_gradient(w)
        self._finite(w, value, gradient)
        return float(value), gradient

    def batch_gradient(self, w: Any, rows: Any) -> FloatArray:
        r"""The gradient at w of this cost restricted to ``rows`` (one mini-batch of :func:`descend.sgd`).

        :math:`\sum_{i \in B} s_i \nabla L_i / \sum_{i \in B} s_i + \lambda w` (for
        ``reduction="sum"``, the data term times :math:`\sum_i s_i` over all rows: an unbiased
        estimate of the full sum's gradient); a batch of zero weight gives :math:`\lambda w`.
        ``rows``: indices in [0, n_samples), repeats allowed. One call reads those rows only, except
        for CSC X, whose rows each call first turns into CSR (all of X): pass CSR for batches.
        """
        w = self._point(w)
        index = np.asarray(rows)
        if index.ndim != 1 or (index.size and not np.issubdtype(index.dtype, np.integer)):
            raise ValueError(f"rows must be a 1-d array of row indices, got shape {index.shape} of {index.dtype}")
        if index.size == 0:
            raise ValueError("rows must name at least one row")
        gradient = np.asarray(self._core.batch_gradient(w, index.astype(np.int64, copy=False)))
        self._finite(w, gradient)
        return gradient

    def hessian(self, w: Any) -> FloatArray:
        """∇²J(w), shape (dim, dim), symmetric."""
        w = self._point(w)
        hessian = np.asarray(self._core.hessian(w))
        self._finite(w, hessian)
        return hessian

    def hessian_product(self, w: Any, v: Any) -> FloatArray:
        """∇²J(w)·v from one pass over X, without forming the Hessian."""
        w = self._point(w)
        product = np.asarray(self._core.hessian_product(w, self._point(v, "v")))
        self._finite(w, product)
        return product

    def hessian_diagonal(self, w: Any) -> FloatArray:
        """diag ∇²J(w), shape (dim,), from one pass over X (O(non-zeros) for sparse X), without
        forming the Hessian: newton_cg's preconditioner."""
        w = self._point(w)
        diagonal = np.asarray(self._core.hessian_diagonal(w))
        self._finite(w, diagonal)
        return diagonal

    def value_gradient_hessian(self, w: Any) -> tuple[float, FloatArray, FloatArray]:
        """J(w), ∇J(w) and ∇²J(w) from one pass over X."""
        w = self._point(w)
        value, gradient, hessian = self._core.value_gradient_hessian(w)
        self._finite(w, value, gradient, hessian)
        return float(value), gradient, np.asarray(hessian)

    def decision_function(self, w: Any) -> FloatArray:
        """The model's raw output z = Xw + b (logits for log loss), shape (n_samples,); for the
        multinomial loss the logits XW + b, shape (n_samples, n_classes)."""
        z = np.asarray(self._core.decision_function(self._point(w)))
        return z.reshape(-1, self.n_classes) if self.n_classes > 1 else z

    def __repr__(self) -> str:
        return (
            f"descend.Cost(loss={self.loss!r}, n_samples={self.n_samples}, n_features={self.n_features}, "
            + (f"n_classes={self.n_classes}, " if self.loss == "multinomial" else "")
            + f"fit_intercept={self.fit_intercept}, l2={self.l2}, reduction={self.reduction!r}, "
            f"n_threads={self.n_threads})"
        )
