"""``bonding validate`` with a targets file: fit and check sections judged on each target's scale
(experiments/lab/fit_check.py), pass fractions against issue 15's goals, loud failure when a
target's study is missing, and the parameter set of ``--calibrated``."""

from __future__ import annotations

import argparse
import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest
from bonding.calibration.study_targets import (
    TARGETS_FILE,
    load_targets,
    parse_target,
    parse_targets,
)
from bonding.experiments.cli import main
from bonding.experiments.lab import fit_check as F
from bonding.experiments.lab import validate as V
from bonding.experiments.lab.studies import Study, load_registry

RAW = tomllib.loads(TARGETS_FILE.read_text())
SMALL_TARGETS = ("PH5", "I10")  # a fitted value target (fisher_z) and a held-back one-sided one
SMALL = ["--replicates", "3", "--seed", "3", "--studies", "PH5", "--households", "0", "--quiet"]


def _targets_file(path, names=SMALL_TARGETS, edit=None):
    """A targets file with the shipped tables ``names`` (``edit(tables)`` may change them)."""
    tables = {n: dict(RAW["targets"][n]) for n in names}
    if edit:
        edit(tables)
    lines = ["[meta]"] + [f"{k} = {json.dumps(v)}" for k, v in RAW["meta"].items()]
    for name, spec in tables.items():
        lines += ["", f"[targets.{name}]"] + [f"{k} = {json.dumps(v)}" for k, v in spec.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _target(**spec):
    base = {"study": "X", "source": "X", "role": "fit", "kind": "value", "value": 0.3, "se": 0.05,
            "scale": "fisher_z", "confidence": "H"}
    merged = {k: v for k, v in {**base, **spec}.items() if v is not None}
    return parse_target("T", merged, "", {"X"})


def _study(value=0.3, n=100, kind="pearson", **pub):
    published = {"value": value, **pub} if value is not None else pub
    return Study("X", {"statistic": {"kind": kind}, "sample": {"n": n}, "published": published})


def _rows(values, n_sig=None):
    n_sig = len(values) if n_sig is None else n_sig
    return [{"value": v, "significant": i < n_sig, "n": 100} for i, v in enumerate(values)]


# ------------------------------------------------------------------ the rule, on made-up replicates
def test_z_is_the_shortfall_on_the_target_scale_over_observation_discrepancy_and_monte_carlo_error():
    t = _target()
    vals = list(np.tanh(np.arctanh(0.3) + 0.1 * np.linspace(-1, 1, 41)))  # median exactly .3 on fisher_z
    row = F.target_row(t, _study(), _rows(vals))
    assert row["sim_median_scale"] == pytest.approx(np.arctanh(0.3))
    assert row["z"] == pytest.approx(0.0, abs=1e-12) and row["passed"]
    shifted = list(np.tanh(np.arctanh(np.array(vals)) + 0.3))
    row = F.target_row(t, _study(), _rows(shifted))
    y = np.arctanh(np.array(shifted))
    mc = y.std(ddof=1) * math.sqrt(math.pi / (2 * len(y)))
    assert row["mc_se_scale"] == pytest.approx(mc)
    assert row["z"] == pytest.approx(0.3 / math.sqrt(t.se ** 2 + t.discrepancy ** 2 + mc ** 2))
    assert not row["passed"] and row["direction"] == "simulated higher" and row["verdict"].startswith("FAIL")
    lower = F.target_row(t, _study(), _rows(list(np.tanh(np.arctanh(np.array(vals)) - 0.3))))
    assert lower["z"] == pytest.approx(-row["z"]) and lower["direction"] == "simulated lower"


def test_the_pass_threshold_is_two_on_the_target_scale():
    t = _target(scale="identity", value=0.0, se=0.1, discrepancy=0.0)
    just_in = F.target_row(t, _study(value=0.0, significant=False), _rows([0.199] * 5))
    just_out = F.target_row(t, _study(value=0.0, significant=False), _rows([0.201] * 5))
    assert just_in["passed"] and not just_out["passed"]  # constant replicates: no Monte Carlo error


def test_a_one_sided_target_passes_when_its_median_meets_the_bound():
    t = _target(kind="at_least", value=0.0, tolerance=0.13, se=None)
    study = _study(value=None, at_least=0.0)
    met = F.target_row(t, study, _rows([-0.05, 0.02, 0.1]))
    assert met["passed"] and met["z"] == 0.0
    missed = F.target_row(t, study, _rows([-0.2, -0.1, 0.05]))
    assert not missed["passed"] and missed["z"] < 0 and missed["direction"] == "simulated lower"


def test_a_significant_published_effect_at_chance_fails_even_when_the_value_fits():
    t = _target()
    vals = list(np.tanh(np.arctanh(0.3) + 0.05 * np.linspace(-1, 1, 40)))
    at_chance = F.target_row(t, _study(value=0.3, n=100), _rows(vals, n_sig=2))
    assert at_chance["significance_claimed"] and at_chance["significance_at_chance"]
    assert abs(at_chance["z"]) <= 2 and not at_chance["passed"] and "at chance" in at_chance["verdict"]
    assert F.target_row(t, _study(value=0.3, n=100), _rows(vals, n_sig=30))["passed"]
    (line,) = F.failure_lines(F.frame([at_chance]))
    assert "significant but P(sig) = 0.05" in line and "at chance" in line
    # a published value that was not significant at its n is judged by z alone
    assert F.target_row(t, _study(value=0.3, n=100, significant=False), _rows(vals, n_sig=0))["passed"]


def test_significance_claimed_follows_the_registry():
    assert V.significance_claimed(_study(value=0.3, n=100))  # r = .3 at n = 100: t = 3.1
    assert not V.significance_claimed(_study(value=0.1, n=50))
    assert V.significance_claimed(_study(value=None, text="significant"))  # significance-only finding
    assert not V.significance_claimed(_study(value=None, at_least=0.5))  # a bound claims no test
    assert not V.significance_claimed(_study(value=0.3, kind="proportion"))


def test_pass_fractions_against_the_goals_and_plain_failure_sentences():
    fit = [_target(value=0.3)] * 10
    rows = [F.target_row(t, _study(significant=False), _rows([0.3] * 3)) for t in fit]
    rows[0] = F.target_row(fit[0], _study(significant=False), _rows([0.6] * 3))
    check = parse_target("C", {"study": "X", "source": "X", "role": "check", "kind": "at_least", "value": 0.0,
                               "tolerance": 0.1, "scale": "identity", "confidence": "M"}, "", {"X"})
    rows += [F.target_row(check, _study(value=None, at_least=0.0), _rows([v] * 3)) for v in (0.1, 0.2, 0.3, -0.4)]
    df = F.frame(rows)
    assert list(df["section"]) == ["fit"] * 10 + ["check"] * 4
    fr = F.pass_fractions(df)
    assert (fr["fit"]["passed"], fr["fit"]["targets"], fr["fit"]["goal_met"]) == (9, 10, True)  # 90%: met
    assert (fr["check"]["passed"], fr["check"]["share"], fr["check"]["goal_met"]) == (3, 0.75, True)
    lines = F.failure_lines(df)
    assert len(lines) == 2
    assert "**T**" in lines[0] and "simulated higher" in lines[0] and "0.6" in lines[0]
    assert "**C**" in lines[1] and "simulated lower" in lines[1] and "≥0" in lines[1]
    md = F.render_markdown(df)
    assert "## `fit` targets (10)" in md and "## `check` targets (4)" in md
    assert "goal at least 90%: **met**" in md and "What the model cannot reproduce" in md


# ------------------------------------------------------------------ through the command line
@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    d = tmp_path_factory.mktemp("vt")
    tfile = _targets_file(d / "t.toml")
    out = d / "v"
    assert main(["validate", *SMALL, "--targets", str(tfile), "--out", str(out)]) == 0
    return out, tfile


def test_validate_with_targets_writes_fit_and_check_from_the_studies_replicates(validated):
    out, tfile = validated
    man = json.loads((out / "manifest.json").read_text())
    assert man["config"]["studies"] == ["PH5", "I10"]  # the targets' studies are added to --studies
    assert man["config"]["targets"]["counts"] == {"fit": 1, "check": 1}
    df = pd.read_parquet(out / "fit_check.parquet")
    assert list(df["target"]) == ["PH5", "I10"] and list(df["section"]) == ["fit", "check"]
    targets = {t.name: t for t in load_targets(tfile).targets}
    for _, r in df.iterrows():
        doc = json.loads((out / "studies" / f"{r['study']}.json").read_text())
        vals = np.array([np.nan if v is None else v for v in doc["values"]], float)
        assert r["replicates"] == 3 and r["sim_median"] == pytest.approx(np.nanmedian(vals))
        t = targets[r["target"]]
        mc = r["mc_se_scale"]
        assert r["z"] == pytest.approx(float(t.shortfall(r["sim_median_scale"]))
                                       / math.sqrt(t.se ** 2 + t.discrepancy ** 2 + mc ** 2))
    assert df.loc[0, "published_uncertainty"] == "SE 0.078"
    md = (out / "fit_check.md").read_text()
    assert "## `fit` targets (1)" in md and "| PH5 | PH5 |" in md and "| I10 | I10 |" in md
    assert pd.read_csv(out / "fit_check.csv").shape == df.shape
    import pyarrow.parquet as pq

    assert pq.read_schema(out / "fit_check.parquet").field("z").metadata[b"unit"] == b"SDs"
    from bonding.experiments import columns as C

    for name in ("fit_check.parquet", "fit_check.csv"):  # every column declared, every declared one written
        assert not C.check(C.table("validate", name), pd.read_parquet(out / name).columns if name.endswith("parquet")
                           else pd.read_csv(out / name).columns)


def test_a_target_whose_study_is_missing_stops_validate_with_one_line_and_nothing_written(tmp_path, capsys):
    tfile = _targets_file(tmp_path / "t.toml", edit=lambda t: t["I10"].update(study="I10_gone"))
    out = tmp_path / "v"
    assert main(["validate", *SMALL, "--targets", str(tfile), "--out", str(out)]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "targets.I10.study" in err[0] and "I10_gone" in err[0] and "registry" in err[0]
    assert not out.exists()
    # and when the registry itself loses a study the shipped file names
    reg = [s for s in load_registry() if s != "PH5"]
    with pytest.raises(V.ParameterError, match="targets.PH5.study"):
        parse_targets(RAW, studies=reg)


def test_a_folder_without_the_targets_study_result_is_one_line(validated, tmp_path):
    out, tfile = validated
    man = json.loads((out / "manifest.json").read_text())
    more = load_targets(_targets_file(tmp_path / "t2.toml", names=("PH5", "A7")))
    with pytest.raises(V.ParameterError, match="target A7: study A7 has no finished result"):
        V.target_table(out, man["config"], more)


def test_the_shipped_targets_are_judged_by_default_only_when_every_study_runs():
    ns = argparse.Namespace(targets=None, studies=None)
    assert V.targets_option(ns).path == str(TARGETS_FILE.resolve())
    assert V.targets_option(argparse.Namespace(targets=None, studies=["PH5"])) is None


def test_calibrated_parameter_set_is_used_and_set_wins(tmp_path, capsys):
    from bonding.calibration.calibrated import write_calibrated

    path = write_calibrated(tmp_path / "cal.toml", {"ot_tone_sd": 0.6, "motivation_gain": 2.0}, {"point": "test"})
    sets = V.calibrated_sets(argparse.Namespace(calibrated=str(path)), {"ot_tone_sd": 0.5})
    assert sets == {"ot_tone_sd": 0.5, "motivation_gain": 2.0}
    assert V.calibrated_sets(argparse.Namespace(calibrated=None), {"a": 1.0}) == {"a": 1.0}
    out = tmp_path / "v"
    assert main(["validate", *SMALL, "--calibrated", str(tmp_path / "nope.toml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--calibrated" in err and not out.exists()
