"""Closed-form checks of the depression rules (:mod:`model.daily`: onset hazards, episode classes,
prenatal episodes, partner contagion) and of the lab's screen rule (:func:`screen_positive`)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab.measures import screen_positive
from bonding.model import daily as dl
from bonding.model.params import ParamSet
from bonding.model.state import FATHER, MOTHER, Caregivers, K
from scipy.stats import norm


def test_maternal_hazard_is_early_for_three_months_after_birth_then_late():
    early, late, fb, fp = np.array([0.0015]), np.array([0.0002]), np.array([0.0001]), np.array([0.0006])
    for age, expected in ((-30.0, 0.0002), (0.0, 0.0015), (89.0, 0.0015), (90.0, 0.0002), (300.0, 0.0002)):
        m, _ = dl.depression_baseline_hazard(age, early, late, fb, fp)
        assert m[0] == pytest.approx(expected)


def test_paternal_hazard_peaks_at_four_and_a_half_months():
    early, late, fb, fp = np.array([0.0015]), np.array([0.0002]), np.array([0.0001]), np.array([0.0006])
    _, at_peak = dl.depression_baseline_hazard(dl.FATHER_PEAK_DAY, early, late, fb, fp)
    _, one_sd = dl.depression_baseline_hazard(dl.FATHER_PEAK_DAY + dl.FATHER_PEAK_SD_DAYS, early, late, fb, fp)
    assert at_peak[0] == pytest.approx(0.0007)
    assert one_sd[0] == pytest.approx(0.0001 + 0.0006 * np.exp(-0.5))
    _, off = dl.depression_baseline_hazard(dl.FATHER_PEAK_DAY, early, late, fb, np.array([0.0]))
    assert off[0] == pytest.approx(0.0001)  # peak gain 0: no peak


def test_onset_probability_is_one_minus_exp_minus_hazard():
    h = np.array([1e-4, 0.01, 1.0])
    np.testing.assert_allclose(dl.onset_probability(np.log(h)), 1 - np.exp(-h), rtol=1e-12)


def test_prevalent_chronic_share_is_length_biased():
    assert dl.prevalent_chronic_share(0.3, 90.0, 540.0) == pytest.approx(0.3 * 540 / (0.3 * 540 + 0.7 * 90))
    assert dl.prevalent_chronic_share(0.0, 90.0, 540.0) == 0.0
    assert dl.prevalent_chronic_share(0.3, 90.0, 90.0) == pytest.approx(0.3)  # equal durations: no bias


def _log_hazard(partner_risk=1.1, stress_risk=1.2, chronic=0.2, unresolved=False, partner_depressed=False,
                tone=1.0, low_ot=0.3):
    H = 1
    log_base = np.log(np.array([[0.0015, 0.0003]]))
    depressed = np.zeros((H, K), bool)
    depressed[0, FATHER] = partner_depressed
    unres = np.zeros((H, K), bool)
    unres[0, MOTHER] = unresolved
    cs = np.full((H, K), chronic)
    z = np.zeros((H, K))
    return dl._parents_depression_log_hazard(
        log_base, np.array([stress_risk]), cs, z, np.zeros(H), z, unres, np.array([partner_risk]), depressed,
        np.array([low_ot]), np.log(np.full((H, 2), tone)))


def test_reference_parent_has_the_evidence_hazard():
    """At the reference stress, without risk factors, the log hazard is the base's."""
    out = _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE)
    np.testing.assert_allclose(np.exp(out[0]), [0.0015, 0.0003], rtol=1e-12)


def test_risk_factors_are_log_hazard_ratios():
    ref = _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE)[0, 0]
    assert _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE + 0.5)[0, 0] - ref == pytest.approx(1.2 * 0.5)
    assert _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE, unresolved=True)[0, 0] - ref == pytest.approx(
        dl.UNRESOLVED_DEPRESSION_RISK)
    assert _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE, tone=np.exp(-0.5))[0, 0] - ref == pytest.approx(0.3 * 0.5)


def test_partner_contagion_multiplies_the_hazard_and_its_gain_zero_removes_it():
    ref = _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE)[0, MOTHER]
    sick = _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE, partner_depressed=True)[0, MOTHER]
    assert sick - ref == pytest.approx(1.1)  # father depressed: mother's hazard x exp(1.1) = x3
    off = _log_hazard(chronic=dl.DEPRESSION_STRESS_REFERENCE, partner_depressed=True, partner_risk=0.0)[0, MOTHER]
    assert off == pytest.approx(ref)


