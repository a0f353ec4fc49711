"""Type stubs of descend._core, the C++ core (private: use the descend package)."""
from __future__ import annotations
import typing

import numpy
import numpy.typing

_ArrayLike: typing.TypeAlias = numpy.typing.ArrayLike
_Array: typing.TypeAlias = numpy.typing.NDArray[numpy.float64]
__all__: list[str] = ['Cost', 'GradientDescentOptions', 'LbfgsOptions', 'LinearModelCost', 'NewtonOptions', 'Result', 'gradient_descent', 'lbfgs', 'log_loss_logit', 'log_loss_probability', 'newton', 'sigmoid', 'squared_error']
class Cost:
    """
    A cost J(w) that the solvers minimise. Subclass it in Python and define
    dim(), value_and_gradient(w) -> (float, ndarray) and, for Newton and the
    curvature step, hessian(w) -> ndarray.
    """
    def __init__(self) -> None:
        ...
    def dim(self) -> int:
        ...
    def hessian_diagonal(self, w: _ArrayLike) -> _Array | None:
        """
        diag ∇²J(w), or None where the cost does not offer it.
        """
    def has_hessian(self) -> bool:
        ...
    def hessian(self, w: _Array) -> _Array:
        ...
    def hessian_product(self, w: _Array, v: _Array) -> _Array:
        ...
    def value(self, w: _Array) -> float:
        ...
    def value_and_gradient(self, w: _Array) -> tuple[float, _Array]:
        ...
    def value_gradient_hessian(self, w: _Array) -> tuple[float, _Array, _Array]:
        ...
class LinearModelCost(Cost):
    """
    The cost of a linear model over (X, y): a zero-copy view of X, which it keeps alive.
    """
    def __init__(self, X: numpy.typing.NDArray[typing.Any], y: _ArrayLike, loss: str = 'log_loss', fit_intercept: bool = True, l2: float = 0.0, sample_weight: _ArrayLike | None = None, reduction: str = 'mean', n_threads: int = 0, shift: _ArrayLike | None = None, n_classes: int = 0) -> None:
        ...
    @staticmethod
    def from_sparse(format: str, rows: int, cols: int, data: numpy.typing.NDArray[typing.Any], indices: numpy.typing.NDArray[typing.Any], indptr: numpy.typing.NDArray[typing.Any], y: _ArrayLike, loss: str = 'log_loss', fit_intercept: bool = True, l2: float = 0.0, sample_weight: _ArrayLike | None = None, reduction: str = 'mean', n_threads: int = 0, n_classes: int = 0) -> LinearModelCost:
        """
        The cost over a sparse X given by scipy.sparse's arrays (data, indices, indptr), viewed, not copied.
        """
    def decision_function(self, w: _ArrayLike) -> _Array:
        ...
    @property
    def data_address(self) -> int:
        ...
    @property
    def layout(self) -> str:
        ...
    @property
    def n_features(self) -> int:
        ...
    @property
    def n_samples(self) -> int:
        ...
    @property
    def classes(self) -> int:
        """K for the multinomial loss (its outputs per row), 1 for the others."""
        ...
    def no_minimum_reason(self) -> str:
        ...
    @property
    def n_threads(self) -> int:
        ...
    @property
    def normaliser(self) -> float:
        ...
    def batch_gradient(self, w: _ArrayLike, rows: numpy.typing.NDArray[numpy.int64]) -> _Array:
        """The gradient of the cost restricted to `rows` (RowBatches, cost.hpp)."""
    def weighted_gram(self, weights: _ArrayLike) -> _Array:
        """
        X̃ᵀ·diag(weights)·X̃ (X̃ = [X, 1] with an intercept), one pass over X.
        """
    def score_gram(self, w: _ArrayLike) -> _Array:
        """
        Σᵢ (sᵢ·L′(zᵢ))²·x̃ᵢx̃ᵢᵀ at w (raw sample weights), one pass over X.
        """
