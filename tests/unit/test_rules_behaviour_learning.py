"""Closed-form checks of behaviour and learning rules (:mod:`model.behaviour`, :mod:`model.learning`)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model.state import (
    DISTRESS_BID,
    FRIGHTENING,
    MOTHER,
    NO_BID,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
    K,
)

ROLE_W = np.array([2.0, 1.0, 0.8, 0.3, 1.0])


# ------------------------------------------------------------------ synchrony
def test_synchrony_index_is_kappa_over_theta_plus_kappa():
    kc, ki, th = np.array([0.0, 1.0, 2.0, 0.4]), np.array([0.0, 1.0, 0.0, 1.6]), np.array([1.0, 1.0, 1.0, 0.5])
    kappa = 0.5 * (kc + ki)
    np.testing.assert_allclose(bh.synchrony_index(kc, ki, th), kappa / (th + kappa), rtol=1e-6)
    assert bh.synchrony_index(0.0, 0.0, 1.0) == pytest.approx(0.0)
    assert bh.synchrony_index(1.0, 1.0, 1.0) == pytest.approx(0.5)  # kappa = theta
    k = np.linspace(0, 10, 50)
    s = bh.synchrony_index(k, k, 1.0)
    assert np.all(np.diff(s) > 0) and np.all((s >= 0) & (s < 1))  # rises with coupling, bounded
    th = np.linspace(0.1, 5, 50)
    assert np.all(np.diff(bh.synchrony_index(1.0, 1.0, th)) < 0)  # falls with damping
    assert bh.synchrony_index(2.0, 0.0, 1.0) == pytest.approx(bh.synchrony_index(0.0, 2.0, 1.0))  # symmetric


# ------------------------------------------------------------------ responder choice
def choose_all(detected, feeds, u, weights=ROLE_W):
    """The per-household rule applied to many households."""
    return np.array([bh.choose_responder(detected[i], weights, feeds[i], u[i]) for i in range(len(u))])


def test_choose_responder_never_picks_a_non_detector_and_minus_one_when_none():
    rng = np.random.default_rng(0)
    n = 5000
    detected = rng.random((n, K)) < 0.35
    detected[:50] = False  # some households with no detector at all
    feeds = rng.random(n) < 0.3
    r = choose_all(detected, feeds, rng.random(n))
    none = ~detected.any(axis=1)
    assert np.all(r[none] == -1)
    assert np.all(r[~none] >= 0)
    assert np.all(detected[np.flatnonzero(~none), r[~none]]), "picked a caregiver who did not detect the bid"


def test_choose_responder_frequencies_follow_weights_with_fixed_uniforms():
    n = 5000
    u = (np.arange(n) + 0.5) / n  # evenly spread uniforms: counts are exact up to rounding
    det = np.tile(np.array([True, False, True, True, True]), (n, 1))
    r = choose_all(det, np.zeros(n, bool), u)
    w = ROLE_W * det[0]
    np.testing.assert_allclose(np.bincount(r, minlength=K) / n, w / w.sum(), atol=2.0 / n)
    # a lactating mother with a hungry infant is preferred six-fold
    r2 = choose_all(det, np.ones(n, bool), u)
    w2 = w.copy()
    w2[MOTHER] *= 6.0
    np.testing.assert_allclose(np.bincount(r2, minlength=K) / n, w2 / w2.sum(), atol=2.0 / n)


def test_choose_responder_u_zero_still_picks_a_detector():
    det = np.array([False, True, False, False, False])
    assert bh.choose_responder(det, ROLE_W, False, 0.0) == 1


# ------------------------------------------------------------------ detection and response
def test_detection_probability_zero_without_bid_and_cries_more_salient():
    def pr(bid, distress, asleep=False, unresolved=False):
        return bh.detection_probability(0.0, 0.0, bid, distress, asleep, 1.0, unresolved, 1.0)

    assert pr(NO_BID, 0.0) == 0.0, "no bid -> nothing to detect"
    assert pr(DISTRESS_BID, 0.5) > pr(SOCIAL_BID, 0.0), "cries are more salient than social bids"
    assert pr(DISTRESS_BID, 0.9) > pr(DISTRESS_BID, 0.2), "louder distress is noticed more"
    assert pr(DISTRESS_BID, 0.5, asleep=True) < pr(DISTRESS_BID, 0.5)
    assert pr(DISTRESS_BID, 0.5, unresolved=True) < pr(DISTRESS_BID, 0.5), "unresolved caregivers are blunted"
    assert pr(SOCIAL_BID, 0.0, unresolved=True) == pr(SOCIAL_BID, 0.0), "blunting applies to distress only"
    assert pr(DISTRESS_BID, 0.5) == pytest.approx(bh.sigmoid(0.5 + 2.0 * 0.5))  # closed form at att = 0


def test_response_quality_frightening_needs_unresolved_or_depression():
    """With the stress road off (``fright_stress`` 0), as before ODD 7.2; an insecure (dismissing) caregiver."""
    n = 20000
    rng = np.random.default_rng(1)
    u = rng.random((3, n))

    def codes(unresolved, depressed, aai=1):
        return np.array([bh.response_quality(0.0, 0.8, aai, unresolved, 0.5, depressed, 0.05, 1.5,
                                             u[0, i], u[1, i], u[2, i], 0.0)[0] for i in range(n)])

    q0 = codes(False, False)
    assert not np.any(q0 == FRIGHTENING)
    assert bh.response_quality(0.0, 0.8, 0, False, 0.5, False, 0.05, 1.5, 0.5, 0.5, 0.5, 0.0)[1] == \
        pytest.approx(bh.sigmoid(0.8))
    assert np.mean(q0 == SENSITIVE) == pytest.approx(bh.sigmoid(0.8), abs=0.02)
    insensitive = 1.0 - bh.sigmoid(0.8)  # frightening acts come in insensitive moments
    q1 = codes(True, False)
    assert np.mean(q1 == FRIGHTENING) == pytest.approx(0.05 * np.exp(1.5 * 0.5) * insensitive, abs=0.005)
    q2 = codes(False, True)  # depression alone: a fifth of the unresolved rate
    assert np.mean(q2 == FRIGHTENING) == pytest.approx(0.2 * 0.05 * np.exp(1.5 * 0.5) * insensitive, abs=0.003)


def test_frightening_probability_falls_with_sensitivity_and_rises_with_cortisol():
    p_sens = np.linspace(0.0, 1.0, 11)
    p = bh.frightening_probability(p_sens, 1.0, 0.5, 0.05, 1.5)
    assert np.all(np.diff(p) < 0) and p[-1] == 0.0  # a fully sensitive response is never frightening
    assert p[0] == pytest.approx(0.05 * np.exp(0.75))
    cort = np.linspace(-1.0, 3.0, 9)
    pc = bh.frightening_probability(0.5, 1.0, cort, 0.05, 1.5)
    assert np.all(np.diff(pc) >= 0) and pc[0] == pytest.approx(0.025)  # cortisol below the mean adds nothing
    assert np.max(bh.frightening_probability(0.0, 1.0, 10.0, 0.25, 4.0)) == 0.5  # capped
    assert bh.frightening_probability(0.2, 0.0, 2.0, 0.25, 1.5) == 0.0  # no risk, no fright


def test_response_quality_insensitive_kind_follows_adult_attachment():
    rng = np.random.default_rng(2)
    u = rng.random((2000, 3))
    u[:, 0] = 0.999  # never sensitive
    kinds = {aai: np.array([bh.response_quality(0.0, 0.0, aai, False, 0.0, False, 0.0, 0.0, *row, 0.0)[0]
                            for row in u]) for aai in (0, 1, 2)}
    share_rejecting = {aai: np.mean(k == REJECTING) for aai, k in kinds.items()}
    assert share_rejecting[1] == pytest.approx(0.75, abs=0.04)  # dismissing
    assert share_rejecting[2] == pytest.approx(0.25, abs=0.04)  # preoccupied
    assert share_rejecting[0] == pytest.approx(0.5, abs=0.04)


def test_touch_kind_feeds_hungry_cries_and_plays_by_role_share():
    assert bh.touch_kind(DISTRESS_BID, 0.9, 0.5, 0.1) == (True, True, False)
    assert bh.touch_kind(DISTRESS_BID, 0.2, 0.5, 0.1) == (False, True, False)
    assert bh.touch_kind(SOCIAL_BID, 0.9, 0.7, 0.5) == (False, False, True)
    assert bh.touch_kind(SOCIAL_BID, 0.9, 0.3, 0.5) == (False, True, False)
    assert bh.touch_kind(NO_BID, 0.9, 0.3, 0.5) == (False, False, False)


def test_dyad_synchrony_rises_with_caregiver_ot_and_falls_with_cortisol_and_father_testosterone():
    base = dict(relief_q=1.0, ot_caregiver=1.0, ot_infant=1.0, cortisol_excess_caregiver=0.0,
                testosterone_father=0.0, testosterone_mean=15.0, infant_maturity=1.0, coupling=1.0,
                ot_synchrony=0.5, testosterone_sync=0.5, damping=1.0)
    s0 = bh.dyad_synchrony(**base)
    assert s0 == pytest.approx(bh.synchrony_index(1.0, 0.5, 1.0))
    assert bh.dyad_synchrony(**{**base, "ot_caregiver": 1.5}) > s0
    assert bh.dyad_synchrony(**{**base, "cortisol_excess_caregiver": 1.0}) < s0
    assert bh.dyad_synchrony(**{**base, "testosterone_father": 30.0}) < s0
    assert bh.dyad_synchrony(**{**base, "testosterone_father": 10.0}) == pytest.approx(s0)  # below mean: no term
    assert bh.dyad_synchrony(**{**base, "ot_synchrony": 0.0, "ot_caregiver": 3.0}) == pytest.approx(s0)


# ------------------------------------------------------------------ learning
def test_distress_weight_gamma_zero_is_one_and_weights_rise_with_distress():
    d = np.linspace(0, 1, 11)
    np.testing.assert_allclose(ln.distress_weight(d, 0.0), 1.0)
    for g in (0.5, 2.0, 5.0):
        w = ln.distress_weight(d, g)
        assert w[-1] == pytest.approx(1.0)
        assert np.all(np.diff(w) > 0)
        assert np.all((w > 0) & (w <= 1.0 + 1e-12))
    assert ln.distress_weight(0.0, 2.0) == pytest.approx(0.2**2)


def test_expected_responsiveness_is_the_posterior_mean():
    assert ln.expected_responsiveness(0.0, 0.0, 4.0) == pytest.approx(0.5)
    assert ln.expected_responsiveness(6.0, 2.0, 4.0) == pytest.approx((6 + 2) / (6 + 2 + 4))
    assert ln.expected_responsiveness(1e6, 0.0, 4.0) == pytest.approx(1.0, abs=1e-5)
    assert ln.expected_responsiveness(0.0, 1e6, 4.0) == pytest.approx(0.0, abs=1e-5)
    # a stronger prior pulls toward 0.5
    assert abs(ln.expected_responsiveness(8.0, 0.0, 50.0) - 0.5) < abs(ln.expected_responsiveness(8.0, 0.0, 1.0) - 0.5)


def test_reward_prediction_error_and_bond_consolidation():
    # phasic dopamine = reward - expected (tonic) reward
    assert ln.reward_prediction_error(0.8, 0.3) == pytest.approx(0.5)
    assert ln.reward_prediction_error(0.0, 0.3) == pytest.approx(-0.3)
    # bond += rate * (reward + max(delta, 0)) * (1 - bond): grows with rewarding episodes, saturates at 1
    assert ln.update_bond(0.3, 0.8, 0.5, 0.1) == pytest.approx(0.3 + 0.1 * 1.3 * 0.7)
    assert ln.update_bond(0.3, 0.0, -0.3, 0.1) == pytest.approx(0.3), "no reward, negative surprise: no change"
    assert ln.update_bond(0.3, 0.8, 0.5, 0.0) == pytest.approx(0.3), "rate 0 freezes the bond"
    b = np.array([0.0, 0.5, 0.99, 1.0])
    nb = ln.update_bond(b, 1.0, 1.0, 0.2)
    assert np.all(nb >= b) and np.all(nb <= 1.0)
    assert nb[3] == 1.0
    # larger rate moves further
    assert ln.update_bond(0.3, 0.8, 0.5, 0.2) > ln.update_bond(0.3, 0.8, 0.5, 0.05)


# ------------------------------------------------------------------ named pieces of attunement and response quality
def test_ot_recognition_term_is_recognition_times_log_ot_floored():
    ot = np.array([0.0, 1e-4, 0.5, 1.0, 3.0])
    np.testing.assert_array_equal(bh.ot_recognition_term(ot, 0.7), 0.7 * np.log(np.maximum(ot, 1e-3)))
    assert bh.ot_recognition_term(1.0, 5.0) == 0.0  # nothing at the adult tone
    assert bh.ot_recognition_term(2.0, 0.5) > bh.ot_recognition_term(1.5, 0.5)  # more OT, more attunement
    assert bh.ot_recognition_term(2.0, 0.0) == 0.0  # the domain switched off


def test_ot_recognition_gain_is_the_rise_of_the_term():
    """``gain(OT, dose) = term(OT + dose) - term(OT)`` at or above the floor; 0 without a dose."""
    ot, dose, rec = np.array([0.2, 1.0, 1.7, 4.0]), np.array([0.5, 1.0, 2.0, 0.01]), 0.8
    np.testing.assert_allclose(bh.ot_recognition_gain(ot, dose, rec),
                               bh.ot_recognition_term(ot + dose, rec) - bh.ot_recognition_term(ot, rec), rtol=1e-12)
    assert bh.ot_recognition_gain(1.0, 0.0, rec) == 0.0
    assert bh.ot_recognition_gain(0.5, 1.0, rec) > bh.ot_recognition_gain(2.0, 1.0, rec)  # larger at a low tone


def test_attunement_hourly_uses_the_ot_recognition_term():
    got = bh.attunement_hourly(0.3, 2.0, 0.4, 0.6, 0.5, 0.1)
    assert got == 0.3 + bh.ot_recognition_term(2.0, 0.6) - 0.5 * 0.4 + 0.1


def test_frightening_risk_and_rejecting_share():
    assert bh.frightening_risk(True, False) == 1.0 and bh.frightening_risk(False, True) == bh.FRIGHT_RISK_DEPRESSED
    assert bh.frightening_risk(False, False) == 0.0
    np.testing.assert_array_equal(bh.frightening_risk(np.array([True, False]), np.array([True, True])), [1.2, 0.2])
    from bonding.model.state import AAI_AUTONOMOUS, AAI_DISMISSING, AAI_PREOCCUPIED

    for aai in (AAI_AUTONOMOUS, AAI_DISMISSING, AAI_PREOCCUPIED):
        assert bh.REJECTING_SHARE_BY_AAI[aai] == bh.rejecting_share(aai)
    assert bh.rejecting_share(AAI_DISMISSING) > bh.rejecting_share(AAI_AUTONOMOUS) > bh.rejecting_share(AAI_PREOCCUPIED)


def test_a_depressed_caregivers_fright_risk_is_the_named_share():
    """Varying FRIGHT_RISK_DEPRESSED is what changes a depressed (not unresolved) caregiver's fright chance."""
    p = bh.frightening_probability(0.2, bh.frightening_risk(False, True), 0.5, 0.05, 1.0)
    q = bh.frightening_probability(0.2, bh.frightening_risk(True, False), 0.5, 0.05, 1.0)
    assert p == pytest.approx(q * bh.FRIGHT_RISK_DEPRESSED)
