"""Hourly path vs day-major block path in one process, interleaved, and the cost of exp/log here.

    python benchmarks/day_blocks.py                       # 300, 1,000 and 10,000 households
    python benchmarks/day_blocks.py --households 10000 --rounds 7 --blocks 512 1024 2048
    python benchmarks/day_blocks.py --households 10000 --blocks 512 --threads 2   # also 1 vs 2 threads (wall)

For each population size, each round times ``--days`` postnatal days on the hourly path (24
``Simulation.step`` calls a day) and then on the block path (``Simulation.step_day``, one
compiled call a day) for each block size, CPU time of this process, from the same state
(a copy of one simulation at postnatal day ``--skip``). Both paths give identical results
(tests/model/test_day_blocks.py); only the time differs. Printed: ns per household-hour of the
whole postnatal day (kernel, daily processes and Python), median and range over rounds, and the
per-round ratio block/hourly.

``--exp-log`` also times numpy's whole-array ``exp``/``log`` and numba's scalar calls in a
compiled loop (ns per element), to check whether numpy's are SIMD on this CPU.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time

import numpy as np


def _postnatal_sim(households: int, skip: int, days: int):
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation
    from bonding.model.state import PRENATAL_DAYS

    sim = Simulation(ParamSet.uniform(households), (skip + days + 2) / 30.4375, 42)
    while sim.day < PRENATAL_DAYS + skip:
        sim.step_day()
    return sim


def _time_days(sim, days: int, hourly: bool, block: int | None) -> float:
    """CPU seconds for ``days`` days of a copy of ``sim``."""
    s = copy.deepcopy(sim)
    if block is not None:
        s.block_starts = np.append(np.arange(0, s.H, block), s.H).astype(np.int64)
    c = time.process_time()
    for _ in range(days):
        if hourly:
            for _ in range(24):
                s.step()
        else:
            s.step_day()
    return time.process_time() - c


def compare_paths(households: int, rounds: int, skip: int, days: int, blocks: list[int]) -> None:
    sim = _postnatal_sim(households, skip, days)
    _time_days(sim, 1, True, None)
    _time_days(sim, 1, False, blocks[0])  # warm both paths
    hourly, by_block = [], {b: [] for b in blocks}
    for _ in range(rounds):
        hourly.append(_time_days(sim, days, True, None))
        for b in blocks:
            by_block[b].append(_time_days(sim, days, False, b))
    per = 1e9 / (days * 24 * households)
    h_ns = [t * per for t in hourly]
    print(f"{households} households, {days} days x {rounds} rounds: hourly path "
          f"{statistics.median(h_ns):.0f} ns/household-hour ({min(h_ns):.0f}-{max(h_ns):.0f}), "
          f"{households * days / statistics.median(hourly):,.0f} household-days/s")
    for b in blocks:
        ns = [t * per for t in by_block[b]]
        ratios = [x / y for x, y in zip(hourly, by_block[b], strict=True)]
        print(f"  block {b}: {statistics.median(ns):.0f} ns/household-hour ({min(ns):.0f}-{max(ns):.0f}), "
              f"{households * days / statistics.median(by_block[b]):,.0f} household-days/s; "
              f"speed-up hourly/block per round median {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f})", flush=True)


def compare_threads(households: int, rounds: int, skip: int, days: int, threads: int) -> None:
    """Wall time of the block path with 1 and with ``threads`` threads, interleaved."""
    sim = _postnatal_sim(households, skip, days)
    walls = {1: [], threads: []}
    for n in (1, threads):  # warm
        s = copy.deepcopy(sim)
        s.threads = n
        s.step_day()
    for _ in range(rounds):
        for n in (1, threads):
            s = copy.deepcopy(sim)
            s.threads = n
            w = time.perf_counter()
            for _ in range(days):
                s.step_day()
            walls[n].append(time.perf_counter() - w)
    ratios = [a / b for a, b in zip(walls[1], walls[threads], strict=True)]
    print(f"{households} households, block path, wall: 1 thread {households * days / statistics.median(walls[1]):,.0f} "
          f"household-days/s, {threads} threads {households * days / statistics.median(walls[threads]):,.0f}; "
          f"speed-up per round median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})", flush=True)


def exp_log_costs(n: int = 1_000_000, repeat: int = 20) -> None:
    import numba

    @numba.njit
    def scalar_exp(x, out):
        for i in range(x.size):
            out[i] = np.exp(x[i])

    @numba.njit
    def scalar_log(x, out):
        for i in range(x.size):
            out[i] = np.log(x[i])

    x = np.random.default_rng(0).uniform(0.1, 3.0, n)
    out = np.empty_like(x)
    scalar_exp(x, out)
    scalar_log(x, out)
    for name, fn in (("numpy exp", lambda: np.exp(x, out=out)), ("numpy log", lambda: np.log(x, out=out)),
                     ("numba scalar exp", lambda: scalar_exp(x, out)), ("numba scalar log", lambda: scalar_log(x, out))):
        ts = []
        for _ in range(repeat):
            c = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - c)
        print(f"{name}: {statistics.median(ts) / n * 1e9:.2f} ns/element (min {min(ts) / n * 1e9:.2f})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, nargs="+", default=[300, 1000, 10_000])
    ap.add_argument("--blocks", type=int, nargs="+", default=[1024])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--skip", type=int, default=10, help="postnatal days before timing")
    ap.add_argument("--days", type=int, default=3, help="postnatal days per timing")
    ap.add_argument("--threads", type=int, default=1,
                    help="also compare the block path's wall time with 1 and with this many threads")
    ap.add_argument("--exp-log", action="store_true", help="also time exp/log (numpy vs numba scalar)")
    args = ap.parse_args(argv)
    for flag, values in (("--households", args.households), ("--blocks", args.blocks),
                         ("--rounds", [args.rounds]), ("--days", [args.days])):
        if min(values) < 1:
            print(f"error: {flag} {min(values)}: allowed 1 or more", file=sys.stderr)
            return 2
    if args.skip < 0:
        print(f"error: --skip {args.skip}: allowed 0 or more", file=sys.stderr)
        return 2
    for h in args.households:
        compare_paths(h, args.rounds, args.skip, args.days, args.blocks)
        if args.threads > 1:
            compare_threads(h, args.rounds, args.skip, args.days, args.threads)
    if args.exp_log:
        exp_log_costs()
    return 0


if __name__ == "__main__":
    sys.exit(main())
