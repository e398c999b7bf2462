"""Hormone kinetics: pure functions (no state, no randomness), one home per rule.

The hourly rules (``@jitable``, i.e. numba's ``register_jitable``) take one person's scalars and
are compiled into :mod:`model.kernel`; as plain Python they are what the unit tests and the virtual
lab call. The daily trajectories (steroids, prolactin baseline, OT set-point shift, testosterone
target) work on arrays of households. Each hormone state the hourly rules produce stays inside
:data:`PHYSIOLOGICAL_RANGES` by saturation (:func:`saturating_ceiling`).

Time step is one hour. Hormones with minute-scale clearance are integrated analytically over
the hour (first-order kinetics with constant input have the closed form
``x(t+dt) = x_ss + (x(t) - x_ss) * exp(-k dt)``), so an hour step loses nothing that an
explicit minute step would keep except the within-hour shape, which the hour mean carries.

References (ids from ``targets.md``): PH1 plasma OT t1/2 ~3 min; PH2 central OT t1/2 19-28 min;
PH5 weak central-peripheral coupling; PH8/M3 pregnancy OT trajectories; PH10 suckling pulses;
PH11 prolactin; PH12 sex steroids; PH13 cortisol t1/2 66 min; PH14 awakening response;
PH15 infant HPA damping; P1/P5 fathers' testosterone.
"""

from __future__ import annotations

import numpy as np
from bonding.model.state import DAYS_PER_MONTH
from numba.core import types
from numba.extending import overload
from numba.extending import register_jitable as jitable

LN2 = np.log(2.0)
STEP_MIN = 60.0


# ------------------------------------------------------------------ physiological ranges
# Each hormone state the hourly rules produce stays inside a declared range (issue 12). The rules
# reach the ceiling by saturation (:func:`saturating_ceiling`), not by a clip: up to the knee a
# level is its rule's value unchanged; above it, secretion (or the response of the gland) saturates
# hyperbolically and approaches, never reaches, the ceiling. The knees sit above the largest level
# of 2,000 default households over 12 months, so at default parameters nothing is changed.
PLASMA_OT_KNEE, PLASMA_OT_MAX = 250.0, 500.0  # pg/ml; PH7: a 25 ug i.m. dose gives 360-480 (extracted RIA)
CENTRAL_OT_KNEE, CENTRAL_OT_MAX = 15.0, 30.0  # index (adult tone 1); assumption: PH3's diurnal CSF range is 2.6-fold
CORTISOL_KNEE, CORTISOL_MAX = 2000.0, 3000.0  # nmol/l plasma; assumption (critical illness, Cushing's syndrome)
INFANT_CORTISOL_KNEE, INFANT_CORTISOL_MAX = 50.0, 100.0  # nmol/l saliva; assumption (PH15 stressor responses)
PROLACTIN_KNEE, PROLACTIN_MAX = 1000.0, 2000.0  # ng/ml; PH11: 8.5-fold suckling peak over a ~200 term baseline
TESTOSTERONE_KNEE, TESTOSTERONE_MAX = 50.0, 70.0  # nmol/l; assumption: above the adult male range (~8-35)

# name -> (low, high, unit, source) of every hormone state; the first six are held by the saturation
# of their hourly rules (before birth: ot_plasma and ot_central are the set-point and tone below,
# cortisol is prenatal_cortisol's, saturating the same way), prolactin_base, estradiol and
# progesterone by the form of their daily trajectories (PH11, PH12), the plasma OT set-point, the
# central OT tone and testosterone by the saturation of the rules that draw and move them
# (:func:`ot_plasma_setpoint`, :func:`ot_tone_target`, :func:`testosterone_setpoint`).
PHYSIOLOGICAL_RANGES = {
    "ot_plasma": (0.0, PLASMA_OT_MAX, "pg/ml", "PH7"),
    "ot_central": (0.0, CENTRAL_OT_MAX, "index", "assumption (PH3)"),
    "cortisol": (0.0, CORTISOL_MAX, "nmol/l", "assumption"),
    "prolactin": (0.0, PROLACTIN_MAX, "ng/ml", "PH11"),
    "infant_ot": (0.0, CENTRAL_OT_MAX, "index", "assumption (PH3)"),
    "infant_cortisol": (0.0, INFANT_CORTISOL_MAX, "nmol/l (saliva)", "assumption (PH15)"),
    "prolactin_base": (0.0, 200.0, "ng/ml", "PH11 (term ~200)"),
    "estradiol": (0.0, 10000.0, "pg/ml", "PH12 (up to 100-fold of 100 pg/ml)"),
    "progesterone": (0.0, 150.5, "ng/ml", "PH12 (10-fold of luteal 15 ng/ml)"),
    "ot_plasma_setpoint": (0.0, PLASMA_OT_MAX, "pg/ml", "PH7"),
    "ot_tone": (0.0, CENTRAL_OT_MAX, "index", "assumption (PH3)"),
    "testosterone": (0.0, TESTOSTERONE_MAX, "nmol/l", "assumption"),
}


