"""Simulated Strange Situation Procedure (SSP), 1-second resolution, vectorised over dyads.

For every existing infant-caregiver dyad of a simulation (row order of
``model.outcomes.dyad_outcomes``: ``np.nonzero(sim.cg.exists)``) the eight standard episodes
are run with that caregiver (Ainsworth et al. 1978; prior-models.md section 5):

====  ==========================  ======  =========  ========  ========
ep    content                     length  caregiver  stranger  reunion
====  ==========================  ======  =========  ========  ========
1     introduction                30 s    yes        no        no
2     caregiver and infant        180 s   yes        no        no
3     stranger joins              180 s   yes        yes       no
4     first separation            180 s   no         yes       no
5     first reunion               180 s   yes        no        yes
6     infant alone                180 s   no         no        no
7     stranger returns            180 s   no         yes       no
8     second reunion              180 s   yes        no        yes
====  ==========================  ======  =========  ========  ========

The loop runs over seconds. What follows from an episode's random draws alone (the caregiver's
frightening acts, the infant's fear, the chances of conflict and apprehension) is an array
expression over the episode's seconds and dyads; the second-by-second rest is compiled
(:func:`episode_seconds`, numba) with the same expressions element by element, and the
exponentials are numpy's, so the numbers are those of the vectorised Python loop it replaced
(``tests/lab/test_ssp_compiled.py``). The infant's behaviour is driven by

* its working model of this caregiver (``sim.inf.iwm_*``), read by
  ``model.learning.working_model_reading``: expected responsiveness
  ``E = (good + prior/2) / (good + bad + prior)`` lowers the comfort it draws from contact;
  the learned share of rejection sets a *deactivating* strategy (masking attachment signals,
  turning away: avoidance); the learned share of intrusive, mistimed care (including non-attuned
  mind-related talk and tense care in a stressed family) and of inconsistent answering sets a
  *hyperactivating* strategy (angry resistance mixed with contact seeking); the infant's
  susceptibility scales how far all three depart from a typical caregiver's; fright evidence and
  evidence of disrupted affective communication (``iwm_disrupted``, ODD 7.2) make the caregiver a
  source of alarm (Main & Hesse; Cittern et al. 2018; AMBIANCE, X17), :func:`learned_alarm`;
* its arousal, temperament and current cortisol excess;
* the caregiver's own response policy, computed with the model's rules
  (``model.behaviour.attunement`` and the frightening-behaviour hazard of
  ``model.behaviour.response_quality``): sensitivity, rejecting vs intrusive kind by adult
  attachment state, unresolved loss and cortisol.

Disorganisation is never drawn as a class: conflict markers (an approach interrupted by
avoidance, freezing at high arousal, fearful apprehension of the caregiver) are emitted second
by second (:func:`disorganisation_marker_probabilities`) with probabilities that are zero unless
the caregiver is a source of alarm (learned fright or disrupted communication, or a frightening
act during the procedure) or the infant holds both strategies at once.
The coder (:mod:`experiments.lab.coding`) turns the streams into scales and classes.

The procedure reads the simulation and never writes to it.
"""

from __future__ import annotations

import numba
import numpy as np
from bonding.experiments.lab import coding
from bonding.experiments.lab.params import LabParam, resolve, table
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model.roles import role_matrices
from bonding.model.state import DISTRESS_BID, ROLES, K
from numba.extending import register_jitable as jitable

EPISODES = (  # name, seconds, caregiver present, stranger present, reunion
    ("introduction", 30, True, False, False),
    ("caregiver and infant", 180, True, False, False),
    ("stranger", 180, True, True, False),
    ("separation 1", 180, False, True, False),
    ("reunion 1", 180, True, False, True),
    ("alone", 180, False, False, False),
    ("stranger returns", 180, False, True, False),
    ("reunion 2", 180, True, False, True),
)
REUNIONS = (4, 7)  # zero-based episode indices of episodes 5 and 8

