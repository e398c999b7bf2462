"""Closed-form checks of behaviour and learning rules (:mod:`model.behaviour`, :mod:`model.learning`)."""

from __future__ import annotations

import numpy as np
import pytest

from model import behaviour as bh
from model import learning as ln
from model.state import DISTRESS_BID, FRIGHTENING, K, MOTHER, NO_BID, SENSITIVE, SOCIAL_BID

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
def test_choose_responder_never_picks_a_non_detector_and_minus_one_when_none():
    rng = np.random.default_rng(0)
    n = 20000
    detected = rng.random((n, K)) < 0.35
    detected[:50] = False  # some households with no detector at all
    feeds = rng.random(n) < 0.3
    u = rng.random(n)
    r = bh.choose_responder(detected.copy(), np.tile(ROLE_W, (n, 1)), feeds, u)
    none = ~detected.any(axis=1)
    assert np.all(r[none] == -1)
    assert np.all(r[~none] >= 0)
    assert np.all(detected[np.flatnonzero(~none), r[~none]]), "picked a caregiver who did not detect the bid"


def test_choose_responder_frequencies_follow_weights_with_fixed_uniforms():
    n = 10000
    u = (np.arange(n) + 0.5) / n  # evenly spread uniforms: counts are exact up to rounding
    det = np.tile(np.array([True, False, True, True, True]), (n, 1))
    r = bh.choose_responder(det, np.tile(ROLE_W, (n, 1)), np.zeros(n, bool), u)
    w = ROLE_W * det[0]
    counts = np.bincount(r, minlength=K)
    np.testing.assert_allclose(counts / n, w / w.sum(), atol=2.0 / n)
    # a lactating mother with a hungry infant is preferred six-fold
    r2 = bh.choose_responder(det, np.tile(ROLE_W, (n, 1)), np.ones(n, bool), u)
    w2 = w.copy()
    w2[MOTHER] *= 6.0
    np.testing.assert_allclose(np.bincount(r2, minlength=K) / n, w2 / w2.sum(), atol=2.0 / n)


def test_choose_responder_u_zero_still_picks_a_detector():
    det = np.array([[False, True, False, False, False]])
    r = bh.choose_responder(det, ROLE_W[None, :].copy(), np.zeros(1, bool), np.array([0.0]))
    assert r[0] == 1


# ------------------------------------------------------------------ detection and response
def test_detection_probability_zero_without_bid_or_availability_and_cries_more_salient():
    n = 3
    att = np.zeros((n, K))
    bid = np.array([NO_BID, DISTRESS_BID, SOCIAL_BID], dtype=np.int8)
    distress = np.array([0.0, 0.5, 0.0])
    avail = np.ones((n, K), bool)
    avail[:, 4] = False
    pr = bh.detection_probability(att, np.zeros((n, 1)), bid, distress, False, np.ones((n, 1)),
                                  np.zeros((n, K), bool), np.ones((n, 1)), avail)
    assert np.all(pr[0] < 1e-12), "no bid -> nothing to detect"
    assert np.all(pr[:, 4] == 0), "unavailable caregivers detect nothing"
    assert np.all(pr[1, :4] > pr[2, :4]), "cries are more salient than social bids"
    asleep = bh.detection_probability(att, np.zeros((n, 1)), bid, distress, True, np.ones((n, 1)),
                                      np.zeros((n, K), bool), np.ones((n, 1)), avail)
    assert np.all(asleep[1, :4] < pr[1, :4])
    unres = bh.detection_probability(att, np.zeros((n, 1)), bid, distress, False, np.ones((n, 1)),
                                     np.ones((n, K), bool), np.ones((n, 1)), avail)
    assert np.all(unres[1, :4] < pr[1, :4]), "unresolved caregivers are blunted to distress"
    np.testing.assert_allclose(unres[2], pr[2]), "blunting applies to distress only"


def test_response_quality_frightening_needs_unresolved_or_depression():
    n = 20000
    rng = np.random.default_rng(1)
    args = dict(att_r=np.zeros(n), base_sens=np.full(n, 0.8), aai_r=np.zeros(n, np.int8),
                cort_excess_r=np.full(n, 0.5), p_fright_base=np.full(n, 0.05), fright_cortisol=np.full(n, 1.5),
                u_quality=rng.random(n), u_fright=rng.random(n), u_kind=rng.random(n))
    q0, p_sens = bh.response_quality(unresolved_r=np.zeros(n, bool), depressed_r=np.zeros(n, bool), **args)
    assert not np.any(q0 == FRIGHTENING)
    np.testing.assert_allclose(p_sens, bh.sigmoid(0.8))
    assert np.mean(q0 == SENSITIVE) == pytest.approx(bh.sigmoid(0.8), abs=0.02)
    q1, _ = bh.response_quality(unresolved_r=np.ones(n, bool), depressed_r=np.zeros(n, bool), **args)
    expected = 0.05 * np.exp(1.5 * 0.5)
    assert np.mean(q1 == FRIGHTENING) == pytest.approx(expected, abs=0.01)


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