def saturating_ceiling(x, knee, ceiling):
    """``x`` up to ``knee``; above it ``knee + s * e / (s + e)`` with ``e = x - knee``, ``s = ceiling - knee``.

    Hyperbolic (Michaelis-Menten) saturation of a secretion or response: continuous with slope 1
    at the knee, always below ``ceiling``. Below the knee it returns ``x`` exactly. Works on
    scalars and arrays. Compiled into the kernel by :func:`_saturating_ceiling_compiled`.
    """
    over = np.maximum(x - knee, 0.0)
    span = ceiling - knee
    return x - over + span * over / (span + over)


@overload(saturating_ceiling)
def _saturating_ceiling_compiled(x, knee, ceiling):
    """The compiled form of :func:`saturating_ceiling`, the same arithmetic.

    For one person's scalar it returns ``x`` below the knee without the division (the hour calls
    it five times per person; the branch is nearly free, the division is not); the result is the
    same bit for bit (``tests/unit/test_rules_hour.py``).
    """
    if not isinstance(x, types.Number):
        return None  # the compiled hour passes scalars only

    def scalar(x, knee, ceiling):
        if x <= knee:
            return x
        over = x - knee
        span = ceiling - knee
        return x - over + span * over / (span + over)

    return scalar


def hourly_carryover(halflife_min: np.ndarray | float) -> np.ndarray | float:
    """Fraction of a first-order excess left after one hour: ``exp(-ln2 * 60 / t_half)``."""
    return np.exp(-LN2 * STEP_MIN / halflife_min)


# ------------------------------------------------------------------ cortisol
def circadian_cortisol(hod: int, car_rise: np.ndarray, responder: np.ndarray) -> np.ndarray:
    """Adult cortisol circadian factor (mean ~1 over the day) for hour of day ``hod``.

    A cosine peaking in the morning with a nadir near midnight, plus the awakening response
    (PH14: +~50% within 30 min of waking at 07:00, in ~75% of adults), which here occupies the
    07-08 hour fully and the 08-09 hour by half. The drive is exogenous to the HPA feedback
    loop, as Hosseinichimeh et al. 2015 found best fits data (prior-models 2.1).
    """
    base = 1.0 + 0.55 * np.cos(2 * np.pi * (hod - 8) / 24.0)
    car = 0.0 if hod not in (7, 8) else (1.0 if hod == 7 else 0.5)
    return base * (1.0 + car * car_rise * responder)


def infant_circadian_amplitude(age_months: float) -> float:
    """Infant diurnal cortisol amplitude: absent before 2 months, full by 6 months (PH15)."""
    return float(np.clip((age_months - 2.0) / 4.0, 0.0, 1.0))


def infant_circadian_cortisol(hod: int, age_months: float) -> float:
    """Infant cortisol circadian factor at hour of day ``hod`` (mean 1 over the day).

    ``1 + amplitude(age) * 0.55 * cos(2 pi (hod - 8) / 24)``: the adult curve's shape
    (:func:`circadian_cortisol`, without the awakening response) scaled by the infant's
    age-dependent amplitude (:func:`infant_circadian_amplitude`, PH15).
    """
    amp = infant_circadian_amplitude(age_months)
    return float(1.0 + amp * 0.55 * np.cos(2 * np.pi * (hod - 8) / 24.0))


@jitable
def infant_hpa_gain(age_months: float, gain_2mo: np.ndarray, damping_months: np.ndarray) -> np.ndarray:
    """Infant cortisol reactivity: high at 2 months, damped exponentially after (PH15).

    With the default time constant (3.5 mo) the gain is 56% of its 2-month value at 4 months,
    32% at 6 and under 6% at 12 months, as Gunnar et al. 1996 describe (mostly absent by 12-15 mo).
    """
    return gain_2mo * np.exp(-max(age_months - 2.0, 0.0) / damping_months)


