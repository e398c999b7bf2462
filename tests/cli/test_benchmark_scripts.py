"""The benchmark helpers' arithmetic and their bad-input contract (nothing here is timed)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ab_summary_is_the_median_of_per_round_ratios():
    ab = _load("ab_compare")
    a = [{"cpu_ms_per_day": x} for x in (100.0, 120.0, 80.0)]
    b = [{"cpu_ms_per_day": x} for x in (90.0, 114.0, 80.0)]
    s = ab.summarise(a, b)
    assert s["median_a"] == 100.0 and s["median_b"] == 90.0
    assert s["ratios"] == pytest.approx([0.9, 0.95, 1.0])
    assert s["median_ratio_b_over_a"] == pytest.approx(0.95)


@pytest.mark.parametrize("argv, message", [
    (["HEAD", "HEAD", "--rounds", "0"], "--rounds 0: allowed 1 or more"),
    (["HEAD", "HEAD", "--days", "0"], "--days 0: allowed 1 or more"),
    (["no-such-revision", "HEAD"], "revision 'no-such-revision': not a commit"),
])
def test_ab_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    ab = _load("ab_compare")
    assert ab.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_bench_median_run_picks_the_middle_postnatal_cost():
    bench = _load("bench_engine")
    runs = [{"postnatal_cpu_s": s, "postnatal_days_run": 10, "tag": t} for s, t in ((3.0, "slow"), (1.0, "fast"), (2.0, "mid"))]
    assert bench.median_run(runs)["tag"] == "mid"
    assert bench.median_run(runs[:2])["tag"] == "fast"  # even count: the lower middle


@pytest.mark.parametrize("rev", ["HEAD", "ac31e25"])  # the bonding namespace, and a revision before it
def test_ab_times_the_exported_engine_not_the_installed_one(rev, tmp_path):
    ab = _load("ab_compare")
    if subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ab.REPO,
                      capture_output=True).returncode != 0:
        pytest.skip(f"{rev} not in this clone's history")
    tree = ab.export_revision(rev, tmp_path)
    out = subprocess.run([sys.executable, "-c", ab.IMPORT_ENGINE + "print(engine)"], cwd=tree, check=True,
                         env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    assert out.stdout.strip() == str((tree / "model" / "simulation.py").resolve())


def test_kernel_instructions_sums_each_function_over_its_lines(tmp_path):
    ki = _load("kernel_instructions")
    out = tmp_path / "cg.out"
    out.write_text("events: Ir Bc Bcm\nfl=???\nfn=???\n0 10 2 1\n0 5\nfl=e_exp.c\nfn=__ieee754_exp_fma\n3 7 1 0\n"
                   "fn=other\n4 -2 0 0\n")
    events, rows = ki.read_counts(str(out))
    assert events == ["Ir", "Bc", "Bcm"]
    assert rows == {"???:???": [15, 2, 1], "e_exp.c:__ieee754_exp_fma": [7, 1, 0], "e_exp.c:other": [-2, 0, 0]}


def test_kernel_instructions_bad_counts_are_one_line_and_exit_2(capsys):
    ki = _load("kernel_instructions")
    assert ki.main(["--households", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--households: 0 given" in err and "\n" not in err
