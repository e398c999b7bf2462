"""Every hormone state stays in its declared physiological range for any parameters within bounds (issue 12).

The ranges are declared in :data:`model.physiology.PHYSIOLOGICAL_RANGES`; the hourly rules reach
their ceilings by saturation (:func:`model.physiology.saturating_ceiling`). Before, mothers' plasma
OT reached 11,015 pg/ml at legal corners (default median 6.7) and, over random vertices of the
hormone parameters, plasma OT 222,000 pg/ml, central OT index 15,000, caregiver cortisol 24,000
nmol/l, prolactin 2,700 ng/ml and infant salivary cortisol 609 nmol/l.

The hypercube is taken per hormone (every corner of the parameters that set that hormone's level,
the others at default), plus seeded random points over all hormone parameters at once. The check
covers every hour after birth and every day of pregnancy, when the kernel does not run and the
states are the population's draws and the daily rules: the plasma OT set-point (drawn, then
shifted by the pregnancy rise), the central OT tone (and so central OT, which sits at the tone
until birth), testosterone and prenatal cortisol. Before their saturating rules
(``physiology.ot_plasma_setpoint``, ``ot_tone_target``, ``testosterone_setpoint``, and
``daily.prenatal_cortisol``'s ceiling) nothing bounded them: at the pregnancy corners mothers'
set-point reached millions of pg/ml (``test_the_prenatal_ceilings_bind``), and a draw far in the
tail is unbounded (``test_the_drawn_and_daily_states_saturate_in_the_tails``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bonding.model import ParamSet, Simulation
from bonding.model import physiology as phys
from bonding.model.params import PARAMS
from bonding.model.state import MOTHER

CUBES = {
    "oxytocin": ("ot_plasma_basal", "ot_setpoint_sd", "ot_pregnancy_rise", "ot_pregnancy_rise_sd", "suckling_ot_pulse",
                 "suckling_pulses_per_10min", "ot_plasma_halflife", "ot_central_plasma_coupling", "ot_trait_coupling",
                 "ot_tone_affiliation_gain"),
    "cortisol": ("cortisol_mean", "car_rise", "cry_stress", "cortisol_halflife", "depression_cortisol", "poverty_stress",
                 "infant_cortisol_mean", "infant_hpa_gain_2mo"),
    "prolactin": ("prolactin_suckling_fold", "prolactin_lactating_6mo", "suckling_pulses_per_10min"),
    "pregnancy_oxytocin": ("ot_plasma_basal", "ot_setpoint_sd", "adversity_ot_effect", "ot_pregnancy_rise",
                           "ot_pregnancy_rise_sd", "ot_tone_sd", "ot_trait_coupling", "ot_tone_affiliation_gain"),
    "testosterone": ("testosterone_mean", "testosterone_fatherhood_drop", "testosterone_care_drop"),
}
HORMONE_PARAMS = sorted({n for n, p in PARAMS.items() if p.group in ("oxytocin", "cortisol", "steroids")}
                        | {"ot_setpoint_sd", "adversity_ot_effect", "dismissing_ot_reactivity", "ot_social_touch",
                           "ot_stress_buffering", "poverty_stress", "ot_tone_sd", "ot_trait_coupling",
                           "ot_tone_affiliation_gain", "testosterone_mean", "testosterone_fatherhood_drop",
                           "testosterone_care_drop"})
CAREGIVER_STATES = {"ot_plasma": "ot_plasma", "ot_central": "ot_central", "cortisol": "cortisol",
                    "prolactin": "prolactin"}
INFANT_STATES = {"infant_ot": "ot", "infant_cortisol": "cortisol"}
MOTHER_STATES = ("prolactin_base", "estradiol", "progesterone")
DAILY_STATES = {"ot_plasma_setpoint": "ot_plasma_setpoint_now", "ot_tone": "ot_tone", "testosterone": "testosterone"}


def corners(names):
    for bits in itertools.product((0, 1), repeat=len(names)):
        yield {n: (PARAMS[n].hi if b else PARAMS[n].lo) for n, b in zip(names, bits, strict=True)}


def random_points(n, seed=12):
    rng = np.random.default_rng(seed)
    return [{k: PARAMS[k].lo + rng.random() * (PARAMS[k].hi - PARAMS[k].lo) for k in HORMONE_PARAMS}
            for _ in range(n)]


def extremes(points, days=3.0, seed=4):
    """(low, high) of every declared state over every postnatal hour and every day of pregnancy, 2 households per point."""
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
            if sim.hod == 1:  # pregnancy: the states change once a day (open_day, pregnancy_day)
                for name, attr in {**CAREGIVER_STATES, **DAILY_STATES}.items():
                    if name != "prolactin":  # the live prolactin follows prolactin_base before birth
                        see(name, getattr(sim.cg, attr)[ex])
            continue
        for name, attr in DAILY_STATES.items():
            see(name, getattr(sim.cg, attr)[ex])
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


def test_the_prenatal_ceilings_bind():
    """At the pregnancy corners the set-point, tone and prenatal cortisol reach their saturating range."""
    pts = [c for c in corners(CUBES["pregnancy_oxytocin"]) if c["ot_plasma_basal"] == PARAMS["ot_plasma_basal"].hi
           and c["ot_pregnancy_rise"] == PARAMS["ot_pregnancy_rise"].hi]
    lo, hi = extremes(pts, days=0.5)
    assert hi["ot_plasma_setpoint"] > phys.PLASMA_OT_KNEE and hi["ot_tone"] > phys.CENTRAL_OT_KNEE
    assert_in_range(lo, hi)


@pytest.mark.parametrize("z", [6.0, 10.0, 40.0])
def test_the_drawn_and_daily_states_saturate_in_the_tails(z):
    """A draw far in the tail at the upper corner stays in range; the raw expressions would leave it."""
    from bonding.model.daily import prenatal_cortisol

    hi = {n: PARAMS[n].hi for n in PARAMS}
    shift = hi["ot_setpoint_sd"] * z + hi["ot_pregnancy_rise"] + hi["ot_pregnancy_rise_sd"] * z
    raw = {"ot_plasma_setpoint": hi["ot_plasma_basal"] * np.exp(shift),
           "ot_tone": np.exp(hi["ot_tone_sd"] * z) * 1e6 ** hi["ot_trait_coupling"],
           "testosterone": hi["testosterone_mean"] * np.exp(phys.TESTOSTERONE_SETPOINT_SD * z),
           "cortisol": hi["cortisol_mean"] * 2.0 * (1.0 + z)}
    got = {"ot_plasma_setpoint": phys.ot_plasma_setpoint(hi["ot_plasma_basal"], shift),
           "ot_tone": phys.ot_tone_target(raw["ot_tone"], hi["ot_tone_affiliation_gain"], 24.0, 0.0),
           "testosterone": phys.testosterone_setpoint(hi["testosterone_mean"], z),
           "cortisol": prenatal_cortisol(hi["cortisol_mean"], 1.0, 1.0, z)}
    for name, value in got.items():
        top = phys.PHYSIOLOGICAL_RANGES[name][1]
        assert 0.0 < value < top, name
        if z >= 10.0:
            assert raw[name] > top, name  # without the rule's saturation the state leaves its range


@pytest.mark.parametrize(("rule", "args", "knee"), [
    (phys.ot_plasma_setpoint, (4.0, 0.3), phys.PLASMA_OT_KNEE),
    (phys.testosterone_setpoint, (18.0, 1.5), phys.TESTOSTERONE_KNEE),
    (phys.ot_tone_target, (1.2, 0.25, 2.0, 0.3), phys.CENTRAL_OT_KNEE),
])
def test_the_saturating_rules_leave_ordinary_values_unchanged(rule, args, knee):
    """Below the knee each rule is its plain expression, bit for bit (defaults unchanged)."""
    plain = {phys.ot_plasma_setpoint: lambda s, x: s * np.exp(x),
             phys.testosterone_setpoint: lambda m, z: m * np.exp(phys.TESTOSTERONE_SETPOINT_SD * z),
             phys.ot_tone_target: lambda r, g, t, lone: r * (1.0 + g * t) / (1.0 + phys.LONELINESS_OT_TONE * lone)}
    value = rule(*args)
    assert value < knee and value == plain[rule](*args)
