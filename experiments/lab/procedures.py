"""Visit procedures: what the virtual lab does with a family on a visit day (read-only).

Each procedure takes the simulation at the visit hour and returns true-value arrays shaped
(H, K) (caregiver or dyad) or (H,) (infant), to be observed later through
:mod:`experiments.lab.measures`. Nothing here changes the simulation's state.

* ``snapshot``: hormones and traits as they are at the visit hour.
* ``play15``: a scripted 15-minute play-and-contact session (M8, S2, I5) at 1-minute resolution,
  using the model's own rules (``model.behaviour.attunement``, ``synchrony_index``, the touch
  style shares and the OT release rules of ``model.physiology``); an optional intranasal dose
  raises the caregiver's central OT (I5). Samples before and after.
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

from experiments.lab.params import LabParam, resolve, table
from model import behaviour as bh
from model import physiology as phys
from model.state import FATHER, MOTHER, K

PROC_PARAMS = table(
    LabParam("play_minutes", 15, 1, 60, "min", "M8, S2 (15-min play-and-contact)", "length of the play session"),
    LabParam("ssc_minutes", 60, 10, 180, "min", "I10 (60-min SSC)", "length of a skin-to-skin session"),
    LabParam("intranasal_dose_central", 1.0, 0, 5, "central OT index", "PH4, I5 (24 IU; assumption for size)", "central OT added by an intranasal dose during the session"),
    LabParam("intranasal_dose_plasma", 8.0, 0, 100, "pg/ml (extracted scale)", "PH7 (IN 65-100 ug -> 36-85 pg/ml; 24 IU smaller)", "plasma OT added by an intranasal dose (model/ has no plasma route: lab workaround)"),
    LabParam("infant_ot_basal", 4.0, 0.5, 50, "pg/ml (extracted scale)", "assumption (same scale as adult basal)", "infant peripheral OT at central index 1"),
    LabParam("engage_base", 0.5, 0, 1, "probability per min", "assumption", "chance a minute of play is engaged for an insensitive caregiver"),
    LabParam("engage_sens", 0.4, 0, 1, "probability per min", "assumption", "extra chance of engagement for a fully sensitive caregiver"),
)


def _role_cols(p, H):
    stim = np.column_stack([p.mother_stimulatory_share, p.father_stimulatory_share, p.mother_stimulatory_share,
                            np.full(H, 0.5), np.full(H, 0.4)])
    m = p.touch_style_match
    aff_match = np.column_stack([np.ones(H), 1 - m, 1 - m / 2, 1 - m / 2, 1 - m / 2])
    stim_match = np.column_stack([1 - m, np.ones(H), 1 - m / 2, 1 - m / 2, 1 - m / 2])
    role_sens = np.zeros((H, K))
    role_sens[:, FATHER] = p.father_sensitivity_offset
    return stim, aff_match, stim_match, role_sens


def snapshot(sim, params=None) -> dict[str, np.ndarray]:
    """True state at the visit hour (infant OT in pg/ml as in :func:`play`; its index as ``infant_ot_index``)."""
    q = resolve(PROC_PARAMS, params)
    cg, inf = sim.cg, sim.inf
    born = sim.born
    H = sim.H
    _, _, _, role_sens = _role_cols(sim.p, H)
    att = bh.attunement(sim.p, cg, sim.p.ot_emotion_recognition[:, None], role_sens)
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
        "iwm_expected": (inf.iwm_good + 0.5 * sim.p.iwm_prior_strength[:, None])
        / (inf.iwm_good + inf.iwm_bad + sim.p.iwm_prior_strength[:, None]),
    }


def cortisol_time_course(sim, cortisol_before: np.ndarray) -> dict[str, np.ndarray]:
    """Caregiver plasma cortisol (nmol/l) an hour before and an hour after the visit hour.

    ``cortisol_before`` is the model's value an hour before the visit (recorded by the study
    engine). The value an hour after is the model's own next-hour rule without a new stressor:
    the circadian curve (:func:`model.physiology.circadian_cortisol`, with the awakening
    response) times 1 + the cortisol excess relaxed toward the day's chronic target with the
    cortisol clearance (``cortisol_halflife``). Before birth the hourly engine does not run and
    cortisol is constant, so the course is flat.
    """
    cg = sim.cg
    if not sim.born:
        return {"cortisol_1h_before": cg.cortisol.copy(), "cortisol_1h_after": cg.cortisol.copy()}
    p = sim.p
    excess = sim.carry_cortisol_col * cg.cortisol_excess + sim.cortisol_target_term
    circ = phys.circadian_cortisol(sim.hod, p.car_rise[:, None], cg.car_responder)
    after = p.cortisol_mean[:, None] * circ * np.maximum(1.0 + excess, 0.05)
    return {"cortisol_1h_before": np.asarray(cortisol_before, float).copy(),
            "cortisol_1h_after": np.where(cg.exists, after, cg.cortisol)}


def play(sim, rng: np.random.Generator, minutes: int | None = None, dose: np.ndarray | float = 0.0,
         params=None, continuous_touch: bool = False) -> dict[str, np.ndarray]:
    """Scripted play-and-contact (or skin-to-skin if ``continuous_touch``) session, all dyads at once.

    Returns pre/post true OT (caregiver plasma and central, infant), minute counts of
    affectionate and stimulatory touch, gaze, vocalisation and positive affect, the synchrony
    index and a bonding composite (gaze + vocal + positive affect + affectionate touch minutes).
    """
    q = resolve(PROC_PARAMS, params)
    p, cg, inf, H = sim.p, sim.cg, sim.inf, sim.H
    T = int(minutes or (q["ssc_minutes"] if continuous_touch else q["play_minutes"]))
    stim_share, aff_match, stim_match, role_sens = _role_cols(p, H)
    dose = np.broadcast_to(np.asarray(dose, float), (H, K))
    ot_c0 = cg.ot_central + q["intranasal_dose_central"] * dose
    # attunement with the (dosed) central OT: OT emotion recognition domain (b)
    log_ot = np.log(np.maximum(ot_c0, 1e-3))
    att = (bh.attunement(p, cg, p.ot_emotion_recognition[:, None], role_sens)
           + p.ot_emotion_recognition[:, None] * (log_ot - np.log(np.maximum(cg.ot_central, 1e-3))))
    p_sens = bh.sigmoid(p.base_sensitivity[:, None] + att)
    u = rng.random((T, 5, H, K))
    engaged = np.ones((T, H, K), bool) if continuous_touch else u[:, 0] < q["engage_base"] + q["engage_sens"] * p_sens
    sens = engaged & (u[:, 1] < p_sens)
    stim = engaged & (u[:, 2] < stim_share) & (not continuous_touch)
    aff = engaged & ~stim
    p_gaze = np.where(sens, 0.9, 0.5) * np.where(cg.depressed, 0.6, 1.0)
    gaze = engaged & (u[:, 3] < p_gaze)
    vocal = engaged & (u[:, 4] < p_gaze * 0.8)
    positive = engaged & (u[:, 4] < bh.POSITIVE[np.where(sens, 1, 2)])
    aff_f, stim_f = aff.mean(0), stim.mean(0)
    release = p.ot_social_touch[:, None] * (aff_f * p.touch_ot_gain_affectionate[:, None] * aff_match
                                            + stim_f * p.touch_ot_gain_stimulatory[:, None] * stim_match) * cg.ot_reactivity
    carry = np.exp(-phys.LN2 * T / p.ot_central_halflife)[:, None]
    ot_c1 = carry * ot_c0 + (1 - carry) * cg.ot_tone * (1 + release) + q["intranasal_dose_central"] * dose * (1 - carry)
    plasma1 = phys.plasma_ot_hour_mean(cg.ot_plasma_setpoint_now, release, p.ot_central_plasma_coupling[:, None],
                                       0.0, 0.0, p.ot_plasma_halflife[:, None]) + q["intranasal_dose_plasma"] * dose
    # pre-session sample on the same basis as the post sample (basal secretion, no feed pulses)
    plasma_pre = phys.plasma_ot_hour_mean(cg.ot_plasma_setpoint_now, 0.0, p.ot_central_plasma_coupling[:, None],
                                          0.0, 0.0, p.ot_plasma_halflife[:, None])
    rel = sens.mean(0) * 1.0 + (engaged & ~sens).mean(0) * 0.5
    inf_release = p.ot_social_touch[:, None] * p.infant_touch_ot_gain[:, None] * (aff_f + stim_f) * rel
    inf_ot0 = np.repeat(inf.ot[:, None], K, 1)
    inf_ot1 = carry * inf_ot0 + (1 - carry) * (1 + inf_release)
    k_c = p.sync_coupling[:, None] * rel * np.maximum(1 + p.ot_synchrony[:, None] * np.log(np.maximum(ot_c1, 1e-3)), 0)
    k_i = 0.5 * p.sync_coupling[:, None] * np.maximum(1 + p.ot_synchrony[:, None] * np.log(np.maximum(inf_ot1, 1e-3)), 0)
    sync = bh.synchrony_index(k_c, k_i, p.sync_damping[:, None])
    # infant cortisol during contact: buffered toward baseline (I10)
    buf = p.contact_buffering[:, None] * rel
    inf_cort0 = np.repeat(inf.cortisol[:, None], K, 1)
    base_i = p.infant_cortisol_mean[:, None]
    inf_cort1 = base_i + (inf_cort0 - base_i) * np.exp(-phys.LN2 * T / p.cortisol_halflife[:, None]) * (1 - 0.5 * buf)
    out = {
        "ot_plasma_pre": plasma_pre, "ot_plasma_post": plasma1, "ot_central_pre": ot_c0, "ot_central_post": ot_c1,
        "infant_ot_pre": inf_ot0 * q["infant_ot_basal"], "infant_ot_post": inf_ot1 * q["infant_ot_basal"],
        "infant_cortisol_pre": inf_cort0, "infant_cortisol_post": inf_cort1,
        "affectionate_touch": aff.sum(0).astype(float), "stimulatory_touch": stim.sum(0).astype(float),
        "gaze": gaze.sum(0).astype(float), "vocal": vocal.sum(0).astype(float),
        "positive_affect": positive.sum(0).astype(float), "synchrony": sync,
        "engaged": engaged.sum(0).astype(float), "sensitive": sens.sum(0).astype(float), "minutes": np.full((H, K), float(T)),
    }
    out["bonding_composite"] = out["gaze"] + out["vocal"] + out["positive_affect"] + out["affectionate_touch"]
    return out


def ssp(sim, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Strange Situation for all dyads, scattered to (H, K) arrays (NaN / '' where no dyad)."""
    from experiments.lab.ssp import strange_situation

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
    from model.outcomes import dyad_outcomes

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
