"""Caregiving behaviour in one hour: infant needs and cues, detection, who responds and how.

Every function is pure (no state, no randomness of its own). The hourly rules (``@jitable``, i.e.
numba's ``register_jitable``) take one household's scalars and are compiled into
:mod:`model.kernel`; called as plain Python they are what the unit tests and the virtual lab use
(several also accept arrays). A stochastic rule receives its uniform ``u`` as an argument: the
kernel draws it from the decision's own slot of the counter-based generator (:mod:`model.rng`),
so two scenarios run with one seed share every decision's random number (common random numbers,
as in Starsim). :func:`attunement_static` and :func:`attunement` work on whole (H, K) arrays.
Numbers a rule uses are named module constants with their source (e.g. ``HUNGRY``).

The rules follow prior-models.md section 5: detection depends on the caregiver's attunement
(sensitivity trait, OT emotion recognition, cortisol, depression, fatigue, motivation);
division of labour picks one responder among those who detected the cue; response quality
depends on attunement and the caregiver's adult attachment state; frightening behaviour is
rare and tied to unresolved loss and high cortisol (Main & Hesse; Cittern et al. 2018).
"""

from __future__ import annotations

import numpy as np
from bonding.model.state import (
    AAI_AUTONOMOUS,
    AAI_DISMISSING,
    AAI_PREOCCUPIED,
    DAYCARE,
    DISTRESS_BID,
    FRIGHTENING,
    INTRUSIVE,
    MOTHER,
    NO_BID,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
)
from numba.extending import register_jitable as jitable


@jitable
def sigmoid(x):
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------ 1. needs and cues
AGE_SCALE_MONTHS = 12.0  # age by which feeding intervals and daytime naps reach their 12-month values (assumption)
HUNGRY = 0.55  # hunger above which the infant is hungry: cries are hunger cries, get a feed, add distress (assumption)
NEED_MAX = 1.5  # ceiling of hunger and of the need for contact (1 = urgent; assumption)
DISCOMFORT_LEFT = 0.5  # share of discomfort left after an hour without a new episode (assumption)


@jitable
def hunger_rate(age_months: float, interval_newborn, interval_12mo):
    """Hunger added per hour: 1 / (hours from fed to urgent), interpolated by age."""
    w = min(age_months / AGE_SCALE_MONTHS, 1.0)
    return 1.0 / (interval_newborn * (1 - w) + interval_12mo * w)


@jitable
def hunger_step(hunger, age_months, interval_newborn, interval_12mo):
    """Hunger after one hour (1 = urgent): ``min(hunger + hunger_rate, NEED_MAX)`` (assumption)."""
    return min(hunger + hunger_rate(age_months, interval_newborn, interval_12mo), NEED_MAX)


@jitable
def discomfort_step(discomfort, u, p_episode):
    """Discomfort after one hour (0-1): a new episode (``u < p_episode``) sets it to 1, else it halves.

    ``1 if u < p else DISCOMFORT_LEFT * discomfort`` (assumption; the episode chance is
    :func:`discomfort_probability`).
    """
    if u < p_episode:
        return 1.0
    return discomfort * DISCOMFORT_LEFT


@jitable
def contact_need_step(contact_need, asleep, rate):
    """Need for contact after one hour: grows by ``rate`` per awake hour up to ``NEED_MAX`` (assumption)."""
    if asleep:
        return contact_need
    return min(contact_need + rate, NEED_MAX)


# discomfort episodes (assumption: Brazelton's crying curve, peak near 6 weeks)
DISCOMFORT_BASE, DISCOMFORT_PEAK = 0.04, 0.08  # hourly chance: floor, and extra at the peak
DISCOMFORT_PEAK_WEEK, DISCOMFORT_WIDTH_WEEKS = 6.0, 5.0
DAYS_PER_WEEK = 7.0  # unit conversion


@jitable
def discomfort_probability(age_days: float) -> float:
    """Hourly chance of a discomfort episode: ``0.04 + 0.08 * exp(-((weeks - 6) / 5)^2)`` (assumption, Brazelton curve)."""
    weeks = age_days / DAYS_PER_WEEK
    return DISCOMFORT_BASE + DISCOMFORT_PEAK * np.exp(-(((weeks - DISCOMFORT_PEAK_WEEK) / DISCOMFORT_WIDTH_WEEKS) ** 2))


