"""Stress procedures of the virtual lab: an infant routine stressor and an adult acute social stressor.

Both are read-only functions of a :class:`model.simulation.Simulation` at the visit hour: they
compute from copies of the state and return true-value arrays shaped (H, K) (one column per
caregiver slot; infant values repeated across the slots, so a measure's ``role`` picks the
accompanying caregiver), to be observed through :mod:`experiments.lab.measures`. Every
hormone step is the engine's own rule, never re-coded:

* :func:`infant_stressor` (heel stick, inoculation; S7, PH15): the stressor is a distress bid
  of full distress (``stressor_distress``). The accompanying caregiver's response is the
  engine's ``response_quality`` (through :func:`experiments.lab.procedures.minute_responses`),
  at ``response_attunement`` for a distress bid; its ``relief`` buffers the infant's drive in
  ``model.physiology.infant_hpa_drive`` together with the infant's OT ``stress_buffer`` and the
  age-damped HPA gain ``infant_hpa_gain`` (PH15). ``comfort`` = ``"caregiver"`` (the
  caregiver's own response), ``"contact"`` (held in sensitive contact: relief of a sensitive
  response) or ``"none"`` (no response). The infant's excess advances by
  ``cortisol_excess_step`` (kick, then clearance over the sampling delay) and its salivary
  level is ``infant_cortisol_level``. The caregiver hears the infant cry unsoothed
  (``unsoothed_crying``) and then takes the engine's crying stressor ``caregiver_cry_stress``
  (at the day's support-buffered size, ``Simulation.cry_stress_today``);
  the caregiver's level is ``cortisol_level``.
* :func:`acute_social_stressor` (a TSST-like task; X29, X38, X40, I-series of intranasal OT):
  an acute cortisol drive ``tsst_drive`` x the person's HPA reactivity, damped by the engine's
  rule for every stressor, ``model.social.buffered_stress`` (the OT ``stress_buffer`` times the
  support buffer of a supporter present at ``lab_support``; Heinrichs et al. 2003). An optional
  intranasal dose enters as the ``exogenous_ot`` input channel does in the engine (a rise of
  the central OT target, ``central_ot_step``) for the wait between dose and task
  (``dose_wait_min``, 45 min as in Heinrichs et al. 2003).

Samples: ``*_pre`` at the visit hour (before the stressor) and ``*_post`` ``sample_delay_min``
after it. Caregiver cortisol is plasma nmol/l, with the plasma course around each sample
(``cortisol_pre_1h_before`` ...) for ``observe = "saliva_cortisol"``; infant cortisol is
salivary nmol/l (observe it with ``observe = "cv"``, the assay CV).
"""

from __future__ import annotations

import numpy as np
from bonding.experiments.lab.engine_rules import per_element_compiled
from bonding.experiments.lab.params import LabParam, resolve, table
from bonding.experiments.lab.procedures import PROC_PARAMS, minute_responses
from bonding.model import behaviour as bh
from bonding.model import physiology as phys
from bonding.model import social
from bonding.model.roles import role_matrices
from bonding.model.state import DISTRESS_BID, NO_RESPONSE, SENSITIVE, K

STRESS_PARAMS = table(
    LabParam("stressor_distress", 1.0, 0, 1, "distress (0-1)", "S7, PH15 (heel stick, inoculation: acute pain)",
             "infant distress caused by the routine stressor"),
    LabParam("sample_delay_min", 20.0, 5, 60, "min", "S7 (+20 min); PH15 (+25 min Gunnar 1996, +15 Lewis & Thomas 1990)",
             "time from the stressor to the post sample"),
    LabParam("tsst_drive", 1.0, 0, 4, "fraction of mean cortisol",
             "assumption (TSST: salivary cortisol about doubles at +20-30 min, Kirschbaum et al. 1993, MEMORY)",
             "acute cortisol excess of the adult social stressor at HPA reactivity 1, unbuffered"),
    LabParam("lab_support", 1.0, 0, 1, "index (0-1)",
             "Heinrichs et al. 2003 (a best friend's support before the TSST; MEMORY); X38 (best partner support)",
             "support effectiveness of the supporter present at the adult stressor (0 = none); its effect is the "
             "model's support buffer (model.social.support_buffer, gain support_stress_buffering)"),
    LabParam("dose_wait_min", 45.0, 0, 120, "min", "Heinrichs et al. 2003 (IN-OT 50 min before the TSST; MEMORY); I5",
             "time from an intranasal dose to the stressor"),
)

COMFORTS = ("caregiver", "contact", "none")


def _col(a) -> np.ndarray:
    return np.asarray(a, float)[:, None]


def _carry(minutes: float, halflife_min) -> np.ndarray:
    """Fraction of a first-order excess left after ``minutes`` (the engine's clearance, any interval)."""
    return np.exp(-phys.LN2 * minutes / np.asarray(halflife_min, float))


