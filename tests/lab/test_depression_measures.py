"""Depression as studies measure it: point, period and ever shares, persistence and the couple correlation.

The new statistics (``any_proportion``, ``conditional_proportion``) are checked on planted data;
the registry's depression studies are checked to share one population and to keep the logical
order point <= period <= ever on the model's latent episode; screening rows read the episode
through the lab's screen (``DepressionScreen``), whose accuracy is checked on planted states;
raising the maternal onset hazard (dose test) raises the screen-positive point prevalence.
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab import measures as ms
from bonding.experiments.lab import studies as S

DEPRESSION_STUDIES = ("PH16", "X69", "depression_point_latent_mothers", "depression_period_0to6_mothers", "X68_point", "X68_period", "X70_any", "depression_ever_mothers", "P9", "P9_3to6",
                      "depression_ever_fathers", "X75_mothers", "X75_fathers", "X77",
                      "depression_persistence_mothers")


def _units(n):
    return {"mother": (np.arange(n), np.zeros(n, int))}


def test_any_proportion_is_the_share_positive_at_any_visit():
    rng = np.random.default_rng(0)
    a, b = (rng.random((300, 5)) < 0.1).astype(float), (rng.random((300, 5)) < 0.2).astype(float)
    spec = {"measures": {"a": {"visit": "v", "var": "a", "role": "mother"}, "b": {"visit": "w", "var": "b", "role": "mother"}},
            "statistic": {"kind": "any_proportion", "vars": ["a", "b"], "equals": 1.0}}
    out = S._statistic(S.Study("t", spec), {"v": {"a": a}, "w": {"b": b}}, _units(300), rng)
    expected = np.mean((a[:, 0] == 1) | (b[:, 0] == 1))
    assert out["value"] == pytest.approx(expected) and out["significant"] is None
    assert out["value"] >= max(a[:, 0].mean(), b[:, 0].mean())
    bad = S.Study("t", {**spec, "statistic": {"kind": "any_proportion", "equals": 1.0}})
    with pytest.raises(S.StudyError, match="t.statistic.vars"):
        S._statistic(bad, {"v": {"a": a}, "w": {"b": b}}, _units(300), rng)


def test_conditional_proportion_counts_only_the_given_units():
    pre = np.zeros((10, 5))
    post = np.zeros((10, 5))
    pre[:4, 0] = 1
    post[:3, 0] = 1
    post[8, 0] = 1  # positive later but not before: not in the denominator
    spec = {"measures": {"pre": {"visit": "v", "var": "d", "role": "mother"}, "post": {"visit": "w", "var": "d", "role": "mother"}},
            "statistic": {"kind": "conditional_proportion", "var": "post", "given": "pre", "equals": 1.0}}
    out = S._statistic(S.Study("t", spec), {"v": {"d": pre}, "w": {"d": post}}, _units(10), np.random.default_rng(0))
    assert out["value"] == pytest.approx(0.75) and out["n"] == 4
    none = S._statistic(S.Study("t", spec), {"v": {"d": 0 * pre}, "w": {"d": post}}, _units(10), np.random.default_rng(0))
    assert np.isnan(none["value"]) and none["n"] == 0


def test_depression_studies_share_one_population():
    keys = {S.simulation_key(S.load_study(n), 10, 1)[0] for n in DEPRESSION_STUDIES}
    assert len(keys) == 1


@pytest.fixture(scope="module")
def panel():
    """One small run of the shared depression population, at a raised onset risk so that cases occur."""
    study = S.load_study("PH16")
    study.spec["overrides"] = {"maternal_depression_hazard_ratio": 6.0, "paternal_depression_onset_base": 0.002}
    block, _ = S._block(study, 60)
    sim, data = S.simulate(study, block, seed=4)
    return block, data


def _value(name, panel):
    block, data = panel
    study = S.load_study(name)
    units = S._units(study, data["_enrolment"], 0, block, 60 / study.n)
    return S._statistic(study, data, units, np.random.default_rng(0))["value"]


def test_point_period_and_ever_are_ordered(panel):
    point, period, ever = (_value(n, panel) for n in ("depression_point_latent_mothers", "X68_period",
                                                      "depression_ever_mothers"))
    assert 0 < point <= period <= ever
    assert period > point  # onsets and remissions within 0-3 months make the window share larger
    assert period <= _value("depression_period_0to6_mothers", panel) <= ever


def test_latent_point_prevalence_reads_the_models_depressed_state(panel):
    block, data = panel
    study = S.load_study("depression_point_latent_mothers")
    units = S._units(study, data["_enrolment"], 0, block, 60 / study.n)
    hh, sl = units["mother"]
    assert _value("depression_point_latent_mothers", panel) == pytest.approx(np.mean(data["m3"]["depressed"][hh, sl]))


def test_screening_rows_read_the_episode_through_the_screen(panel):
    """PH16 (screen) differs from the latent share at the same visit; a perfect screen gives it back."""
    block, data = panel
    study = S.load_study("PH16")
    units = S._units(study, data["_enrolment"], 0, block, 60 / study.n)
    hh, sl = units["mother"]
    latent = np.mean(data["m3"]["depressed"][hh, sl])
    perfect = S.load_study("PH16")
    perfect.spec["measures"]["d"]["params"] = {"screen_sensitivity": 1.0, "screen_specificity": 1.0}
    got = S._statistic(perfect, data, units, np.random.default_rng(0))["value"]
    assert got == pytest.approx(latent)
    assert _value("PH16", panel) != pytest.approx(latent)


def test_screen_has_its_declared_sensitivity_and_specificity():
    rng = np.random.default_rng(3)
    n = 200_000
    dep = (rng.random(n) < 0.2).astype(float)
    pos = ms.DepressionScreen(n, rng).measure(dep)
    q = ms.MEASURE_PARAMS
    assert pos[dep == 1].mean() == pytest.approx(q["screen_sensitivity"].default, abs=0.01)
    assert 1 - pos[dep == 0].mean() == pytest.approx(q["screen_specificity"].default, abs=0.01)


def test_screen_errors_repeat_within_a_person():
    """With a stable person component, a well parent positive at one visit is more often positive at
    the next, so positive-at-any-of-5-visits stays well below independent errors' 1 - spec^5."""
    rng = np.random.default_rng(4)
    n = 100_000
    well = np.zeros(n)
    shares = {}
    for w in (0.0, 0.6):
        screen = ms.DepressionScreen(n, rng, params={"screen_person_share": w})
        shares[w] = np.mean(np.any([screen.measure(well) for _ in range(5)], axis=0))
    spec = ms.MEASURE_PARAMS["screen_specificity"].default
    assert shares[0.0] == pytest.approx(1 - spec**5, abs=0.01)
    assert shares[0.6] < shares[0.0] - 0.1


