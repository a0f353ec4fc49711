"""Every bad input gets a clear error: a table over the whole public API
(the command line's bad inputs, which exit with status 2, are in test_cli.py).

Each case is a line of Python that must raise ValueError or TypeError whose
message contains the given words (the argument's name and what was expected).
The cases run in child processes, so a crash (a segfault, an abort) is seen as
a crash of that case, not as the end of the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

SETUP = """
import numpy as np, descend
X = np.random.default_rng(0).normal(size=(20, 3))
y = (np.arange(20) % 2).astype(float)
cost = descend.Cost(X, y)
"""

# (name, statement, exception, words in the message)
CASES: list[tuple[str, str, str, str]] = [
    # descend.Cost: data
    ("X 1-D", "descend.Cost(np.ones(3), [0, 1, 0])", "ValueError", "X must be a 2-D"),
    ("X 3-D", "descend.Cost(np.ones((3, 2, 2)), [0, 1, 0])", "ValueError", "X must be a 2-D"),
    ("X NaN", "descend.Cost(np.where(X > 1, np.nan, X), y)", "ValueError", "X must contain only finite"),
    ("X inf", "descend.Cost(np.where(X > 1, np.inf, X), y)", "ValueError", "X must contain only finite"),
    ("X empty", "descend.Cost(np.ones((0, 3)), [])", "ValueError", "X must have at least one row"),
    ("X no columns", "descend.Cost(np.ones((3, 0)), [0, 1, 0], fit_intercept=False)", "ValueError", "X must have at least one column"),
    ("X complex", "descend.Cost(X.astype(complex), y)", "TypeError", "X must be real-valued"),
    ("X strings", "descend.Cost(np.array([['a', 'b']]), [0])", "TypeError", "X must contain numbers"),
    ("X objects", "descend.Cost(np.array([[object()]]), [0])", "TypeError", "X must contain numbers"),
    ("X None", "descend.Cost(None, y)", "TypeError", "X must be an array"),
    ("y 2-D", "descend.Cost(X, y[:, None])", "ValueError", "y must be a 1-D"),
    ("y length", "descend.Cost(X, y[:5])", "ValueError", "y must have length 20"),
    ("y NaN", "descend.Cost(X, np.where(y > 0, np.nan, y))", "ValueError", "y must contain only finite"),
    ("y labels", "descend.Cost(X, y * 2)", "ValueError", "y must lie in [0, 1]"),
    ("y negative labels", "descend.Cost(X, y - 1)", "ValueError", "y must lie in [0, 1]"),
    ("y complex", "descend.Cost(X, y.astype(complex))", "TypeError", "y must be real-valued"),
    ("weights negative", "descend.Cost(X, y, sample_weight=-np.ones(20))", "ValueError", "sample_weight must be finite and >= 0"),
    ("weights zero sum", "descend.Cost(X, y, sample_weight=np.zeros(20))", "ValueError", "sample_weight must have a positive sum"),
    ("weights NaN", "descend.Cost(X, y, sample_weight=np.full(20, np.nan))", "ValueError", "sample_weight must contain only finite"),
    ("weights length", "descend.Cost(X, y, sample_weight=np.ones(3))", "ValueError", "sample_weight must have length 20"),
    # descend.Cost: options
    ("l2 negative", "descend.Cost(X, y, l2=-1.0)", "ValueError", "l2 must be >= 0"),
    ("l2 NaN", "descend.Cost(X, y, l2=float('nan'))", "ValueError", "l2 must be finite"),
    ("l2 string", "descend.Cost(X, y, l2='big')", "TypeError", "l2 must be a real number"),
    ("loss unknown", "descend.Cost(X, y, loss='hinge')", "ValueError", "loss must be one of"),
    ("reduction unknown", "descend.Cost(X, y, reduction='median')", "ValueError", "reduction must be one of"),
    ("n_threads zero", "descend.Cost(X, y, n_threads=0)", "ValueError", "n_threads must be >= 1"),
    ("n_threads float", "descend.Cost(X, y, n_threads=1.5)", "TypeError", "n_threads must be an integer"),
    ("fit_intercept string", "descend.Cost(X, y, fit_intercept='yes')", "TypeError", "fit_intercept must be True or False"),
    # descend.Cost: points
    ("w length", "cost.value(np.zeros(3))", "ValueError", "w must have length 4"),
    ("w NaN", "cost.gradient(np.array([0, np.nan, 0, 0]))", "ValueError", "w must contain only finite"),
    ("w inf fast path", "cost.value_and_gradient(np.array([0, np.inf, 0, 0.0]))", "ValueError", "w must contain only finite"),
    ("w 2-D", "cost.hessian(np.zeros((4, 1)))", "ValueError", "w must be a 1-D"),
    ("v length", "cost.hessian_product(np.zeros(4), np.zeros(2))", "ValueError", "v must have length 4"),
    ("v NaN", "cost.hessian_product(np.zeros(4), np.full(4, np.nan))", "ValueError", "v must contain only finite"),
    ("w strings", "cost.value(['a', 'b', 'c', 'd'])", "TypeError", "w must contain numbers"),
    # pointwise losses
    ("log_loss p > 1", "descend.log_loss([0, 1], [0.5, 1.5])", "ValueError", "p must lie in [0, 1]"),
    ("log_loss p < 0", "descend.log_loss([0, 1], [-0.5, 0.5])", "ValueError", "p must lie in [0, 1]"),
    ("log_loss y", "descend.log_loss([0, 3], [0.5, 0.5])", "ValueError", "y must lie in [0, 1]"),
    ("log_loss NaN", "descend.log_loss([0, 1], [np.nan, 0.5])", "ValueError", "p must contain only finite"),
    ("log_loss shapes", "descend.log_loss([0, 1], [0.5, 0.5, 0.5])", "ValueError", "must have the same shape"),
    ("log_loss logits NaN", "descend.log_loss([0, 1], [0.0, np.nan], from_logits=True)", "ValueError", "z must contain only finite"),
    ("squared_error inf", "descend.squared_error([0, 1], [np.inf, 0.5])", "ValueError", "y_pred must contain only finite"),
    ("squared_error strings", "descend.squared_error(['a'], [1.0])", "TypeError", "y must contain numbers"),
    # solvers
    ("learning_rate zero", "descend.gradient_descent(cost, learning_rate=0)", "ValueError", "learning_rate must be > 0"),
    ("learning_rate negative", "descend.gradient_descent(cost, learning_rate=-1)", "ValueError", "learning_rate must be > 0"),
    ("learning_rate NaN", "descend.gradient_descent(cost, learning_rate=float('nan'))", "ValueError", "learning_rate must be finite"),
    ("step unknown", "descend.gradient_descent(cost, step='wolfe')", "ValueError", "step must be one of"),
    ("tol negative", "descend.newton(cost, tol=-1)", "ValueError", "tol must be >= 0"),
    ("max_iter negative", "descend.lbfgs(cost, max_iter=-5)", "ValueError", "max_iter must be >= 0"),
    ("memory zero", "descend.lbfgs(cost, memory=0)", "ValueError", "memory must be >= 1"),
    ("method unknown", "descend.minimize(cost, method='bfgs')", "ValueError", "method must be one of"),
    ("x0 length", "descend.newton(cost, x0=[0, 0])", "ValueError", "x0 must have length 4"),
    ("x0 NaN", "descend.lbfgs(cost, x0=[0, np.nan, 0, 0])", "ValueError", "x0 must contain only finite"),
    ("cost not a cost", "descend.newton(object())", "TypeError", "cost must be a descend.Cost"),
    ("rates empty", "descend.learning_rate_sweep(cost, [])", "ValueError", "rates must contain"),
    # estimators
    ("C zero", "descend.LogisticRegression(C=0).fit(X, y)", "ValueError", "C must be > 0"),
    ("C negative", "descend.LogisticRegression(C=-1).fit(X, y)", "ValueError", "C must be > 0"),
    ("solver unknown", "descend.LogisticRegression(solver='sag').fit(X, y)", "ValueError", "solver must be one of"),
    ("one class", "descend.LogisticRegression().fit(X, np.zeros(20))", "ValueError", "two classes"),
    ("continuous target", "descend.LogisticRegression().fit(X, np.linspace(0, 1, 20))", "ValueError", "continuous"),
    ("multinomial labels", "descend.Cost(X, np.arange(20) % 3 + 0.5, 'multinomial')", "ValueError",
     "y must hold class labels"),
    ("predict features", "descend.LogisticRegression().fit(X, y).predict(X[:, :2])", "ValueError", "X has 2 features"),
    ("fit NaN", "descend.LogisticRegression().fit(np.where(X > 1, np.nan, X), y)", "ValueError", "NaN"),
    ("estimator max_iter", "descend.LogisticRegression(max_iter=-1).fit(X, y)", "ValueError", "max_iter must be >= 0"),
    ("estimator tol", "descend.LogisticRegression(tol=-1).fit(X, y)", "ValueError", "tol must be >= 0"),
    ("alpha negative", "descend.LinearRegression(alpha=-1).fit(X, y)", "ValueError", "alpha must be >= 0"),
    ("fit weights negative", "descend.LogisticRegression().fit(X, y, sample_weight=-np.ones(20))", "ValueError", "sample_weight"),
    ("estimator learning_rate", "descend.LogisticRegression(solver='gd', learning_rate=-1.0).fit(X, y)", "ValueError", "learning_rate must be > 0"),
    ("regression y NaN", "descend.LinearRegression().fit(X, np.full(20, np.nan))", "ValueError", "NaN"),
]

RUNNER = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("error")
    cases = json.loads(sys.stdin.read())
    exec(compile(cases["setup"], "<setup>", "exec"))
    for name, statement in cases["cases"]:
        print(json.dumps({"name": name, "started": True}), flush=True)
        try:
            exec(compile(statement, name, "exec"))
            outcome = {"name": name, "raised": None, "message": ""}
        except BaseException as error:
            outcome = {"name": name, "raised": type(error).__name__, "message": str(error)}
        print(json.dumps(outcome), flush=True)
    """
)


