"""SIGKILL at random points of run, compare, sensitivity, calibrate and validate, then rerun:
the resumed folder must hold byte-identical results to an uninterrupted run.

Each command runs as the real program (``python -m bonding.experiments.cli``) on a tiny problem: once
uninterrupted (the reference, which also gives how long its work lasts once the manifest
appears), then in a second folder killed with SIGKILL a delay after its manifest appears, the
delay drawn (seeded) from that span, as many times as ``KILLS``, and finally run to the end. Wherever the kill lands (before the first file, mid-write, between
chunks, during the report), the final files must equal the reference byte for byte. Files
that record wall times or machine state (manifests, figures, pyabc's SQLite history, per-study
JSON with timings) are not compared; every result table is.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = 2  # kill points per command (each a seeded random moment of the run)
COMMANDS = {
    "run": (["run", "--households", "20", "--months", "0.3", "--seed", "3"],
            ["outcomes.parquet", "timeseries.parquet"]),
    "compare": (["compare", "baseline", "paternal_leave", "--replicates", "2", "--households", "15", "--months", "0.3",
                 "--seed", "3", "--workers", "1", "--no-figures"],
                ["runs.parquet", "timeseries.parquet", "comparison.csv", "comparison.md", "chunks/*.parquet",
                 "chunks/*.summary.json"]),
    "sensitivity": (["sensitivity", "--method", "morris", "--params", "poverty_stress,ot_stress_buffering", "--n", "2",
                     "--households-per-point", "4", "--months", "0.3", "--chunk-points", "2", "--noise-replicates", "2",
                     "--resamples", "20", "--seed", "3", "--no-figures"],
                    ["design.parquet", "outputs.parquet", "noise.parquet", "indices.parquet", "indices.csv",
                     "chunks/*.parquet"]),
    "calibrate": (["calibrate", "--population", "2", "--generations", "2", "--households", "10", "--ppc-draws", "1",
                   "--seed", "3"],
                  ["posterior.parquet", "posterior_summary.csv", "predictive.parquet", "fit.parquet", "fit.md"]),
    "validate": (["validate", "--studies", "M2,M4", "--replicates", "2", "--households", "10", "--seed", "3"],
                 ["validation.parquet", "validation.csv", "validation.md"]),
}


def _cmd(argv: list[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "bonding.experiments.cli", *argv, "--out", str(out), "--quiet"]


def _start(argv, out, cwd) -> subprocess.Popen:
    return subprocess.Popen(_cmd(argv, out), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _wait_for_manifest(proc, out: Path) -> float:
    """Seconds until ``out/manifest.json`` exists (the work has started) or the process ended."""
    start = time.perf_counter()
    while not (out / "manifest.json").exists() and proc.poll() is None:
        time.sleep(0.02)
    return time.perf_counter() - start


def _run(argv, out, cwd) -> float:
    """Run to the end; returns the seconds of work after the manifest appeared."""
    proc = _start(argv, out, cwd)
    _wait_for_manifest(proc, out)
    start = time.perf_counter()
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return time.perf_counter() - start


def _kill_after(argv, out, cwd, delay: float) -> None:
    proc = _start(argv, out, cwd)
    _wait_for_manifest(proc, out)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the command and any worker it started
        proc.wait()
    proc.stderr.close()


def _files(folder: Path, patterns: list[str]) -> dict[str, bytes]:
    found = {}
    for pattern in patterns:
        for p in sorted(folder.glob(pattern)):
            found[str(p.relative_to(folder))] = p.read_bytes()
    return found


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_sigkill_at_random_points_then_rerun_gives_identical_files(command, tmp_path):
    argv, patterns = COMMANDS[command]
    reference = tmp_path / "reference"
    duration = _run(argv, reference, tmp_path)
    want = _files(reference, patterns)
    assert want and all(want.values()), "the reference run wrote no result files"
    out = tmp_path / "killed"
    rng = random.Random(f"{command}-kill-points")
    for _ in range(KILLS):
        _kill_after(argv, out, tmp_path, rng.uniform(0.0, 0.9) * duration)
    _run(argv, out, tmp_path)
    got = _files(out, patterns)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs after kill and resume"
    assert not list(out.rglob(".*.tmp")), "temporary files left behind"
