"""The C++ side, run from pytest so one command runs everything.

Configures and builds the C++ tests with CMake, runs them with CTest (once in
Release, once under AddressSanitizer and UndefinedBehaviorSanitizer), installs
the library into a fresh prefix and builds the standalone consumer project in
cpp/examples/consumer against it with find_package(descend).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    """A build tool from this environment's scripts (the test extra installs cmake and ninja), else from PATH."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install the test extra (pip install '.[test]')")
    return found


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed with exit status {result.returncode}:\n{output[-6000:]}")
    return output


def _configure_and_build(build: Path, *options: str) -> str:
    _run(
        [
            _tool("cmake"),
            "-S",
            str(ROOT),
            "-B",
            str(build),
            "-G",
            "Ninja",
            f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}",
            f"-DPython_EXECUTABLE={sys.executable}",
            "-DDESCEND_TESTS=ON",
            *options,
        ]
    )
    output = _run([_tool("cmake"), "--build", str(build), "--parallel", str(os.cpu_count() or 2)])
    if re.search(r"\bwarning\b", output):
        pytest.fail(f"the C++ build is not warning-free:\n{output[-6000:]}")
    return output


def _ctest(build: Path) -> str:
    ctest = str(Path(_tool("cmake")).with_name("ctest"))
    output = _run([ctest, "--test-dir", str(build), "--output-on-failure", "--verbose"])
    print(output)  # CTest's own summary, in the log of the test run
    match = re.search(r"100% tests passed(?:, 0 tests failed)? out of (\d+)", output)
    assert match, output
    registered = len(list((ROOT / "tests" / "cpp").glob("test_*.cpp")))
    if sys.platform.startswith("linux") and platform.machine() == "x86_64":
        registered += 1  # kernel_objects: each level's kernels keep their symbols private
    assert int(match.group(1)) == registered, "CTest ran fewer C++ tests than tests/cpp holds"
    # Each C++ test prints "name: N passed, N failed"; none may be empty.
    counts = [int(n) for n in re.findall(r": (\d+) passed, 0 failed", output)]
    assert len(counts) == registered and min(counts) > 0, output
    return output


@pytest.fixture(scope="module")
def release_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build = tmp_path_factory.mktemp("cpp-release")
    _configure_and_build(build, "-DCMAKE_BUILD_TYPE=Release")
    return build


def test_ctest_release(release_build: Path) -> None:
    _ctest(release_build)


def test_find_package_consumer(release_build: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    _run([_tool("cmake"), "--install", str(release_build), "--prefix", str(prefix)])
    assert (prefix / "include" / "descend" / "cost.hpp").exists()
    assert list(prefix.glob("lib*/cmake/descend/descendConfigVersion.cmake"))
    consumer = tmp_path / "consumer"
    _run(
        [
            _tool("cmake"),
            "-S",
            str(ROOT / "cpp" / "examples" / "consumer"),
            "-B",
            str(consumer),
            "-G",
            "Ninja",
            f"-DCMAKE_MAKE_PROGRAM={_tool('ninja')}",
            f"-DCMAKE_PREFIX_PATH={prefix}",
            f"-DPython_EXECUTABLE={sys.executable}",
        ]
    )
    _run([_tool("cmake"), "--build", str(consumer)])
    output = _run([str(consumer / "consumer")])
    lines = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}
    value = float(lines["value"][0])
    # The installed library chose the best level this CPU runs, as the Python module does.
    from descend import _core

    assert lines["level"] == [_core.kernel_config()["level"]]
    gradient = np.array(lines["gradient"], dtype=float)
    hessian = np.array(lines["hessian"], dtype=float).reshape(3, 3)

    # The same numbers by the formulas, in plain NumPy.
    X = np.array([[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [2.0, 0.0], [-0.5, -1.5], [1.0, 1.0]])
    y = np.array([0, 1, 0, 1, 0, 1.0])
    w = np.array([0.3, -0.2, 0.1])
    Xa = np.column_stack([X, np.ones(6)])
    z = Xa @ w
    p = 1 / (1 + np.exp(-z))
    l2 = np.array([0.1, 0.1, 0.0])
    assert value == pytest.approx(np.mean(np.logaddexp(0, z) - y * z) + 0.05 * (w[:2] @ w[:2]), rel=1e-14)
    np.testing.assert_allclose(gradient, Xa.T @ (p - y) / 6 + l2 * w, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(hessian, Xa.T @ (Xa * (p * (1 - p))[:, None]) / 6 + np.diag(l2), rtol=1e-13)


@pytest.mark.slow
def test_ctest_sanitizers(tmp_path_factory: pytest.TempPathFactory) -> None:
    build = tmp_path_factory.mktemp("cpp-sanitize")
    # -O0: the instrumented kernels compile in 52 s a level instead of 137 s at -O1 (measured on
    # 2 cores: the whole build 3.0 min instead of 6.9), and the tests then run in 10 s instead of 2.
    _configure_and_build(build, "-DDESCEND_SANITIZE=ON", "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g")
    output = _ctest(build)
    assert "runtime error" not in output and "AddressSanitizer" not in output