SSP_PARAMS = table(
    LabParam("arousal_tau", 20.0, 5, 120, "s", "assumption", "time constant of infant arousal toward its target"),
    LabParam("arousal_noise", 0.03, 0, 0.2, "arousal units per s^0.5", "assumption", "second-to-second noise of arousal"),
    LabParam("arousal_base", 0.15, 0, 0.5, "arousal (0-1.5)", "assumption", "calm arousal with the caregiver present"),
    LabParam("temperament_arousal", 0.08, 0, 0.3, "per SD", "assumption", "rise of arousal targets per SD of negative reactivity"),
    LabParam("temperament_reactivity", 0.25, 0, 1, "fraction per SD", "assumption", "scaling of stranger and separation alarm per SD of negative reactivity"),
    LabParam("cortisol_arousal", 0.15, 0, 0.5, "per unit excess", "assumption", "rise of the calm arousal per unit of infant cortisol excess"),
    LabParam("stranger_alarm", 0.2, 0, 1, "arousal", "Ainsworth et al. 1978 (wariness of strangers)", "arousal added while the stranger is present"),
    LabParam("separation_alarm", 0.75, 0, 1.5, "arousal", "Ainsworth et al. 1978 (separation distress)", "asymptotic arousal added by separation"),
    LabParam("separation_tau", 90.0, 10, 600, "s", "assumption", "time constant of the build-up of separation distress"),
    LabParam("alone_alarm", 0.25, 0, 1, "arousal", "Ainsworth et al. 1978 (episode 6 most stressful)", "extra arousal while the infant is alone"),
    LabParam("stranger_comfort", 0.1, 0, 0.5, "arousal", "assumption", "arousal removed by the stranger during separations"),
    LabParam("contact_comfort", 0.9, 0, 2, "arousal", "Ainsworth et al. 1978 (safe haven)", "arousal removed by full contact with a trusted caregiver"),
    LabParam("fear_alarm", 0.4, 0, 1, "arousal", "Main & Hesse 1990 (caregiver as source of alarm)", "arousal added by a feared caregiver's presence"),
    LabParam("fright_spike", 0.6, 0, 1.5, "arousal", "assumption", "arousal spike after a frightening act during the procedure"),
    LabParam("fright_scale", 2.5, 0.5, 20, "fright evidence units", "assumption", "fright evidence at which fear of the caregiver reaches 1-1/e"),
    LabParam("disruption_scale", 10.0, 1, 100, "disrupted-communication evidence units",
             "assumption (X17: anomalous behaviour -> D r=.34; X18); an episode is distress-weighted and less alarming than fright",
             "disrupted-communication evidence at which, alone, the infant's alarm at the caregiver reaches 1-1/e (ODD 7.2)"),
    LabParam("deactivation_threshold", 0.27, 0, 1, "share of evidence", "assumption (hand-set to A1-A3 at defaults)", "learned rejection share at which deactivation is half on"),
    LabParam("strategy_threshold_sd", 0.3, 0, 1, "log units", "assumption (transmission gap: A6 r=.24; infant-specific influences)", "between-infant SD of the log thresholds at which deactivation and hyperactivation switch on"),
    LabParam("deactivation_width", 0.06, 0.01, 0.5, "share of evidence", "assumption", "logistic width of the deactivation switch"),
    LabParam("hyperactivation_threshold", 0.10, 0, 1, "share of evidence", "assumption (hand-set to A1-A3 at defaults)", "learned intrusion (inconsistency) share at which hyperactivation is half on"),
    LabParam("hyperactivation_width", 0.025, 0.01, 0.5, "share of evidence", "assumption", "logistic width of the hyperactivation switch"),
    LabParam("approach_threshold", 0.35, 0, 1.5, "arousal", "assumption", "overt attachment signal at which approach is half likely per second"),
    LabParam("cry_threshold", 0.7, 0, 1.5, "arousal", "assumption", "overt attachment signal above which the infant cries"),
    LabParam("release_threshold", 0.3, 0, 1.5, "arousal", "assumption", "arousal below which the infant lets go of contact"),
    LabParam("approach_speed", 0.25, 0.05, 1, "distance per s", "assumption (crawling/walking at 12 mo)", "distance closed per second of approach (room distance 1)"),
    LabParam("pickup_rate", 0.15, 0, 1, "1/s", "assumption", "hazard that a fully sensitive caregiver picks up a signalling infant"),
    LabParam("intrusive_rate", 0.04, 0, 1, "1/s", "assumption", "hazard that an intrusive caregiver picks up an infant who is not signalling"),
    LabParam("putdown_rate", 0.03, 0, 1, "1/s", "assumption", "hazard that a rejecting caregiver puts the infant down early"),
    LabParam("release_rate", 0.08, 0, 1, "1/s", "assumption", "hazard that a calm infant lets go of contact"),
    LabParam("avoid_rate", 0.6, 0, 1, "probability per s", "assumption", "chance per second that a fully deactivated infant turns away or ignores the caregiver"),
    LabParam("resist_rate", 0.5, 0, 1, "probability per s", "assumption", "chance per second that a fully hyperactivated, aroused infant resists contact"),
    LabParam("conflict_rate", 0.3, 0, 1, "probability per s", "Main & Solomon 1990; Cittern et al. 2018", "chance an approach to a feared caregiver is interrupted by avoidance"),
    LabParam("freeze_rate", 0.08, 0, 1, "probability per s", "Main & Solomon 1990", "chance per second of freezing/stilling at high arousal with a feared caregiver"),
    LabParam("apprehension_rate", 0.15, 0, 1, "probability per s", "Main & Solomon 1990", "chance per second of fearful apprehension of a feared caregiver early in a reunion"),
    LabParam("mixed_strategy_conflict", 0.1, 0, 1, "probability per s", "Main & Solomon 1990 (A/C)", "conflict chance when deactivation and hyperactivation are both fully on"),
    LabParam("fright_hazard_scale", 0.05, 0, 1, "responses per s", "assumption", "rate of caregiver 'responses' per second that can be frightening (times the model's per-response probability)"),
    LabParam("caregiver_ssp_stress", 0.3, 0, 2, "cortisol excess", "assumption", "separation stress added to the caregiver's cortisol excess during the SSP"),
    LabParam("cortisol_gain", 0.8, 0, 3, "fraction of baseline per unit mean arousal", "assumption (Spangler & Grossmann 1993; Hertsgaard et al. 1995)", "post-SSP salivary cortisol rise per unit of mean excess arousal"),
    LabParam("cortisol_contact_buffer", 0.6, 0, 1, "fraction", "I10, I13 (contact buffering)", "share of arousal-driven cortisol drive removed while in contact with a trusted caregiver"),
    LabParam("cortisol_fear_gain", 1.2, 0, 5, "fraction of baseline", "prior-models 2.1 (D infants highest post-SSP cortisol)", "extra cortisol rise per unit mean fear of the caregiver"),
)

