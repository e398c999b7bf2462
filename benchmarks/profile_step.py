"""Profile the hourly engine after birth: the top cProfile entries for a few simulated days.

    python benchmarks/profile_step.py                      # 10,000 households, 3 days, top 20 by tottime
    python benchmarks/profile_step.py --sort cumulative --top 30 --days 1 --households 2000
    python benchmarks/profile_step.py --save benchmarks/out/step.prof   # for snakeviz / pstats

The pregnancy phase (from gestational week 10 to birth) is run first without profiling, then
``--skip`` further postnatal days (default 0), then ``--days`` days (24 ``step()`` calls each) are
profiled. Single-threaded BLAS and one pinned CPU, like benchmarks/bench_engine.py.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="cProfile of Simulation.step() after birth")
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=3, help="postnatal days to profile")
    ap.add_argument("--skip", type=int, default=0, help="postnatal days to run before profiling")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--sort", default="tottime", choices=("tottime", "cumulative", "ncalls", "time"))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: last allowed)")
    ap.add_argument("--save", help="also write the raw profile to this file")
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})

    from bonding.model import ParamSet, Simulation
    from bonding.model.state import PRENATAL_DAYS

    months = (args.skip + args.days + 1) / 30.4375
    t = time.perf_counter()
    sim = Simulation(ParamSet.uniform(args.households), months, args.seed)
    for _ in range(24 * (PRENATAL_DAYS + args.skip)):
        sim.step()
    print(f"setup: {args.households:,} households to postnatal day {args.skip} in "
          f"{time.perf_counter() - t:.1f} s", file=sys.stderr)

    prof = cProfile.Profile()
    w, c = time.perf_counter(), time.process_time()
    prof.enable()
    for _ in range(24 * args.days):
        sim.step()
    prof.disable()
    w, c = time.perf_counter() - w, time.process_time() - c
    print(f"profiled {args.days} postnatal day(s) = {24 * args.days} step() calls: {w:.2f} s wall, {c:.2f} s CPU "
          f"(under the profiler; {w / args.days:.3f} s/day, "
          f"{args.households * args.days / w:,.0f} household-days/s with profiling overhead)")
    s = io.StringIO()
    st = pstats.Stats(prof, stream=s).strip_dirs().sort_stats(args.sort)
    st.print_stats(args.top)
    print(s.getvalue())
    if args.save:
        Path(args.save).parent.mkdir(parents=True, exist_ok=True)
        prof.dump_stats(args.save)
        print(f"wrote {args.save}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
