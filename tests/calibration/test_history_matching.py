"""History matching, ABC in the NROY box and the calibrated parameter set, on an analytic stand-in.

The stand-in (calibration/standin.py) is linear in four real parameters with known truth; the
fourth (motivation_gain) moves no output, so it must keep its whole range and its prior.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from bonding.calibration.calibrated import (
    choose_point,
    load_calibrated,
    parameter_set,
    with_parameter_set,
    write_calibrated,
)
from bonding.calibration.history_matching import (
    Emulator,
    Settings,
    Space,
    completed_waves,
    emulator_diagnostics,
    load_waves,
    nroy_box,
    nroy_mask,
    run_history_matching,
)
from bonding.calibration.nroy_abc import run_nroy_abc
from bonding.calibration.standin import LinearStandIn
from bonding.calibration.study_targets import parse_targets
from bonding.model.params import PARAMS, ParameterError

NAMES = ("sensitivity_trait_sd", "iwm_distress_weight", "base_sensitivity", "motivation_gain")
SPACE = Space(NAMES, [PARAMS[n].lo for n in NAMES], [PARAMS[n].hi for n in NAMES])
TRUTH = {"sensitivity_trait_sd": 0.6, "iwm_distress_weight": 3.0, "base_sensitivity": 0.5, "motivation_gain": 2.5}
STANDIN = LinearStandIn({
    "y1": (0.0, {"sensitivity_trait_sd": 0.5}, 0.01),
    "y2": (0.0, {"iwm_distress_weight": 0.1, "base_sensitivity": -0.1}, 0.01),
    "y3": (0.0, {"base_sensitivity": 0.2}, 0.01),
    "y4": (-0.2, {"sensitivity_trait_sd": 1.0}, 0.01),
})
MEAN = STANDIN.mean(TRUTH)  # y1 .3, y2 .25, y3 .1, y4 .4
TARGETS = parse_targets({
    "meta": {"chosen_on": "2026-12-07", "chosen_at_commit": "9684daa"},
    "targets": {
        "Y1": {"study": "y1", "source": "x", "role": "fit", "kind": "value", "value": MEAN["y1"], "se": 0.02,
               "scale": "identity", "confidence": "H"},
        "Y2": {"study": "y2", "source": "x", "role": "fit", "kind": "value", "value": MEAN["y2"], "se": 0.02,
               "scale": "identity", "confidence": "H"},
        "Y3": {"study": "y3", "source": "x", "role": "fit", "kind": "value", "value": MEAN["y3"], "se": 0.02,
               "scale": "identity", "confidence": "H"},
        "Y4": {"study": "y4", "source": "x", "role": "fit", "kind": "at_least", "value": 0.0, "tolerance": 0.02,
               "scale": "identity", "confidence": "M"},
        "Y5": {"study": "y5", "source": "x", "role": "check", "kind": "value", "value": 1.0, "se": 0.02,
               "scale": "identity", "confidence": "M"}}}, studies=("y1", "y2", "y3", "y4", "y5")).targets
SETTINGS = Settings(wave_size=60, max_waves=3, candidates=4000, nth=1, chunk=20)
LOG = {"log": lambda *a: None}
TRUTH_U = SPACE.to_unit(np.array([TRUTH[n] for n in NAMES]))[None]


@pytest.fixture(scope="module")
def hm(tmp_path_factory):
    out = tmp_path_factory.mktemp("hm") / "ref"
    manifest = run_history_matching(TARGETS, SPACE, STANDIN, out, seed=3, settings=SETTINGS, **LOG)
    return out, manifest


def test_history_matching_removes_the_implausible_region_and_keeps_the_truth(hm):
    out, manifest = hm
    summaries = completed_waves(out)
    assert len(summaries) >= 2
    fit = [t for t in TARGETS if t.role == "fit"]
    waves = load_waves(out, len(summaries))
    for w in range(1, len(waves) + 1):  # the truth is never ruled out
        assert nroy_mask(waves[:w], fit, TRUTH_U, 3.0, 1)[0]
    # y1 = 0.5 x sensitivity_trait_sd = .3 +- .02: sensitivity_trait_sd >= 1.2 is implausible
    far = np.random.default_rng(0).uniform(0, 1, (2000, 4))
    far[:, 0] = 0.6 + 0.4 * far[:, 0]
    assert not nroy_mask(waves, fit, far, 3.0, 1).any()
    assert summaries[0]["nroy_fraction"] < 0.1
    kept = pd.read_parquet(out / f"wave_{len(summaries)}" / "nroy.parquet").to_numpy()
    assert kept[:, 0].max() < 0.45 and kept[:, 3].min() < 0.1 and kept[:, 3].max() > 0.9  # inert: whole range
    box = nroy_box(out)
    assert box["motivation_gain"][1] - box["motivation_gain"][0] > 0.8 * (PARAMS["motivation_gain"].hi - PARAMS["motivation_gain"].lo)
    assert manifest["status"] == "complete" and manifest["stopped"]


def test_emulator_loo_diagnostics_are_computed_and_sane(hm):
    out, _ = hm
    diag = emulator_diagnostics(out)
    assert set(diag["target"]) == {"Y1", "Y2", "Y3", "Y4"}  # checks are never emulated
    assert (diag["loo_share_within_2"] >= 0.8).all() and diag["used"].all()
    # closed-form LOO against an explicit refit without point 0 (hyperparameters held, no normalisation)
    from sklearn.gaussian_process import GaussianProcessRegressor

    rng = np.random.default_rng(1)
    U = rng.uniform(0, 1, (40, 2))
    y = np.sin(3 * U[:, 0]) + U[:, 1] + rng.normal(0, 0.02, 40)
    em = Emulator("y", U, y, seed=1, max_active=10)
    e = em.loo()
    assert e.shape == (40,) and np.mean(np.abs(e) < 2) >= 0.85
    yn = (y - y.mean()) / y.std()
    gp = GaussianProcessRegressor(em.gp.kernel_, optimizer=None, alpha=1e-10).fit(U[1:], yn[1:])
    m, s = gp.predict(U[:1], return_std=True)
    assert e[0] == pytest.approx((yn[0] - m[0]) / s[0], rel=1e-3)  # s includes the nugget: a new run


def _same(a, b):
    sa, sb = completed_waves(a), completed_waves(b)
    assert [s["nroy_fraction"] for s in sa] == [s["nroy_fraction"] for s in sb]
    last = len(sa)
    pd.testing.assert_frame_equal(pd.read_parquet(a / f"wave_{last}" / "nroy.parquet"),
                                  pd.read_parquet(b / f"wave_{last}" / "nroy.parquet"))


def test_resumed_history_matching_equals_the_uninterrupted_one(hm, tmp_path):
    ref, _ = hm
    out = tmp_path / "resumed"
    run_history_matching(TARGETS, SPACE, STANDIN, out, seed=3, settings=Settings(**{**SETTINGS.__dict__, "max_waves": 1}), **LOG)
    assert len(completed_waves(out)) == 1
    run_history_matching(TARGETS, SPACE, STANDIN, out, seed=3, settings=SETTINGS, **LOG)
    _same(ref, out)
    # a kill in wave 2: its summary, emulators, NROY sample and one chunk of runs lost
    for name in ("summary.json", "emulators.pkl", "nroy.parquet", "runs_0001.parquet"):
        (out / "wave_2" / name).unlink()
    shutil.rmtree(out / "wave_3", ignore_errors=True)
    run_history_matching(TARGETS, SPACE, STANDIN, out, seed=3, settings=SETTINGS, **LOG)
    _same(ref, out)


def test_same_seed_same_waves_with_two_workers_and_another_seed_differs(hm, tmp_path):
    ref, _ = hm
    two = Settings(**{**SETTINGS.__dict__, "max_waves": 1})
    run_history_matching(TARGETS, SPACE, STANDIN, tmp_path / "w2", seed=3, settings=two, workers=2, **LOG)
    pd.testing.assert_frame_equal(pd.read_parquet(ref / "wave_1" / "nroy.parquet"),
                                  pd.read_parquet(tmp_path / "w2" / "wave_1" / "nroy.parquet"))
    with pytest.raises(ParameterError, match="another seed"):
        run_history_matching(TARGETS, SPACE, STANDIN, tmp_path / "w2", seed=4, settings=two, **LOG)


@pytest.fixture(scope="module")
def abc(hm, tmp_path_factory):
    out = tmp_path_factory.mktemp("abc") / "abc"
    run_nroy_abc(TARGETS, nroy_box(hm[0]), STANDIN, out, seed=5, population=80, generations=5, **LOG)
    return out


def test_abc_in_the_nroy_box_recovers_the_truth_and_leaves_the_inert_parameter_at_its_prior(abc):
    s = pd.read_csv(abc / "posterior_summary.csv").set_index("parameter")
    for name in ("sensitivity_trait_sd", "iwm_distress_weight", "base_sensitivity"):
        assert s.loc[name, "posterior_q05"] <= TRUTH[name] <= s.loc[name, "posterior_q95"], name
    assert s.loc["sensitivity_trait_sd", "nroy_hi"] < 0.9 * PARAMS["sensitivity_trait_sd"].hi  # prior restricted
    assert s.loc["motivation_gain", "sd_vs_box"] > 0.8  # nothing to learn: stays at its (box) prior
    for name in ("sensitivity_trait_sd", "iwm_distress_weight", "base_sensitivity"):  # identified: narrow
        width = s.loc[name, "posterior_q95"] - s.loc[name, "posterior_q05"]
        assert width < 0.3 * (PARAMS[name].hi - PARAMS[name].lo), name
    man = json.loads((abc / "manifest.json").read_text())
    assert man["status"] == "complete" and man["generations"] == 5


def test_chosen_point_written_and_loaded_only_behind_the_switch(abc, tmp_path, monkeypatch):
    point = choose_point(abc, "posterior-median")
    assert set(point) == set(NAMES)
    assert abs(point["sensitivity_trait_sd"] - TRUTH["sensitivity_trait_sd"]) < 0.1
    path = write_calibrated(tmp_path / "calibrated.toml", point, {"point": "posterior-median"})
    assert load_calibrated(path) == pytest.approx(point)
    monkeypatch.delenv("BONDING_PARAMETER_SET", raising=False)
    assert parameter_set(path=path) == {}  # the literature values stay the default
    assert parameter_set("calibrated", path) == pytest.approx(point)
    monkeypatch.setenv("BONDING_PARAMETER_SET", "calibrated")
    assert parameter_set(path=path) == pytest.approx(point)
    merged = with_parameter_set({"motivation_gain": 1.0}, "calibrated", path)
    assert merged["motivation_gain"] == 1.0 and merged["base_sensitivity"] == pytest.approx(point["base_sensitivity"])
    best = choose_point(abc, "best-particle")
    assert best != point
    with pytest.raises(ParameterError, match="BONDING_PARAMETER_SET"):
        parameter_set("tuned", path)
    path.write_text(path.read_text().replace("motivation_gain = ", "motivation_gain = 99.0 #"))
    with pytest.raises(ParameterError, match="motivation_gain"):
        load_calibrated(path)


def test_command_line_choose_and_bad_input(abc, hm, tmp_path, capsys):
    from bonding.experiments.cli import main

    dest = tmp_path / "c.toml"
    assert main(["calibrate", "--method", "choose", "--from", str(abc), "--write", str(dest), "--quiet"]) == 0
    assert load_calibrated(dest) == pytest.approx(choose_point(abc))
    for argv, field in ((["--method", "abc"], "--from"),
                        (["--method", "choose", "--from", str(tmp_path / "none")], "--from"),
                        (["--method", "choose", "--from", str(hm[0])], "--from"),  # not an ABC folder
                        (["--method", "abc", "--from", str(tmp_path)], "--from"),  # no finished wave
                        (["--method", "history-matching", "--out", str(dest)], "--out"),
                        (["--method", "history-matching", "--cutoff", "-1"], "--cutoff")):
        capsys.readouterr()
        try:
            code = main(["calibrate", *argv])
        except SystemExit as exc:  # argparse's own range errors
            code = exc.code
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and field in err[-1], argv
        assert not (tmp_path / "none").exists()


def test_command_line_pipeline_over_every_free_parameter(tmp_path, monkeypatch, capsys):
    """history-matching -> abc -> choose through the command line, on the shipped targets and all
    free parameters, with the virtual studies replaced by a linear stand-in (two parameters each)."""
    from bonding.calibration import study_simulator as study_simulator
    from bonding.calibration.free_parameters import free_parameters
    from bonding.calibration.study_targets import load_targets
    from bonding.experiments.cli import main

    free = free_parameters()
    spec = {}
    for i, t in enumerate(load_targets().role("fit")):
        centre = 0.5 if t.kind != "value" else t.value
        step = 0.02 if t.scale != "identity" else 0.1 * max(abs(centre), 1.0)
        pars = (free[(3 * i) % len(free)], free[(3 * i + 1) % len(free)])
        slopes = {p: step / (PARAMS[p].hi - PARAMS[p].lo) for p in pars}
        spec[t.study] = (centre - sum(s * PARAMS[p].default for p, s in slopes.items()), slopes, step / 5)
    monkeypatch.setattr(study_simulator, "StudySimulator", lambda studies: LinearStandIn(spec))
    hm_dir, abc_dir, dest = tmp_path / "hm", tmp_path / "abc", tmp_path / "cal.toml"
    assert main(["calibrate", "--method", "history-matching", "--out", str(hm_dir), "--wave-size", "40",
                 "--candidates", "1000", "--waves", "2", "--seed", "2"]) == 0
    log = capsys.readouterr().out
    assert "wave 1: NROY fraction" in log and "stopped" in log
    held = json.loads((hm_dir / "free_parameters.json").read_text())
    assert len(held["free"]) == len(free) >= 30 and held["held"]
    diag = pd.read_csv(hm_dir / "emulator_diagnostics.csv")
    assert set(diag["target"]) == {t.name for t in load_targets().role("fit")}
    assert (diag["active_inputs"] <= 10).all()  # screened from all free parameters
    assert main(["calibrate", "--method", "abc", "--from", str(hm_dir), "--out", str(abc_dir),
                 "--population", "10", "--generations", "1", "--quiet"]) == 0
    assert main(["calibrate", "--method", "choose", "--from", str(abc_dir), "--write", str(dest), "--quiet"]) == 0
    point = load_calibrated(dest)
    assert set(point) == set(free)


def test_an_unmatchable_target_empties_nroy_and_the_abc_refuses_it(tmp_path):
    """y1 = 0.5 x sensitivity_trait_sd lies in [0, 1]; a published 5 +- 0.02 rules out everything."""
    impossible = parse_targets({
        "meta": {"chosen_on": "2026-12-07", "chosen_at_commit": "9684daa"},
        "targets": {"Y1": {"study": "y1", "source": "x", "role": "fit", "kind": "value", "value": 5.0, "se": 0.02,
                           "scale": "identity", "confidence": "H"}}}, studies=("y1",)).targets
    out = tmp_path / "empty"
    small = Settings(wave_size=20, max_waves=3, candidates=500, nth=1, chunk=20)
    manifest = run_history_matching(impossible, SPACE, STANDIN, out, seed=1, settings=small, **LOG)
    assert manifest["stopped"].startswith("empty") and len(manifest["waves"]) == 1
    assert completed_waves(out)[0]["min_simulator_implausibility"]["Y1"] > 3  # no run came close either
    with pytest.raises(ParameterError, match="no non-implausible point"):
        nroy_box(out)


def test_box_around_defaults_is_a_factor_of_the_default_clipped_to_the_bounds(tmp_path, monkeypatch, capsys):
    from bonding.calibration import study_simulator
    from bonding.calibration.history_matching import box_around_defaults
    from bonding.experiments.cli import main

    names = ("maternal_depression_onset_late", "adversity_ot_effect", "ot_central_plasma_coupling",
             "ot_trait_coupling")
    lo, hi = box_around_defaults(names, 2.0)
    d = [PARAMS[n].default for n in names]
    assert (lo[0], hi[0]) == pytest.approx((d[0] / 2, d[0] * 2))  # a rate: both ends inside the bounds
    assert (lo[1], hi[1]) == pytest.approx((d[1] * 2, d[1] / 2))  # a negative default: [2d, d/2]
    assert (lo[2], hi[2]) == pytest.approx((d[2] / 2, PARAMS[names[2]].hi))  # clipped at the upper bound
    assert lo[3] == PARAMS[names[3]].lo == 0.0 and 0 < hi[3] < PARAMS[names[3]].hi  # default 0: a band above it
    wide_lo, wide_hi = box_around_defaults(names, 10.0)
    assert all(a <= b for a, b in zip(wide_lo, lo, strict=True)) and all(a >= b for a, b in zip(wide_hi, hi, strict=True))
    with pytest.raises(ParameterError, match="--box-factor"):
        box_around_defaults(names, 1.0)
    # the command line designs inside the box and records it in the folder's configuration
    monkeypatch.setattr(study_simulator, "StudySimulator", lambda studies: STANDIN)
    out = tmp_path / "hm"
    main(["calibrate", "--method", "history-matching", "--box-factor", "2", "--out", str(out), "--wave-size", "20", "--workers", "1",
          "--candidates", "200", "--waves", "1", "--quiet"])
    config = json.loads((out / "manifest.json").read_text())["config"]["space"]
    i = config["names"].index("maternal_depression_onset_late")
    assert config["lo"][i] == pytest.approx(d[0] / 2) and config["hi"][i] == pytest.approx(d[0] * 2)
    design = pd.read_parquet(out / "wave_1" / "design.parquet")
    assert design["maternal_depression_onset_late"].between(d[0] / 2, d[0] * 2).all()
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", "--method", "history-matching", "--box-factor", "0.5", "--out", str(tmp_path / "x")])
    assert exit_.value.code == 2 and "--box-factor: 0.5 is out of range" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
