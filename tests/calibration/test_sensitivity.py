"""``bonding sensitivity``: SALib analysis on closed forms, noise floors, the CLI end to end
(Morris and Sobol'), resume, 1 vs 2 workers, config refusal, bad flags, and a science check."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bonding.calibration.sensitivity import analyze_morris, analyze_sobol
from bonding.calibration.sensitivity import evaluate as ev
from bonding.calibration.sensitivity.analysis import morris_delta, noise_table
from bonding.experiments.cli import main
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# analytic Ishigami indices (a=7, b=0.1; SALib.test_functions.Ishigami, Saltelli et al. 2008)
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]

# a driver with a direct path to its output and a parameter with none in the baseline:
# testosterone_change.father = T / set-point - 1 relaxes to -(testosterone_fatherhood_drop x
# transition) x care factor (model/physiology.py::testosterone_target, model/daily.py), while
# grief_recovery_days acts only after a caregiver is lost, which never happens in the baseline.
DRIVER, INERT = "testosterone_fatherhood_drop", "grief_recovery_days"
T_OUT = "testosterone_change.father"
TINY = ["--params", f"{DRIVER},{INERT}", "--households-per-point", "12", "--months", "1",
        "--seed", "3", "--chunk-points", "8", "--noise-replicates", "6", "--resamples", "200",
        "--outputs", f"{T_OUT},bond.mother", "--quiet"]


def _morris(out: Path, *extra: str) -> int:
    return main(["sensitivity", "--method", "morris", "--n", "6", *TINY, "--out", str(out), *extra])


# ------------------------------------------------------------------ analysis on closed forms
def test_sobol_wrapper_recovers_the_analytic_ishigami_indices():
    X = sobol_sample.sample(ISHIGAMI, 1024, calc_second_order=False, seed=11)
    table, pairs = analyze_sobol(ISHIGAMI, Ishigami.evaluate(X), second_order=False, resamples=200,
                                 conf_level=0.95, seed=5)
    assert pairs is None
    assert np.allclose(table["S1"], ISHIGAMI_S1, atol=0.05)
    assert np.allclose(table["ST"], ISHIGAMI_ST, atol=0.05)
    assert (table["ST_conf"] > 0).all() and (table["ST_conf"] < 0.1).all()


def test_noise_floors_match_what_pure_noise_gives():
    """The floors of ``noise_table`` are what SALib's estimators give for independent noise."""
    rng = np.random.default_rng(0)
    s = 0.3
    # Morris: an output of pure noise -> every mu* is 2 s / (sqrt(pi) Delta)
    prob = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1]] * 2}
    X = morris_sample.sample(prob, 400, num_levels=4, seed=2)
    table = analyze_morris(prob, X, rng.normal(0, s, len(X)), levels=4, resamples=100, conf_level=0.95, seed=3)
    floor = noise_table(pd.DataFrame({"y": [0.0, 1.0]}), pd.DataFrame({"y": rng.normal(0, s, 20000)}),
                        ["y"], "morris", 4)["floor"].iloc[0]
    assert floor == pytest.approx(2 * s / (np.sqrt(np.pi) * morris_delta(4)), rel=0.03)
    assert np.allclose(table["mu_star"], floor, rtol=0.15)
    # Sobol': y = a + noise with var(noise) = var(a) -> ST(b) ~ noise share 1/2, ST(a) ~ 1
    X = sobol_sample.sample(prob, 2048, calc_second_order=False, seed=4)
    y = X[:, 0] + rng.normal(0, np.sqrt(1 / 12), len(X))
    table, _ = analyze_sobol(prob, y, second_order=False, resamples=100, conf_level=0.95, seed=5)
    share = noise_table(pd.DataFrame({"y": y}), pd.DataFrame({"y": rng.normal(0, np.sqrt(1 / 12), 20000)}),
                        ["y"], "sobol", None)["floor"].iloc[0]
    assert share == pytest.approx(0.5, abs=0.03)
    assert table["ST"].iloc[1] == pytest.approx(share, abs=0.08)
    assert table["ST"].iloc[0] == pytest.approx(1.0, abs=0.08)


