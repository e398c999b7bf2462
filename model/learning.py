"""Learning: the caregiver's dopamine-driven bond and the infant's working models.

Caregiver (prior-models 2.3): each episode yields a social reward ``R = positive * g(OT)``, with
``g`` the inverted-U OT gain; the phasic dopamine signal is the prediction error
``delta = R - bond`` and the bond (expected social reward from this infant) moves by
``rate * delta``. Tonic dopamine is the running mean of reward and sets motivation.

Infant (prior-models 1.1, 1.3, 1.4): a Beta-like working model of each caregiver, with
evidence that a bid was answered well (``good``) or not (``bad``), split further into
rejection, intrusion and fright. Evidence is weighted by the infant's distress at the bid,
``w = ((0.25 + distress) / 1.25) ** gamma``: Petters found that learning from anxious
episodes is what makes attachment patterns cluster.
"""

from __future__ import annotations

import numpy as np


def reward_prediction_error(positive, ot_gain, bond):
    """Phasic dopamine: social reward minus the expected reward (the bond)."""
    return positive * ot_gain - bond


def update_bond(bond, delta, rate):
    """Bond moves toward realised social reward by ``rate * delta``, kept in [0, 1]."""
    return np.clip(bond + rate * delta, 0.0, 1.0)


def distress_weight(distress, gamma):
    """Weight of a bid in the working model: 1 at full distress, smaller for calm bids."""
    return ((0.25 + distress) / 1.25) ** gamma


def expected_responsiveness(good, bad, prior):
    """The infant's expectation that a bid to this caregiver is answered well (posterior mean)."""
    return (good + 0.5 * prior) / (good + bad + prior)