def _caregiver_course(sim, excess_at, circ_at, circ_after, carry_1h, target):
    """Plasma cortisol at a sample and an hour after it (the engine's relaxation, no new stressor)."""
    cg = sim.cg
    at = per_element_compiled(phys.cortisol_level, sim.cortisol_scale, circ_at, excess_at)
    after_excess = phys.cortisol_excess_step(excess_at, target, 0.0, carry_1h)
    after = per_element_compiled(phys.cortisol_level, sim.cortisol_scale, circ_after, after_excess)
    return np.where(cg.exists, at, cg.cortisol), np.where(cg.exists, after, cg.cortisol)


def _circadian(sim, hod: int) -> np.ndarray:
    return phys.circadian_cortisol(hod % 24, sim.p.car_rise[:, None], sim.cg.car_responder)


def _pre_post_caregiver(sim, acute, delay_min: float, cortisol_before) -> dict[str, np.ndarray]:
    """Caregiver plasma cortisol before (visit hour) and ``delay_min`` after an acute drive ``acute``."""
    cg, p = sim.cg, sim.p
    carry_delay = _carry(delay_min, p.cortisol_halflife)[:, None]
    carry_1h = sim.carry_cortisol_col
    target = sim.cortisol_target  # the day's chronic target (with the extra_stress channel)
    excess_post = phys.cortisol_excess_step(cg.cortisol_excess, target, acute, carry_delay)
    circ_now = _circadian(sim, sim.hod)
    circ_next = _circadian(sim, sim.hod + 1)
    _, pre_after = _caregiver_course(sim, cg.cortisol_excess, circ_now, circ_next, carry_1h, target)
    pre_at = cg.cortisol.copy()  # the engine's own value at the visit hour
    post_at, post_after = _caregiver_course(sim, excess_post, circ_now, circ_next, carry_1h, target)
    before = cg.cortisol.copy() if cortisol_before is None else np.asarray(cortisol_before, float)
    return {"cortisol_pre": pre_at, "cortisol_pre_1h_before": before, "cortisol_pre_1h_after": pre_after,
            "cortisol_post": post_at, "cortisol_post_1h_before": pre_at, "cortisol_post_1h_after": post_after,
            "cortisol_excess_pre": cg.cortisol_excess.copy(), "cortisol_excess_post": excess_post}


def _require_born(sim, name: str) -> None:
    if not sim.born:
        raise ValueError(f"{name}: the procedure needs a born infant (allowed: age_months >= 0)")


def infant_stressor(sim, rng: np.random.Generator, comfort: str = "caregiver", params=None,
                    cortisol_before=None) -> dict[str, np.ndarray]:
    """A routine pain stressor (heel stick, inoculation) with the caregiver present, all dyads at once.

    Returns, per (H, K): ``infant_cortisol_pre`` / ``_post`` (salivary nmol/l), their change
    ``infant_cortisol_change`` and percent change ``infant_cortisol_pct``, the caregiver's plasma
    cortisol before and after (``cortisol_pre`` / ``_post`` with their hour-course), the
    response code and its relief, and the HPA gain at this age. See the module docstring.
    """
    _require_born(sim, "infant_stressor")
    if comfort not in COMFORTS:
        raise ValueError(f"comfort: {comfort!r} is not allowed (allowed {', '.join(COMFORTS)})")
    q = resolve(STRESS_PARAMS, params)
    p, cg, inf, H = sim.p, sim.cg, sim.inf, sim.H
    roles = role_matrices(p)
    distress = q["stressor_distress"]
    # the caregiver's response to the distress bid: the engine's attunement and response rules
    att = bh.attunement_hourly(bh.attunement_static(p, cg, roles.sensitivity_offset), cg.ot_central,
                               cg.cortisol_excess, _col(p.ot_emotion_recognition), _col(p.cortisol_detection),
                               cg.sensitivity_boost)
    att = per_element_compiled(bh.response_attunement, att, cg.distress_sensitivity, DISTRESS_BID)
    u = rng.random((3, H, K))
    if comfort == "caregiver":
        quality = minute_responses(att, p, cg, cg.exists, u[0], u[1], u[2])
    elif comfort == "contact":
        quality = np.where(cg.exists, SENSITIVE, NO_RESPONSE)
    else:
        quality = np.full((H, K), NO_RESPONSE)
    rel = np.where(quality == NO_RESPONSE, 0.0, bh.relief(quality))
    # the infant's drive (PH15 gain, contact buffering, OT buffer, fright), then clearance to the sample
    gain = phys.infant_hpa_gain(sim.age_months, p.infant_hpa_gain_2mo, p.infant_hpa_damping_months)
    buffer_i = phys.stress_buffer(inf.ot, p.ot_stress_buffering)
    drive = per_element_compiled(phys.infant_hpa_drive, _col(gain), _col(inf.hpa_reactivity), distress,
                        _col(p.contact_buffering), rel, _col(buffer_i), quality == bh.FRIGHTENING)
    carry = _carry(q["sample_delay_min"], p.cortisol_halflife)[:, None]
    excess0 = np.repeat(inf.cortisol_excess[:, None], K, 1)
    excess1 = phys.cortisol_excess_step(excess0, 0.0, drive, carry)
    circ = phys.infant_circadian_cortisol(sim.hod, sim.age_months)
    pre = np.repeat(inf.cortisol[:, None], K, 1)
    post = per_element_compiled(phys.infant_cortisol_level, _col(p.infant_cortisol_mean), circ, excess1)
    # the caregiver hears the infant cry unsoothed -> the engine's crying stressor
    unsoothed = per_element_compiled(bh.unsoothed_crying, DISTRESS_BID, quality, dtypes=(bool,))
    acute = np.where(unsoothed & cg.exists,
                     phys.caregiver_cry_stress(sim.cry_stress_today, cg.ot_central, _col(p.ot_stress_buffering)), 0.0)
    out = _pre_post_caregiver(sim, acute, q["sample_delay_min"], cortisol_before)
    out.update({
        "infant_cortisol_pre": pre, "infant_cortisol_post": post, "infant_cortisol_change": post - pre,
        "infant_cortisol_pct": 100.0 * (post / pre - 1.0), "infant_hpa_drive": drive,
        "response": quality.astype(float), "relief": rel, "infant_hpa_gain": np.repeat(np.atleast_1d(gain)[:, None], K, 1),
        "caregiver_cortisol_change": out["cortisol_post"] - out["cortisol_pre"],
    })
    return out


