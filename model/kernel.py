"""The compiled postnatal hour: processes 1-6 of :mod:`model.simulation` fused into one pass.

For speed, the hour runs as compiled loops over households (numba) (Covasim and other
large epidemic ABMs do the same), instead of ~200 whole-array numpy operations. The *rules* are
not here: every equation is a named, pure function in :mod:`model.behaviour`,
:mod:`model.physiology` or :mod:`model.learning` (plain Python, unit-tested on their own, and
compiled here by ``register_jitable``). This module only says, per household, in what order they
run and where their results go, in the same six steps as the methods section:

1. ``_needs_and_cues``       needs grow, the infant sleeps or bids
2. ``_detect``               each available caregiver notices the bid or not (OT domain b)
3. ``_respond``              one responder (division of labour), response quality, kind of contact
4. ``_interaction_effects``  needs relieved, touch releases OT (d), synchrony (c), buffering (a)
5. ``_learn``                dopamine prediction error -> bond; the infant's working models
   (``_count_episode`` keeps the behaviour counts)
6. ``_advance_hormones``     cortisol (circadian, crying stress, OT buffer), prolactin

The kernel itself holds no rule arithmetic and no rule number: only the order of the rule calls,
indexing, and bookkeeping (counters, sums). ``tests/model/test_rule_layer_guard.py`` fails on any
numeric literal other than 0 and 1 here, and on ``min``/``max``/``np.*`` calls in the processes.

**Changing a rule.** Edit its function in :mod:`model.behaviour`, :mod:`model.physiology` or
:mod:`model.learning` (or its named constant there) and run again: :mod:`model.compiled`
notices that the source of a rule module changed and flushes numba's on-disk cache, so the
kernel is recompiled with the edited rule (30-100 s once). Replacing a rule *at runtime* does
not change the simulation: once the kernel is compiled or loaded from numba's cache,
monkeypatching ``behaviour.detection_probability`` or assigning ``behaviour.HUNGRY`` or
``behaviour.RELIEF`` changes the Python name but not the machine code (numba freezes the rules
and module globals it compiles in). Do not patch rules at runtime; a patch made before the very
first compilation would even be written into the cache. The plain-Python rules are what the unit
tests and the lab call.

Each process is one compiled loop over households, so a process reads like the rule it applies
to one household. Detection, response, learning and counting concern only households whose infant
bids this hour (about half): process 1 lists them in ``ep.bidders`` and those processes loop over
that list. Skipping the others in a loop over all households costs a branch that the processor
mispredicts about half the time; visiting the list is ~8% faster per hour and gives bit-identical
results, because households never interact within the hour.

**Day-major blocks.** Each process takes a household range (``lo`` to ``hi``).
:func:`postnatal_hour` runs the whole population through one hour (the hourly path: the Mesa
model, the dashboard, and days with an intervention that writes its input channels hour by
hour); :func:`postnatal_day` runs one block of households (``Simulation(block_households=...)``,
512 by default) through all 24 hours of a day before the next block, with the hour's clock, day
terms and availability taken from per-hour tables. A block's working set (the state is ~3.5 KB
per household, of which the hour touches a part) stays in cache for the whole day instead of the
whole population streaming through memory every hour, and 23 of the 24 calls per day (each
unpacking ~110 arrays) go away. Because households never interact within the hour and the
random numbers are counter-based, both paths give bit-identical results
(tests/model/test_day_blocks.py).

Two numba costs shape the code: passing the state tuples into a per-household function costs a
reference count per array per call (~0.5 us per household), which is why the loops sit inside
the processes; and reading ``cg.x[h]`` from a tuple inside the loop is ~1.4x
slower than reading a local array, which is why each process first binds the arrays it uses to
local names (``cg_x = cg.x``), with the prefix saying whose state it is.

State lives in the arrays of :mod:`model.state`, passed in as named tuples (``as_tuple``) and
updated in place. Random numbers come from :mod:`model.rng` (one counter-based uniform per
household, hour and decision), so the kernel has no generator state and skipping a decision
shifts nothing.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import fields

import numba
import numpy as np
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model import physiology as phys
from bonding.model import rng as rng_module
from bonding.model import state as state_module
from bonding.model.compiled import cached_dispatchers, drop_stale_cache
from bonding.model.rng import DRAWS, uniform
from bonding.model.state import (
    DAYCARE,
    DISTRESS_BID,
    FATHER,
    FRIGHTENING,
    INTRUSIVE,
    MOTHER,
    NO_BID,
    NO_RESPONSE,
    REJECTING,
    SENSITIVE,
    Caregivers,
    Infants,
    K,
)

# parameters the hour reads, one (H,) array each
HOUR_PARAMS = (
    "hunger_interval_newborn", "hunger_interval_12mo", "contact_need_rate",
    "ot_emotion_recognition", "cortisol_detection", "base_detection", "night_detection",
    "unresolved_distress_blunting", "base_sensitivity", "p_frightening_base", "frightening_cortisol",
    "ot_social_touch", "touch_ot_gain_affectionate", "touch_ot_gain_stimulatory",
    "ot_central_plasma_coupling", "suckling_pulses_per_10min", "suckling_ot_pulse", "ot_plasma_halflife",
    "infant_touch_ot_gain", "ot_stress_buffering", "infant_hpa_gain_2mo", "infant_hpa_damping_months",
    "contact_buffering", "testosterone_mean", "testosterone_sync", "sync_coupling", "ot_synchrony",
    "sync_damping", "ot_reward_optimum", "bond_learning_rate", "iwm_distress_weight",
    "infant_cortisol_mean", "prolactin_suckling_fold", "bid_directedness",
    "mentalising_evidence_gain", "family_conflict_evidence",  # sources of security (issue 14.1)
    "fright_stress_risk", "p_disrupted_base", "cumulative_risk_disruption", "poverty_stress",  # ODD 7.2
    "session_care_weight",  # programmes' lasting pathways (docs/ODD.md 7.5)
)
# day-constant terms prepared by Simulation (_open_day: the chronic cortisol target after today's
# interventions; _precompute_day, _role_constants: the rest), (H, K) unless noted
DAY_TERMS = (
    "att_static", "cortisol_target", "role_weight", "stim_share", "aff_match",
    "stim_match", "cry_stress_hpa", "cortisol_scale",
    "carry_ot_central", "carry_cortisol", "infant_hpa_gain",  # these three (H,)
)
# episode counters, in the order of model.state.EPISODE_COUNTERS; N_BIDS follows them
(C_RESPONSES, C_SENSITIVE, C_INTRUSIVE, C_REJECTING, C_FRIGHTENING, C_FEEDS, C_BREASTFEEDS, C_GAZE,
 C_AFFECTIONATE, C_STIMULATORY, C_VOCAL, C_SYNC_SUM, C_SYNC_N, C_BIDS) = range(len(state_module.EPISODE_COUNTERS) + 1)
C_DISRUPTED = state_module.DYAD_COUNTERS.index("n_disrupted")  # ODD 7.2

CaregiverArrays = namedtuple("CaregiverArrays", [f.name for f in fields(Caregivers)])
InfantArrays = namedtuple("InfantArrays", [f.name for f in fields(Infants)])
ParamArrays = namedtuple("ParamArrays", HOUR_PARAMS)
DayTerms = namedtuple("DayTerms", DAY_TERMS)
Episode = namedtuple("Episode", ["att", "detected", "feed", "affectionate",
                                 "stimulatory", "breastfeed", "synchrony", "distress_before", "bidders",
                                 "addressed", "disrupted"])
Clock = namedtuple("Clock", ["hour", "hod", "age_days", "age_months", "night", "circadian", "infant_circadian",
                             "carry_prolactin", "key", "n_households"])

D_SLEEP, D_DISCOMFORT, D_BID, D_DETECT = DRAWS["sleep"], DRAWS["discomfort"], DRAWS["bid"], DRAWS["detect"]
D_RESPONDER, D_QUALITY, D_TOUCH = DRAWS["responder"], DRAWS["quality"], DRAWS["touch"]
D_POSITIVE, D_GAZE = DRAWS["positive"], DRAWS["gaze"]
D_FRIGHT = D_QUALITY + 1  # the quality slots: sensitive?, frightening?, which insensitive kind
D_KIND = D_FRIGHT + 1


def new_episode(n_households: int) -> Episode:
    """Scratch arrays for one hour's episodes, allocated once per simulation."""
    h = n_households
    return Episode(np.zeros((h, K)), np.zeros((h, K), np.bool_),
                   np.zeros(h, np.bool_), np.zeros(h, np.bool_), np.zeros(h, np.bool_),
                   np.zeros(h, np.bool_), np.zeros(h), np.zeros(h), np.zeros(h, np.int64), np.zeros((h, K)),
                   np.zeros(h, np.bool_))


