"""Knock-out and dose tests: every mechanism moves its outputs in the expected direction.

Each test compares runs with the SAME seed (common random numbers), so differences come from
the manipulated parameter, not from sampling noise. Populations are small (300 households) and
horizons short (1-2 months after birth).
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import OTDose, arrays_equal, outcomes, role_mean, run, series_mean
from bonding.model.interventions import CaregiverLoss, SensitivityCoaching

H = 200
M = 0.75

# touch gains raised so that contact lifts central OT well above tone (makes domain (a) visible)
STRONG_TOUCH = dict(touch_ot_gain_affectionate=2.0, touch_ot_gain_stimulatory=2.0, infant_touch_ot_gain=2.0)


# ------------------------------------------------------------------ four OT domains
def test_domain_a_stress_buffering_off_raises_caregiver_and_infant_cortisol():
    off = run({**STRONG_TOUCH, "ot_stress_buffering": 0.0}, H, M)
    on = run({**STRONG_TOUCH, "ot_stress_buffering": 2.0}, H, M)
    for role in ("mother", "father"):
        assert role_mean(off, "cortisol_mean", role) > role_mean(on, "cortisol_mean", role) * 1.01, role
    assert series_mean(off, "infant_cortisol", "infant") > series_mean(on, "infant_cortisol", "infant")


def test_domain_b_emotion_recognition_with_raised_ot_raises_detection_and_sensitivity():
    dose = [OTDose(1.0)]  # central OT ~2x tone
    off = run({"ot_emotion_recognition": 0.0}, H, M, interventions=dose)
    hi = run({"ot_emotion_recognition": 2.0}, H, M, interventions=[OTDose(1.0)])
    assert role_mean(hi, "sensitivity") > role_mean(off, "sensitivity") + 0.1
    assert role_mean(hi, "share_sensitive") > role_mean(off, "share_sensitive") + 0.05
    # more cues detected -> more responses by the mother
    assert role_mean(hi, "responses") > role_mean(off, "responses") * 1.05


def test_domain_b_raising_ot_helps_only_when_recognition_is_on():
    base = run({"ot_emotion_recognition": 2.0}, H, M)
    dosed = run({"ot_emotion_recognition": 2.0}, H, M, interventions=[OTDose(1.0)])
    assert role_mean(dosed, "sensitivity") > role_mean(base, "sensitivity") + 0.05


SYNC_ISOLATED = dict(ot_emotion_recognition=0.0, ot_stress_buffering=0.0, motivation_gain=0.0)


def test_domain_c_synchrony_off_removes_the_ot_synchrony_link():
    """With OT's other routes to behaviour switched off, an OT dose changes synchrony only via domain (c)."""
    off_a = run({**SYNC_ISOLATED, "ot_synchrony": 0.0}, H, M)
    off_b = run({**SYNC_ISOLATED, "ot_synchrony": 0.0}, H, M, interventions=[OTDose(1.0)])
    assert arrays_equal(outcomes(off_a)["synchrony"], outcomes(off_b)["synchrony"]), \
        "ot_synchrony = 0 but raising OT still changed synchrony"
    on_a = run({**SYNC_ISOLATED, "ot_synchrony": 2.0}, H, M)
    on_b = run({**SYNC_ISOLATED, "ot_synchrony": 2.0}, H, M, interventions=[OTDose(1.0)])
    for role in ("mother", "father"):
        assert role_mean(on_b, "synchrony", role) > role_mean(on_a, "synchrony", role) + 0.02, role