# infant distress (all assumption, hand-set)
LOAD_HUNGER, LOAD_DISCOMFORT, LOAD_CONTACT = 1.6, 0.9, 0.45  # weight of each need in the need load
DISTRESS_SLOPE, DISTRESS_MIDPOINT = 5.0, 0.8  # logistic steepness, and the load at distress 1/2
DISTRESS_TEMPERAMENT, DISTRESS_CORTISOL = 0.5, 0.3  # logit per SD of negative reactivity, per unit excess


@jitable
def infant_distress(hunger, discomfort, contact_need, temperament, cortisol_excess):
    """Infant distress (0-1) from needs, negative-reactivity temperament and cortisol (assumption).

    ``load = 1.6 max(hunger - HUNGRY, 0) + 0.9 discomfort + 0.45 contact_need``;
    ``distress = sigmoid(5 (load - 0.8) + 0.5 temperament + 0.3 cortisol_excess)``.
    """
    load = (LOAD_HUNGER * np.maximum(hunger - HUNGRY, 0.0) + LOAD_DISCOMFORT * discomfort
            + LOAD_CONTACT * contact_need)
    return sigmoid(DISTRESS_SLOPE * (load - DISTRESS_MIDPOINT) + DISTRESS_TEMPERAMENT * temperament
                   + DISTRESS_CORTISOL * cortisol_excess)


# sleep (assumption)
P_SLEEP_NIGHT, P_NAP_NEWBORN, NAP_DROP_BY_12MO = 0.92, 0.45, 0.2
WAKING_HUNGER, WAKING_DISTRESS = 0.85, 0.6  # hunger or distress at or above these wakes the infant


@jitable
def infant_asleep(night, age_months, u, hunger, distress):
    """Whether the infant sleeps this hour: nights mostly, naps by day, woken by need (assumption).

    Sleeps if ``u < p_sleep`` (0.92 at night; by day 0.45 falling to 0.25 by 12 months) and hunger
    < 0.85 and distress < 0.6.
    """
    p_sleep = P_SLEEP_NIGHT if night else P_NAP_NEWBORN - NAP_DROP_BY_12MO * min(age_months / AGE_SCALE_MONTHS, 1.0)
    return u < p_sleep and hunger < WAKING_HUNGER and distress < WAKING_DISTRESS


# social bids (assumption: the social smile appears near 6 weeks)
P_SOCIAL_NEWBORN, SOCIAL_RISE = 0.35, 0.4  # chance an awake calm infant bids socially, and its rise
SOCIAL_SMILE_DAY, SOCIAL_RISE_DAYS = 42.0, 120.0  # the rise starts at 6 weeks and takes 4 months


@jitable
def emit_bid(asleep, distress, age_days, u):
    """The infant's bid this hour: distress (cry/fuss), social (gaze, smile, coo) or none.

    Distress bids come with probability ``distress``; awake calm infants make social bids with
    probability ``0.35 + 0.4 * min(max(age_days - 42, 0) / 120, 1)``, more often once the social
    smile appears (~6 weeks; assumption).
    """
    if u < distress:
        return DISTRESS_BID
    p_social = P_SOCIAL_NEWBORN + SOCIAL_RISE * min(max(age_days - SOCIAL_SMILE_DAY, 0.0) / SOCIAL_RISE_DAYS, 1.0)
    if not asleep and u < distress + (1.0 - distress) * p_social:
        return SOCIAL_BID
    return NO_BID


# ------------------------------------------------------------------ 2. detection
# motivation term of attunement (assumption): the bond weighs more than tonic dopamine, and a
# caregiver at the midpoint of both (bond 0.5, dopamine 0.5) adds nothing
MOTIVATION_BOND_WEIGHT, MOTIVATION_DOPAMINE_WEIGHT = 0.6, 0.4
MOTIVATION_MIDPOINT = 0.5
OT_LOG_FLOOR = 1e-3  # central OT index below which log OT is taken at this floor (keeps the log finite; assumption)


def attunement_static(p, cg, role_sens_col):
    """The slowly changing part of attunement (H, K), recomputed once a day.

    Sensitivity trait and role offset, minus depression and fatigue, plus motivation from the
    bond and tonic dopamine (their hourly changes are small; daily resolution is an assumption):
    ``motivation_gain * (0.6 bond + 0.4 tonic_da - 0.5)`` (``MOTIVATION_*``, assumption).
    """
    return (cg.sensitivity_trait + role_sens_col
            - p.depression_detection[:, None] * cg.depressed
            - p.fatigue_detection[:, None] * cg.fatigue
            + p.motivation_gain[:, None] * (MOTIVATION_BOND_WEIGHT * cg.bond + MOTIVATION_DOPAMINE_WEIGHT * cg.tonic_da
                                            - MOTIVATION_MIDPOINT))


