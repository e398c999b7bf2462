"""Closed-form tests of the rules of the sources of disorganisation (issue 14 item 2; ODD 7.2)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab import ssp as S
from bonding.experiments.lab.params import resolve
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model.state import (
    AAI_AUTONOMOUS,
    AAI_DISMISSING,
    AAI_PREOCCUPIED,
    DAYCARE,
    FATHER,
    FRIGHTENING,
    INTRUSIVE,
    MOTHER,
    NO_RESPONSE,
    REJECTING,
    SENSITIVE,
)


def test_unresolved_fright_share_is_lower_in_autonomous_caregivers():
    assert bh.unresolved_fright_share(AAI_AUTONOMOUS) == bh.UNRESOLVED_FRIGHT_AUTONOMOUS < 1.0
    assert bh.unresolved_fright_share(AAI_DISMISSING) == bh.unresolved_fright_share(AAI_PREOCCUPIED) == 1.0
    np.testing.assert_array_equal(bh.unresolved_fright_share(np.array([0, 1, 2])),
                                  [bh.UNRESOLVED_FRIGHT_AUTONOMOUS, 1.0, 1.0])


def test_frightening_state_risk_closed_form():
    # trait part: frightening_risk of the X16-weighted unresolved flag
    assert bh.frightening_state_risk(True, False, AAI_DISMISSING, 0.0, 2.0) == 1.0
    assert bh.frightening_state_risk(True, False, AAI_AUTONOMOUS, 0.0, 2.0) == bh.UNRESOLVED_FRIGHT_AUTONOMOUS
    assert bh.frightening_state_risk(False, True, AAI_DISMISSING, -1.0, 2.0) == bh.FRIGHT_RISK_DEPRESSED
    # state part: stress alone, without unresolved loss, once the gain is on
    assert bh.frightening_state_risk(False, False, AAI_AUTONOMOUS, 0.4, 2.0) == pytest.approx(0.8)
    assert bh.frightening_state_risk(False, False, AAI_AUTONOMOUS, 0.4, 0.0) == 0.0  # switch off
    arr = bh.frightening_state_risk(np.array([True, False]), np.array([False, False]), np.array([1, 0]),
                                    np.array([0.5, 0.5]), 1.0)
    np.testing.assert_allclose(arr, [1.5, 0.5])


def test_stress_makes_a_resolved_caregiver_frightening_only_with_the_gain():
    n = 20000
    u = np.random.default_rng(3).random((3, n))

    def share(gain, excess):
        q = [bh.response_quality(0.0, 0.0, AAI_DISMISSING, False, excess, False, 0.05, 1.5, u[0, i], u[1, i],
                                 u[2, i], gain)[0] for i in range(n)]
        return np.mean(np.array(q) == FRIGHTENING)

    assert share(0.0, 1.0) == 0.0
    expected = 0.05 * 1.0 * np.exp(1.5) * (1 - bh.sigmoid(0.0))
    assert share(1.0, 1.0) == pytest.approx(expected, abs=0.005)
    assert share(1.0, 1.0) > share(1.0, 0.3) > share(1.0, 0.0) == 0.0


def test_household_risk_count_closed_form():
    assert bh.household_risk_count(0.0, True, 0.0, False, False) == 0
    assert bh.household_risk_count(0.5, False, 2.0, True, False) == pytest.approx(3.5)
    assert bh.household_risk_count(1.0, True, bh.ADVERSITY_RISK_Z, False, True) == pytest.approx(2.0)  # z must exceed
    got = bh.household_risk_count(np.array([0.0, 1.0]), np.array([True, False]), np.array([0.0, 1.5]),
                                  np.array([False, True]), np.array([True, True]))
    np.testing.assert_allclose(got, [1.0, 4.0])
    assert bh.caregiver_risk_count(3.0, MOTHER) == bh.caregiver_risk_count(3.0, FATHER) == 3.0
    assert bh.caregiver_risk_count(3.0, DAYCARE) == 0.0


def test_disruption_propensity_closed_form_and_directions():
    assert bh.disruption_propensity(False, False, 0.0, 0.0, 0.0, 0.4) == 1.0  # the reference caregiver
    got = bh.disruption_propensity(True, True, 0.2, -1.0, 2.0, 0.4)
    assert got == pytest.approx(np.exp(bh.DISRUPT_UNRESOLVED + bh.DISRUPT_DEPRESSED + bh.DISRUPT_STRESS * 0.2
                                       + bh.DISRUPT_LOW_SENSITIVITY * 1.0 + 0.4 * 2.0))
    base = bh.disruption_propensity(False, False, 0.1, 0.0, 1.0, 0.4)
    assert bh.disruption_propensity(True, False, 0.1, 0.0, 1.0, 0.4) > base  # unresolved raises it
    assert bh.disruption_propensity(False, True, 0.1, 0.0, 1.0, 0.4) > base  # depression
    assert bh.disruption_propensity(False, False, 0.5, 0.0, 1.0, 0.4) > base  # chronic stress
    assert bh.disruption_propensity(False, False, 0.1, -1.0, 1.0, 0.4) > base  # low sensitivity
    assert bh.disruption_propensity(False, False, 0.1, 1.0, 1.0, 0.4) == base  # high sensitivity: no bonus
    assert bh.disruption_propensity(False, False, 0.1, 0.0, 3.0, 0.4) > base  # more risks
    assert bh.disruption_propensity(False, False, 0.1, 0.0, 3.0, 0.0) == \
        bh.disruption_propensity(False, False, 0.1, 0.0, 0.0, 0.0)  # cumulative-risk switch off


def test_disruption_probability_is_capped_and_off_at_zero():
    assert bh.disruption_probability(3.0, 0.02) == pytest.approx(0.06)
    assert bh.disruption_probability(1e6, 0.25) == bh.DISRUPT_HAZARD_MAX
    assert bh.disruption_probability(50.0, 0.0) == 0.0


def test_disrupted_communication_only_in_insensitive_responses_and_disjoint_from_fright():
    for q in (NO_RESPONSE, SENSITIVE, FRIGHTENING):
        assert not bh.disrupted_communication(q, 0.999, 0.5)
    for q in (INTRUSIVE, REJECTING):
        assert bh.disrupted_communication(q, 0.9, 0.2)
        assert not bh.disrupted_communication(q, 0.7, 0.2)
        assert not bh.disrupted_communication(q, 0.999999, 0.0)  # switch off
    # over the uniform: P(disrupted) = p_disrupted * P(insensitive); never together with fright
    n = 40000
    u = np.random.default_rng(4).random((3, n))
    p_dis = 0.1
    hits = fright_and_dis = 0
    for i in range(n):
        q, p_sens = bh.response_quality(0.0, 0.5, AAI_DISMISSING, True, 0.5, False, 0.2, 1.5, u[0, i], u[1, i],
                                        u[2, i], 1.0)
        d = bh.disrupted_communication(q, u[1, i], p_dis)
        hits += d
        fright_and_dis += d and q == FRIGHTENING
    assert fright_and_dis == 0
    p_fright = bh.frightening_probability(bh.sigmoid(0.5), 1.5, 0.5, 0.2, 1.5)
    # insensitive and not frightening: (1 - p_sens) on u_quality; disruption on the top of u_fright
    assert hits / n == pytest.approx(p_dis * (1 - bh.sigmoid(0.5)), abs=0.005)
    assert p_fright + p_dis <= 1.0


def test_disrupted_evidence_closed_form():
    assert ln.disrupted_evidence(True, 0.4) == pytest.approx(ln.DISRUPTED_EVIDENCE * 0.4)
    assert ln.disrupted_evidence(False, 0.4) == 0.0


def test_ssp_alarm_and_markers_closed_form():
    q = resolve(S.SSP_PARAMS, None)
    assert S.learned_alarm(2.5, 10.0, 2.5, 10.0) == pytest.approx(2.0)
    assert S.caregiver_fear(0.0, 0.0, 2.5) == 0.0
    assert S.caregiver_fear(1.0, 2.5, 2.5) == pytest.approx(1 - np.exp(-2.0))
    fear = np.array([0.0, 0.5])
    pc, pf, pa = S.disorganisation_marker_probabilities(fear, np.zeros(2), np.array([1.0, 1.0]), 0.0,
                                                        np.zeros(2, bool), q)
    np.testing.assert_allclose(pc, [0.0, q["conflict_rate"] * 0.5])
    np.testing.assert_allclose(pf, [0.0, q["freeze_rate"] * 0.5])
    np.testing.assert_allclose(pa, [0.0, q["apprehension_rate"] * 0.5])
    _, pf_calm, _ = S.disorganisation_marker_probabilities(fear, np.zeros(2), np.array([0.1, 0.1]), 0.0,
                                                           np.zeros(2, bool), q)
    assert not pf_calm.any()  # freezing needs high arousal
    # disrupted communication alone makes a source of alarm (fear > 0) without any fright
    assert S.caregiver_fear(S.learned_alarm(0.0, 5.0, q["fright_scale"], q["disruption_scale"]), 0.0,
                            q["fright_scale"]) > 0.0