def test_domain_d_social_touch_off_removes_touch_evoked_ot_in_infants_and_caregivers():
    # without the contact-history drift of the set-point (issue 14 item 3), which touch would move
    off = run({"ot_social_touch": 0.0, "ot_contact_setpoint_gain": 0.0}, H, M)
    on = run({"ot_social_touch": 2.0, "ot_contact_setpoint_gain": 0.0}, H, M)
    # infants: OT never leaves baseline without touch-evoked release
    np.testing.assert_allclose(off.inf.ot, 1.0, rtol=1e-9)
    assert series_mean(off, "infant_ot", "infant") == pytest.approx(1.0, abs=1e-9)
    assert series_mean(on, "infant_ot", "infant") > 1.05
    # fathers (no suckling pulses, no pregnancy shift): plasma OT sits exactly at the set-point
    ex = off.cg.exists[:, 1]
    df_off, df_on = outcomes(off), outcomes(on)
    fathers_off = df_off.loc[df_off.role == "father", "ot_plasma_mean"].to_numpy()
    np.testing.assert_allclose(fathers_off, off.cg.ot_setpoint[ex, 1], rtol=1e-9)
    fathers_on = df_on.loc[df_on.role == "father", "ot_plasma_mean"].to_numpy()
    assert np.all(fathers_on >= on.cg.ot_setpoint[ex, 1] * (1 - 1e-9))
    assert np.mean(fathers_on > on.cg.ot_setpoint[ex, 1] * 1.001) > 0.5


# ------------------------------------------------------------------ dopamine learning
def test_bond_learning_rate_zero_keeps_the_bond_at_its_birth_value():
    frozen = {"bond_learning_rate": 0.0, "bond_decay_per_day": 0.0}
    at_birth = run(frozen, H, 0.0)
    later = run(frozen, H, M)
    ex = later.cg.exists
    np.testing.assert_array_equal(later.cg.bond[ex], at_birth.cg.bond[ex])


def test_higher_bond_learning_rate_moves_the_bond_faster():
    at_birth = run({}, H, 0.0)
    slow = run({"bond_learning_rate": 0.005}, H, M)
    fast = run({"bond_learning_rate": 0.05}, H, M)
    ex = slow.cg.exists
    move = lambda s: np.abs(s.cg.bond[ex] - at_birth.cg.bond[ex]).mean()  # noqa: E731
    assert move(fast) > 2 * move(slow)
    for role in ("mother", "father"):
        assert role_mean(fast, "bond", role) > role_mean(slow, "bond", role)


# ------------------------------------------------------------------ infant working model
def test_working_model_distress_weighting_discounts_calm_bids():
    ev = {}
    for g in (0.0, 2.0, 5.0):
        s = run({"iwm_distress_weight": g, "iwm_memory_days": 720}, H, M)
        df = outcomes(s)
        ev[g] = df.loc[df.role == "mother", "iwm_evidence"].sum()
        if g == 0.0:
            # every answered bid counts fully (forgetting over one month at 720 d is < 5 %)
            m = df[df.role == "mother"]
            assert m["iwm_evidence"].sum() >= 0.9 * m["responses"].sum()
    assert ev[0.0] > ev[2.0] > ev[5.0]


# ------------------------------------------------------------------ mood: depression, fatigue, grief
def test_depression_risk_raises_depression_and_lowers_sensitivity():
    base = run({}, H, M)
    risky = run({"maternal_depression_hazard_ratio": 20.0}, H, M)
    assert role_mean(risky, "caregiver_depressed") > role_mean(base, "caregiver_depressed") + 0.3
    assert role_mean(risky, "sensitivity") < role_mean(base, "sensitivity") - 0.05
    # the sensitivity cost goes through depression_detection
    risky_nocost = run({"maternal_depression_hazard_ratio": 20.0, "depression_detection": 0.0}, H, M)
    assert role_mean(risky_nocost, "sensitivity") > role_mean(risky, "sensitivity")


def test_paternal_depression_risk_raises_paternal_depression():
    base = run({}, H, M)
    risky = run({"paternal_depression_onset_base": 0.02}, H, M)
    assert role_mean(risky, "caregiver_depressed", "father") > role_mean(base, "caregiver_depressed", "father") + 0.3