def as_tuple(cls, obj):
    """A named tuple of ``obj``'s arrays (the kernel's view of a state dataclass or ParamSet)."""
    return cls(**{n: getattr(obj, n) for n in cls._fields})


@numba.njit(cache=True, error_model="numpy")
def postnatal_hour(clk, cg, inf, p, d, ep, breastfeeding, available, counters):
    """Advance every household by one postnatal hour (processes 1-6), in place.

    The hourly path (one Mesa step = one hour; days with an intervention acting hour by hour):
    the whole population is one block. ``available`` is this hour's (H, K) slice of the day's table.
    """
    _hour_of_block(clk, 0, clk.n_households, cg, inf, p, d, ep, breastfeeding, available, counters)


@numba.njit(cache=True, error_model="numpy", nogil=True)
def postnatal_day(clocks, cg, inf, p, day_terms, ep, breastfeeding, available, counters, block_starts):
    """Advance every household through the 24 postnatal hours of one day, block by block, in place.

    The day-major path: block ``b`` (households ``block_starts[b]`` to ``block_starts[b + 1]``)
    runs all 24 hours before the next block starts, so its state stays in the processor's cache
    for the day instead of streaming the whole population through memory each hour. ``clocks``
    and ``day_terms`` hold one entry per hour of the day, ``available`` is the day's (24, H, K)
    table. Households never interact within an hour and every random number is a function of
    (hour, household, decision) (:mod:`model.rng`), so the result is bit-identical to 24 calls
    of :func:`postnatal_hour` (tests/model/test_day_blocks.py). It releases the GIL, so threads
    can run disjoint ranges of blocks at once (``Simulation(threads=...)``): a block writes only
    its own households' state, scratch, counters and bidders (``ep.bidders[lo:hi]``).
    """
    for b in range(len(block_starts) - 1):
        lo, hi = block_starts[b], block_starts[b + 1]
        for t in range(len(clocks)):
            _hour_of_block(clocks[t], lo, hi, cg, inf, p, day_terms[t], ep, breastfeeding, available[t], counters)


