"""Slow processes, run once per simulated day.

Who is available at each hour of the day (work, leave, daycare, school, night), sex-hormone and
prolactin trajectories, OT set-points and central OT tone plasticity, testosterone, fatigue,
grief, depression onset and remission, the prenatal bond, weaning and working-model forgetting.
"""

from __future__ import annotations

import numpy as np

from model import physiology as phys
from model.params import ParamSet
from model.state import (
    DAYCARE,
    DAYS_PER_MONTH,
    FATHER,
    GRANDPARENT,
    MOTHER,
    SIBLING,
    Caregivers,
    Households,
    Infants,
    K,
)

NIGHT_HOURS = frozenset([23, 0, 1, 2, 3, 4, 5, 6])
EWMA_14D = 1.0 / 14.0


def is_night(hod: int) -> bool:
    """Caregivers sleep 23:00-07:00 (and can be woken by cries)."""
    return hod in NIGHT_HOURS


def availability_table(cg: Caregivers, inf: Infants, hh: Households, p: ParamSet,
                       day: int, age_months: float) -> np.ndarray:
    """Who can care for the infant at each hour of this day, shape (24, H, K).

    Working parents (employed, not on leave) are away on weekdays 08-18; infants in daycare
    spend weekdays 08-16 there, with only the daycare carer; older siblings are at school on
    weekdays until 15:00 and in bed from 20:00; the grandparent is home. Everyone sleeps at
    night but stays available (cries wake them; detection is lower, see ``night_detection``).
    """
    weekday = (day % 7) < 5
    on_leave = np.zeros_like(cg.exists)
    on_leave[:, MOTHER] = age_months < p.maternal_leave_months
    on_leave[:, FATHER] = age_months < p.paternal_leave_months
    working = cg.employed & ~on_leave
    daycare_active = hh.daycare & (age_months >= p.daycare_start_month)
    home = cg.exists & cg.present & inf.with_family[:, None]
    table = np.zeros((24,) + cg.exists.shape, bool)
    for hod in range(24):
        at_work = weekday and 8 <= hod < 18
        at_daycare = (weekday and 8 <= hod < 16) & daycare_active
        avail = home & ~(working & at_work)
        avail[:, SIBLING] &= (not (weekday and 8 <= hod < 15)) and (8 <= hod < 20)
        avail[:, DAYCARE] = False
        avail &= ~at_daycare[:, None]
        avail[:, DAYCARE] = at_daycare & cg.exists[:, DAYCARE] & cg.present[:, DAYCARE]
        table[hod] = avail
    return table


def update_mother_hormones(cg: Caregivers, hh: Households, p: ParamSet, frac_preg: float, age_days: float):
    """Estradiol, progesterone, baseline prolactin and the plasma-OT set-point of mothers."""
    e2, p4 = phys.maternal_steroids(frac_preg, age_days, hh.breastfeeding, p.estradiol_fold_pregnancy)
    cg.estradiol[:, MOTHER] = e2
    cg.progesterone[:, MOTHER] = p4
    cg.prolactin_base[:, MOTHER] = phys.maternal_prolactin_base(
        frac_preg, age_days, hh.breastfeeding, p.prolactin_lactating_6mo)
    shift = phys.maternal_ot_log_shift(frac_preg, age_days, hh.ot_rise)
    cg.ot_plasma_setpoint_now[:, MOTHER] = cg.ot_setpoint[:, MOTHER] * np.exp(shift)


def update_father_hormones(cg: Caregivers, p: ParamSet, frac_preg: float, age_days: float):
    """Fathers' testosterone relaxes (14-day constant) toward a target lowered by care (P1, P5);
    prolactin is slightly raised just before birth (P4: Storey et al. 2000)."""
    transition = float(np.clip((age_days + 140.0) / 230.0, 0.0, 1.0))
    target = phys.testosterone_target(cg.testosterone_setpoint[:, FATHER], transition,
                                      p.testosterone_fatherhood_drop, cg.care_hours_ewma[:, FATHER],
                                      p.testosterone_care_drop)
    cg.testosterone[:, FATHER] += (target - cg.testosterone[:, FATHER]) / 14.0
    late = np.exp(-((age_days + 10.0) / 25.0) ** 2)
    cg.prolactin_base[:, FATHER] = 8.0 * (1.0 + 0.4 * late)
    cg.estradiol[:, FATHER] = 25.0 * (1.0 - 0.1 * transition)


def update_ot_tone(cg: Caregivers, p: ParamSet):
    """Central OT tone tracks affiliative experience (slow plasticity, M9) and falls with grief.

    Target: ``(setpoint_now / basal) ** c * (1 + gain * touch_hours_ewma) / (1 + 0.5 * loneliness)``,
    where the weak exponent ``c`` (``ot_trait_coupling``) keeps basal plasma and central OT only
    loosely related (PH5).
    """
    rel = cg.ot_plasma_setpoint_now / p.ot_plasma_basal[:, None]
    target = rel ** p.ot_trait_coupling[:, None] * (
        1.0 + p.ot_tone_affiliation_gain[:, None] * cg.touch_hours_ewma) / (1.0 + 0.5 * cg.loneliness)
    cg.ot_tone += (target - cg.ot_tone) / p.ot_tone_plasticity_days[:, None]


