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

Each process is one compiled loop over households, so a process reads like the rule it applies
to one household. (Passing the state tuples into a per-household function costs a reference
count per array per call, ~0.5 us per household, which is why the loops sit inside.)

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

from model import behaviour as bh
from model import learning as ln
from model import physiology as phys
from model.rng import DRAWS, uniform
from model.state import (
    DISTRESS_BID,
    FATHER,
    FRIGHTENING,
    INTRUSIVE,
    MOTHER,
    NO_BID,
    NO_RESPONSE,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
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
    "infant_cortisol_mean", "prolactin_suckling_fold",
)
# day-constant terms prepared by Simulation._precompute_day / _role_constants, (H, K) unless noted
DAY_TERMS = (
    "att_static", "ot_target_base", "cortisol_target_term", "role_weight", "stim_share", "aff_match",
    "stim_match", "cry_stress_hpa", "cortisol_scale",
    "carry_ot_central", "carry_cortisol", "infant_hpa_gain",  # these three (H,)
)
# episode counters, in the order of model.state.EPISODE_COUNTERS; N_BIDS follows them
(C_RESPONSES, C_SENSITIVE, C_INTRUSIVE, C_REJECTING, C_FRIGHTENING, C_FEEDS, C_BREASTFEEDS, C_GAZE,
 C_AFFECTIONATE, C_STIMULATORY, C_VOCAL, C_SYNC_SUM, C_SYNC_N, C_BIDS) = range(14)

CaregiverArrays = namedtuple("CaregiverArrays", [f.name for f in fields(Caregivers)])
InfantArrays = namedtuple("InfantArrays", [f.name for f in fields(Infants)])
ParamArrays = namedtuple("ParamArrays", HOUR_PARAMS)
DayTerms = namedtuple("DayTerms", DAY_TERMS)
Episode = namedtuple("Episode", ["att", "detected", "responder", "response", "feed", "affectionate",
                                 "stimulatory", "breastfeed", "synchrony", "distress_before"])
Clock = namedtuple("Clock", ["hour", "hod", "age_days", "age_months", "night", "circadian", "infant_circadian",
                             "carry_prolactin", "key", "n_households"])

D_SLEEP, D_DISCOMFORT, D_BID, D_DETECT = DRAWS["sleep"], DRAWS["discomfort"], DRAWS["bid"], DRAWS["detect"]
D_RESPONDER, D_QUALITY, D_TOUCH = DRAWS["responder"], DRAWS["quality"], DRAWS["touch"]
D_POSITIVE, D_GAZE = DRAWS["positive"], DRAWS["gaze"]


def new_episode(n_households: int) -> Episode:
    """Scratch arrays for one hour's episodes, allocated once per simulation."""
    h = n_households
    return Episode(np.zeros((h, K)), np.zeros((h, K), np.bool_), np.full(h, -1, np.int64),
                   np.zeros(h, np.int64), np.zeros(h, np.bool_), np.zeros(h, np.bool_), np.zeros(h, np.bool_),
                   np.zeros(h, np.bool_), np.zeros(h), np.zeros(h))


def as_tuple(cls, obj, names=None):
    """A named tuple of ``obj``'s arrays (the kernel's view of a state dataclass or ParamSet)."""
    return cls(*[getattr(obj, n) for n in (names or cls._fields)])


@numba.njit(cache=True, error_model="numpy")
def postnatal_hour(clk, cg, inf, p, d, ep, breastfeeding, available, counters):
    """Advance every household by one postnatal hour (processes 1-6), in place.

    Each process is one compiled loop over households; ``ep`` (an :data:`Episode` of scratch
    arrays) carries this hour's episode (responder, response, contact, synchrony) between them.
    """
    _needs_and_cues(clk, inf, p)
    _detect(clk, cg, inf, p, d, ep, available)
    _respond(clk, cg, inf, p, d, ep, breastfeeding)
    _interaction_effects(clk, cg, inf, p, d, ep)
    _learn(clk, cg, inf, p, ep, available)
    _count_episode(clk, cg, inf, ep, available, counters)
    _advance_hormones(clk, cg, inf, p, d, ep, available)


@numba.njit(cache=True, inline="always")
def _u(clk, h, draw):
    """This hour's uniform for ``draw`` of household ``h`` (:func:`model.rng.uniform`)."""
    return uniform(clk.key, clk.hour, clk.n_households, h, draw)


