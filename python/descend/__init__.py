"""descend: losses, costs, gradients and Hessians of linear and logistic models,
minimised by gradient descent, Newton's method and L-BFGS, on an Eigen C++ core.

    >>> import numpy as np, descend
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> cost = descend.Cost(X, y, loss="log_loss", l2=0.1)
    >>> round(cost.value(np.zeros(cost.dim)), 6)   # log 2 at w = 0
    0.693147
"""

from __future__ import annotations

from . import reference
from ._result import History, IterationInfo, LearningRateSweep, OptimizeResult, Status
from .cost import Cost
from .losses import log_loss, sigmoid, squared_error
from .solvers import gradient_descent, lbfgs, learning_rate_sweep, minimize, newton

__version__ = "0.1.0"

__all__ = [
    "Cost",
    "History",
    "IterationInfo",
    "LearningRateSweep",
    "OptimizeResult",
    "Status",
    "__version__",
    "gradient_descent",
    "lbfgs",
    "learning_rate_sweep",
    "log_loss",
    "minimize",
    "newton",
    "reference",
    "sigmoid",
    "squared_error",
]
