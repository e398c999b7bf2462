"""Visit procedures: what the virtual lab does with a family on a visit day (read-only).

Each procedure takes the simulation at the visit hour and returns true-value arrays shaped
(H, K) (caregiver or dyad) or (H,) (infant), to be observed later through
:mod:`experiments.lab.measures`. Nothing here changes the simulation's state.

* ``snapshot``: hormones and traits as they are at the visit hour.
* ``play15``: a scripted 15-minute play-and-contact session (M8, S2, I5) at 1-minute resolution,
  calling the engine's own rule functions, never re-coding them (``response_quality``,
  ``episode_contact``, ``relief``, ``gaze_vocal_probability``, ``positive_response_probability``,
  ``dyad_synchrony`` of ``model.behaviour``; ``touch_ot_release``, ``infant_touch_ot_release``,
  ``central_ot_step`` and ``plasma_ot_hour_mean`` of ``model.physiology``; role terms from ``model.roles.role_matrices``), each use in one small
  function below that ``tests/lab/test_lab_engine_agreement.py`` checks against the engine; an
  optional intranasal dose raises the caregiver's central OT (I5). Samples before and after.
* ``ssc60``: a 60-minute skin-to-skin session (I10): continuous affectionate touch.
* ``ssp``: the Strange Situation (:mod:`experiments.lab.ssp`).

Units: caregiver plasma OT and infant OT (``infant_ot``, ``infant_ot_pre``/``_post``) in pg/ml on
the extracted-assay scale (the infant's as index x ``infant_ot_basal``; the raw index is
``infant_ot_index``); central OT and OT tone are indices (1 = adult mean); caregiver cortisol is
plasma nmol/l, infant cortisol salivary nmol/l; testosterone nmol/l. A study's engine adds the
caregiver's plasma cortisol an hour before and after a visit (:func:`cortisol_time_course`) for
salivary sampling.
"""

from __future__ import annotations

import numpy as np
from bonding.experiments.lab.engine_rules import per_element, per_element_compiled
from bonding.experiments.lab.params import LabParam, resolve, table
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model import physiology as phys
from bonding.model.roles import role_matrices
from bonding.model.state import FATHER, MOTHER, NO_RESPONSE, SOCIAL_BID, K

PROC_PARAMS = table(
    LabParam("play_minutes", 15, 1, 60, "min", "M8, S2 (15-min play-and-contact)", "length of the play session"),
    LabParam("ssc_minutes", 60, 10, 180, "min", "I10 (60-min SSC)", "length of a skin-to-skin session"),
    LabParam("intranasal_dose_central", 1.0, 0, 5, "central OT index", "PH4, I5 (24 IU; assumption for size)", "central OT added by an intranasal dose during the session"),
    LabParam("intranasal_dose_plasma", 8.0, 0, 100, "pg/ml (extracted scale)", "PH7 (IN 65-100 ug -> 36-85 pg/ml; 24 IU smaller)", "plasma OT added by an intranasal dose (model/ has no plasma route: lab workaround)"),
    LabParam("infant_ot_basal", 4.0, 0.5, 50, "pg/ml (extracted scale)", "assumption (same scale as adult basal)", "infant peripheral OT at central index 1"),
    LabParam("engage_base", 0.5, 0, 1, "probability per min", "assumption", "chance a minute of play is engaged for an insensitive caregiver"),
    LabParam("engage_sens", 0.4, 0, 1, "probability per min", "assumption", "extra chance of engagement for a fully sensitive caregiver"),
)


# Procedure constants (what the session is, not rules): a play session answers the infant's
# social bids (gaze, smiles, coos; M8, S2 face-to-face play) and starts with a calm infant,
# so the infant's distress after a response is 0 (the term of positive_response_probability).
PLAY_BID = SOCIAL_BID
PLAY_DISTRESS = 0.0
PLAY_HUNGER = 0.0  # hunger plays no part in the kind of touch given to a social bid (touch_kind)
NO_ACUTE_STRESS = 0.0  # the hour after a visit has no new stressor (cortisol_time_course)
# Share of the cortisol relaxation's distance to baseline that a fully relieving session
# removes on top (times contact_buffering; lab rule of the I10 session, assumption).
CONTACT_CORTISOL_BUFFER = 0.5