def test_bad_screen_parameter_is_one_line_study_error(panel):
    block, data = panel
    study = S.load_study("PH16")
    study.spec["measures"]["d"]["params"] = {"screen_sensitivity": 2.0}
    units = S._units(study, data["_enrolment"], 0, block, 60 / study.n)
    with pytest.raises(S.StudyError, match="screen_sensitivity"):
        S._statistic(study, data, units, np.random.default_rng(0))


def test_raising_maternal_risk_raises_point_prevalence():
    """Dose test on the registry study itself (small n): maternal onset hazard x1 (default) vs x6."""
    low = S.load_study("PH16")
    high = S.load_study("PH16")
    high.spec["overrides"] = {"maternal_depression_hazard_ratio": 6.0}
    v_low = np.mean([r["value"] for r in S.run_study(low, replicates=2, seed=2, n=80)])
    v_high = np.mean([r["value"] for r in S.run_study(high, replicates=2, seed=2, n=80)])
    assert v_high > v_low


def _persistence(remission_days: float) -> float:
    study = S.load_study("depression_persistence_mothers")
    study.spec["overrides"] = {"maternal_depression_hazard_ratio": 6.0, "depression_remission_days": remission_days,
                               "depression_chronic_share": 0.0}
    rows = S.run_study(study, replicates=1, seed=6, n=150)
    return rows[0]["value"]


def test_longer_episodes_persist_more_from_visit_to_visit():
    """Dose test of the duration measure: the one-month persistence follows the remission time."""
    short, long_ = _persistence(45.0), _persistence(600.0)
    assert short < long_
    assert long_ > 0.8  # exp(-30.4 / 600) = .95 for episodes that began before the first visit