@jitable
def ot_recognition_term(ot_central, ot_recognition):
    """OT domain (b), emotion recognition: attunement (logit) from central OT, ``recognition * ln max(OT, 1e-3)``.

    0 at the adult tone (OT index 1); ``ot_recognition`` is the parameter ``ot_emotion_recognition``
    (PH4, I5 direction; size an assumption). Works on scalars and arrays.
    """
    return ot_recognition * np.log(np.maximum(ot_central, OT_LOG_FLOOR))


def ot_recognition_gain(ot_central, added, ot_recognition):
    """Rise of :func:`ot_recognition_term` when central OT rises from ``ot_central`` by ``added`` (logit).

    ``recognition * ln(1 + added / max(OT, 1e-3))``, i.e. ``term(OT + added) - term(OT)`` for OT
    at or above the floor, in the form that stays exact for small doses (``log1p``). What an
    exogenous dose adds to attunement at a central level (used by ``IntranasalOT``, I8).
    """
    return ot_recognition * np.log1p(added / np.maximum(ot_central, OT_LOG_FLOOR))


@jitable
def attunement_hourly(static, ot_central, cortisol_excess, ot_recognition_col, cortisol_detection_col, boost):
    """Add the fast terms: OT emotion recognition (domain b, :func:`ot_recognition_term`) and cortisol, plus programme boosts."""
    return (static + ot_recognition_term(ot_central, ot_recognition_col)
            - cortisol_detection_col * np.maximum(cortisol_excess, 0.0) + boost)


def attunement(p, cg, ot_recognition_col, role_sens_col):
    """Caregiver attunement on the logit scale, shape (H, K).

    The common core of detection and response quality: the sensitivity trait, OT emotion
    recognition (domain b: ``ot_emotion_recognition`` x log central OT), minus cortisol excess,
    depression and fatigue, plus motivation from the bond (tonic dopamine) and any programme
    boost. ``*_col`` arguments are parameter arrays already shaped (H, 1). The engine computes
    it in two parts (:func:`attunement_static` daily, :func:`attunement_hourly` hourly).
    """
    return attunement_hourly(attunement_static(p, cg, role_sens_col), cg.ot_central, cg.cortisol_excess,
                             ot_recognition_col, p.cortisol_detection[:, None], cg.sensitivity_boost)


# salience of a bid on the logit of detection (assumption): a cry is more salient than a social
# bid, and more so the more distressed the infant
CRY_SALIENCE, CRY_SALIENCE_PER_DISTRESS = 0.5, 2.0
SOCIAL_BID_SALIENCE = -0.5


@jitable
def detection_probability(att, base_detection, bid, distress, caregiver_asleep, night_penalty,
                          unresolved, blunting):
    """Probability that an available caregiver notices this hour's bid (one dyad).

    ``sigmoid(att + base_detection + salience - night_penalty * asleep)`` with salience
    ``0.5 + 2 distress - blunting * unresolved`` for a cry and ``-0.5`` for a social bid
    (``CRY_SALIENCE*``, ``SOCIAL_BID_SALIENCE``; assumption). Cries are more salient than social
    bids; sleeping caregivers detect less; unresolved caregivers show a blunted response to their
    infant's distress (M7, Kim et al. 2014). Without a bid the probability is 0 (the caller also
    skips unavailable caregivers).
    """
    if bid == NO_BID:
        return 0.0
    if bid == DISTRESS_BID:
        salience = CRY_SALIENCE + CRY_SALIENCE_PER_DISTRESS * distress - blunting * unresolved
    else:
        salience = SOCIAL_BID_SALIENCE
    return sigmoid(att + base_detection + salience - night_penalty * caregiver_asleep)


# ------------------------------------------------------------------ 3. who responds, and how
FEEDING_PREFERENCE = 6.0  # weight multiplier of a lactating mother who detects a hunger cry (assumption)


@jitable
def choose_responder(detected, role_weight, mother_feeds, u):
    """Division of labour: one responder among caregivers who detected the bid, or -1.

    ``detected`` and ``role_weight`` are one household's rows (length K). Each detector is
    weighted by a role norm; a lactating mother who detects a hungry infant's cry is strongly
    preferred (``mother_feeds``: x ``FEEDING_PREFERENCE`` = 6; assumption). Sampling is by inverse CDF along the caregiver axis; the
    comparison ``cum <= u * total`` means u == 0 still picks a detector.
    """
    total = 0.0
    for k in range(detected.shape[0]):
        if detected[k]:
            total += role_weight[k] * (FEEDING_PREFERENCE if (k == MOTHER and mother_feeds) else 1.0)
    if total <= 0.0:
        return -1
    target = u * total
    cum = 0.0
    last = -1
    for k in range(detected.shape[0]):
        if detected[k]:
            cum += role_weight[k] * (FEEDING_PREFERENCE if (k == MOTHER and mother_feeds) else 1.0)
            last = k
            if cum > target:
                return k
    return last