def snapshot(sim, params=None) -> dict[str, np.ndarray]:
    """True state at the visit hour (infant OT in pg/ml as in :func:`play`; its index as ``infant_ot_index``)."""
    q = resolve(PROC_PARAMS, params)
    cg, inf = sim.cg, sim.inf
    born = sim.born
    att = bh.attunement(sim.p, cg, sim.p.ot_emotion_recognition[:, None], role_matrices(sim.p).sensitivity_offset)
    return {
        "ot_plasma": (cg.ot_plasma if born else cg.ot_plasma_setpoint_now).copy(),
        "ot_central": cg.ot_central.copy(), "ot_tone": cg.ot_tone.copy(),
        "cortisol": cg.cortisol.copy(), "testosterone": cg.testosterone.copy(),
        "testosterone_setpoint": cg.testosterone_setpoint.copy(), "bond": cg.bond.copy(),
        "attunement": att, "p_sensitive": bh.sigmoid(sim.p.base_sensitivity[:, None] + att),
        "aai": cg.aai.astype(float), "unresolved": cg.unresolved.astype(float),
        "depressed": cg.depressed.astype(float),
        "infant_ot": np.repeat(inf.ot[:, None], K, 1) * q["infant_ot_basal"],
        "infant_ot_index": np.repeat(inf.ot[:, None], K, 1), "infant_cortisol": np.repeat(inf.cortisol[:, None], K, 1),
        "iwm_expected": ln.expected_responsiveness(inf.iwm_good, inf.iwm_bad, sim.p.iwm_prior_strength[:, None]),
    }


def cortisol_time_course(sim, cortisol_before: np.ndarray) -> dict[str, np.ndarray]:
    """Caregiver plasma cortisol (nmol/l) an hour before and an hour after the visit hour.

    ``cortisol_before`` is the model's value an hour before the visit (recorded by the study
    engine). The value an hour after is the model's own next hour without a new stressor: the
    excess relaxed toward the day's chronic target (``model.physiology.cortisol_excess_step``
    with no acute drive and the cortisol clearance of ``cortisol_halflife``), and the level on
    the circadian curve (``model.physiology.cortisol_level``: the hour's cortisol scale with the
    awakening response, the circadian factor of :func:`model.physiology.circadian_cortisol`,
    floor and saturation), with the engine's terms of that hour (``sim.day_terms``). Before
    birth the hourly engine does not run and cortisol is constant, so the course is flat.
    """
    cg = sim.cg
    if not sim.born:
        return {"cortisol_1h_before": cg.cortisol.copy(), "cortisol_1h_after": cg.cortisol.copy()}
    terms = sim.day_terms[sim.hod]  # the next hour's terms, as the kernel reads them
    excess = phys.cortisol_excess_step(cg.cortisol_excess, terms.cortisol_target, NO_ACUTE_STRESS,
                                       _col(terms.carry_cortisol))
    circadian = float(phys.circadian_cortisol(sim.hod, 0.0, False))  # the hour's clock factor (Clock.circadian)
    after = per_element_compiled(phys.cortisol_level, terms.cortisol_scale, circadian, excess)
    return {"cortisol_1h_before": np.asarray(cortisol_before, float).copy(),
            "cortisol_1h_after": np.where(cg.exists, after, cg.cortisol)}