def test_fatigue_from_night_care_lowers_sensitivity():
    rested = run({"fatigue_per_night_hour": 0.0}, H, M)
    tired = run({"fatigue_per_night_hour": 0.5}, H, M)
    assert role_mean(rested, "fatigue") == 0.0
    assert role_mean(tired, "fatigue") > 0.5
    assert role_mean(tired, "sensitivity") < role_mean(rested, "sensitivity") - 0.05
    slow_recovery = run({"fatigue_per_night_hour": 0.5, "fatigue_recovery_days": 10.0}, H, M)
    assert role_mean(slow_recovery, "fatigue") > role_mean(tired, "fatigue")


def test_grief_after_caregiver_loss_raises_cortisol_and_lowers_ot_tone_in_those_left():
    loss = lambda: [CaregiverLoss(role="father", month=0.1)]  # noqa: E731
    none = run({"grief_loneliness": 0.0}, H, M, interventions=loss())
    grief = run({"grief_loneliness": 2.0}, H, M, interventions=loss())
    assert not grief.cg.exists[:, 1].any(), "every father should be gone after the loss"
    had_father = run({"grief_loneliness": 2.0}, H, M).cg.exists[:, 1]  # same seed: same households
    assert np.all(none.cg.loneliness[:, 0] == 0.0)
    assert np.all(grief.cg.loneliness[had_father, 0] > 0.5)
    assert np.all(grief.cg.loneliness[~had_father, 0] == 0.0)
    assert role_mean(grief, "cortisol_mean") > role_mean(none, "cortisol_mean") * 1.1
    assert role_mean(grief, "ot_central_tone") < role_mean(none, "ot_central_tone") * 0.95
    # and compared with no loss at all, only the bereaved households are lonely
    intact = run({"grief_loneliness": 2.0}, H, M)
    assert np.all(intact.cg.loneliness == 0.0)


def _central_plasma_r(sim):
    m = sim.cg.exists[:, 0]
    return np.corrcoef(np.log(sim.cg.ot_tone[m, 0]), np.log(sim.cg.ot_plasma_setpoint_now[m, 0]))[0, 1]


def test_central_ot_trait_decouples_central_tone_from_the_plasma_set_point():
    """PH5: basal central and plasma OT correlate ~.08; the central trait is what makes that possible."""
    plasma_only = run({"ot_tone_sd": 0.0, "ot_trait_coupling": 0.3}, 600, M)
    with_trait = run({"ot_tone_sd": 0.2, "ot_trait_coupling": 0.3}, 600, M)
    default = run({}, 600, M)
    assert _central_plasma_r(plasma_only) > 0.6
    assert _central_plasma_r(with_trait) < _central_plasma_r(plasma_only) - 0.2
    assert abs(_central_plasma_r(default)) < 0.25
    # the trait adds between-person spread to tone, and it was drawn after everything else (CRN)
    assert np.log(with_trait.cg.ot_tone[:, 0]).std() > np.log(plasma_only.cg.ot_tone[:, 0]).std()
    assert arrays_equal(with_trait.cg.sensitivity_trait, plasma_only.cg.sensitivity_trait)
    assert arrays_equal(with_trait.hh.breastfeeding, plasma_only.hh.breastfeeding)


# ------------------------------------------------------------------ sex steroids, prolactin
def test_paternal_leave_means_more_care_and_lower_testosterone():
    short = run({"paternal_leave_months": 0.0}, H, 1.5)
    long = run({"paternal_leave_months": 3.0}, H, 1.5)
    assert role_mean(long, "care_hours", "father") > 1.2 * role_mean(short, "care_hours", "father")
    assert role_mean(long, "testosterone", "father") < role_mean(short, "testosterone", "father")
    assert role_mean(long, "testosterone_change", "father") < role_mean(short, "testosterone_change", "father")


def test_testosterone_care_effect_vanishes_without_care_drop():
    short = run({"paternal_leave_months": 0.0, "testosterone_care_drop": 0.0}, H, 1.5)
    long = run({"paternal_leave_months": 3.0, "testosterone_care_drop": 0.0}, H, 1.5)
    assert arrays_equal(outcomes(short)["testosterone"], outcomes(long)["testosterone"])