def test_point_outputs_are_cohort_means_by_point():
    outcomes = pd.DataFrame({
        "household": [0, 0, 1, 2, 3, 3], "role": ["mother", "father", "mother", "mother", "mother", "father"],
        "bond": [0.2, 0.5, 0.4, 0.9, 0.7, 0.1], "caregiver_depressed": [True, False, False, False, True, False],
        "care_hours": [10.0] * 6,
    })
    for col in ("sensitivity", "synchrony", "share_sensitive", "ot_plasma_mean", "ot_central_tone",
                "cortisol_mean", "fatigue", "iwm_expected_responsiveness", "testosterone_change",
                "prolactin_base", "infant_cortisol_final"):
        outcomes[col] = 1.0
    got = ev.point_outputs(outcomes, n_points=2, households_per_point=2, months=1)
    assert got["bond.mother"].tolist() == pytest.approx([0.3, 0.8])
    assert got["bond.father"].tolist() == pytest.approx([0.5, 0.1])
    assert got["depressed.mother"].tolist() == pytest.approx([0.5, 0.5])
    assert np.isnan(got["bond.grandparent"]).all()


# ------------------------------------------------------------------ the command end to end
@pytest.fixture(scope="module")
def morris_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("gsa") / "morris"
    assert _morris(out) == 0
    return out


