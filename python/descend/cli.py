"""The command line: ``descend demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from . import __version__
from ._datasets import exam_results
from .cost import Cost


def _demo(args: argparse.Namespace) -> int:
    X, y, names = exam_results()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    cost = Cost(X, y, loss="log_loss", l2=0.01)
    w = np.zeros(cost.dim)
    value, gradient, hessian = cost.value_gradient_hessian(w)
    print(f"Logistic regression on {X.shape[0]} students, {X.shape[1]} standardised features, l2 = 0.01")
    print(f"cost at w = 0: {value:.6f}  (log 2 = {np.log(2):.6f})")
    print("gradient:")
    for name, g in zip((*names, "intercept"), gradient):
        print(f"  {name:>16}  {g:+.6f}")
    print("Hessian:")
    with np.printoptions(precision=4, suppress=True, linewidth=120):
        print(hessian)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="descend", description=__doc__)
    parser.add_argument("--version", action="version", version=f"descend {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="run the built-in demonstration")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