# behaviour stream codes (one per second, main state) ---------------------------------------
ABSENT, EXPLORE, APPROACH, CONTACT, AVOID, CRY = range(6)
STREAM_NAMES = ("absent", "explore", "approach", "contact", "avoid", "cry")


def dyad_inputs(sim) -> dict[str, np.ndarray]:
    """The dyad-level quantities the procedure needs, one entry per existing dyad."""
    cg, inf, p = sim.cg, sim.inf, sim.p
    hh, slot = np.nonzero(cg.exists)
    att = bh.attunement(p, cg, p.ot_emotion_recognition[:, None], role_matrices(p).sensitivity_offset)
    # the procedure distresses the infant: the caregiver answers with sensitivity to distress
    # (response_attunement to a distress bid), and P(sensitive) is response_quality's
    # sigmoid(base + that attunement)
    att_distress = bh.response_attunement(att, cg.distress_sensitivity, DISTRESS_BID)
    p_sens = bh.sigmoid(p.base_sensitivity[:, None] + att_distress)
    prior = p.iwm_prior_strength[:, None]
    ev = inf.iwm_good + inf.iwm_bad
    # the working model as the infant reads it (issue 14.1): inconsistency moves ignored bids of a
    # responsive caregiver to hyperactivation; differential susceptibility scales departures
    E, rej, intr = ln.working_model_reading(
        inf.iwm_good, inf.iwm_bad, inf.iwm_rejected, inf.iwm_intruded, inf.iwm_ignored, prior,
        ln.susceptibility(inf.temperament, p.susceptibility_gain)[:, None], p.inconsistency_hyperactivation[:, None])
    p_reject_kind = np.asarray(bh.REJECTING_SHARE_BY_AAI)[cg.aai]  # response_quality's rejecting_share
    risk = bh.frightening_state_risk(cg.unresolved, cg.depressed, cg.aai, cg.cortisol_excess,
                                     p.fright_stress_risk[:, None])
    t = lambda a: np.asarray(a)[hh, slot]  # noqa: E731
    bias = infant_strategy_bias(sim)
    return {
        "household": hh.astype(np.int64), "slot": slot.astype(np.int64),
        "expected_responsiveness": t(E), "rejection": t(rej), "intrusion": t(intr),
        "fright": t(inf.iwm_frightened), "disrupted": t(inf.iwm_disrupted), "evidence": t(ev),
        "temperament": inf.temperament[hh], "infant_cortisol_excess": inf.cortisol_excess[hh],
        "infant_hpa": inf.hpa_reactivity[hh], "infant_cortisol": inf.cortisol[hh],
        "p_sensitive": t(p_sens), "p_reject_kind": t(p_reject_kind),
        "fright_risk": t(risk), "caregiver_cortisol_excess": t(cg.cortisol_excess),
        "unresolved": t(cg.unresolved), "depressed": t(cg.depressed), "aai": t(cg.aai),
        "fright_stress": p.fright_stress_risk[hh],
        "p_fright_base": p.p_frightening_base[hh], "fright_cortisol": p.frightening_cortisol[hh],
        "deactivation_bias": bias[hh, 0], "hyperactivation_bias": bias[hh, 1],
    }


