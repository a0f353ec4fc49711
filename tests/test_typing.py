"""The Python side is typed: mypy --strict passes on python/descend, stubs of the extension included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_strict_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "python" / "descend")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_stubs_and_marker_are_installed() -> None:
    import descend

    package = Path(descend.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "_core.pyi").exists()