def minute_responses(att, p, cg, engaged, u_quality, u_fright, u_kind) -> np.ndarray:
    """Response code of each minute (T, H, K): ``model.behaviour.response_quality``, NO_RESPONSE if not engaged.

    ``att``: attunement (H, K); ``engaged``, ``u_*``: (T, H, K) (the rule's three uniforms).
    """
    *args, engaged = np.broadcast_arrays(att, _col(p.base_sensitivity), cg.aai, cg.unresolved, cg.cortisol_excess,
                                         cg.depressed, _col(p.p_frightening_base), _col(p.frightening_cortisol),
                                         u_quality, u_fright, u_kind, _col(p.fright_stress_risk), engaged)
    quality = np.full(engaged.shape, NO_RESPONSE, np.int64)
    # the rule runs in Python (it takes numpy's exp), so only where a response is given
    quality[engaged], _ = per_element(bh.response_quality, *(a[engaged] for a in args), nout=2,
                                      dtypes=(np.int64, float))
    return quality


def minute_touch(quality, stimulatory_share, u_touch, continuous_touch: bool = False):
    """Affectionate and stimulatory touch of each minute, two (T, H, K) boolean arrays.

    The contact of a response to a social bid is ``model.behaviour.episode_contact`` (the kind
    of touch by ``touch_kind``, none in a frightening act), as in the hourly kernel; a minute
    without a response has none. In skin-to-skin (``continuous_touch``) every minute is
    affectionate contact (the procedure).
    """
    engaged = quality != NO_RESPONSE
    if continuous_touch:
        return np.ones(quality.shape, bool), np.zeros(quality.shape, bool)
    _, affectionate, stimulatory = per_element_compiled(bh.episode_contact, PLAY_BID, quality, PLAY_HUNGER, stimulatory_share,
                                               u_touch, nout=3, dtypes=(bool,))
    return engaged & affectionate, engaged & stimulatory


def minute_gaze_vocal_probability(quality, depressed):
    """Chances of gaze and of vocalisation in each minute: ``model.behaviour.gaze_vocal_probability`` (social bid)."""
    return per_element_compiled(bh.gaze_vocal_probability, quality, depressed, PLAY_BID, nout=2)


def minute_positive_probability(quality):
    """Chance of the infant's positive affect in each minute: ``model.behaviour.positive_response_probability``."""
    return bh.positive_response_probability(quality, PLAY_DISTRESS)


def session_relief(quality) -> np.ndarray:
    """Mean relief per minute of the session (H, K): ``model.behaviour.relief`` of each minute's response (none: 0)."""
    return bh.relief(quality).mean(0)


def session_synchrony(relief_q, ot_caregiver, ot_infant, cg, p, age_months: float) -> np.ndarray:
    """Synchrony index of each dyad (H, K): ``model.behaviour.dyad_synchrony``, as the kernel calls it.

    The caregiver's cortisol excess, a father's testosterone (0 for other roles) and the
    infant's maturity at its age (``model.behaviour.infant_maturity``) enter as in the hourly model.
    """
    testosterone_father = np.where(np.arange(K) == FATHER, cg.testosterone, 0.0)
    return per_element(bh.dyad_synchrony, relief_q, ot_caregiver, ot_infant, cg.cortisol_excess,
                       testosterone_father, _col(p.testosterone_mean), bh.infant_maturity(age_months),
                       _col(p.sync_coupling), _col(p.ot_synchrony), _col(p.testosterone_sync), _col(p.sync_damping))


def session_ot_release(affectionate_share, stimulatory_share, p, roles, ot_reactivity) -> np.ndarray:
    """Caregiver's central OT release of the session (H, K): ``model.physiology.touch_ot_release``.

    The session's shares of minutes with affectionate and with stimulatory touch take the place
    of the kernel's touch booleans of an hour (the rule is linear in them); role matches from
    ``model.roles.role_matrices``.
    """
    return phys.touch_ot_release(affectionate_share, stimulatory_share, _col(p.ot_social_touch),
                                 _col(p.touch_ot_gain_affectionate), _col(p.touch_ot_gain_stimulatory),
                                 roles.affectionate_match, roles.stimulatory_match, ot_reactivity)


def session_infant_ot_release(affectionate_share, stimulatory_share, relief_q, p) -> np.ndarray:
    """Infant's central OT release of the session (H, K): ``model.physiology.infant_touch_ot_release``.

    The share of touched minutes (affectionate or stimulatory) takes the place of the kernel's
    touch boolean, at the session's mean relief.
    """
    return phys.infant_touch_ot_release(affectionate_share + stimulatory_share, _col(p.ot_social_touch),
                                        _col(p.infant_touch_ot_gain), relief_q)


