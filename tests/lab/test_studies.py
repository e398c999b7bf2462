"""Virtual studies: planted-effect power matches analytic power; one seed, same numbers; CLI errors."""

import subprocess
import sys

import numpy as np
import pytest
from bonding.experiments.lab import studies as S
from scipy import stats


def _analytic_power(r, n, alpha=0.05):
    z = np.arctanh(r) * np.sqrt(n - 3)
    zc = stats.norm.ppf(1 - alpha / 2)
    return stats.norm.sf(zc - z) + stats.norm.cdf(-zc - z)


def test_planted_correlation_detected_at_analytic_power():
    """Engine path (units, measures with reliability, Pearson test) on planted data."""
    rho_true, rel, n, R = 0.5, 0.8, 40, 600
    spec = {"sample": {"unit": "household", "n": n, "roles": ["mother"]},
            "measures": {"x": {"visit": "v", "var": "x", "role": "mother", "observe": "rating", "icc": rel},
                         "y": {"visit": "v", "var": "y", "role": "mother", "observe": "rating", "icc": rel}},
            "statistic": {"kind": "pearson", "x": "x", "y": "y", "direction": "+"}}
    st = S.Study("planted", spec)
    rng = np.random.default_rng(0)
    H = n * R
    x = rng.standard_normal((H, 5))
    y = rho_true * x + np.sqrt(1 - rho_true**2) * rng.standard_normal((H, 5))
    data = {"v": {"x": x, "y": y}}
    sig = []
    for r in range(R):
        hh = np.arange(r * n, (r + 1) * n)
        units = {"mother": (hh, np.zeros(n, int))}
        sig.append(S._statistic(st, data, units, np.random.default_rng(r))["significant"])
    expected = _analytic_power(rho_true * rel, n)  # attenuated by sqrt(rel * rel)
    assert np.mean(sig) == pytest.approx(expected, abs=0.06)


def test_d_between_two_measures_of_the_same_units():
    """Father vs mother of the same households: standardised mean difference, paired test."""
    spec = {"sample": {"unit": "household", "n": 400, "roles": ["mother", "father"]},
            "measures": {"m": {"visit": "v", "var": "s", "role": "mother"},
                         "f": {"visit": "v", "var": "s", "role": "father"}},
            "statistic": {"kind": "d_between", "x": "f", "y": "m", "direction": "-"}}
    st = S.Study("planted_d", spec)
    rng = np.random.default_rng(2)
    s = rng.standard_normal((400, 5))
    s[:, 1] -= 0.3  # fathers 0.3 SD lower
    units = {"mother": (np.arange(400), np.zeros(400, int)), "father": (np.arange(400), np.ones(400, int))}
    out = S._statistic(st, {"v": {"s": s}}, units, np.random.default_rng(0))
    x, y = s[:, 1], s[:, 0]
    assert out["value"] == pytest.approx((x.mean() - y.mean()) / np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2))
    assert out["p"] == pytest.approx(stats.ttest_rel(x, y).pvalue) and out["significant"] and out["n"] == 400
    st_plus = S.Study("planted_d", {**spec, "statistic": {**spec["statistic"], "direction": "+"}})
    assert not S._statistic(st_plus, {"v": {"s": s}}, units, np.random.default_rng(0))["significant"]


def test_same_seed_same_numbers():
    st = S.load_study("PH5")
    a = S.run_study(st, 2, seed=5, n=12)
    b = S.run_study(st, 2, seed=5, n=12)
    assert a == b


