"""State of a population of households, as parallel arrays (struct of arrays).

A household has one infant and up to five caregiver *slots*, each with a fixed role:

=====  ============  =====================================================
slot   role          who
=====  ============  =====================================================
0      mother        birthing mother, always present
1      father        co-resident father (optional)
2      grandparent   co-resident grandparent (alloparent, optional)
3      sibling       older sibling who helps (alloparent, optional)
4      daycare       daycare carer, only for infants who attend daycare
=====  ============  =====================================================

Caregiver arrays have shape ``(H, K)``; infant arrays ``(H,)``; arrays about one
infant-caregiver dyad (the infant's working model of that caregiver) also ``(H, K)``.
Nothing here has behaviour: rules live in the process modules and take these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

MOTHER, FATHER, GRANDPARENT, SIBLING, DAYCARE = range(5)
ROLES = ("mother", "father", "grandparent", "sibling", "daycare")
ALLOPARENT_SLOTS = (GRANDPARENT, SIBLING, DAYCARE)
K = len(ROLES)

AAI_AUTONOMOUS, AAI_DISMISSING, AAI_PREOCCUPIED = 0, 1, 2
AAI_NAMES = ("autonomous", "dismissing", "preoccupied")

# response codes of an hourly care episode
NO_RESPONSE, SENSITIVE, INTRUSIVE, REJECTING, FRIGHTENING = range(5)
RESPONSE_NAMES = ("none", "sensitive", "intrusive", "rejecting", "frightening")
# infant bid codes
NO_BID, DISTRESS_BID, SOCIAL_BID = 0, 1, 2

GESTATION_START_WEEK = 10  # simulation starts in the first trimester (M2 samples it)
GESTATION_DAYS = 280
PRENATAL_DAYS = GESTATION_DAYS - 7 * GESTATION_START_WEEK
DAYS_PER_MONTH = 30.4375


def _z(shape, dtype=np.float64):
    return np.zeros(shape, dtype=dtype)


@dataclass
class Caregivers:
    """Per-caregiver state, shape ``(H, K)``."""

    exists: np.ndarray
    present: np.ndarray  # not absent or lost today
    # --- traits (drawn once)
    aai: np.ndarray
    unresolved: np.ndarray
    sensitivity_trait: np.ndarray  # logit offset
    distress_sensitivity: np.ndarray  # extra logit on responses to distress (sensitivity to distress)
    adversity: np.ndarray  # z-score of early adversity (I4)
    ot_setpoint: np.ndarray  # pg/ml basal plasma OT (non-pregnant)
    ot_reactivity: np.ndarray  # contact-evoked release multiplier (M4)
    ot_tone_trait: np.ndarray  # stable multiplier of central OT tone, independent of plasma (PH5)
    hpa_reactivity: np.ndarray  # cortisol-response multiplier
    car_responder: np.ndarray  # shows the awakening response (PH14)
    testosterone_setpoint: np.ndarray  # nmol/l before the transition to parenthood
    employed: np.ndarray
    # --- slow states (daily)
    ot_tone: np.ndarray  # central OT tone, index (1 = adult mean)
    bond: np.ndarray  # caregiver-to-infant bond = learned expected social reward, 0..1
    tonic_da: np.ndarray  # tonic dopamine: EWMA of social reward, 0..1
    fatigue: np.ndarray
    depressed: np.ndarray
    ever_depressed: np.ndarray
    loneliness: np.ndarray
    chronic_stress: np.ndarray  # EWMA of cortisol excess
    touch_hours_ewma: np.ndarray
    care_hours_ewma: np.ndarray
    estradiol: np.ndarray  # pg/ml
    progesterone: np.ndarray  # ng/ml
    prolactin_base: np.ndarray  # ng/ml
    testosterone: np.ndarray  # nmol/l
    ot_plasma_setpoint_now: np.ndarray  # pg/ml incl. pregnancy trajectory
    # --- fast states (hourly)
    cortisol_excess: np.ndarray  # fraction above own circadian curve
    cortisol: np.ndarray  # nmol/l
    ot_central: np.ndarray  # index
    ot_plasma: np.ndarray  # pg/ml, hour mean
    prolactin_excess: np.ndarray
    prolactin: np.ndarray  # ng/ml
    dopamine: np.ndarray  # last phasic reward-prediction error
    # --- today's accumulators
    care_hours_today: np.ndarray
    night_care_today: np.ndarray
    touch_hours_today: np.ndarray
    reward_today: np.ndarray
    interactions_today: np.ndarray
    cortisol_sum_today: np.ndarray
    ot_plasma_sum_today: np.ndarray
    prolactin_sum_today: np.ndarray
    attunement_sum_today: np.ndarray
    # input channels: the only arrays interventions write (declared in model.channels.CHANNELS)
    exogenous_ot: np.ndarray  # central OT index added to this hour's target (e.g. intranasal dose)
    exogenous_ot_plasma: np.ndarray  # pg/ml added to this hour's mean plasma OT
    sensitivity_boost: np.ndarray  # logit added to attunement (e.g. coaching)
    extra_stress: np.ndarray  # fraction of mean cortisol added to the chronic target (daily)
    acute_stress: np.ndarray  # fraction of mean cortisol added to the excess this hour
    contact_session: np.ndarray  # share of this hour in a skin-to-skin session (0-1)
    # --- adult social layer (model.social)
    couple_support: np.ndarray  # the couple's support effectiveness, 0-1 (trait; same for mother and father)
    social_support: np.ndarray  # today's support, 0-1 (partner if present, co-resident grandparent)
    partner_touch_hours: np.ndarray  # today's hours of affectionate partner touch
    # depression episode (model.daily.update_depression)
    depression_remission_rate: np.ndarray  # per day: remission hazard of the current episode (its class), 0 if well
    # peripheral OT (issue 14 item 3)
    ot_system: np.ndarray  # z-score of the person's OT-system trait (receptor/release capacity; M10)
    ot_contact_log: np.ndarray  # log units added to the plasma-OT set-point by contact history (PH9, I14)
    # --- sources of security (issue 14.1), traits
    mentalising: np.ndarray  # mind-mindedness trait, logit offset of appropriate mind-related talk

    @classmethod
    def empty(cls, h: int) -> Caregivers:
        kw = {}
        for f in fields(cls):
            dt = bool if f.name in {"exists", "present", "unresolved", "car_responder", "employed",
                                    "depressed", "ever_depressed"} else np.float64
            if f.name == "aai":
                dt = np.int8
            kw[f.name] = _z((h, K), dt)
        return cls(**kw)


@dataclass
class Infants:
    """Per-infant state, shape ``(H,)``, plus the infant's per-caregiver working models ``(H, K)``."""

    temperament: np.ndarray  # negative reactivity, z
    hpa_reactivity: np.ndarray
    hunger: np.ndarray
    discomfort: np.ndarray
    contact_need: np.ndarray
    distress: np.ndarray
    asleep: np.ndarray
    with_family: np.ndarray  # False while separated (e.g. NICU)
    cortisol_excess: np.ndarray
    cortisol: np.ndarray  # nmol/l saliva
    ot: np.ndarray  # index (1 = baseline)
    bid: np.ndarray  # this hour's bid code
    response: np.ndarray  # this hour's response code
    responder: np.ndarray  # slot of this hour's responder, -1 if none
    # working model of each caregiver: distress-weighted evidence (H, K)
    iwm_good: np.ndarray
    iwm_bad: np.ndarray
    iwm_rejected: np.ndarray
    iwm_intruded: np.ndarray
    iwm_frightened: np.ndarray
    iwm_ignored: np.ndarray  # unanswered bids while present (a subset of iwm_rejected)
    familiarity: np.ndarray  # hours of care received from each caregiver
    # today's accumulators
    cortisol_sum_today: np.ndarray
    ot_sum_today: np.ndarray
    distress_sum_today: np.ndarray
    cry_hours_today: np.ndarray
    # input channels (model.channels.CHANNELS["infant_exogenous_ot"], ["infant_staff_care"])
    exogenous_ot: np.ndarray  # central OT index added to this hour's target (e.g. a session's release)
    staff_care: np.ndarray  # share of this hour cared for by staff (fed, settled, not held), 0-1
    # --- sources of security (issue 14.1)
    family_stress: np.ndarray  # the household's shared stress/conflict climate the infant lives in, z
    # disrupted affective communication (ODD 7.2): distress-weighted evidence per caregiver (H, K)
    iwm_disrupted: np.ndarray
    # programmes' lasting pathways (issue 14, item 5; docs/ODD.md 7.5)
    hpa_reactivity_trait: np.ndarray  # HPA reactivity at birth; ``hpa_reactivity`` is shaped from it (PH15 window)
    early_contact_hours: np.ndarray  # hours of skin-to-skin contact with the mother in the first weeks

    @classmethod
    def empty(cls, h: int) -> Infants:
        kw = {}
        for f in fields(cls):
            if f.name.startswith("iwm_") or f.name == "familiarity":
                kw[f.name] = _z((h, K))
            elif f.name in {"asleep", "with_family"}:
                kw[f.name] = _z(h, bool)
            elif f.name in {"bid", "response", "responder"}:
                kw[f.name] = _z(h, np.int8)
            else:
                kw[f.name] = _z(h)
        return cls(**kw)


