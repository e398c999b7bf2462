"""Issue 14 finding 3: is resting plasma OT related to behaviour, partner and central OT?

    nice python benchmarks/finding_pot.py --households 3000 --seeds 11 12 13

For each seed, one population of ``--households`` (default parameters) runs 13 months. Recorded,
with perfect measurement (no assay): the mother's true resting plasma OT (``ot_plasma_setpoint_now``)
at gestational week 11 and every caregiver's at 1 and 6 months postnatal, the resting central OT
tone and the central OT at 6 months, the lab's 15-min play session at 1 month (bonding composite:
gaze + vocal + positive affect + affectionate touch minutes, true counts) and the dyad outcomes
at 13 months (latent sensitivity over months 3-9, touch counts, synchrony, bond). Printed per seed
and as the mean over seeds: Pearson r of log plasma OT (6 months) with each behaviour, mothers and
fathers; first-trimester plasma vs the 1-month composite; husband-wife plasma r (6 months); basal
central-plasma r (log tone and log central OT vs log plasma, mothers, 6 months); early adversity vs
plasma (I4); within-person 1-6 month stability and the mean log change 1 -> 6 months (M9).
"""

from __future__ import annotations

import argparse

import numpy as np


def _r(x, y):
    ok = np.isfinite(x) & np.isfinite(y)
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def run_seed(households: int, seed: int, months: float = 13.0) -> dict[str, float]:
    from bonding.experiments.lab.procedures import play
    from bonding.model.outcomes import dyad_outcomes
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation
    from bonding.model.state import DAYS_PER_MONTH, FATHER, MOTHER, PRENATAL_DAYS

    sim = Simulation(ParamSet.uniform(households), months, seed)
    log = np.log
    t1_day, m1_day, m6_day = 7, PRENATAL_DAYS + round(DAYS_PER_MONTH), PRENATAL_DAYS + round(6 * DAYS_PER_MONTH)
    rec = {}
    while not sim.done:
        sim.step_day()
        if sim.day == t1_day:
            rec["p_t1"] = log(sim.cg.ot_plasma_setpoint_now[:, MOTHER].copy())
        if sim.day == m1_day:
            rec["p_1"] = log(sim.cg.ot_plasma_setpoint_now.copy())
            rec["comp_1"] = play(sim, np.random.default_rng(seed + 1000))["bonding_composite"][:, MOTHER]
        if sim.day == m6_day:
            rec["p_6"] = log(sim.cg.ot_plasma_setpoint_now.copy())
            rec["tone_6"] = log(sim.cg.ot_tone.copy())
            rec["central_6"] = log(sim.cg.ot_central.copy())
    out = dyad_outcomes(sim)
    cg = sim.cg
    res = {}
    for k, name in ((MOTHER, "mother"), (FATHER, "father")):
        rows = out["role"] == name
        hh = out["household"][rows]
        pot = rec["p_6"][hh, k]
        touch = out["affectionate_touch"][rows] + out["stimulatory_touch"][rows]
        for beh, y in (("sensitivity", out["sensitivity"][rows]), ("touch", touch.astype(float)),
                       ("synchrony", out["synchrony"][rows]), ("bond", out["bond"][rows])):
            res[f"r(pOT, {beh}) {name}s"] = _r(pot, y)
        res[f"r(adversity, pOT) {name}s (I4)"] = _r(cg.adversity[hh, k], pot)
        res[f"r(pOT 1mo, pOT 6mo) {name}s"] = _r(rec["p_1"][hh, k], pot)
        res[f"mean log change 1->6 mo {name}s"] = float(np.mean(pot - rec["p_1"][hh, k]))
    res["r(pOT wk11, 1-mo composite) mothers"] = _r(rec["p_t1"], rec["comp_1"])
    both = cg.exists[:, MOTHER] & cg.exists[:, FATHER]
    res["r(pOT mother, pOT father) 6 mo"] = _r(rec["p_6"][both, MOTHER], rec["p_6"][both, FATHER])
    res["r(central tone, pOT) mothers 6 mo"] = _r(rec["tone_6"][:, MOTHER], rec["p_6"][:, MOTHER])
    res["r(central OT, pOT) mothers 6 mo"] = _r(rec["central_6"][:, MOTHER], rec["p_6"][:, MOTHER])
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    a = ap.parse_args()
    per_seed = []
    for s in a.seeds:
        per_seed.append(run_seed(a.households, s))
        print(f"seed {s} done", flush=True)
    for key in per_seed[0]:
        vals = [r[key] for r in per_seed]
        print(f"{key:42s} mean {np.mean(vals):+.3f}   seeds " + " ".join(f"{v:+.3f}" for v in vals))


if __name__ == "__main__":
    main()
