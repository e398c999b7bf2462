"""Learning: the caregiver's dopamine-driven bond and the infant's working models.

Caregiver (prior-models 2.3): each episode yields a social reward ``R = positive * g(OT)``, with
``g`` the inverted-U OT gain; tonic dopamine is the running mean of reward (the expectation) and
the phasic dopamine signal is the prediction error ``delta = R - tonic``. The bond consolidates
rewarding episodes and positive surprises, ``bond += rate * (R + max(delta, 0)) * (1 - bond)``,
and decays slowly every day, so it grows with the number of rewarding interactions (time in
care, P6 Abraham et al. 2014) and saturates below 1.

Infant (prior-models 1.1, 1.3, 1.4): a Beta-like working model of each caregiver, with
evidence that a bid was answered well (``good``) or not (``bad``), split further into
rejection, intrusion and fright. A bid that nobody answers counts against the caregivers who
were there, most against the one the infant knows best (``bid_direction_weight``). Evidence is
weighted by the infant's distress at the bid,
``w = ((0.25 + distress) / 1.25) ** gamma``: Petters found that learning from anxious
episodes is what makes attachment patterns cluster. :func:`working_model_evidence` and
:func:`unanswered_share` say what each episode adds.

The ``@jitable`` rules are compiled into :mod:`model.kernel` (one household's scalars) and are
plain Python for the tests and the lab.
"""

from __future__ import annotations

import numpy as np
from bonding.model.physiology import social_reward_gain
from bonding.model.state import FRIGHTENING, INTRUSIVE, REJECTING, SENSITIVE
from numba.extending import register_jitable as jitable


@jitable
def reward_prediction_error(reward, expected):
    """Phasic dopamine: social reward minus the expected reward (tonic dopamine)."""
    return reward - expected


@jitable
def episode_reward(positive, ot_central, ot_optimum):
    """Social reward of an episode to the responder: ``g(OT)`` if the infant responded positively, else 0.

    ``g`` is the inverted-U OT gain :func:`model.physiology.social_reward_gain` (prior-models 2.3;
    Borland et al. 2019).
    """
    if positive:
        return social_reward_gain(ot_central, ot_optimum)
    return 0.0


@jitable
def update_bond(bond, reward, delta, rate):
    """Consolidate a rewarding episode into the bond, saturating at 1."""
    return np.minimum(np.maximum(bond + rate * (reward + np.maximum(delta, 0.0)) * (1.0 - bond), 0.0), 1.0)


@jitable
def distress_weight(distress, gamma):
    """Weight of a bid in the working model: 1 at full distress, smaller for calm bids."""
    return ((0.25 + distress) / 1.25) ** gamma


@jitable
def bid_direction_weight(familiarity, directedness):
    """How much an unanswered bid is addressed to one of the caregivers who were there.

    Infants direct their bids first to the caregiver they know best, within weeks of forming
    attachments (attachment hierarchy: Schaffer & Emerson 1964; Bowlby 1969), so when nobody comes
    the bid counts against each caregiver present in proportion to ``(1 + hours of care received)
    ** directedness`` (the form and the exponent are assumptions). With ``directedness = 0`` every
    caregiver present counts equally. Without it, a father who is home but rarely answers
    collects an unanswered share as large as the mother's, which made fathers' working models
    rejection-dominated (40% A at 12 months).
    """
    return (1.0 + familiarity) ** directedness


def expected_responsiveness(good, bad, prior):
    """The infant's expectation that a bid to this caregiver is answered well (posterior mean)."""
    return (good + 0.5 * prior) / (good + bad + prior)


FRIGHT_EVIDENCE = 1.0  # weight of a frightening episode in the working model, whatever the distress (assumption)