@numba.njit(cache=True, error_model="numpy")
def _hour_of_block(clk, lo, hi, cg, inf, p, d, ep, breastfeeding, available, counters):
    """Processes 1-6 for households ``lo`` to ``hi - 1``, one hour, in place.

    Each process is one compiled loop over the block; ``ep`` (an :data:`Episode` of scratch
    arrays, indexed by household) carries this hour's episode (contact, synchrony) between them;
    who responded and how is infant state (``inf.responder``, ``inf.response``), read by the
    later processes. The block's bidders are listed from ``ep.bidders[lo]`` on.
    """
    n_bids = _needs_and_cues(clk, lo, hi, inf, p, ep)
    _detect(clk, lo, hi, cg, inf, p, d, ep, available, n_bids)
    _respond(clk, lo, hi, cg, inf, p, d, ep, breastfeeding, n_bids)
    _interaction_effects(clk, lo, hi, cg, inf, p, d, ep)
    _learn(clk, lo, hi, cg, inf, p, ep, available, n_bids)
    _count_episode(clk, lo, hi, cg, inf, ep, available, counters, n_bids)
    _advance_hormones(clk, lo, hi, cg, inf, p, d, ep, available)


@numba.njit(cache=True, inline="always")
def _u(clk, h, draw):
    """This hour's uniform for ``draw`` of household ``h`` (:func:`model.rng.uniform`)."""
    return uniform(clk.key, clk.hour, clk.n_households, h, draw)


@numba.njit(cache=True, error_model="numpy")
def _needs_and_cues(clk, lo, hi, inf, p, ep):
    """Process 1: hunger, discomfort and need for contact grow; the infant sleeps or bids.

    Returns the number of households of the block whose infant bids this hour; their indices, in
    order, are the entries of ``ep.bidders`` from ``lo`` on (detection, response, learning and
    counting visit only them).
    """
    ep_bidders = ep.bidders
    n_bids = 0
    inf_asleep = inf.asleep
    inf_bid = inf.bid
    inf_contact_need = inf.contact_need
    inf_cortisol_excess = inf.cortisol_excess
    inf_discomfort = inf.discomfort
    inf_distress = inf.distress
    inf_distress_sum_today = inf.distress_sum_today
    inf_hunger = inf.hunger
    inf_temperament = inf.temperament
    p_contact_need_rate = p.contact_need_rate
    p_hunger_interval_12mo = p.hunger_interval_12mo
    p_hunger_interval_newborn = p.hunger_interval_newborn
    p_discomfort = bh.discomfort_probability(clk.age_days)
    for h in range(lo, hi):
        inf_hunger[h] = bh.hunger_step(inf_hunger[h], clk.age_months, p_hunger_interval_newborn[h],
                                       p_hunger_interval_12mo[h])
        inf_discomfort[h] = bh.discomfort_step(inf_discomfort[h], _u(clk, h, D_DISCOMFORT), p_discomfort)
        inf_contact_need[h] = bh.contact_need_step(inf_contact_need[h], inf_asleep[h], p_contact_need_rate[h])
        inf_distress[h] = bh.infant_distress(inf_hunger[h], inf_discomfort[h], inf_contact_need[h],
                                             inf_temperament[h], inf_cortisol_excess[h])
        inf_asleep[h] = bh.infant_asleep(clk.night, clk.age_months, _u(clk, h, D_SLEEP), inf_hunger[h],
                                         inf_distress[h])
        inf_bid[h] = bh.emit_bid(inf_asleep[h], inf_distress[h], clk.age_days, _u(clk, h, D_BID))
        inf_distress_sum_today[h] += inf_distress[h]
    for h in range(lo, hi):
        if inf_bid[h] != NO_BID:
            ep_bidders[lo + n_bids] = h
            n_bids += 1
    return n_bids


@numba.njit(cache=True, error_model="numpy")
def _detect(clk, lo, hi, cg, inf, p, d, ep, available, n_bids):
    """Process 2: each caregiver's attunement this hour; who of those present notices the bid.

    Attunement adds the fast terms to the day's static part: OT emotion recognition (domain b,
    ``ot_emotion_recognition * log central OT``), minus cortisol excess, plus programme boosts.
    """
    cg_attunement_sum_today = cg.attunement_sum_today
    cg_cortisol_excess = cg.cortisol_excess
    cg_exists = cg.exists
    cg_ot_central = cg.ot_central
    cg_sensitivity_boost = cg.sensitivity_boost
    cg_unresolved = cg.unresolved
    d_att_static = d.att_static
    ep_att = ep.att
    ep_bidders = ep.bidders
    ep_detected = ep.detected
    inf_bid = inf.bid
    inf_distress = inf.distress
    p_base_detection = p.base_detection
    p_cortisol_detection = p.cortisol_detection
    p_night_detection = p.night_detection
    p_ot_emotion_recognition = p.ot_emotion_recognition
    p_unresolved_distress_blunting = p.unresolved_distress_blunting
    for h in range(lo, hi):
        for k in range(K):
            ep_att[h, k] = 0.0
            if not cg_exists[h, k]:
                continue
            att = bh.attunement_hourly(d_att_static[h, k], cg_ot_central[h, k], cg_cortisol_excess[h, k],
                                       p_ot_emotion_recognition[h], p_cortisol_detection[h],
                                       cg_sensitivity_boost[h, k])
            ep_att[h, k] = att
            cg_attunement_sum_today[h, k] += att
    for i in range(lo, lo + n_bids):
        h = ep_bidders[i]
        bid = inf_bid[h]
        for k in range(K):
            ep_detected[h, k] = False
            if not available[h, k]:
                continue
            pdet = bh.detection_probability(ep_att[h, k], p_base_detection[h], bid, inf_distress[h], clk.night,
                                            p_night_detection[h], cg_unresolved[h, k],
                                            p_unresolved_distress_blunting[h])
            ep_detected[h, k] = _u(clk, h, D_DETECT + k) < pdet