def test_testosterone_falls_across_the_transition_to_fatherhood():
    s = run({"testosterone_care_drop": 0.0}, H, M)
    assert role_mean(s, "testosterone_change", "father") < -0.05
    flat = run({"testosterone_care_drop": 0.0, "testosterone_fatherhood_drop": 0.0}, H, M)
    assert role_mean(flat, "testosterone_change", "father") == pytest.approx(0.0, abs=1e-6)


def test_breastfeeding_keeps_maternal_prolactin_high():
    none = run({"p_breastfeeding_initiation": 0.0}, H, M)
    allbf = run({"p_breastfeeding_initiation": 1.0}, H, M)
    assert series_mean(allbf, "prolactin", "mother", from_day=7) > 80.0
    assert series_mean(none, "prolactin", "mother", from_day=7) < 25.0
    assert allbf.cg.prolactin[:, 0].mean() > none.cg.prolactin[:, 0].mean() * 3
    assert outcomes(none)["breastfeeding_at_end"].sum() == 0
    # suckling raises prolactin above baseline during feeds
    fold = run({"p_breastfeeding_initiation": 1.0, "prolactin_suckling_fold": 8.0}, H, M)
    assert fold.cg.prolactin[:, 0].mean() > allbf.cg.prolactin[:, 0].mean()


def test_fathers_live_prolactin_tracks_their_baseline():
    s = run({}, 60, 0.2)
    ex = s.cg.exists[:, 1]
    np.testing.assert_allclose(s.cg.prolactin[ex, 1], s.cg.prolactin_base[ex, 1], rtol=1e-6)


# ------------------------------------------------------------------ frightening behaviour, stress
def test_frightening_behaviour_scales_with_its_base_rate():
    none = run({"p_frightening_base": 0.0}, H, M)
    some = run({"p_frightening_base": 0.25}, H, M)
    assert outcomes(none)["frightening"].sum() == 0
    assert outcomes(none)["iwm_fright"].sum() == 0
    df = outcomes(some)
    assert df["frightening"].sum() > 100
    assert df["iwm_fright"].sum() > 0
    # it needs unresolved loss (or depression): unresolved caregivers frighten far more often
    rate = df.groupby("caregiver_unresolved")["frightening"].sum() / df.groupby("caregiver_unresolved")["responses"].sum()
    assert rate[True] > 3 * rate[False]
    # never unresolved and never depressed -> frightening only through the stress road (ODD 7.2)
    calm = ~df.caregiver_unresolved & ~df.caregiver_depressed
    assert df.loc[calm, "frightening"].sum() > 0
    no_stress_road = outcomes(run({"p_frightening_base": 0.25, "fright_stress_risk": 0.0}, H, M))
    assert no_stress_road.loc[~no_stress_road.caregiver_unresolved & ~no_stress_road.caregiver_depressed,
                              "frightening"].sum() == 0


def test_frightening_behaviour_falls_when_coaching_makes_caregivers_more_sensitive():
    """Frightening acts come in insensitive moments: a coached caregiver responds more often
    (attunement also raises detection) yet frightens less, so a sensitivity programme cannot
    raise disorganisation just by adding responses (the artefact of a per-response hazard)."""
    risky = {"p_frightening_base": 0.25, "p_unresolved": 0.6}
    coached = [SensitivityCoaching(role=r, month=0.0, weeks=8, ramp_weeks=0, boost=1.5) for r in ("mother", "father")]
    plain = outcomes(run(risky, H, M, seed=5))
    boosted = outcomes(run(risky, H, M, seed=5, interventions=coached))
    parents_p, parents_b = plain[plain.role.isin(["mother", "father"])], boosted[boosted.role.isin(["mother", "father"])]
    assert parents_b["responses"].sum() > parents_p["responses"].sum()  # coached parents answer more bids
    assert parents_b["frightening"].sum() < 0.8 * parents_p["frightening"].sum()
    for role in ("mother", "father"):
        p, b = plain[plain.role == role], boosted[boosted.role == role]
        assert (b["frightening"].sum() / b["responses"].sum()
                < 0.7 * p["frightening"].sum() / p["responses"].sum()), role


