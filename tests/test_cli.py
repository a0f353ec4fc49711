"""The command line, run as users run it (``python -m descend ...`` in a subprocess), on
CSV files written here; fitted numbers are checked against scikit-learn and the NumPy
reference."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from descend import reference
from descend._datasets import exam_results
from descend.cli import Progress


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "descend", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def write_csv(path: Path, header: list[str], columns: list[list[object]]) -> Path:
    lines = [",".join(header)] + [",".join(map(str, row)) for row in zip(*columns)]
    path.write_text("\n".join(lines) + "\n")
    return path


def coefficient_table(stdout: str) -> dict[str, float]:
    """The 'feature  coefficient' table of 'descend fit', as a dict."""
    block = stdout.split("\n-")[1].split("\n\n")[0]
    rows = [line.split() for line in block.splitlines()[1:]]
    return {row[0]: float(row[1]) for row in rows}


def inference_table(stdout: str) -> dict[str, list[float]]:
    """The rows of 'descend fit''s table with standard errors: name -> [coef, se, stat, p, low, high]."""
    block = stdout.split("\n-")[1].split("\n\n")[0]
    return {row[0]: [float(v) for v in row[1:]] for row in (line.split() for line in block.splitlines()[1:])}


def standardised_exam() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    X, y, names = exam_results()
    return (X - X.mean(axis=0)) / X.std(axis=0), y, names


def test_demo_prints_one_table_with_every_method():
    out = run("demo")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    rows = {}
    for line in out.stdout.splitlines():
        match = re.match(r"(\S.*?)\s{2,}(\d+)\s+(\d\.\d+)\s+(\S+)\s+(\S+ \S+)\s+(\w+)$", line)
        if match:
            rows[match[1]] = (int(match[2]), float(match[3]), match[6])
    assert list(rows) == [
        "gradient descent, α = 0.01/L (too small)",
        "gradient descent, α = 1/L (good)",
        "gradient descent, α = 2.4/L (too large)",
        "gradient descent, backtracking from α = 2.4/L",
        "gradient descent, curvature step α = gᵀg/gᵀHg",
        "Newton's method, step H⁻¹∇J",
        "L-BFGS",
    ]
    statuses = [status for _, _, status in rows.values()]
    # Each row's status follows from the curvature, not from the last bits: 2.4/L exceeds the stability
    # limit 2/L of the minimum, 1/L is within it, 0.01/L is too slow for 1000 steps.
    assert statuses == ["max_iterations", "converged", "max_iterations", "converged", "converged", "converged", "converged"]
    iterations = {name: nit for name, (nit, _, _) in rows.items()}
    assert iterations["Newton's method, step H⁻¹∇J"] < 10 < iterations["gradient descent, α = 1/L (good)"]
    # The minimum, independently: scikit-learn with C = 1/(l2·n), its cost by the NumPy reference.
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, y, _ = standardised_exam()
    model = sklearn.LogisticRegression(C=1 / (0.01 * len(y)), solver="newton-cholesky", tol=1e-12).fit(X, y)
    best = reference.Cost(X, y, loss="log_loss", l2=0.01).value(np.append(model.coef_[0], model.intercept_))
    for name, (_, final_cost, status) in rows.items():
        if status == "converged":
            assert final_cost == pytest.approx(best, abs=2e-10), name
        else:  # short of the minimum, or oscillating above it: clearly not there
            assert final_cost > best + 1e-4, name
    w_best = np.append(model.coef_[0], model.intercept_)
    L = np.linalg.eigvalsh(reference.Cost(X, y, loss="log_loss", l2=0.01).hessian(w_best))[-1]
    assert f"L = {L:.4g}," in out.stdout and 2.4 / L > 2 / L * 1.15
    assert "Too small a learning rate is slow" in out.stdout and "1/f″" in out.stdout
    assert "oscillate" in out.stdout and "diverges" not in out.stdout


