"""``bonding compare --set`` and ``--sweep``: one scenario at several values of a parameter on
common random numbers."""

from __future__ import annotations

import json

import pandas as pd
from bonding.experiments.cli import main

SMALL = ["--replicates", "2", "--households", "30", "--months", "0.5", "--seed", "4", "--workers", "1",
         "--quiet", "--no-figures"]


def test_sweep_runs_each_level_on_common_random_numbers_and_poverty_stress_raises_cortisol(tmp_path):
    out = tmp_path / "sweep"
    assert main(["compare", "baseline", "--sweep", "poverty_stress=0,0.6", *SMALL, "--out", str(out)]) == 0
    config = json.loads((out / "manifest.json").read_text())["config"]
    names = [s["name"] for s in config["scenarios"]]
    assert names == ["baseline.poverty_stress-0", "baseline.poverty_stress-0.6"]
    assert [s["params"]["poverty_stress"] for s in config["scenarios"]] == [0.0, 0.6]
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all(), "levels must share replicate seeds"
    table = pd.read_csv(out / "comparison.csv").set_index("outcome")
    # poverty stress adds to caregiver cortisol drive (model.params): the direction must show
    assert table.loc["cortisol_mean.mother", "mean_difference"] > 0


def test_set_applies_to_every_scenario_and_a_level_equal_to_the_default_reproduces_the_plain_run(tmp_path):
    plain, swept = tmp_path / "plain", tmp_path / "swept"
    assert main(["compare", "baseline", "paternal_leave", "--set", "poverty_stress=0.3", *SMALL,
                 "--out", str(plain)]) == 0
    config = json.loads((plain / "manifest.json").read_text())["config"]
    assert all(s["params"]["poverty_stress"] == 0.3 for s in config["scenarios"])
    assert main(["compare", "baseline", "--set", "poverty_stress=0.3", "--sweep", "ot_stress_buffering=0.5,1",
                 *SMALL, "--out", str(swept)]) == 0
    a = pd.read_parquet(plain / "runs.parquet")
    b = pd.read_parquet(swept / "runs.parquet")
    ref_plain = a[a["scenario"] == "baseline"].drop(columns=["scenario"]).reset_index(drop=True)
    ref_swept = b[b["scenario_index"] == 0].drop(columns=["scenario"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ref_plain, ref_swept)  # 0.5 is the declared default of ot_stress_buffering