@jitable
def working_model_evidence(response, w):
    """Evidence one answered bid adds to the infant's working model of the responder.

    Returns increments ``(good, bad, intruded, rejected, frightened)``: a sensitive response adds
    ``w`` to ``good``, any other ``w`` to ``bad`` and, by kind, ``w`` to ``intruded`` or ``rejected``;
    a frightening one adds ``FRIGHT_EVIDENCE`` (1, unweighted by distress) to ``frightened``
    (prior-models 1.1, 1.4; ``w`` is :func:`distress_weight`).
    """
    good = w if response == SENSITIVE else 0.0
    bad = 0.0 if response == SENSITIVE else w
    intruded = w if response == INTRUSIVE else 0.0
    rejected = w if response == REJECTING else 0.0
    frightened = FRIGHT_EVIDENCE if response == FRIGHTENING else 0.0
    return good, bad, intruded, rejected, frightened


@jitable
def unanswered_share(w, addressed, total_addressed):
    """Share of an unanswered bid of weight ``w`` counted against one caregiver who was there.

    ``w * addressed / total_addressed``, with ``addressed`` from :func:`bid_direction_weight`; the
    share counts as bad evidence, as rejection and as ``ignored`` (Ainsworth: being ignored is the
    commonest rejection).
    """
    return w * addressed / total_addressed


# ------------------------------------------------------------------ sources of security (issue 14.1)
MIND_MATCH_BASE = 3.0  # logit: ~95% of an average caregiver's mind-related comments are appropriate (assumption after Meins et al. 2001, 2012: non-attuned comments are rare)


@jitable
def mind_match_probability(mentalising):
    """Share of a caregiver's mind-related talk that is appropriate (attuned): ``sigmoid(3 + mentalising)``.

    ``mentalising`` is the caregiver's mind-mindedness trait (logit offset, mean 0 for an
    autonomous caregiver; lower for insecure and unresolved states, :mod:`model.population`).
    ``MIND_MATCH_BASE`` = 3 makes ~95% of an average autonomous caregiver's comments appropriate
    (assumption after Meins et al. 2001, 2012, from memory: appropriate comments are the common
    kind, non-attuned ones a few per session). Works on scalars and arrays.
    """
    return 1.0 / (1.0 + np.exp(-(MIND_MATCH_BASE + mentalising)))


@jitable
def representational_evidence(mentalising, w, gain):
    """Working-model evidence from the responder's mind-related talk in one engaged episode (X1, X2).

    The representational channel from the caregiver's attachment state that does not pass through
    sensitivity (the "transmission gap"): whatever the response's quality, the caregiver treats
    the infant as a mind (appropriate mind-related talk, affect mirroring) or misreads it.
    Returns ``(attuned, mistimed) = (gain * w * m, gain * w * (1 - m))`` with ``m`` =
    :func:`mind_match_probability`; the caller adds ``attuned`` to good evidence and ``mistimed``
    to bad and intruded (mistimed) evidence. ``w`` is the bid's :func:`distress_weight`; ``gain`` is ``mentalising_evidence_gain`` (0 = no channel).
    """
    m = mind_match_probability(mentalising)
    return gain * w * m, gain * w * (1.0 - m)


@jitable
def family_conflict_evidence(family_stress, w, gain):
    """Mistimed evidence an answered bid adds in a household with above-average family stress (X10).

    ``gain * w * max(family_stress, 0)``: conflict between the parents spills over into care
    (tense, distracted, inconsistent episodes) whatever the caregiver's sensitivity, so
    the shared family climate reaches security through more than sensitivity (X10: inter-parental
    conflict vs security r = -.28; a path through sensitivity alone gives ~ -.03, mechanisms.md 1).
    The caller adds it to bad and intruded evidence of every household caregiver who answers
    (not the daycare carer). ``gain`` is ``family_conflict_evidence`` (0 = off).
    """
    return gain * w * np.maximum(family_stress, 0.0)


