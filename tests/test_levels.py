"""The kernels at every instruction-set level this CPU runs (descend/config.hpp).

The whole suite runs at the best level; here the tests of the core's numbers (the cost against
the reference and the shared vectors, the extremes, sparse X) run again at every other level, in
a fresh process with DESCEND_LEVEL set, and the levels are compared with one another in this one.
Levels may round differently (FMA, wider sums), never by more than the tests' tolerances.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp  # the test extra has SciPy (scikit-learn needs it)

import descend
from descend import _core, reference

TESTS = Path(__file__).resolve().parent
CONFIG = _core.kernel_config()
OTHER_LEVELS = [level for level in CONFIG["supported"] if level != CONFIG["level"]]


@pytest.fixture
def restore_level() -> Iterator[None]:
    yield
    _core.set_kernel_level("best")


def test_the_best_level_is_in_use() -> None:
    assert CONFIG["compiled"], CONFIG
    assert CONFIG["supported"] == [level for level in CONFIG["compiled"] if level in CONFIG["supported"]]
    if os.environ.get("DESCEND_LEVEL") in (None, "", "best"):
        assert CONFIG["level"] == CONFIG["supported"][-1]
        assert CONFIG["reason"].startswith("the best level")
    if sys.platform.startswith("linux") and descend.config()["machine"] == "x86_64":
        assert CONFIG["compiled"] == ["baseline", "avx", "avx2", "avx512"]  # the portable default build


@pytest.mark.parametrize("level", OTHER_LEVELS)
def test_core_tests_at_level(level: str) -> None:
    env = dict(os.environ, DESCEND_LEVEL=level)
    files = ["test_cost.py", "test_extremes.py", "test_sparse.py", "test_reference.py", "test_multinomial.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *files],
        cwd=TESTS, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert f"descend kernels: {level} (DESCEND_LEVEL={level} asked for it)" in output, output[:2000]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 300 and " failed" not in output, output[-2000:]


def _problem(seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3001, 37)) @ rng.normal(size=(37, 37)) / 6
    y = (rng.random(3001) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    return X, y, rng.uniform(0.5, 2.0, 3001)


@pytest.mark.parametrize("level", CONFIG["supported"])
@pytest.mark.parametrize("layout", ["C", "F", "float32", "csr", "csc"])
def test_every_level_equals_the_reference(level: str, layout: str, restore_level: None) -> None:
    X, y, s = _problem()
    if layout == "float32":
        X = X.astype(np.float32)
    elif layout in ("csr", "csc"):
        X = sp.random(3001, 37, density=0.1, format=layout, random_state=1) + sp.eye(3001, 37, format=layout)
    else:
        X = np.asarray(X, order=layout)
    _core.set_kernel_level(level)
    assert _core.kernel_config()["level"] == level
    core = descend.Cost(X, y, l2=0.1, sample_weight=s, n_threads=2)
    dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    ref = reference.Cost(dense, y, l2=0.1, sample_weight=s)
    w = np.random.default_rng(4).normal(size=core.dim) / 3
    v = np.random.default_rng(5).normal(size=core.dim)
    f, g = core.value_and_gradient(w)
    np.testing.assert_allclose(f, ref.value(w), rtol=1e-12)
    np.testing.assert_allclose(g, ref.gradient(w), rtol=1e-10, atol=1e-13)
    H = ref.hessian(w)
    np.testing.assert_allclose(core.hessian(w), H, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(core.hessian_product(w, v), H @ v, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(core.hessian_diagonal(w), np.diag(H), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(core.decision_function(w), dense @ w[:-1] + w[-1], rtol=1e-12, atol=1e-12)


def test_levels_agree_on_a_fit(restore_level: None) -> None:
    X, y, s = _problem(7)
    fits = {}
    for level in CONFIG["supported"]:
        _core.set_kernel_level(level)
        fits[level] = descend.newton(descend.Cost(X, y, l2=1e-3, sample_weight=s), tol=1e-12)
        assert fits[level].success
    best = fits[CONFIG["supported"][-1]].x
    for level, fit in fits.items():
        np.testing.assert_allclose(fit.x, best, rtol=1e-9, atol=1e-12, err_msg=level)


def test_bad_levels_are_refused_by_name(restore_level: None) -> None:
    with pytest.raises(ValueError, match="level must be one of"):
        _core.set_kernel_level("sse9")
    for level in CONFIG["compiled"]:
        if level not in CONFIG["supported"]:
            with pytest.raises(ValueError, match="CPU lacks"):
                _core.set_kernel_level(level)
    result = subprocess.run(
        [sys.executable, "-c", "import descend"], env=dict(os.environ, DESCEND_LEVEL="sse9"),
        capture_output=True, text=True,
    )
    assert result.returncode != 0 and "DESCEND_LEVEL must be one of baseline, avx, avx2, avx512" in result.stderr


def test_show_config_says_which_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    descend.show_config()
    out = capsys.readouterr().out
    now = _core.kernel_config()
    assert now["level"] == CONFIG["level"] and f"kernels:   {now['level']} ({now['reason']})" in out
    assert "compiled:  " + ", ".join(CONFIG["compiled"]) in out
    assert descend.config()["level"] == CONFIG["level"]
