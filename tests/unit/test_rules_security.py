"""Closed-form tests of the sources-of-security rules (issue 14.1, model.learning)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import learning as ln


def test_mind_match_probability_is_the_logistic_of_base_plus_trait_and_rises_with_it():
    assert ln.mind_match_probability(0.0) == pytest.approx(1 / (1 + np.exp(-ln.MIND_MATCH_BASE)))
    m = ln.mind_match_probability(np.array([-2.0, -1.0, 0.0, 1.0]))
    assert np.all(np.diff(m) > 0)
    assert 0.9 < ln.mind_match_probability(0.0) < 0.97  # ~95% appropriate at the mean (assumption)


def test_representational_evidence_splits_gain_times_weight_by_the_match():
    attuned, mistimed = ln.representational_evidence(0.5, 0.4, 0.5)
    m = ln.mind_match_probability(0.5)
    assert attuned == pytest.approx(0.5 * 0.4 * m)
    assert mistimed == pytest.approx(0.5 * 0.4 * (1 - m))
    assert ln.representational_evidence(0.5, 0.4, 0.0) == (0.0, 0.0)  # the switch
    low, high = ln.representational_evidence(-1.5, 1.0, 1.0), ln.representational_evidence(1.5, 1.0, 1.0)
    assert high[0] > low[0] and high[1] < low[1]  # a mentalising caregiver: more attuned, less mistimed


def test_family_conflict_evidence_is_zero_below_average_stress_and_linear_above():
    assert ln.family_conflict_evidence(-1.2, 0.8, 0.3) == 0.0
    assert ln.family_conflict_evidence(0.0, 0.8, 0.3) == 0.0
    assert ln.family_conflict_evidence(2.0, 0.5, 0.3) == pytest.approx(0.3 * 0.5 * 2.0)
    assert ln.family_conflict_evidence(2.0, 0.5, 0.0) == 0.0


def test_susceptibility_is_exponential_in_temperament_and_one_when_off():
    t = np.array([-1.0, 0.0, 1.0])
    assert np.allclose(ln.susceptibility(t, 0.5), np.exp(0.5 * t))
    assert np.allclose(ln.susceptibility(t, 0.0), 1.0)
    top, bottom = ln.susceptibility(1.1, 0.5), ln.susceptibility(-1.1, 0.5)
    assert 2.5 < top / bottom < 3.5  # X5/X7: top third ~3x the bottom third


def test_working_model_reading_off_gives_the_plain_shares():
    good, bad, rej, intr, ign, prior = 30.0, 10.0, 6.0, 3.0, 2.0, 4.0
    e, deact, hyper = ln.working_model_reading(good, bad, rej, intr, ign, prior, 1.0, 0.0)
    assert e == pytest.approx((good + prior / 2) / (good + bad + prior))
    assert deact == pytest.approx(rej / (good + bad + prior))
    assert hyper == pytest.approx(intr / (good + bad + prior))


def test_inconsistency_moves_ignored_bids_of_a_responsive_caregiver_from_deactivation_to_hyperactivation():
    good, bad, rej, intr, ign, prior = 30.0, 10.0, 6.0, 3.0, 4.0, 4.0
    e0, d0, h0 = ln.working_model_reading(good, bad, rej, intr, ign, prior, 1.0, 0.0)
    e1, d1, h1 = ln.working_model_reading(good, bad, rej, intr, ign, prior, 1.0, 0.5)
    moved = 0.5 * ign * e0 / (good + bad + prior)
    assert e1 == pytest.approx(e0)
    assert d1 == pytest.approx(d0 - moved) and h1 == pytest.approx(h0 + moved)
    # the same ignored bids from an unresponsive caregiver move less
    _, d_u, h_u = ln.working_model_reading(5.0, 35.0, 20.0, 3.0, 4.0, prior, 1.0, 0.5)
    _, d_u0, h_u0 = ln.working_model_reading(5.0, 35.0, 20.0, 3.0, 4.0, prior, 1.0, 0.0)
    assert h_u - h_u0 < h1 - h0


def test_susceptibility_scales_departures_from_a_typical_caregiver_for_better_and_for_worse():
    prior = 4.0
    poor = (20.0, 30.0, 20.0, 8.0, 0.0)  # much rejection and intrusion
    good = (60.0, 5.0, 2.0, 1.0, 0.0)  # little of either
    for g, b, r, i, ig in (poor, good):
        e1, d1, h1 = ln.working_model_reading(g, b, r, i, ig, prior, 1.0, 0.0)
        e2, d2, h2 = ln.working_model_reading(g, b, r, i, ig, prior, 2.0, 0.0)
        eh, dh, hh = ln.working_model_reading(g, b, r, i, ig, prior, 0.5, 0.0)
        assert abs(d2 - ln.TYPICAL_DEACTIVATION) > abs(d1 - ln.TYPICAL_DEACTIVATION) > abs(dh - ln.TYPICAL_DEACTIVATION)
        assert abs(e2 - ln.TYPICAL_RESPONSIVENESS) > abs(e1 - ln.TYPICAL_RESPONSIVENESS)
        assert np.sign(d2 - ln.TYPICAL_DEACTIVATION) == np.sign(d1 - ln.TYPICAL_DEACTIVATION)
    # bounded shares
    e, d, h = ln.working_model_reading(0.0, 100.0, 100.0, 100.0, 0.0, prior, 3.0, 0.0)
    assert 0.0 <= e <= 1.0 and 0.0 <= d <= 1.0 and 0.0 <= h <= 1.0