def _col(a) -> np.ndarray:
    """An (H,) parameter array as an (H, 1) column."""
    return np.asarray(a)[:, None]


def play(sim, rng: np.random.Generator, minutes: int | None = None, dose: np.ndarray | float = 0.0,
         params=None, continuous_touch: bool = False) -> dict[str, np.ndarray]:
    """Scripted play-and-contact (or skin-to-skin if ``continuous_touch``) session, all dyads at once.

    Minute by minute, an engaged caregiver responds to the infant's social bid with the engine's
    rules (applied to arrays by :func:`experiments.lab.engine_rules.per_element`): quality by
    ``response_quality`` (sensitive, intrusive or rejecting by adult attachment state, rarely
    frightening), kind of touch by ``touch_kind`` (all affectionate in skin-to-skin), relief by
    ``relief``, gaze and vocalisation by ``gaze_vocal_probability``, the infant's positive affect
    by ``positive_response_probability``. Over the session, touch releases OT
    (``touch_ot_release`` and ``infant_touch_ot_release`` at the session's share of touch minutes;
    ``central_ot_step``, ``plasma_ot_hour_mean``) and the dyad's synchrony is ``dyad_synchrony``
    at the session's mean relief and post-session OT.

    Returns pre/post true OT (caregiver plasma and central, infant), minute counts of
    affectionate and stimulatory touch, gaze, vocalisation and positive affect, the synchrony
    index and a bonding composite (gaze + vocal + positive affect + affectionate touch minutes).
    """
    q = resolve(PROC_PARAMS, params)
    p, cg, inf, H = sim.p, sim.cg, sim.inf, sim.H
    T = int(minutes or (q["ssc_minutes"] if continuous_touch else q["play_minutes"]))
    roles = role_matrices(p)
    dose = np.broadcast_to(np.asarray(dose, float), (H, K))
    ot_c0 = cg.ot_central + q["intranasal_dose_central"] * dose
    # attunement with the (dosed) central OT: OT emotion recognition domain (b)
    att = bh.attunement_hourly(bh.attunement_static(p, cg, roles.sensitivity_offset), ot_c0, cg.cortisol_excess,
                               _col(p.ot_emotion_recognition), _col(p.cortisol_detection), cg.sensitivity_boost)
    p_sens = bh.sigmoid(_col(p.base_sensitivity) + att)
    u = rng.random((T, 5, H, K))
    u_fright_kind = rng.random((T, 2, H, K))
    engaged = np.ones((T, H, K), bool) if continuous_touch else u[:, 0] < q["engage_base"] + q["engage_sens"] * p_sens
    quality = minute_responses(att, p, cg, engaged, u[:, 1], u_fright_kind[:, 0], u_fright_kind[:, 1])
    aff, stim = minute_touch(quality, roles.stimulatory_share, u[:, 2], continuous_touch)
    p_gaze, p_vocal = minute_gaze_vocal_probability(quality, cg.depressed)
    gaze = u[:, 3] < p_gaze
    vocal = u[:, 4] < p_vocal
    positive = u[:, 4] < minute_positive_probability(quality)
    aff_f, stim_f = aff.mean(0), stim.mean(0)
    release = session_ot_release(aff_f, stim_f, p, roles, cg.ot_reactivity)
    carry = _col(np.exp(-phys.LN2 * T / p.ot_central_halflife))
    ot_c1 = phys.central_ot_step(ot_c0, cg.ot_tone, release, q["intranasal_dose_central"] * dose, carry)
    plasma1 = phys.plasma_ot_hour_mean(cg.ot_plasma_setpoint_now, release, _col(p.ot_central_plasma_coupling),
                                       0.0, 0.0, _col(p.ot_plasma_halflife)) + q["intranasal_dose_plasma"] * dose
    # pre-session sample on the same basis as the post sample (basal secretion, no feed pulses)
    plasma_pre = phys.plasma_ot_hour_mean(cg.ot_plasma_setpoint_now, 0.0, _col(p.ot_central_plasma_coupling),
                                          0.0, 0.0, _col(p.ot_plasma_halflife))
    rel = session_relief(quality)
    inf_release = session_infant_ot_release(aff_f, stim_f, rel, p)
    inf_ot0 = np.repeat(inf.ot[:, None], K, 1)
    inf_ot1 = phys.central_ot_step(inf_ot0, 1.0, inf_release, 0.0, carry)
    sync = session_synchrony(rel, ot_c1, inf_ot1, cg, p, sim.age_months)
    # infant cortisol during contact: buffered toward baseline (I10)
    buf = _col(p.contact_buffering) * rel
    inf_cort0 = np.repeat(inf.cortisol[:, None], K, 1)
    base_i = _col(p.infant_cortisol_mean)
    inf_cort1 = base_i + (inf_cort0 - base_i) * np.exp(-phys.LN2 * T / _col(p.cortisol_halflife)) * (
        1 - CONTACT_CORTISOL_BUFFER * buf)
    out = {
        "ot_plasma_pre": plasma_pre, "ot_plasma_post": plasma1, "ot_central_pre": ot_c0, "ot_central_post": ot_c1,
        "infant_ot_pre": inf_ot0 * q["infant_ot_basal"], "infant_ot_post": inf_ot1 * q["infant_ot_basal"],
        "infant_cortisol_pre": inf_cort0, "infant_cortisol_post": inf_cort1,
        "affectionate_touch": aff.sum(0).astype(float), "stimulatory_touch": stim.sum(0).astype(float),
        "gaze": gaze.sum(0).astype(float), "vocal": vocal.sum(0).astype(float),
        "positive_affect": positive.sum(0).astype(float), "synchrony": sync,
        "engaged": engaged.sum(0).astype(float), "sensitive": (quality == bh.SENSITIVE).sum(0).astype(float),
        "minutes": np.full((H, K), float(T)),
    }
    out["bonding_composite"] = out["gaze"] + out["vocal"] + out["positive_affect"] + out["affectionate_touch"]
    return out