def infant_strategy_bias(sim) -> np.ndarray:
    """Each infant's own leaning on the two strategy thresholds, z-scores (H, 2), stable per run.

    Infants with the same learned evidence do not all adopt a strategy at the same point: the
    sensitivity of care explains a small part of security (A6: r = .24 disattenuated; the
    "transmission gap"), and infant-specific influences (temperament, experiences the model does
    not represent) the rest. Drawn from the run's seed, not from a procedure's stream, so the
    same infant has the same bias with every caregiver and at every visit (assumption).
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(sim.seed), 0x5B1A5]))
    return rng.standard_normal((sim.H, 2))


def caregiver_fright_probability(d: dict[str, np.ndarray], ssp_stress: float) -> np.ndarray:
    """Chance that a caregiver's response during the SSP is frightening: ``model.behaviour.frightening_probability``.

    The separation stress of the procedure (``ssp_stress``, cortisol excess units) adds to the
    caregiver's own positive cortisol excess, in the hazard and in its stress-borne risk
    (``model.behaviour.frightening_state_risk``, ODD 7.2).
    """
    cortisol_excess = np.maximum(d["caregiver_cortisol_excess"], 0.0) + ssp_stress
    risk = d["fright_risk"]
    if "unresolved" in d:  # the risk at the procedure's stress (dyad_inputs gives the trait and state)
        risk = bh.frightening_state_risk(d["unresolved"], d["depressed"], d["aai"], cortisol_excess,
                                         d["fright_stress"])
    return bh.frightening_probability(d["p_sensitive"], risk, cortisol_excess, d["p_fright_base"],
                                      d["fright_cortisol"])


FREEZE_AROUSAL = 0.6  # arousal above which a feared caregiver's presence can freeze the infant (assumption)
APPREHENSION_WINDOW_S = 20.0  # time constant (s) of apprehension early in an episode (assumption)


def learned_alarm(fright, disrupted, fright_scale, disruption_scale):
    """The infant's learned alarm at the caregiver, in fright-scale units (ODD 7.2).

    ``fright / fright_scale + disrupted / disruption_scale``: frightening episodes (``iwm_frightened``)
    and disrupted affective communication (``iwm_disrupted``, AMBIANCE; X17, X18) both make the
    caregiver a source of alarm, each on its own scale. Fear of the caregiver is
    :func:`caregiver_fear` of it.
    """
    return fright / fright_scale + disrupted / disruption_scale


def caregiver_fear(alarm, fright_session, fright_scale):
    """Fear of the caregiver (0-1): ``1 - exp(-(alarm + fright acts in the session / fright_scale))``."""
    return 1.0 - np.exp(-(alarm + fright_session / fright_scale))


def conflict_probability(fear, mixed, conflict_rate, mixed_strategy_conflict):
    """Per-second chance that an approach is interrupted by avoidance (Main & Solomon 1990; Cittern et al. 2018).

    ``conflict_rate * fear + mixed_strategy_conflict * mixed``: fear of the caregiver, or both
    strategies held at once (``mixed``, A/C).
    """
    return conflict_rate * fear + mixed_strategy_conflict * mixed


@jitable
def freezing_probability(fear, arousal, freeze_rate):
    """Per-second chance of freezing/stilling (Main & Solomon 1990): ``freeze_rate * fear`` at arousal above 0.6, else 0.

    Array-safe, and compiled into the procedure's second loop (numba ``register_jitable``), where
    arousal changes second by second.
    """
    return (arousal > FREEZE_AROUSAL) * freeze_rate * fear


def apprehension_probability(fear, seconds_in, act, apprehension_rate):
    """Per-second chance of fearful apprehension (Main & Solomon 1990).

    ``apprehension_rate * fear * (exp(-t / 20 s) + act)``: early in the episode (``seconds_in``,
    s) or just after a frightening act (``act``).
    """
    return apprehension_rate * fear * (np.exp(-seconds_in / APPREHENSION_WINDOW_S) + act)


def disorganisation_marker_probabilities(fear, mixed, arousal, seconds_in, act, q):
    """Per-second chances of the three D markers (Main & Solomon 1990; Cittern et al. 2018).

    * conflict (an approach interrupted by avoidance): :func:`conflict_probability`,
      ``conflict_rate * fear + mixed_strategy_conflict * mixed``;
    * freezing/stilling: :func:`freezing_probability`, ``freeze_rate * fear`` at arousal above 0.6;
    * fearful apprehension: :func:`apprehension_probability`,
      ``apprehension_rate * fear * (exp(-t / 20 s) + act)``, early in the episode or just after
      a frightening act.

    All are zero unless the caregiver is a source of alarm (fear > 0, from fright or disrupted
    communication) or the infant holds both strategies (``mixed``). Returns
    ``(p_conflict, p_freeze, p_apprehension)``.
    """
    return (conflict_probability(fear, mixed, q["conflict_rate"], q["mixed_strategy_conflict"]),
            freezing_probability(fear, arousal, q["freeze_rate"]),
            apprehension_probability(fear, seconds_in, act, q["apprehension_rate"]))


MARKS = ("resist", "conflict", "freeze", "apprehension", "initiative", "fright_act")  # marker streams, in output order
# the parameters the second loop reads, in the order of episode_seconds' ``rates``
LOOP_RATES = ("arousal_tau", "arousal_noise", "fright_spike", "fear_alarm", "cortisol_contact_buffer",
              "approach_threshold", "avoid_rate", "approach_speed", "cry_threshold", "pickup_rate",
              "intrusive_rate", "resist_rate", "release_threshold", "release_rate", "putdown_rate", "freeze_rate")
APPROACH_WIDTH = 0.08  # logistic width (arousal units) of the chance to approach


def episode_draws(rng: np.random.Generator, length: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """An episode's random numbers: per second, nine uniforms (9, n) then one standard normal (n) per dyad.

    Drawn second by second in this order from ``rng``, so the stream is the one of a loop that
    draws them as it goes.
    """
    u = np.empty((length, 9, n))
    z = np.empty((length, n))
    for ts in range(length):
        rng.random(out=u[ts])
        rng.standard_normal(out=z[ts])
    return u, z


def episode_fear(alarm, fright_session, act, fright_scale) -> np.ndarray:
    """Fear of the caregiver each second of an episode (T, N), :func:`caregiver_fear` before that second's act.

    ``fright_session``: frightening acts so far (N,), advanced in place by the episode's ``act``
    (T, N). Acts are rare, so only the dyads with one in the episode get a fear that changes.
    """
    fear = np.repeat(caregiver_fear(alarm, fright_session, fright_scale)[None, :], act.shape[0], axis=0)
    (acted,) = np.nonzero(act.any(0))
    if acted.size:
        act_k = act[:, acted]
        before = fright_session[acted] + (np.cumsum(act_k, axis=0) - act_k)
        fear[:, acted] = caregiver_fear(alarm[acted], before, fright_scale)
        fright_session[acted] += act_k.sum(0)
    return fear


def approach_sigmoid(x: np.ndarray) -> np.ndarray:
    """``model.behaviour.sigmoid`` over the dyads' arrays, as numpy computes it (its vector ``exp``)."""
    return bh.sigmoid(x)


