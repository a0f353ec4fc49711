r"""The costs of :class:`descend.Cost` over data spread across machines, with Dask.

The cost is a sum over samples, so its value, gradient and Hessian over a
row-partitioned dataset are sums of per-partition results:

.. math::

    J(w) = \frac{1}{S} \sum_k \Big[\sum_{i \in k} s_i\,L(z_i, y_i)\Big]
           + \frac{\lambda}{2}\lVert w\rVert^2

:class:`Cost` keeps each row block of ``(X, y, sample_weight)`` on a worker,
next to a C++ cost over it (one thread: the workers supply the parallelism),
built once at construction. An evaluation sends ``w`` out, runs one task per
block (one pass over that block) and adds the results in a tree; the client
divides by ``S`` and adds the :math:`\lambda` terms. Only ``w`` goes out and
only ``d``- or ``d²``-sized sums come back, so the solvers in
:mod:`descend.solvers` run on it unchanged, driven from the client.

    >>> import dask.array as da, descend.dask, descend.solvers
    >>> X = da.random.default_rng(0).standard_normal((100_000, 20), chunks=(25_000, 20))
    >>> y = (X[:, 0] > 0).astype(float)
    >>> cost = descend.dask.Cost(X, y, loss="log_loss", l2=1e-3)   # persists the blocks
    >>> result = descend.solvers.newton(cost)                       # doctest: +SKIP

Any Dask scheduler works; with a ``distributed.Client`` the blocks live on
its workers, which must be able to ``import descend``. A block lost with a
worker is recomputed from its lineage.
"""

# Dask's own functions are mostly untyped:
# mypy: disable-error-code="no-untyped-call,no-any-return"
from __future__ import annotations

import math
import numbers
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# Absolute imports of the real Dask: this module is descend.dask, not dask.
import dask.array as da
from dask.base import compute, get_scheduler, is_dask_collection as _is_dask_collection, persist
from dask.delayed import Delayed, delayed
from dask.task_spec import Task, TaskRef
from dask.typing import Key

from ._validation import AnyArray, FloatArray, as_choice, as_design, as_int, as_real, as_vector
from .cost import LOSSES, REDUCTIONS, core_cost
from ._result import OptimizeResult
from .solvers import Method, minimize

__all__ = [
    "Cost",
    "LinearModelFit",
    "binary_labels",
    "class_labels",
    "decision_function",
    "fit_linear_model",
    "is_dask_collection",
    "predict_labels",
]


# ---------------------------------------------------------------------------
# On the workers. Module-level, so that tasks pickle by reference.


class _Block:
    """One row block of the data and the C++ cost over it (reduction "sum",
    no penalty, one thread), living on a worker.

    The C++ cost is built, and the block validated, once, here; pickling (a
    transfer between workers, or a spill to disk) carries the arrays only and
    rebuilds it. A block that fails validation keeps the message instead, so
    that the client can report it; a block without rows or whose weights are
    all zero contributes zeros.
    """

    def __init__(self, X: Any, y: Any, sample_weight: Any, loss: str, fit_intercept: bool, n_classes: int = 0) -> None:
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.n_classes = n_classes
        self.n_samples = int(np.shape(X)[0])
        self.dim = max(n_classes, 1) * (int(np.shape(X)[1]) + int(fit_intercept))
        self.weight_sum = 0.0
        self.error: str | None = None
        self.core: Any = None
        try:
            self.core = self._build()
        except (ValueError, TypeError) as error:
            self.error = str(error)

    def _build(self) -> Any:
        if self.n_samples == 0:
            return None
        X = as_design(self.X)
        y = as_vector(self.y, "y", self.n_samples, "one entry per row of X")
        weights = None
        if self.sample_weight is not None:
            weights = as_vector(self.sample_weight, "sample_weight", self.n_samples, "one entry per row of X")
            if (weights < 0).any():
                raise ValueError("sample_weight must be >= 0")
            self.weight_sum = float(weights.sum())
            if self.weight_sum == 0.0:
                weights = None  # the block adds nothing, but its X and y are still checked
        else:
            self.weight_sum = float(self.n_samples)
        # The block's own mean: weights are normalised inside the block (no underflow of tiny
        # weights in s·L′·x), and the client's scale S_b/S makes it the block's share of J.
        core = core_cost(X, y, self.loss, self.fit_intercept, 0.0, weights, "mean", 1, n_classes=self.n_classes)
        return core if self.weight_sum > 0.0 else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Block, (self.X, self.y, self.sample_weight, self.loss, self.fit_intercept, self.n_classes))


