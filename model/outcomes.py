"""Outcomes per infant-caregiver dyad, reduced from the final state and running counters.

One row per existing dyad. Every outcome is emergent (counted or learned during the run),
not a parameter read back: ``sensitivity`` is the latent probability of a prompt, appropriate
response averaged over months 3-9 (or the whole run if shorter), ``synchrony`` the mean
synchrony index over engaged episodes, ``bond`` the learned expected social reward.
"""

from __future__ import annotations

import numpy as np
from bonding.model.learning import expected_responsiveness, susceptibility, working_model_reading
from bonding.model.state import AAI_NAMES, ROLES, K


def _ratio(num, den):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1e-12), np.nan)


def dyad_outcomes(sim) -> dict[str, np.ndarray]:
    """Columns (equal-length arrays) of the dyad outcome table."""
    cg, inf, c, p = sim.cg, sim.inf, sim.counters, sim.p
    hh_idx, slot = np.nonzero(cg.exists)
    take = lambda a: a[hh_idx, slot]  # noqa: E731
    window = c["attunement_window_n"] > 0
    sens = np.where(window, _ratio(c["attunement_window_sum"], c["attunement_window_n"]),
                    _ratio(c["attunement_sum"], c["attunement_n"]))
    prior = p.iwm_prior_strength[:, None]
    evidence = inf.iwm_good + inf.iwm_bad
    _, deactivating, hyperactivating = working_model_reading(
        inf.iwm_good, inf.iwm_bad, inf.iwm_rejected, inf.iwm_intruded, inf.iwm_ignored, prior,
        susceptibility(inf.temperament, p.susceptibility_gain)[:, None], p.inconsistency_hyperactivation[:, None])
    out = {
        "household": hh_idx.astype(np.int64),
        "role": np.array(ROLES, dtype=object)[slot],
        "bond": take(cg.bond),
        "sensitivity": take(sens),
        "synchrony": take(_ratio(c["sync_sum"], c["sync_n"])),
        "caregiver_attachment": np.array(AAI_NAMES, dtype=object)[take(cg.aai)],
        "caregiver_unresolved": take(cg.unresolved),
        "caregiver_depressed": take(cg.ever_depressed),
        "depressed_at_end": take(cg.depressed),
        "gaze": take(c["gaze"]).astype(np.int64),
        "affectionate_touch": take(c["affectionate_touch"]).astype(np.int64),
        "stimulatory_touch": take(c["stimulatory_touch"]).astype(np.int64),
        "vocalisation": take(c["vocalisation"]).astype(np.int64),
        "responses": take(c["n_responses"]).astype(np.int64),
        "share_sensitive": take(_ratio(c["n_sensitive"], c["n_responses"])),
        "share_intrusive": take(_ratio(c["n_intrusive"], c["n_responses"])),
        "share_rejecting": take(_ratio(c["n_rejecting"], c["n_responses"])),
        "frightening": take(c["n_frightening"]).astype(np.int64),
        "feeds": take(c["n_feeds"]).astype(np.int64),
        "care_hours": take(c["care_hours"]),
        "night_care_hours": take(c["night_care_hours"]),
        "ot_plasma_mean": take(_ratio(c["ot_plasma_sum"], c["ot_plasma_n"])),
        "ot_central_tone": take(cg.ot_tone),
        "cortisol_mean": take(_ratio(c["cortisol_sum"], c["cortisol_n"])),
        "testosterone": take(cg.testosterone),
        "testosterone_change": take(cg.testosterone / cg.testosterone_setpoint - 1.0),
        "prolactin_base": take(cg.prolactin_base),
        "estradiol": take(cg.estradiol),
        "dopamine_tonic": take(cg.tonic_da),
        "fatigue": take(cg.fatigue),
        "iwm_expected_responsiveness": take(expected_responsiveness(inf.iwm_good, inf.iwm_bad, prior)),
        "iwm_rejection": take(_ratio(inf.iwm_rejected, evidence)),
        "iwm_intrusion": take(_ratio(inf.iwm_intruded, evidence)),
        "iwm_fright": take(inf.iwm_frightened),
        "iwm_evidence": take(evidence),
        "iwm_deactivating": take(deactivating),
        "iwm_hyperactivating": take(hyperactivating),
        "infant_familiarity_hours": take(inf.familiarity),
        "infant_temperament": inf.temperament[hh_idx],
        "infant_cortisol_final": inf.cortisol[hh_idx],
        "breastfeeding_at_end": sim.hh.breastfeeding[hh_idx],
    }
    return out


__all__ = ["dyad_outcomes", "K"]