@jitable
def hungry_cry(bid, hunger):
    """Whether this bid is a hunger cry: a distress bid with hunger above ``HUNGRY`` (assumption).

    A lactating mother who detects one is preferred as responder (:func:`choose_responder`).
    """
    return bid == DISTRESS_BID and hunger > HUNGRY


@jitable
def response_attunement(attunement, distress_sensitivity, bid):
    """The responder's attunement for this bid (logit): plus their own sensitivity to distress for a distress bid.

    ``att + (distress_sensitivity if distress bid else 0)`` (assumption after McElwain &
    Booth-LaForce 2006 and Leerkes 2011: sensitivity to distress is distinct from general sensitivity).
    """
    if bid == DISTRESS_BID:
        return attunement + distress_sensitivity
    return attunement


FRIGHT_HAZARD_MAX = 0.5  # ceiling of the frightening hazard per response before the sensitivity factor (assumption)
FRIGHT_RISK_UNRESOLVED = 1.0  # frightening-behaviour risk of unresolved loss (the reference; Main & Hesse 1990)
FRIGHT_RISK_DEPRESSED = 0.2  # ... of depression, relative to unresolved loss (assumption)


@jitable
def frightening_risk(unresolved, depressed):
    """Risk factor of frightening behaviour: ``1 * unresolved + 0.2 * depressed`` (``FRIGHT_RISK_*``).

    Unresolved loss is the reference risk (Main & Hesse 1990); depression carries a fifth of it
    (assumption). Works on scalars and arrays (booleans count 0/1).
    """
    return FRIGHT_RISK_UNRESOLVED * unresolved + FRIGHT_RISK_DEPRESSED * depressed


# ---- sources of disorganisation (issue 14, item 2; ODD 7.2)
# (1) fright tied to unresolved loss and to state: X16 (Schuengel et al. 1999) found unresolved loss
# leads to frightening behaviour only in mothers with insecure representations (secure-unresolved
# mothers showed less of it); the size of the reduction is an assumption (X16 gives no number)
UNRESOLVED_FRIGHT_AUTONOMOUS = 0.3  # share of the unresolved fright risk kept by an autonomous (secure) caregiver (X16; size assumption)


@jitable
def unresolved_fright_share(aai):
    """Share of the unresolved-loss fright risk a caregiver carries: 0.3 if autonomous, else 1 (X16; size assumption).

    ``0.3 * [autonomous] + 1 * [not autonomous]``; works on scalars and arrays of AAI codes.
    """
    autonomous = aai == AAI_AUTONOMOUS
    return UNRESOLVED_FRIGHT_AUTONOMOUS * autonomous + FRIGHT_RISK_UNRESOLVED * (1 - autonomous)


@jitable
def frightening_state_risk(unresolved, depressed, aai, cortisol_excess, fright_stress):
    """Risk factor of frightening or frightened behaviour from the caregiver's trait AND state (X16, X17, X19).

    ``frightening_risk(unresolved * unresolved_fright_share(aai), depressed) + fright_stress * max(excess, 0)``:
    unresolved loss counts fully in insecure caregivers and less in autonomous ones (X16), and
    stress itself (cortisol above the caregiver's circadian mean: chronic load from poverty,
    depression or grief plus acute crying stress) makes a caregiver frightened or frightening even
    without unresolved loss (Main & Hesse 1990: frightened behaviour; X19: D follows contextual
    risk with U held fixed). ``fright_stress`` (parameter ``fright_stress_risk``, risk per unit
    excess; 0 = off) is the switch of the stress road. Works on scalars and arrays.
    """
    return (frightening_risk(unresolved * unresolved_fright_share(aai), depressed)
            + fright_stress * np.maximum(cortisol_excess, 0.0))