@jitable
def cortisol_excess_step(excess, target, acute, carry):
    """Advance the fractional cortisol excess one hour (dimensionless, fraction of the circadian mean).

    ``x' = carry * x + (1 - carry) * target + acute``: ``excess`` relaxes toward the chronic
    ``target`` (depression, poverty, grief, fatigue) with the clearance carry-over ``carry``
    (PH13, t1/2 66 min) and is kicked by this hour's ``acute`` drive.
    """
    return carry * excess + (1.0 - carry) * target + acute


@jitable
def caregiver_cry_stress(cry_stress_hpa, ot_central, buffering_gain):
    """Acute cortisol drive (fraction of mean per hour) of a caregiver present during unsoothed crying.

    ``cry_stress_hpa * stress_buffer(OT_central, gain)``: the caregiver's crying stressor
    (``cry_stress`` x HPA reactivity; assumption) divided by the OT stress buffer (domain a).
    """
    return cry_stress_hpa * stress_buffer(ot_central, buffering_gain)


CORTISOL_FLOOR = 0.05  # lowest cortisol as a fraction of the circadian curve (assumption: never fully suppressed)


@jitable
def cortisol_curve(scale, circadian, excess):
    """Cortisol on the circadian curve (units of ``scale``): ``scale * circadian * max(1 + excess, CORTISOL_FLOOR)``.

    The person's mean level (with the awakening response folded into ``scale``, PH14) times the
    circadian factor, raised by the fractional excess and floored at 5% of the curve (assumption).
    """
    return scale * circadian * max(1.0 + excess, CORTISOL_FLOOR)


@jitable
def cortisol_level(scale, circadian, excess):
    """A caregiver's plasma cortisol this hour (nmol/l): :func:`cortisol_curve`, saturating.

    Adrenal output saturates above ``CORTISOL_KNEE`` toward ``CORTISOL_MAX`` (3,000 nmol/l;
    assumption: the highest levels of critical illness and Cushing's syndrome).
    """
    return saturating_ceiling(cortisol_curve(scale, circadian, excess), CORTISOL_KNEE, CORTISOL_MAX)


@jitable
def infant_cortisol_level(mean, circadian, excess):
    """The infant's salivary cortisol this hour (nmol/l): :func:`cortisol_curve`, saturating.

    Saturates above ``INFANT_CORTISOL_KNEE`` toward ``INFANT_CORTISOL_MAX`` (100 nmol/l saliva;
    assumption, well above the stressor responses of PH15).
    """
    return saturating_ceiling(cortisol_curve(mean, circadian, excess), INFANT_CORTISOL_KNEE, INFANT_CORTISOL_MAX)


FRIGHT_CORTISOL_KICK = 0.8  # infant cortisol excess added by a frightening episode (assumption; Hertsgaard 1995 direction)


@jitable
def infant_hpa_drive(gain, reactivity, distress, contact_buffering, relief, ot_buffer, frightened):
    """Acute drive of the infant's cortisol excess this hour (fraction of mean).

    ``gain * reactivity * distress * (1 - contact_buffering * relief) * ot_buffer``, plus
    ``FRIGHT_CORTISOL_KICK`` when the caregiver frightened the infant. ``gain`` is the age-damped
    HPA gain (PH15, :func:`infant_hpa_gain`), ``reactivity`` the infant's own HPA reactivity,
    ``relief`` the need relief of the response (sensitive contact buffers: I10, I13), ``ot_buffer``
    the infant's OT stress buffer (domain a, :func:`stress_buffer`). The fright kick is an
    assumption (frightening care raises infant cortisol; disorganised infants show elevated
    cortisol after separation).
    """
    drive = gain * reactivity * distress * (1.0 - contact_buffering * relief) * ot_buffer
    if frightened:
        drive += FRIGHT_CORTISOL_KICK
    return drive