@numba.njit(cache=True, error_model="numpy")
def _respond(clk, lo, hi, cg, inf, p, d, ep, breastfeeding, n_bids):
    """Process 3: who responds (division of labour), the quality and the kind of contact.

    A response to distress adds the caregiver's own sensitivity to distress
    (``distress_sensitivity``) to attunement. An insensitive response may carry disrupted
    affective communication (ODD 7.2): ``disruption_propensity`` of the responder (with the
    household's ``household_risk_count``), ``disruption_probability``, ``disrupted_communication``.
    """
    cg_adversity = cg.adversity
    cg_aai = cg.aai
    cg_chronic_stress = cg.chronic_stress
    cg_cortisol_excess = cg.cortisol_excess
    cg_depressed = cg.depressed
    cg_distress_sensitivity = cg.distress_sensitivity
    cg_exists = cg.exists
    cg_sensitivity_trait = cg.sensitivity_trait
    cg_unresolved = cg.unresolved
    d_role_weight = d.role_weight
    d_stim_share = d.stim_share
    ep_affectionate = ep.affectionate
    ep_att = ep.att
    ep_bidders = ep.bidders
    ep_breastfeed = ep.breastfeed
    ep_detected = ep.detected
    ep_disrupted = ep.disrupted
    ep_feed = ep.feed
    ep_stimulatory = ep.stimulatory
    inf_bid = inf.bid
    inf_hunger = inf.hunger
    inf_responder = inf.responder
    inf_response = inf.response
    p_base_sensitivity = p.base_sensitivity
    p_cumulative_risk_disruption = p.cumulative_risk_disruption
    p_fright_stress_risk = p.fright_stress_risk
    p_frightening_cortisol = p.frightening_cortisol
    p_p_disrupted_base = p.p_disrupted_base
    p_p_frightening_base = p.p_frightening_base
    p_poverty_stress = p.poverty_stress
    for h in range(lo, hi):  # no bid, no response
        inf_responder[h] = -1
        inf_response[h] = NO_RESPONSE
        ep_disrupted[h] = False
        ep_feed[h] = False
        ep_affectionate[h] = False
        ep_stimulatory[h] = False
        ep_breastfeed[h] = False
    for i in range(lo, lo + n_bids):
        h = ep_bidders[i]
        bid = inf_bid[h]
        r = bh.choose_responder(ep_detected[h], d_role_weight[h], breastfeeding[h] and bh.hungry_cry(bid, inf_hunger[h]),
                                _u(clk, h, D_RESPONDER))
        if r < 0:
            continue
        att_r = bh.response_attunement(ep_att[h, r], cg_distress_sensitivity[h, r], bid)
        q, _ = bh.response_quality(att_r, p_base_sensitivity[h], cg_aai[h, r], cg_unresolved[h, r],
                                   cg_cortisol_excess[h, r], cg_depressed[h, r], p_p_frightening_base[h],
                                   p_frightening_cortisol[h], _u(clk, h, D_QUALITY),
                                   _u(clk, h, D_FRIGHT), _u(clk, h, D_KIND), p_fright_stress_risk[h])
        if q == INTRUSIVE or q == REJECTING:  # disrupted communication comes in insensitive responses (ODD 7.2)
            risks = bh.household_risk_count(p_poverty_stress[h], cg_exists[h, FATHER], cg_adversity[h, MOTHER],
                                            cg_depressed[h, MOTHER], cg_depressed[h, FATHER])
            propensity = bh.disruption_propensity(cg_unresolved[h, r], cg_depressed[h, r], cg_chronic_stress[h, r],
                                                  cg_sensitivity_trait[h, r], bh.caregiver_risk_count(risks, r),
                                                  p_cumulative_risk_disruption[h])
            ep_disrupted[h] = bh.disrupted_communication(q, _u(clk, h, D_FRIGHT),
                                                         bh.disruption_probability(propensity, p_p_disrupted_base[h]))
        feed, aff, stim = bh.episode_contact(bid, q, inf_hunger[h], d_stim_share[h, r], _u(clk, h, D_TOUCH))
        inf_responder[h] = r
        inf_response[h] = q
        ep_feed[h] = feed
        ep_affectionate[h] = aff
        ep_stimulatory[h] = stim
        ep_breastfeed[h] = feed and r == MOTHER and breastfeeding[h]