@jitable
def frightening_probability(p_sensitive, risk, cortisol_excess, p_fright_base, fright_cortisol):
    """Chance that a response is frightening or frightened (Main & Hesse 1990), given it happens.

    Frightening behaviour needs a risk (unresolved loss: 1, depression: 0.2 per caregiver), rises
    with cortisol above the circadian mean, and occurs in the caregiver's dysregulated,
    insensitive moments: ``min(base * risk * exp(fright_cortisol * max(excess, 0)), 0.5) * (1 - p_sensitive)``.
    The last factor (assumption) follows the co-occurrence of frightening and extremely insensitive
    parenting (Out, Bakermans-Kranenburg & van IJzendoorn 2009) and the finding that
    sensitivity-focused programmes reduce, not raise, disorganisation (Bakermans-Kranenburg,
    van IJzendoorn & Juffer 2005; both from memory, not in targets.md). Without it a caregiver
    coached to respond more would frighten more often simply by responding more. Works on
    scalars (the compiled hour) and arrays (the Strange Situation).
    """
    hazard = np.minimum(p_fright_base * risk * np.exp(fright_cortisol * np.maximum(cortisol_excess, 0.0)),
                        FRIGHT_HAZARD_MAX)
    return hazard * (1.0 - p_sensitive)


# (2) disrupted affective communication beyond fright (AMBIANCE: Lyons-Ruth, Bronfman & Parsons 1999,
# from memory; X17: anomalous behaviour incl. AMBIANCE -> D r=.34, U -> anomalous behaviour r=.26;
# X18: disconnected behaviour predicts D, extreme insensitivity does not). The log-rate weights of
# the propensity are assumptions with the directions of X17 (unresolved), X20 (sensitivity r=-.25
# with D, k=6, an upper bound; kept small after X18) and section 7 of mechanisms.md (depression).
DISRUPT_UNRESOLVED = 0.7  # log-rate of disrupted communication with unresolved loss (x2; assumption, X17 direction)
DISRUPT_DEPRESSED = 0.5  # ... while depressed (x1.65; assumption)
DISRUPT_STRESS = 1.0  # ... per unit of chronic stress (EWMA of cortisol excess; assumption)
DISRUPT_LOW_SENSITIVITY = 0.3  # ... per logit of sensitivity trait below the mean (assumption; X20, X18: small)
DISRUPT_HAZARD_MAX = 0.5  # ceiling per insensitive response; with the fright ceiling (0.5) the two acts stay disjoint
# (3) cumulative risk (X19: >= 5 socio-economic risks D d=1.20; other high-risk vs low-risk d=.48; X20:
# low SES r=.28 with D). A parent counts as adversity-exposed above this early-adversity z (top ~16%; assumption)
ADVERSITY_RISK_Z = 1.0


@jitable
def household_risk_count(poverty_stress, father_present, mother_adversity, mother_depressed, father_depressed):
    """Cumulative household risk, in risks (X19, X20; the list is what the model represents).

    ``poverty_stress + [no co-resident father] + [mother's early adversity z > 1] + [a parent depressed]``:
    poverty (the 0-1 index counts as up to one risk), single parenthood, an adversity-exposed
    mother (``ADVERSITY_RISK_Z``) and parental depression. Young parenthood and maltreatment are
    not represented. Works on scalars and arrays (booleans count 0/1).
    """
    return (poverty_stress + (1 - father_present) + (mother_adversity > ADVERSITY_RISK_Z)
            + (mother_depressed | father_depressed))


@jitable
def caregiver_risk_count(household_risk, slot):
    """The household's risk count for a family caregiver; 0 for the daycare carer (not of the household)."""
    if slot == DAYCARE:
        return 0.0
    return household_risk


@jitable
def disruption_propensity(unresolved, depressed, chronic_stress, sensitivity_trait, risk_count, risk_gain):
    """A caregiver's propensity to disrupted affective communication, as a rate multiplier (1 = reference).

    ``exp(0.7 unresolved + 0.5 depressed + 1.0 max(stress, 0) + 0.3 max(-sensitivity, 0) + risk_gain * risks)``
    (``DISRUPT_*``, assumption with the directions of X17, X20; ``risk_gain`` is the parameter
    ``cumulative_risk_disruption``, the switch of the cumulative-risk road (X19), and ``risks``
    :func:`caregiver_risk_count`). Unresolved loss raises it without being needed for it.
    """
    return np.exp(DISRUPT_UNRESOLVED * unresolved + DISRUPT_DEPRESSED * depressed
                  + DISRUPT_STRESS * np.maximum(chronic_stress, 0.0)
                  + DISRUPT_LOW_SENSITIVITY * np.maximum(-sensitivity_trait, 0.0) + risk_gain * risk_count)


@jitable
def disruption_probability(propensity, p_disrupted_base):
    """Chance that an insensitive response carries disrupted communication: ``min(base * propensity, 0.5)``.

    ``p_disrupted_base`` (parameter, per insensitive response of a reference caregiver; 0 = off) is
    the switch of the mechanism. Works on scalars and arrays.
    """
    return np.minimum(p_disrupted_base * propensity, DISRUPT_HAZARD_MAX)


