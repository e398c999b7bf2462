"""Instructions per household-hour of the compiled hour, counted by valgrind's cachegrind.

Timing on a shared VM is noisy; instruction counts are exact and repeatable. The script runs
the same Python process twice under ``valgrind --tool=cachegrind --branch-sim=yes``: once
stopping just before the measured kernel calls and once making ``--hours`` of them, and
attributes the difference to the compiled loops (JIT code shows as ``???``) and to the C
library's transcendental functions.

    python benchmarks/kernel_instructions.py                 # 2,000 households, 20 hours (~3 min)
    python benchmarks/kernel_instructions.py --households 500 --hours 10

Needs ``valgrind`` (with ``cg_diff`` and ``cg_annotate``) on the PATH. The first run under
valgrind may recompile the kernel (numba keys its cache on the CPU valgrind reports); the
script warms that up with an unmeasured run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def child(households: int, hours: int) -> None:
    """Run to postnatal day 30, then ``hours`` kernel calls on a frozen clock (the measured part)."""
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation
    from bonding.model.state import PRENATAL_DAYS

    sim = Simulation(ParamSet.uniform(households), 2, 42)
    while sim.hour < 24 * (PRENATAL_DAYS + 30):
        sim.step()
    sim.postnatal_hour()  # compile/load outside the measured difference
    for _ in range(hours):
        sim.postnatal_hour()


def cachegrind(households: int, hours: int, out: str) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # no BLAS threads in the count
    cmd = ["valgrind", "--tool=cachegrind", "--branch-sim=yes", "--cache-sim=no", f"--cachegrind-out-file={out}",
           sys.executable, __file__, "--child", "--households", str(households), "--hours", str(hours)]
    subprocess.run(cmd, check=True, capture_output=True, env=env)


def function_totals(annotated: str) -> dict[str, list[int]]:
    """Ir, Bc, Bcm per file:function from ``cg_annotate`` output of a diff."""
    rows = {}
    for line in annotated.splitlines():
        m = re.match(r"^\s*(-?[\d,]+) \([^)]*\)\s+(-?[\d,]+) \([^)]*\)\s+(-?[\d,]+) \([^)]*\).*?\s(\S+:\S+|PROGRAM TOTALS)\s*$",
                     line)
        if m:
            rows[m.group(4)] = [int(m.group(i).replace(",", "")) for i in (1, 2, 3)]
    return rows


def summarise(base: str, meas: str, households: int, hours: int, tmp: str) -> str:
    """Per household-hour instructions and branches of ``meas`` minus ``base`` (cachegrind files)."""
    diff = os.path.join(tmp, "cg.diff")
    with open(diff, "w") as fh:
        subprocess.run(["cg_diff", base, meas], check=True, stdout=fh, stderr=subprocess.DEVNULL)
    ann = subprocess.run(["cg_annotate", diff], check=True, capture_output=True, text=True).stdout
    rows = function_totals(ann)
    n = households * hours
    total = next(v for k, v in rows.items() if k.startswith("PROGRAM"))
    jit = rows.get("???:???", [0, 0, 0])
    libm = {k: v for k, v in rows.items() if re.search(r"e_(exp|log|pow)\.c|w_(exp|log|pow)_compat", k)}
    lines = [f"{households} households x {hours} hours = {n:,} household-hours",
             f"instructions per household-hour: {total[0] / n:,.0f} (compiled loops {jit[0] / n:,.0f}, "
             f"libm exp/log/pow {sum(v[0] for v in libm.values()) / n:,.0f})",
             f"conditional branches per household-hour: {total[1] / n:,.0f}, mispredicted {total[2] / n:,.1f}"]
    lines += [f"  {k}: {v[0] / n:,.0f} instructions per household-hour"
              for k, v in sorted(libm.items(), key=lambda kv: -kv[1][0])]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=2000)
    ap.add_argument("--hours", type=int, default=20)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.households, a.hours)
        return 0
    for tool in ("valgrind", "cg_diff", "cg_annotate"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found on PATH", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        base, meas = os.path.join(tmp, "cg.0"), os.path.join(tmp, "cg.n")
        cachegrind(a.households, 0, base)  # warm-up: valgrind may trigger a recompile
        cachegrind(a.households, 0, base)
        cachegrind(a.households, a.hours, meas)
        print(summarise(base, meas, a.households, a.hours, tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