@numba.njit(cache=True, error_model="numpy")
def _needs_and_cues(clk, inf, p):
    """Process 1: hunger, discomfort and need for contact grow; the infant sleeps or bids."""
    p_discomfort = bh.discomfort_probability(clk.age_days)
    for h in range(clk.n_households):
        inf.hunger[h] = min(inf.hunger[h] + bh.hunger_rate(clk.age_months, p.hunger_interval_newborn[h],
                                                           p.hunger_interval_12mo[h]), 1.5)
        if _u(clk, h, D_DISCOMFORT) < p_discomfort:
            inf.discomfort[h] = 1.0
        else:
            inf.discomfort[h] *= 0.5
        if not inf.asleep[h]:
            inf.contact_need[h] = min(inf.contact_need[h] + p.contact_need_rate[h], 1.5)
        inf.distress[h] = bh.infant_distress(inf.hunger[h], inf.discomfort[h], inf.contact_need[h],
                                             inf.temperament[h], inf.cortisol_excess[h])
        inf.asleep[h] = bh.infant_asleep(clk.night, clk.age_months, _u(clk, h, D_SLEEP), inf.hunger[h],
                                         inf.distress[h])
        inf.bid[h] = bh.emit_bid(inf.asleep[h], inf.distress[h], clk.age_days, _u(clk, h, D_BID))
        inf.distress_sum_today[h] += inf.distress[h]


@numba.njit(cache=True, error_model="numpy")
def _detect(clk, cg, inf, p, d, ep, available):
    """Process 2: each caregiver's attunement this hour; who of those present notices the bid.

    Attunement adds the fast terms to the day's static part: OT emotion recognition (domain b,
    ``ot_emotion_recognition * log central OT``), minus cortisol excess, plus programme boosts.
    """
    for h in range(clk.n_households):
        bid = inf.bid[h]
        for k in range(K):
            ep.att[h, k] = 0.0
            ep.detected[h, k] = False
            if not cg.exists[h, k]:
                continue
            att = (d.att_static[h, k] + p.ot_emotion_recognition[h] * np.log(max(cg.ot_central[h, k], 1e-3))
                   - p.cortisol_detection[h] * max(cg.cortisol_excess[h, k], 0.0) + cg.sensitivity_boost[h, k])
            ep.att[h, k] = att
            cg.attunement_sum_today[h, k] += att
            if bid == NO_BID or not available[h, k]:
                continue
            pdet = bh.detection_probability(att, p.base_detection[h], bid, inf.distress[h], clk.night,
                                            p.night_detection[h], cg.unresolved[h, k],
                                            p.unresolved_distress_blunting[h])
            ep.detected[h, k] = _u(clk, h, D_DETECT + k) < pdet


@numba.njit(cache=True, error_model="numpy")
def _respond(clk, cg, inf, p, d, ep, breastfeeding):
    """Process 3: who responds (division of labour), the quality and the kind of contact."""
    for h in range(clk.n_households):
        bid = inf.bid[h]
        hungry_cry = bid == DISTRESS_BID and inf.hunger[h] > 0.55
        r = bh.choose_responder(ep.detected[h], d.role_weight[h], breastfeeding[h] and hungry_cry,
                                _u(clk, h, D_RESPONDER))
        q, feed, aff, stim = NO_RESPONSE, False, False, False
        if r >= 0:
            q, _ = bh.response_quality(ep.att[h, r], p.base_sensitivity[h], cg.aai[h, r], cg.unresolved[h, r],
                                       cg.cortisol_excess[h, r], cg.depressed[h, r], p.p_frightening_base[h],
                                       p.frightening_cortisol[h], _u(clk, h, D_QUALITY),
                                       _u(clk, h, D_QUALITY + 1), _u(clk, h, D_QUALITY + 2))
            feed, aff, stim = bh.touch_kind(bid, inf.hunger[h], d.stim_share[h, r], _u(clk, h, D_TOUCH))
            if q == FRIGHTENING:
                aff, stim = False, False
        inf.responder[h] = r
        inf.response[h] = q
        ep.responder[h] = r
        ep.response[h] = q
        ep.feed[h] = feed
        ep.affectionate[h] = aff
        ep.stimulatory[h] = stim
        ep.breastfeed[h] = feed and r == MOTHER and breastfeeding[h]