@jitable
def disrupted_communication(response, u_anomalous, p_disrupted):
    """Whether this response carries disrupted affective communication (AMBIANCE; X17, X18).

    Only an insensitive response can: a negative-intrusive or role-confused one (intrusive) or a
    withdrawing one (rejecting), with affective communication errors. ``u_anomalous`` is the
    response's anomalous-behaviour uniform (the one :func:`response_quality` draws fright from,
    at its bottom, ``u < p_fright``); disruption takes its top, ``u >= 1 - p_disrupted``. Both
    chances are at most 0.5, so the two acts are disjoint and disruption needs no draw of its own:
    ``P(disrupted) = p_disrupted * P(insensitive)``.
    """
    return (response == INTRUSIVE or response == REJECTING) and u_anomalous >= 1.0 - p_disrupted


# share of insensitive responses that are rejecting rather than intrusive, by adult attachment
# state (assumption after Ainsworth's home scales: dismissing -> rejecting, preoccupied -> intrusive)
REJECTING_SHARE_AUTONOMOUS = 0.5
REJECTING_SHARE_DISMISSING = 0.75
REJECTING_SHARE_PREOCCUPIED = 0.25
REJECTING_SHARE_BY_AAI = tuple(s for _, s in sorted({  # indexed by the AAI code (model.state)
    AAI_AUTONOMOUS: REJECTING_SHARE_AUTONOMOUS, AAI_DISMISSING: REJECTING_SHARE_DISMISSING,
    AAI_PREOCCUPIED: REJECTING_SHARE_PREOCCUPIED}.items()))


@jitable
def rejecting_share(aai):
    """Chance that an insensitive response is rejecting rather than intrusive (``REJECTING_SHARE_*``; assumption)."""
    if aai == AAI_DISMISSING:
        return REJECTING_SHARE_DISMISSING
    if aai == AAI_PREOCCUPIED:
        return REJECTING_SHARE_PREOCCUPIED
    return REJECTING_SHARE_AUTONOMOUS


@jitable
def response_quality(att_r, base_sens, aai_r, unresolved_r, cort_excess_r, depressed_r,
                     p_fright_base, fright_cortisol, u_quality, u_fright, u_kind, fright_stress):
    """The quality of the chosen caregiver's response (sensitive, intrusive, rejecting, frightening).

    Sensitive with probability ``sigmoid(base + attunement)``. Otherwise the insensitive kind
    follows the adult attachment state: dismissing caregivers lean to rejecting (withdrawing,
    minimising), preoccupied ones to intrusive (mistimed, inconsistent); autonomous 50/50
    (assumption after Ainsworth's home scales). Frightening or frightened behaviour is rare
    (:func:`frightening_probability`): its risk (:func:`frightening_state_risk`) comes from
    unresolved loss (less in autonomous caregivers, X16), depression at a fifth of the rate
    (:func:`frightening_risk`) and stress (``fright_stress`` per unit cortisol excess); it rises
    with cortisol and falls as the caregiver becomes more sensitive. The rejecting share is
    :func:`rejecting_share`. Returns ``(code, p_sensitive)``.
    """
    p_sens = sigmoid(base_sens + att_r)
    risk = frightening_state_risk(unresolved_r, depressed_r, aai_r, cort_excess_r, fright_stress)
    p_fright = 0.0
    if risk > 0.0:  # without a risk the hazard is 0 (saves an exp in the compiled hour)
        p_fright = frightening_probability(p_sens, risk, cort_excess_r, p_fright_base, fright_cortisol)
    if u_fright < p_fright:
        return FRIGHTENING, p_sens
    if u_quality < p_sens:
        return SENSITIVE, p_sens
    return (REJECTING if u_kind < rejecting_share(aai_r) else INTRUSIVE), p_sens


# by response code (none, sensitive, intrusive, rejecting, frightening; model.state), assumption
# after Ainsworth's scales (sensitive care relieves fully and is most often answered positively)
RELIEF = np.array([0.0, 1.0, 0.5, 0.2, 0.0])  # need relief by response code
POSITIVE = np.array([0.0, 0.85, 0.35, 0.15, 0.0])  # chance the infant calms/smiles after it
POSITIVE_DISTRESS_DAMPING = 0.5  # share of the positive chance lost at full remaining distress (assumption)


