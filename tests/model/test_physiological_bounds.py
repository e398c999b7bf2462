"""Every hormone state stays in its declared physiological range for any parameters within bounds (issue 12).

The ranges are declared in :data:`model.physiology.PHYSIOLOGICAL_RANGES`; the hourly rules reach
their ceilings by saturation (:func:`model.physiology.saturating_ceiling`). Before, mothers' plasma
OT reached 11,015 pg/ml at legal corners (default median 6.7) and, over random vertices of the
hormone parameters, plasma OT 222,000 pg/ml, central OT index 15,000, caregiver cortisol 24,000
nmol/l, prolactin 2,700 ng/ml and infant salivary cortisol 609 nmol/l.

The hypercube is taken per hormone (every corner of the parameters that set that hormone's level,
the others at default), plus seeded random points over all hormone parameters at once. The hourly
rules run after birth; before birth the kernel does not run (the prenatal states are the
population's draws), so the check covers every postnatal hour.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model import ParamSet, Simulation
from model import physiology as phys
from model.params import PARAMS
from model.state import MOTHER

CUBES = {
    "oxytocin": ("ot_plasma_basal", "ot_setpoint_sd", "ot_pregnancy_rise", "ot_pregnancy_rise_sd", "suckling_ot_pulse",
                 "suckling_pulses_per_10min", "ot_plasma_halflife", "ot_central_plasma_coupling", "ot_trait_coupling",
                 "ot_tone_affiliation_gain"),
    "cortisol": ("cortisol_mean", "car_rise", "cry_stress", "cortisol_halflife", "depression_cortisol", "poverty_stress",
                 "infant_cortisol_mean", "infant_hpa_gain_2mo"),
    "prolactin": ("prolactin_suckling_fold", "prolactin_lactating_6mo", "suckling_pulses_per_10min"),
}
HORMONE_PARAMS = sorted({n for n, p in PARAMS.items() if p.group in ("oxytocin", "cortisol", "steroids")}
                        | {"ot_setpoint_sd", "adversity_ot_effect", "dismissing_ot_reactivity", "ot_social_touch",
                           "ot_stress_buffering", "poverty_stress"})
CAREGIVER_STATES = {"ot_plasma": "ot_plasma", "ot_central": "ot_central", "cortisol": "cortisol",
                    "prolactin": "prolactin"}
INFANT_STATES = {"infant_ot": "ot", "infant_cortisol": "cortisol"}
MOTHER_STATES = ("prolactin_base", "estradiol", "progesterone")


def corners(names):
    for bits in itertools.product((0, 1), repeat=len(names)):
        yield {n: (PARAMS[n].hi if b else PARAMS[n].lo) for n, b in zip(names, bits, strict=True)}


def random_points(n, seed=12):
    rng = np.random.default_rng(seed)
    return [{k: PARAMS[k].lo + rng.random() * (PARAMS[k].hi - PARAMS[k].lo) for k in HORMONE_PARAMS}
            for _ in range(n)]


def extremes(points, days=3.0, seed=4):
    """(low, high) of every declared state over every postnatal hour, 2 households per point."""
    sim = Simulation(ParamSet.stacked(points, 2), days / 30.4375, seed)
    lo = {k: np.inf for k in phys.PHYSIOLOGICAL_RANGES}
    hi = {k: -np.inf for k in phys.PHYSIOLOGICAL_RANGES}

    def see(name, values):
        if values.size:
            lo[name], hi[name] = min(lo[name], values.min()), max(hi[name], values.max())

    while not sim.done:
        ran_the_hour = sim.born
        sim.step()
        ex = sim.cg.exists
        for name in MOTHER_STATES:  # daily trajectories, pregnancy included
            see(name, getattr(sim.cg, name)[:, MOTHER])
        if not ran_the_hour:
            continue
        for name, attr in CAREGIVER_STATES.items():
            see(name, getattr(sim.cg, attr)[ex])
        for name, attr in INFANT_STATES.items():
            see(name, getattr(sim.inf, attr))
    return lo, hi


def assert_in_range(lo, hi):
    bad = [f"{k}: {lo[k]:.4g} to {hi[k]:.4g} outside {r[0]:g} to {r[1]:g} {r[2]}"
           for k, r in phys.PHYSIOLOGICAL_RANGES.items() if not (r[0] <= lo[k] and hi[k] <= r[1])]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("hormone", sorted(CUBES))
def test_every_corner_of_the_hormone_hypercube_stays_in_range(hormone):
    lo, hi = extremes(list(corners(CUBES[hormone])))
    assert_in_range(lo, hi)


def test_random_points_over_all_hormone_parameters_stay_in_range():
    lo, hi = extremes(random_points(400))
    assert_in_range(lo, hi)


def test_the_ceilings_bind_at_the_corners():
    """The saturation is what keeps the corners in range: without it they leave it (cf. the module doc)."""
    pts = list(corners(CUBES["oxytocin"]))[-64:] + list(corners(CUBES["cortisol"]))[-16:]
    lo, hi = extremes(pts)
    assert hi["ot_plasma"] > phys.PLASMA_OT_KNEE and hi["cortisol"] > phys.CORTISOL_KNEE