def test_poverty_stress_raises_caregiver_cortisol():
    calm = run({"poverty_stress": 0.0}, H, M)
    poor = run({"poverty_stress": 1.0}, H, M)
    for role in ("mother", "father"):
        assert role_mean(poor, "cortisol_mean", role) > 1.2 * role_mean(calm, "cortisol_mean", role), role


def test_contact_buffering_lowers_infant_cortisol():
    none = run({"contact_buffering": 0.0}, H, M)
    full = run({"contact_buffering": 1.0}, H, M)
    assert series_mean(none, "infant_cortisol", "infant") > series_mean(full, "infant_cortisol", "infant")


def test_cry_stress_raises_caregiver_cortisol():
    none = run({"cry_stress": 0.0}, H, M)
    high = run({"cry_stress": 2.0}, H, M)
    assert role_mean(high, "cortisol_mean") > role_mean(none, "cortisol_mean") * 1.02


# ------------------------------------------------------------------ household shape
@pytest.mark.parametrize("param,role", [("p_father_present", "father"), ("p_grandparent_coresident", "grandparent"),
                                        ("p_older_sibling", "sibling"), ("p_daycare", "daycare")])
def test_household_shape_parameters_set_composition(param, role):
    n = 200
    s0 = run({param: 0.0}, n, 0.0, seed=3)
    s1 = run({param: 1.0}, n, 0.0, seed=3)
    lo = run({param: 0.3}, n, 0.0, seed=3)
    hi = run({param: 0.7}, n, 0.0, seed=3)
    count = lambda s: int((outcomes(s)["role"] == role).sum())  # noqa: E731
    assert count(s0) == 0
    assert count(s1) == n
    assert 0.15 * n < count(lo) < 0.45 * n and 0.55 * n < count(hi) < 0.85 * n
    # common random numbers: raising the share adds households, it does not redraw them
    h_lo = set(outcomes(lo).query("role == @role")["household"])
    h_hi = set(outcomes(hi).query("role == @role")["household"])
    assert h_lo <= h_hi
    assert int((outcomes(s0)["role"] == "mother").sum()) == n, "every household has a mother"


# ------------------------------------------------------------------ unanswered bids
def test_unanswered_bids_count_as_ignored_only_for_caregivers_who_were_there():
    """A bid nobody answers is evidence against every caregiver present (iwm_ignored), and less
    detection means more ignored bids; an absent daycare carer (no daycare) collects none."""
    low = run({"base_detection": -3.0, "p_daycare": 0.0}, H, M)
    high = run({"base_detection": 1.0, "p_daycare": 0.0}, H, M)
    ex = low.inf.iwm_ignored[:, 0] > 0
    assert ex.mean() > 0.9
    assert low.inf.iwm_ignored[:, 0].mean() > 2.0 * high.inf.iwm_ignored[:, 0].mean()
    assert np.all(low.inf.iwm_ignored[:, 4] == 0.0)
    # ignored evidence is a subset of rejection evidence and of bad evidence
    assert np.all(low.inf.iwm_ignored <= low.inf.iwm_rejected + 1e-12)
    assert np.all(low.inf.iwm_rejected <= low.inf.iwm_bad + 1e-12)


def test_suckling_prolactin_reaches_the_daily_series():
    """The hourly suckling excess is averaged into the recorded prolactin (not the baseline only)."""
    base = {"p_breastfeeding_initiation": 1.0, "weaning_hazard_per_month": 0.0}
    lo = run({**base, "prolactin_suckling_fold": 1.0}, H, M)
    hi = run({**base, "prolactin_suckling_fold": 8.0}, H, M)
    assert series_mean(hi, "prolactin", "mother") > 1.2 * series_mean(lo, "prolactin", "mother")