@jitable
def susceptibility(temperament, gain):
    """Differential susceptibility of an infant: ``exp(gain * temperament)`` (X5-X7).

    ``temperament`` is negative reactivity (z). Infants high in negative emotionality are more
    affected by both poor and good care (X6; intervention effects several-fold larger in the
    susceptible, X5): at ``gain`` = 0.5 the top third (mean z ~ +1.1) departs ~3x as far from the
    crossover point (``TYPICAL_*``) as the bottom third (X7 classes). Works on arrays.
    """
    return np.exp(gain * temperament)


# the crossover point of differential susceptibility ("for better and for worse"): departures
# from it are scaled. Expected responsiveness near the model's median; the two strategy shares at
# the points where the Strange Situation's strategies switch on (its deactivation_threshold .27 and
# hyperactivation_threshold .10), so susceptibility makes a reactive infant's strategy more
# decided either way without deciding which (X3: temperament hardly predicts security; assumption)
TYPICAL_RESPONSIVENESS = 0.77
TYPICAL_DEACTIVATION = 0.27
TYPICAL_HYPERACTIVATION = 0.10


def working_model_reading(good, bad, rejected, intruded, ignored, prior, susceptibility_s, inconsistency):
    """What the infant expects of a caregiver, from its evidence: ``(E, deactivating, hyperactivating)``.

    * ``E = (good + prior/2) / (good + bad + prior)``: expected responsiveness (:func:`expected_responsiveness`);
    * inconsistency (item 4 of issue 14.1): a bid ignored by a caregiver who otherwise answers
      well teaches that signals pay off only sometimes, so it calls for heightened signalling
      (hyperactivation, resistance: Ainsworth et al. 1978, C mothers inconsistently responsive;
      Cittern et al. 2018), while one ignored by an unresponsive caregiver teaches to stop
      signalling (deactivation). ``inc = inconsistency * ignored * E / (good + bad + prior)``
      moves from the rejection share to the intrusion share;
    * ``deactivating = rejected / (good + bad + prior) - inc``; ``hyperactivating = intruded / (...) + inc``;
    * differential susceptibility: each of the three departs from the crossover point
      (``TYPICAL_*``) by ``susceptibility_s`` times its own departure
      (:func:`susceptibility`), clipped to 0-1.

    With ``inconsistency`` = 0 and ``susceptibility_s`` = 1 these are the plain shares the
    Strange Situation read before (issue 14.1). Works on arrays; the Strange Situation
    (:mod:`experiments.lab.ssp`) and the outcome table read the working model through it.
    """
    ev = good + bad + prior
    e = expected_responsiveness(good, bad, prior)
    inc = inconsistency * ignored * e / ev
    deact = rejected / ev - inc
    hyper = intruded / ev + inc
    e = np.clip(TYPICAL_RESPONSIVENESS + susceptibility_s * (e - TYPICAL_RESPONSIVENESS), 0.0, 1.0)
    deact = np.clip(TYPICAL_DEACTIVATION + susceptibility_s * (deact - TYPICAL_DEACTIVATION), 0.0, 1.0)
    hyper = np.clip(TYPICAL_HYPERACTIVATION + susceptibility_s * (hyper - TYPICAL_HYPERACTIVATION), 0.0, 1.0)
    return e, deact, hyper
# ---- sources of disorganisation (issue 14, item 2; ODD 7.2)
DISRUPTED_EVIDENCE = 1.0  # weight of a disrupted-communication episode per unit distress weight (assumption)


@jitable
def disrupted_evidence(disrupted, w):
    """Evidence of disrupted affective communication one answered bid adds to the working model.

    ``1 * w`` if the response carried disrupted communication (:func:`model.behaviour.disrupted_communication`),
    else 0 (``DISRUPTED_EVIDENCE``; ``w`` is :func:`distress_weight`). Its own kind of evidence
    (``iwm_disrupted``), apart from good/bad: disconnected behaviour predicts D but not organised
    insecurity (X18), so it feeds the infant's alarm at the caregiver in the Strange Situation
    (disorganisation markers) and nothing else (AMBIANCE; X17).
    """
    return DISRUPTED_EVIDENCE * w if disrupted else 0.0