def update_daily_ewmas(cg: Caregivers, p: ParamSet):
    """Two-week running means of care and touch, fatigue, grief, tonic dopamine, chronic stress."""
    cg.care_hours_ewma += EWMA_14D * (cg.care_hours_today - cg.care_hours_ewma)
    cg.touch_hours_ewma += EWMA_14D * (cg.touch_hours_today - cg.touch_hours_ewma)
    cg.fatigue = cg.fatigue * np.exp(-1.0 / p.fatigue_recovery_days[:, None]) \
        + p.fatigue_per_night_hour[:, None] * cg.night_care_today
    cg.loneliness *= np.exp(-1.0 / p.grief_recovery_days[:, None])
    had = cg.interactions_today > 0
    rate = np.where(had, cg.reward_today / np.maximum(cg.interactions_today, 1.0), cg.tonic_da)
    cg.tonic_da += EWMA_14D * (rate - cg.tonic_da)
    cg.bond = cg.bond * (1.0 - p.bond_decay_per_day[:, None])
    cg.chronic_stress += EWMA_14D * (np.maximum(cg.cortisol_excess, 0.0) - cg.chronic_stress)


def chronic_cortisol_target(cg: Caregivers, p: ParamSet) -> np.ndarray:
    """Tonic fractional cortisol excess from poverty, depression, grief and fatigue (H, K)."""
    return (0.5 * p.poverty_stress[:, None] + p.depression_cortisol[:, None] * cg.depressed
            + 0.4 * cg.loneliness + 0.15 * cg.fatigue)


def depression_window(age_days: float) -> bool:
    """Perinatal risk window: third trimester to 12 months postpartum (PH16, P9)."""
    return -90.0 <= age_days <= 365.0


def update_depression(cg: Caregivers, p: ParamSet, age_days: float, u_onset, u_remit):
    """Onset and remission of depressive episodes (daily hazards) in mothers and fathers.

    Onset log-odds: the role's baseline (calibrated to PH16 17.7% maternal, P9 10.4% paternal),
    plus chronic stress and fatigue, poverty, unresolved loss, a partner's depression (P9
    couple correlation) and low OT tone (M15; M17 finds the opposite in women with past
    depression, so the direction is uncertain and the parameter may be negative). Fathers'
    risk peaks 3-6 months postpartum (P9: 25.6% in that window). Remission has a constant hazard.
    """
    if not depression_window(age_days):
        return
    base = np.zeros(cg.exists.shape)
    base[:, MOTHER] = p.maternal_depression_risk
    base[:, FATHER] = p.paternal_depression_risk + 0.8 * np.exp(-(((age_days - 135.0) / 60.0) ** 2))
    partner = np.zeros(cg.exists.shape, bool)
    partner[:, MOTHER] = cg.depressed[:, FATHER]
    partner[:, FATHER] = cg.depressed[:, MOTHER]
    low_tone = np.maximum(-np.log(np.maximum(cg.ot_tone, 1e-3)), 0.0)
    stress = cg.chronic_stress + 0.3 * cg.fatigue + 0.5 * p.poverty_stress[:, None] + 0.5 * cg.loneliness
    logit = (base + p.stress_depression_risk[:, None] * stress + 0.4 * cg.unresolved
             + p.partner_depression_risk[:, None] * partner + p.low_ot_depression_risk[:, None] * low_tone)
    at_risk = cg.exists & ((np.arange(K) == MOTHER) | (np.arange(K) == FATHER))
    onset = at_risk & ~cg.depressed & (u_onset < 1.0 / (1.0 + np.exp(-logit)))
    remit = cg.depressed & (u_remit < 1.0 / p.depression_remission_days[:, None])
    cg.depressed = (cg.depressed | onset) & ~remit
    cg.ever_depressed |= cg.depressed


def prenatal_bond(cg: Caregivers, hh: Households, p: ParamSet, frac_preg: float):
    """Maternal-fetal bond grows across pregnancy with the mother's OT rise (M3, Levine 2007)."""
    cg.bond[:, MOTHER] = np.clip(0.2 + p.prenatal_bond_ot_gain * np.maximum(hh.ot_rise, 0.0) * frac_preg
                                 + 0.1 * frac_preg, 0.0, 1.0)


def wean(hh: Households, p: ParamSet, u):
    """Lactating mothers stop breastfeeding with a constant monthly hazard (PH17)."""
    daily = 1.0 - (1.0 - p.weaning_hazard_per_month) ** (1.0 / DAYS_PER_MONTH)
    hh.breastfeeding &= ~(u < daily)


def forget_working_models(inf: Infants, p: ParamSet):
    """Old evidence in the infant's working models fades (memory time constant in days)."""
    f = np.exp(-1.0 / p.iwm_memory_days)[:, None]
    for name in ("iwm_good", "iwm_bad", "iwm_rejected", "iwm_intruded", "iwm_frightened", "iwm_ignored"):
        getattr(inf, name)[:] *= f


def reset_day(cg: Caregivers, inf: Infants):
    """Zero today's accumulators."""
    for name in ("care_hours_today", "night_care_today", "touch_hours_today", "reward_today",
                 "interactions_today", "cortisol_sum_today", "ot_plasma_sum_today", "prolactin_sum_today",
                 "attunement_sum_today", "attunement_n_today"):
        getattr(cg, name)[:] = 0.0
    inf.cortisol_sum_today[:] = 0.0
    inf.ot_sum_today[:] = 0.0
    inf.distress_sum_today[:] = 0.0
    inf.cry_hours_today[:] = 0.0


__all__ = ["availability_table", "update_mother_hormones", "update_father_hormones", "update_ot_tone",
           "update_daily_ewmas", "chronic_cortisol_target", "update_depression", "prenatal_bond", "wean",
           "forget_working_models", "reset_day", "is_night", "GRANDPARENT"]
