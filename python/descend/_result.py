"""What the solvers return: ``OptimizeResult`` (named as in ``scipy.optimize``), its
per-iteration ``History``, the ``IterationInfo`` a callback receives, and the
``LearningRateSweep`` of ``descend.learning_rate_sweep``."""

from __future__ import annotations

import enum
import html
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

__all__ = ["History", "IterationInfo", "LearningRateSweep", "OptimizeResult", "Status"]


class Status(str, enum.Enum):
    """Why a solver stopped. A ``str``: ``result.status == "converged"`` works."""

    #: max|∇J(x)| ≤ tol.
    CONVERGED = "converged"
    #: max_iter iterations done without reaching tol.
    MAX_ITERATIONS = "max_iterations"
    #: Fixed-step gradient descent: the cost became non-finite or grew without bound
    #: (learning rate too large); x is the last point with a finite cost and gradient.
    DIVERGED = "diverged"
    #: No step decreased the cost enough: tol below rounding level, or a wrong gradient.
    LINE_SEARCH_FAILED = "line_search_failed"
    #: The cost, gradient or Hessian is not finite at the start (or the Hessian at an iterate).
    NON_FINITE = "non_finite"
    #: The callback returned False (or raised StopIteration).
    CALLBACK_STOPPED = "callback_stopped"
    #: The cost decreases towards an infimum at infinity (e.g. perfectly separable
    #: classes without a penalty): x is finite, but no minimiser exists.
    NO_MINIMUM = "no_minimum"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class History:
    """One entry per iterate (per epoch for ``sgd`` and ``adam``), the start point (iteration 0) included.

    ``step[k]`` is the step size that led to iterate k: the learning rate α of
    gradient descent (x ← x − α∇J), the line-search step t of Newton and L-BFGS
    (x ← x + t·d, t = 1 the full step); ``step[0]`` is NaN.
    """

    #: J(x_k).
    cost: FloatArray
    #: max|∇J(x_k)|.
    grad_norm: FloatArray
    #: The step size of iteration k (NaN for k = 0).
    step: FloatArray
    #: With ``store_path=True``: every iterate, shape (steps + 1, dim), the start first (for
    #: ``sgd`` and ``adam`` the point after every mini-batch step, not every epoch); else None.
    x: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.cost.shape[0])

    def __repr__(self) -> str:
        path = "" if self.x is None else f", x: {self.x.shape[0]} points"
        return f"History({len(self)} iterates: cost, grad_norm, step{path})"


@dataclass(frozen=True)
class IterationInfo:
    """What ``callback`` receives: for the start point (iteration 0) and after every iteration."""

    iteration: int
    #: The current point (a copy).
    x: FloatArray
    #: J(x).
    fun: float
    #: ∇J(x) (a copy).
    jac: FloatArray
    #: max|∇J(x)|.
    grad_norm: float
    #: The step size that led here (NaN at iteration 0).
    step: float


def _number(value: float) -> str:
    return f"{value:.10g}" if math.isfinite(value) else str(value)


@dataclass(frozen=True, repr=False)
class OptimizeResult:
    """The outcome of a solver, with the field names of ``scipy.optimize.OptimizeResult``.

    ``x`` is always finite: after divergence it is the last point whose cost and
    gradient were finite. ``success`` is True only for ``status == "converged"``,
    i.e. max|∇J(x)| ≤ tol; ``message`` says what happened and what to try.
    """

    #: The final point.
    x: FloatArray
    #: J(x).
    fun: float
    #: ∇J(x).
    jac: FloatArray
    #: max|∇J(x)|, the quantity compared with tol.
    grad_norm: float
    #: Iterations done (epochs for sgd and adam).
    nit: int
    #: Evaluations of J.
    nfev: int
    #: Evaluations of ∇J.
    njev: int
    #: Evaluations of the Hessian, Hessian-vector products included.
    nhev: int
    status: Status
    message: str
    history: History
    #: The solver: "gradient_descent", "newton", "newton_cg", "lbfgs", "sgd" or "adam".
    method: str = ""
    #: The solver's options (step rule, learning rate, tol, ...).
    options: dict[str, object] = field(default_factory=dict)
    #: newton only: ∇²J(x), the Hessian at the final point (scipy's name); None otherwise.
    hess: FloatArray | None = None
    #: sgd and adam: the seed the rows were shuffled from (drawn when seed=None); None otherwise.
    seed: int | None = None

    @property
    def success(self) -> bool:
        """True when the run converged: max|∇J(x)| ≤ tol."""
        return self.status is Status.CONVERGED

    def _rows(self) -> list[tuple[str, str]]:
        with np.printoptions(precision=6, threshold=8, edgeitems=3):
            x = np.array2string(self.x, separator=", ")
        return [
            ("method", self.method),
            ("status", str(self.status)),
            ("success", str(self.success)),
            ("message", self.message),
            ("fun", _number(self.fun)),
            ("grad_norm", f"{self.grad_norm:.3e}"),
            ("nit", str(self.nit)),
            ("nfev / njev / nhev", f"{self.nfev} / {self.njev} / {self.nhev}"),
            ("x", x),
        ]

    def __repr__(self) -> str:
        rows = self._rows()
        width = max(len(name) for name, _ in rows)
        lines = [f"{name:>{width}}: {value}" for name, value in rows]
        return "OptimizeResult\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:right'>{html.escape(name)}</th>"
            f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
            for name, value in self._rows()
        )
        return f"<table><caption>OptimizeResult</caption>{cells}</table>"


@dataclass(frozen=True, repr=False)
class LearningRateSweep:
    """Fixed-step gradient descent runs, one per learning rate, from the same start.

    Iterate over it for ``(rate, result)`` pairs. Too small a rate stops at
    max_iter far from the optimum; too large a rate diverges.
    """

    rates: FloatArray
    results: list[OptimizeResult]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[tuple[float, OptimizeResult]]:
        return iter(zip((float(rate) for rate in self.rates), self.results))

    def __getitem__(self, index: int) -> tuple[float, OptimizeResult]:
        return float(self.rates[index]), self.results[index]

    @property
    def best(self) -> tuple[float, OptimizeResult]:
        """The rate, and its run, that reached the lowest final cost without diverging."""
        candidates = [
            (result.fun, i) for i, result in enumerate(self.results) if result.status is not Status.DIVERGED
        ]
        if not candidates:
            raise ValueError("every learning rate in the sweep diverged: try smaller rates")
        return self[min(candidates)[1]]

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        return [
            (f"{rate:.4g}", str(result.status), str(result.nit), _number(result.fun), f"{result.grad_norm:.3e}")
            for rate, result in self
        ]

    def __repr__(self) -> str:
        header = ("learning_rate", "status", "nit", "fun", "grad_norm")
        rows = [header, *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
        return "LearningRateSweep\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        header = "".join(f"<th>{name}</th>" for name in ("learning_rate", "status", "nit", "fun", "grad_norm"))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in self._rows()
        )
        return f"<table><caption>LearningRateSweep</caption><tr>{header}</tr>{body}</table>"
