"""The data dictionary (experiments/columns.py) against files the commands really write.

Every command runs once, small; each file's columns must all be declared, and every declared
column that applies to that run must be written. results/README.md must carry the generated
dictionary. Runs of 12 months (with the Strange Situation) and of 1 month (without) show that
the conditional ``ssp_*`` columns come and go as declared.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bonding.experiments import columns as C
from bonding.experiments.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALWAYS = ""


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def _problems(folder: Path, command: str, conditions: set[str]) -> tuple[list[str], list[str]]:
    """(problems, files checked) for every table file of ``command`` found in ``folder``."""
    problems, files = [], []
    for t in C.TABLES:
        if command not in t.commands:
            continue
        for name in (t.file, *t.also):
            paths = sorted(folder.glob(name.replace("<chunk>", "*")))
            for path in paths[:1]:
                files.append(name)
                problems += C.check(t, _read(path).columns, lambda when: when in conditions)
    return problems, files


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("columns")


@pytest.fixture(scope="module")
def run12(out):
    d = out / "run12"
    assert main(["run", "baseline", "--households", "20", "--months", "12", "--seed", "1", "--out", str(d),
                 "--quiet"]) == 0
    return d


def test_run_of_12_months_writes_exactly_the_declared_columns(run12):
    problems, files = _problems(run12, "run", {ALWAYS, "months >= 12"})
    assert files == ["outcomes.parquet", "timeseries.parquet"]
    assert not problems, problems
    assert len(pd.read_parquet(run12 / "outcomes.parquet").columns) == 61


def test_run_of_1_month_writes_no_strange_situation_columns(out):
    d = out / "run1"
    assert main(["run", "baseline", "--households", "20", "--months", "1", "--seed", "1", "--out", str(d),
                 "--quiet"]) == 0
    problems, _ = _problems(d, "run", {ALWAYS})
    assert not problems, problems
    cols = pd.read_parquet(d / "outcomes.parquet").columns
    assert not [c for c in cols if c.startswith("ssp_")]


def test_every_series_written_is_declared_with_a_unit_and_every_declared_series_is_written(run12):
    ts = pd.read_parquet(run12 / "timeseries.parquet")
    assert set(ts["variable"]) == {s.name for s in C.SERIES}
    assert all(s.unit for s in C.SERIES)


def test_compare_writes_exactly_the_declared_columns(out):
    d = out / "compare"
    assert main(["compare", "baseline", "high_risk", "--replicates", "2", "--households", "10", "--months", "1",
                 "--seed", "1", "--workers", "1", "--out", str(d), "--quiet"]) == 0
    problems, files = _problems(d, "compare", {ALWAYS})
    assert set(files) == {"runs.parquet", "timeseries.parquet", "chunks/<chunk>.timeseries.parquet",
                          "comparison.csv"}
    assert not problems, problems


def test_study_and_power_write_exactly_the_declared_columns(out):
    s, p = out / "study", out / "power"
    assert main(["study", "PH5", "--replicates", "2", "--seed", "1", "--out", str(s)]) == 0
    assert main(["power", "PH5", "--n", "30", "--replicates", "2", "--seed", "1", "--out", str(p)]) == 0
    problems, files = _problems(s, "study", {ALWAYS})
    assert len(files) == 4 and not problems, problems
    problems, files = _problems(p, "power", {ALWAYS, "studies with a single test"})
    assert len(files) == 2 and not problems, problems


def test_validate_writes_exactly_the_declared_columns(out):
    d = out / "validate"
    assert main(["validate", "--replicates", "2", "--seed", "3", "--studies", "PH5", "--households", "8",
                 "--quiet", "--out", str(d)]) == 0
    problems, files = _problems(d, "validate", {ALWAYS})
    assert files == ["validation.parquet", "validation.csv"] and not problems, problems


def test_sensitivity_morris_writes_exactly_the_declared_columns(out):
    d = out / "sensitivity"
    assert main(["sensitivity", "--method", "morris", "--n", "2", "--params",
                 "testosterone_fatherhood_drop,grief_recovery_days", "--households-per-point", "6", "--months", "1",
                 "--seed", "3", "--chunk-points", "8", "--noise-replicates", "3", "--resamples", "50", "--quiet",
                 "--out", str(d)]) == 0
    problems, files = _problems(d, "sensitivity", {ALWAYS, "--method morris"})
    assert set(files) == {"design.parquet", "outputs.parquet", "noise.parquet", "indices.parquet", "indices.csv"}
    assert not problems, problems


def test_sobol_index_columns_are_declared():
    """The Sobol' branch (too slow to run through the CLI here) on a closed form: the columns of
    ``analyze_outputs`` plus the noise columns the CLI merges in (calibration/sensitivity/cli.py)."""
    from bonding.calibration.sensitivity.analysis import analyze_outputs
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": 2, "names": ["a", "dummy"], "bounds": [[0, 1]] * 2}
    X = sobol_sample.sample(problem, 64, calc_second_order=True, seed=1)
    y = X[:, 0] ** 2 + np.random.default_rng(0).normal(0, 0.01, len(X))
    design = pd.DataFrame({"bond.mother": y})
    noise = pd.DataFrame({"bond.mother": np.random.default_rng(1).normal(0, 0.01, 10)})
    config = {"method": "sobol", "problem": problem, "second_order": True}
    indices, second, _, _ = analyze_outputs(config, X, design, noise, ["bond.mother"], 20, 0.95, 1)
    cols = [*indices.columns, "noise_sd", "output_sd", "noise_share", "floor"]
    assert not C.check(C.table("sensitivity", "indices.parquet"), cols, lambda w: w in ("", "--method sobol"))
    assert not C.check(C.table("sensitivity", "second_order.csv"), second.columns)


def test_calibrate_writes_exactly_the_declared_columns(out):
    pytest.importorskip("pyabc")
    d = out / "calibrate"
    assert main(["calibrate", "--population", "2", "--households", "10", "--ppc-draws", "1", "--seed", "4",
                 "--generations", "1", "--quiet", "--out", str(d)]) == 0
    problems, files = _problems(d, "calibrate", {ALWAYS})
    assert set(files) == {"posterior.parquet", "posterior_summary.csv", "predictive.parquet", "fit.parquet"}
    assert not problems, problems


# ------------------------------------------------------------------ the declaration itself
def test_check_finds_undeclared_missing_and_conditional_columns():
    t = C.OUTCOMES
    names = [c.name for c in t.columns if not c.when]
    assert not C.check(t, names)
    assert "column 'mystery' is written but not declared" in " ".join(C.check(t, [*names, "mystery"]))
    assert "declared column 'bond' is not written" in " ".join(C.check(t, [n for n in names if n != "bond"]))
    assert "should not be" in " ".join(C.check(t, [*names, "ssp_attachment"]))


def test_patterns_match_their_sets_only():
    t = C.RUNS
    assert C.declared(t, "bond.mother").name == "<summarised>.<role>"
    assert C.declared(t, "bond.mother.sd").name == "<summarised>.<role>.sd"
    assert C.declared(t, "attachment_D.father").name == "attachment_<class>.<role>"
    assert C.declared(t, "bond.uncle") is None and C.declared(t, "attachment_E.mother") is None


def test_every_declared_column_has_a_meaning_and_names_are_unique():
    for t in C.TABLES:
        names = [c.name for c in t.columns]
        assert len(names) == len(set(names)), t.file
        assert all(c.meaning for c in t.columns), t.file


def test_units_travel_as_parquet_field_metadata(tmp_path):
    import pyarrow.parquet as pq

    df = pd.DataFrame({"scenario": ["x"], "household": [0], "role": ["mother"], "bond": [0.5]})
    buf = io.BytesIO()
    pq.write_table(C.with_units(df, C.OUTCOMES), buf)
    schema = pq.read_schema(io.BytesIO(buf.getvalue()))
    assert schema.field("bond").metadata[b"unit"] == b"0-1"
    assert pd.read_parquet(io.BytesIO(buf.getvalue())).equals(df)


def test_results_readme_carries_the_generated_dictionary():
    text = (ROOT / "results" / "README.md").read_text()
    assert C.render(text) == text, "run: python -m bonding.experiments.columns"
    for t in C.TABLES:
        assert f"`{t.file}`" in text
