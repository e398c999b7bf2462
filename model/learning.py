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
from numba.extending import register_jitable as jitable

from model.physiology import social_reward_gain
from model.state import FRIGHTENING, INTRUSIVE, REJECTING, SENSITIVE


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