def _make_block(X: Any, y: Any, sample_weight: Any, loss: str, fit_intercept: bool, n_classes: int) -> _Block:
    return _Block(X, y, sample_weight, loss, fit_intercept, n_classes)


def _summary(block: _Block) -> tuple[int, float, str | None]:
    return block.n_samples, block.weight_sum, block.error


def _zeros(want: str, dim: int) -> tuple[Any, ...]:
    if want == "value":
        return (0.0,)
    if want == "value_and_gradient":
        return 0.0, np.zeros(dim)
    if want == "hessian":
        return (np.zeros((dim, dim)),)
    if want == "hessian_product":
        return (np.zeros(dim),)
    return 0.0, np.zeros(dim), np.zeros((dim, dim))


def _evaluate(block: _Block, want: str, point: tuple[FloatArray, FloatArray | None], scale: float) -> tuple[Any, ...]:
    """The block's unpenalised share at point = (w, v): scale times its own mean
    (Σ sᵢLᵢ, Xᵀ(s∘L′), Xᵀdiag(s∘L″)X or Xᵀdiag(s∘L″)Xv, over S_b = Σ sᵢ of the block);
    scale is S_b/S for the mean reduction and S_b for the sum."""
    return tuple(scale * term for term in _block_mean(block, want, point))


def _block_mean(block: _Block, want: str, point: tuple[FloatArray, FloatArray | None]) -> tuple[Any, ...]:
    w, v = point
    core = block.core
    if block.error is not None:  # not reached: the client refuses such data at construction
        raise ValueError(block.error)
    if core is None:
        return _zeros(want, block.dim)
    if want == "value":
        return (core.value(w),)
    if want == "value_and_gradient":
        return tuple(core.value_and_gradient(w))
    if want == "hessian":
        return (core.hessian(w),)
    if want == "hessian_product":
        return (core.hessian_product(w, v),)
    return tuple(core.value_gradient_hessian(w))


def _add(*parts: tuple[Any, ...]) -> tuple[Any, ...]:
    """The sum of a few blocks' results, term by term, in a fixed order."""
    total = list(parts[0])
    for part in parts[1:]:
        for j, term in enumerate(part):
            total[j] = total[j] + term
    return tuple(total)


def _decision(block: _Block, w: FloatArray) -> FloatArray:
    K = max(block.n_classes, 1)
    if block.n_samples == 0:
        return np.zeros((0, K)) if block.n_classes else np.zeros(0)
    X = as_design(block.X)
    d = X.shape[1]
    if block.n_classes:  # the multinomial logits, (rows, K): W is w's first K·d entries, class by class
        Z = np.asarray(X @ w[: K * d].reshape(K, d).T, dtype=np.float64)
        return Z + w[K * d :] if block.fit_intercept else Z
    z = np.asarray(X @ w[:d], dtype=np.float64)
    return z + w[-1] if block.fit_intercept else z


# ---------------------------------------------------------------------------
# Inputs


def is_dask_collection(x: Any) -> bool:
    """Whether ``x`` is a Dask collection (array, DataFrame, Series, ...): the inputs that
    :func:`fit_linear_model` fits where they live."""
    return bool(_is_dask_collection(x))


def _as_dask_array(x: Any, name: str, convert: bool = True) -> da.Array:
    if hasattr(x, "to_dask_array") and is_dask_collection(x):  # dask DataFrame or Series
        x = x.to_dask_array(lengths=True)
    if not isinstance(x, da.Array):
        raise TypeError(
            f"{name} must be a dask array or a dask DataFrame, got {type(x).__name__} "
            f"(for data in memory use descend.Cost)"
        )
    if any(np.isnan(c) for chunks in x.chunks for c in chunks):
        x = x.compute_chunk_sizes()
    if not convert:
        return x
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers, got dtype {x.dtype}")
    if x.dtype.kind != "f" or (x.dtype != np.float64 and x.dtype != np.float32):
        x = x.astype(np.float64)
    return x


