"""``bonding calibrate`` (ABC-SMC with pyabc): identifiability, seeds, workers, resume, bad input.

The ABC machinery is checked with a closed-form stand-in (calibration/standin.py, milliseconds per
particle) whose true parameters are known; one small run of the real cohort simulator checks the
pipeline end to end through the command line, its outputs and its resume.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bonding.calibration.abc import ZDistance, particle_seed, stored_generations
from bonding.calibration.cli import calibrate
from bonding.calibration.cohort import CohortSimulator
from bonding.calibration.standin import LinearStandIn
from bonding.calibration.targets import load_problem, parse_problem
from bonding.experiments.cli import main
from bonding.model.params import PARAMS, ParameterError

FREE = ["sensitivity_trait_sd", "testosterone_fatherhood_drop", "bid_directedness"]
TRUTH = {"sensitivity_trait_sd": 1.5, "testosterone_fatherhood_drop": 0.35, "bid_directedness": 0.5}
# bid_directedness moves no summary: it must stay unidentified (a check that can fail both ways)
STANDIN = LinearStandIn({
    "share_mother_A": (0.1, {"sensitivity_trait_sd": 0.1}, 0.01),
    "r_latent_mother": (0.1, {"sensitivity_trait_sd": 0.15, "testosterone_fatherhood_drop": 0.2}, 0.02),
    "t_change_father": (0.0, {"testosterone_fatherhood_drop": -100.0}, 1.0),
})
RUN = {"seed": 7, "population": 30, "generations": 6, "ppc_draws": 3, "figure": False, "log": lambda *a: None}
FAST = {**RUN, "population": 12, "generations": 3, "ppc_draws": 2}  # for the seed, worker and resume checks


def synthetic_problem(published: dict | None = None):
    """Targets simulated by the stand-in at TRUTH (one draw, seed 99)."""
    obs = published or STANDIN(TRUTH, seed=99)
    return parse_problem({
        "parameters": {"free": FREE},
        "targets": {
            "A": {"source": "A2", "published": obs["share_mother_A"], "n": 400, "confidence": "H",
                  "statistic": "ssp_share", "role": "mother", "class": "A"},
            "R": {"source": "A6", "published": obs["r_latent_mother"], "n": 400, "confidence": "M",
                  "statistic": "sensitivity_security_r_latent", "role": "mother"},
            "T": {"source": "P1", "published": obs["t_change_father"], "se": 1.5, "confidence": "H",
                  "statistic": "testosterone_median_pct_change", "role": "father"}}})


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("abc") / "ref"
    manifest = calibrate(synthetic_problem(), STANDIN, out, **RUN)
    return out, manifest


@pytest.fixture(scope="module")
def fast(tmp_path_factory):
    out = tmp_path_factory.mktemp("abc") / "fast"
    calibrate(synthetic_problem(), STANDIN, out, **FAST)
    return out


def _same_results(a: Path, b: Path) -> None:
    for name in ("posterior.parquet", "fit.parquet", "predictive.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name))
    ga = json.loads((a / "manifest.json").read_text())["generations"]
    gb = json.loads((b / "manifest.json").read_text())["generations"]
    assert [(g["t"], g["epsilon"], g["samples"]) for g in ga] == [(g["t"], g["epsilon"], g["samples"]) for g in gb]


# ------------------------------------------------------------------ the machinery
def test_distance_scales_each_target_by_published_and_simulated_error():
    prob = synthetic_problem({"share_mother_A": 0.2, "r_latent_mother": 0.3, "t_change_father": -30.0})
    d = ZDistance(prob)
    x = {"share_mother_A": 0.25, "share_mother_A__se": 0.02, "r_latent_mother": 0.3, "r_latent_mother__se": 0.05,
         "t_change_father": -27.0, "t_change_father__se": 2.0}
    se_a = math.sqrt(0.2 * 0.8 / 400)
    z = d.z_scores(x)
    assert z["share_mother_A"] == pytest.approx(0.05 / math.hypot(se_a, 0.02))
    assert z["t_change_father"] == pytest.approx(3.0 / math.hypot(1.5, 2.0))
    expected = math.sqrt((1 * z["share_mother_A"] ** 2 + 0.5 * 0 + 1 * z["t_change_father"] ** 2) / 2.5)
    assert d(x) == pytest.approx(expected)
    assert d({**x, "r_latent_mother": float("nan")}) > 40  # an undefined statistic: z = 100


def test_particle_seed_is_a_function_of_root_and_exact_values():
    p = {"a": 0.1, "b": 2.0}
    assert particle_seed(1, p) == particle_seed(1, dict(reversed(list(p.items()))))
    assert particle_seed(1, p) != particle_seed(2, p)
    assert particle_seed(1, p) != particle_seed(1, {"a": np.nextafter(0.1, 1), "b": 2.0})


def test_posterior_moves_to_the_known_truth_and_not_for_an_inert_parameter(reference):
    out, _ = reference
    s = pd.read_csv(out / "posterior_summary.csv").set_index("parameter")
    for name in ("sensitivity_trait_sd", "testosterone_fatherhood_drop"):
        r = s.loc[name]
        truth, prior_mid = TRUTH[name], (PARAMS[name].lo + PARAMS[name].hi) / 2
        assert abs(r["posterior_median"] - truth) < 0.5 * abs(prior_mid - truth), name
        assert r["posterior_q05"] <= truth <= r["posterior_q95"], name
        assert r["ci90_width_vs_prior"] < 0.6, name
    assert s.loc["testosterone_fatherhood_drop", "ci90_width_vs_prior"] < 0.3
    assert s.loc["bid_directedness", "ci90_width_vs_prior"] > 0.6  # nothing to learn from
    fit = pd.read_parquet(out / "fit.parquet").set_index("target")
    assert (fit.loc[["A", "R", "T"], "verdict_posterior"] == "ok").all()
    assert fit.loc["T", "verdict_default"].startswith("MISFIT")  # drop 0.18 -> -18% vs -35%


def test_same_seed_same_posterior_and_no_global_state_leaks(fast, tmp_path):
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    calibrate(synthetic_problem(), STANDIN, tmp_path / "again", **FAST)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    _same_results(fast, tmp_path / "again")
    calibrate(synthetic_problem(), STANDIN, tmp_path / "other", **{**FAST, "seed": 8})
    assert not pd.read_parquet(fast / "posterior.parquet").equals(pd.read_parquet(tmp_path / "other" / "posterior.parquet"))


def test_two_worker_processes_give_the_identical_posterior(fast, tmp_path):
    calibrate(synthetic_problem(), STANDIN, tmp_path / "w2", **FAST, workers=2)
    _same_results(fast, tmp_path / "w2")


def test_dask_cluster_gives_the_identical_posterior(fast, tmp_path):
    from dask.distributed import LocalCluster

    # a worker process with two threads: the lock around numpy's global generator must keep it exact
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        calibrate(synthetic_problem(), STANDIN, tmp_path / "dask", **FAST, scheduler=cluster.scheduler_address)
    _same_results(fast, tmp_path / "dask")


# ------------------------------------------------------------------ resume
def test_resume_computes_only_the_missing_generations(fast, tmp_path):
    d = tmp_path / "resumed"
    calibrate(synthetic_problem(), STANDIN, d, **{**FAST, "generations": 1})
    assert stored_generations(d) == 1
    m = calibrate(synthetic_problem(), STANDIN, d, **FAST)
    assert [inv["generations_run"] for inv in m["invocations"]] == [[0], [1, 2]]
    _same_results(fast, d)


class _Killed(Exception):
    pass


class KilledStandIn(LinearStandIn):
    """The stand-in, interrupted at its ``kill_at``-th call (as a kill would mid-generation)."""

    def __init__(self, spec, kill_at: int):
        super().__init__(spec)
        self.calls, self.kill_at = 0, kill_at

    def __call__(self, params, seed):
        self.calls += 1
        if self.calls == self.kill_at:
            raise _Killed
        return super().__call__(params, seed)


def test_a_run_killed_mid_generation_resumes_to_the_same_posterior(fast, tmp_path):
    d = tmp_path / "killed"
    with pytest.raises(_Killed):
        calibrate(synthetic_problem(), KilledStandIn(STANDIN.spec, kill_at=FAST["population"] + 5), d, **FAST)
    assert stored_generations(d) == 1  # generation 0 was kept, generation 1 was lost
    assert json.loads((d / "manifest.json").read_text())["status"] == "running"
    calibrate(synthetic_problem(), STANDIN, d, **FAST)
    _same_results(fast, d)


def test_a_folder_with_another_configuration_is_refused(fast, tmp_path):
    d = tmp_path / "copy"
    shutil.copytree(fast, d)
    with pytest.raises(ParameterError, match=r"--population 12, now 20; use another --out"):
        calibrate(synthetic_problem(), STANDIN, d, **{**FAST, "population": 20})
    other = synthetic_problem({"share_mother_A": 0.3, "r_latent_mother": 0.3, "t_change_father": -30.0})
    with pytest.raises(ParameterError, match="another targets problem"):
        calibrate(other, STANDIN, d, **FAST)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_text("x")
    with pytest.raises(ParameterError, match="not a calibration folder"):
        calibrate(synthetic_problem(), STANDIN, tmp_path / "junk", **FAST)


# ------------------------------------------------------------------ the real cohort, end to end
def test_cli_real_cohort_pipeline_outputs_and_resume(tmp_path, capsys):
    out = tmp_path / "real"
    argv = ["calibrate", "--population", "2", "--households", "10", "--ppc-draws", "1", "--seed", "4",
            "--out", str(out), "--quiet"]
    assert main([*argv, "--generations", "1"]) == 0
    assert main([*argv, "--generations", "2"]) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete" and [i["generations_run"] for i in m["invocations"]] == [[0], [1]]
    assert len(m["epsilon_schedule"]) == 2 and math.isinf(m["epsilon_schedule"][0]) and m["epsilon_schedule"][1] > 0
    for name in ("abc.db", "posterior.parquet", "posterior_summary.csv", "posterior_summary.md", "fit.parquet",
                 "fit.md", "posterior.png", "predictive.parquet"):
        assert (out / name).stat().st_size > 0, name
    problem = load_problem()
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 2 and (post["generation"] == 1).all() and post["weight"].sum() == pytest.approx(1)
    for name, (lo, hi) in problem.bounds().items():
        assert post[name].between(lo, hi).all(), name
    # a particle's stored summaries are reproduced from its seed: the seed is all a cohort needs
    params = {n: float(post[n].iloc[0]) for n in problem.free}
    seed = int(post["sim_seed"].iloc[0])
    assert seed == particle_seed(4, params)
    again = CohortSimulator(10, 12.0)(params, seed)
    assert all(np.isclose(again[k], post[f"sim_{k}"].iloc[0], equal_nan=True, rtol=0, atol=0) for k in again)
    fit = pd.read_parquet(out / "fit.parquet")
    targets = fit[fit["kind"] == "target"]
    assert list(targets["target"]) == [t.name for t in problem.targets]  # every target has a row
    assert targets["verdict_posterior"].str.match(r"^(ok|MISFIT)").all()
    assert "share_father_A" in set(fit.loc[fit["kind"] == "untargeted", "key"])
    md = (out / "fit.md").read_text()
    assert all(f"| {t.name} (`{t.key}`)" in md for t in problem.targets)


# ------------------------------------------------------------------ bad input
def _error_line(argv, capsys) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, (code, err)
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("extra,must", [
    (["--population", "1"], ["--population", "2", "100000"]),
    (["--generations", "0"], ["--generations", "1", "100"]),
    (["--households", "5"], ["--households", "10"]),
    (["--months", "6"], ["--months", "12", "36"]),
    (["--workers", "0"], ["--workers", "1", "64"]),
    (["--min-epsilon", "-1"], ["--min-epsilon", "0"]),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], ["--workers/--scheduler", "one of them"]),
    (["--targets", "no_such.toml"], ["--targets", "not a file"]),
])
def test_bad_flags_exit_2_with_one_line(tmp_path, capsys, extra, must):
    out = tmp_path / "out"
    line = _error_line(["calibrate", "--out", str(out), *extra], capsys)
    assert all(m in line for m in must), line
    assert not out.exists()


GOOD_TARGET = """
[parameters]
free = ["sensitivity_trait_sd"]
[targets.A6]
source = "A6"
published = 0.24
n = 1099
confidence = "H"
statistic = "sensitivity_security_r_latent"
role = "mother"
"""


@pytest.mark.parametrize("old,new,must", [
    ('n = 1099', 'n = -3', ["targets.A6.n", "out of range", "allowed 2 to"]),
    ('confidence = "H"', 'confidence = "L"', ["targets.A6.confidence", "allowed H, M"]),
    ('confidence = "H"', 'confidence = "H"\nmemory = true', ["targets.A6.memory", "MEMORY"]),
    ('statistic = "sensitivity_security_r_latent"', 'statistic = "bond"', ["targets.A6.statistic", "ssp_share"]),
    ('role = "mother"', 'role = "sibling"', ["targets.A6.role", "allowed mother, father"]),
    ('published = 0.24', 'published = 1.7', ["targets.A6.published", "allowed -1 to 1"]),
    ('n = 1099', 'n = 1099\nse = 0.1', ["targets.A6", "exactly one of n"]),
    ('n = 1099', 'n = 1099\nweight = 2', ["targets.A6.weight", "allowed 0 to 1"]),
    ('free = ["sensitivity_trait_sd"]', 'free = ["no_such"]', ["parameters.free", "no_such", "unknown parameter"]),
    ('free = ["sensitivity_trait_sd"]', 'free = []', ["parameters.free", "1 to 8"]),
    ('free = ["sensitivity_trait_sd"]', 'free = ["sensitivity_trait_sd", "sensitivity_trait_sd"]', ["listed twice"]),
    ('source = "A6"', 'source = "A6"\ncolour = 1', ["targets.A6.colour", "unknown field"]),
    ('[parameters]', '[cohort]\nscenario = "nope"\n[parameters]', ["cohort.scenario", "nope"]),
    ('published = 0.24', 'published = ', ["bad.toml", "not valid TOML"]),
])
def test_bad_targets_file_exits_2_naming_the_field(tmp_path, capsys, old, new, must):
    f = tmp_path / "bad.toml"
    assert old in GOOD_TARGET
    f.write_text(GOOD_TARGET.replace(old, new, 1))
    out = tmp_path / "out"
    line = _error_line(["calibrate", "--targets", str(f), "--out", str(out)], capsys)
    assert line.startswith("bonding: error: ") and all(m in line for m in must), line
    assert not out.exists()


def test_shipped_targets_respect_the_confidence_rules():
    problem = load_problem()
    assert 3 <= len(problem.free) <= 6
    for t in problem.targets:
        assert t.confidence in ("H", "M")
        assert t.weight == (0.5 if t.confidence == "M" or t.name in ("A6", "A7") else 1.0), t.name
        assert t.se_published > 0
