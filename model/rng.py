"""Counter-based random numbers for the hourly engine: one uniform per (hour, household, draw).

Every stochastic decision of the hour has a fixed *draw slot* (``DRAWS``). The uniform for
slot ``d`` of household ``h`` at hour ``t`` is a pure function of the run key and the counter
``(t * H + h) * N_DRAWS + d``, so

- common random numbers hold by construction: two scenarios run with one seed give household
  ``h`` the same draw for the same decision at the same hour, whatever else differs (the slot
  idea of Starsim's CRN, Kerr et al. 2024, taken to a counter);
- a decision that is skipped (no bid, nobody available) consumes nothing, so skipping work in
  the compiled kernel never shifts later numbers;
- results do not depend on how work is split between processes.

The generator is SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
generators", OOPSLA; the generator behind Java's ``SplittableRandom``) evaluated at position ``counter`` of the sequence that
starts at the run key: ``z = key + (counter + 1) * GAMMA`` followed by its 64-bit finaliser. The
output passes BigCrush as a sequence generator; numpy's Philox/Threefry would serve equally
well but cannot be evaluated per counter from compiled code. The run key comes from
``numpy.random.SeedSequence`` like every other stream of a run.
"""

from __future__ import annotations

import numba
import numpy as np

DRAWS = {
    "sleep": 0,
    "discomfort": 1,
    "bid": 2,
    "detect": 3,  # 3..7: one per caregiver slot
    "responder": 8,
    "quality": 9,  # 9 sensitive?, 10 frightening?, 11 which insensitive kind
    "touch": 12,
    "positive": 13,
    "gaze": 14,  # 14 gaze, 15 vocalisation
}
N_DRAWS = 16

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_INV_2_53 = 1.0 / 9007199254740992.0


def run_key(seed_sequence: np.random.SeedSequence) -> np.uint64:
    """A 64-bit key for the hourly generator from one child of the run's SeedSequence."""
    return np.uint64(seed_sequence.generate_state(1, dtype=np.uint64)[0])


@numba.njit(cache=True, inline="always")
def uniform(key, hour, n_households, household, draw):
    """The uniform in [0, 1) for ``draw`` of ``household`` at ``hour`` (53-bit resolution)."""
    counter = (np.uint64(hour) * np.uint64(n_households) + np.uint64(household)) * np.uint64(N_DRAWS) \
        + np.uint64(draw)
    z = key + (counter + np.uint64(1)) * GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * _INV_2_53


@numba.njit(cache=True)
def uniform_block(key, hour, n_households, draw):
    """All households' uniforms for one draw slot at one hour (for tests and diagnostics)."""
    out = np.empty(n_households)
    for h in range(n_households):
        out[h] = uniform(key, hour, n_households, h, draw)
    return out