def _as_rows(x: Any, name: str, row_chunks: tuple[int, ...]) -> da.Array:
    """y or sample_weight as a 1-D float64 dask array in X's row blocks. A NumPy array is
    accepted (it goes out once, at construction)."""
    if not is_dask_collection(x):
        array = as_vector(x, name)
        if array.shape[0] != sum(row_chunks):
            raise ValueError(
                f"{name} must have length {sum(row_chunks)} (one entry per row of X), got {array.shape[0]}"
            )
        return da.from_array(array, chunks=(row_chunks,))
    vector = _as_dask_array(x, name)
    if vector.ndim == 2 and vector.shape[1] == 1:
        vector = vector[:, 0]
    if vector.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {vector.ndim}-D shape {vector.shape}")
    if vector.shape[0] != sum(row_chunks):
        raise ValueError(f"{name} must have length {sum(row_chunks)} (one entry per row of X), got {vector.shape[0]}")
    vector = vector.astype(np.float64)
    return vector if vector.chunks[0] == row_chunks else vector.rechunk((row_chunks,))


# ---------------------------------------------------------------------------
# On the client


class Cost:
    r"""The cost of a linear model over row-chunked dask arrays: :class:`descend.Cost`'s
    maths, methods and options, one pass over the data per evaluation.

    .. math::

        J(w) = \frac{1}{S} \sum_i s_i\,L(z_i, y_i) + \frac{\lambda}{2}\lVert w\rVert^2,
        \quad \nabla J = X^\top(s \circ L')/S + \lambda w,
        \quad H = X^\top \operatorname{diag}(s \circ L'') X / S + \lambda I

    (intercept last, not penalised; ``S = Σ sᵢ`` for ``reduction="mean"``, 1 for ``"sum"``).

    Construction persists the row blocks on the workers (columns in one chunk;
    X is rechunked if needed) and validates them there: finite ``X`` and
    ``y``, labels in [0, 1] for log loss, weights >= 0 with a positive sum,
    matching lengths. ``ValueError`` names the argument and the rows.

    Every evaluation is one task per block plus a tree of additions of width
    ``split_every``; the results are NumPy arrays, and ``value``, gradient
    and Hessian asked for together come from the same pass.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features), or a dask DataFrame
    y : dask array or Series of shape (n_samples,), or a NumPy array
    loss, fit_intercept, l2, sample_weight, reduction, n_classes : as in :class:`descend.Cost`
        (for ``loss="multinomial"`` without ``n_classes``, K is the largest label + 1: one read of y)
    split_every : int
        How many partial sums one addition task combines.

    Attributes
    ----------
    dim, n_samples, n_features, n_blocks, normaliser (S), chunks (rows per block)
    l2 : float
        Applied on the client: changing it needs no pass over the data.
    n_passes : int
        Evaluations so far, each one pass over the data.
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
        split_every: int = 8,
        n_classes: int | None = None,
    ) -> None:
        self.loss = as_choice(loss, "loss", LOSSES)
        if n_classes is not None and self.loss != "multinomial":
            raise ValueError(f"n_classes is for loss='multinomial' only, not {self.loss!r}")
        self.reduction = as_choice(reduction, "reduction", REDUCTIONS)
        if not isinstance(fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be True or False, got {type(fit_intercept).__name__}")
        self.fit_intercept = bool(fit_intercept)
        self.l2 = as_real(l2, "l2", minimum=0.0)
        if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
            raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}")
        self.split_every = split_every

        X = _as_dask_array(X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got {X.ndim}-D shape {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"X must have at least one row (sample), got shape {X.shape}")
        if X.shape[1] == 0 and not self.fit_intercept:
            raise ValueError("X must have at least one column (feature) without an intercept")
        if X.numblocks[1] != 1:
            X = X.rechunk({1: -1})
        rows = X.chunks[0]
        y = _as_rows(y, "y", rows)
        if isinstance(sample_weight, numbers.Real) and not isinstance(sample_weight, bool):
            sample_weight = da.full(X.shape[0], float(sample_weight), chunks=(rows,))  # one weight for all
        weights = None if sample_weight is None else _as_rows(sample_weight, "sample_weight", rows)
        #: K for the multinomial loss, 1 for the others.
        self.n_classes = 1
        if self.loss == "multinomial":
            if n_classes is not None:
                self.n_classes = as_int(n_classes, "n_classes", minimum=2)
            else:  # a bad label (NaN, negative) is reported by the blocks' checks below
                top = float(y.max().compute())
                self.n_classes = int(top) + 1 if math.isfinite(top) and top >= 1 else 2
        block_classes = self.n_classes if self.loss == "multinomial" else 0

        x_blocks = X.to_delayed().ravel()
        y_blocks = y.to_delayed().ravel()
        w_blocks = [None] * len(x_blocks) if weights is None else list(weights.to_delayed().ravel())
        make = delayed(_make_block)
        blocks = [
            make(xb, yb, wb, self.loss, self.fit_intercept, block_classes,
                 dask_key_name=f"descend-block-{uuid.uuid4().hex}")
            for xb, yb, wb in zip(x_blocks, y_blocks, w_blocks)
        ]
        self._blocks: tuple[Delayed, ...] = persist(*blocks)
        summaries = compute(*[delayed(_summary, pure=True)(b) for b in self._blocks])
        start = 0
        for (_, _, error), size in zip(summaries, rows):
            if error is not None:
                raise ValueError(f"{error} (in rows {start} to {start + size - 1})")
            start += size
        self.n_samples = int(X.shape[0])
        self.n_features = int(X.shape[1])
        self.n_blocks = len(self._blocks)
        weight_sum = float(sum(s for _, s, _ in summaries))
        if weights is not None and not weight_sum > 0.0:
            raise ValueError("sample_weight must have a positive sum")
        self.normaliser = weight_sum if self.reduction == "mean" else 1.0
        # Each block returns its own mean; scaled by S_b/S (mean) or S_b (sum) it is its share.
        self._scales = [
            (block_sum / weight_sum if self.reduction == "mean" else block_sum) if block_sum > 0.0 else 0.0
            for _, block_sum, _ in summaries
        ]
        # The persisted blocks: their keys and the graph that holds them (futures on a cluster).
        self._block_graph: dict[Key, Any] = {}
        for block in self._blocks:
            self._block_graph.update(block.__dask_graph__())
        self._block_keys = [block.key for block in self._blocks]
        self.chunks = rows
        self.n_passes = 0  # evaluations so far: each one is one pass over the data

    @property
    def dim(self) -> int:
        """The number of parameters: n_features, plus one for the intercept (times K for the multinomial loss)."""
        return self.n_classes * (self.n_features + int(self.fit_intercept))

    def _point(self, w: Any, name: str = "w") -> FloatArray:
        return as_vector(w, name, self.dim, "dim")

    def _graph(self, want: str, w: FloatArray, v: FloatArray | None = None) -> tuple[dict[Key, Any], Key]:
        """The task graph of one evaluation (without the persisted blocks) and its output key:
        w as one piece of data, one task per block, then a tree of additions."""
        name = f"descend-{want.replace('_', '-')}-{uuid.uuid4().hex}"
        graph: dict[Key, Any] = {}
        keys: list[Key] = []
        for i, block in enumerate(self._block_keys):
            key = (name, 0, i)
            graph[key] = Task(key, _evaluate, TaskRef(block), want, (w, v), self._scales[i])
            keys.append(key)
        level = 0
        while len(keys) > 1:
            level += 1
            groups = [keys[i : i + self.split_every] for i in range(0, len(keys), self.split_every)]
            keys = []
            for i, group in enumerate(groups):
                key = (name, level, i)
                graph[key] = Task(key, _add, *[TaskRef(k) for k in group])
                keys.append(key)
        return graph, keys[0]

    def _sums(self, want: str, w: FloatArray, v: FloatArray | None = None) -> tuple[Any, ...]:
        graph, key = self._graph(want, w, v)
        get = get_scheduler(cls=Delayed)
        result: tuple[Any, ...] = get({**self._block_graph, **graph}, key)
        self.n_passes += 1
        return result

    # The client's share: the penalty, as descend.Cost adds it (the blocks' scales did 1/S).

    def _finish_value(self, total: float, w: FloatArray) -> float:
        d = self.n_classes * self.n_features  # the penalised parameters come first
        return float(total + 0.5 * self.l2 * float(w[:d] @ w[:d]))

    def _finish_vector(self, total: FloatArray, w: FloatArray) -> FloatArray:
        d = self.n_classes * self.n_features
        out = np.array(total, dtype=np.float64)
        out[:d] += self.l2 * w[:d]
        return out

    def _finish_hessian(self, total: FloatArray) -> FloatArray:
        H = np.array(total, dtype=np.float64)
        d = self.n_classes * self.n_features
        H[np.arange(d), np.arange(d)] += self.l2
        return H

    def value(self, w: Any) -> float:
        """J(w)."""
        w = self._point(w)
        (total,) = self._sums("value", w)
        return self._finish_value(total, w)

    def gradient(self, w: Any) -> FloatArray:
        """∇J(w), shape (dim,)."""
        return self.value_and_gradient(w)[1]

    def value_and_gradient(self, w: Any) -> tuple[float, FloatArray]:
        """J(w) and ∇J(w) from one pass over the data."""
        w = self._point(w)
        total, gradient = self._sums("value_and_gradient", w)
        return self._finish_value(total, w), self._finish_vector(gradient, w)

    def hessian(self, w: Any) -> FloatArray:
        """∇²J(w), shape (dim, dim), symmetric."""
        w = self._point(w)
        (total,) = self._sums("hessian", w)
        return self._finish_hessian(total)

    def hessian_product(self, w: Any, v: Any) -> FloatArray:
        """∇²J(w)·v from one pass over the data, without forming the Hessian."""
        w = self._point(w)
        v = self._point(v, "v")
        (total,) = self._sums("hessian_product", w, v)
        return self._finish_vector(total, v)

    def value_gradient_hessian(self, w: Any) -> tuple[float, FloatArray, FloatArray]:
        """J(w), ∇J(w) and ∇²J(w) from one pass over the data."""
        w = self._point(w)
        total, gradient, hessian = self._sums("value_gradient_hessian", w)
        return self._finish_value(total, w), self._finish_vector(gradient, w), self._finish_hessian(hessian)

    def decision_function(self, w: Any) -> da.Array:
        """The model's raw output z = Xw + b as a lazy dask array of shape (n_samples,), in X's row blocks;
        for the multinomial loss the logits, shape (n_samples, n_classes)."""
        w = self._point(w)
        K = self.n_classes
        parts = [
            da.from_delayed(delayed(_decision, pure=True)(block, w), shape=(size, K) if K > 1 else (size,),
                            dtype=np.float64)  # fmt: skip
            for block, size in zip(self._blocks, self.chunks)
        ]
        return da.concatenate(parts) if len(parts) > 1 else parts[0]

    def __repr__(self) -> str:
        return (
            f"descend.dask.Cost(loss={self.loss!r}, n_samples={self.n_samples}, n_features={self.n_features}, "
            + (f"n_classes={self.n_classes}, " if self.loss == "multinomial" else "")
            + f"n_blocks={self.n_blocks}, fit_intercept={self.fit_intercept}, l2={self.l2}, "
            f"reduction={self.reduction!r})"
        )




def decision_function(X: Any, coef: Any, intercept: Any = 0.0) -> da.Array:
    """z = X·coef + intercept for a dask array or DataFrame X: a lazy dask array of shape
    (n_samples,), computed block by block where X lives (an estimator's ``decision_function``).
    With coef of shape (n_features, K) and K intercepts, the (n_samples, K) logits."""
    X = _as_dask_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n_samples, n_features), got {X.ndim}-D shape {X.shape}")
    if X.numblocks[1] != 1:
        X = X.rechunk({1: -1})
    matrix = np.asarray(coef, dtype=np.float64)
    if matrix.ndim == 2:
        if matrix.shape[0] != X.shape[1] or not np.isfinite(matrix).all():
            raise ValueError(f"coef must be finite, of shape ({X.shape[1]}, n_classes), got shape {matrix.shape}")
        offsets = as_vector(intercept, "intercept", matrix.shape[1], "one entry per class")
        return X.map_blocks(_block_logits, matrix, offsets, chunks=(X.chunks[0], (matrix.shape[1],)),
                            dtype=np.float64, meta=np.zeros((0, 0)))  # fmt: skip
    vector = as_vector(coef, "coef", X.shape[1], "one entry per column of X")
    # Block by block (dask's matmul does not take scipy.sparse chunks).
    return X.map_blocks(_block_decision, vector, float(intercept), drop_axis=1, dtype=np.float64, meta=np.zeros(0))


def _block_decision(block: Any, coef: FloatArray, intercept: float) -> FloatArray:
    return np.asarray(block @ coef, dtype=np.float64).ravel() + intercept


def _block_logits(block: Any, coef: FloatArray, intercept: FloatArray) -> FloatArray:
    return np.asarray(block @ coef, dtype=np.float64) + intercept


def _label_block(z: FloatArray, classes: AnyArray) -> AnyArray:
    if z.ndim == 2:
        return classes[np.argmax(z, axis=1)]
    return classes[(z > 0).astype(np.intp)]


def predict_labels(X: Any, coef: Any, intercept: Any, classes: Any) -> da.Array:
    """``classes[1]`` where z = X·coef + intercept > 0, else ``classes[0]``: a lazy dask array
    of shape (n_samples,) (a binary classifier's ``predict``). With coef of shape
    (n_features, K), the class of the largest logit."""
    labels = np.asarray(classes)
    z = decision_function(X, coef, intercept)
    K = z.shape[1] if z.ndim == 2 else 2
    if labels.shape != (K,):
        raise ValueError(f"classes must hold {K} labels, got shape {labels.shape}")
    drop = {"drop_axis": 1} if z.ndim == 2 else {}
    return da.map_blocks(_label_block, z, labels, dtype=labels.dtype, **drop)

@dataclass
class LinearModelFit:
    """What :func:`fit_linear_model` found: the solver's result, and what an estimator
    records about its input."""

    result: OptimizeResult  # x: the coefficients, then the intercept
    cost: Cost
    n_features_in: int
    feature_names_in: AnyArray | None  # the column names of a DataFrame with string columns
    classes: AnyArray | None  # log loss: the two labels, classes[1] the positive one (y = 1); multinomial: K


def class_labels(y: Any) -> tuple[AnyArray, da.Array]:
    """The labels of a dask y, sorted, and y as their indices 0.0 … K − 1 (float64). Reads y once,
    on the workers."""
    y = _as_dask_array(y, "y", convert=False)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got {y.ndim}-D shape {y.shape}")
    classes = np.unique(np.asarray(da.unique(y).compute()))
    return classes, y.map_blocks(_encode_block, classes, dtype=np.float64)


def _encode_block(y: AnyArray, classes: AnyArray) -> FloatArray:
    return np.searchsorted(classes, y).astype(np.float64)


def binary_labels(y: Any) -> tuple[AnyArray, da.Array]:
    """The two labels of a dask y, sorted, and y as 0.0/1.0 (1.0 for ``classes[1]``).
    Reads y once, on the workers."""
    classes, encoded = class_labels(y)
    if classes.shape[0] != 2:
        shown = ", ".join(map(repr, classes[:5].tolist())) + (", ..." if classes.shape[0] > 5 else "")
        raise ValueError(f"y must hold two classes for log_loss, got {classes.shape[0]}: {shown}")
    return classes, encoded


def fit_linear_model(
    X: Any,
    y: Any,
    *,
    loss: str = "log_loss",
    fit_intercept: bool = True,
    l2: float | Callable[[float], float] = 0.0,
    sample_weight: Any = None,
    x0: Any = None,
    method: Method = "newton",
    solve: Callable[[Cost, FloatArray], OptimizeResult] | None = None,
    **solver_options: Any,
) -> LinearModelFit:
    """Fit a linear model to dask data: the estimators' path for dask input.

    Builds :class:`Cost` (reduction "mean") over ``X`` (a dask array or
    DataFrame) and ``y`` and minimises it from ``x0`` (default zeros) with
    ``descend.solvers.minimize(cost, x0, method=method, **solver_options)``, or
    with ``solve(cost, x0)`` when given: the same cost and solver as in memory,
    so the same coefficients.

    For ``loss="log_loss"``, ``y`` holds any two labels (``classes[1]`` is
    fitted as 1); for ``loss="multinomial"``, any K ≥ 2 labels (``classes[k]`` is class k). ``l2`` is λ, or a function of the weight total
    ``S = Σ sᵢ`` returning λ (scikit-learn's ``C`` is ``lambda S: 1 / (C * S)``).
    """
    names = getattr(X, "columns", None)
    feature_names = None
    if names is not None and len(names) and all(isinstance(name, str) for name in names):
        feature_names = np.asarray(list(names), dtype=object)
    classes = None
    n_classes = None
    if loss == "log_loss":
        classes, y = binary_labels(y)
    elif loss == "multinomial":
        classes, y = class_labels(y)
        n_classes = max(int(classes.shape[0]), 2)
    cost = Cost(X, y, loss, fit_intercept=fit_intercept, sample_weight=sample_weight, n_classes=n_classes)
    if callable(l2):
        cost.l2 = as_real(l2(cost.normaliser), "l2", minimum=0.0)
    else:
        cost.l2 = as_real(l2, "l2", minimum=0.0)
    start = np.zeros(cost.dim) if x0 is None else cost._point(x0, "x0")
    result = solve(cost, start) if solve is not None else minimize(cost, start, method=method, **solver_options)
    return LinearModelFit(result, cost, cost.n_features, feature_names, classes)