def acute_social_stressor(sim, rng: np.random.Generator | None = None, support: bool = False, dose: float = 0.0,
                          params=None, cortisol_before=None) -> dict[str, np.ndarray]:
    """A TSST-like acute social stressor for every caregiver, with optional partner support and intranasal OT.

    ``dose``: intranasal OT in dose units (1 = 24 IU), entering as the ``exogenous_ot`` channel's
    rise of the central OT target (size ``intranasal_dose_central`` of the play procedure's
    table), for ``dose_wait_min`` by the engine's ``central_ot_step`` (with or without a dose the
    person waits that long in the lab, so placebo and dose differ only by the dose). The drive is
    ``social.buffered_stress(tsst_drive * hpa_reactivity, OT_central, ot_stress_buffering, S,
    support_stress_buffering)`` with ``S = lab_support`` if ``support`` else 0 (the person's partner
    is not in the lab); the caregiver's cortisol then follows
    ``cortisol_excess_step`` to the sample ``sample_delay_min`` later.

    Returns caregiver plasma cortisol before and after (with hour-courses for salivary
    sampling), the change and percent change, the central OT at the task and the drive.
    """
    _require_born(sim, "acute_social_stressor")
    q = resolve(STRESS_PARAMS, params)
    proc = resolve(PROC_PARAMS)
    p, cg = sim.p, sim.cg
    exogenous = proc["intranasal_dose_central"] * float(dose)
    carry_ot = _carry(q["dose_wait_min"], p.ot_central_halflife)[:, None]
    # dose or placebo, the person waits dose_wait_min in the lab (no touch): central OT relaxes toward
    # tone + the dose's rise, as the engine's exogenous_ot channel acts
    ot_task = phys.central_ot_step(cg.ot_central, cg.ot_tone, 0.0, exogenous, carry_ot)
    support_level = q["lab_support"] if support else 0.0
    drive = social.buffered_stress(q["tsst_drive"] * cg.hpa_reactivity, ot_task, _col(p.ot_stress_buffering),
                                   support_level, _col(p.support_stress_buffering))
    drive = np.where(cg.exists, drive, 0.0)
    out = _pre_post_caregiver(sim, drive, q["sample_delay_min"], cortisol_before)
    out.update({"cortisol_change": out["cortisol_post"] - out["cortisol_pre"],
                "cortisol_pct": 100.0 * (out["cortisol_post"] / out["cortisol_pre"] - 1.0),
                "ot_central_task": ot_task, "stress_drive": drive})
    return out


STRESS_PROCEDURES = {
    "heel_stick": lambda sim, rng: infant_stressor(sim, rng),
    "inoculation": lambda sim, rng: infant_stressor(sim, rng, params={"sample_delay_min": 25.0}),
    "inoculation_held": lambda sim, rng: infant_stressor(sim, rng, comfort="contact", params={"sample_delay_min": 25.0}),
    "tsst": lambda sim, rng: acute_social_stressor(sim, rng),
    "tsst_support": lambda sim, rng: acute_social_stressor(sim, rng, support=True),
    "tsst_in_ot": lambda sim, rng: acute_social_stressor(sim, rng, dose=1.0),
    "tsst_support_in_ot": lambda sim, rng: acute_social_stressor(sim, rng, support=True, dose=1.0),
}

__all__ = ["STRESS_PARAMS", "STRESS_PROCEDURES", "COMFORTS", "infant_stressor", "acute_social_stressor"]