@numba.njit(cache=True, error_model="numpy")
def _interaction_effects(clk, lo, hi, cg, inf, p, d, ep):
    """Process 4: needs relieved; OT released by touch (d); synchrony (c); cortisol buffering (a).

    Rules: ``relieve_needs``, ``touch_ot_release``, ``suckling_pulses``, ``central_ot_step`` and
    ``plasma_ot_hour_mean`` (every caregiver: relaxation to tone, release in the responder, suckling
    pulses in the breastfeeding mother), ``infant_touch_ot_release``, ``dyad_synchrony`` for an
    ``engaged`` dyad, ``infant_hpa_drive`` and ``cortisol_excess_step`` for the infant.
    """
    cg_cortisol_excess = cg.cortisol_excess
    cg_exists = cg.exists
    cg_exogenous_ot = cg.exogenous_ot
    cg_exogenous_ot_plasma = cg.exogenous_ot_plasma  # input channel (model.channels)
    cg_ot_central = cg.ot_central
    cg_ot_plasma = cg.ot_plasma
    cg_ot_plasma_setpoint_now = cg.ot_plasma_setpoint_now
    cg_ot_reactivity = cg.ot_reactivity
    cg_ot_tone = cg.ot_tone
    cg_testosterone = cg.testosterone
    d_aff_match = d.aff_match
    d_carry_cortisol = d.carry_cortisol
    d_carry_ot_central = d.carry_ot_central
    d_infant_hpa_gain = d.infant_hpa_gain
    d_stim_match = d.stim_match
    ep_affectionate = ep.affectionate
    ep_breastfeed = ep.breastfeed
    ep_distress_before = ep.distress_before
    ep_feed = ep.feed
    ep_stimulatory = ep.stimulatory
    ep_synchrony = ep.synchrony
    inf_bid = inf.bid
    inf_contact_need = inf.contact_need
    inf_cortisol_excess = inf.cortisol_excess
    inf_discomfort = inf.discomfort
    inf_distress = inf.distress
    inf_exogenous_ot = inf.exogenous_ot  # input channel (model.channels)
    inf_hpa_reactivity = inf.hpa_reactivity
    inf_hunger = inf.hunger
    inf_ot = inf.ot
    inf_responder = inf.responder
    inf_response = inf.response
    inf_temperament = inf.temperament
    p_contact_buffering = p.contact_buffering
    p_infant_touch_ot_gain = p.infant_touch_ot_gain
    p_ot_central_plasma_coupling = p.ot_central_plasma_coupling
    p_ot_plasma_halflife = p.ot_plasma_halflife
    p_ot_social_touch = p.ot_social_touch
    p_ot_stress_buffering = p.ot_stress_buffering
    p_ot_synchrony = p.ot_synchrony
    p_suckling_ot_pulse = p.suckling_ot_pulse
    p_suckling_pulses_per_10min = p.suckling_pulses_per_10min
    p_sync_coupling = p.sync_coupling
    p_sync_damping = p.sync_damping
    p_testosterone_mean = p.testosterone_mean
    p_testosterone_sync = p.testosterone_sync
    p_touch_ot_gain_affectionate = p.touch_ot_gain_affectionate
    p_touch_ot_gain_stimulatory = p.touch_ot_gain_stimulatory
    maturity = bh.infant_maturity(clk.age_months)
    for h in range(lo, hi):
        r, q = inf_responder[h], inf_response[h]
        aff, stim = ep_affectionate[h], ep_stimulatory[h]
        rel = bh.relief(q)
        ep_distress_before[h] = inf_distress[h]
        if r >= 0:  # a response relieves needs; without one, needs and so distress are as in process 1
            inf_hunger[h], inf_discomfort[h], inf_contact_need[h] = bh.relieve_needs(
                inf_hunger[h], inf_discomfort[h], inf_contact_need[h], rel, ep_feed[h], inf_bid[h] == DISTRESS_BID)
            inf_distress[h] = bh.infant_distress(inf_hunger[h], inf_discomfort[h], inf_contact_need[h],
                                                 inf_temperament[h], inf_cortisol_excess[h])
        # domain (d): touch releases OT in the responder (a fraction of tone) and in the infant
        release = 0.0
        if r >= 0:
            release = phys.touch_ot_release(aff, stim, p_ot_social_touch[h], p_touch_ot_gain_affectionate[h],
                                            p_touch_ot_gain_stimulatory[h], d_aff_match[h, r], d_stim_match[h, r],
                                            cg_ot_reactivity[h, r])
        n_pulses = 0.0
        if ep_breastfeed[h]:
            n_pulses = phys.suckling_pulses(p_suckling_pulses_per_10min[h], cg_cortisol_excess[h, MOTHER])
        carry = d_carry_ot_central[h]
        for k in range(K):  # central OT relaxes to tone (+ any exogenous dose); plasma at its set-point
            if not cg_exists[h, k]:
                continue
            release_k = release if k == r else 0.0
            cg_ot_central[h, k] = phys.central_ot_step(cg_ot_central[h, k], cg_ot_tone[h, k], release_k,
                                                       cg_exogenous_ot[h, k], carry)
            cg_ot_plasma[h, k] = phys.plasma_ot_hour_mean(cg_ot_plasma_setpoint_now[h, k], release_k,
                                                          p_ot_central_plasma_coupling[h],
                                                          n_pulses if k == MOTHER else 0.0,
                                                          p_suckling_ot_pulse[h], p_ot_plasma_halflife[h],
                                                          cg_exogenous_ot_plasma[h, k])  # + input channel
        inf_release = phys.infant_touch_ot_release(aff or stim, p_ot_social_touch[h], p_infant_touch_ot_gain[h], rel)
        inf_ot[h] = phys.central_ot_step(inf_ot[h], phys.INFANT_OT_TONE, inf_release, inf_exogenous_ot[h], carry)  # input channel
        # domain (c): affect synchrony of the engaged dyad
        sync = 0.0
        if bh.engaged(r, inf_bid[h], q):
            sync = bh.dyad_synchrony(rel, cg_ot_central[h, r], inf_ot[h], cg_cortisol_excess[h, r],
                                     cg_testosterone[h, r] if r == FATHER else 0.0, p_testosterone_mean[h],
                                     maturity, p_sync_coupling[h], p_ot_synchrony[h], p_testosterone_sync[h],
                                     p_sync_damping[h])
        ep_synchrony[h] = sync
        # domain (a) and safe haven: contact and OT damp the infant's cortisol response
        buffer_i = phys.stress_buffer(inf_ot[h], p_ot_stress_buffering[h])
        drive = phys.infant_hpa_drive(d_infant_hpa_gain[h], inf_hpa_reactivity[h], inf_distress[h],
                                      p_contact_buffering[h], rel, buffer_i, q == FRIGHTENING)
        inf_cortisol_excess[h] = phys.cortisol_excess_step(inf_cortisol_excess[h], 0.0, drive, d_carry_cortisol[h])


