"""Test-wide settings."""

import os

# scikit-learn's check_estimator runs its array-API checks only when SciPy's array
# API support is switched on, which must happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