def test_demo_plot_writes_four_pictures(tmp_path: Path):
    pytest.importorskip("matplotlib")
    out = run("demo", "--plot", "demo.png", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for name in ("demo.png", "demo-learning-rates.png", "demo-paths.png", "demo-steps.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG"), name
        assert name in out.stdout


def test_fit_logistic_matches_sklearn_and_round_trips_through_predict(tmp_path: Path):
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y, names = standardised_exam()
    labels = np.where(y == 1, "pass", "fail")
    data = write_csv(tmp_path / "exam.csv", [*names, "result"], [*(c.tolist() for c in X.T), labels.tolist()])
    out = run("fit", "exam.csv", "--target", "result", "--C", "0.5", "--save", "model.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "log loss, P(result = pass) against fail" in out.stdout and "status       converged" in out.stdout
    theirs = linear_model.LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12).fit(X, labels)
    table = coefficient_table(out.stdout)
    assert list(table) == [*names, "(intercept)"]
    np.testing.assert_allclose([table[name] for name in names], theirs.coef_[0], atol=1e-6)
    assert table["(intercept)"] == pytest.approx(theirs.intercept_[0], abs=1e-6)

    model = json.loads((tmp_path / "model.json").read_text())
    assert model["loss"] == "log_loss" and model["target"] == "result"
    assert model["classes"] == ["fail", "pass"] and model["features"] == list(names)
    np.testing.assert_allclose(model["coefficients"], theirs.coef_[0], atol=1e-6)

    out = run("predict", "model.json", data.name, "--output", "predictions.csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = (tmp_path / "predictions.csv").read_text().splitlines()
    assert lines[0] == "probability,label" and len(lines) == len(y) + 1
    probability = np.array([float(line.split(",")[0]) for line in lines[1:]])
    predicted = [line.split(",")[1] for line in lines[1:]]
    np.testing.assert_allclose(probability, theirs.predict_proba(X)[:, 1], atol=1e-6)
    assert predicted == theirs.predict(X).tolist()

    to_stdout = run("predict", "model.json", data.name, cwd=tmp_path)
    assert to_stdout.returncode == 0 and to_stdout.stdout.splitlines() == lines


def test_fit_least_squares_matches_sklearn(tmp_path: Path):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    data = load_diabetes()
    X, y, names = data.data, data.target, list(data.feature_names)
    write_csv(tmp_path / "diabetes.csv", [*names, "progression"], [*(c.tolist() for c in X.T), y.tolist()])
    out = run("fit", "diabetes.csv", "--target", "progression", "--save", "model.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "squared error" in out.stdout and "iterations   1" in out.stdout
    theirs = LinearRegression().fit(X, y)
    table = coefficient_table(out.stdout)
    np.testing.assert_allclose([table[name] for name in names], theirs.coef_, rtol=1e-6)
    assert table["(intercept)"] == pytest.approx(theirs.intercept_, rel=1e-8)
    assert sklearn is not None

    out = run("predict", "model.json", "diabetes.csv", cwd=tmp_path)
    lines = out.stdout.splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose([float(v) for v in lines[1:]], theirs.predict(X), rtol=1e-8)


def test_fit_plot_verbose_and_quiet(tmp_path: Path):
    pytest.importorskip("matplotlib")
    write_csv(tmp_path / "d.csv", ["x", "y"], [[0, 1, 2, 3, 4, 5], [0, 1, 0, 1, 1, 1]])
    out = run("fit", "d.csv", "--target", "y", "--verbose", "--plot", "fit.png", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "fit.png").read_bytes().startswith(b"\x89PNG")
    iterations = int(re.search(r"iterations\s+(\d+)", out.stdout)[1])  # type: ignore[index]
    progress = [line for line in out.stderr.splitlines() if line.startswith("iteration")]
    assert len(progress) == iterations + 1
    quiet = run("fit", "d.csv", "--target", "y", "--quiet", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == "" and "coefficient" in quiet.stdout


def test_fit_warns_about_separation_and_non_convergence(tmp_path: Path):
    write_csv(tmp_path / "d.csv", ["x", "y"], [[0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1]])
    out = run("fit", "d.csv", "--target", "y", cwd=tmp_path)
    assert out.returncode == 0 and "perfectly separated" in out.stderr and "--l2" in out.stderr
    out = run("fit", "d.csv", "--target", "y", "--C", "1", "--solver", "gd", "--learning-rate", "0.01",
              "--max-iter", "5", cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0 and "status       max_iterations" in out.stdout
    assert out.stderr.startswith("descend: warning: not converged") and "raise --max-iter" in out.stderr


BAD_INPUTS = {
    "missing file": ("fit", "nowhere.csv", "--target", "y"),
    "missing target column": ("fit", "good.csv", "--target", "z"),
    "no --target": ("fit", "good.csv"),
    "non-numeric cell": ("fit", "text.csv", "--target", "y"),
    "NaN cell": ("fit", "nan.csv", "--target", "y"),
    "empty cell": ("fit", "hole.csv", "--target", "y"),
    "target not binary": ("fit", "good.csv", "--target", "y", "--loss", "log_loss"),
    "empty file": ("fit", "empty.csv", "--target", "y"),
    "header only": ("fit", "header.csv", "--target", "y"),
    "ragged row": ("fit", "ragged.csv", "--target", "y"),
    "learning rate without gd": ("fit", "good.csv", "--target", "y", "--learning-rate", "0.1"),
    "negative l2": ("fit", "good.csv", "--target", "y", "--l2", "-1"),
    "not a model": ("predict", "good.csv", "good.csv"),
    "model needs a missing column": ("predict", "model.json", "other.csv"),
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    (folder / "good.csv").write_text("a,b,y\n1,2,3\n4,5,6\n7,8,9\n")
    (folder / "text.csv").write_text("a,b,y\n1,2,0\n4,five,1\n")
    (folder / "nan.csv").write_text("a,b,y\n1,2,0\n4,NaN,1\n")
    (folder / "hole.csv").write_text("a,b,y\n1,2,0\n4,,1\n")
    (folder / "empty.csv").write_text("")
    (folder / "header.csv").write_text("a,b,y\n")
    (folder / "ragged.csv").write_text("a,b,y\n1,2,0\n4,1\n")
    (folder / "other.csv").write_text("a,c\n1,2\n")
    model = {"format": "descend-model", "version": 1, "loss": "squared_error", "target": "y", "classes": None,
             "features": ["a", "b"], "coefficients": [1.0, 2.0], "intercept": 0.5}  # fmt: skip
    (folder / "model.json").write_text(json.dumps(model))
    return folder


@pytest.mark.parametrize("args", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_status_2(bad_files: Path, args: tuple[str, ...]):
    out = run(*args, cwd=bad_files)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("descend: error: "), out.stderr
    assert "Traceback" not in out.stderr


def test_bad_input_messages_say_where(bad_files: Path):
    assert run("fit", "text.csv", "--target", "y", cwd=bad_files).stderr == (
        "descend: error: text.csv, line 3, column 'b': 'five' is not a number\n"
    )
    assert "log loss needs a target with two values" in run(*BAD_INPUTS["target not binary"], cwd=bad_files).stderr
    assert "no column 'z' (columns: a, b, y)" in run(*BAD_INPUTS["missing target column"], cwd=bad_files).stderr


def test_help_documents_every_option():
    fit = run("fit", "--help").stdout
    for option in ("--target", "--loss", "--solver", "--learning-rate", "--l2", "--C", "--no-intercept",
                   "--tol", "--max-iter", "--plot", "--save", "--verbose", "--quiet", "exit status 2"):  # fmt: skip
        assert option in fit or option in run("--help").stdout, option
    assert "--output" in run("predict", "--help").stdout
    assert "--plot" in run("demo", "--help").stdout


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def info(iteration: int):  # type: ignore[no-untyped-def]
    from descend._result import IterationInfo

    return IterationInfo(iteration=iteration, x=np.zeros(1), fun=1.0 / (iteration + 1), jac=np.zeros(1),
                         grad_norm=0.5, step=0.1)  # fmt: skip


def test_progress_is_quiet_for_short_fits_and_live_on_a_terminal():
    clock = FakeClock()
    stream = Terminal()
    progress = Progress("normal", stream, delay=2.0, every=0.2, clock=clock)
    for k in range(5):  # within the first two seconds: nothing
        clock.now = 0.3 * k
        progress(info(k))
    assert stream.getvalue() == ""
    for k in range(5, 10):
        clock.now = 2.0 + 0.15 * (k - 5)  # shown at 2.0, 2.3 and 2.6
        progress(info(k))
    text = stream.getvalue()
    assert text.startswith("\riteration") and "\n" not in text and text.count("\r") == 3
    progress.close()
    assert stream.getvalue().endswith("\r")

    plain = io.StringIO()  # not a terminal: whole lines, seldom
    progress = Progress("normal", plain, delay=2.0, clock=clock)
    clock.now = 100.0
    progress(info(1))
    clock.now = 101.0
    progress(info(2))
    assert plain.getvalue().count("\n") == 1

    quiet = io.StringIO()
    progress = Progress("quiet", quiet, delay=0.0, clock=clock)
    progress(info(1))
    assert quiet.getvalue() == ""


def test_fit_prints_standard_errors_equal_to_statsmodels(tmp_path: Path):
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.spector.load_pandas().data
    data.to_csv(tmp_path / "spector.csv", index=False)
    exog = sm.add_constant(data[["GPA", "TUCE", "PSI"]], prepend=False)
    for cov_type, options in (("nonrobust", []), ("HC0", ["--cov-type", "HC0"])):
        out = run("fit", "spector.csv", "--target", "GRADE", *options, "--save", "model.json", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "std err" in out.stdout and "P>|z|" in out.stdout and f"{cov_type} covariance" in out.stdout
        theirs = sm.Logit(data["GRADE"], exog).fit(disp=0, cov_type=cov_type, tol=1e-12, method="newton")
        table = inference_table(out.stdout)
        for name, se, p in zip(["GPA", "TUCE", "PSI", "(intercept)"], theirs.bse, theirs.pvalues):
            assert table[name][1] == pytest.approx(se, rel=1e-6) and table[name][3] == pytest.approx(p, rel=1e-3)
        saved = json.loads((tmp_path / "model.json").read_text())["inference"]
        np.testing.assert_allclose(saved["std_err"], theirs.bse, rtol=1e-7)
        assert saved["cov_type"] == cov_type and len(saved["conf_int_95"]) == 4


def test_fit_least_squares_prints_t_and_clusters_by_a_column(tmp_path: Path):
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.stackloss.load_pandas().data
    data["site"] = ["north" if i % 3 else "south" for i in range(len(data))]
    data.to_csv(tmp_path / "stack.csv", index=False)
    out = run("fit", "stack.csv", "--target", "STACKLOSS", "--cov-type", "cluster", "--groups", "site", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "P>|t|" in out.stdout and "t with 1 degrees of freedom" in out.stdout and "site" not in inference_table(out.stdout)
    exog = sm.add_constant(data[["AIRFLOW", "WATERTEMP", "ACIDCONC"]], prepend=False)
    theirs = sm.OLS(data["STACKLOSS"], exog).fit(cov_type="cluster", cov_kwds={"groups": data["site"] == "north"}, use_t=True)
    table = inference_table(out.stdout)
    np.testing.assert_allclose([table[n][1] for n in ["AIRFLOW", "WATERTEMP", "ACIDCONC", "(intercept)"]], theirs.bse,
                               rtol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--cov-type", "cluster"], "needs --groups"),
        (["--groups", "g"], "--groups is for --cov-type cluster"),
        (["--cov-type", "cluster", "--groups", "missing"], "missing"),
    ],
)
def test_fit_inference_options_are_checked(tmp_path: Path, options: list[str], message: str):
    write_csv(tmp_path / "d.csv", ["x", "g", "y"], [[1, 2, 3, 4, 5], [1, 1, 2, 2, 2], [1.5, 2.1, 2.9, 4.2, 5.1]])
    out = run("fit", "d.csv", "--target", "y", *options, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr


def test_fit_penalised_prints_no_standard_errors_unless_asked(tmp_path: Path):
    write_csv(tmp_path / "d.csv", ["x", "y"], [[1, 2, 3, 4, 5, 6], [1.5, 2.1, 2.9, 4.2, 5.1, 5.8]])
    out = run("fit", "d.csv", "--target", "y", "--l2", "0.1", cwd=tmp_path)
    assert out.returncode == 0 and "std err" not in out.stdout
    out = run("fit", "d.csv", "--target", "y", "--l2", "0.1", "--cov-type", "HC1", cwd=tmp_path)
    assert out.returncode == 0 and "std err" in out.stdout and "of the penalised estimate" in out.stdout


def test_fit_multinomial_matches_sklearn_and_predicts_every_class(tmp_path: Path):
    """A text target of three classes: one coefficient column per class equal to scikit-learn's
    multinomial LogisticRegression, and predict writes probability_<class> columns and a label."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, target = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[target]
    header = ["sl", "sw", "pl", "pw", "species"]
    data = write_csv(tmp_path / "iris.csv", header, [*X.T.tolist(), names.tolist()])
    out = run("fit", str(data), "--target", "species", "--C", "1", "--tol", "1e-12", "--save", str(tmp_path / "m.json"))
    assert out.returncode == 0, out.stderr
    assert "multinomial log loss, 3 classes" in out.stdout and "status       converged" in out.stdout
    block = out.stdout.split("\n-")[1].split("\n\n")[0]
    rows = {row[0]: [float(v) for v in row[1:]] for row in (line.split() for line in block.splitlines()[1:])}
    expected = LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-14).fit(X, names)
    for j, feature in enumerate(header[:4]):
        np.testing.assert_allclose(rows[feature], expected.coef_[:, j], atol=1e-6)
    np.testing.assert_allclose(rows["(intercept)"], expected.intercept_, atol=1e-6)
    predicted = run("predict", str(tmp_path / "m.json"), str(data))
    assert predicted.returncode == 0, predicted.stderr
    lines = predicted.stdout.splitlines()
    assert lines[0] == "probability_setosa,probability_versicolor,probability_virginica,label"
    P = np.array([[float(v) for v in line.split(",")[:3]] for line in lines[1:]])
    np.testing.assert_allclose(P, expected.predict_proba(X), atol=1e-6)
    assert [line.split(",")[3] for line in lines[1:]] == expected.predict(X).tolist()
    # Integer labels stay squared error unless asked for: --loss multinomial.
    numbered = write_csv(tmp_path / "numbered.csv", header, [*X.T.tolist(), target.tolist()])
    out = run("fit", str(numbered), "--target", "species", "--loss", "multinomial", "--C", "1", "--tol", "1e-12")
    assert out.returncode == 0 and "multinomial log loss, 3 classes" in out.stdout, out.stderr