class AdamOptions:
    """
    Options of adam (solvers.hpp).
    """
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    def set_multiplier(self, function: typing.Callable[[float], float]) -> None:
        ...
    @property
    def learning_rate(self) -> float:
        ...
    @learning_rate.setter
    def learning_rate(self, arg0: float) -> None:
        ...
    @property
    def batch_size(self) -> int:
        ...
    @batch_size.setter
    def batch_size(self, arg0: int) -> None:
        ...
    @property
    def epochs(self) -> int:
        ...
    @epochs.setter
    def epochs(self, arg0: int) -> None:
        ...
    @property
    def schedule(self) -> str:
        ...
    @schedule.setter
    def schedule(self, arg0: str) -> None:
        ...
    @property
    def start_epoch(self) -> float:
        ...
    @start_epoch.setter
    def start_epoch(self, arg0: float) -> None:
        ...
    @property
    def horizon(self) -> float:
        ...
    @horizon.setter
    def horizon(self, arg0: float) -> None:
        ...
    @property
    def seed(self) -> int:
        ...
    @seed.setter
    def seed(self, arg0: int) -> None:
        ...
    @property
    def tol(self) -> float:
        ...
    @tol.setter
    def tol(self, arg0: float) -> None:
        ...
    @property
    def divergence_factor(self) -> float:
        ...
    @divergence_factor.setter
    def divergence_factor(self, arg0: float) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    @property
    def beta1(self) -> float:
        ...
    @beta1.setter
    def beta1(self, arg0: float) -> None:
        ...
    @property
    def beta2(self) -> float:
        ...
    @beta2.setter
    def beta2(self, arg0: float) -> None:
        ...
    @property
    def eps(self) -> float:
        ...
    @eps.setter
    def eps(self, arg0: float) -> None:
        ...
class SgdOptions:
    """
    Options of sgd (solvers.hpp).
    """
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    def set_multiplier(self, function: typing.Callable[[float], float]) -> None:
        ...
    @property
    def learning_rate(self) -> float:
        ...
    @learning_rate.setter
    def learning_rate(self, arg0: float) -> None:
        ...
    @property
    def batch_size(self) -> int:
        ...
    @batch_size.setter
    def batch_size(self, arg0: int) -> None:
        ...
    @property
    def epochs(self) -> int:
        ...
    @epochs.setter
    def epochs(self, arg0: int) -> None:
        ...
    @property
    def schedule(self) -> str:
        ...
    @schedule.setter
    def schedule(self, arg0: str) -> None:
        ...
    @property
    def start_epoch(self) -> float:
        ...
    @start_epoch.setter
    def start_epoch(self, arg0: float) -> None:
        ...
    @property
    def horizon(self) -> float:
        ...
    @horizon.setter
    def horizon(self, arg0: float) -> None:
        ...
    @property
    def seed(self) -> int:
        ...
    @seed.setter
    def seed(self, arg0: int) -> None:
        ...
    @property
    def tol(self) -> float:
        ...
    @tol.setter
    def tol(self, arg0: float) -> None:
        ...
    @property
    def divergence_factor(self) -> float:
        ...
    @divergence_factor.setter
    def divergence_factor(self, arg0: float) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    @property
    def momentum(self) -> float:
        ...
    @momentum.setter
    def momentum(self, arg0: float) -> None:
        ...
    @property
    def nesterov(self) -> bool:
        ...
    @nesterov.setter
    def nesterov(self, arg0: bool) -> None:
        ...
class GradientDescentOptions:
    """
    Options of gradient_descent (solvers.hpp).
    """
    step: str
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    @property
    def c1(self) -> float:
        ...
    @c1.setter
    def c1(self, arg0: float) -> None:
        ...
    @property
    def divergence_factor(self) -> float:
        ...
    @divergence_factor.setter
    def divergence_factor(self, arg0: float) -> None:
        ...
    @property
    def divergence_patience(self) -> int:
        ...
    @divergence_patience.setter
    def divergence_patience(self, arg0: int) -> None:
        ...
    @property
    def learning_rate(self) -> float:
        ...
    @learning_rate.setter
    def learning_rate(self, arg0: float) -> None:
        ...
    @property
    def max_backtracks(self) -> int:
        ...
    @max_backtracks.setter
    def max_backtracks(self, arg0: int) -> None:
        ...
    @property
    def max_iter(self) -> int:
        ...
    @max_iter.setter
    def max_iter(self, arg0: int) -> None:
        ...
    @property
    def tol(self) -> float:
        ...
    @tol.setter
    def tol(self, arg0: float) -> None:
        ...
class NewtonCgOptions:
    """
    Options of newton_cg (solvers.hpp).
    """
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    eta: float
    initial_radius: float
    max_cg: int
    max_iter: int
    max_radius: float
    precondition: bool
    tol: float
class NewtonOptions:
    """
    Options of newton (solvers.hpp).
    """
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    @property
    def c1(self) -> float:
        ...
    @c1.setter
    def c1(self, arg0: float) -> None:
        ...
    @property
    def max_backtracks(self) -> int:
        ...
    @max_backtracks.setter
    def max_backtracks(self, arg0: int) -> None:
        ...
    @property
    def max_iter(self) -> int:
        ...
    @max_iter.setter
    def max_iter(self, arg0: int) -> None:
        ...
    @property
    def tol(self) -> float:
        ...
    @tol.setter
    def tol(self, arg0: float) -> None:
        ...
