"""Closed-form checks of the hourly rules taken out of the compiled kernel (issue 12).

Each rule is called as plain Python with hand-picked inputs whose output is computed here by
hand from the equation in its docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model import physiology as phys
from bonding.model.state import (
    DISTRESS_BID,
    FRIGHTENING,
    INTRUSIVE,
    NO_BID,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
)


# ------------------------------------------------------------------ needs
def test_hunger_step_adds_the_age_rate_up_to_the_ceiling():
    assert bh.hunger_step(0.2, 0.0, 2.5, 4.5) == pytest.approx(0.6)  # newborn: 1 / 2.5 h
    assert bh.hunger_step(0.2, 12.0, 2.5, 4.5) == pytest.approx(0.2 + 1 / 4.5)
    assert bh.hunger_step(0.2, 6.0, 2.5, 4.5) == pytest.approx(0.2 + 1 / 3.5)  # halfway: 3.5 h
    assert bh.hunger_step(1.4, 0.0, 2.5, 4.5) == bh.NEED_MAX == 1.5


def test_discomfort_step_sets_on_an_episode_and_halves_otherwise():
    assert bh.discomfort_step(0.6, 0.01, 0.05) == 1.0
    assert bh.discomfort_step(0.6, 0.5, 0.05) == pytest.approx(0.3)
    assert bh.discomfort_step(0.6, 0.05, 0.05) == pytest.approx(0.3)  # u == p: no episode


def test_contact_need_grows_only_while_awake_up_to_the_ceiling():
    assert bh.contact_need_step(0.4, True, 0.15) == 0.4
    assert bh.contact_need_step(0.4, False, 0.15) == pytest.approx(0.55)
    assert bh.contact_need_step(1.45, False, 0.15) == 1.5


def test_hungry_cry_is_a_distress_bid_above_the_hunger_threshold():
    assert bh.HUNGRY == 0.55
    assert bh.hungry_cry(DISTRESS_BID, 0.56)
    assert not bh.hungry_cry(DISTRESS_BID, 0.55)
    assert not bh.hungry_cry(SOCIAL_BID, 0.9)
    # the one threshold also decides a feed and the hunger term of distress
    assert bh.touch_kind(DISTRESS_BID, 0.56, 0.5, 0.0)[0] and not bh.touch_kind(DISTRESS_BID, 0.55, 0.5, 0.0)[0]
    assert bh.infant_distress(0.55, 0.0, 0.0, 0.0, 0.0) == pytest.approx(bh.infant_distress(0.1, 0.0, 0.0, 0.0, 0.0))


def test_relieve_needs_closed_form():
    assert bh.relieve_needs(1.0, 0.5, 0.8, 1.0, True, True) == pytest.approx((0.0, 0.15, 0.0))
    assert bh.relieve_needs(1.0, 0.5, 0.8, 0.5, True, True) == pytest.approx((0.2, 0.325, 0.4))
    # no feed, social bid: only the need for contact is relieved
    assert bh.relieve_needs(1.0, 0.5, 0.8, 0.2, False, False) == pytest.approx((1.0, 0.5, 0.64))
    # a feed that relieves nothing (frightening) still leaves 40% of hunger
    assert bh.relieve_needs(1.0, 0.5, 0.8, 0.0, True, True) == pytest.approx((0.4, 0.5, 0.8))


# ------------------------------------------------------------------ response
def test_response_attunement_adds_distress_sensitivity_only_to_distress():
    assert bh.response_attunement(0.3, 0.5, DISTRESS_BID) == pytest.approx(0.8)
    assert bh.response_attunement(0.3, 0.5, SOCIAL_BID) == 0.3


def test_episode_contact_has_no_touch_when_frightening():
    assert bh.episode_contact(DISTRESS_BID, SENSITIVE, 0.9, 0.5, 0.1) == (True, True, False)
    assert bh.episode_contact(DISTRESS_BID, FRIGHTENING, 0.9, 0.5, 0.1) == (True, False, False)
    assert bh.episode_contact(SOCIAL_BID, INTRUSIVE, 0.1, 0.5, 0.1) == (False, False, True)
    assert bh.episode_contact(SOCIAL_BID, INTRUSIVE, 0.1, 0.5, 0.9) == (False, True, False)
    assert bh.episode_contact(SOCIAL_BID, FRIGHTENING, 0.1, 0.5, 0.1) == (False, False, False)


def test_engaged_and_unsoothed_crying():
    assert bh.engaged(0, DISTRESS_BID, SENSITIVE)
    assert not bh.engaged(-1, DISTRESS_BID, SENSITIVE)
    assert not bh.engaged(1, SOCIAL_BID, FRIGHTENING)
    assert not bh.engaged(1, NO_BID, SENSITIVE)
    assert bh.unsoothed_crying(DISTRESS_BID, INTRUSIVE)
    assert not bh.unsoothed_crying(DISTRESS_BID, SENSITIVE)
    assert not bh.unsoothed_crying(SOCIAL_BID, REJECTING)


def test_infant_maturity_rises_linearly_to_one_at_nine_months():
    assert bh.infant_maturity(0.0) == pytest.approx(0.3)
    assert bh.infant_maturity(4.5) == pytest.approx(0.65)
    assert bh.infant_maturity(9.0) == pytest.approx(1.0)
    assert bh.infant_maturity(12.0) == pytest.approx(1.0)


# ------------------------------------------------------------------ oxytocin
def test_central_ot_step_closed_form():
    # 0.25 * 2 + 0.75 * (1.5 * 1.4 + 0.5) = 2.45
    assert phys.central_ot_step(2.0, 1.5, 0.4, 0.5, 0.25) == pytest.approx(2.45)
    assert phys.central_ot_step(2.0, 1.5, 0.0, 0.0, 0.25) == pytest.approx(0.5 + 0.75 * 1.5)


def test_touch_ot_release_closed_form():
    assert phys.touch_ot_release(True, False, 1.0, 0.35, 0.35, 1.0, 0.3, 0.5) == pytest.approx(0.175)
    assert phys.touch_ot_release(False, True, 2.0, 0.35, 0.4, 1.0, 0.3, 1.0) == pytest.approx(0.24)
    assert phys.touch_ot_release(False, False, 2.0, 0.35, 0.4, 1.0, 0.3, 1.0) == 0.0
    assert phys.touch_ot_release(True, False, 0.0, 0.35, 0.4, 1.0, 0.3, 1.0) == 0.0  # domain (d) off


def test_infant_touch_ot_release_closed_form():
    assert phys.infant_touch_ot_release(True, 1.0, 0.4, 0.5) == pytest.approx(0.2)
    assert phys.infant_touch_ot_release(False, 1.0, 0.4, 0.5) == 0.0


def test_suckling_pulses_twenty_minutes_of_release_fewer_under_stress():
    assert phys.suckling_pulses(5.0, 0.0) == pytest.approx(10.0)
    assert phys.suckling_pulses(5.0, 1.0) == pytest.approx(5.0)
    assert phys.suckling_pulses(5.0, -0.5) == pytest.approx(10.0)  # below-mean cortisol: no extra pulses


def test_plasma_ot_hour_mean_closed_form():
    # 4 + 4 * 1 * 0.5 + 10 pulses * 6 pg/ml * 3 min / ln2 / 60 min
    assert phys.plasma_ot_hour_mean(4.0, 0.5, 1.0, 10.0, 6.0, 3.0) == pytest.approx(6.0 + 3.0 / math.log(2.0))


# ------------------------------------------------------------------ cortisol, prolactin
def test_caregiver_cry_stress_is_divided_by_the_ot_buffer():
    assert phys.caregiver_cry_stress(0.35, 3.0, 0.5) == pytest.approx(0.175)  # 0.35 / (1 + 0.5 * 2)
    assert phys.caregiver_cry_stress(0.35, 0.8, 0.5) == pytest.approx(0.35)  # below tone: no buffer


def test_cortisol_level_closed_form_and_floor():
    assert phys.cortisol_level(250.0, 1.2, 0.4) == pytest.approx(420.0)
    assert phys.cortisol_level(250.0, 1.2, -2.0) == pytest.approx(15.0)  # floored at 5% of the curve


def test_infant_hpa_drive_closed_form_and_fright_kick():
    # 0.5 * 1.2 * 0.8 * (1 - 0.6 * 0.5) * 0.5 = 0.168
    assert phys.infant_hpa_drive(0.5, 1.2, 0.8, 0.6, 0.5, 0.5, False) == pytest.approx(0.168)
    assert phys.infant_hpa_drive(0.5, 1.2, 0.8, 0.6, 0.5, 0.5, True) == pytest.approx(0.968)


def test_prolactin_excess_decays_and_a_feed_adds_fold_minus_one():
    assert phys.prolactin_excess_step(0.5, 0.4, False, 2.0) == pytest.approx(0.2)
    assert phys.prolactin_excess_step(0.5, 0.4, True, 2.0) == pytest.approx(1.2)
    assert phys.prolactin_level(100.0, 1.2) == pytest.approx(220.0)


# ------------------------------------------------------------------ learning
def test_episode_reward_is_the_ot_gain_only_after_a_positive_response():
    assert ln.episode_reward(False, 4.0, 4.0) == 0.0
    assert ln.episode_reward(True, 4.0, 4.0) == pytest.approx(1.0)
    assert ln.episode_reward(True, 2.0, 4.0) == pytest.approx(0.5 * math.exp(0.5))


@pytest.mark.parametrize("response, expected", [
    (SENSITIVE, (0.7, 0.0, 0.0, 0.0, 0.0)),
    (INTRUSIVE, (0.0, 0.7, 0.7, 0.0, 0.0)),
    (REJECTING, (0.0, 0.7, 0.0, 0.7, 0.0)),
    (FRIGHTENING, (0.0, 0.7, 0.0, 0.0, 1.0)),
])
def test_working_model_evidence_by_response(response, expected):
    assert ln.working_model_evidence(response, 0.7) == pytest.approx(expected)


def test_unanswered_share_is_proportional_to_address():
    assert ln.unanswered_share(0.8, 2.0, 5.0) == pytest.approx(0.32)
    shares = [ln.unanswered_share(0.8, a, 5.0) for a in (2.0, 3.0)]
    assert sum(shares) == pytest.approx(0.8)  # the whole bid is shared out


# ------------------------------------------------------------------ physiological ceilings
def test_saturating_ceiling_is_identity_below_the_knee_and_hyperbolic_above():
    assert phys.saturating_ceiling(7.3, 10.0, 20.0) == 7.3  # exactly unchanged
    assert phys.saturating_ceiling(20.0, 10.0, 20.0) == pytest.approx(15.0)  # 10 + 10 * 10 / 20
    assert phys.saturating_ceiling(1e12, 10.0, 20.0) < 20.0
    x = np.linspace(0.0, 200.0, 401)
    y = phys.saturating_ceiling(x, 10.0, 20.0)
    assert np.all(np.diff(y) > 0) and np.all(y < 20.0)  # rising, never reaching the ceiling


@pytest.mark.parametrize("level, ceiling", [
    (lambda big: phys.plasma_ot_hour_mean(big, 1.0, 1.0, 20.0, 30.0, 6.0), phys.PLASMA_OT_MAX),
    (lambda big: phys.central_ot_step(big, big, 2.0, 5.0, 0.3), phys.CENTRAL_OT_MAX),
    (lambda big: phys.cortisol_level(500.0, 3.9, big), phys.CORTISOL_MAX),
    (lambda big: phys.infant_cortisol_level(20.0, 1.6, big), phys.INFANT_CORTISOL_MAX),
    (lambda big: phys.prolactin_level(200.0, big), phys.PROLACTIN_MAX),
])
def test_hormone_levels_saturate_below_their_declared_ceiling(level, ceiling):
    values = [level(big) for big in (1.0, 10.0, 1e3, 1e6, 1e12)]
    assert all(v < ceiling for v in values)
    assert values == sorted(values)  # more drive never lowers the level


def test_the_compiled_saturating_ceiling_equals_the_python_rule_bit_for_bit():
    import numba

    @numba.njit
    def compiled(values, knee, ceiling):
        out = np.empty_like(values)
        for i in range(values.size):
            out[i] = phys.saturating_ceiling(values[i], knee, ceiling)
        return out

    x = np.concatenate([np.linspace(-5.0, 600.0, 1001), [250.0, np.nextafter(250.0, 300.0), 1e300]])
    np.testing.assert_array_equal(compiled(x, 250.0, 500.0), phys.saturating_ceiling(x, 250.0, 500.0))
