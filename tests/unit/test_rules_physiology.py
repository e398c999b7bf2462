"""Closed-form checks of the hormone-kinetics rules in :mod:`model.physiology`."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import physiology as phys

LN2 = np.log(2.0)


@pytest.mark.parametrize("t_half", [1.0, 3.0, 25.0, 60.0, 66.0, 120.0])
def test_hourly_carryover_is_exp_minus_ln2_60_over_halflife(t_half):
    assert phys.hourly_carryover(t_half) == pytest.approx(np.exp(-LN2 * 60.0 / t_half), rel=1e-6)


def test_hourly_carryover_halves_for_a_60_min_halflife_and_vectorises():
    assert phys.hourly_carryover(60.0) == pytest.approx(0.5, rel=1e-6)
    t = np.array([3.0, 25.0, 66.0])
    c = np.asarray(phys.hourly_carryover(t))
    assert c.shape == (3,)
    assert np.all(np.diff(c) > 0), "longer half-life must leave more behind"
    assert np.all((c > 0) & (c < 1))


@pytest.mark.parametrize("target,acute,t_half", [(0.0, 0.0, 66.0), (0.3, 0.0, 66.0), (0.2, 0.1, 66.0),
                                                   (0.5, 0.35, 40.0), (0.0, 0.2, 120.0)])
def test_cortisol_excess_step_converges_to_closed_form_steady_state(target, acute, t_half):
    carry = phys.hourly_carryover(t_half)
    x_ss = target + acute / (1.0 - carry)  # fixed point of x = c x + (1-c) T + A
    assert phys.cortisol_excess_step(x_ss, target, acute, carry) == pytest.approx(x_ss, rel=1e-6, abs=1e-9)
    x = np.array([-0.5, 0.0, 2.0])
    for _ in range(400):
        x = phys.cortisol_excess_step(x, target, acute, carry)
    np.testing.assert_allclose(x, x_ss, rtol=1e-5, atol=1e-6)


def test_cortisol_excess_step_relaxes_by_the_carryover():
    carry = phys.hourly_carryover(66.0)
    # without acute drive the distance to target shrinks by exactly `carry` per hour
    x0, target = 1.0, 0.2
    x1 = phys.cortisol_excess_step(x0, target, 0.0, carry)
    assert (x1 - target) == pytest.approx(carry * (x0 - target), rel=1e-6)


@pytest.mark.parametrize("tone,release,exo", [(1.0, 0.0, 0.0), (1.2, 0.35, 0.0), (0.8, 0.0, 1.0), (1.0, 0.7, 0.5)])
def test_central_ot_step_fixed_point(tone, release, exo):
    carry = phys.hourly_carryover(25.0)
    fixed = tone * (1.0 + release) + exo
    assert phys.central_ot_step(fixed, tone, release, exo, carry) == pytest.approx(fixed, rel=1e-6)
    x = np.array([0.1, 1.0, 5.0])
    for _ in range(60):
        x = phys.central_ot_step(x, tone, release, exo, carry)
    np.testing.assert_allclose(x, fixed, rtol=1e-5)
    # one step moves monotonically toward the fixed point without overshoot
    y = phys.central_ot_step(0.1, tone, release, exo, carry)
    assert 0.1 < y < fixed


def test_plasma_ot_hour_mean_basal_coupling_and_pulse_area():
    sp = np.array([4.0, 10.0])
    # basal: no release, no pulses -> set-point
    np.testing.assert_allclose(phys.plasma_ot_hour_mean(sp, 0.0, 0.15, 0.0, 6.0, 3.0), sp, rtol=1e-6)
    # central release reaches plasma only via the coupling
    np.testing.assert_allclose(phys.plasma_ot_hour_mean(sp, 0.5, 0.2, 0.0, 6.0, 3.0), sp * 1.1, rtol=1e-6)
    np.testing.assert_allclose(phys.plasma_ot_hour_mean(sp, 0.5, 0.0, 0.0, 6.0, 3.0), sp, rtol=1e-6)
    # n pulses of peak P and half-life t add n * P * t / ln2 / 60 to the hour mean
    for n, peak, th in [(1, 6.0, 3.0), (10, 6.0, 3.0), (5, 20.0, 1.5), (7, 3.0, 6.0)]:
        got = phys.plasma_ot_hour_mean(sp, 0.0, 0.15, n, peak, th) - sp
        np.testing.assert_allclose(got, n * peak * th / LN2 / 60.0, rtol=1e-5)


def test_stress_buffer_is_one_at_or_below_tone_and_decreasing_above():
    ot_low = np.array([0.0, 0.3, 0.99, 1.0])
    for gain in (0.0, 0.5, 2.0):
        np.testing.assert_allclose(phys.stress_buffer(ot_low, gain), 1.0)
    ot = np.linspace(1.0, 5.0, 41)
    b = phys.stress_buffer(ot, 0.5)
    assert np.all(np.diff(b) < 0)
    assert np.all((b > 0) & (b <= 1))
    assert phys.stress_buffer(2.0, 0.5) == pytest.approx(1.0 / 1.5, rel=1e-6)
    # stronger gain buffers more; gain 0 switches the mechanism off
    assert phys.stress_buffer(2.0, 2.0) < phys.stress_buffer(2.0, 0.5)
    np.testing.assert_allclose(phys.stress_buffer(ot, 0.0), 1.0)


@pytest.mark.parametrize("optimum", [0.5, 1.0, 1.5, 4.0])
def test_social_reward_gain_peaks_at_the_optimum_with_value_one(optimum):
    assert phys.social_reward_gain(optimum, optimum) == pytest.approx(1.0, rel=1e-6)
    grid = np.linspace(0.0, 4 * optimum, 4001)
    g = phys.social_reward_gain(grid, optimum)
    assert g.max() <= 1.0 + 1e-6
    assert grid[np.argmax(g)] == pytest.approx(optimum, rel=2e-3)
    assert phys.social_reward_gain(0.0, optimum) == pytest.approx(0.0, abs=1e-9)
    # inverted U: rises below, falls above
    assert phys.social_reward_gain(0.5 * optimum, optimum) < 1.0
    assert phys.social_reward_gain(2.0 * optimum, optimum) < 1.0


def test_infant_hpa_gain_ratios_follow_ph15():
    g2, tau = 1.5, 3.5
    g = lambda m: float(phys.infant_hpa_gain(m, g2, tau))  # noqa: E731
    assert g(0.5) == pytest.approx(g2) and g(2.0) == pytest.approx(g2), "flat before 2 months"
    assert g(4.0) / g2 == pytest.approx(np.exp(-2 / 3.5), rel=1e-6)
    assert 0.5 < g(4.0) / g2 < 0.6  # PH15: clearly lower by 4 months (~56%)
    assert 0.28 < g(6.0) / g2 < 0.36  # ~32% at 6 months
    assert g(12.0) / g2 < 0.06  # mostly absent by 12 months
    assert g(4.0) > g(6.0) > g(12.0)


def test_maternal_prolactin_base_ph11_values():
    at6 = np.array([50.0])
    lact, non = np.array([True]), np.array([False])
    dpm = 30.4375
    assert phys.maternal_prolactin_base(1.0, -1.0, lact, at6)[0] == pytest.approx(200.0, rel=0.05)  # term ~200
    assert phys.maternal_prolactin_base(0.0, -200.0, lact, at6)[0] < 25.0  # non-pregnant < 25
    assert phys.maternal_prolactin_base(1.0, 7.0, lact, at6)[0] == pytest.approx(100.0, rel=0.05)
    assert phys.maternal_prolactin_base(1.0, 3 * dpm, lact, at6)[0] == pytest.approx(100.0, rel=0.05)
    assert phys.maternal_prolactin_base(1.0, 6 * dpm, lact, at6)[0] == pytest.approx(50.0, rel=0.05)
    assert phys.maternal_prolactin_base(1.0, 6 * dpm, lact, np.array([80.0]))[0] == pytest.approx(80.0, rel=0.05)
    assert phys.maternal_prolactin_base(1.0, 12 * dpm, lact, at6)[0] == pytest.approx(30.0, rel=0.05)
    # without lactation: back under 25 by day 7, and below the lactating level throughout
    assert phys.maternal_prolactin_base(1.0, 7.0, non, at6)[0] < 25.0
    for d in (1.0, 3.0, 7.0, 30.0):
        assert phys.maternal_prolactin_base(1.0, d, non, at6)[0] < phys.maternal_prolactin_base(1.0, d, lact, at6)[0]


def test_maternal_steroids_ph12():
    fold = np.array([50.0])
    e2_term, p4_term = phys.maternal_steroids(1.0, -1.0, np.array([True]), fold)
    assert e2_term[0] == pytest.approx(100.0 * 50.0, rel=1e-6)  # ~50x pre-pregnancy
    e2_early, p4_early = phys.maternal_steroids(0.0, -200.0, np.array([True]), fold)
    assert e2_early[0] < e2_term[0] and np.ravel(p4_early)[0] < np.ravel(p4_term)[0]
    for lact in (True, False):
        _, p4_d3 = phys.maternal_steroids(1.0, 3.0, np.array([lact]), fold)
        assert np.ravel(p4_d3)[0] < 5.0, "progesterone must be below luteal levels by day 3"
        e2_d21, _ = phys.maternal_steroids(1.0, 21.0, np.array([lact]), fold)
        assert e2_d21[0] < 150.0  # back near follicular levels by ~3 weeks
    e2_l, _ = phys.maternal_steroids(1.0, 60.0, np.array([True]), fold)
    e2_n, _ = phys.maternal_steroids(1.0, 60.0, np.array([False]), fold)
    assert e2_l[0] < e2_n[0], "lactation holds estradiol low"


def test_testosterone_target_falls_with_care_and_transition_with_floor():
    sp = np.array([18.0, 18.0, 18.0])
    care = np.array([0.0, 3.0, 100.0])
    t = phys.testosterone_target(sp, 1.0, 0.15, care, 0.04)
    assert t[0] == pytest.approx(18.0 * 0.85)
    assert t[1] == pytest.approx(18.0 * 0.85 * (1 - 0.12))
    assert t[2] == pytest.approx(18.0 * 0.85 * 0.4)  # floor at 40 %
    t0 = phys.testosterone_target(sp, 0.0, 0.15, np.zeros(3), 0.04)
    np.testing.assert_allclose(t0, sp)
