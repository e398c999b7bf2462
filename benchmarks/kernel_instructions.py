"""Instructions per household-hour of the engine, counted by valgrind's cachegrind.

Timing on a shared VM is noisy; instruction counts are exact and repeatable. The script runs
the same Python process twice under ``valgrind --tool=cachegrind --branch-sim=yes``: once
stopping just before the measured part and once running it (both from the same snapshot), and
attributes the difference to the compiled loops (numba's JIT code, ``???:???``), the C library's transcendental functions
and the rest (the interpreter, numpy and numba's dispatch around the kernel; "LLVM" in it is
numba loading cached code, a one-off that lands in the difference when it falls in the
measured part). Three measured parts (``--mode``):

* ``hour``: ``--hours`` calls of the compiled hour (``Simulation.postnatal_hour``) on a frozen
  clock at postnatal day 30 (the kernel alone);
* ``hourly``: ``--days`` whole days from postnatal day 30 by 24 calls of ``Simulation.step``
  (the hourly path, with the daily processes and the Python around the kernel);
* ``day``: the same days by ``Simulation.step_day`` (the day-major block path, the default of
  ``Simulation.run`` since session 7; only where the engine has it).

    python benchmarks/kernel_instructions.py                 # 2,000 households, 20 hours (~3 min)
    python benchmarks/kernel_instructions.py --households 500 --hours 10
    python benchmarks/kernel_instructions.py --households 500 --mode day --days 1 --cache-sim
    # an older revision whose engine is the top-level package ``model`` (e.g. ac31e25):
    git worktree add --detach /tmp/wt-old ac31e25
    PYTHONPATH=/tmp/wt-old python benchmarks/kernel_instructions.py --package model --households 500 --hours 10

``--cache-sim`` adds the simulated first-level and last-level data-cache misses (D1, LL), to see
whether a change moved cost into memory stalls. ``--top N`` lists the N functions with the
largest instruction counts in the measured part. Needs ``valgrind`` (with ``cg_diff``) on the
PATH. A native run first simulates to postnatal day 30, pickles the simulation (the runs under
valgrind start from it) and compiles the kernel for ``--cpu-name`` (haswell, since valgrind
cannot run AVX-512 code; numba keys its cache on the target CPU, so both use the same cache
instead of a compile under valgrind). The counts are thus of AVX2 code, for every revision alike.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict


def child(package: str, mode: str, households: int, count: int, snapshot: str, prepare: bool) -> None:
    """The measured process: from the snapshot at postnatal day 30, two unmeasured calls, then ``count`` more.

    With ``prepare`` (run natively, not under valgrind): simulate to postnatal day 30, write the
    snapshot, and make the warm-up call, which compiles the kernel into numba's cache.
    """
    import pickle

    if prepare:
        ParamSet = importlib.import_module(f"{package}.params").ParamSet
        Simulation = importlib.import_module(f"{package}.simulation").Simulation
        PRENATAL_DAYS = importlib.import_module(f"{package}.state").PRENATAL_DAYS
        sim = Simulation(ParamSet.uniform(households), 2, 42)
        while sim.hour < 24 * (PRENATAL_DAYS + 30):
            sim.step()
        with open(snapshot, "wb") as fh:
            pickle.dump(sim, fh)
    else:
        importlib.import_module(f"{package}.simulation")
        with open(snapshot, "rb") as fh:
            sim = pickle.load(fh)
    if mode == "hour":
        call = sim.postnatal_hour  # frozen clock: the same hour again
    elif mode == "hourly":
        def call():
            for _ in range(24):
                sim.step()
    else:
        call = sim.step_day
    for _ in range(1 if prepare else 2 + count):  # the first two calls are in both runs: one-off costs
        call()                                       # (a cache load, a first day) fall outside the difference


def child_command(args, count: int, snapshot: str, prepare: bool = False) -> list[str]:
    return [sys.executable, os.path.abspath(__file__), "--child", "--package", args.package, "--mode", args.mode,
            "--households", str(args.households), "--count", str(count), "--snapshot", snapshot,
            *(["--prepare"] if prepare else [])]


def child_env(args) -> dict:
    """One thread, and one numba target for the native compile and the runs under valgrind (so they share the cache)."""
    return {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",  # no BLAS threads in the count
            "PYTHONHASHSEED": "0",  # the same dict and set layouts in both runs
            "NUMBA_CPU_NAME": args.cpu_name, "NUMBA_CPU_FEATURES": ""}


def cachegrind(args, count: int, snapshot: str, out: str) -> None:
    cmd = ["valgrind", "--tool=cachegrind", "--branch-sim=yes", f"--cache-sim={'yes' if args.cache_sim else 'no'}",
           f"--cachegrind-out-file={out}", *child_command(args, count, snapshot)]
    subprocess.run(cmd, check=True, capture_output=True, env=child_env(args))


def read_counts(path: str) -> tuple[list[str], dict[str, list[int]]]:
    """Event names and per ``file:function`` totals of a cachegrind (or cg_diff) output file."""
    events, totals = [], defaultdict(lambda: None)
    fl = fn = ""
    with open(path) as fh:
        for line in fh:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("fl="):
                fl = line[3:].strip()
            elif line.startswith("fn="):
                fn = line[3:].strip()
            elif line[:1].isdigit() or line[:1] == "-":
                vals = [int(v) for v in line.split()[1:]]
                key = f"{fl}:{fn}"
                acc = totals[key]
                if acc is None:
                    totals[key] = vals + [0] * (len(events) - len(vals))
                else:
                    for i, v in enumerate(vals):
                        acc[i] += v
    return events, dict(totals)


def summarise(base: str, meas: str, households: int, hours: int, tmp: str, top: int) -> str:
    """Per household-hour counts of ``meas`` minus ``base`` (cachegrind files)."""
    diff = os.path.join(tmp, "cg.diff")
    with open(diff, "w") as fh:
        subprocess.run(["cg_diff", base, meas], check=True, stdout=fh, stderr=subprocess.DEVNULL)
    events, rows = read_counts(diff)
    n = households * hours
    col = {e: i for i, e in enumerate(events)}
    total = [sum(v[i] for v in rows.values()) for i in range(len(events))]

    def per(vals, e):
        return vals[col[e]] / n if e in col else float("nan")

    jit = rows.get("???:???", [0] * len(events))  # numba's JIT code has no symbols
    llvm = [sum(v[i] for k, v in rows.items() if "llvm::" in k) for i in range(len(events))]
    libm = {k: v for k, v in rows.items() if re.search(r"e_(exp|log|pow)\.c|w_(exp|log|pow)_compat|"
                                                       r"(exp|log|pow)(f64|_fma|_avx2)?\.c", k)}
    libm_ir = sum(v[col["Ir"]] for v in libm.values()) / n
    rest = per(total, "Ir") - per(jit, "Ir") - libm_ir
    lines = [f"{households} households x {hours} hours = {n:,} household-hours",
             f"instructions per household-hour: {per(total, 'Ir'):,.0f} (compiled loops {per(jit, 'Ir'):,.0f}, "
             f"libm exp/log/pow {libm_ir:,.0f}, rest {rest:,.0f}, of which LLVM {per(llvm, 'Ir'):,.0f})",
             f"conditional branches per household-hour: {per(total, 'Bc'):,.0f}, "
             f"mispredicted {per(total, 'Bcm'):,.1f}"]
    if "D1mr" in col:
        reads, writes = per(total, "Dr"), per(total, "Dw")
        lines.append(f"data reads {reads:,.0f}, writes {writes:,.0f} per household-hour; "
                     f"D1 misses {per(total, 'D1mr') + per(total, 'D1mw'):,.1f} "
                     f"(compiled loops {per(jit, 'D1mr') + per(jit, 'D1mw'):,.1f}), "
                     f"LL misses {per(total, 'DLmr') + per(total, 'DLmw'):,.2f} "
                     f"(compiled loops {per(jit, 'DLmr') + per(jit, 'DLmw'):,.2f})")
    lines += [f"  {k}: {v[col['Ir']] / n:,.0f} instructions per household-hour"
              for k, v in sorted(libm.items(), key=lambda kv: -kv[1][col["Ir"]])]
    if top:
        lines.append(f"largest {top} functions (instructions per household-hour):")
        lines += [f"  {v[col['Ir']] / n:10,.1f}  {k}"
                  for k, v in sorted(rows.items(), key=lambda kv: -kv[1][col["Ir"]])[:top]]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--hours", type=int, default=20, help="measured kernel calls (--mode hour)")
    ap.add_argument("--days", type=int, default=1, help="measured days (--mode hourly or day)")
    ap.add_argument("--mode", choices=("hour", "hourly", "day"), default="hour")
    ap.add_argument("--package", default="bonding.model",
                    help="the engine's package: bonding.model, or model for revisions before the namespace")
    ap.add_argument("--cache-sim", action="store_true", help="simulate the caches (D1 and LL misses)")
    ap.add_argument("--top", type=int, default=0, help="list the N largest functions")
    ap.add_argument("--cpu-name", default="haswell",
                    help="numba's target CPU (NUMBA_CPU_NAME) for the compile and the counted runs; valgrind "
                         "does not run AVX-512 code, so the default is haswell (AVX2)")
    ap.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--snapshot", default="", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.package, a.mode, a.households, a.count, a.snapshot, a.prepare)
        return 0
    for name in ("households", "hours", "days"):
        if getattr(a, name) < 1:
            print(f"error: --{name}: {getattr(a, name)} given; allowed an integer of 1 or more", file=sys.stderr)
            return 2
    for tool in ("valgrind", "cg_diff"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found on PATH", file=sys.stderr)
            return 2
    count, hours = (a.hours, a.hours) if a.mode == "hour" else (a.days, 24 * a.days)
    with tempfile.TemporaryDirectory() as tmp:
        base, meas, snap = (os.path.join(tmp, name) for name in ("cg.0", "cg.n", "sim.pickle"))
        subprocess.run(child_command(a, 0, snap, prepare=True), check=True, env=child_env(a))  # natively
        cachegrind(a, 0, snap, base)
        cachegrind(a, count, snap, meas)
        print(f"mode {a.mode}, package {a.package}")
        print(summarise(base, meas, a.households, hours, tmp, a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