def test_registry_loads_every_study():
    for name in S.available_studies(include_hidden=True):
        st = S.load_study(name)
        assert st.stat_kind in S.STAT_KINDS


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "bonding.experiments.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args,field", [
    (("study", "NOPE"), "study"),
    (("power", "M4", "--n", "30,x"), "--n"),
    (("power", "M4", "--n", "2"), "--n"),
    (("study", "M4", "--replicates", "0"), "--replicates"),
    (("study", "M2", "--set", "ot_tone_sd=9"), "ot_tone_sd"),
    (("power", "M2", "--n", "30", "--assay-set", "rating_icc=0.9"), "rating_icc"),
    (("power", "M2", "--n", "30", "--assay-set", "ot_unextracted_central_corr=2"), "ot_unextracted_central_corr"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, args, field):
    p = _cli(*args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and field in p.stderr
    assert "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_power_under_h2_is_recorded_and_differs_from_h1(tmp_path):
    """In-silico design under a hypothesis: ``bonding power M2 --assay-set ...`` (and ``--set``)."""
    import pandas as pd
    from bonding.experiments.cli import main

    args = ["power", "M2", "--n", "40", "--replicates", "4", "--seed", "3"]
    assert main([*args, "--out", str(tmp_path / "h1")]) == 0
    assert main([*args, "--assay-set", "ot_unextracted_central_corr=0.9", "--set", "ot_tone_sd=0.4",
                 "--out", str(tmp_path / "h2")]) == 0
    h1 = pd.read_csv(tmp_path / "h1" / "power.csv")
    h2 = pd.read_csv(tmp_path / "h2" / "power.csv")
    assert h2.loc[0, "set"] == "ot_tone_sd=0.4; ot_unextracted_central_corr=0.9" and h1["set"].isna().all()
    st_h1 = S.run_study(S.load_study("M2"), 4, 3, n=40)
    from bonding.experiments.lab.validate import with_sets
    st_h2 = S.run_study(with_sets(S.load_study("M2"), {"ot_tone_sd": 0.4}, {"ot_unextracted_central_corr": 0.9}), 4, 3, n=40)
    assert [r["value"] for r in st_h1] != [r["value"] for r in st_h2]
    assert h2.loc[0, "power"] == sum(r["significant"] for r in st_h2) / 4


def test_cli_study_list(tmp_path):
    p = _cli("study", "--list", cwd=tmp_path)
    assert p.returncode == 0 and "M1" in p.stdout and "A6" in p.stdout


# ------------------------------------------------------------------ salivary cortisol in a study
def _cortisol_study(params, overrides=None, months=1.0):
    spec = {"sample": {"unit": "household", "n": 20, "roles": ["mother"]},
            "overrides": overrides or {},
            "visits": {"v": {"age_months": months, "procedure": "snapshot"}},
            "measures": {"c": {"visit": "v", "var": "cortisol", "role": "mother", "observe": "saliva_cortisol",
                               "params": params}},
            "statistic": {"kind": "paired", "var": "c"}}
    return S.Study("cortisol", spec)


@pytest.fixture(scope="module")
def cortisol_run():
    """A small population at a 1-month visit (10:00, after the awakening response: cortisol changing)."""
    st = _cortisol_study({}, overrides={"cry_stress": 0.0})
    sim, data = S.simulate(st, 40, seed=3)
    return st, sim, data


def test_study_cortisol_time_course_is_the_models(cortisol_run):
    """The hour before is the model's own value; the hour after is the model's next hour (exact
    without crying stress, the only acute cortisol input)."""
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation

    st, sim, data = cortisol_run
    v = data["v"]
    twin = Simulation(ParamSet.uniform(40, st.spec["overrides"]), sim.months, 3)
    target = S._visit_hour(st.spec["visits"]["v"])
    while twin.hour < target - 1:
        twin.step()
    np.testing.assert_array_equal(v["cortisol_1h_before"], twin.cg.cortisol)
    twin.step()
    np.testing.assert_array_equal(v["cortisol"], twin.cg.cortisol)
    sim.step()
    ex = sim.cg.exists
    np.testing.assert_allclose(v["cortisol_1h_after"][ex], sim.cg.cortisol[ex], rtol=1e-12)
    assert np.any(v["cortisol_1h_before"][ex] != v["cortisol"][ex])  # cortisol is changing at this visit


def _measure(st, data, params, seed=0):
    st.spec["measures"]["c"]["params"] = params
    hh = np.arange(40)
    units = {"mother": (hh, np.zeros(40, int))}
    return S._measure(st, data, units, "c", np.random.default_rng(seed), {})


def test_study_salivary_cortisol_uses_lag_and_jitter(cortisol_run):
    st, _, data = cortisol_run
    v = data["v"]
    q = {k: p.default for k, p in S.ms.MEASURE_PARAMS.items()}
    before, at = v["cortisol_1h_before"][:, 0], v["cortisol"][:, 0]
    exact = {"sampling_jitter_min": 0.0, "cortisol_assay_cv": 0.0}
    # jitter and CV 0: the true salivary value, plasma `saliva_lag_min` before the sample
    lag = q["saliva_lag_min"]
    true_saliva = q["cortisol_free_fraction"] * (at - (at - before) * lag / 60)
    np.testing.assert_allclose(_measure(st, data, exact), true_saliva)
    # the lag changes the value where cortisol is changing, and only there
    no_lag = _measure(st, data, {**exact, "saliva_lag_min": 0.0})
    changing = before != at
    assert changing.any() and np.all(no_lag[changing] != true_saliva[changing])
    np.testing.assert_allclose(no_lag[~changing], true_saliva[~changing])
    # jitter moves samples along the course: the between-sample variance around the truth rises
    jit = _measure(st, data, {**exact, "sampling_jitter_min": 30.0})
    assert np.ptp(_measure(st, data, exact) - true_saliva) == 0
    assert np.var(jit - true_saliva) > 0.01 * np.var(true_saliva)
    # a bad measurement parameter is refused naming the study, measure and field
    with pytest.raises(S.StudyError, match="cortisol.measures.c.params"):
        _measure(st, data, {"saliva_lag_min": 500})
    st.spec["measures"]["c"]["var"] = "testosterone"
    try:
        with pytest.raises(S.StudyError, match="no plasma time course"):
            _measure(st, data, exact)
    finally:
        st.spec["measures"]["c"]["var"] = "cortisol"


# ------------------------------------------------------------------ units of procedure outputs
def test_infant_ot_is_in_pg_per_ml_in_every_procedure(cortisol_run):
    from bonding.experiments.lab import procedures as P

    _, sim, _ = cortisol_run
    snap = P.snapshot(sim)
    play = P.play(sim, np.random.default_rng(0))
    np.testing.assert_allclose(snap["infant_ot"], play["infant_ot_pre"])
    np.testing.assert_allclose(snap["infant_ot_index"][:, 0], sim.inf.ot)
    basal = P.PROC_PARAMS["infant_ot_basal"].default
    np.testing.assert_allclose(snap["infant_ot"], snap["infant_ot_index"] * basal)


# ------------------------------------------------------------------ inclusion at enrolment
def test_inclusion_is_decided_at_the_first_visit():
    """Breastfeeding mothers are enrolled at the first visit and stay in the sample if they wean."""
    spec = {"sample": {"unit": "household", "n": 30, "roles": ["mother"], "require": {"breastfeeding": True}},
            "visits": {"a": {"age_months": 0.2, "procedure": "snapshot"}, "b": {"age_months": 4, "procedure": "snapshot"}},
            "measures": {}, "statistic": {"kind": "paired", "var": "x"}}
    st = S.Study("enrol", spec)
    sim, data = S.simulate(st, 80, seed=2)
    enrolled = data["_enrolment"]["breastfeeding"]
    weaned = enrolled & ~sim.hh.breastfeeding
    assert weaned.any(), "no mother weaned between the visits: the test has no power"
    units = S._units(st, data["_enrolment"], 0, 80, 1.0)
    hh = units["mother"][0]
    np.testing.assert_array_equal(hh, np.flatnonzero(enrolled)[:30])
    assert weaned[hh].any()
    st.spec["sample"]["require"] = {"depressed": True}
    with pytest.raises(S.StudyError, match="sample.require"):
        S._units(st, data["_enrolment"], 0, 80, 1.0)


# ------------------------------------------------------------------ P(significant) only with a test
def _planted(kind, values, **stat):
    n = values.size
    spec = {"sample": {"unit": "household", "n": n, "roles": ["mother"]},
            "measures": {"x": {"visit": "v", "var": "x", "role": "mother"}},
            "statistic": {"kind": kind, "var": "x", **stat}}
    st = S.Study(kind, spec)
    units = {"mother": (np.arange(n), np.zeros(n, int))}
    return st, S._statistic(st, {"v": {"x": values[:, None] * np.ones((1, 5))}}, units, np.random.default_rng(0))


def test_median_change_is_tested_and_untested_statistics_have_no_p_significant():
    rng = np.random.default_rng(1)
    drop = -26 + 10 * rng.standard_normal(60)
    st, res = _planted("median_pct_change", drop, direction="-")
    assert res["p"] < 0.05 and res["significant"] is True
    assert _planted("median_pct_change", drop, direction="+")[1]["significant"] is False
    assert S.summarise(st, [res, res])["p_significant"] == 1.0
    st, res = _planted("proportion", (drop > -26).astype(object), equals=[True])
    assert res["significant"] is None
    summ = S.summarise(st, [res, res])
    assert np.isnan(summ["p_significant"]) and 0 < summ["median"] < 1
    from bonding.experiments.lab.validate import study_row

    st.spec["published"] = {"value": 0.5, "text": "half"}
    assert np.isnan(study_row(st, [res, res])["p_significant"])


def test_session_plasma_response_grows_with_coupling_and_resting_samples_do_not_depend_on_it():
    """Touch releases OT centrally and peripherally together (``ot_central_plasma_coupling``);
    the resting samples before a session, which PH5's basal correlation is checked on, do not move."""
    from bonding.experiments.lab.procedures import play
    from bonding.model import ParamSet, Simulation

    out = {}
    for c in (0.0, 1.0):
        sim = Simulation(ParamSet.uniform(60, {"ot_central_plasma_coupling": c}), 1.0, 4).run()
        out[c] = play(sim, np.random.default_rng(0))
    lo, hi = out[0.0], out[1.0]
    assert np.array_equal(lo["ot_plasma_pre"], hi["ot_plasma_pre"])
    assert np.array_equal(lo["ot_central_pre"], hi["ot_central_pre"])
    assert np.allclose(lo["ot_plasma_post"], lo["ot_plasma_pre"])  # no coupling: plasma does not respond
    rise = (hi["ot_plasma_post"] / hi["ot_plasma_pre"] - 1.0)[:, 0]
    assert np.median(rise) > 0.05