# ---- programmes' lasting pathways (issue 14, item 5; docs/ODD.md 7.5): the infant's HPA is shaped early
HPA_PROGRAMMING_WINDOW_MONTHS = 6.0  # the window closes as the HPA gain damps (PH15: high at 2 mo, lower by 4, stable 4-6; assumption)
HPA_PROGRAMMING_DAYS = 30.0  # time constant (days) of reactivity's approach to its care-set target (assumption)
# (1 + unsoothed crying hours) / (1 + contact hours) of a typical day in months 0-6: the model's own
# baseline before this rule (geometric mean over days and infants, 1,000 households, seed 11: 0.23;
# by month 0.36, 0.28, 0.23, 0.21, 0.20, 0.18), so that typical care leaves the trait about where it
# is and the rule moves infants around it (assumption).
HPA_REFERENCE_CRY_CONTACT = 0.23


def infant_hpa_reactivity_target(trait, cry_hours, contact_hours, programming):
    """The HPA reactivity an infant's care of one day would set (multiplier of the acute drive).

    ``trait * ((1 + cry_hours) / (1 + contact_hours) / HPA_REFERENCE_CRY_CONTACT) ** programming``:
    hours of unsoothed crying (distress nobody answered, neglect) raise it, hours of contact (touch
    of responses and skin-to-skin sessions, all caregivers) lower it; ``programming`` = 0 leaves the
    trait. Direction: X55 (27/30 studies: adversity changes reactivity; interventions normalised
    it), I11 and X50 (early contact: lower stress reactivity, better self-regulation), X53
    (maternal responsiveness, lower cortisol at 2-6 mo). Form and reference are assumptions.
    """
    ratio = (1.0 + cry_hours) / (1.0 + contact_hours) / HPA_REFERENCE_CRY_CONTACT
    return trait * ratio ** programming


def infant_hpa_reactivity_step(reactivity, target, age_months):
    """One day of the infant's HPA reactivity: toward ``target`` while the window is open, then fixed.

    ``r' = r * (target / r) ** (1 / HPA_PROGRAMMING_DAYS)`` (log-space relaxation, time constant
    ``HPA_PROGRAMMING_DAYS``) while ``age_months < HPA_PROGRAMMING_WINDOW_MONTHS``; after that ``r``
    stays as early care left it, while the age-damped gain (:func:`infant_hpa_gain`, PH15) keeps
    lowering the response. Sources: PH15 (window), X55, I11 (lasting change); assumption (sizes).
    """
    if age_months >= HPA_PROGRAMMING_WINDOW_MONTHS:
        return reactivity
    return reactivity * (target / reactivity) ** (1.0 / HPA_PROGRAMMING_DAYS)


EARLY_CONTACT_WINDOW_DAYS = 28.0  # skin-to-skin counted as "early" in the first 4 weeks (assumption; I12 early SSC, I11 14 days)


@jitable
def early_contact_hours_step(hours, session, age_days):
    """The infant's early skin-to-skin hours with the mother after this hour's ``session`` (0-1 hour).

    ``hours + session`` while ``age_days < EARLY_CONTACT_WINDOW_DAYS``, else ``hours``. The dose of
    :func:`model.daily.early_contact_weaning_ratio` (I12, X46).
    """
    if age_days < EARLY_CONTACT_WINDOW_DAYS:
        return hours + session
    return hours