def test_unanswered_bids_count_most_against_the_caregiver_the_infant_knows_best():
    """bid_directedness: with it, fathers collect less of the ignored evidence and mothers more."""
    def ignored_share(sim, k):
        m = sim.cg.exists[:, k]
        inf = sim.inf
        return float(np.mean(inf.iwm_ignored[m, k] / (inf.iwm_good[m, k] + inf.iwm_bad[m, k] + 1e-9)))

    equal = run({"bid_directedness": 0.0}, H, 2.0)
    directed = run({"bid_directedness": 1.0}, H, 2.0)
    assert ignored_share(directed, 1) < ignored_share(equal, 1) * 0.9
    assert ignored_share(directed, 0) > ignored_share(equal, 0)


def test_sensitivity_to_distress_loosens_the_link_from_general_sensitivity_to_the_working_model():
    """distress_sensitivity_sd: what the infant learns from distress bids no longer follows general sensitivity alone."""
    def r_sensitivity_expectation(sim):
        df = outcomes(sim)
        m = df[df.role == "mother"]
        return float(np.corrcoef(m.sensitivity, m.iwm_expected_responsiveness)[0, 1])

    general_only = run({"distress_sensitivity_sd": 0.0}, 400, 2.0)
    with_trait = run({"distress_sensitivity_sd": 1.5}, 400, 2.0)
    assert r_sensitivity_expectation(with_trait) < r_sensitivity_expectation(general_only) - 0.1
    # caregivers more sensitive to distress are expected to answer well (mothers, in household order)
    high = with_trait.cg.distress_sensitivity[:, 0] > 1.0
    low = with_trait.cg.distress_sensitivity[:, 0] < -1.0
    er = outcomes(with_trait).query("role == 'mother'").iwm_expected_responsiveness.to_numpy()
    assert er[high].mean() > er[low].mean()


def test_more_endogenous_central_ot_brings_a_stronger_maternal_bond():
    """Within the endogenous range more central OT means more reward, so a stronger bond (M2, M9).

    The Morris screen of the oxytocin group (docs/sensitivity.md) found the opposite with the
    reward optimum below most mothers' OT; with it below the range, this test fails.
    """
    low = run({"ot_tone_affiliation_gain": 0.0}, households=200, months=3.0)
    high = run({"ot_tone_affiliation_gain": 0.25}, households=200, months=3.0)
    assert role_mean(high, "ot_central_tone") > 1.3 * role_mean(low, "ot_central_tone")
    assert role_mean(high, "bond") > role_mean(low, "bond") + 0.02
    # past the optimum (exogenous-dose territory) the same rise lowers the bond: the inverted U
    past = run({"ot_tone_affiliation_gain": 0.25, "ot_reward_optimum": 1.0}, households=200, months=3.0)
    assert role_mean(past, "bond") < role_mean(high, "bond") - 0.02


# ------------------------------------------------------------------ couples (P10)
def _couple_sensitivity(sim):
    df = outcomes(sim)
    wide = df.pivot_table(index="household", columns="role", values="sensitivity").dropna(subset=["mother", "father"])
    return wide["mother"].to_numpy(), wide["father"].to_numpy()


def test_couple_trait_correlation_raises_the_emergent_correlation_of_partners_sensitivity():
    # the division of care pulls partners apart; the trait correlation is what holds them together (P10)
    m0, f0 = _couple_sensitivity(run({"couple_sensitivity_corr": 0.0}, 400, 3.0))
    m1, f1 = _couple_sensitivity(run({"couple_sensitivity_corr": 0.9}, 400, 3.0))
    assert np.corrcoef(m1, f1)[0, 1] > np.corrcoef(m0, f0)[0, 1] + 0.3


def test_father_sensitivity_offset_moves_fathers_not_mothers():
    lo, hi = run({"father_sensitivity_offset": -0.5}, 400, 3.0), run({"father_sensitivity_offset": 0.5}, 400, 3.0)
    assert role_mean(hi, "sensitivity", "father") > role_mean(lo, "sensitivity", "father") + 0.1
    assert abs(role_mean(hi, "sensitivity", "mother") - role_mean(lo, "sensitivity", "mother")) < 0.03