@numba.njit(cache=True, error_model="numpy")
def _interaction_effects(clk, cg, inf, p, d, ep):
    """Process 4: needs relieved; OT released by touch (d); synchrony (c); cortisol buffering (a)."""
    maturity = 0.3 + 0.7 * min(clk.age_months / 9.0, 1.0)
    for h in range(clk.n_households):
        r, q = ep.responder[h], ep.response[h]
        aff, stim = ep.affectionate[h], ep.stimulatory[h]
        rel = bh.relief(q)
        ep.distress_before[h] = inf.distress[h]
        if ep.feed[h]:
            inf.hunger[h] *= 0.4 - 0.4 * rel
        if inf.bid[h] == DISTRESS_BID:
            inf.discomfort[h] *= 1.0 - 0.7 * rel
        inf.contact_need[h] *= 1.0 - rel
        inf.distress[h] = bh.infant_distress(inf.hunger[h], inf.discomfort[h], inf.contact_need[h],
                                             inf.temperament[h], inf.cortisol_excess[h])
        # domain (d): touch releases OT in the responder (a fraction of tone) and in the infant
        release = 0.0
        if r >= 0:
            touch_gain = p.ot_social_touch[h] * (aff * p.touch_ot_gain_affectionate[h] * d.aff_match[h, r]
                                                 + stim * p.touch_ot_gain_stimulatory[h] * d.stim_match[h, r])
            release = touch_gain * cg.ot_reactivity[h, r]
        carry = d.carry_ot_central[h]
        for k in range(K):  # central OT relaxes to tone (+ any exogenous dose); plasma at its set-point
            if not cg.exists[h, k]:
                continue
            cg.ot_central[h, k] = (carry * cg.ot_central[h, k] + d.ot_target_base[h, k]
                                   + (1.0 - carry) * cg.exogenous_ot[h, k])
            cg.ot_plasma[h, k] = cg.ot_plasma_setpoint_now[h, k]
        if r >= 0:
            cg.ot_central[h, r] += d.ot_target_base[h, r] * release
            cg.ot_plasma[h, r] += cg.ot_plasma_setpoint_now[h, r] * p.ot_central_plasma_coupling[h] * release
        if ep.breastfeed[h]:
            n_pulses = 2.0 * p.suckling_pulses_per_10min[h] / (1.0 + max(cg.cortisol_excess[h, MOTHER], 0.0))
            cg.ot_plasma[h, MOTHER] += phys.plasma_ot_hour_mean(0.0, 0.0, 0.0, n_pulses, p.suckling_ot_pulse[h],
                                                                p.ot_plasma_halflife[h])
        inf_release = p.ot_social_touch[h] * p.infant_touch_ot_gain[h] * (aff or stim) * rel
        inf.ot[h] = phys.central_ot_step(inf.ot[h], 1.0, inf_release, 0.0, carry)
        # domain (c): affect synchrony of the engaged dyad
        sync = 0.0
        if r >= 0 and inf.bid[h] != NO_BID and q != FRIGHTENING:
            sync = bh.dyad_synchrony(rel, cg.ot_central[h, r], inf.ot[h], cg.cortisol_excess[h, r],
                                     cg.testosterone[h, r] if r == FATHER else 0.0, p.testosterone_mean[h],
                                     maturity, p.sync_coupling[h], p.ot_synchrony[h], p.testosterone_sync[h],
                                     p.sync_damping[h])
        ep.synchrony[h] = sync
        # domain (a) and safe haven: contact and OT damp the infant's cortisol response
        buffer_i = phys.stress_buffer(inf.ot[h], p.ot_stress_buffering[h])
        drive = d.infant_hpa_gain[h] * inf.hpa_reactivity[h] * inf.distress[h] * (1.0 - p.contact_buffering[h] * rel) * buffer_i
        if q == FRIGHTENING:
            drive += 0.8
        inf.cortisol_excess[h] = phys.cortisol_excess_step(inf.cortisol_excess[h], 0.0, drive, d.carry_cortisol[h])


@numba.njit(cache=True, error_model="numpy")
def _learn(clk, cg, inf, p, ep, available):
    """Process 5: dopamine prediction error -> bond; the infant's working model of the responder.

    An unanswered bid counts against every caregiver who was there and did not come: as bad
    evidence, as rejection (being ignored is the commonest rejection, Ainsworth) and, separately,
    as ``iwm_ignored`` so that measures can tell the two apart.
    """
    for h in range(clk.n_households):
        r, q = ep.responder[h], ep.response[h]
        if inf.bid[h] == NO_BID and r < 0:
            continue
        w = ln.distress_weight(ep.distress_before[h], p.iwm_distress_weight[h])
        if r >= 0:
            positive = _u(clk, h, D_POSITIVE) < bh.positive_response_probability(q, inf.distress[h])
            reward = positive * phys.social_reward_gain(cg.ot_central[h, r], p.ot_reward_optimum[h])
            delta = ln.reward_prediction_error(reward, cg.tonic_da[h, r])
            cg.bond[h, r] = ln.update_bond(cg.bond[h, r], reward, delta, p.bond_learning_rate[h])
            cg.dopamine[h, r] = delta
            cg.reward_today[h, r] += reward
            cg.interactions_today[h, r] += 1.0
            if q == SENSITIVE:
                inf.iwm_good[h, r] += w
            else:
                inf.iwm_bad[h, r] += w
            if q == INTRUSIVE:
                inf.iwm_intruded[h, r] += w
            elif q == REJECTING:
                inf.iwm_rejected[h, r] += w
            elif q == FRIGHTENING:
                inf.iwm_frightened[h, r] += 1.0
        else:
            n_av = 0
            for k in range(K):
                n_av += available[h, k]
            if n_av > 0:
                share = w / n_av
                for k in range(K):
                    if available[h, k]:
                        inf.iwm_bad[h, k] += share
                        inf.iwm_rejected[h, k] += share
                        inf.iwm_ignored[h, k] += share


