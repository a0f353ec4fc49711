"""Which kernels run, and why: descend.show_config() and descend.config().

The C++ core holds its passes over X compiled once per instruction-set level (baseline x86-64,
AVX+FMA, AVX2+FMA, AVX-512) and uses the best one the CPU runs. The environment variable
``DESCEND_LEVEL`` (``baseline``, ``avx``, ``avx2`` or ``avx512``), set before ``import descend``,
asks for a lower one: the same level on different machines gives the same kernels, for
reproducibility. A level the CPU lacks is never used; the reason says what was used instead.
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any, TextIO

import numpy as np

from . import _core


def config() -> dict[str, Any]:
    """The configuration as a dict.

    Keys: ``level`` (the kernels in use), ``reason`` (why), ``compiled`` (the levels this build
    holds, lowest first), ``supported`` (those this CPU runs), ``DESCEND_LEVEL`` (the environment
    variable, or None), ``version``, ``python``, ``numpy``, ``machine``.
    """
    from . import __version__

    out = dict(_core.kernel_config())
    out["DESCEND_LEVEL"] = os.environ.get("DESCEND_LEVEL")
    out["version"] = __version__
    out["python"] = platform.python_version()
    out["numpy"] = np.__version__
    out["machine"] = platform.machine()
    return out


def show_config(file: TextIO | None = None) -> None:
    """Print which kernels are in use and why, the levels compiled and supported, and versions.

        >>> import descend
        >>> descend.show_config()  # doctest: +SKIP
        descend 0.1.0
          kernels:   avx2 (the best level of this build that this CPU runs (AVX2, FMA, BMI1 and BMI2))
          ...
    """
    env = os.environ.get("DESCEND_LEVEL")
    text = _core.config_report()
    text += f"  DESCEND_LEVEL: {env if env is not None else '(unset)'}\n"
    text += f"  Python:    {platform.python_version()} on {platform.machine()}, NumPy {np.__version__}\n"
    print(text, end="", file=file if file is not None else sys.stdout)