def ssp(sim, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Strange Situation for all dyads, scattered to (H, K) arrays (NaN / '' where no dyad)."""
    from bonding.experiments.lab.ssp import strange_situation

    res = strange_situation(sim, rng)
    hh, slot = np.nonzero(sim.cg.exists)
    out = {}
    for k, v in res.items():
        if k in ("household", "role"):
            continue
        v = np.asarray(v)
        if v.dtype == object:
            a = np.full((sim.H, K), "", dtype=object)
        else:
            a = np.full((sim.H, K), np.nan)
        a[hh, slot] = v
        out[k] = a
    out["secure"] = (out["attachment"] == "B").astype(float)
    out["disorganised"] = (out["attachment"] == "D").astype(float)
    return out


PROCEDURES = {"snapshot": lambda sim, rng: snapshot(sim), "play15": play,
              "ssc60": lambda sim, rng: play(sim, rng, continuous_touch=True),
              "play15_in_ot": lambda sim, rng: play(sim, rng, dose=1.0),
              "ssp": ssp}

__all__ = ["PROCEDURES", "PROC_PARAMS", "snapshot", "play", "ssp", "cortisol_time_course", "MOTHER"]


def outcomes(sim, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``model.outcomes.dyad_outcomes`` numeric columns scattered to (H, K) arrays."""
    from bonding.model.outcomes import dyad_outcomes

    res = dyad_outcomes(sim)
    hh, slot = np.nonzero(sim.cg.exists)
    out = {}
    for k, v in res.items():
        v = np.asarray(v)
        if v.dtype == object or k in ("household",):
            continue
        a = np.full((sim.H, K), np.nan)
        a[hh, slot] = v.astype(float)
        out[k] = a
    return out


PROCEDURES["outcomes"] = outcomes