@numba.njit(cache=True, error_model="numpy")
def episode_seconds(u, z, act, fear, p_conf, p_appr, sep, early, cg_here, reunion, calm_factor, stranger_alarm,
                    alone_alarm, stranger_comfort, calm, react, comfort, E, deact, hyper, p_sens, p_rej, rates,
                    a, dist, contact, drive_sum, fear_sum, stream, resist_s, conflict_s, freeze_s, appr_s,
                    initiative_s, act_s, trace, row0, sec0):
    """The seconds of one episode for every dyad (the procedure's second loop, compiled).

    ``u`` (T, 9, N) and ``z`` (T, N): the episode's draws (:func:`episode_draws`); ``act``,
    ``fear``, ``p_conf``, ``p_appr`` (T, N): the caregiver's frightening acts, the infant's fear
    of the caregiver and the chances of conflict and apprehension, known before the loop
    (:func:`run_procedure`); ``sep``, ``early`` (T,): separation distress and the early-reunion
    factor of avoidance. Updates the state ``a`` (arousal), ``dist``, ``contact``, ``drive_sum``,
    ``fear_sum`` in place and writes the reunion streams from row ``row0`` and the arousal trace
    (if it has rows) from row ``sec0``. Each expression is the one of the vectorised procedure,
    element by element and in the same order, so the numbers are bit-identical to it: the
    exponentials are numpy's (computed before the loop, or by :func:`approach_sigmoid`).
    """
    tau, noise, spike, fear_alarm, buffer_rate = rates[0], rates[1], rates[2], rates[3], rates[4]
    approach_at, avoid_rate, speed, cry_at, pickup_rate = rates[5], rates[6], rates[7], rates[8], rates[9]
    intrusive_rate, resist_rate, release_at, release_rate = rates[10], rates[11], rates[12], rates[13]
    putdown_rate, freeze_rate = rates[14], rates[15]
    n = a.shape[0]
    signal = np.empty(n)
    x = np.empty(n)
    for ts in range(u.shape[0]):
        for i in range(n):
            # ---- arousal target
            target = calm[i] * calm_factor
            target = target + stranger_alarm * react[i]
            if not cg_here:
                target = target + react[i] * sep[ts] + alone_alarm * react[i] - stranger_comfort
            else:
                target = target + fear_alarm * fear[ts, i] - contact[i] * comfort[i]
            ai = a[i] + (target - a[i]) / tau + noise * z[ts, i] + act[ts, i] * spike
            ai = ai if ai > 0.0 else 0.0  # np.clip(a, 0.0, 1.5)
            ai = ai if ai < 1.5 else 1.5
            a[i] = ai
            excess = ai - calm[i]
            excess = excess if excess > 0.0 else 0.0
            drive_sum[i] += excess * (1.0 - buffer_rate * contact[i] * E[i])
            fear_sum[i] += fear[ts, i] * cg_here
            signal[i] = ai * (1.0 - 0.8 * deact[i]) * (1.0 + 0.5 * hyper[i])
            x[i] = (signal[i] - approach_at) / APPROACH_WIDTH
        if trace.shape[0] > 0:
            trace[sec0 + ts] = a
        if not cg_here:
            continue
        with numba.objmode(p_app_raw="float64[:]"):
            p_app_raw = approach_sigmoid(x)
        for i in range(n):
            # ---- infant behaviour with the caregiver present
            ai, was_contact, ui = a[i], contact[i], u[ts, :, i]
            p_app = p_app_raw[i] * (1.0 - 0.7 * deact[i])
            m = 0.2 + 0.8 * ai / 0.6
            p_av = avoid_rate * deact[i] * (m if m < 1.0 else 1.0) * early[ts] * 0.5
            avoid = not was_contact and ui[1] < p_av
            approach = not was_contact and not avoid and dist[i] > 0 and ui[2] < p_app
            # approach to a feared caregiver is interrupted: approach-avoid conflict
            conflict = approach and ui[3] < p_conf[ts, i]
            approach = approach and not conflict
            avoid = avoid or conflict
            if approach:
                d = dist[i] - speed
                dist[i] = d if d > 0.0 else 0.0
            if conflict:
                d = dist[i] + speed
                dist[i] = d if d < 1.0 else 1.0
            cry = not was_contact and not avoid and signal[i] > cry_at
            bidding = approach or cry or (not was_contact and dist[i] == 0 and signal[i] > approach_at)
            # ---- caregiver response: sensitive pick-up of a signalling infant, intrusive pick-up,
            # rejecting put-down (kinds follow the model's response-quality rule)
            reached = approach and dist[i] == 0
            pick = not was_contact and bidding and ui[4] < pickup_rate * p_sens[i]
            intrude = not was_contact and not bidding and ui[5] < intrusive_rate * (1 - p_sens[i]) * (1 - p_rej[i])
            new_contact = reached or pick or intrude
            # in contact: resistance (hyperactivation, more so after intrusion), release, put-down
            r = ai / 0.6
            p_res = resist_rate * hyper[i] * (r if r < 1.0 else 1.0)
            resist = (was_contact or new_contact) and ui[6] < p_res + 0.3 * intrude
            calm_now = ai < release_at
            letgo = was_contact and ((calm_now and ui[7] < release_rate * (1 + 2 * deact[i]))
                                     or ui[7] < putdown_rate * (1 - p_sens[i]) * p_rej[i])
            now_contact = (was_contact and not letgo) or new_contact
            contact[i] = now_contact
            if now_contact:
                dist[i] = 0.0
            elif letgo:
                dist[i] = 0.3
            # freezing / stilling at high arousal and fearful apprehension, only with a feared caregiver
            freeze = ui[8] < freezing_probability(fear[ts, i], ai, freeze_rate)
            appr = ui[8] > 1 - p_appr[ts, i]
            if reunion:
                if now_contact:
                    s = CONTACT
                elif avoid:
                    s = AVOID
                elif approach:
                    s = APPROACH
                elif cry:
                    s = CRY
                else:
                    s = EXPLORE
                if freeze and not now_contact:
                    s = EXPLORE
                r_ = row0 + ts
                stream[r_, i] = s
                resist_s[r_, i] = resist
                conflict_s[r_, i] = conflict
                freeze_s[r_, i] = freeze
                appr_s[r_, i] = appr
                initiative_s[r_, i] = reached or (pick and approach)
                act_s[r_, i] = act[ts, i]


