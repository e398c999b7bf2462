"""Issue 14, finding 5 (no adult social layer): parents' chronic cortisol and the adult acute stressor.

Measures, for 13 postnatal months:

* mothers' and fathers' mean plasma cortisol (nmol/l, mean of daily means over postnatal months
  1-13), partnered mothers, single mothers (no co-resident father), and fathers; during an external
  stressor (``ExternalStressor``: from month 2 for 240 days, intensity 0.5, every household) and
  without it; with partner support on (default) and off (``support_stress_buffering`` = 0, where
  the parameter exists);
* the adult acute social stressor (experiments.lab.stress.acute_social_stressor, TSST-like) at
  6 months, 10:00, in the 2x2 of Heinrichs et al. 2003 (support x intranasal OT): mothers' and
  fathers' cortisol rise (nmol/l) 20 min after the task.

Runs on any checkout (parameters the checkout lacks are skipped).
Usage: nice python benchmarks/finding_social.py --households 1000 --seeds 11
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from bonding.experiments.lab import stress as st
from bonding.experiments.lab.studies import VISIT_HOUR
from bonding.model.interventions import make_intervention
from bonding.model.params import PARAMS, ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYS_PER_MONTH, FATHER, MOTHER, PRENATAL_DAYS

STRESSOR = {"type": "external_stressor", "month": 2, "days": 240, "intensity": 0.5, "coverage": 1.0}


def chronic_cortisol(n: int, seed: int, months: float, stressor: bool, support_off: bool, extra=None) -> dict:
    over = dict(extra or {})
    if support_off and "support_stress_buffering" in PARAMS:
        over["support_stress_buffering"] = 0.0
    ivs = [make_intervention(dict(STRESSOR))] if stressor else []
    sim = Simulation(ParamSet.uniform(n, over), months, seed, ivs)
    total = np.zeros((n, 2))
    days = [0]
    first = PRENATAL_DAYS + int(round(DAYS_PER_MONTH))

    def observe(s):
        if s.day - 1 >= first:
            total[:] += s.cg.cortisol_sum_today[:, [MOTHER, FATHER]] / 24.0
            days[0] += 1

    sim.observers.append(observe)
    while not sim.done:
        sim.step_day()
    mean = total / max(days[0], 1)
    father = sim.cg.exists[:, FATHER]
    return {"mother_partnered": float(mean[father, 0].mean()), "mother_single": float(mean[~father, 0].mean()),
            "father": float(mean[father, 1].mean()), "mother_all": float(mean[:, 0].mean())}


def acute_2x2(n: int, seed: int, age_months: float = 6.0) -> dict:
    sim = Simulation(ParamSet.uniform(n), age_months + 0.2, seed)
    target = (PRENATAL_DAYS + int(round(age_months * DAYS_PER_MONTH))) * 24 + VISIT_HOUR
    while target - sim.hour >= 24 and sim.hod == 0:
        sim.step_day()
    while sim.hour < target:
        sim.step()
    out = {}
    ex = sim.cg.exists
    for name, support, dose in (("none", False, 0.0), ("support", True, 0.0), ("in_ot", False, 1.0),
                                ("support_in_ot", True, 1.0)):
        r = st.acute_social_stressor(sim, np.random.default_rng(0), support=support, dose=dose)
        ch = r["cortisol_change"]
        out[name] = {"mother": float(ch[ex[:, MOTHER], MOTHER].mean()), "father": float(ch[ex[:, FATHER], FATHER].mean())}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1000)
    ap.add_argument("--months", type=float, default=13.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11])
    ap.add_argument("--out", default=None)
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="parameter overrides for every run")
    ap.add_argument("--no-acute", action="store_true", help="skip the acute-stressor 2x2")
    a = ap.parse_args()
    extra = {k: float(v) for k, v in (item.split("=", 1) for item in a.set)}
    res = {}
    for seed in a.seeds:
        r = {}
        for stressor in (False, True):
            for off in (False, True):
                key = f"{'stressor' if stressor else 'no_stressor'}|support_{'off' if off else 'on'}"
                r[key] = chronic_cortisol(a.households, seed, a.months, stressor, off, extra)
                print(seed, key, {k: round(v, 1) for k, v in r[key].items()}, flush=True)
        if not a.no_acute:
            r["acute_2x2_6mo"] = acute_2x2(a.households, seed)
            print(seed, "acute", json.dumps(r["acute_2x2_6mo"]), flush=True)
        res[seed] = r
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            json.dump(res, f, indent=1)
        import os
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