class LbfgsOptions:
    """
    Options of lbfgs (solvers.hpp).
    """
    def __init__(self) -> None:
        ...
    def validate(self) -> None:
        ...
    @property
    def store_path(self) -> bool:
        ...
    @store_path.setter
    def store_path(self, arg0: bool) -> None:
        ...
    @property
    def c1(self) -> float:
        ...
    @c1.setter
    def c1(self, arg0: float) -> None:
        ...
    @property
    def c2(self) -> float:
        ...
    @c2.setter
    def c2(self, arg0: float) -> None:
        ...
    @property
    def max_iter(self) -> int:
        ...
    @max_iter.setter
    def max_iter(self, arg0: int) -> None:
        ...
    @property
    def max_linesearch(self) -> int:
        ...
    @max_linesearch.setter
    def max_linesearch(self, arg0: int) -> None:
        ...
    @property
    def memory(self) -> int:
        ...
    @memory.setter
    def memory(self, arg0: int) -> None:
        ...
    @property
    def tol(self) -> float:
        ...
    @tol.setter
    def tol(self, arg0: float) -> None:
        ...
class Result:
    """
    What a solver returns (result.hpp); arrays are copies.
    """
    @property
    def fun(self) -> float:
        ...
    @property
    def grad_norm(self) -> float:
        ...
    @property
    def jac(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def history_cost(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def history_grad_norm(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def history_x(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def history_step(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def hess(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def nit(self) -> int:
        ...
    @property
    def message(self) -> str:
        ...
    @property
    def njev(self) -> int:
        ...
    @property
    def nhev(self) -> int:
        ...
    @property
    def nfev(self) -> int:
        ...
    @property
    def status(self) -> str:
        ...
    @property
    def success(self) -> bool:
        ...
    @property
    def x(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
def gradient_descent(cost: Cost, x0: _ArrayLike, options: GradientDescentOptions, callback: typing.Any = None) -> Result:
    """
    callback(iteration, fun, grad_norm, step, x, jac) is called for the start point and after every iteration; returning a false value other than None stops the run (status 'callback_stopped').
    """
def lbfgs(cost: Cost, x0: _ArrayLike, options: LbfgsOptions, callback: typing.Any = None) -> Result:
    """
    callback(iteration, fun, grad_norm, step, x, jac) is called for the start point and after every iteration; returning a false value other than None stops the run (status 'callback_stopped').
    """
def sgd(cost: Cost, x0: _ArrayLike, options: SgdOptions, callback: typing.Any = None) -> Result:
    """
    callback(epoch, fun, grad_norm, step, x, jac) is called for the start point and after every epoch, with the full data's cost and gradient; returning a false value other than None stops the run.
    """
def adam(cost: Cost, x0: _ArrayLike, options: AdamOptions, callback: typing.Any = None) -> Result:
    """
    callback(epoch, fun, grad_norm, step, x, jac) is called for the start point and after every epoch, with the full data's cost and gradient; returning a false value other than None stops the run.
    """
def loss_names() -> list[str]:
    """
    The names of the core's losses, in the order of its registry (DESCEND_LOSSES).
    """
def log_loss_logit(y: _Array, z: _Array) -> _Array:
    """
    log(1 + exp(z)) − y·z elementwise, exact for any finite z.
    """
def log_loss_probability(y: _Array, p: _Array) -> _Array:
    """
    −(y·log p + (1 − y)·log(1 − p)) elementwise, 0·log 0 = 0.
    """
def newton_cg(cost: Cost, x0: _ArrayLike, options: NewtonCgOptions, callback: typing.Any = None) -> Result:
    """
    callback(iteration, fun, grad_norm, step, x, jac) is called for the start point and after every iteration; returning a false value other than None stops the run (status 'callback_stopped').
    """
def newton(cost: Cost, x0: _ArrayLike, options: NewtonOptions, callback: typing.Any = None) -> Result:
    """
    callback(iteration, fun, grad_norm, step, x, jac) is called for the start point and after every iteration; returning a false value other than None stops the run (status 'callback_stopped').
    """
def sigmoid(z: _Array) -> _Array:
    """
    σ(z) = 1 / (1 + exp(−z)) elementwise, exact in both tails.
    """
def squared_error(y: _Array, y_pred: _Array) -> _Array:
    """
    (y − ŷ)² elementwise.
    """
def _stream_sum(X: numpy.typing.NDArray[typing.Any], n_threads: int) -> float:
    """A plain read of X with the kernels' threads and row partition (the benchmarks' memory floor)."""
def kernel_config() -> dict[str, typing.Any]:
    """The kernels' level in use and why, and the levels compiled and supported (descend/config.hpp)."""
def set_kernel_level(level: str) -> None:
    """Uses `level` ('baseline', 'avx', 'avx2', 'avx512', 'native' or 'best') from now on."""
def config_report() -> str:
    """The configuration in words."""