@dataclass
class Households:
    """Household-level state and schedule flags, shape ``(H,)`` unless noted."""

    breastfeeding: np.ndarray
    daycare: np.ndarray  # attends daycare from the start month
    ot_rise: np.ndarray  # the mother's log-OT rise across pregnancy (M3)
    available: np.ndarray = field(default=None)  # (24, H, K) today's availability by hour of day
    # visits to an infant away from the family (household event of a neonatal stay, read by
    # model.daily.availability_table): daily from hour ``visit_start`` for ``visit_hours`` hours
    visit_start: np.ndarray = field(default=None)  # (H,) hour of day
    visit_hours: np.ndarray = field(default=None)  # (H,) hours a day, 0 = no visits
    visitors: np.ndarray = field(default=None)  # (H, K) who visits

    def __post_init__(self):
        h = self.breastfeeding.shape[0]
        if self.visit_start is None:
            self.visit_start = np.zeros(h, np.int64)
        if self.visit_hours is None:
            self.visit_hours = np.zeros(h, np.int64)
        if self.visitors is None:
            self.visitors = np.zeros((h, K), bool)


# the first len(EPISODE_COUNTERS) rows are updated hourly at the responder's dyad
EPISODE_COUNTERS = (
    "n_responses", "n_sensitive", "n_intrusive", "n_rejecting", "n_frightening",
    "n_feeds", "n_breastfeeds", "gaze", "affectionate_touch", "stimulatory_touch", "vocalisation",
    "sync_sum", "sync_n",
)
DYAD_COUNTERS = EPISODE_COUNTERS + (
    "n_bids", "care_hours", "night_care_hours", "attunement_sum", "attunement_n",
    "attunement_window_sum", "attunement_window_n", "ot_plasma_sum", "ot_plasma_n",
    "cortisol_sum", "cortisol_n",
    "n_disrupted",  # responses with disrupted affective communication (ODD 7.2)
)


@dataclass
class Counters:
    """Running totals per caregiver-infant dyad ``(H, K)``, reduced to outcomes at the end.

    All counters live in one stacked array ``data`` of shape ``(n_counters, H * K)`` so that the
    hourly update of every episode counter is a single fancy-indexed add at the responders'
    flat dyad indices; ``values[name]`` is an ``(H, K)`` view of one row.
    """

    data: np.ndarray
    values: dict[str, np.ndarray]

    @classmethod
    def empty(cls, h: int) -> Counters:
        data = _z((len(DYAD_COUNTERS), h * K))
        return cls(data, {name: data[i].reshape(h, K) for i, name in enumerate(DYAD_COUNTERS)})

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]
