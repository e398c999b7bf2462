"""Learning: the caregiver's dopamine-driven bond and the infant's working models.

Caregiver (prior-models 2.3): each episode yields a social reward ``R = positive * g(OT)``, with
``g`` the inverted-U OT gain; tonic dopamine is the running mean of reward (the expectation) and
the phasic dopamine signal is the prediction error ``delta = R - tonic``. The bond consolidates
rewarding episodes and positive surprises, ``bond += rate * (R + max(delta, 0)) * (1 - bond)``,
and decays slowly every day, so it grows with the number of rewarding interactions (time in
care, P6 Abraham et al. 2014) and saturates below 1.

Infant (prior-models 1.1, 1.3, 1.4): a Beta-like working model of each caregiver, with
evidence that a bid was answered well (``good``) or not (``bad``), split further into
rejection, intrusion and fright. Evidence is weighted by the infant's distress at the bid,
``w = ((0.25 + distress) / 1.25) ** gamma``: Petters found that learning from anxious
episodes is what makes attachment patterns cluster.
"""

from __future__ import annotations

import numpy as np
from numba.extending import register_jitable as jitable


@jitable
def reward_prediction_error(reward, expected):
    """Phasic dopamine: social reward minus the expected reward (tonic dopamine)."""
    return reward - expected


@jitable
def update_bond(bond, reward, delta, rate):
    """Consolidate a rewarding episode into the bond, saturating at 1."""
    return np.minimum(np.maximum(bond + rate * (reward + np.maximum(delta, 0.0)) * (1.0 - bond), 0.0), 1.0)


@jitable
def distress_weight(distress, gamma):
    """Weight of a bid in the working model: 1 at full distress, smaller for calm bids."""
    return ((0.25 + distress) / 1.25) ** gamma


def expected_responsiveness(good, bad, prior):
    """The infant's expectation that a bid to this caregiver is answered well (posterior mean)."""
    return (good + 0.5 * prior) / (good + bad + prior)
