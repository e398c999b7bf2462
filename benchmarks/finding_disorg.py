"""Issue 14 finding 2 (disorganisation is one switch), measured through the virtual Strange Situation.

For each seed: a default population and a high-risk one (``poverty_stress`` = 1), ``--households``
households, ``--months`` months; the SSP at the end (12-13 months) with the mother, coded by the lab's
coder. Prints r(unresolved mother, infant D), P(D | unresolved) vs P(D | not), the share of D infants
with an unresolved mother, the overall D share, and the D share of the high-risk population.

    nice .venv/bin/python benchmarks/finding_disorg.py --households 3000 --months 13 --seeds 11 12 13
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from bonding.experiments.lab.ssp import strange_situation
from bonding.model import ParamSet, Simulation
from bonding.model.state import MOTHER


def measure(households: int, months: float, seed: int, overrides: dict) -> dict:
    sim = Simulation(ParamSet.uniform(households, overrides), months, seed).run()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xD15]))
    res = strange_situation(sim, rng)
    hh = res["household"]
    is_mother = res["role"] == "mother"
    d = (res["attachment"][is_mother] == "D").astype(float)
    unres = sim.cg.unresolved[hh[is_mother], MOTHER].astype(float)
    out = {"n": int(d.size), "D_share": float(d.mean()),
           "r_unresolved_D": float(np.corrcoef(unres, d)[0, 1]),
           "P_D_given_unresolved": float(d[unres == 1].mean()),
           "P_D_given_not": float(d[unres == 0].mean()),
           "share_D_with_unresolved_mother": float(unres[d == 1].mean()) if d.sum() else float("nan"),
           "B_share": float((res["attachment"][is_mother] == "B").mean())}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--months", type=float, default=13.0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--set", nargs="*", default=[], help="name=value overrides for both arms")
    args = ap.parse_args()
    base = {k: float(v) for k, v in (s.split("=") for s in args.set)}
    rows = {"default": [], "high_risk": []}
    for seed in args.seeds:
        rows["default"].append(measure(args.households, args.months, seed, base))
        rows["high_risk"].append(measure(args.households, args.months, seed, {**base, "poverty_stress": 1.0}))
        print(json.dumps({"seed": seed, **{k: v[-1] for k, v in rows.items()}}), flush=True)
    summary = {arm: {k: float(np.mean([r[k] for r in rs])) for k in rs[0]} for arm, rs in rows.items()}
    print(json.dumps({"mean_over_seeds": summary}, indent=1))


if __name__ == "__main__":
    main()
