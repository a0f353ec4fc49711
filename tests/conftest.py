"""Test-wide settings."""

import os

# scikit-learn's check_estimator runs its array-API checks only when SciPy's array
# API support is switched on, which must happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")


def pytest_report_header() -> str:
    """The kernels this run tests (descend.show_config() says more)."""
    from descend import _core

    config = _core.kernel_config()
    return f"descend kernels: {config['level']} ({config['reason']}); this CPU runs {', '.join(config['supported'])}"
