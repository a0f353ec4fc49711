"""The shared test vectors (tests/vectors/*.txt), read with the generator's own reader."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

VECTORS = Path(__file__).resolve().parent / "vectors"


def generator() -> ModuleType:
    """tests/vectors/generate.py, imported by path (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("descend_vector_generator", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def all_vectors() -> list[dict[str, Any]]:
    """Every vector file, parsed, sorted by name."""
    read = generator().read
    cases = [read(path) for path in sorted(VECTORS.glob("*.txt"))]
    assert cases, "no test vectors found in tests/vectors"
    return cases