@jitable
def relief(response):
    """How much of the infant's need a response relieves (sensitive 1, intrusive .5, rejecting .2)."""
    return RELIEF[response]


@jitable
def unsoothed_crying(bid, response):
    """Whether the infant cries unsoothed this hour: a distress bid without a sensitive response.

    Unsoothed crying is the caregivers' crying stressor (:func:`model.physiology.caregiver_cry_stress`)
    and the infant's cry-hour count.
    """
    return bid == DISTRESS_BID and response != SENSITIVE


@jitable
def positive_response_probability(response, distress_after):
    """Chance the infant responds positively (calms, smiles, gazes back): the caregiver's reward.

    ``POSITIVE[response] * (1 - 0.5 * distress_after)`` (assumption).
    """
    return POSITIVE[response] * (1.0 - POSITIVE_DISTRESS_DAMPING * distress_after)


@jitable
def touch_kind(bid, hunger, stimulatory_share_r, u):
    """Kind of contact in the episode: feeding, affectionate (holding, stroking) or stimulatory.

    Distress with hunger gets a feed; other distress gets soothing (affectionate) touch; social
    bids get play whose style follows the role (M8, M9: mothers affectionate, fathers stimulatory).
    Returns booleans ``(feed, affectionate, stimulatory)``.
    """
    if bid == DISTRESS_BID:
        return hunger > HUNGRY, True, False
    if bid == SOCIAL_BID:
        stimulatory = u < stimulatory_share_r
        return False, not stimulatory, stimulatory
    return False, False, False


@jitable
def episode_contact(bid, response, hunger, stimulatory_share_r, u):
    """Contact of the episode ``(feed, affectionate, stimulatory)``: :func:`touch_kind`, and no touch if frightening.

    A frightening or frightened response carries no affectionate or stimulatory touch (a feed
    still happens; assumption after Main & Hesse 1990).
    """
    feed, affectionate, stimulatory = touch_kind(bid, hunger, stimulatory_share_r, u)
    if response == FRIGHTENING:
        return feed, False, False
    return feed, affectionate, stimulatory


FEED_HUNGER_LEFT = 0.4  # share of hunger a feed leaves when it relieves nothing (assumption)
DISCOMFORT_RELIEF = 0.7  # share of discomfort a fully relieving response to distress removes (assumption)


@jitable
def relieve_needs(hunger, discomfort, contact_need, relief_q, feed, distress_bid):
    """The infant's needs after a response of relief ``relief_q`` (0-1, :func:`relief`).

    A feed leaves ``hunger * 0.4 * (1 - relief)`` (computed as ``0.4 - 0.4 * relief``); a response
    to a distress bid leaves ``discomfort * (1 - 0.7 * relief)``; every response leaves
    ``contact_need * (1 - relief)``. Returns ``(hunger, discomfort, contact_need)``. The shares are
    assumptions (a sensitive feed settles hunger fully, soothing settles most discomfort).
    """
    if feed:
        hunger = hunger * (FEED_HUNGER_LEFT - FEED_HUNGER_LEFT * relief_q)
    if distress_bid:
        discomfort = discomfort * (1.0 - DISCOMFORT_RELIEF * relief_q)
    return hunger, discomfort, contact_need * (1.0 - relief_q)


MATURITY_AT_BIRTH = 0.3  # infant's share of adult affect coupling at birth (assumption; Feldman 2007 direction)
MATURITY_GAIN = 0.7  # rise of the share to 1 by MATURITY_MONTHS
MATURITY_MONTHS = 9.0  # age at which the infant couples like a mature partner (assumption)


@jitable
def infant_maturity(age_months):
    """The infant's share of mature affect coupling: ``0.3 + 0.7 * min(age / 9 months, 1)`` (assumption)."""
    return MATURITY_AT_BIRTH + MATURITY_GAIN * min(age_months / MATURITY_MONTHS, 1.0)


@jitable
def engaged(responder, bid, response):
    """Whether caregiver and infant engage this hour: someone answered a bid, and not frighteningly."""
    return responder >= 0 and bid != NO_BID and response != FRIGHTENING


COUPLING_AVERAGE = 0.5  # the dyad's coupling is the mean of its two directed couplings (assumption)
INFANT_COUPLING_SHARE = 0.5  # infant-to-caregiver coupling at full maturity, share of ``sync_coupling`` (assumption)
TESTOSTERONE_LOG_FLOOR = 1e-3  # nmol/l below which log testosterone is taken at this floor (keeps the log finite)


