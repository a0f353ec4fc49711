"""descend: losses, costs, gradients and Hessians of linear and logistic models,
minimised by gradient descent, Newton's method and L-BFGS, on an Eigen C++ core.

    >>> import numpy as np, descend
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> cost = descend.Cost(X, y, loss="log_loss", l2=0.1)
    >>> round(cost.value(np.zeros(cost.dim)), 6)   # log 2 at w = 0
    0.693147
"""

from __future__ import annotations

import importlib
from typing import Any

from . import reference
from ._config import config, show_config
from ._result import History, IterationInfo, LearningRateSweep, OptimizeResult, Status
from .cost import Cost
from .inference import Inference, inference
from .losses import log_loss, log_softmax, sigmoid, softmax, squared_error
from .solvers import adam, gradient_descent, lbfgs, learning_rate_sweep, minimize, newton, newton_cg, sgd

__version__ = "0.1.0"

__all__ = [
    "Cost",
    "History",
    "Inference",
    "IterationInfo",
    "LearningRateSweep",
    "LinearRegression",
    "LogisticRegression",
    "OptimizeResult",
    "PerfectSeparationWarning",
    "PoissonRegressor",
    "SGDClassifier",
    "SGDRegressor",
    "Status",
    "__version__",
    "adam",
    "config",
    "dask",
    "gradient_descent",
    "inference",
    "lbfgs",
    "learning_rate_sweep",
    "log_loss",
    "log_softmax",
    "minimize",
    "newton",
    "newton_cg",
    "plot",
    "reference",
    "sgd",
    "show_config",
    "sigmoid",
    "softmax",
    "squared_error",
]

# The scikit-learn estimators, the plots and the Dask support load on first use:
# descend itself needs none of scikit-learn, matplotlib or dask.
_ESTIMATORS = (
    "LinearRegression", "LogisticRegression", "PerfectSeparationWarning", "PoissonRegressor", "SGDClassifier",
    "SGDRegressor",
)


def __getattr__(name: str) -> Any:
    # importlib, not "from . import": that would ask this function for the name again.
    if name in _ESTIMATORS:  # without scikit-learn: an ImportError naming the extra to install
        return getattr(importlib.import_module(f"{__name__}.estimators"), name)
    if name in ("plot", "dask"):  # matplotlib; dask and distributed
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'descend' has no attribute {name!r}")
