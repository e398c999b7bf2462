"""Issue 14, finding 1: where infant security comes from (measure before/after the security mechanisms).

For each seed: one population run to 12 months (the age of the A6-A8 virtual studies), then the
lab's procedures on every dyad, as the studies use them (``experiments.lab.procedures.ssp`` and
``outcomes``, ``experiments.lab.measures.rating`` and ``code_classes``):

* sensitivity-security point-biserial r, mothers and fathers: latent (the model's own
  sensitivity and the procedure's class) and observed (a rating with ICC .8 and a coder with
  kappa .8), A6 .24 latent, A7 .26 / .21 observed, A8 .12-.13;
* A/B/C/D shares (A1-A3), mothers and fathers;
* the share of the association of the caregiver's adult attachment state (autonomous vs not)
  with security carried by sensitivity: simple mediation a*b / c on standardised variables;
* the couple correlation of sensitivity (P10 .23), latent and observed;
* with the security mechanisms: the mentalising trait's r with security and with sensitivity
  (X1 .30 / .25) and temperament's r with security and resistance (X3 .07 / .15).

    nice .venv/bin/python benchmarks/finding_security.py --households 3000 --seeds 11 12 13 --out results/x.json
    nice .venv/bin/python benchmarks/finding_security.py --households 3000 --seeds 11 --set couple_sensitivity_corr=0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path.cwd()))

from bonding.experiments.lab import measures as ms  # noqa: E402
from bonding.experiments.lab.procedures import outcomes, ssp  # noqa: E402
from bonding.model.params import ParamSet  # noqa: E402
from bonding.model.simulation import Simulation  # noqa: E402
from bonding.model.state import AAI_AUTONOMOUS, FATHER, MOTHER  # noqa: E402

AGE = 12.0


def _r(x, y):
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _z(v):
    return (v - v.mean()) / v.std()


def mediation_share(x, m, y):
    """Indirect (a*b) over total (c) effect of x on y through m, standardised OLS."""
    ok = np.isfinite(x) & np.isfinite(m) & np.isfinite(y)
    x, m, y = _z(x[ok]), _z(m[ok]), _z(y[ok])
    a = float(np.polyfit(x, m, 1)[0])
    c = float(np.polyfit(x, y, 1)[0])
    design = np.column_stack([np.ones_like(x), x, m])
    b = float(np.linalg.lstsq(design, y, rcond=None)[0][2])
    return {"a": a, "b": b, "c": c, "indirect": a * b, "share": a * b / c if c != 0 else float("nan")}


def one_seed(households: int, seed: int, overrides: dict | None = None) -> dict:
    sim = Simulation(ParamSet.uniform(households, overrides or {}), AGE, seed)
    t = time.time()
    sim.run()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xF1]))
    s = ssp(sim, rng)
    o = outcomes(sim, rng)
    out = {"seed": seed, "households": households, "run_s": round(time.time() - t, 1)}
    for role, k in (("mother", MOTHER), ("father", FATHER)):
        here = sim.cg.exists[:, k]
        sens = o["sensitivity"][here, k]
        cls = s["attachment"][here, k].astype(object)
        sec = (cls == "B").astype(float)
        sens_obs = ms.rating(sens, rng)
        sec_obs = (ms.code_classes(cls, rng) == "B").astype(float)
        autonomous = sim.cg.aai[here, k] == AAI_AUTONOMOUS
        secure_state = autonomous & ~sim.cg.unresolved[here, k]
        res = {
            "n": int(here.sum()),
            "r_latent": _r(sens, sec), "r_observed": _r(sens_obs, sec_obs),
            "shares": {c: float(np.mean(cls == c)) for c in "ABCD"},
            "r_sens_avoidance": _r(sens, s["avoidance"][here, k]),
            "r_sens_resistance": _r(sens, s["resistance"][here, k]),
            "mediation_aai": mediation_share(autonomous.astype(float), sens, sec),
            "r_aai_security": _r(autonomous.astype(float), sec),
            "mediation_aai_resolved": mediation_share(secure_state.astype(float), sens, sec),
            "r_temperament_security": _r(sim.inf.temperament[here], sec),
            "r_temperament_resistance": _r(sim.inf.temperament[here], s["resistance"][here, k]),
            "r_temperament_C": _r(sim.inf.temperament[here], (cls == "C").astype(float)),
        }
        ev = sim.inf.iwm_good[here, k] + sim.inf.iwm_bad[here, k]
        res["working_model_quantiles"] = {
            name: [round(float(v), 4) for v in np.nanquantile(a / ev, [0.1, 0.25, 0.5, 0.75, 0.9])]
            for name, a in (("rejection", sim.inf.iwm_rejected[here, k]), ("intrusion", sim.inf.iwm_intruded[here, k]),
                            ("ignored", sim.inf.iwm_ignored[here, k]), ("good", sim.inf.iwm_good[here, k]))}
        res["evidence_quantiles"] = [round(float(v), 1) for v in np.quantile(ev, [0.1, 0.5, 0.9])]
        mind = getattr(sim.cg, "mentalising", None)
        if mind is not None:
            res["r_mentalising_security"] = _r(mind[here, k], sec)
            res["r_mentalising_sensitivity"] = _r(mind[here, k], sens)
        out[role] = res
    both = sim.cg.exists[:, FATHER]
    m, f = o["sensitivity"][both, MOTHER], o["sensitivity"][both, FATHER]
    out["couple_sensitivity_r_latent"] = _r(m, f)
    out["couple_sensitivity_r_observed"] = _r(ms.rating(m, rng), ms.rating(f, rng))
    sm = (s["attachment"][both, MOTHER] == "B").astype(float)
    sf = (s["attachment"][both, FATHER] == "B").astype(float)
    out["mother_father_security_r"] = _r(sm, sf)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="parameter overrides")
    a = ap.parse_args(argv)
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in a.set)}
    rows = []
    for seed in a.seeds:
        rows.append(one_seed(a.households, seed, overrides))
        print(json.dumps(rows[-1]), flush=True)
    if a.out is not None:
        tmp = a.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(rows, indent=1))
        tmp.replace(a.out)


if __name__ == "__main__":
    main()
