"""Time each compiled process of the postnatal hour in a real day's sequence (not in isolation).

Timing one compiled loop called 50 times on the same hour flatters it (the same random draws, a
warm cache); this runs whole simulated days and times every process as it comes. The processes
and their order are read from the source of :func:`model.kernel.postnatal_hour`, whose body is
executed in Python with each process wrapped in a timer, so the script follows the kernel.

    python benchmarks/process_timing.py                  # 10,000 households, 5 days from day 30
    python benchmarks/process_timing.py --households 2000 --days 3 --skip 90
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import textwrap
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bonding.model import kernel as kn  # noqa: E402
from bonding.model.params import ParamSet  # noqa: E402
from bonding.model.simulation import Simulation  # noqa: E402
from bonding.model.state import PRENATAL_DAYS  # noqa: E402


def timed_hour(totals: dict[str, float]):
    """A Python stand-in for ``kernel.postnatal_hour`` that times each process it calls."""
    src = textwrap.dedent(inspect.getsource(kn.postnatal_hour.py_func))
    body = src.split('"""', 2)[2]  # after the docstring
    names = sorted({n for n in vars(kn) if n.startswith("_") and callable(getattr(kn, n)) and f"{n}(" in body})

    def wrap(name):
        f = getattr(kn, name)

        def run(*a):
            t = time.perf_counter()
            out = f(*a)
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - t
            return out
        return run

    namespace = {n: wrap(n) for n in names}
    args = list(inspect.signature(kn.postnatal_hour.py_func).parameters)
    exec(f"def hour({', '.join(args)}):\n" + textwrap.indent(textwrap.dedent(body), "    "), namespace)
    return namespace["hour"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=5, help="postnatal days timed")
    ap.add_argument("--skip", type=int, default=30, help="postnatal days simulated before timing")
    a = ap.parse_args(argv)
    for flag, v in (("--households", a.households), ("--days", a.days)):
        if v < 1:
            print(f"error: {flag} {v}: allowed 1 or more", file=sys.stderr)
            return 2
    sim = Simulation(ParamSet.uniform(a.households), (a.skip + a.days + 1) / 30.4375, 42)
    while sim.hour < 24 * (PRENATAL_DAYS + a.skip):
        sim.step()
    totals: dict[str, float] = {}
    compiled = kn.postnatal_hour
    kn.postnatal_hour = timed_hour(totals)
    try:
        for _ in range(24):  # one day to settle, not timed
            sim.step()
        totals.clear()
        t = time.perf_counter()
        for _ in range(24 * a.days):
            sim.step()
        day_ms = (time.perf_counter() - t) / a.days * 1e3
    finally:
        kn.postnatal_hour = compiled
    hour_ms = {k: v / (24 * a.days) * 1e3 for k, v in totals.items()}
    print(f"{a.households:,} households, postnatal days {a.skip}-{a.skip + a.days}: {day_ms:.1f} ms per day, "
          f"of which processes {sum(hour_ms.values()) * 24:.1f} ms")
    for k, v in hour_ms.items():
        print(f"  {k:24s} {v:7.3f} ms/hour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
