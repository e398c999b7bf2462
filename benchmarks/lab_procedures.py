"""Time each virtual-lab procedure a calibration evaluation calls, on one baseline population.

A calibration evaluation runs registry studies (``experiments.lab.studies.simulate``): at each
visit one procedure of ``ALL_PROCEDURES`` and :func:`experiments.lab.procedures.cortisol_time_course`;
the depression studies observe ``depressed`` through the lab's screen
(``experiments.lab.measures.DepressionScreen``). This builds one baseline population of
``--households`` households at ``--months`` months and times every call on it (the procedures
read the simulation and never write to it, so they can be repeated): median and minimum of
``--repeats`` calls after one untimed call (numba compilation), each with the same seed, and
the median CPU time of the process (``process_time``), which is what a call costs when the
machine is shared. The
Strange Situation is also split into its three steps (inputs, the procedure's second loop, the coder)
and its random draws are timed alone.

    nice -n 10 python benchmarks/lab_procedures.py                     # 500 households, 12 months
    nice -n 10 python benchmarks/lab_procedures.py --repeats 9 --profile ssp
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from bonding.experiments.lab import coding, measures, procedures, ssp  # noqa: E402
from bonding.experiments.lab.stress import STRESS_PROCEDURES  # noqa: E402
from bonding.model.params import ParamSet  # noqa: E402
from bonding.model.simulation import Simulation  # noqa: E402

PROCEDURES = ("snapshot", "outcomes", "play15", "inoculation", "ssp")


def calls(sim) -> dict:
    """Name -> function of a seed, each one procedure call (or step) on ``sim``."""
    rng = lambda s: np.random.default_rng(s)  # noqa: E731
    every = {**procedures.PROCEDURES, **STRESS_PROCEDURES}
    out = {name: (lambda s, f=every[name]: f(sim, rng(s))) for name in PROCEDURES}
    d = ssp.dyad_inputs(sim)
    res = ssp.run_procedure(d, rng(0))
    before = sim.cg.cortisol.copy()
    out.update({
        "cortisol_time_course": lambda s: procedures.cortisol_time_course(sim, before),
        "screen": lambda s: measures.DepressionScreen(sim.H * 4, rng(s)).measure(sim.cg.depressed[:, 0]),
        "ssp: dyad_inputs": lambda s: ssp.dyad_inputs(sim),
        "ssp: run_procedure": lambda s: ssp.run_procedure(d, rng(s)),
        "ssp: its draws only": lambda s: draws(len(d["household"]), rng(s)),
        "ssp: code_procedure": lambda s: coding.code_procedure(res),
    })
    return out


def draws(n: int, rng: np.random.Generator) -> None:
    """The Strange Situation's random draws alone (the floor of ``run_procedure``), if the branch has ``episode_draws``."""
    for episode in ssp.EPISODES:
        if hasattr(ssp, "episode_draws"):
            ssp.episode_draws(rng, episode[1], n)
        else:  # the Python loop before the second loop was compiled
            for _ in range(episode[1]):
                rng.random((9, n))
                rng.standard_normal(n)


def time_call(fn, repeats: int) -> tuple[float, float, float]:
    """(median wall, minimum wall, median CPU) seconds of ``repeats`` calls of ``fn(seed)`` after an untimed one.

    CPU time (``process_time``) is what a call costs with a core to itself when others share it.
    """
    fn(0)
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn(1)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.min(wall)), float(np.median(cpu))


def revision() -> str:
    """The git revision of the code being timed (the folder the ``bonding`` package comes from)."""
    here = Path(ssp.__file__).resolve().parents[2]
    try:
        return subprocess.run(["git", "-C", str(here), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip() + f" ({here})"
    except (OSError, subprocess.CalledProcessError):
        return str(here)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=500)
    ap.add_argument("--months", type=float, default=12.0, help="age of the population's infants at the visit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--profile", metavar="NAME", help="also print cProfile's top 15 functions of one call of NAME")
    a = ap.parse_args(argv)
    for flag, v, lo in (("--households", a.households, 1), ("--repeats", a.repeats, 1), ("--months", a.months, 0.05)):
        if v < lo:
            print(f"error: {flag} {v}: allowed {lo} or more", file=sys.stderr)
            return 2
    t = time.perf_counter()
    sim = Simulation(ParamSet.uniform(a.households), a.months, a.seed).run()
    print(f"code {revision()}; {a.households} households at {a.months:g} months (seed {a.seed}), "
          f"{int(sim.cg.exists.sum())} dyads; population built in {time.perf_counter() - t:.1f} s")
    table = calls(sim)
    if a.profile is not None and a.profile not in table:
        print(f"error: --profile {a.profile!r}: allowed {', '.join(table)}", file=sys.stderr)
        return 2
    print(f"{'call':24s} {'median ms':>10s} {'min ms':>10s} {'CPU ms':>10s}   ({a.repeats} calls; wall, wall, CPU median)")
    for name, fn in table.items():
        med, lo, cpu = time_call(fn, a.repeats)
        print(f"{name:24s} {med * 1e3:10.1f} {lo * 1e3:10.1f} {cpu * 1e3:10.1f}")
    if a.profile:
        prof = cProfile.Profile()
        prof.runcall(table[a.profile], 1)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