def dyad_constants(d: dict[str, np.ndarray], q: dict) -> dict[str, np.ndarray]:
    """What stays constant for a dyad through the procedure, from its inputs ``d`` and the parameters ``q``.

    ``deact``, ``hyper``: the strategies (0-1) at the infant's own thresholds; ``alarm``:
    :func:`learned_alarm`; ``mixed``: both strategies at once; ``h_fright``: the caregiver's
    per-second hazard of a frightening act; ``react``: the infant's alarm scaling; ``calm``: its
    calm arousal; ``comfort``: arousal a contact removes.
    """
    temp = d["temperament"]
    E = d["expected_responsiveness"]
    spread = q["strategy_threshold_sd"]
    deact_at = q["deactivation_threshold"] * np.exp(spread * d.get("deactivation_bias", 0.0))
    hyper_at = q["hyperactivation_threshold"] * np.exp(spread * d.get("hyperactivation_bias", 0.0))
    deact = bh.sigmoid((d["rejection"] - deact_at) / q["deactivation_width"])
    hyper = bh.sigmoid((d["intrusion"] - hyper_at) / q["hyperactivation_width"])
    # both strategies at once (A/C): zero unless deactivation and hyperactivation are both > 1/2
    mixed = np.clip(2.0 * np.minimum(deact, hyper) - 1.0, 0.0, 1.0)
    return {
        "deact": deact, "hyper": hyper, "mixed": mixed,
        "alarm": learned_alarm(d["fright"], d.get("disrupted", 0.0), q["fright_scale"], q["disruption_scale"]),
        "h_fright": 1.0 - np.exp(-q["fright_hazard_scale"] * caregiver_fright_probability(d, q["caregiver_ssp_stress"])),
        "react": np.clip(1.0 + q["temperament_reactivity"] * temp, 0.5, 2.0),
        "calm": np.clip(q["arousal_base"] + q["temperament_arousal"] * temp
                        + q["cortisol_arousal"] * np.maximum(d["infant_cortisol_excess"], 0.0), 0.0, 1.0),
        # comfort a contact gives: trust in this caregiver; hyperactivated infants are hard to soothe
        "comfort": q["contact_comfort"] * (0.4 + 1.2 * E) * (1.0 - 0.6 * hyper),
    }


