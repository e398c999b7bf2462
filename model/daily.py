"""Slow processes, run once per simulated day.

Who is available at each hour of the day (work, leave, daycare, school, night), sex-hormone and
prolactin trajectories, OT set-points and central OT tone plasticity, testosterone, fatigue,
grief, depression onset and remission, the prenatal bond, pregnancy cortisol and chronic stress,
weaning and working-model forgetting. :func:`open_day` runs the start-of-day processes in order;
:func:`pregnancy_day` the pregnancy day's stress physiology once the day's channels are read.

The rules are numpy expressions over all households. Where numpy would spend most of the time
broadcasting an (H,) parameter over the five roles and allocating (H, K) temporaries, the
arithmetic runs in a compiled loop (the ``_...`` functions, numba) that performs the same
operations in the same order, so the results are bit-identical. exp, log and powers stay numpy
calls on whole arrays: numba would call the C library's, which on AVX-512 CPUs differ in the
last bit from numpy's own SIMD versions, and would be no faster.
"""

from __future__ import annotations

import numba
import numpy as np
from bonding.model import physiology as phys
from bonding.model import social
from bonding.model import state as state_module
from bonding.model.compiled import cached_dispatchers, drop_stale_cache
from bonding.model.params import ParamSet
from bonding.model.state import (
    DAYCARE,
    DAYS_PER_MONTH,
    FATHER,
    GRANDPARENT,
    MOTHER,
    PRENATAL_DAYS,
    SIBLING,
    Caregivers,
    Counters,
    Households,
    Infants,
)