def _transitions(depressed, rate, p_onset, p_remit, u_onset, u_remit, share=0.3):
    H = depressed.shape[0]
    return dl._depression_transitions(depressed, rate, np.ones((H, K), bool), p_onset, p_remit, u_onset, u_remit,
                                      np.full(H, share), np.full(H, 90.0), np.full(H, 540.0))


def test_onset_draws_its_class_from_the_same_uniform():
    H = 3
    dep, rate = np.zeros((H, K), bool), np.zeros((H, K))
    p_onset = np.full((H, 2), 0.1)
    u = np.ones((H, K))
    u[:, MOTHER] = [0.01, 0.05, 0.5]  # u/p = .1 (chronic), .5 (remitting), no onset
    new, r = _transitions(dep, rate, p_onset, np.zeros((H, K)), u, np.ones((H, K)))
    assert list(new[:, MOTHER]) == [True, True, False]
    assert r[0, MOTHER] == pytest.approx(1 / 540) and r[1, MOTHER] == pytest.approx(1 / 90) and r[2, MOTHER] == 0
    assert not new[:, 2:].any()  # only parents fall ill


def test_remission_clears_the_episode_and_its_rate():
    dep = np.zeros((2, K), bool)
    dep[:, MOTHER] = True
    rate = np.zeros((2, K))
    rate[:, MOTHER] = 1 / 90
    u_remit = np.ones((2, K))
    u_remit[0, MOTHER] = 0.001
    p_remit = np.full((2, K), 0.011)
    new, r = _transitions(dep, rate, np.zeros((2, 2)), p_remit, np.ones((2, K)), u_remit)
    assert not new[0, MOTHER] and r[0, MOTHER] == 0
    assert new[1, MOTHER] and r[1, MOTHER] == pytest.approx(1 / 90)


def test_seed_prenatal_episodes_uses_the_prenatal_shares():
    H = 4000
    p = ParamSet.uniform(H, {"maternal_prenatal_depression": 0.2, "paternal_prenatal_depression": 0.05})
    cg = Caregivers.empty(H)
    cg.exists[:, [MOTHER, FATHER]] = True
    dl.seed_prenatal_episodes(cg, p, np.random.default_rng(1).random((H, K)))
    assert cg.depressed[:, MOTHER].mean() == pytest.approx(0.2, abs=0.02)
    assert cg.depressed[:, FATHER].mean() == pytest.approx(0.05, abs=0.01)
    chronic = np.isclose(cg.depression_remission_rate[cg.depressed[:, MOTHER], MOTHER], 1 / 540)
    assert chronic.mean() == pytest.approx(dl.prevalent_chronic_share(0.3, 90.0, 540.0), abs=0.05)
    assert cg.ever_depressed[:, MOTHER].sum() == cg.depressed[:, MOTHER].sum()


def test_screen_threshold_gives_sensitivity_and_specificity_in_closed_form():
    """P(positive | episode) = 1 - Phi(c - a) = sens; P(positive | well) = 1 - Phi(c) = 1 - spec."""
    person, visit = np.zeros(1), np.zeros(1)
    sens, spec = 0.81, 0.88
    c = norm.ppf(spec)
    a = c + norm.ppf(sens)
    # a score just above/below the threshold, built from the visit term alone (person share 0)
    assert screen_positive(0.0, person, visit + c + 1e-9, sens, spec, 0.0)[0] == 1.0
    assert screen_positive(0.0, person, visit + c - 1e-9, sens, spec, 0.0)[0] == 0.0
    assert screen_positive(1.0, person, visit + c - a + 1e-9, sens, spec, 0.0)[0] == 1.0
    assert screen_positive(1.0, person, visit + c - a - 1e-9, sens, spec, 0.0)[0] == 0.0
    # a perfect screen returns the latent state (its switch)
    z = np.random.default_rng(0).standard_normal((2, 1000))
    dep = (np.arange(1000) % 3 == 0).astype(float)
    np.testing.assert_array_equal(screen_positive(dep, z[0], z[1], 1.0, 1.0, 0.6), dep)
