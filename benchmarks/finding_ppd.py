"""Issue 14 finding 6: depression as studies measure it (before/after measurement, not a test).

Runs the default population (and ``postpartum_depression``) for 13 months and reports, for
mothers and fathers (households with both parents):

* latent point prevalence at the visits 1.5, 3 and 6 months (the model's clinical episode);
* screen-positive point prevalence at the same visits (EPDS-like screen of the lab,
  ``experiments.lab.measures.DepressionScreen``; only if it exists: after issue 14 item 6);
* period prevalence 0-6 months (latent, continuous: depressed on any day);
* ever depressed (the model's ``ever_depressed`` at 13 months);
* mean duration of the episodes that began and ended inside the run (days);
* the couple correlation (phi of the two latent states at 3 months; and of the two screens).

Usage: nice .venv/bin/python benchmarks/finding_ppd.py --households 3000 --seeds 11 12 13
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import numpy as np
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYS_PER_MONTH, FATHER, MOTHER, PRENATAL_DAYS

VISITS = (1.5, 3.0, 6.0)
SCENARIO = Path(__file__).resolve().parent.parent / "experiments" / "scenarios" / "postpartum_depression.toml"


def _phi(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _episodes(series: np.ndarray) -> list[int]:
    """Lengths (days) of the runs of True that start after day 0 and end before the last day."""
    out = []
    for col in series.T:
        d = np.diff(col.astype(np.int8))
        starts, ends = np.flatnonzero(d == 1) + 1, np.flatnonzero(d == -1) + 1
        for s in starts:
            later = ends[ends > s]
            if later.size:
                out.append(int(later[0] - s))
    return out


def run(overrides: dict, households: int, seed: int) -> dict:
    sim = Simulation(ParamSet.uniform(households, overrides), 13.0, seed)
    days = []
    while not sim.done:
        sim.step_day()
        days.append(sim.cg.depressed[:, [MOTHER, FATHER]].copy())
    series = np.array(days)  # (days, H, 2): state after each day
    both = sim.cg.exists[:, MOTHER] & sim.cg.exists[:, FATHER]
    res = {}
    screen = None
    try:
        from bonding.experiments.lab.measures import DepressionScreen
        screen = DepressionScreen(households * 2, np.random.default_rng([seed, 6]))
    except ImportError:
        pass
    people = np.arange(households * 2).reshape(households, 2)
    for v in VISITS:
        day = PRENATAL_DAYS + int(round(v * DAYS_PER_MONTH))
        state = series[day - 1]
        res[f"point {v:g} mo"] = state[both].mean(0)
        if screen is not None:
            pos = screen.measure(state.astype(float).ravel(), people.ravel()).reshape(households, 2)
            res[f"screen {v:g} mo"] = pos[both].mean(0)
            if v == 3.0:
                res["couple phi (screen, 3 mo)"] = np.array([_phi(pos[both, 0], pos[both, 1])] * 2)
        if v == 3.0:
            res["couple phi (latent, 3 mo)"] = np.array([_phi(state[both, 0], state[both, 1])] * 2)
    birth = PRENATAL_DAYS
    six = PRENATAL_DAYS + int(round(6 * DAYS_PER_MONTH))
    res["period 0-6 mo"] = series[birth:six].any(0)[both].mean(0)
    res["ever (13 mo)"] = sim.cg.ever_depressed[:, [MOTHER, FATHER]][both].mean(0)
    res["mean episode (d)"] = np.array([np.mean(_episodes(series[:, both, j]) or [np.nan]) for j in (0, 1)])
    res["both depressed 3 mo"] = np.array([(series[PRENATAL_DAYS + 91 - 1][both].all(1)).mean()] * 2)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 12, 13])
    a = ap.parse_args()
    with open(SCENARIO, "rb") as fh:
        ppd = tomllib.load(fh)["params"]
    for label, ov in (("defaults", {}), ("postpartum_depression", ppd)):
        runs = [run(ov, a.households, s) for s in a.seeds]
        print(f"\n== {label} {ov}  ({a.households} households, seeds {a.seeds}; mean [min-max] over seeds)")
        print(f"{'statistic':28s} {'mothers':>22s} {'fathers':>22s}")
        for key in runs[0]:
            if key.startswith("_"):
                continue
            vals = np.array([r[key] for r in runs])
            cells = []
            for j in (0, 1):
                x = vals[:, j]
                fmt = "{:.1f}" if "episode" in key else ("{:.3f}" if "phi" in key else "{:.1%}")
                cells.append(f"{fmt.format(x.mean())} [{fmt.format(x.min())}-{fmt.format(x.max())}]")
            print(f"{key:28s} {cells[0]:>22s} {cells[1]:>22s}")


if __name__ == "__main__":
    main()