def run_in_children(setup: str, cases: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Runs the cases in a child process; a case that kills its child is reported as a crash
    and the remaining cases go on in a new child."""
    outcomes: dict[str, dict[str, Any]] = {}
    remaining = list(cases)
    while remaining:
        result = subprocess.run(
            [sys.executable, "-c", RUNNER],
            input=json.dumps({"setup": setup, "cases": remaining}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        started = None
        for line in result.stdout.splitlines():
            record = json.loads(line)
            if record.get("started"):
                started = record["name"]
            else:
                outcomes[record["name"]] = record
                started = None
        if result.returncode != 0 and started is None and not outcomes:
            raise AssertionError(f"the setup failed:\n{result.stderr}")
        if started is not None:  # that case crashed the child
            outcomes[started] = {"name": started, "raised": f"crash (exit {result.returncode})", "message": result.stderr[-2000:]}
        remaining = [case for case in remaining if case[0] not in outcomes]
    return outcomes


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, Any]]:
    return run_in_children(SETUP, [(name, statement) for name, statement, _, _ in CASES])


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize("name,statement,exception,words", CASES, ids=[case[0] for case in CASES])
def test_bad_input(outcomes: dict[str, dict[str, Any]], name: str, statement: str, exception: str, words: str) -> None:
    outcome = outcomes[name]
    assert outcome["raised"] == exception, f"{statement}: raised {outcome['raised']}: {outcome['message']}"
    assert words in outcome["message"], f"{statement}: message {outcome['message']!r} lacks {words!r}"


GOOD = """
import numpy as np, descend
from descend import reference
X = np.random.default_rng(1).normal(size=(30, 2))
y = (np.arange(30) % 2).astype(float)
truth = reference.Cost(X, y)
w = np.array([0.125, -0.25, 0.375])  # exact in float32 too
for X_in, y_in, w_in in [
    (X.tolist(), y.tolist(), w.tolist()),                       # lists
    (X, y.astype(int), w),                                      # integer labels
    (np.asfortranarray(X), y.astype(bool), w.astype(np.float32)),  # Fortran order, booleans, float32 w
    (np.repeat(X, 2, axis=1)[:, ::2], y, w),                     # non-contiguous
]:
    value = descend.Cost(X_in, y_in).value(w_in)
    assert abs(value - truth.value(w)) < 1e-12, value
X32 = X.astype(np.float32)
assert abs(descend.Cost(X32, y).value(w) - reference.Cost(X32.astype(float), y).value(w)) < 1e-12
Xi = np.arange(60).reshape(30, 2) % 7
assert abs(descend.Cost(Xi, y).value(w) - reference.Cost(Xi.astype(float), y).value(w)) < 1e-12
print("ok")
"""


def test_inputs_that_make_sense_are_converted() -> None:
    result = subprocess.run([sys.executable, "-c", GOOD], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