def procedure_record(n: int, keep_streams: bool) -> dict[str, np.ndarray]:
    """Empty records of a procedure for ``n`` dyads: the reunion streams, the sums for cortisol, the arousal trace."""
    n_reunion = sum(EPISODES[i][1] for i in REUNIONS)
    total_s = sum(e[1] for e in EPISODES)
    return {"stream": np.zeros((n_reunion, n), np.int8), **{k: np.zeros((n_reunion, n), bool) for k in MARKS},
            "drive_sum": np.zeros(n), "fear_sum": np.zeros(n), "arousal": np.zeros((total_s if keep_streams else 0, n))}


def procedure_output(d: dict[str, np.ndarray], q: dict, c: dict, rec: dict, keep_streams: bool) -> dict[str, np.ndarray]:
    """The procedure's result from its records ``rec``: streams, post-procedure cortisol, strategies."""
    mean_excess = rec["drive_sum"] / sum(e[1] for e in EPISODES)
    mean_fear = rec["fear_sum"] / sum(e[1] for e in EPISODES if e[2])
    cort_post = d["infant_cortisol"] * (1.0 + d["infant_hpa"] * (q["cortisol_gain"] * mean_excess
                                                                  + q["cortisol_fear_gain"] * mean_fear))
    out = {"stream": rec["stream"], **{k: rec[k] for k in MARKS}, "cortisol_post": cort_post,
           "deactivation": c["deact"], "hyperactivation": c["hyper"],
           "reunion_lengths": np.array([EPISODES[i][1] for i in REUNIONS])}
    if keep_streams:
        out["arousal"] = rec["arousal"]
    return out


