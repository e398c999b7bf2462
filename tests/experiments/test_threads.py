"""--threads and --workers: the one rule that they never oversubscribe the cores
(experiments.cliutil.plan_parallel), and that no result depends on either (issue 13).

The day-major path shares a day's household blocks among threads; the small populations of
tests fit in one 512-household block, so the identity tests shrink the default block
(the ``small_blocks`` fixture of tests/conftest.py) to make two threads really split the day.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from bonding.experiments.cli import build_parser, main
from bonding.experiments.cliutil import available_cores, plan_parallel
from bonding.model.params import ParameterError, ParamSet
from bonding.model.simulation import Simulation

TWO_CORES = pytest.mark.skipif(available_cores() < 2, reason="two threads need two cores")


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize("workers, threads, cores, want", [
    (None, None, 8, (8, 1)),   # neither: every core a worker
    (2, None, 8, (2, 4)),      # workers alone: cores // workers threads each
    (3, None, 8, (3, 2)),
    (16, None, 8, (16, 1)),    # more workers than cores (allowed as before): one thread each
    (None, 4, 8, (2, 4)),      # threads alone: cores // threads workers
    (None, 8, 8, (1, 8)),
    (2, 4, 8, (2, 4)),         # both, within the cores
    (1, 1, 1, (1, 1)),
])
def test_workers_times_threads_never_exceed_the_cores(workers, threads, cores, want):
    got = plan_parallel(workers, threads, cores)
    assert got == want
    if workers is None or threads is None:
        assert got[0] * got[1] <= max(cores, got[0])


@pytest.mark.parametrize("workers, threads, cores, match", [
    (2, 2, 2, "--workers/--threads: 2 x 2 = 4 would oversubscribe the 2 cores"),
    (3, 3, 8, "--workers/--threads: 3 x 3 = 9"),
    (None, 3, 2, "--threads: 3 given; allowed 1 to 2"),
])
def test_an_oversubscribing_combination_is_refused_in_one_line(workers, threads, cores, match):
    with pytest.raises(ParameterError, match=match) as err:
        plan_parallel(workers, threads, cores)
    assert "\n" not in str(err.value)


def test_a_command_without_workers_gets_every_core_as_threads():
    assert plan_parallel(None, None, 6, has_workers=False) == (1, 6)
    assert plan_parallel(5, 2, 6, has_workers=False) == (1, 2)  # workers ignored
    assert plan_parallel(None, None, has_workers=False) == (1, available_cores())


def _subcommand(name: str):
    """The real parser of subcommand ``name`` (argparse keeps subparsers in its one subparsers action)."""
    return build_parser()._subparsers._group_actions[0].choices[name]


@pytest.mark.parametrize("command", ["run", "study", "power", "validate", "compare", "sensitivity"])
def test_every_engine_command_has_threads_and_it_defaults_to_the_rule(command):
    sub = _subcommand(command)
    action = next(a for a in sub._actions if "--threads" in a.option_strings)
    assert action.default is None  # None: plan_parallel decides (all cores, or cores // workers)


@pytest.mark.parametrize("command", ["compare", "sensitivity", "calibrate"])
def test_workers_default_to_the_cores(command):
    sub = _subcommand(command)
    action = next(a for a in sub._actions if "--workers" in a.option_strings)
    assert action.default is None and "all cores" in action.help


def test_oversubscribing_flags_exit_2_with_one_line(tmp_path, capsys):
    n = available_cores()
    code = main(["compare", "baseline", "--replicates", "1", "--households", "5", "--months", "0.1",
                 "--workers", str(n), "--threads", "2", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "oversubscribe" in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ results do not depend on threads
@TWO_CORES
def test_run_folder_with_one_thread_equals_two_threads(tmp_path, small_blocks):
    argv = ["run", "high_risk", "--households", "24", "--months", "0.3", "--seed", "3", "--quiet"]
    assert main([*argv, "--threads", "1", "--out", str(tmp_path / "t1")]) == 0
    assert main([*argv, "--threads", "2", "--out", str(tmp_path / "t2")]) == 0
    for name in ("outcomes.parquet", "timeseries.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t1" / name), pd.read_parquet(tmp_path / "t2" / name))
    m1, m2 = (json.loads((tmp_path / t / "manifest.json").read_text()) for t in ("t1", "t2"))
    assert (m1["threads"], m2["threads"]) == (1, 2) and m1["config"] == m2["config"]


@TWO_CORES
def test_compare_folder_made_with_one_thread_and_resumed_with_two_is_identical(tmp_path, small_blocks):
    from bonding.experiments import compare as cmp

    base = ["compare", "baseline", "paternal_leave", "--replicates", "2", "--households", "20", "--months", "0.3",
            "--seed", "5", "--workers", "1", "--quiet", "--no-figures"]
    assert main([*base, "--threads", "1", "--out", str(tmp_path / "ref")]) == 0
    out = tmp_path / "resumed"
    scenarios = [cmp.load_scenario(s) for s in ("baseline", "paternal_leave")]
    config = cmp.run_config(scenarios, 2, 20, 0.3, 5)
    cmp.prepare_folder(out, config)
    assert cmp.execute(out, config, scenarios, workers=1, progress=False, limit=2, threads=1) == 2
    assert main([*base, "--threads", "2", "--out", str(out)]) == 0
    chunks = sorted(p.name for p in (tmp_path / "ref" / "chunks").iterdir())
    assert chunks == sorted(p.name for p in (out / "chunks").iterdir()) and len(chunks) == 8
    for name in chunks:
        assert (tmp_path / "ref" / "chunks" / name).read_bytes() == (out / "chunks" / name).read_bytes(), name
    assert (tmp_path / "ref" / "comparison.csv").read_bytes() == (out / "comparison.csv").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["last_parallel"] == {"workers": 1, "threads": 2} and manifest["last_chunks_run"] == 2


@TWO_CORES
def test_sensitivity_point_is_identical_for_one_and_two_threads(small_blocks):
    from bonding.calibration.sensitivity.evaluate import evaluate_points
    from bonding.experiments.scenarios import load_scenario

    X = np.array([[0.1, 0.2], [0.6, 0.9], [0.3, 0.5]])
    kw = dict(scenario=load_scenario("baseline"), names=["poverty_stress", "ot_stress_buffering"], X=X,
              households_per_point=6, months=0.3, seed=11)
    pd.testing.assert_frame_equal(evaluate_points(**kw, threads=1), evaluate_points(**kw, threads=2))


def test_a_population_split_in_blocks_is_run_by_two_threads(small_blocks):
    sim = Simulation(ParamSet.uniform(20), 0.05, 1, threads=min(2, available_cores()))
    assert len(sim.block_starts) - 1 == 3  # 8 + 8 + 4 households: the fixture took effect