@numba.njit(cache=True, error_model="numpy")
def _learn(clk, lo, hi, cg, inf, p, ep, available, n_bids):
    """Process 5: dopamine prediction error -> bond; the infant's working model of the responder.

    An unanswered bid counts against every caregiver who was there and did not come, shared by
    how much it was addressed to each (:func:`model.learning.bid_direction_weight`): as bad
    evidence, as rejection (being ignored is the commonest rejection, Ainsworth) and, separately,
    as ``iwm_ignored`` so that measures can tell the two apart. An engaged episode (answered, not
    frightening) also adds the representational channel (:func:`model.learning.representational_evidence`)
    and, with a household caregiver, the family climate (:func:`model.learning.family_conflict_evidence`).
    """
    cg_bond = cg.bond
    cg_dopamine = cg.dopamine
    cg_mentalising = cg.mentalising
    cg_interactions_today = cg.interactions_today
    cg_ot_central = cg.ot_central
    cg_reward_today = cg.reward_today
    cg_tonic_da = cg.tonic_da
    ep_addressed = ep.addressed
    ep_bidders = ep.bidders
    ep_disrupted = ep.disrupted
    ep_distress_before = ep.distress_before
    inf_distress = inf.distress
    inf_iwm_bad = inf.iwm_bad
    inf_iwm_disrupted = inf.iwm_disrupted
    inf_iwm_frightened = inf.iwm_frightened
    inf_iwm_good = inf.iwm_good
    inf_iwm_ignored = inf.iwm_ignored
    inf_iwm_intruded = inf.iwm_intruded
    inf_iwm_rejected = inf.iwm_rejected
    inf_familiarity = inf.familiarity
    inf_family_stress = inf.family_stress
    inf_responder = inf.responder
    inf_response = inf.response
    p_bid_directedness = p.bid_directedness
    p_family_conflict_evidence = p.family_conflict_evidence
    p_mentalising_evidence_gain = p.mentalising_evidence_gain
    p_bond_learning_rate = p.bond_learning_rate
    p_iwm_distress_weight = p.iwm_distress_weight
    p_ot_reward_optimum = p.ot_reward_optimum
    for i in range(lo, lo + n_bids):  # only a bid can be answered or ignored
        h = ep_bidders[i]
        r, q = inf_responder[h], inf_response[h]
        w = ln.distress_weight(ep_distress_before[h], p_iwm_distress_weight[h])
        if r >= 0:
            positive = _u(clk, h, D_POSITIVE) < bh.positive_response_probability(q, inf_distress[h])
            reward = ln.episode_reward(positive, cg_ot_central[h, r], p_ot_reward_optimum[h])
            delta = ln.reward_prediction_error(reward, cg_tonic_da[h, r])
            cg_bond[h, r] = ln.update_bond(cg_bond[h, r], reward, delta, p_bond_learning_rate[h])
            cg_dopamine[h, r] = delta
            cg_reward_today[h, r] += reward
            cg_interactions_today[h, r] += 1.0
            good, bad, intruded, rejected, frightened = ln.working_model_evidence(q, w)
            inf_iwm_good[h, r] += good
            inf_iwm_bad[h, r] += bad
            inf_iwm_intruded[h, r] += intruded
            inf_iwm_rejected[h, r] += rejected
            inf_iwm_frightened[h, r] += frightened
            if q != FRIGHTENING:  # engaged: the representational channel (mind-related talk)
                attuned, mistimed = ln.representational_evidence(cg_mentalising[h, r], w, p_mentalising_evidence_gain[h])
                if r != DAYCARE:  # the family climate colours care at home
                    mistimed += ln.family_conflict_evidence(inf_family_stress[h], w, p_family_conflict_evidence[h])
                inf_iwm_good[h, r] += attuned
                inf_iwm_bad[h, r] += mistimed
                inf_iwm_intruded[h, r] += mistimed
            inf_iwm_disrupted[h, r] += ln.disrupted_evidence(ep_disrupted[h], w)  # ODD 7.2
        else:  # nobody came: the bid counts against those who were there, as addressed (learning)
            total = 0.0
            for k in range(K):
                ep_addressed[h, k] = 0.0
                if available[h, k]:
                    ep_addressed[h, k] = ln.bid_direction_weight(inf_familiarity[h, k], p_bid_directedness[h])
                    total += ep_addressed[h, k]
            if total > 0.0:
                for k in range(K):
                    if available[h, k]:
                        share = ln.unanswered_share(w, ep_addressed[h, k], total)
                        inf_iwm_bad[h, k] += share
                        inf_iwm_rejected[h, k] += share
                        inf_iwm_ignored[h, k] += share
    _learn_from_sessions(clk, lo, hi, cg, inf, p, ep)