NIGHT_HOURS = frozenset([23, 0, 1, 2, 3, 4, 5, 6])
EWMA_14D = 1.0 / 14.0
PARENTS = (MOTHER, FATHER)  # the slots at risk of depression; column j of (H, 2) depression terms is PARENTS[j]


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
    An infant away from the family (``with_family`` false) has only its visitors, in visit hours.

    A day has at most five distinct kinds of hour (:func:`hour_schedule`), so each kind's
    (H, K) table is built once and copied to its hours, instead of rebuilt for all 24.
    """
    weekday = (day % 7) < 5
    on_leave = np.zeros_like(cg.exists)
    on_leave[:, MOTHER] = age_months < p.maternal_leave_months
    on_leave[:, FATHER] = age_months < p.paternal_leave_months
    working = cg.employed & ~on_leave
    daycare_active = hh.daycare & (age_months >= p.daycare_start_month)
    home = cg.exists & cg.present & inf.with_family[:, None]
    home_off_work = home & ~working
    daycare_carer = daycare_active & cg.exists[:, DAYCARE] & cg.present[:, DAYCARE]
    table = np.empty((24,) + home.shape, bool)
    by_schedule = {}
    for hod in range(24):
        schedule = hour_schedule(weekday, hod)
        if schedule not in by_schedule:
            by_schedule[schedule] = _available_at(schedule, home, home_off_work, daycare_active, daycare_carer)
        table[hod] = by_schedule[schedule]
    if hh.visit_hours.any():
        _add_visits(table, cg, hh)
    return table


def _add_visits(table: np.ndarray, cg: Caregivers, hh: Households) -> None:
    """Visitors of an infant away from the family are available in their visit hours, in place.

    Household ``h``'s visitors (``hh.visitors``, if they exist and are present) can care for the
    infant at hours of day ``(hod - visit_start) mod 24 < visit_hours`` (a neonatal stay's visits).
    """
    visitors = hh.visitors & cg.exists & cg.present
    for hod in range(24):
        in_visit = (hod - hh.visit_start) % 24 < hh.visit_hours
        table[hod] |= visitors & in_visit[:, None]


def hour_schedule(weekday: bool, hod: int) -> tuple[bool, bool, bool]:
    """(parents at work, daycare open, older sibling at home) at this hour of the day."""
    return (weekday and 8 <= hod < 18, weekday and 8 <= hod < 16,
            (not (weekday and 8 <= hod < 15)) and (8 <= hod < 20))


def _available_at(schedule: tuple[bool, bool, bool], home, home_off_work, daycare_active,
                  daycare_carer) -> np.ndarray:
    """Availability (H, K) at an hour with this schedule; see :func:`availability_table`.

    ``home``: at home and with the infant; ``home_off_work``: the same, less those at work in
    working hours; ``daycare_carer``: a daycare carer for an infant attending daycare today.
    """
    at_work, daycare_open, sibling_home = schedule
    avail = (home_off_work if at_work else home).copy()
    if not sibling_home:
        avail[:, SIBLING] = False
    if daycare_open:  # an infant at daycare is cared for by the daycare carer only
        avail &= ~daycare_active[:, None]
        avail[:, DAYCARE] = daycare_carer
    else:
        avail[:, DAYCARE] = False
    return avail


def gestation_fraction(day: int) -> float:
    """Share of the simulated pregnancy done on simulation ``day``: 0 at week 10, 1 at term and after."""
    return min(day / PRENATAL_DAYS, 1.0)


def open_day(cg: Caregivers, hh: Households, p: ParamSet, day: int, u_depression, u_weaning,
             early_contact_hours=None) -> np.ndarray:
    """The start of simulation ``day``: every slow process, in order, in place (before birth and after).

    The plasma-OT set-points' drift with contact history, sex steroids, prolactin and the OT set-point of mothers, fathers' hormones, the live
    prolactin level following its new baseline, central OT tone, depression onset and remission
    (``u_depression``: (2, H, K) uniforms), then the prenatal bond (pregnancy) or weaning
    (``u_weaning``: (H,) uniforms; ``early_contact_hours``: the infant's early skin-to-skin hours, which
    lower the weaning hazard, :func:`wean`). Returns the day's chronic cortisol target (H, K), to which
    the day set-up adds the ``extra_stress`` input channel once interventions have written it.
    """
    age_d = day - PRENATAL_DAYS
    frac = gestation_fraction(day)
    update_contact_ot(cg, p)
    update_mother_hormones(cg, hh, p, frac, age_d)
    update_father_hormones(cg, p, age_d)
    cg.prolactin[:] = cg.prolactin_base * (1.0 + cg.prolactin_excess)  # live level follows the new baseline
    update_ot_tone(cg, p)
    update_depression(cg, p, age_d, u_depression[0], u_depression[1])
    if age_d < 0:
        prenatal_bond(cg, hh, p, frac)
    else:
        wean(hh, p, u_weaning, age_d, early_contact_hours)
    return chronic_cortisol_target(cg, p)


def update_mother_hormones(cg: Caregivers, hh: Households, p: ParamSet, frac_preg: float, age_days: float):
    """Estradiol, progesterone, baseline prolactin and the plasma-OT set-point of mothers."""
    e2, p4 = phys.maternal_steroids(frac_preg, age_days, hh.breastfeeding, p.estradiol_fold_pregnancy)
    cg.estradiol[:, MOTHER] = e2
    cg.progesterone[:, MOTHER] = p4
    cg.prolactin_base[:, MOTHER] = phys.maternal_prolactin_base(
        frac_preg, age_days, hh.breastfeeding, p.prolactin_lactating_6mo)
    shift = phys.maternal_ot_log_shift(frac_preg, age_days, hh.ot_rise) + cg.ot_contact_log[:, MOTHER]
    cg.ot_plasma_setpoint_now[:, MOTHER] = phys.ot_plasma_setpoint(cg.ot_setpoint[:, MOTHER], shift)


def update_contact_ot(cg: Caregivers, p: ParamSet):
    """Resting plasma OT drifts with each person's contact history (PH9, I14, M9, X27, X28), in place.

    The contact shift follows :func:`model.physiology.contact_ot_shift` (toward
    ``ot_contact_setpoint_gain`` per daily touch-hour, time constant ``ot_contact_setpoint_days``),
    and everyone's current set-point is their drawn set-point moved by it
    (:func:`model.physiology.ot_plasma_setpoint`); mothers add their pregnancy trajectory on top
    (:func:`update_mother_hormones`, run next). Central OT tone does not see this shift
    (:func:`resting_ot_tone`): it has its own plasticity with contact (PH5).
    """
    cg.ot_contact_log[:] = phys.contact_ot_shift(cg.ot_contact_log, cg.touch_hours_ewma,
                                                 p.ot_contact_setpoint_gain[:, None],
                                                 p.ot_contact_setpoint_days[:, None])
    cg.ot_plasma_setpoint_now[:] = phys.ot_plasma_setpoint(cg.ot_setpoint, cg.ot_contact_log)


def update_father_hormones(cg: Caregivers, p: ParamSet, age_days: float):
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

    Target: ``trait * (setpoint_now / basal) ** c * (1 + gain * touch_hours) / (1 + 0.5 * loneliness)``,
    where ``touch_hours`` is the two-week mean of daily touch hours with the infant plus yesterday's
    affectionate partner touch hours (adult social layer, :func:`partner_social_day`; X27, X28),
    ``trait`` is the person's own central component (``ot_tone_trait``) and the weak
    exponent ``c`` (``ot_trait_coupling``) keeps basal plasma and central OT only loosely related
    (PH5: r = .08); the target saturates (:func:`model.physiology.ot_tone_target`).
    """
    affiliative_hours = cg.touch_hours_ewma + cg.partner_touch_hours  # adult social layer: partner touch (X27)
    _relax_ot_tone(cg.ot_tone, resting_ot_tone(cg, p), p.ot_tone_affiliation_gain, affiliative_hours, cg.loneliness,
                   p.ot_tone_plasticity_days)


def resting_ot_tone(cg: Caregivers, p: ParamSet):
    """Central OT tone without affiliative contact or grief: ``trait * (setpoint_now / basal) ** c``, saturating.

    ``trait`` (``ot_tone_trait``, drawn in :mod:`model.population`) is the person's own central
    component; the plasma set-point enters only by the weak exponent ``c`` (``ot_trait_coupling``),
    without its contact-history shift (``ot_contact_log``, :func:`update_contact_ot`): contact
    already raises the tone through its own plasticity (:func:`update_ot_tone`), and would
    otherwise count twice.
    """
    rel = cg.ot_plasma_setpoint_now * np.exp(-cg.ot_contact_log) / p.ot_plasma_basal[:, None]
    return phys.saturating_ceiling(cg.ot_tone_trait * rel ** p.ot_trait_coupling[:, None], phys.CENTRAL_OT_KNEE,
                                   phys.CENTRAL_OT_MAX)


@numba.njit(cache=True, error_model="numpy")
def _relax_ot_tone(tone, trait_term, affiliation_gain, touch_hours_ewma, loneliness, plasticity_days):
    """The arithmetic of :func:`update_ot_tone`, in place, given ``trait_term = trait * rel ** c``."""
    for h in range(tone.shape[0]):
        for k in range(tone.shape[1]):
            target = phys.ot_tone_target(trait_term[h, k], affiliation_gain[h], touch_hours_ewma[h, k],
                                         loneliness[h, k])
            tone[h, k] += (target - tone[h, k]) / plasticity_days[h]


def update_daily_ewmas(cg: Caregivers, p: ParamSet):
    """Two-week running means of care and touch, fatigue, grief, tonic dopamine, chronic stress.

    Fatigue recovers and grief fades by ``exp(-1 / recovery days)`` a day; fatigue grows by
    ``fatigue_per_night_hour`` per hour of night care; tonic dopamine follows the day's mean
    reward per interaction (unchanged on a day without any); the bond decays by
    ``bond_decay_per_day``; chronic stress follows the positive cortisol excess.
    """
    cg.fatigue, cg.bond = _fold_day_into_ewmas(
        cg.care_hours_ewma, cg.care_hours_today, cg.touch_hours_ewma, cg.touch_hours_today,
        cg.fatigue, np.exp(-1.0 / p.fatigue_recovery_days), p.fatigue_per_night_hour, cg.night_care_today,
        cg.loneliness, np.exp(-1.0 / p.grief_recovery_days), cg.tonic_da, cg.reward_today,
        cg.interactions_today, cg.bond, p.bond_decay_per_day, cg.chronic_stress, cg.cortisol_excess)


@numba.njit(cache=True, error_model="numpy")
def _fold_day_into_ewmas(care_ewma, care_today, touch_ewma, touch_today, fatigue, fatigue_carry,
                         fatigue_per_night_hour, night_care_today, loneliness, grief_carry, tonic_da,
                         reward_today, interactions_today, bond, bond_decay, chronic_stress, cortisol_excess):
    """The arithmetic of :func:`update_daily_ewmas`; returns the new fatigue and bond arrays
    (the others are updated in place)."""
    new_fatigue = np.empty_like(fatigue)
    new_bond = np.empty_like(bond)
    for h in range(care_ewma.shape[0]):
        for k in range(care_ewma.shape[1]):
            care_ewma[h, k] += EWMA_14D * (care_today[h, k] - care_ewma[h, k])
            touch_ewma[h, k] += EWMA_14D * (touch_today[h, k] - touch_ewma[h, k])
            new_fatigue[h, k] = fatigue[h, k] * fatigue_carry[h] + fatigue_per_night_hour[h] * night_care_today[h, k]
            loneliness[h, k] *= grief_carry[h]
            n = interactions_today[h, k]
            rate = reward_today[h, k] / np.maximum(n, 1.0) if n > 0 else tonic_da[h, k]
            tonic_da[h, k] += EWMA_14D * (rate - tonic_da[h, k])
            new_bond[h, k] = bond[h, k] * (1.0 - bond_decay[h])
            chronic_stress[h, k] += EWMA_14D * (np.maximum(cortisol_excess[h, k], 0.0) - chronic_stress[h, k])
    return new_fatigue, new_bond


POVERTY_CORTISOL = 0.5  # chronic cortisol excess per unit of poverty_stress (assumption)
GRIEF_CORTISOL = 0.4  # chronic cortisol excess per unit of loneliness in grief (assumption)


def chronic_cortisol_target(cg: Caregivers, p: ParamSet) -> np.ndarray:
    """Tonic fractional cortisol excess from poverty, depression, grief and fatigue (H, K).

    ``0.5 * poverty_stress + depression_cortisol * depressed + 0.4 * loneliness + 0.15 * fatigue``
    """
    return _chronic_cortisol_target(p.poverty_stress, p.depression_cortisol, cg.depressed, cg.loneliness,
                                    cg.fatigue)


@numba.njit(cache=True, error_model="numpy")
def _chronic_cortisol_target(poverty_stress, depression_cortisol, depressed, loneliness, fatigue):
    """The arithmetic of :func:`chronic_cortisol_target`."""
    target = np.empty(loneliness.shape)
    for h in range(target.shape[0]):
        for k in range(target.shape[1]):
            target[h, k] = (POVERTY_CORTISOL * poverty_stress[h] + depression_cortisol[h] * np.float64(depressed[h, k])
                            + GRIEF_CORTISOL * loneliness[h, k] + 0.15 * fatigue[h, k])
    return target


# ------------------------------------------------------------------ adult social layer (model.social)
def chronic_stressor_load(cg: Caregivers, p: ParamSet) -> np.ndarray:
    """The stressor part of the chronic cortisol target (H, K), fraction of mean cortisol.

    ``POVERTY_CORTISOL * poverty_stress + GRIEF_CORTISOL * loneliness``: the chronic stressors that
    OT and social support buffer (:func:`model.social.buffered_cortisol_target`); depression and
    fatigue, the rest of :func:`chronic_cortisol_target`, are states of the person and are not.
    """
    return POVERTY_CORTISOL * p.poverty_stress[:, None] + GRIEF_CORTISOL * cg.loneliness


def shared_waking_hours(available: np.ndarray) -> np.ndarray:
    """Hours of the day (H,) in which mother and father are both home and awake.

    The hours outside ``NIGHT_HOURS`` in which both are available (:func:`availability_table`:
    present, at home, not at work).
    """
    awake = [hod for hod in range(24) if not is_night(hod)]
    both = available[awake, :, MOTHER] & available[awake, :, FATHER]
    return both.sum(axis=0).astype(np.float64)


def partner_social_day(cg: Caregivers, hh: Households, p: ParamSet) -> tuple[np.ndarray, np.ndarray]:
    """Today's adult social layer, in place; returns the day's (stressor buffer, support buffer), (H, K) each.

    Sets each parent's support today (``cg.social_support``, :func:`model.social.support_level`:
    the couple's ``couple_support`` if the partner is co-resident and present, and a co-resident
    grandparent's ``grandparent_support``; 0 for the other roles) and both partners' affectionate
    partner-touch hours (``cg.partner_touch_hours``, :func:`model.social.partner_touch_hours` within
    :func:`shared_waking_hours`). The stressor buffer (:func:`model.social.stressor_buffer`) is the
    factor on the day's chronic and external stressors, at the day's mean central OT with partner
    touch (:func:`model.social.partner_touch_day_ot`, the release of
    :func:`model.social.partner_touch_release`); the support buffer alone
    (:func:`model.social.support_buffer`) is the factor on the crying stressor, whose OT buffer is hourly.
    """
    here = cg.exists & cg.present
    partner_home = np.zeros_like(here)
    partner_home[:, MOTHER] = here[:, MOTHER] & here[:, FATHER]
    partner_home[:, FATHER] = partner_home[:, MOTHER]
    grandparent_home = np.zeros_like(here)
    grandparent_home[:, PARENTS] = here[:, PARENTS] & here[:, GRANDPARENT][:, None]
    cg.social_support[:] = social.support_level(cg.couple_support, partner_home, p.grandparent_support[:, None],
                                                grandparent_home)
    touch = social.partner_touch_hours(shared_waking_hours(hh.available) * partner_home[:, MOTHER],
                                       cg.couple_support[:, MOTHER], p.partner_touch_per_day)
    cg.partner_touch_hours[:] = 0.0
    cg.partner_touch_hours[:, PARENTS] = touch[:, None]
    release = social.partner_touch_release(p.ot_social_touch[:, None], p.touch_ot_gain_affectionate[:, None],
                                           p.touch_ot_gain_stimulatory[:, None], cg.ot_reactivity)
    day_ot = social.partner_touch_day_ot(cg.ot_tone, release, cg.partner_touch_hours)
    gain = p.support_stress_buffering[:, None]
    buffer = social.stressor_buffer(day_ot, p.ot_stress_buffering[:, None], cg.social_support, gain)
    return buffer, social.support_buffer(cg.social_support, gain)


# Mothers' cortisol across pregnancy (P5: women's salivary cortisol rises from 12 to 36 weeks,
# men's does not). targets.md has no magnitude; free cortisol roughly doubling from the first to
# the third trimester is an assumption (MEMORY: the usual textbook range is 2-3 fold in plasma).
PREGNANCY_CORTISOL_RISE = 1.0  # fractional rise of the mother's mean from week 10 to term


def prenatal_cortisol(cortisol_mean, gestation_fraction: float, rise, excess):
    """Daily mean cortisol (nmol/l) of a caregiver during pregnancy.

    ``cortisol = cortisol_mean * (1 + rise * gestation_fraction) * max(1 + excess, 0.05)``

    ``cortisol_mean`` (nmol/l) is the non-pregnant mean, ``gestation_fraction`` 0 at week 10 and
    1 at term, ``rise`` the fractional rise by term (``PREGNANCY_CORTISOL_RISE`` for the mother,
    0 for everyone else: P5), ``excess`` the chronic cortisol excess (fraction of mean) from
    poverty, depression, grief, fatigue and external stress, as after birth (floor as in the
    hourly rule). Adrenal output saturates above ``CORTISOL_KNEE`` as after birth
    (:func:`model.physiology.cortisol_level`). Source: P5 (direction); the size of ``rise`` is an
    assumption.
    """
    level = cortisol_mean * (1.0 + rise * gestation_fraction) * np.maximum(1.0 + excess, phys.CORTISOL_FLOOR)
    return phys.saturating_ceiling(level, phys.CORTISOL_KNEE, phys.CORTISOL_MAX)


def pregnancy_day(cg: Caregivers, p: ParamSet, cortisol_target: np.ndarray, gestation_fraction: float):
    """A pregnancy day's stress physiology, in place (the engine runs one step a day before birth).

    The cortisol excess sits at the day's chronic target (the hourly relaxation after birth reaches
    it within hours, PH13), chronic stress follows its positive part with the same two-week
    running mean as after birth, and the daily cortisol level follows :func:`prenatal_cortisol`.
    """
    cg.cortisol_excess = cortisol_target.copy()
    cg.chronic_stress += EWMA_14D * (np.maximum(cg.cortisol_excess, 0.0) - cg.chronic_stress)
    rise = np.zeros(cg.exists.shape[1])
    rise[MOTHER] = PREGNANCY_CORTISOL_RISE
    cg.cortisol = prenatal_cortisol(p.cortisol_mean[:, None], gestation_fraction, rise[None, :],
                                    cg.cortisol_excess)


DEPRESSION_WINDOW_START = -90.0  # day of age: the third trimester (PH16, P9, X75: prenatal visits at 32-36 weeks)
DEPRESSION_WINDOW_END = 365.0  # day of age: 12 months postpartum (PH16, P9); onsets stop, remission goes on
MATERNAL_EARLY_DAYS = 90.0  # days after birth with the raised maternal hazard (X68; mechanisms.md 7)
FATHER_PEAK_DAY = 135.0  # day of age of the paternal hazard peak: 4.5 months (P9: 3-6 months)
FATHER_PEAK_SD_DAYS = 60.0  # width (SD) of the paternal peak (P9: the 3-6 month window), assumption
# Stress index of an average new parent at the defaults (model output, 1-6 months: mothers 0.21-0.26,
# fathers 0.11-0.15; benchmarks/finding_ppd.py): the evidence's hazards are those of such a parent.
DEPRESSION_STRESS_REFERENCE = 0.2
UNRESOLVED_DEPRESSION_RISK = 0.4  # log hazard ratio of unresolved loss (assumption, range 0-1)


def depression_window(age_days: float) -> bool:
    """Perinatal onset window: third trimester to 12 months postpartum (PH16, P9)."""
    return DEPRESSION_WINDOW_START <= age_days <= DEPRESSION_WINDOW_END


def depression_baseline_hazard(age_days: float, early, late, father_base, father_peak):
    """Onset hazards (per day) of a reference mother and father at ``age_days``: ``(mother, father)``, (H,) each.

    Mother: ``early`` for the first ``MATERNAL_EARLY_DAYS`` after birth, ``late`` in the third
    trimester and afterwards (X68, X70: most episodes begin after delivery, mechanisms.md 7).
    Father: ``father_base + father_peak * exp(-((age - FATHER_PEAK_DAY) / FATHER_PEAK_SD_DAYS)^2 / 2)``
    (P9: paternal prevalence peaks at 3-6 months). Units: per day.
    """
    mother = early if 0.0 <= age_days < MATERNAL_EARLY_DAYS else late
    bump = np.exp(-0.5 * ((age_days - FATHER_PEAK_DAY) / FATHER_PEAK_SD_DAYS) ** 2)
    return mother, father_base + father_peak * bump


def prevalent_chronic_share(chronic_share, remitting_days, chronic_days):
    """Share of chronic episodes among episodes in course at a moment (length-biased sampling).

    ``s * D_c / (s * D_c + (1 - s) * D_r)``: in a steady state an episode class is present in
    proportion to its incidence times its mean duration (prevalence = incidence x duration).
    Used for the episodes already in course at the start of the risk window (X75, X69).
    """
    chronic = chronic_share * chronic_days
    return chronic / np.maximum(chronic + (1.0 - chronic_share) * remitting_days, 1e-12)


def onset_probability(log_hazard):
    """Probability of an onset within one day from a log hazard (per day): ``1 - exp(-exp(log_hazard))``."""
    return -np.expm1(-np.exp(log_hazard))


def update_depression(cg: Caregivers, p: ParamSet, age_days: float, u_onset, u_remit):
    """Onset and remission of latent depressive episodes (daily hazards) in mothers and fathers.

    ``depressed`` is a clinical episode (major + minor depression as a structured interview finds
    it, X68); a screen such as the EPDS is the lab's observation of it
    (``experiments.lab.measures.DepressionScreen``). At the start of the window
    (:data:`DEPRESSION_WINDOW_START`) a share of parents is already in an episode
    (:func:`seed_prenatal_episodes`). In the window, the onset hazard is the reference hazard of
    the day (:func:`depression_baseline_hazard`) times the mother's risk-group hazard ratio,
    times the risk factors (:func:`_parents_depression_log_hazard`: stress above an average new
    parent's, unresolved loss, low OT tone, and the partner's depression, X75, X79). Each new
    episode is remitting or chronic (two-class mixture, X72, X74) and remits with its class's
    constant hazard; remission continues after the window.
    """
    if age_days < DEPRESSION_WINDOW_START:
        return
    if age_days == DEPRESSION_WINDOW_START:
        seed_prenatal_episodes(cg, p, u_onset)
        return
    if depression_window(age_days):
        h_mother, h_father = depression_baseline_hazard(
            age_days, p.maternal_depression_onset_early, p.maternal_depression_onset_late,
            p.paternal_depression_onset_base, p.paternal_depression_onset_peak)
        log_base = np.log(np.maximum(np.stack([h_mother * p.maternal_depression_hazard_ratio, h_father], 1), 1e-300))
        log_tone = np.log(np.maximum(cg.ot_tone[:, list(PARENTS)], 1e-3))
        log_h = _parents_depression_log_hazard(
            log_base, p.stress_depression_risk, cg.chronic_stress, cg.fatigue, p.poverty_stress, cg.loneliness,
            cg.unresolved, p.partner_depression_risk, cg.depressed, p.low_ot_depression_risk, log_tone)
        p_onset = onset_probability(log_h)
    else:
        p_onset = np.zeros((cg.depressed.shape[0], len(PARENTS)))
    p_remit = -np.expm1(-cg.depression_remission_rate)
    cg.depressed, cg.depression_remission_rate = _depression_transitions(
        cg.depressed, cg.depression_remission_rate, cg.exists, p_onset, p_remit, u_onset, u_remit,
        p.depression_chronic_share, p.depression_remission_days, p.depression_chronic_days)
    cg.ever_depressed |= cg.depressed


def seed_prenatal_episodes(cg: Caregivers, p: ParamSet, u):
    """Episodes in course at the start of the window: mothers with probability
    ``maternal_prenatal_depression``, fathers ``paternal_prenatal_depression`` (X68, X69, X75);
    the class is chronic with the length-biased share of :func:`prevalent_chronic_share`.
    ``u``: (H, K) uniforms; ``u / P0`` is uniform again given an episode and draws its class."""
    share = prevalent_chronic_share(p.depression_chronic_share, p.depression_remission_days,
                                    p.depression_chronic_days)
    prevalence = np.stack([p.maternal_prenatal_depression, p.paternal_prenatal_depression], 1)
    cg.depressed, cg.depression_remission_rate = _depression_transitions(
        np.zeros_like(cg.depressed), np.zeros_like(cg.depression_remission_rate), cg.exists, prevalence,
        np.zeros_like(prevalence), u, np.ones_like(u), share, p.depression_remission_days,
        p.depression_chronic_days)
    cg.ever_depressed |= cg.depressed


@numba.njit(cache=True, error_model="numpy")
def _parents_depression_log_hazard(log_base, stress_risk, chronic_stress, fatigue, poverty_stress, loneliness,
                                   unresolved, partner_risk, depressed, low_ot_risk, log_tone):
    """Onset log hazard (per day) of :func:`update_depression` for mothers and fathers (H, 2).

    ``log_base + stress_risk * (stress - DEPRESSION_STRESS_REFERENCE) + UNRESOLVED_DEPRESSION_RISK *
    unresolved + partner_risk * partner_depressed + low_ot_risk * max(-log_tone, 0)``, with
    ``stress = chronic + 0.3 * fatigue + 0.5 * poverty + 0.5 * loneliness``. Each term is a log
    hazard ratio; ``partner_risk`` is the partner-contagion gain (X75, X79; 0 = off). The
    household's poverty stress is shared by both parents (a shared source of the couple
    correlation, X77).
    """
    n_parents = len(PARENTS)
    log_h = np.empty((depressed.shape[0], n_parents))
    for h in range(depressed.shape[0]):
        for j in range(n_parents):
            k = PARENTS[j]
            partner = depressed[h, FATHER] if k == MOTHER else depressed[h, MOTHER]
            stress = chronic_stress[h, k] + 0.3 * fatigue[h, k] + 0.5 * poverty_stress[h] + 0.5 * loneliness[h, k]
            low_tone = np.maximum(-log_tone[h, j], 0.0)
            log_h[h, j] = (log_base[h, j] + stress_risk[h] * (stress - DEPRESSION_STRESS_REFERENCE)
                           + UNRESOLVED_DEPRESSION_RISK * np.float64(unresolved[h, k])
                           + partner_risk[h] * np.float64(partner) + low_ot_risk[h] * low_tone)
    return log_h


@numba.njit(cache=True, error_model="numpy")
def _depression_transitions(depressed, remission_rate, exists, p_onset, p_remit, u_onset, u_remit, chronic_share,
                            remitting_days, chronic_days):
    """Today's episodes (H, K) and their remission hazards (per day).

    Remission in anyone depressed with probability ``p_remit`` (H, K); onset in existing, well
    parents with probability ``p_onset`` (H, 2). A new episode is chronic (hazard
    ``1 / chronic_days``) if ``u_onset / p_onset < chronic_share`` (X72, X74), else remitting
    (``1 / remitting_days``); given an onset, ``u_onset / p_onset`` is uniform, so no draw is added.
    """
    new = np.empty_like(depressed)
    rate = np.empty_like(remission_rate)
    for h in range(depressed.shape[0]):
        for k in range(depressed.shape[1]):
            remit = depressed[h, k] and u_remit[h, k] < p_remit[h, k]
            new[h, k] = depressed[h, k] and not remit
            rate[h, k] = remission_rate[h, k] if new[h, k] else 0.0
        for j in range(len(PARENTS)):
            k = PARENTS[j]
            if exists[h, k] and not depressed[h, k] and u_onset[h, k] < p_onset[h, j]:
                new[h, k] = True
                chronic = u_onset[h, k] < chronic_share[h] * p_onset[h, j]
                rate[h, k] = 1.0 / chronic_days[h] if chronic else 1.0 / remitting_days[h]
    return new, rate


def prenatal_bond(cg: Caregivers, hh: Households, p: ParamSet, frac_preg: float):
    """Maternal-fetal bond grows across pregnancy with the mother's OT rise (M3, Levine 2007)."""
    cg.bond[:, MOTHER] = np.clip(0.2 + p.prenatal_bond_ot_gain * np.maximum(hh.ot_rise, 0.0) * frac_preg
                                 + 0.1 * frac_preg, 0.0, 1.0)


def wean(hh: Households, p: ParamSet, u, age_days: float = 0.0, early_contact_hours=None):
    """Lactating mothers stop breastfeeding with a monthly hazard (PH17), lowered by early contact.

    Daily probability ``1 - (1 - hazard) ** (1 / DAYS_PER_MONTH)``, with the monthly hazard times
    :func:`early_contact_weaning_ratio` of the infant's early skin-to-skin hours with the mother
    (``early_contact_hours``, (H,); None: no early contact).
    """
    hazard = p.weaning_hazard_per_month
    if early_contact_hours is not None and early_contact_hours.any():
        hazard = hazard * early_contact_weaning_ratio(early_contact_hours, age_days / DAYS_PER_MONTH,
                                                      p.early_contact_weaning)
    daily = 1.0 - (1.0 - hazard) ** (1.0 / DAYS_PER_MONTH)
    hh.breastfeeding &= ~(u < daily)


# ---- programmes' lasting pathways (issue 14, item 5; docs/ODD.md 7.5)
EARLY_CONTACT_DOSE_HOURS = 14.0  # hours of early skin-to-skin for 63% of the full dose (assumption: I11's 14 days x 1 h)
EARLY_CONTACT_WEANING_MONTHS = 4.0  # the hazard is lowered up to 4 months, where I12 measured (1-4 mo; X46: duration n.s.)


def early_contact_weaning_ratio(early_contact_hours, age_months: float, log_ratio):
    """Hazard ratio of weaning after early skin-to-skin contact (1 = no change), (H,).

    ``exp(-log_ratio * (1 - exp(-hours / EARLY_CONTACT_DOSE_HOURS)))`` before
    ``EARLY_CONTACT_WEANING_MONTHS``, 1 after: dose-dependent (X51: per-protocol > ITT) and
    confined to the months I12 measured (X46: total duration n.s.). ``log_ratio``
    (``early_contact_weaning``) at a full dose: I12's RR 1.27 of breastfeeding at 1-4 months
    converted to a hazard ratio at an assumed usual-care rate of 55% (``ln(0.55 * 1.27) / ln(0.55)
    = 0.60``, log 0.51).
    """
    if age_months >= EARLY_CONTACT_WEANING_MONTHS:
        return np.ones_like(early_contact_hours)
    dose = 1.0 - np.exp(-early_contact_hours / EARLY_CONTACT_DOSE_HOURS)
    return np.exp(-log_ratio * dose)


def shape_infant_hpa(inf: Infants, cg: Caregivers, p: ParamSet, age_days: float):
    """End of a postnatal day: the infant's HPA reactivity moves toward what today's care sets, in place.

    Today's unsoothed crying hours (``inf.cry_hours_today``) and contact hours (touch of responses
    and skin-to-skin sessions, summed over caregivers, ``cg.touch_hours_today``) give the target
    (:func:`model.physiology.infant_hpa_reactivity_target` of the birth trait), and
    :func:`model.physiology.infant_hpa_reactivity_step` moves reactivity toward it while the
    developmental window is open (PH15, X55, I11).
    """
    contact = cg.touch_hours_today.sum(axis=1)
    target = phys.infant_hpa_reactivity_target(inf.hpa_reactivity_trait, inf.cry_hours_today, contact,
                                               p.infant_hpa_programming)
    inf.hpa_reactivity[:] = phys.infant_hpa_reactivity_step(inf.hpa_reactivity, target, age_days / DAYS_PER_MONTH)


def forget_working_models(inf: Infants, p: ParamSet):
    """Old evidence in the infant's working models fades (memory time constant in days)."""
    _fade(np.exp(-1.0 / p.iwm_memory_days), inf.iwm_good, inf.iwm_bad, inf.iwm_rejected, inf.iwm_intruded,
          inf.iwm_frightened, inf.iwm_ignored, inf.iwm_disrupted)


@numba.njit(cache=True, error_model="numpy")
def _fade(factor, *evidence):
    """Multiply each (H, K) array in ``evidence`` by its household's ``factor``, in place."""
    for x in numba.literal_unroll(evidence):
        for h in range(x.shape[0]):
            for k in range(x.shape[1]):
                x[h, k] *= factor[h]


def add_day_to_counters(c: Counters, cg: Caregivers, sensitivity, in_window: bool):
    """Fold a postnatal day into the dyad counters (in place).

    The day's latent sensitivity (and, in months 3-9, its window sum), care and night-care hours,
    and the day means of plasma OT and cortisol (hour sums / 24), each with its day count.
    """
    _add_day_to_counters(c["attunement_sum"], c["attunement_n"], c["attunement_window_sum"],
                         c["attunement_window_n"], in_window, sensitivity, c["care_hours"], cg.care_hours_today,
                         c["night_care_hours"], cg.night_care_today, c["ot_plasma_sum"], c["ot_plasma_n"],
                         cg.ot_plasma_sum_today, c["cortisol_sum"], c["cortisol_n"], cg.cortisol_sum_today)


@numba.njit(cache=True, error_model="numpy")
def _add_day_to_counters(att_sum, att_n, window_sum, window_n, in_window, sensitivity, care_hours, care_today,
                         night_care_hours, night_care_today, ot_sum, ot_n, ot_sum_today, cortisol_sum, cortisol_n,
                         cortisol_sum_today):
    """The additions of :func:`add_day_to_counters`, in one pass."""
    for h in range(att_sum.shape[0]):
        for k in range(att_sum.shape[1]):
            att_sum[h, k] += sensitivity[h, k]
            att_n[h, k] += 1.0
            if in_window:
                window_sum[h, k] += sensitivity[h, k]
                window_n[h, k] += 1.0
            care_hours[h, k] += care_today[h, k]
            night_care_hours[h, k] += night_care_today[h, k]
            ot_sum[h, k] += ot_sum_today[h, k] / 24.0
            ot_n[h, k] += 1.0
            cortisol_sum[h, k] += cortisol_sum_today[h, k] / 24.0
            cortisol_n[h, k] += 1.0


def reset_day(cg: Caregivers, inf: Infants):
    """Zero today's accumulators."""
    for name in ("care_hours_today", "night_care_today", "touch_hours_today", "reward_today",
                 "interactions_today", "cortisol_sum_today", "ot_plasma_sum_today", "prolactin_sum_today",
                 "attunement_sum_today"):
        getattr(cg, name)[:] = 0.0
    inf.cortisol_sum_today[:] = 0.0
    inf.ot_sum_today[:] = 0.0
    inf.distress_sum_today[:] = 0.0
    inf.cry_hours_today[:] = 0.0


__all__ = ["availability_table", "open_day", "gestation_fraction", "hour_schedule",
           "add_day_to_counters", "PARENTS", "update_mother_hormones", "update_father_hormones", "update_contact_ot", "update_ot_tone",
           "update_daily_ewmas", "chronic_cortisol_target", "update_depression", "prenatal_bond", "wean",
           "depression_window", "depression_baseline_hazard", "prevalent_chronic_share", "onset_probability",
           "seed_prenatal_episodes",
           "early_contact_weaning_ratio", "shape_infant_hpa", "EARLY_CONTACT_DOSE_HOURS", "EARLY_CONTACT_WEANING_MONTHS",
           "forget_working_models", "reset_day", "is_night", "GRANDPARENT", "prenatal_cortisol", "pregnancy_day",
           "PREGNANCY_CORTISOL_RISE"]


# numba caches each function against this file only; the constants and rules compiled in above come
# from model.state and model.physiology (ot_tone_target), so flush this module's cache whenever one
# of them changes (model.compiled).
drop_stale_cache(cached_dispatchers(globals()), (phys, state_module), "daily")