@numba.njit(cache=True, error_model="numpy")
def _count_episode(clk, cg, inf, ep, available, counters):
    """Bookkeeping of behaviour counts per dyad (for outcomes and virtual studies).

    Gaze and motherese-like vocalisation are more likely when the response is sensitive and
    less when the caregiver is depressed (M5).
    """
    for h in range(clk.n_households):
        r, q, bid = ep.responder[h], ep.response[h], inf.bid[h]
        if bid != NO_BID:
            for k in range(K):
                if available[h, k]:
                    counters[C_BIDS, h * K + k] += 1.0
        if bid == DISTRESS_BID and q != SENSITIVE:
            inf.cry_hours_today[h] += 1.0
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
        counters[C_FEEDS, j] += ep.feed[h]
        counters[C_BREASTFEEDS, j] += ep.breastfeed[h]
        counters[C_AFFECTIONATE, j] += ep.affectionate[h]
        counters[C_STIMULATORY, j] += ep.stimulatory[h]
        counters[C_SYNC_SUM, j] += ep.synchrony[h]
        counters[C_SYNC_N, j] += ep.synchrony[h] > 0.0
        if q != FRIGHTENING:
            p_gaze = (0.9 if q == SENSITIVE else 0.5) * (0.6 if cg.depressed[h, r] else 1.0)
            counters[C_GAZE, j] += _u(clk, h, D_GAZE) < p_gaze
            counters[C_VOCAL, j] += _u(clk, h, D_GAZE + 1) < p_gaze * (0.8 + 0.2 * (bid == SOCIAL_BID))
        cg.care_hours_today[h, r] += 1.0
        cg.touch_hours_today[h, r] += ep.affectionate[h] or ep.stimulatory[h]
        if clk.night:
            cg.night_care_today[h, r] += 1.0
        inf.familiarity[h, r] += 1.0


@numba.njit(cache=True, error_model="numpy")
def _advance_hormones(clk, cg, inf, p, d, ep, available):
    """Process 6: cortisol (circadian + crying stress, OT-buffered) and prolactin, hourly.

    Unsoothed crying is a stressor to every caregiver present, divided by the OT stress buffer
    (domain a). Prolactin: suckling adds a transient excess over the day's baseline in the
    breastfeeding mother (PH11, t1/2 ~50 min); every caregiver's level is baseline x (1 + excess).
    """
    for h in range(clk.n_households):
        crying = inf.bid[h] == DISTRESS_BID and ep.response[h] != SENSITIVE
        carry = d.carry_cortisol[h]
        for k in range(K):
            if not cg.exists[h, k]:
                continue
            x = carry * cg.cortisol_excess[h, k] + d.cortisol_target_term[h, k]
            if crying and available[h, k]:
                x += d.cry_stress_hpa[h, k] * phys.stress_buffer(cg.ot_central[h, k], p.ot_stress_buffering[h])
            cg.cortisol_excess[h, k] = x
            cg.cortisol[h, k] = d.cortisol_scale[h, k] * clk.circadian * max(1.0 + x, 0.05)
            pe = clk.carry_prolactin * cg.prolactin_excess[h, k]
            if k == MOTHER and ep.breastfeed[h]:
                pe += p.prolactin_suckling_fold[h] - 1.0
            cg.prolactin_excess[h, k] = pe
            cg.prolactin[h, k] = cg.prolactin_base[h, k] * (1.0 + pe)
            cg.cortisol_sum_today[h, k] += cg.cortisol[h, k]
            cg.ot_plasma_sum_today[h, k] += cg.ot_plasma[h, k]
            cg.prolactin_sum_today[h, k] += cg.prolactin[h, k]
        inf.cortisol[h] = (p.infant_cortisol_mean[h] * clk.infant_circadian
                           * max(1.0 + inf.cortisol_excess[h], 0.05))
        inf.cortisol_sum_today[h] += inf.cortisol[h]
        inf.ot_sum_today[h] += inf.ot[h]