@jitable
def synchrony_index(k_caregiver, k_infant, damping):
    """Affect synchrony of an engaged dyad (OT domain c), from two coupled damped oscillators.

    For partners with damping ``theta`` and mutual coupling ``kappa`` driven by independent
    noise, the stationary correlation of their affect is ``kappa / (theta + kappa)`` (closed form
    from the sum/difference decomposition of the two Ornstein-Uhlenbeck processes). The coupling
    is the mean of the caregiver-to-infant and infant-to-caregiver couplings (asymmetric coupling
    averaged: assumption; prior-models 2.5, Feldman 1999).
    """
    kappa = COUPLING_AVERAGE * (k_caregiver + k_infant)
    return kappa / (damping + kappa)


@jitable
def dyad_synchrony(relief_q, ot_caregiver, ot_infant, cortisol_excess_caregiver, testosterone_father,
                   testosterone_mean, infant_maturity, coupling, ot_synchrony, testosterone_sync, damping):
    """Synchrony index of one engaged dyad this hour (OT domain c).

    Caregiver-to-infant coupling ``k_c = coupling * relief * max(1 + ot_synchrony * ln OT_c, 0)
    * exp(-testosterone_sync * max(ln(T / T_mean), 0)) / (1 + cortisol excess)``: it rises with the
    caregiver's central OT (Feldman et al. 2007, 2010) and falls with stress and, in fathers, with
    testosterone above the mean (``testosterone_father`` is 0 for other roles: no term).
    Infant-to-caregiver coupling ``k_i = coupling / 2 * maturity * max(1 + ot_synchrony * ln OT_i, 0)``
    grows with age (``infant_maturity`` 0.3 at birth to 1 at 9 months). Both feed
    :func:`synchrony_index`.
    """
    t_excess = 0.0
    if testosterone_father > 0.0:
        t_excess = max(np.log(max(testosterone_father, TESTOSTERONE_LOG_FLOOR) / testosterone_mean), 0.0)
    k_c = (coupling * relief_q * max(1.0 + ot_synchrony * np.log(max(ot_caregiver, OT_LOG_FLOOR)), 0.0)
           * np.exp(-testosterone_sync * t_excess) / (1.0 + max(cortisol_excess_caregiver, 0.0)))
    k_i = INFANT_COUPLING_SHARE * coupling * infant_maturity * max(
        1.0 + ot_synchrony * np.log(max(ot_infant, OT_LOG_FLOOR)), 0.0)
    return synchrony_index(k_c, k_i, damping)


# ------------------------------------------------------------------ gaze and vocalisation (M5)
# Sizes are assumptions: M5 (Kim et al. 2014) and M2 give directions only (coefficients not
# retrieved); the depression factor is an assumption (depressed caregivers look at and talk to
# their infant less; not in targets.md).
GAZE_P_SENSITIVE = 0.9  # probability that the caregiver gazes at the infant in a sensitive response
GAZE_P_INSENSITIVE = 0.5  # ... in an intrusive or rejecting response
GAZE_DEPRESSED_FACTOR = 0.6  # multiplier of gaze (and so vocalisation) when the caregiver is depressed
VOCAL_PER_GAZE = 0.8  # vocalisation probability per unit gaze probability, answering a distress bid
VOCAL_SOCIAL_BONUS = 0.2  # added to VOCAL_PER_GAZE when answering a social bid (motherese in play)


@jitable
def gaze_vocal_probability(response, depressed, bid):
    """Chances that a caregiver gazes at and vocalises to the infant while responding (M5, M2).

    ``p_gaze = (0.9 if response is sensitive else 0.5) * (0.6 if depressed else 1)`` and
    ``p_vocal = p_gaze * (0.8 + 0.2 * [bid is social])`` (constants ``GAZE_*`` and ``VOCAL_*``
    above), both probabilities per response (one hourly episode, or one minute of a lab session).
    Gaze and motherese-like vocalisation are more likely in a sensitive response (M5: gaze
    duration rises with the mother's OT response) and less when the caregiver is depressed.
    No response and frightening behaviour give ``(0, 0)``. Scalar rule (compiled in the kernel;
    the lab applies it per element). Returns ``(p_gaze, p_vocal)``.
    """
    if response != SENSITIVE and response != INTRUSIVE and response != REJECTING:
        return 0.0, 0.0
    p_gaze = (GAZE_P_SENSITIVE if response == SENSITIVE else GAZE_P_INSENSITIVE) * (
        GAZE_DEPRESSED_FACTOR if depressed else 1.0)
    return p_gaze, p_gaze * (VOCAL_PER_GAZE + VOCAL_SOCIAL_BONUS * (bid == SOCIAL_BID))