def run_procedure(d: dict[str, np.ndarray], rng: np.random.Generator, params: dict | None = None,
                  keep_streams: bool = False) -> dict[str, np.ndarray]:
    """Run the eight episodes for the dyads described by ``d`` (see :func:`dyad_inputs`).

    Returns per-second reunion streams (``stream`` (n_reunion_s, N) main state codes and boolean
    marker streams ``resist``, ``conflict``, ``freeze``, ``apprehension``, ``initiative``) plus
    ``cortisol_post`` and, if ``keep_streams``, the whole-procedure arousal trace.

    Each episode's draws are taken second by second (:func:`episode_draws`), what follows from
    them alone (the caregiver's frightening acts, fear, conflict and apprehension chances) is
    computed over the episode, and the seconds run compiled (:func:`episode_seconds`).
    """
    q = resolve(SSP_PARAMS, params)
    n = len(d["expected_responsiveness"])
    c = dyad_constants(d, q)
    rec = procedure_record(n, keep_streams)
    a = c["calm"].copy()
    dist = np.zeros(n)  # distance to the caregiver (0 = next to, 1 = across the room)
    contact = np.zeros(n, bool)
    fright_session = np.zeros(n)
    t_sep = 0.0
    rates = np.array([float(q[k]) for k in LOOP_RATES])
    row = 0
    sec = 0
    for (_, length, cg_here, stranger, reunion) in EPISODES:
        if cg_here:
            t_sep = 0.0
            dist[:] = 0.0 if not reunion else 1.0  # the caregiver re-enters at the door
        contact[:] = contact & cg_here
        u, z = episode_draws(rng, length, n)
        # ---- caregiver acts (frightening or frightened behaviour: model hazard, SSP stress); they
        # depend on the draws only, so the session's fright count and fear are known in advance
        act = cg_here & (u[:, 0] < c["h_fright"])
        fear = episode_fear(c["alarm"], fright_session, act, q["fright_scale"])
        sep = np.zeros(length)
        if not cg_here:
            for ts in range(length):
                t_sep += 1.0
                sep[ts] = q["separation_alarm"] * (1.0 - np.exp(-t_sep / q["separation_tau"]))
        early = np.array([1.0 + np.exp(-ts / 30.0) if reunion else 1.0 for ts in range(length)])
        if cg_here:
            p_conf = conflict_probability(fear, c["mixed"], q["conflict_rate"], q["mixed_strategy_conflict"])
            p_appr = apprehension_probability(fear, np.arange(length)[:, None], act, q["apprehension_rate"])
        else:  # no behaviour is coded while the caregiver is away
            p_conf = p_appr = np.zeros((0, n))
        episode_seconds(u, z, act, fear, p_conf, p_appr, sep, early, cg_here, reunion,
                        1.0 if cg_here else 1.2, stranger * q["stranger_alarm"],
                        (not stranger) * q["alone_alarm"], stranger * q["stranger_comfort"],
                        c["calm"], c["react"], c["comfort"], d["expected_responsiveness"], c["deact"], c["hyper"],
                        d["p_sensitive"], d["p_reject_kind"], rates, a, dist, contact, rec["drive_sum"],
                        rec["fear_sum"], rec["stream"], *(rec[k] for k in MARKS), rec["arousal"], row, sec)
        sec += length
        row += length if reunion else 0
    return procedure_output(d, q, c, rec, keep_streams)


def strange_situation(sim, rng: np.random.Generator, params: dict | None = None,
                      coding_params: dict | None = None) -> dict[str, np.ndarray]:
    """Run the SSP for every existing dyad of ``sim`` and code it.

    Returns equal-length arrays in the row order of ``model.outcomes.dyad_outcomes(sim)``:
    household, role, attachment (A/B/C/D), secondary (A/B/C), avoidance, resistance,
    disorganisation, proximity_seeking, contact_maintaining, infant_cortisol_post, plus
    age_months and the strategy indices (deactivation, hyperactivation).
    """
    d = dyad_inputs(sim)
    res = run_procedure(d, rng, params)
    coded = coding.code_procedure(res, coding_params)
    n = len(d["household"])
    return {
        "household": d["household"],
        "role": np.array(ROLES, dtype=object)[d["slot"]],
        **coded,
        "infant_cortisol_post": res["cortisol_post"],
        "age_months": np.full(n, float(sim.age_months)),
        "deactivation": res["deactivation"],
        "hyperactivation": res["hyperactivation"],
    }


def ssp_hook(age_months: float = 12.0, seed: int = 0):
    """``(age, fn)`` pair for ``experiments.run.OUTCOME_HOOKS``: columns prefixed ``ssp_``."""
    def fn(sim):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(sim.seed), 0x55]))
        res = strange_situation(sim, rng)
        return {f"ssp_{k}": v for k, v in res.items() if k not in ("household", "role")}
    return age_months, fn


__all__ = ["EPISODES", "SSP_PARAMS", "strange_situation", "run_procedure", "dyad_inputs", "ssp_hook", "K"]