@jitable
def stress_buffer(ot_central: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """OT domain (a), stress buffering: factor (<=1) on an acute cortisol drive.

    Central OT above tone baseline 1 divides the drive: ``1 / (1 + gain * max(OT - 1, 0))``.
    ``gain = 0`` switches the mechanism off (Patin et al. 2018; Khan & Canamero 2022).
    """
    return 1.0 / (1.0 + gain * np.maximum(ot_central - 1.0, 0.0))


# ------------------------------------------------------------------ oxytocin
INFANT_OT_TONE = 1.0  # the infant's central OT tone, the index unit (assumption: no infant tone trait)


@jitable
def central_ot_step(ot_central, tone, release, exogenous, carry):
    """Central OT hour level (index, tone 1 = adult mean): relaxes toward ``tone * (1 + release) + exogenous``.

    ``OT' = carry * OT + (1 - carry) * (tone * (1 + release) + exogenous)`` with the hourly
    carry-over of central clearance (PH2, t1/2 19-28 min). ``release`` is the fraction of tone
    released by this hour's contact (touch, suckling), ``exogenous`` an intranasal dose (index).
    Written term by term, ``carry*OT + w*tone + w*exogenous + w*tone*release`` with ``w = 1 - carry``.
    Receptor and release saturate: above ``CENTRAL_OT_KNEE`` the level approaches ``CENTRAL_OT_MAX``
    (:func:`saturating_ceiling`; the range is an assumption).
    """
    w = 1.0 - carry
    return saturating_ceiling(carry * ot_central + w * tone + w * exogenous + w * tone * release,
                              CENTRAL_OT_KNEE, CENTRAL_OT_MAX)


@jitable
def touch_ot_release(affectionate, stimulatory, social_touch, gain_affectionate, gain_stimulatory,
                     affectionate_match, stimulatory_match, reactivity):
    """Central OT released in the responder by this hour's touch (fraction of tone; OT domain d).

    ``social_touch * (aff * gain_aff * match_aff + stim * gain_stim * match_stim) * reactivity``:
    affectionate or stimulatory touch (booleans) release OT as far as the style is the role's
    typical one (``*_match``, M8), scaled by the domain switch ``social_touch`` (M8, I10, I14) and
    the caregiver's OT reactivity (lower in dismissing caregivers, M4).
    """
    return social_touch * (affectionate * gain_affectionate * affectionate_match
                           + stimulatory * gain_stimulatory * stimulatory_match) * reactivity


@jitable
def infant_touch_ot_release(touched, social_touch, infant_gain, relief):
    """Central OT released in the infant by this hour's touch (fraction of tone; OT domain d).

    ``social_touch * infant_gain * touched * relief``: touch (affectionate or stimulatory) raises
    infant OT (S2, I10) as far as the response relieved the infant's need.
    """
    return social_touch * infant_gain * touched * relief


SUCKLING_MINUTES = 20.0  # minutes of OT release per breastfeed (PH10: release over in ~20 min)


@jitable
def suckling_pulses(pulses_per_10min, cortisol_excess_mother):
    """Number of OT pulses in an hour with a breastfeed (PH10).

    ``(SUCKLING_MINUTES / 10) * rate / (1 + max(excess, 0))``: ~5 pulses per 10 min over the ~20
    minutes of release (PH10), fewer under stress (PH10: "stress lowers pulses"; the form of the
    reduction, division by one plus the mother's cortisol excess, is an assumption).
    """
    return (SUCKLING_MINUTES / 10.0) * pulses_per_10min / (1.0 + max(cortisol_excess_mother, 0.0))


PULSE_AREA_TO_HOUR_MEAN = 1.0 / (LN2 * STEP_MIN)  # a pulse's area is peak * t_half / ln2, spread over 60 min


@jitable
def plasma_ot_hour_mean(setpoint, central_release, coupling, n_pulses, pulse_peak, halflife_min, exogenous=0.0):
    """Hour-mean plasma OT (pg/ml).

    ``setpoint + setpoint * coupling * central_release + n_pulses * peak * t_half / ln2 / 60
    + exogenous``:
    basal secretion sits at the set-point; a central release episode reaches plasma only by the
    weak ``coupling`` (PH5: basal central-peripheral r = .08); each suckling pulse of peak
    ``pulse_peak`` decays with t1/2 ~3 min (PH1, PH10), contributing its area
    ``peak * t_half / ln2`` spread over the 60-minute hour; ``exogenous`` is the hour-mean plasma
    rise from outside (the ``exogenous_ot_plasma`` input channel, :mod:`model.channels`: an
    intranasal dose or a contact session). Secretion saturates above
    ``PLASMA_OT_KNEE`` toward ``PLASMA_OT_MAX`` (500 pg/ml, the level of a 25 ug i.m. dose, PH7).
    """
    pulses = n_pulses * pulse_peak * halflife_min * PULSE_AREA_TO_HOUR_MEAN
    return saturating_ceiling(setpoint + setpoint * coupling * central_release + pulses + exogenous,
                              PLASMA_OT_KNEE, PLASMA_OT_MAX)


@jitable
def social_reward_gain(ot_central: np.ndarray, optimum: np.ndarray) -> np.ndarray:
    """Inverted-U gain of social reward on central OT (Borland et al. 2019), 1 at the optimum.

    The optimum (``ot_reward_optimum``) sits at the top of the endogenous range, so within it
    more central OT means more reward from a positive response (the direction of the OT-bonding
    associations, M2, M9); the falling limb is reached only with exogenous doses.
    """
    x = np.maximum(ot_central, 0.0) / optimum
    return x * np.exp(1.0 - x)


def ot_plasma_setpoint(setpoint, log_shift):
    """A plasma OT set-point (pg/ml) shifted by ``log_shift`` log units, saturating like secretion.

    ``saturating_ceiling(setpoint * exp(log_shift), PLASMA_OT_KNEE, PLASMA_OT_MAX)``: the person's
    basal secretion (a lognormal draw, PH8) moved by a log shift (between-person spread and
    adversity at the draw, I4; the pregnancy rise and postpartum fall, PH8/M3); basal secretion
    saturates as every secretion does (PH7's ceiling). Unchanged below the knee. Works on arrays.
    """
    return saturating_ceiling(setpoint * np.exp(log_shift), PLASMA_OT_KNEE, PLASMA_OT_MAX)


def ot_setpoint_trait_shift(ot_system, system_effect, couple_z, couple_sd):
    """Log shift (log units) of a person's plasma-OT set-point from their OT-system trait and their couple's share.

    ``system_effect * ot_system + couple_sd * couple_z``: ``ot_system`` (z) is the person's
    OT-system trait (receptor and release capacity; OXTR/CD38 risk alleles lower plasma OT, M10),
    which also raises their sensitivity (:func:`model.population.sensitivity_trait_shift`), so the
    two share a common cause without plasma OT driving behaviour (mechanisms.md s.3);
    ``couple_z`` (z, one per household, 0 for anyone but the two parents) is a component of the
    set-point shared by husband and wife (shared household context; M9: couples' pOT correlate).
    ``system_effect`` is ``ot_system_plasma_effect``, ``couple_sd`` ``ot_couple_setpoint_sd``
    (both assumptions in size). Works on arrays.
    """
    return system_effect * ot_system + couple_sd * couple_z


def contact_ot_shift(shift, touch_hours, gain, days):
    """Tomorrow's contact-history shift (log units) of the plasma-OT set-point.

    ``shift + (gain * touch_hours - shift) / days``: the set-point's log shift relaxes, with time
    constant ``days`` (``ot_contact_setpoint_days``), toward ``gain`` (``ot_contact_setpoint_gain``,
    log units per daily touch-hour) times the person's daily hours of affiliative contact
    (``touch_hours_ewma``, the two-week running mean). More habitual contact means a higher resting
    plasma OT (PH9: breastfeeders at 3-4 mo; X27: partner hugs; X28: warm-touch practice; I14;
    M9: parents' pOT rose over 6 months). Sizes: assumption. Works on arrays.
    """
    return shift + (gain * touch_hours - shift) / days


LONELINESS_OT_TONE = 0.5  # fall of the tone target per unit loneliness, as 1 / (1 + 0.5 loneliness) (assumption)


@jitable
def ot_tone_target(resting_tone, affiliation_gain, touch_hours, loneliness):
    """Target of the central OT tone's slow plasticity (index; M9 direction, grief: assumption), saturating.

    ``saturating_ceiling(resting * (1 + gain * touch_hours) / (1 + 0.5 loneliness), CENTRAL_OT_KNEE,
    CENTRAL_OT_MAX)``: affiliative touch raises the tone (M9), loneliness lowers it (Patin et al.
    2018); receptor and release saturate as for central OT (:func:`central_ot_step`).
    """
    return saturating_ceiling(resting_tone * (1.0 + affiliation_gain * touch_hours) / (
        1.0 + LONELINESS_OT_TONE * loneliness), CENTRAL_OT_KNEE, CENTRAL_OT_MAX)


TESTOSTERONE_SETPOINT_SD = 0.25  # log-SD of testosterone set-points around the role's mean (assumption)


def testosterone_setpoint(mean, z):
    """A person's testosterone set-point (nmol/l) from a standard normal ``z``, saturating.

    ``saturating_ceiling(mean * exp(0.25 z), TESTOSTERONE_KNEE, TESTOSTERONE_MAX)``: lognormal
    around the role's mean (fathers ``testosterone_mean``; assumption), with a ceiling above the
    adult male range (assumption). Works on arrays.
    """
    return saturating_ceiling(mean * np.exp(TESTOSTERONE_SETPOINT_SD * z), TESTOSTERONE_KNEE, TESTOSTERONE_MAX)


def maternal_ot_log_shift(frac_pregnancy: float, age_days: float, rise: np.ndarray) -> np.ndarray:
    """Log shift of the mother's plasma OT set-point across pregnancy and after birth.

    Rises linearly in log units from the first to the third trimester by the mother's own
    ``rise`` (mean and spread from M3/PH8: about a third flat, most rising, some falling),
    then falls back after birth with a 20-day time constant (PH8: back by ~8 weeks).
    """
    if age_days < 0:
        return rise * frac_pregnancy
    return rise * np.exp(-age_days / 20.0)


# ------------------------------------------------------------------ sex steroids, prolactin
def maternal_steroids(frac_preg: float, age_days: float, lactating: np.ndarray, e2_fold: np.ndarray):
    """Estradiol (pg/ml) and progesterone (ng/ml) of the birthing mother (PH12).

    Pregnancy: E2 rises to ``e2_fold`` x pre-pregnancy (100 pg/ml), progesterone to 10x luteal
    (15 ng/ml), both convex in gestation. After birth progesterone falls below luteal levels by
    day 3 (t1/2 0.5 d) and E2 returns to follicular levels by ~day 21 without lactation; lactation
    holds E2 at half the follicular level (assumption: lactational hypo-oestrogenism).
    """
    e2_base, p4_base = 100.0, 15.0
    if age_days < 0:
        f2 = frac_preg**2
        return e2_base * (1.0 + (e2_fold - 1.0) * f2), p4_base * (1.0 + 9.0 * f2) * np.ones_like(e2_fold)
    decay_e2 = np.exp(-age_days / 4.0)
    floor = np.where(lactating, 0.5, 1.0)
    e2 = e2_base * (floor + (e2_fold - floor) * decay_e2)
    p4 = 0.5 + (p4_base * 10.0) * np.exp(-age_days * LN2 / 0.5) * np.ones_like(e2_fold)
    return e2, p4


def maternal_prolactin_base(frac_preg: float, age_days: float, lactating: np.ndarray, at_6mo: np.ndarray):
    """Baseline prolactin (ng/ml) of the birthing mother (PH11).

    Non-pregnant <25; rises ~7x to ~200 at term; without lactation back under 25 within ~7 days;
    with lactation ~100 from day 7 to 3 months, ``at_6mo`` (~50) at 6 months, 30 at 12 months.
    """
    if age_days < 0:
        return 15.0 + 185.0 * frac_preg * np.ones_like(at_6mo)
    non_lact = 15.0 + 185.0 * np.exp(-age_days / 1.8)
    m = age_days / DAYS_PER_MONTH
    if m < 0.23:
        lact = 200.0 - (100.0 * m / 0.23)
    elif m < 3:
        lact = 100.0 * np.ones_like(at_6mo)
    elif m < 6:
        lact = 100.0 + (at_6mo - 100.0) * (m - 3) / 3
    else:
        lact = at_6mo + (30.0 - at_6mo) * min((m - 6) / 6, 1.0)
    return np.where(lactating, lact, non_lact)


@jitable
def prolactin_excess_step(excess, carry, suckled, suckling_fold):
    """Prolactin excess over baseline (fraction) after one hour.

    ``excess' = carry * excess + (fold - 1 if suckled)``: a feed adds a transient ``fold - 1``
    (PH11: suckling ~doubles prolactin, up to 8.5x) that decays with the hourly carry-over of a
    ~50 min half-life (PH11 peak ~45 min; the half-life is an assumption).
    """
    excess = carry * excess
    if suckled:
        excess += suckling_fold - 1.0
    return excess


@jitable
def prolactin_level(base, excess):
    """Prolactin (ng/ml) this hour: the day's baseline times ``1 + excess`` (PH11), saturating.

    Above ``PROLACTIN_KNEE`` the release saturates toward ``PROLACTIN_MAX`` (2,000 ng/ml, PH11's
    8.5-fold suckling peak over the term baseline of ~200).
    """
    return saturating_ceiling(base * (1.0 + excess), PROLACTIN_KNEE, PROLACTIN_MAX)


def testosterone_target(setpoint, transition, fatherhood_drop, care_ewma, care_drop):
    """Fathers' testosterone target (nmol/l): falls across the transition and with care (P1, P5).

    ``transition`` goes 0->1 from mid-pregnancy to 3 months postpartum; hands-on care lowers
    the target further by ``care_drop`` per daily care-hour (EWMA), floored at 40% of set-point.
    """
    factor = (1.0 - fatherhood_drop * transition) * np.maximum(1.0 - care_drop * care_ewma, 0.4)
    return setpoint * factor
