"""Interleaved A/B timing of two versions of the engine: the reliable way to compare speed here.

On a shared machine a single run can be 25% off (see benchmarks/README.md), so two versions are
timed in alternation: each round runs version A then version B, each in a fresh process pinned to
one CPU, with its own numba cache, over the same simulated postnatal days. Interference slows both
sides of a round alike, so the per-round ratio and the medians are what to read.

    python benchmarks/ab_compare.py HEAD~3 HEAD                 # two git revisions of this repository
    python benchmarks/ab_compare.py HEAD~1 HEAD --rounds 6 --households 2000 --cpu 0

Each revision's ``model/`` is exported with ``git archive`` into a temporary folder; the timing
itself (one warm-up day, then ``--days`` postnatal days from day ``--skip``) runs there. A version
with ``Simulation.step_day`` (the day-major block path) is stepped a day at a time, an older one
24 hours at a time; ``--hourly`` steps both hour by hour.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# how each timed process imports the engine of the exported tree it runs in (``engine``: its file)
IMPORT_ENGINE = r"""
import importlib, json, os, sys, time
PKG = "bonding.model" if os.path.isdir("bonding") else "model"  # the namespace, or a revision before it
ParamSet = importlib.import_module(PKG + ".params").ParamSet
Simulation = importlib.import_module(PKG + ".simulation").Simulation
PRENATAL_DAYS = importlib.import_module(PKG + ".state").PRENATAL_DAYS
engine = os.path.realpath(sys.modules[Simulation.__module__].__file__)
if not engine.startswith(os.path.realpath(os.getcwd()) + os.sep):  # never time an installed copy instead
    sys.exit(f"engine imported from {engine}, not from the exported tree {os.getcwd()}")
"""

# what each timed process runs, inside the exported tree of one version
TIMER = IMPORT_ENGINE + r"""
households, skip, days, hourly = (int(x) for x in sys.argv[1:5])
sim = Simulation(ParamSet.uniform(households), (skip + days + 2) / 30.4375, 42)
by_day = getattr(sim, "step_day", None) if not hourly else None  # the day-major path where the version has it
def one_day():
    if by_day is not None:
        by_day()
    else:
        for _ in range(24):
            sim.step()
while sim.hour < 24 * (PRENATAL_DAYS + skip + 1):  # + 1: a warm-up day, not timed
    one_day()
t, c = time.perf_counter(), time.process_time()
for _ in range(days):
    one_day()
print(json.dumps({"wall_ms_per_day": (time.perf_counter() - t) / days * 1e3,
                  "cpu_ms_per_day": (time.process_time() - c) / days * 1e3}))
"""


def export_revision(rev: str, into: Path) -> Path:
    """Write ``model/`` of git revision ``rev`` into ``into``; raise ValueError for an unknown revision.

    A revision whose engine imports itself as ``bonding.model`` (the namespace of 89804de on) also
    gets ``bonding/model``, a link to ``model/``, so that the timed process imports the exported
    engine and not the one installed in the running environment (which shadowed it until this
    was added: both sides of an A/B then timed the installed engine).
    """
    commit = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=REPO,
                            capture_output=True, text=True)
    if commit.returncode != 0:
        raise ValueError(f"revision {rev!r}: not a commit of {REPO}")
    archive = into / "model.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "archive", commit.stdout.strip(), "model"], cwd=REPO, stdout=f, check=True)
    with tarfile.open(archive) as t:
        t.extractall(into, filter="data")
    archive.unlink()
    if "from bonding.model" in (into / "model" / "simulation.py").read_text():
        (into / "bonding").mkdir(exist_ok=True)
        (into / "bonding" / "__init__.py").write_text("")
        (into / "bonding" / "model").symlink_to(Path("..") / "model", target_is_directory=True)
    return into


def time_once(tree: Path, cache: Path, cpu: int, households: int, skip: int, days: int, hourly: bool = False) -> dict:
    """One fresh, pinned process timing ``days`` postnatal days with the engine in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(cache), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cmd = ["taskset", "-c", str(cpu)] if _has_taskset() else []
    out = subprocess.run([*cmd, sys.executable, "-c", TIMER, str(households), str(skip), str(days), str(int(hourly))],
                         cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def summarise(a: list[dict], b: list[dict], key: str = "cpu_ms_per_day") -> dict:
    """Medians of each side and the median of the per-round ratios B/A (below 1: B is faster)."""
    ratios = [y[key] / x[key] for x, y in zip(a, b, strict=True)]
    return {"median_a": statistics.median(r[key] for r in a), "median_b": statistics.median(r[key] for r in b),
            "median_ratio_b_over_a": statistics.median(ratios), "ratios": ratios}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", help="git revision A (the reference)")
    ap.add_argument("b", help="git revision B")
    ap.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--skip", type=int, default=30, help="postnatal days simulated before timing")
    ap.add_argument("--days", type=int, default=5, help="postnatal days timed per run")
    ap.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last allowed)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="folder that keeps each revision's exported tree and numba cache (by commit), so that "
                         "later comparisons with the same revisions skip the export and the compile")
    ap.add_argument("--hourly", action="store_true",
                    help="step both versions hour by hour (default: whole days by Simulation.step_day where a "
                         "version has it, i.e. the day-major block path, else 24 hourly steps)")
    args = ap.parse_args(argv)
    for flag, value, low in (("--rounds", args.rounds, 1), ("--households", args.households, 1),
                             ("--days", args.days, 1), ("--skip", args.skip, 0)):
        if value < low:
            print(f"error: {flag} {value}: allowed {low} or more", file=sys.stderr)
            return 2
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    if cpu not in os.sched_getaffinity(0):
        print(f"error: --cpu {cpu}: allowed {sorted(os.sched_getaffinity(0))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bonding-ab-") as tmp:
        trees, caches = {}, {}
        for side, rev in (("A", args.a), ("B", args.b)):
            root = Path(tmp) / side
            if args.keep is not None:  # one folder per commit, reused by later runs
                commit = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=REPO,
                                        capture_output=True, text=True).stdout.strip()
                if not commit:
                    print(f"error: revision {rev!r}: not a commit of {REPO}", file=sys.stderr)
                    return 2
                root = args.keep / commit
            caches[side] = root.with_name(root.name + "-cache") if args.keep is not None else Path(tmp) / f"cache-{side}"
            try:
                if not (root / "model").is_dir():
                    root.mkdir(parents=True, exist_ok=True)
                    export_revision(rev, root)
                trees[side] = root
            except ValueError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
        runs: dict[str, list[dict]] = {"A": [], "B": []}
        for side in ("A", "B"):  # compile (or load) once per side, outside the timing
            time_once(trees[side], caches[side], cpu, 50, 0, 1)
        for i in range(args.rounds):
            for side in ("A", "B"):
                r = time_once(trees[side], caches[side], cpu, args.households, args.skip, args.days, args.hourly)
                runs[side].append(r)
                print(f"round {i + 1} {side}: {r['cpu_ms_per_day']:.1f} ms CPU per postnatal day "
                      f"({r['wall_ms_per_day']:.1f} wall)", flush=True)
    s = summarise(runs["A"], runs["B"])
    print(f"A = {args.a}: median {s['median_a']:.1f} ms/day; B = {args.b}: median {s['median_b']:.1f} ms/day; "
          f"B/A per round: median {s['median_ratio_b_over_a']:.3f} "
          f"(range {min(s['ratios']):.3f}-{max(s['ratios']):.3f}; below 1 means B is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