@numba.njit(cache=True, error_model="numpy")
def _learn_from_sessions(clk, lo, hi, cg, inf, p, ep):
    """Process 5, continued: an hour of a contact session (input channel) counts as care (docs/ODD.md 7.5).

    Each caregiver in a skin-to-skin session this hour (``cg.contact_session``, 0-1) has
    ``session * session_care_weight`` sensitive, affectionate episodes with a positive infant: the
    same rules as an answered bid give the caregiver's reward (``episode_reward``), its prediction
    error and bond consolidation (``update_bond``, the learning rate times the episode weight), and
    the infant's working-model evidence of a sensitive response (``working_model_evidence`` at the
    infant's distress weight, times the episode weight). The mother's session hours in the first
    weeks add to the infant's early contact (``early_contact_hours_step``), which lowers weaning.
    """
    cg_bond = cg.bond
    cg_contact_session = cg.contact_session
    cg_interactions_today = cg.interactions_today
    cg_ot_central = cg.ot_central
    cg_reward_today = cg.reward_today
    cg_tonic_da = cg.tonic_da
    ep_distress_before = ep.distress_before
    inf_early_contact_hours = inf.early_contact_hours
    inf_iwm_bad = inf.iwm_bad
    inf_iwm_good = inf.iwm_good
    p_bond_learning_rate = p.bond_learning_rate
    p_iwm_distress_weight = p.iwm_distress_weight
    p_ot_reward_optimum = p.ot_reward_optimum
    p_session_care_weight = p.session_care_weight
    for h in range(lo, hi):
        for k in range(K):
            s = cg_contact_session[h, k]
            if s <= 0.0:
                continue
            episodes = s * p_session_care_weight[h]
            reward = ln.episode_reward(True, cg_ot_central[h, k], p_ot_reward_optimum[h])
            delta = ln.reward_prediction_error(reward, cg_tonic_da[h, k])
            cg_bond[h, k] = ln.update_bond(cg_bond[h, k], reward, delta, p_bond_learning_rate[h] * episodes)
            cg_reward_today[h, k] += episodes * reward
            cg_interactions_today[h, k] += episodes
            w = ln.distress_weight(ep_distress_before[h], p_iwm_distress_weight[h])
            good, bad, _, _, _ = ln.working_model_evidence(SENSITIVE, w)
            inf_iwm_good[h, k] += episodes * good
            inf_iwm_bad[h, k] += episodes * bad
            if k == MOTHER:
                inf_early_contact_hours[h] = phys.early_contact_hours_step(inf_early_contact_hours[h], s,
                                                                           clk.age_days)


@numba.njit(cache=True, error_model="numpy")
def _count_episode(clk, lo, hi, cg, inf, ep, available, counters, n_bids):
    """Bookkeeping of behaviour counts per dyad (for outcomes and virtual studies).

    Gaze and motherese-like vocalisation are more likely when the response is sensitive and
    less when the caregiver is depressed (M5).
    """
    cg_care_hours_today = cg.care_hours_today
    cg_depressed = cg.depressed
    cg_night_care_today = cg.night_care_today
    cg_touch_hours_today = cg.touch_hours_today
    ep_affectionate = ep.affectionate
    ep_bidders = ep.bidders
    ep_breastfeed = ep.breastfeed
    ep_disrupted = ep.disrupted
    ep_feed = ep.feed
    ep_stimulatory = ep.stimulatory
    ep_synchrony = ep.synchrony
    inf_bid = inf.bid
    inf_cry_hours_today = inf.cry_hours_today
    inf_familiarity = inf.familiarity
    inf_responder = inf.responder
    inf_response = inf.response
    for i in range(lo, lo + n_bids):  # without a bid there is nothing to count
        h = ep_bidders[i]
        r, q, bid = inf_responder[h], inf_response[h], inf_bid[h]
        for k in range(K):
            if available[h, k]:
                counters[C_BIDS, h * K + k] += 1.0
        if bh.unsoothed_crying(bid, q):
            inf_cry_hours_today[h] += 1.0
        if r < 0:
            continue
        j = h * K + r
        counters[C_RESPONSES, j] += 1.0
        if q == SENSITIVE:
            counters[C_SENSITIVE, j] += 1.0
        elif q == INTRUSIVE:
            counters[C_INTRUSIVE, j] += 1.0
        elif q == REJECTING:
            counters[C_REJECTING, j] += 1.0
        elif q == FRIGHTENING:
            counters[C_FRIGHTENING, j] += 1.0
        counters[C_FEEDS, j] += ep_feed[h]
        counters[C_DISRUPTED, j] += ep_disrupted[h]
        counters[C_BREASTFEEDS, j] += ep_breastfeed[h]
        counters[C_AFFECTIONATE, j] += ep_affectionate[h]
        counters[C_STIMULATORY, j] += ep_stimulatory[h]
        counters[C_SYNC_SUM, j] += ep_synchrony[h]
        counters[C_SYNC_N, j] += bh.engaged(r, bid, q)  # every engaged hour, zero synchrony included
        if q != FRIGHTENING:
            p_gaze, p_vocal = bh.gaze_vocal_probability(q, cg_depressed[h, r], bid)
            counters[C_GAZE, j] += _u(clk, h, D_GAZE) < p_gaze
            counters[C_VOCAL, j] += _u(clk, h, D_GAZE + 1) < p_vocal
        cg_care_hours_today[h, r] += 1.0
        cg_touch_hours_today[h, r] += ep_affectionate[h] or ep_stimulatory[h]
        if clk.night:
            cg_night_care_today[h, r] += 1.0
        inf_familiarity[h, r] += 1.0


