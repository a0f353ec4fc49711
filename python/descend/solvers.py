r"""Minimisers of a cost J(w): gradient descent, Newton's method and L-BFGS, run by the C++ core.

Every solver stops with ``status="converged"`` when the largest absolute entry
of the gradient is at most ``tol``, ``max|∇J(x)| ≤ tol``, and otherwise says
why it stopped (``OptimizeResult.status`` and ``.message``). Not converging is
not an exception; bad arguments raise ``ValueError`` or ``TypeError`` naming
the argument; Ctrl-C raises ``KeyboardInterrupt`` within a fraction of a second.

``cost`` may be a :class:`descend.Cost`, a ``descend._core.Cost`` (or a
subclass written in Python), or any object with

* ``dim``: an int attribute, or a method returning it;
* ``value(x) -> float`` and ``gradient(x) -> array``, or ``value_and_gradient(x) -> (float, array)``;
* for Newton and the curvature step, any of ``hessian(x) -> (dim, dim) array``,
  ``value_gradient_hessian(x) -> (float, array, array)``, ``hessian_product(x, v) -> array``.

The solve runs with the GIL released; a cost written in Python takes it for
each call, and exceptions it raises propagate unchanged.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from . import _core
from ._result import FloatArray, History, IterationInfo, LearningRateSweep, OptimizeResult, Status
from ._validation import as_choice, as_int, as_real, as_vector

__all__ = ["adam", "gradient_descent", "learning_rate_sweep", "lbfgs", "minimize", "newton", "newton_cg", "sgd"]

StepRule = Literal["fixed", "backtracking", "curvature"]
Method = Literal["newton", "newton-cg", "lbfgs", "gd", "gradient_descent", "sgd", "adam"]
ScheduleName = Literal["constant", "inverse", "cosine"]
Callback = Callable[[IterationInfo], Any]

STEPS: tuple[str, ...] = ("fixed", "backtracking", "curvature")
METHODS: tuple[str, ...] = ("newton", "newton-cg", "lbfgs", "gd", "gradient_descent", "sgd", "adam")
SCHEDULES: tuple[str, ...] = ("constant", "inverse", "cosine")
_INT_MAX = 2**31 - 1


# ---------------------------------------------------------------------------
# Costs


def _method(obj: Any, name: str) -> Callable[..., Any] | None:
    attribute = getattr(obj, name, None)
    return attribute if callable(attribute) else None


class _PythonCost(_core.Cost):
    """Adapts any object with dim, value/gradient (or value_and_gradient) and optional
    Hessian methods to the core's Cost interface (the trampoline calls these methods)."""

    def __init__(self, obj: Any, dim: int) -> None:
        super().__init__()
        self._obj = obj
        self._dim = dim
        self._value = _method(obj, "value")
        self._gradient = _method(obj, "gradient")
        self._value_and_gradient = _method(obj, "value_and_gradient")
        self._hessian = _method(obj, "hessian")
        self._hessian_product = _method(obj, "hessian_product")
        self._value_gradient_hessian = _method(obj, "value_gradient_hessian")
        if self._value_and_gradient is None and (self._value is None or self._gradient is None):
            raise TypeError(
                f"cost must define value(x) and gradient(x), or value_and_gradient(x); "
                f"{type(obj).__name__} has neither"
            )

    def dim(self) -> int:
        return self._dim

    def _vector(self, v: Any, what: str) -> FloatArray:
        array = np.asarray(v, dtype=np.float64)
        if array.shape != (self._dim,):
            raise ValueError(f"cost.{what} returned an array of shape {array.shape}, expected ({self._dim},) (dim)")
        return array

    def _matrix(self, H: Any, what: str) -> FloatArray:
        array = np.asarray(H, dtype=np.float64)
        if array.shape != (self._dim, self._dim):
            raise ValueError(
                f"cost.{what} returned an array of shape {array.shape}, expected ({self._dim}, {self._dim})"
            )
        return array

    def value(self, w: FloatArray) -> float:
        if self._value is not None:
            return float(self._value(w))
        return self.value_and_gradient(w)[0]

    def value_and_gradient(self, w: FloatArray) -> tuple[float, FloatArray]:
        if self._value_and_gradient is not None:
            f, g = self._value_and_gradient(w)
            return float(f), self._vector(g, "value_and_gradient")
        assert self._value is not None and self._gradient is not None
        return float(self._value(w)), self._vector(self._gradient(w), "gradient")

    def hessian(self, w: FloatArray) -> FloatArray:
        if self._hessian is not None:
            return self._matrix(self._hessian(w), "hessian")
        if self._value_gradient_hessian is not None:
            return self._matrix(self._value_gradient_hessian(w)[2], "value_gradient_hessian")
        if self._hessian_product is not None:  # column by column: dim products
            columns = [self._vector(self._hessian_product(w, e), "hessian_product") for e in np.eye(self._dim)]
            H = np.column_stack(columns)
            symmetric: FloatArray = 0.5 * (H + H.T)
            return symmetric
        raise TypeError(f"cost {type(self._obj).__name__} has no hessian(x)")

    def hessian_product(self, w: FloatArray, v: FloatArray) -> FloatArray:
        if self._hessian_product is not None:
            return self._vector(self._hessian_product(w, v), "hessian_product")
        product: FloatArray = self.hessian(w) @ v
        return product

    def value_gradient_hessian(self, w: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        if self._value_gradient_hessian is not None:
            f, g, H = self._value_gradient_hessian(w)
            return float(f), self._vector(g, "value_gradient_hessian"), self._matrix(H, "value_gradient_hessian")
        f, g = self.value_and_gradient(w)
        return f, g, self.hessian(w)

    def has_hessian(self) -> bool:
        return any(
            m is not None for m in (self._hessian, self._value_gradient_hessian, self._hessian_product)
        )


def _dim_of(obj: Any) -> int:
    dim = getattr(obj, "dim", None)
    if dim is None:
        raise TypeError(
            f"cost must be a descend.Cost or an object with dim, value(x) and gradient(x); "
            f"{type(obj).__name__} has no dim"
        )
    if callable(dim):
        dim = dim()
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise TypeError(f"cost.dim must be an integer, got {type(dim).__name__}")
    if int(dim) < 1:
        raise ValueError(f"cost.dim must be >= 1, got {int(dim)}")
    return int(dim)


def as_core_cost(cost: Any) -> Any:
    """The ``descend._core.Cost`` that the core solvers run on, for any accepted ``cost``."""
    if isinstance(cost, _core.Cost):
        return cost
    inner = getattr(cost, "_core", None)
    if isinstance(inner, _core.Cost):
        return inner
    if cost is None or isinstance(cost, (str, bytes, numbers.Number, np.ndarray)):
        raise TypeError(
            f"cost must be a descend.Cost or an object with dim, value(x) and gradient(x), got {type(cost).__name__}"
        )
    return _PythonCost(cost, _dim_of(cost))


def _start(core_cost: Any, x0: Any) -> FloatArray:
    dim = int(core_cost.dim())
    if x0 is None:
        return np.zeros(dim)
    return as_vector(x0, "x0", dim, "the cost's dim")


# ---------------------------------------------------------------------------
# Options


def _tol(tol: Any) -> float:
    return as_real(tol, "tol", minimum=0.0)


def _max_iter(max_iter: Any) -> int:
    number = as_int(max_iter, "max_iter", minimum=0)
    if number > _INT_MAX:
        raise ValueError(f"max_iter must be <= {_INT_MAX}, got {number}")
    return number


def _as_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _verbose(verbose: Any) -> int:
    if isinstance(verbose, (bool, np.bool_)):
        return int(verbose)
    return as_int(verbose, "verbose", minimum=0)


def _callback(callback: Any) -> Callback | None:
    if callback is None:
        return None
    if not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    function: Callback = callback
    return function


def _core_callback(
    method: str, callback: Callback | None, verbose: int, unit: str = "iter"
) -> Callable[[int, float, float, float, FloatArray, FloatArray], bool] | None:
    """The function the core calls for the start point and after every iteration (or epoch: ``unit``)."""
    if callback is None and verbose <= 0:
        return None

    def call(iteration: int, fun: float, grad_norm: float, step: float, x: FloatArray, jac: FloatArray) -> bool:
        if verbose > 0:
            if iteration == 0:
                print(f"{method}: {unit:>6} {'cost':>16} {'max|grad|':>11} {'step':>10}", flush=True)
            step_text = "-" if math.isnan(step) else f"{step:.3g}"
            print(f"{method}: {iteration:>6d} {fun:>16.9g} {grad_norm:>11.3e} {step_text:>10}", flush=True)
        if callback is None:
            return True
        info = IterationInfo(iteration=iteration, x=x, fun=fun, jac=jac, grad_norm=grad_norm, step=step)
        try:
            answer = callback(info)
        except StopIteration:
            return False
        return answer is None or bool(answer)

    return call


def _result(
    core: Any, method: str, options: dict[str, object], verbose: int, seed: int | None = None
) -> OptimizeResult:
    result = OptimizeResult(
        x=np.asarray(core.x),
        fun=float(core.fun),
        jac=np.asarray(core.jac),
        grad_norm=float(core.grad_norm),
        nit=int(core.nit),
        nfev=int(core.nfev),
        njev=int(core.njev),
        nhev=int(core.nhev),
        status=Status(core.status),
        message=str(core.message),
        history=History(
            cost=np.asarray(core.history_cost),
            grad_norm=np.asarray(core.history_grad_norm),
            step=np.asarray(core.history_step),
            x=np.asarray(core.history_x) if options.get("store_path") else None,
        ),
        method=method,
        options=options,
        hess=np.asarray(core.hess) if core.hess.size else None,
        seed=seed,
    )
    if verbose > 0:
        print(f"{method}: {result.message}", flush=True)
    return result


# ---------------------------------------------------------------------------
# Solvers


def _solve(
    method: str,
    solver: Callable[..., Any],
    core_options: Any,
    cost: Any,
    x0: Any,
    options: dict[str, object],
    callback: Any,
    verbose: Any,
) -> OptimizeResult:
    """Validates what every solver takes, runs the C++ solver with the options set, wraps its result."""
    user_callback = _callback(callback)
    level = _verbose(verbose)
    core_cost = as_core_cost(cost)
    start = _start(core_cost, x0)
    for name, value in options.items():
        setattr(core_options, name, value)
    core = solver(core_cost, start, core_options, _core_callback(method, user_callback, level))
    return _result(core, method, options, level)


def gradient_descent(
    cost: Any,
    x0: Any = None,
    *,
    learning_rate: float = 0.1,
    step: StepRule = "fixed",
    max_iter: int = 1000,
    tol: float = 1e-6,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Gradient descent :math:`x \leftarrow x - \alpha \nabla J(x)` from ``x0`` (default: zeros).

    The step size :math:`\alpha` of each iteration (``step``):

    * ``"fixed"`` (default): :math:`\alpha` = ``learning_rate``. The learning rate
      the seed discusses: too small is slow (``status="max_iterations"``), too
      large overshoots and diverges (``status="diverged"``, when J is no longer
      finite, exceeds :math:`10^6(|J(x_0)| + 1)`, rose for 20 iterations in a
      row while the gradient grew, or ends above :math:`J(x_0)`; ``x`` is then
      the last finite point). On a
      cost whose gradient is L-Lipschitz, :math:`\alpha < 2/L` converges.
    * ``"backtracking"``: Armijo backtracking from ``learning_rate`` in every
      iteration, halving :math:`\alpha` until
      :math:`J(x - \alpha g) \le J(x) - c_1 \alpha\, g^\top g`, :math:`c_1 = 10^{-4}`.
    * ``"curvature"``: :math:`\alpha = g^\top g / g^\top H g`, the exact minimiser
      of the local quadratic model along :math:`-g` (the seed's "ideal learning
      rate :math:`1/f''(x)`" in n dimensions), from one Hessian-vector product,
      halved while the Armijo condition fails; where :math:`g^\top H g \le 0`,
      backtracking from ``learning_rate``. Needs the cost's Hessian.

    Parameters
    ----------
    cost : descend.Cost or an object with dim, value and gradient (module docstring)
    x0 : array of shape (dim,), optional
        The start point; default zeros.
    learning_rate : float, default 0.1
        :math:`\alpha` (fixed), or the first :math:`\alpha` tried (backtracking). Finite, > 0.
    step : {"fixed", "backtracking", "curvature"}, default "fixed"
    max_iter : int, default 1000
    tol : float, default 1e-6
        Stop when :math:`\max_j |\partial J / \partial x_j| \le` tol.
    store_path : bool, default False
        Keep every iterate in ``result.history.x``, shape (nit + 1, dim), the start
        included: the path :func:`descend.plot.paths` draws.
    callback : callable, optional
        ``callback(info: IterationInfo)`` for the start point and after every
        iteration; return False (or raise StopIteration) to stop with
        ``status="callback_stopped"``.
    verbose : int, default 0
        1 prints one line per iteration (iteration, cost, max|gradient|, step) as it goes.

    Returns
    -------
    OptimizeResult
    """
    options: dict[str, object] = {
        "step": as_choice(step, "step", STEPS),
        "learning_rate": as_real(learning_rate, "learning_rate", minimum=0.0, strict=True),
        "max_iter": _max_iter(max_iter),
        "tol": _tol(tol),
        "store_path": _as_flag(store_path, "store_path"),
    }
    return _solve("gradient_descent", _core.gradient_descent, _core.GradientDescentOptions(), cost, x0, options, callback, verbose)


def newton(
    cost: Any,
    x0: Any = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Newton's method :math:`x \leftarrow x + t s`, :math:`H s = -\nabla J(x)`, from ``x0`` (default: zeros).

    The seed's "learning rate 1/Hessian": in one dimension
    :math:`x \leftarrow x - f'(x)/f''(x)`. :math:`H s = -g` is solved by Cholesky
    (:math:`H = LL^\top`); where :math:`H` is not positive definite or is
    numerically singular, it is damped (Levenberg–Marquardt style):
    :math:`(H + \mu D^2) s = -g`, :math:`D^2 = \operatorname{diag}(|H_{jj}|)`,
    :math:`\mu = 10^{-8} \cdot 10^k` for the smallest k ≥ 0 that factorises; the
    test and the damping act on the Jacobi-scaled :math:`D^{-1} H D^{-1}` (unit
    diagonal, damped by :math:`\mu I`), so they do not depend on the units of the
    parameters. The step length t is Armijo backtracking from t = 1. A
    quadratic cost (squared error) converges in one iteration. Each iteration
    evaluates J, ∇J and H together (one pass over the data for a
    :class:`descend.Cost`); the Hessian is dim × dim, so for very many
    parameters prefer :func:`lbfgs`.

    Parameters
    ----------
    cost : descend.Cost or an object with dim, value, gradient and hessian (module docstring)
    x0 : array of shape (dim,), optional
    max_iter : int, default 100
    tol : float, default 1e-8
        Stop when :math:`\max_j |\partial J / \partial x_j| \le` tol.
    store_path, callback, verbose : as in :func:`gradient_descent`.

    Returns
    -------
    OptimizeResult
    """
    options: dict[str, object] = {
        "max_iter": _max_iter(max_iter),
        "tol": _tol(tol),
        "store_path": _as_flag(store_path, "store_path"),
    }
    return _solve("newton", _core.newton, _core.NewtonOptions(), cost, x0, options, callback, verbose)


def newton_cg(
    cost: Any,
    x0: Any = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
    initial_radius: float | None = None,
    max_radius: float = 1e10,
    eta: float = 0.15,
    max_cg: int = 0,
    precondition: bool = True,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Trust-region Newton–conjugate-gradient from ``x0`` (default: zeros): Newton without the Hessian.

    Each iteration minimises the quadratic model
    :math:`m(p) = \nabla J^\top p + \tfrac12 p^\top H p` within :math:`\lVert p\rVert \le \Delta`
    by Steihaug's conjugate gradients on :math:`Hp = -\nabla J`, from Hessian-vector products
    only (one pass over the data each for a :class:`descend.Cost`; H, dim × dim, is never
    formed), stopping at the boundary, at negative curvature, or when the residual is below
    :math:`\min(0.5, \sqrt{\lVert g\rVert})\lVert g\rVert`. The step is taken when the actual
    decrease is more than ``eta`` times the model's; :math:`\Delta` shrinks by 4 when that ratio
    is below ¼ and doubles, up to ``max_radius``, when it is above ¾ at the boundary (LIBLINEAR's
    TRON and scipy's ``trust-ncg`` are this method). For many parameters (10⁴ and more), where
    :func:`newton`'s Hessian does not fit. By default there is no region until a step fails the
    ratio test (the full truncated Newton steps are taken while they work, as a line-search
    Newton-CG would), and :math:`\Delta` then starts from ¼ of that step's length;
    ``initial_radius`` sets :math:`\Delta_0` from the start instead.

    Parameters
    ----------
    cost : descend.Cost or an object with dim, value, gradient and hessian_product (or hessian)
    x0 : array of shape (dim,), optional
    max_iter : int, default 100
        Accepted steps at most (a rejected step shrinks the region and does not count).
    tol : float, default 1e-8
        Stop when :math:`\max_j |\partial J / \partial x_j| \le` tol.
    initial_radius : float, optional
        :math:`\Delta_0 > 0`; default None: no region until a step fails (see above).
    max_radius : float, default 1e10
    eta : float, default 0.15
        In [0, 0.25).
    max_cg : int, default 0
        Conjugate-gradient iterations per step at most; 0 means 2·dim.
    precondition : bool, default True
        Precondition CG by the Hessian's diagonal where the cost offers it (a
        :class:`descend.Cost` does, for one more pass over the data per iteration, which also
        serves the first product), the region then measured in
        :math:`\lVert p\rVert_M = \sqrt{\sum_j H_{jj} p_j^2}` (LIBLINEAR's preconditioned TRON).
        On sparse data whose columns differ in scale (text: a few frequent words, many rare
        ones) this cuts the CG iterations several-fold.
    store_path, callback, verbose : as in :func:`gradient_descent`.

    Returns
    -------
    OptimizeResult
    """
    options: dict[str, object] = {
        "max_iter": _max_iter(max_iter),
        "tol": _tol(tol),
        "initial_radius": 0.0 if initial_radius is None else as_real(
            initial_radius, "initial_radius", minimum=0.0, strict=True
        ),
        "max_radius": as_real(max_radius, "max_radius", minimum=0.0, strict=True),
        "eta": as_real(eta, "eta", minimum=0.0),
        "max_cg": as_int(max_cg, "max_cg", minimum=0),
        "precondition": _as_flag(precondition, "precondition"),
        "store_path": _as_flag(store_path, "store_path"),
    }
    return _solve("newton_cg", _core.newton_cg, _core.NewtonCgOptions(), cost, x0, options, callback, verbose)


def lbfgs(
    cost: Any,
    x0: Any = None,
    *,
    memory: int = 10,
    max_iter: int = 1000,
    tol: float = 1e-6,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Limited-memory BFGS from ``x0`` (default: zeros).

    :math:`x \leftarrow x + t d`, :math:`d = -\tilde H \nabla J(x)`, where
    :math:`\tilde H` approximates the inverse Hessian from the last ``memory``
    pairs :math:`s_k = x_{k+1} - x_k`, :math:`y_k = \nabla J_{k+1} - \nabla J_k`
    (two-loop recursion, :math:`\tilde H_0 = (s^\top y / y^\top y) I`). The step
    length t satisfies the strong Wolfe conditions
    :math:`J(x + td) \le J(x) + c_1 t\, \nabla J^\top d` and
    :math:`|\nabla J(x + td)^\top d| \le c_2 |\nabla J^\top d|`
    (:math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`), found by bracketing and
    safeguarded cubic interpolation. Needs only J and ∇J; O(memory · dim) memory.

    Parameters
    ----------
    cost : descend.Cost or an object with dim, value and gradient (module docstring)
    x0 : array of shape (dim,), optional
    memory : int, default 10
        Correction pairs kept, >= 1.
    max_iter : int, default 1000
    tol : float, default 1e-6
        Stop when :math:`\max_j |\partial J / \partial x_j| \le` tol.
    store_path, callback, verbose : as in :func:`gradient_descent`.

    Returns
    -------
    OptimizeResult
    """
    pairs = as_int(memory, "memory", minimum=1)
    if pairs > _INT_MAX:
        raise ValueError(f"memory must be <= {_INT_MAX}, got {pairs}")
    options: dict[str, object] = {
        "memory": pairs,
        "max_iter": _max_iter(max_iter),
        "tol": _tol(tol),
        "store_path": _as_flag(store_path, "store_path"),
    }
    return _solve("lbfgs", _core.lbfgs, _core.LbfgsOptions(), cost, x0, options, callback, verbose)


# ---------------------------------------------------------------------------
# Stochastic solvers

_STOCHASTIC_DOC = r"""
    Each step's gradient is the gradient of the same cost restricted to a batch of its rows:
    the batch's weighted mean of the loss gradients (for ``reduction="mean"``; for ``"sum"``,
    that mean times :math:`\sum_i s_i` over all rows, an unbiased estimate of the full sum), plus
    :math:`\lambda w`. The batches are gathered from X in the core, a batch at a time (X is not
    copied; CSC X is turned into CSR once). With ``batch_size=None`` or at least n_samples, every
    step is a full gradient step, exactly the cost's gradient. A cost that is not a
    :class:`descend.Cost` over data (any object with ``dim`` and a gradient) has no rows: every
    step is a full gradient step and an epoch is one step.

    Rows are shuffled every epoch from ``seed`` (``seed=None`` draws a fresh one, recorded in
    ``result.seed``; the same seed gives the same bits on one machine). The last batch of an
    epoch is kept even when short, so an epoch has :math:`m = \lceil n/b \rceil` steps, counted
    from k = 0, in epochs counted from 0. Step k of epoch e uses the rate
    :math:`\alpha \cdot \mathrm{schedule}(t)`, :math:`t = e + k/m` (the first step has t = 0):
    ``"constant"`` 1, ``"inverse"`` :math:`1/(1 + t)`, ``"cosine"``
    :math:`\tfrac12(1 + \cos(\pi t/\mathrm{epochs}))`, or a callable of t returning the multiplier.

    After every epoch the full-data cost and gradient are evaluated: they are ``result.history``
    (one entry per epoch, entry 0 the start), what ``callback`` receives, and what ``tol`` is
    compared with; ``nit`` counts epochs, ``nfev``/``njev`` the full-data evaluations. The status
    is ``"converged"`` only when the full-data :math:`\max|\nabla J| \le` tol after an epoch,
    ``"max_iterations"`` when the epochs run out (the default ``tol=0`` asks for all of them),
    ``"diverged"`` when an iterate or the cost stops being finite or the cost exceeds
    :math:`10^6(|J(x_0)| + 1)` (``x`` is then the last finite epoch's point).
"""

_STOCHASTIC_PARAMETERS = r"""
    batch_size : int or None, default 32
        Rows per step, >= 1; None: every row (full-batch steps).
    epochs : int, default 10
        Passes over the data, >= 0.
    schedule : {"constant", "inverse", "cosine"} or callable, default "constant"
        The multiplier of ``learning_rate`` at t (above).
    seed : int, optional
        In [0, 2**64); None draws one (``result.seed``).
    tol : float, default 0.0
        Converged when the full-data :math:`\max_j |\partial J/\partial x_j| \le` tol after an epoch.
    store_path : bool, default False
        Keep the start and the point after every step in ``result.history.x``, shape
        (epochs·m + 1, dim).
    callback : callable, optional
        ``callback(info: IterationInfo)`` for the start point and after every epoch (full-data
        cost and gradient); return False (or raise StopIteration) to stop.
    verbose : int, default 0
        1 prints one line per epoch.
"""


def _seed(seed: Any) -> int:
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    number = as_int(seed, "seed", minimum=0)
    if number >= 2**64:
        raise ValueError(f"seed must be < 2**64, got {number}")
    return number


def _stochastic(
    method: str,
    core_options: Any,
    cost: Any,
    x0: Any,
    *,
    learning_rate: Any,
    batch_size: Any,
    epochs: Any,
    schedule: Any,
    seed: Any,
    tol: Any,
    store_path: Any,
    callback: Any,
    verbose: Any,
    extra: dict[str, object],
    start_epoch: float = 0.0,
    horizon: float = 0.0,
) -> OptimizeResult:
    """Validates the options both stochastic solvers take and runs the core's ``method``."""
    chosen_seed = _seed(seed)
    options: dict[str, object] = {
        "learning_rate": as_real(learning_rate, "learning_rate", minimum=0.0, strict=True),
        "batch_size": 0 if batch_size is None else as_int(batch_size, "batch_size", minimum=1),
        "epochs": _max_iter_named(epochs, "epochs"),
        "tol": _tol(tol),
        "store_path": _as_flag(store_path, "store_path"),
        "seed": chosen_seed,
        "start_epoch": float(start_epoch),
        "horizon": float(horizon),
        **extra,
    }
    if callable(schedule):
        function = schedule

        def multiplier(t: float) -> float:
            return float(function(t))

        core_options.set_multiplier(multiplier)
        schedule_name = getattr(schedule, "__name__", "custom")
    else:
        core_options.schedule = as_choice(schedule, "schedule", SCHEDULES)
        schedule_name = str(schedule)
    for name, value in options.items():
        setattr(core_options, name, value)
    user_callback = _callback(callback)
    level = _verbose(verbose)
    core_cost = as_core_cost(cost)
    start = _start(core_cost, x0)
    solver = _core.sgd if method == "sgd" else _core.adam
    core = solver(core_cost, start, core_options, _core_callback(method, user_callback, level, "epoch"))
    options["schedule"] = schedule_name
    if options["batch_size"] == 0:
        options["batch_size"] = None
    return _result(core, method, options, level, seed=chosen_seed)


def _max_iter_named(value: Any, name: str) -> int:
    number = as_int(value, name, minimum=0)
    if number > _INT_MAX:
        raise ValueError(f"{name} must be <= {_INT_MAX}, got {number}")
    return number


def sgd(
    cost: Any,
    x0: Any = None,
    *,
    learning_rate: float = 0.01,
    batch_size: int | None = 32,
    epochs: int = 10,
    momentum: float = 0.0,
    nesterov: bool = False,
    schedule: ScheduleName | Callable[[float], float] = "constant",
    seed: int | None = None,
    tol: float = 0.0,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Stochastic (mini-batch) gradient descent, with momentum or Nesterov's, from ``x0`` (default zeros).

    :math:`x \leftarrow x - \alpha_t g` with ``momentum=0``; the heavy ball
    :math:`v \leftarrow \beta v + g,\ x \leftarrow x - \alpha_t v`; Nesterov
    :math:`v \leftarrow \beta v + g,\ x \leftarrow x - \alpha_t (g + \beta v)` (PyTorch's forms;
    :math:`\beta` = ``momentum``, v starting at 0), g the batch gradient.
    <stochastic>
    Parameters
    ----------
    cost : descend.Cost, or an object with dim and a gradient (full-batch steps)
    x0 : array of shape (dim,), optional
    learning_rate : float, default 0.01
        :math:`\alpha`, > 0.
    momentum : float, default 0.0
        :math:`\beta` in [0, 1).
    nesterov : bool, default False
        Nesterov's form (needs momentum > 0).
    <parameters>
    Returns
    -------
    OptimizeResult
    """
    extra: dict[str, object] = {
        "momentum": as_real(momentum, "momentum", minimum=0.0),
        "nesterov": _as_flag(nesterov, "nesterov"),
    }
    if float(extra["momentum"]) >= 1.0:  # type: ignore[arg-type]
        raise ValueError(f"momentum must be < 1, got {momentum}")
    if extra["nesterov"] and extra["momentum"] == 0.0:
        raise ValueError("nesterov=True needs momentum > 0")
    return _stochastic(
        "sgd", _core.SgdOptions(), cost, x0, learning_rate=learning_rate, batch_size=batch_size, epochs=epochs,
        schedule=schedule, seed=seed, tol=tol, store_path=store_path, callback=callback, verbose=verbose,
        extra=extra,
    )


def adam(
    cost: Any,
    x0: Any = None,
    *,
    learning_rate: float = 1e-3,
    batch_size: int | None = 32,
    epochs: int = 10,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    schedule: ScheduleName | Callable[[float], float] = "constant",
    seed: int | None = None,
    tol: float = 0.0,
    store_path: bool = False,
    callback: Callback | None = None,
    verbose: int = 0,
) -> OptimizeResult:
    r"""Adam (Kingma & Ba, 2015) over mini-batches, from ``x0`` (default zeros).

    At step k = 1, 2, …: :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`,
    :math:`x \leftarrow x - \alpha_t \hat m / (\sqrt{\hat v} + \varepsilon)` with the bias
    corrections :math:`\hat m = m/(1 - \beta_1^k)`, :math:`\hat v = v/(1 - \beta_2^k)` and
    :math:`\varepsilon` outside the square root; the schedule scales :math:`\alpha` here too.
    <stochastic>
    Parameters
    ----------
    cost : descend.Cost, or an object with dim and a gradient (full-batch steps)
    x0 : array of shape (dim,), optional
    learning_rate : float, default 1e-3
        :math:`\alpha`, > 0.
    beta1, beta2 : float, default 0.9, 0.999
        In [0, 1).
    eps : float, default 1e-8
        > 0.
    <parameters>
    Returns
    -------
    OptimizeResult
    """
    extra: dict[str, object] = {"eps": as_real(eps, "eps", minimum=0.0, strict=True)}
    for name, value in (("beta1", beta1), ("beta2", beta2)):
        beta = as_real(value, name, minimum=0.0)
        if beta >= 1.0:
            raise ValueError(f"{name} must be < 1, got {value}")
        extra[name] = beta
    return _stochastic(
        "adam", _core.AdamOptions(), cost, x0, learning_rate=learning_rate, batch_size=batch_size, epochs=epochs,
        schedule=schedule, seed=seed, tol=tol, store_path=store_path, callback=callback, verbose=verbose,
        extra=extra,
    )


for _function in (sgd, adam):
    _function.__doc__ = (
        str(_function.__doc__)
        .replace("    <stochastic>\n", _STOCHASTIC_DOC + "\n")
        .replace("    <parameters>\n", _STOCHASTIC_PARAMETERS.lstrip("\n"))
    )


def minimize(cost: Any, x0: Any = None, method: Method = "lbfgs", **options: Any) -> OptimizeResult:
    """Minimise ``cost`` from ``x0`` (default zeros) with ``method``.

    ``method``: ``"lbfgs"`` (default; needs only the gradient), ``"newton"``
    (needs the Hessian; fastest for up to a few thousand parameters), ``"newton-cg"``
    (Hessian-vector products only: many parameters), ``"gd"`` (also
    ``"gradient_descent"``), ``"sgd"`` or ``"adam"``. ``options`` are passed on: see :func:`lbfgs`,
    :func:`newton`, :func:`newton_cg`, :func:`gradient_descent`, :func:`sgd` and :func:`adam`.
    """
    name = as_choice(method, "method", METHODS)
    if name == "newton":
        return newton(cost, x0, **options)
    if name == "newton-cg":
        return newton_cg(cost, x0, **options)
    if name == "lbfgs":
        return lbfgs(cost, x0, **options)
    if name == "sgd":
        return sgd(cost, x0, **options)
    if name == "adam":
        return adam(cost, x0, **options)
    return gradient_descent(cost, x0, **options)


def learning_rate_sweep(
    cost: Any,
    rates: Any,
    *,
    x0: Any = None,
    max_iter: int = 100,
    tol: float = 1e-6,
) -> LearningRateSweep:
    """One fixed-step gradient descent run per learning rate, all from ``x0`` (default zeros).

    Shows the seed's point about the learning rate: too small a rate is slow
    (``max_iterations``, far from the optimum), too large a rate diverges
    (``diverged``); in between, the cost after ``max_iter`` iterations is lowest.
    Iterate over the result for ``(rate, OptimizeResult)`` pairs; ``.best`` is
    the rate with the lowest final cost among those that did not diverge.
    """
    values = as_vector(rates, "rates")
    if values.size == 0:
        raise ValueError("rates must contain at least one learning rate")
    if np.any(values <= 0.0):
        raise ValueError(f"rates must all be > 0, got {values[values <= 0.0][0]}")
    core_cost = as_core_cost(cost)
    start = _start(core_cost, x0)
    results = [
        gradient_descent(core_cost, start, learning_rate=float(rate), max_iter=max_iter, tol=tol) for rate in values
    ]
    return LearningRateSweep(rates=values.copy(), results=results)