def test_morris_run_writes_every_file(morris_run):
    out = morris_run
    for name in ("manifest.json", "design.parquet", "outputs.parquet", "noise.parquet", "indices.parquet",
                 "indices.csv", "sensitivity.md", f"figures/{T_OUT}.png", "figures/bond.mother.png"):
        assert (out / name).stat().st_size > 0, name
    design = pd.read_parquet(out / "design.parquet")
    outputs = pd.read_parquet(out / "outputs.parquet")
    assert len(design) == len(outputs) == 6 * 4  # r (k + 1) with the dummy: k = 3
    assert outputs["point"].tolist() == list(range(24))
    assert len(pd.read_parquet(out / "noise.parquet")) == 6
    idx = pd.read_csv(out / "indices.csv")
    assert {"mu_star", "mu_star_conf", "mu", "sigma", "rank", "noise_sd", "floor", "distinguishable"} <= set(idx.columns)
    assert set(idx["output"]) == {T_OUT, "bond.mother"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["kind"] == "sensitivity"
    assert manifest["config"]["seeds"] and manifest["versions"]["SALib"] and manifest["git_commit"]
    assert manifest["analysis"]["outputs"] == [T_OUT, "bond.mother"]
    assert "last_wall_seconds" in manifest
    md = (out / "sensitivity.md").read_text()
    assert f"| 1 | {DRIVER} |" in md and "## Noise" in md


def test_science_driver_ranks_first_and_inert_parameter_sits_at_the_noise_floor(morris_run):
    """testosterone_fatherhood_drop sets fathers' testosterone change; grief_recovery_days has
    no path to it in the baseline. The screen must say so, and call the inert one noise."""
    idx = pd.read_csv(morris_run / "indices.csv")
    t = idx[idx["output"] == T_OUT].set_index("parameter")
    assert t.loc[DRIVER, "rank"] == 1
    assert t.loc[DRIVER, "mu_star"] > 10 * t.loc[INERT, "mu_star"]
    # direct path: the whole range (0-0.5) of the drop, times the transition reached at 1 month
    # (0.74, model/daily.py) is a change of about 0.37 in the output
    assert 0.2 < t.loc[DRIVER, "mu_star"] < 0.5 and t.loc[DRIVER, "mu"] < 0
    assert bool(t.loc[DRIVER, "distinguishable"]) and not bool(t.loc[INERT, "distinguishable"])
    floor = t.loc[DRIVER, "floor"]
    assert t.loc[INERT, "mu_star"] < 3 * floor and t.loc["dummy", "mu_star"] < 3 * floor


def test_resume_recomputes_only_the_missing_chunk(morris_run, tmp_path):
    out = tmp_path / "copy"
    import shutil

    shutil.copytree(morris_run, out)
    before = pd.read_csv(out / "indices.csv")
    victim = ev.chunk_path(out, 1)
    keep = ev.chunk_path(out, 0)
    stamp = keep.stat().st_mtime_ns
    victim.unlink()
    assert _morris(out) == 0
    assert victim.exists() and keep.stat().st_mtime_ns == stamp
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["last_chunks_run"] == 1
    assert [x["chunks_run"] for x in manifest["sessions"]] == [1 + 3, 1]  # noise + 3 chunks of 8, then the 1 deleted
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"), before)


def test_sobol_run_with_two_workers_matches_one_worker(tmp_path):
    args = ["sensitivity", "--method", "sobol", "--n", "32", "--second-order", *TINY, "--chunk-points", "64"]
    assert main([*args, "--out", str(tmp_path / "w1"), "--workers", "1"]) == 0
    assert main([*args, "--out", str(tmp_path / "w2"), "--workers", "2"]) == 0
    for name in ("outputs.parquet", "noise.parquet", "indices.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "w1" / name), pd.read_parquet(tmp_path / "w2" / name))
    assert (tmp_path / "w1" / "sensitivity.md").read_text() == (tmp_path / "w2" / "sensitivity.md").read_text()
    idx = pd.read_csv(tmp_path / "w1" / "indices.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(idx.columns)
    assert len(pd.read_parquet(tmp_path / "w1" / "design.parquet")) == 32 * (2 * 3 + 2)
    s2 = pd.read_csv(tmp_path / "w1" / "second_order.csv")
    assert len(s2) == 2 * 3  # 3 pairs of 3 factors, 2 outputs
    t = idx[idx["output"] == T_OUT].set_index("parameter")
    assert t.loc[DRIVER, "rank"] == 1 and bool(t.loc[DRIVER, "distinguishable"])
    assert t.loc[DRIVER, "ST"] > 0.8 and t.loc[DRIVER, "ST"] > 10 * t.loc[INERT, "ST"]


# ------------------------------------------------------------------ refusals
def _exit_2_one_line(argv, capsys) -> str:
    """Run ``main(argv)`` expecting exit status 2 and exactly one line on stderr; return it."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and err[0].startswith("bonding: error:"), (code, err)
    return err[0]


def test_different_configuration_in_the_same_folder_is_refused(morris_run, capsys):
    stamp = (morris_run / "manifest.json").read_text()
    line = _exit_2_one_line(["sensitivity", "--method", "morris", "--n", "6", *TINY, "--out", str(morris_run),
                             "--seed", "4"], capsys)
    assert "holds a different analysis (--seed was 3, now 4)" in line
    assert (morris_run / "manifest.json").read_text() == stamp


@pytest.mark.parametrize("flags, field", [
    (["--method", "morris", "--params", "no_such_parameter"], "no_such_parameter: unknown parameter"),
    (["--method", "sobol", "--params", DRIVER, "--n", "2"], "--n: 2 is out of range for --method sobol"),
    (["--method", "morris", "--params", DRIVER, "--n", "1"], "--n: 1 is out of range for --method morris"),
    (["--method", "sobol", "--params", DRIVER, "--n", "0"], "--n: 0 is out of range"),
    (["--method", "bogus", "--params", DRIVER], "argument --method: invalid choice"),
    (["--method", "morris", "--params", DRIVER, "--levels", "5"], "--levels: 5 is not allowed"),
    (["--method", "morris", "--params", DRIVER, "--months", "6", "--outputs", "attachment_D.mother"],
     "--outputs: attachment_D.mother needs the Strange Situation"),
    (["--method", "morris", "--params", DRIVER, "--outputs", "nonsense"], "--outputs: 'nonsense' is not an output"),
    (["--method", "morris", "--group", "no_group"], "group: 'no_group' has no parameters"),
    (["--method", "morris"], "--params/--group"),
    (["--method", "morris", "--params", DRIVER, "--group", "oxytocin"], "not allowed with argument"),
])
def test_bad_flags_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, flags, field):
    out = tmp_path / "never"
    assert field in _exit_2_one_line(["sensitivity", *flags, "--out", str(out), "--quiet"], capsys)
    assert not out.exists()


# ------------------------------------------------------------------ Dask
def test_dask_cluster_gives_the_local_result(morris_run, tmp_path, dask_cluster):
    """A scheduler and one worker on the loopback address: same files as the local run."""
    with dask_cluster(workers=1) as address:
        out = tmp_path / "dask"
        assert _morris(out, "--scheduler", address) == 0
    for name in ("outputs.parquet", "noise.parquet", "indices.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(morris_run / name))