@numba.njit(cache=True, error_model="numpy")
def _advance_hormones(clk, lo, hi, cg, inf, p, d, ep, available):
    """Process 6: cortisol (circadian + crying stress, OT-buffered) and prolactin, hourly.

    Unsoothed crying (:func:`model.behaviour.unsoothed_crying`) is a stressor to every caregiver
    present (:func:`model.physiology.caregiver_cry_stress`, divided by the OT stress buffer,
    domain a); the excess relaxes to the day's chronic target (``cortisol_excess_step``) and sets
    the level (``cortisol_level``, ``infant_cortisol_level``). Prolactin: suckling adds a transient
    excess over the day's baseline in the breastfeeding mother (``prolactin_excess_step``, PH11);
    the level is ``prolactin_level``.
    """
    cg_cortisol = cg.cortisol
    cg_cortisol_excess = cg.cortisol_excess
    cg_cortisol_sum_today = cg.cortisol_sum_today
    cg_exists = cg.exists
    cg_ot_central = cg.ot_central
    cg_ot_plasma = cg.ot_plasma
    cg_ot_plasma_sum_today = cg.ot_plasma_sum_today
    cg_prolactin = cg.prolactin
    cg_prolactin_base = cg.prolactin_base
    cg_prolactin_excess = cg.prolactin_excess
    cg_prolactin_sum_today = cg.prolactin_sum_today
    d_carry_cortisol = d.carry_cortisol
    d_cortisol_scale = d.cortisol_scale
    d_cortisol_target = d.cortisol_target
    d_cry_stress_hpa = d.cry_stress_hpa
    ep_breastfeed = ep.breastfeed
    inf_bid = inf.bid
    inf_cortisol = inf.cortisol
    inf_cortisol_excess = inf.cortisol_excess
    inf_cortisol_sum_today = inf.cortisol_sum_today
    inf_ot = inf.ot
    inf_ot_sum_today = inf.ot_sum_today
    inf_response = inf.response
    p_infant_cortisol_mean = p.infant_cortisol_mean
    p_ot_stress_buffering = p.ot_stress_buffering
    p_prolactin_suckling_fold = p.prolactin_suckling_fold
    for h in range(lo, hi):
        crying = bh.unsoothed_crying(inf_bid[h], inf_response[h])
        carry = d_carry_cortisol[h]
        for k in range(K):
            if not cg_exists[h, k]:
                continue
            acute = 0.0
            if crying and available[h, k]:
                acute = phys.caregiver_cry_stress(d_cry_stress_hpa[h, k], cg_ot_central[h, k], p_ot_stress_buffering[h])
            x = phys.cortisol_excess_step(cg_cortisol_excess[h, k], d_cortisol_target[h, k], acute, carry)
            cg_cortisol_excess[h, k] = x
            cg_cortisol[h, k] = phys.cortisol_level(d_cortisol_scale[h, k], clk.circadian, x)
            pe = phys.prolactin_excess_step(cg_prolactin_excess[h, k], clk.carry_prolactin,
                                            k == MOTHER and ep_breastfeed[h], p_prolactin_suckling_fold[h])
            cg_prolactin_excess[h, k] = pe
            cg_prolactin[h, k] = phys.prolactin_level(cg_prolactin_base[h, k], pe)
            cg_cortisol_sum_today[h, k] += cg_cortisol[h, k]
            cg_ot_plasma_sum_today[h, k] += cg_ot_plasma[h, k]
            cg_prolactin_sum_today[h, k] += cg_prolactin[h, k]
        inf_cortisol[h] = phys.infant_cortisol_level(p_infant_cortisol_mean[h], clk.infant_circadian,
                                                     inf_cortisol_excess[h])
        inf_cortisol_sum_today[h] += inf_cortisol[h]
        inf_ot_sum_today[h] += inf_ot[h]


# numba caches each function against its own file only; the rules compiled in above live in
# other modules, so flush the kernel's cache whenever one of them changes (model.compiled).
drop_stale_cache(cached_dispatchers(globals()), (bh, phys, ln, rng_module, state_module), "kernel")
