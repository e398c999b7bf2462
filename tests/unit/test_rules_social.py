"""Closed-form checks of the adult social layer's rules (:mod:`model.social`) and its day set-up in
:mod:`model.daily` (support, partner touch, the buffering of every stressor)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import daily, social
from bonding.model import physiology as phys
from bonding.model.params import ParamSet
from bonding.model.population import draw_couple_support
from bonding.model.state import (
    DAYCARE,
    FATHER,
    GRANDPARENT,
    MOTHER,
    SIBLING,
    Caregivers,
    Households,
)


@pytest.mark.parametrize("couple,partner,gp,gp_home,expected", [
    (0.7, False, 0.3, False, 0.0),  # single parent, no grandparent
    (0.7, True, 0.3, False, 0.7),  # partner only
    (0.7, False, 0.3, True, 0.3),  # grandparent only
    (0.7, True, 0.3, True, 1.0 - 0.3 * 0.7),  # independent sources
])
def test_support_level_combines_partner_and_grandparent(couple, partner, gp, gp_home, expected):
    assert social.support_level(couple, partner, gp, gp_home) == pytest.approx(expected)


def test_support_buffer_halves_the_drive_at_best_support_and_is_off_at_gain_0():
    assert social.support_buffer(1.0, 1.0) == pytest.approx(0.5)  # X38: -50.4%
    assert social.support_buffer(0.6, 0.0) == 1.0
    assert social.support_buffer(0.0, 2.0) == 1.0
    s = np.linspace(0, 1, 5)
    assert np.all(np.diff(social.support_buffer(s, 1.0)) < 0), "more support, smaller drive"


def test_stressor_buffer_is_ot_buffer_times_support_buffer_and_the_combination_is_lowest():
    ot, g_ot, s, g_s = 2.2, 0.5, 0.8, 1.0
    b = social.stressor_buffer(ot, g_ot, s, g_s)
    assert b == pytest.approx(1.0 / (1.0 + g_ot * 1.2) / (1.0 + g_s * s))
    ot_only = social.stressor_buffer(ot, g_ot, 0.0, g_s)
    support_only = social.stressor_buffer(1.0, g_ot, s, g_s)
    assert b < min(ot_only, support_only) < 1.0  # Heinrichs et al. 2003: support + OT lowest
    assert social.stressor_buffer(1.0, g_ot, 0.0, g_s) == 1.0  # no OT above tone, no support: undamped
    assert social.stressor_buffer(ot, 0.0, s, 0.0) == 1.0  # both switches off
    assert social.buffered_stress(0.4, ot, g_ot, s, g_s) == pytest.approx(0.4 * b)


def test_partner_touch_hours_scale_with_support_and_stop_at_shared_hours():
    shared = np.array([0.0, 6.0, 0.2, 6.0])
    support = np.array([0.9, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(social.partner_touch_hours(shared, support, 1.0), [0.0, 0.5, 0.2, 1.0])
    np.testing.assert_allclose(social.partner_touch_hours(shared, support, 0.0), 0.0)


def test_partner_touch_release_is_the_engines_affectionate_touch_rule():
    r = social.partner_touch_release(1.0, 0.35, 0.9, 0.8)
    assert r == pytest.approx(1.0 * 0.35 * 1.0 * 0.8)
    assert r == phys.touch_ot_release(1.0, 0.0, 1.0, 0.35, 0.9, social.PARTNER_TOUCH_MATCH, 0.0, 0.8)
    assert social.partner_touch_release(0.0, 0.35, 0.9, 0.8) == 0.0  # domain d off


def test_partner_touch_day_ot_is_the_time_weighted_mean():
    assert social.partner_touch_day_ot(1.5, 0.35, 2.0) == pytest.approx(1.5 * (1 + 0.35 * 2.0 / 24.0))
    assert social.partner_touch_day_ot(1.5, 0.35, 0.0) == 1.5


def test_buffered_cortisol_target_damps_only_the_stressors():
    chronic, load, extra = 0.9, 0.4, 0.5  # chronic = load 0.4 + depression/fatigue 0.5
    assert social.buffered_cortisol_target(chronic, load, extra, 1.0) == pytest.approx(chronic + extra)
    assert social.buffered_cortisol_target(chronic, load, extra, 0.5) == pytest.approx(0.5 + 0.5 * 0.9)
    assert social.buffered_cortisol_target(chronic, load, extra, 0.0) == pytest.approx(0.5)


# ------------------------------------------------------------------ the day set-up (model.daily)
def _household_set(h=4):
    cg = Caregivers.empty(h)
    cg.exists[:, MOTHER] = True
    cg.exists[:, FATHER] = [True, False, True, False]
    cg.exists[:, GRANDPARENT] = [False, False, True, True]
    cg.exists[:, SIBLING] = True
    cg.present[:] = cg.exists
    cg.couple_support[:, MOTHER] = cg.couple_support[:, FATHER] = 0.5
    cg.ot_tone[:] = 1.0
    cg.ot_reactivity[:] = 1.0
    hh = Households(breastfeeding=np.zeros(h, bool), daycare=np.zeros(h, bool), ot_rise=np.zeros(h))
    hh.available = np.zeros((24,) + cg.exists.shape, bool)
    hh.available[:] = cg.exists & cg.present
    hh.available[8:18] = False  # both at work 08-18
    return cg, hh


def test_shared_waking_hours_count_hours_both_parents_are_available_awake():
    cg, hh = _household_set()
    # awake hours 07-22 (16) less the 10 working hours; no father: 0
    np.testing.assert_array_equal(daily.shared_waking_hours(hh.available), [6, 0, 6, 0])


def test_partner_social_day_gives_support_and_touch_to_couples_only():
    cg, hh = _household_set()
    p = ParamSet.uniform(4, {"grandparent_support": 0.3, "partner_touch_per_day": 1.0,
                             "support_stress_buffering": 1.0, "ot_stress_buffering": 0.5})
    buffer, support_f = daily.partner_social_day(cg, hh, p)
    np.testing.assert_allclose(cg.social_support[:, MOTHER], [0.5, 0.0, 1 - 0.5 * 0.7, 0.3])
    np.testing.assert_allclose(cg.social_support[:, FATHER], [0.5, 0.0, 1 - 0.5 * 0.7, 0.0])
    assert np.all(cg.social_support[:, [GRANDPARENT, SIBLING, DAYCARE]] == 0)
    np.testing.assert_allclose(cg.partner_touch_hours[:, MOTHER], [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(cg.partner_touch_hours[:, MOTHER], cg.partner_touch_hours[:, FATHER])
    np.testing.assert_allclose(support_f, 1.0 / (1.0 + cg.social_support))
    # tone 1: the OT buffer acts only through the partner-touch release (0.35 x 0.5 h / 24)
    day_ot = 1.0 + 0.35 * 0.5 / 24.0
    np.testing.assert_allclose(buffer[0, MOTHER], 1.0 / (1.0 + 0.5 * (day_ot - 1.0)) / 1.5)
    assert buffer[1, MOTHER] == 1.0  # single mother, no grandparent, tone 1


def test_chronic_stressor_load_is_the_poverty_and_grief_part_of_the_target():
    cg, _ = _household_set()
    cg.loneliness[:, MOTHER] = [0.0, 1.0, 0.5, 0.0]
    p = ParamSet.uniform(4, {"poverty_stress": 0.4})
    load = daily.chronic_stressor_load(cg, p)
    np.testing.assert_allclose(load[:, MOTHER], daily.POVERTY_CORTISOL * 0.4 + daily.GRIEF_CORTISOL * cg.loneliness[:, MOTHER])
    cg.fatigue[:] = 0.0
    np.testing.assert_allclose(daily.chronic_cortisol_target(cg, p), load)  # no depression, no fatigue


def test_couple_support_is_shared_by_the_couple_and_follows_its_mean():
    lo = draw_couple_support(ParamSet.uniform(4000, {"couple_support_mean": 0.3}), np.random.default_rng(1))
    hi = draw_couple_support(ParamSet.uniform(4000, {"couple_support_mean": 0.8}), np.random.default_rng(1))
    np.testing.assert_array_equal(lo[:, MOTHER], lo[:, FATHER])
    assert np.all(lo[:, [GRANDPARENT, SIBLING, DAYCARE]] == 0)
    assert np.all((lo[:, MOTHER] > 0) & (lo[:, MOTHER] < 1))
    assert np.median(lo[:, MOTHER]) == pytest.approx(0.3, abs=0.03)
    assert np.all(hi[:, MOTHER] > lo[:, MOTHER])
