"""``bonding compare``: seeds, resume after a kill, identical results for 1, 2 workers and Dask."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bonding.experiments import compare as cmp
from bonding.experiments import run as run_module
from bonding.experiments.cli import main
from bonding.experiments.lab.ssp import ssp_hook
from bonding.experiments.scenarios import load_scenario

SCENARIOS = ("baseline", "paternal_leave")
R, H, M, SEED = 2, 40, 0.5, 5


def _setup(out: Path):
    scenarios = [load_scenario(s) for s in SCENARIOS]
    config = cmp.run_config(scenarios, R, H, M, SEED)
    cmp.prepare_folder(out, config)
    return config, scenarios


def _tables(out: Path):
    return (pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "timeseries.parquet"),
            (out / "comparison.csv").read_text(), (out / "comparison.md").read_text())


def _assert_same(a: Path, b: Path):
    ra, ta, ca, ma = _tables(a)
    rb, tb, cb, mb = _tables(b)
    pd.testing.assert_frame_equal(ra, rb)
    pd.testing.assert_frame_equal(ta, tb)
    assert ca == cb
    assert ma == mb


NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"


def _parse_markdown(text: str) -> dict[str, dict[str, list[str]]]:
    """comparison.md -> {scenario: {outcome: [reference, scenario, difference, effect]}}."""
    blocks, current = {}, None
    for line in text.splitlines():
        m = re.match(r"## (\S+) vs (\S+)$", line)
        if m:
            current = blocks.setdefault(m.group(1), {})
            continue
        m = re.match(r"\| .*`([^`]+)`[^|]* \| (.*) \|$", line)
        if m and current is not None:
            current[m.group(1)] = [c.strip() for c in m.group(2).split(" | ")]
    return blocks


def _numbers(cell: str) -> list[float]:
    return [float(x) for x in re.findall(NUMBER, cell)]


def assert_markdown_matches_csv(out: Path) -> dict:
    """Every number of comparison.md is the comparison.csv value (to 3 significant figures)."""
    table = pd.read_csv(out / "comparison.csv").set_index(["scenario", "outcome"])
    blocks = _parse_markdown((out / "comparison.md").read_text())
    names = [s["name"] for s in json.loads((out / "manifest.json").read_text())["config"]["scenarios"]]
    assert list(blocks) == names[1:]
    for name, rows in blocks.items():
        assert rows, name
        for outcome, cells in rows.items():
            assert len(cells) == 4, (name, outcome, cells)
            if (name, outcome) not in table.index:
                assert cells == ["n/a"] * 4
                continue
            r = table.loc[(name, outcome)]
            want = [[r["mean_reference"]], [r["mean_scenario"]],
                    [r["mean_difference"], r["difference_lo"], r["difference_hi"]],
                    [r["effect"], r["effect_lo"], r["effect_hi"]]]
            for cell, values in zip(cells, want, strict=True):
                values = [v for v in values if np.isfinite(v)]
                got = _numbers(cell)
                assert len(got) == len(values), (name, outcome, cell, values)
                np.testing.assert_allclose(got, values, rtol=6e-3, atol=1e-12, err_msg=f"{name} {outcome} {cell}")
            measure = {"cohen_d": "d ", "risk_ratio": "RR "}.get(r["effect_measure"], "")
            if not np.isfinite(r["effect"]):  # e.g. a risk ratio with a zero reference share
                assert cells[3] == "n/a", (name, outcome, cells[3])
                continue
            assert cells[3].startswith(measure), (name, outcome, cells[3])
    return blocks


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted single-worker comparison."""
    out = tmp_path_factory.mktemp("ref") / "cmp"
    config, scenarios = _setup(out)
    assert cmp.execute(out, config, scenarios, workers=1, progress=False) == R * len(SCENARIOS)
    cmp.build_report(out, figures=False)
    return out


def test_replicate_seeds_are_independent_and_reproducible():
    s = cmp.replicate_seeds(7, 5)
    assert s == cmp.replicate_seeds(7, 5) and len(set(s)) == 5
    assert s[:3] == cmp.replicate_seeds(7, 3)
    assert s != cmp.replicate_seeds(8, 5)


def test_scenarios_share_replicate_seeds_and_tables_are_complete(reference):
    runs, ts, *_ = _tables(reference)
    assert list(runs["scenario"]) == ["baseline", "baseline", "paternal_leave", "paternal_leave"]
    assert runs.groupby("scenario")["seed"].apply(tuple).nunique() == 1
    for col in ("bond.mother", "sensitivity.father", "synchrony.mother", "depressed.mother", "ot_plasma_mean.mother",
                "cortisol_mean.father", "testosterone_change.father", "prolactin_base.mother",
                "care_hours_per_day.father", "iwm_expected_responsiveness.mother", "infant_ot.infant"):
        assert col in runs.columns, col
    table = pd.read_csv(reference / "comparison.csv")
    row = table[table["outcome"] == "care_hours_per_day.father"].iloc[0]
    assert row["scenario"] == "paternal_leave" and row["effect_measure"] == "cohen_d"
    assert row["difference_lo"] <= row["mean_difference"] <= row["difference_hi"]
    assert table.loc[table["outcome"] == "depressed.mother", "effect_measure"].iloc[0] == "risk_ratio"
    assert {"scenario", "role", "variable", "day", "mean", "sd"} <= set(ts.columns)


def test_kill_and_resume_gives_the_same_files(reference, tmp_path):
    out = tmp_path / "cmp"
    config, scenarios = _setup(out)
    assert cmp.execute(out, config, scenarios, workers=1, progress=False, limit=1) == 1
    # a chunk killed while writing: time series on disk, no summary, plus a stray temp file
    stem = cmp.chunk_stem(1, "paternal_leave", 0)
    (out / "chunks" / f"{stem}.timeseries.parquet").write_bytes(b"partial")
    (out / "chunks" / f".{stem}.summary.json.123.tmp").write_text("{")
    assert main(["compare", *SCENARIOS, "--replicates", str(R), "--households", str(H), "--months", str(M),
                 "--seed", str(SEED), "--workers", "1", "--out", str(out), "--quiet", "--no-figures"]) == 0
    _assert_same(reference, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["last_chunks_run"] == R * len(SCENARIOS) - 1


def test_two_workers_give_identical_results(reference, tmp_path):
    out = tmp_path / "cmp"
    config, scenarios = _setup(out)
    cmp.execute(out, config, scenarios, workers=2, progress=False)
    cmp.build_report(out, figures=False)
    _assert_same(reference, out)


def test_changed_config_in_the_same_folder_is_refused(reference, capsys):
    before = sorted(p.name for p in reference.iterdir())
    code = main(["compare", *SCENARIOS, "--replicates", str(R + 1), "--households", str(H), "--months", str(M),
                 "--seed", str(SEED), "--out", str(reference), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "--replicates was 2, now 3" in err
    assert sorted(p.name for p in reference.iterdir()) == before


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["compare", "baseline", "no_such_scenario", "--out", str(out), "--quiet"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err and not out.exists()
    with pytest.raises(SystemExit) as exc:
        main(["compare", "baseline", "--replicates", "0", "--out", str(out)])
    assert exc.value.code == 2 and not out.exists()
    assert "allowed 1 to 10000" in capsys.readouterr().err


def test_report_rebuilds_tables_and_figures_from_files(reference, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(reference, copy)
    for name in ("runs.parquet", "timeseries.parquet", "comparison.csv", "comparison.md"):
        (copy / name).unlink()
    assert main(["report", str(copy)]) == 0
    _assert_same(reference, copy)
    assert (copy / "outcomes.png").exists() and (copy / "trajectories.png").exists()
    assert not (copy / "attachment.png").exists()  # 0.5 months: no Strange Situation


def test_markdown_summary_matches_the_comparison_table(reference):
    blocks = assert_markdown_matches_csv(reference)
    rows = blocks["paternal_leave"]
    assert {"bond.mother", "bond.father", "sensitivity.mother", "care_hours_per_day.father",
            "depressed.mother", "cortisol_mean.mother", "testosterone_change.father",
            "infant_cortisol.infant"} <= set(rows)
    assert 10 <= len(rows) <= 14
    text = (reference / "comparison.md").read_text()
    assert f"{R} replicate(s) x {H} households" in text
    assert "not classified" in text  # months < 12


def test_progress_bar_shows_completed_of_total_and_eta(reference, tmp_path):
    import shutil

    out = tmp_path / "cmp"
    shutil.copytree(reference, out)
    stem = cmp.chunk_stem(1, "paternal_leave", 1)
    (out / "chunks" / f"{stem}.summary.json").unlink()
    config, scenarios = json.loads((out / "manifest.json").read_text())["config"], [load_scenario(s) for s in SCENARIOS]
    buf = io.StringIO()
    assert cmp.execute(out, config, scenarios, workers=1, progress=True, progress_file=buf) == 1
    text = buf.getvalue()
    total = R * len(SCENARIOS)
    assert f"{total - 1}/{total} chunks done" in text and f"{total}/{total} chunks done" in text
    assert "ETA" in text and "elapsed" in text


def test_attachment_shares_flow_into_tables_figure_and_markdown(tmp_path, monkeypatch):
    """The lab's Strange Situation columns (``ssp_*``) become A/B/C/D shares by role, risk ratios
    in comparison.csv, the A/B/C/D figure and the Markdown rows. The hook is moved to 0.25 months
    here so that the runs stay short (the 12-month path is tested below)."""
    monkeypatch.setattr(run_module, "OUTCOME_HOOKS", [ssp_hook(0.25)])
    out = tmp_path / "cmp"
    names = ("baseline", "high_risk", "paternal_leave")
    assert main(["compare", *names, "--replicates", "2", "--households", "30", "--months", "0.25",
                 "--seed", "3", "--workers", "1", "--out", str(out), "--quiet", "--no-figures"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    for role in ("mother", "father"):
        shares = runs[[f"attachment_{c}.{role}" for c in "ABCD"]]
        np.testing.assert_allclose(shares.sum(axis=1), 1.0)
        assert f"ssp_disorganisation.{role}" in runs and f"ssp_infant_cortisol_post.{role}.sd" in runs
    table = pd.read_csv(out / "comparison.csv")
    shares = table[table["outcome"].str.startswith("attachment_")]
    assert set(shares["effect_measure"]) == {"risk_ratio"}
    ok = shares["mean_reference"] > 0
    np.testing.assert_allclose(shares.loc[ok, "effect"], shares.loc[ok, "mean_scenario"] / shares.loc[ok, "mean_reference"], rtol=1e-5)
    blocks = assert_markdown_matches_csv(out)
    assert list(blocks) == ["high_risk", "paternal_leave"]
    for rows in blocks.values():
        assert {"attachment_B.mother", "attachment_D.mother"} <= set(rows)
    assert "not classified" not in (out / "comparison.md").read_text()
    before = (out / "comparison.md").read_text()
    (out / "comparison.md").unlink()
    assert not (out / "attachment.png").exists()
    assert main(["report", str(out)]) == 0
    assert (out / "comparison.md").read_text() == before and (out / "attachment.png").exists()


def test_risk_ratio_counts_replicates_with_a_zero_share():
    runs = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "scenario_index": [0] * 3 + [1] * 3,
                         "replicate": [0, 1, 2] * 2, "seed": [1, 2, 3] * 2,
                         "attachment_D.mother": [0.1, 0.0, 0.2, 0.2, 0.1, 0.3]})
    row = cmp.comparison_table(runs, ["a", "b"]).iloc[0]
    assert row["effect_measure"] == "risk_ratio" and row["replicates"] == 3
    assert row["effect"] == pytest.approx(0.2 / 0.1)
    assert row["effect_lo"] < row["effect"] < row["effect_hi"]


@pytest.mark.slow
def test_twelve_months_classifies_attachment_and_high_risk_raises_disorganisation(tmp_path):
    """At 12 months the Strange Situation runs (experiments.run.OUTCOME_HOOKS): the run summaries
    hold A/B/C/D shares by role, and clustered risk raises D and lowers B with the mother."""
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "high_risk", "--replicates", "1", "--households", "200",
                 "--months", "12", "--seed", "11", "--workers", "1", "--out", str(out), "--quiet",
                 "--no-figures"]) == 0
    runs = pd.read_parquet(out / "runs.parquet").set_index("scenario")
    for role in ("mother", "father"):
        assert runs[[f"attachment_{c}.{role}" for c in "ABCD"]].sum(axis=1).round(9).eq(1.0).all()
    table = pd.read_csv(out / "comparison.csv").set_index("outcome")
    assert table.loc["attachment_D.mother", "effect"] > 1.5
    assert table.loc["attachment_B.mother", "effect"] < 0.8
    assert "attachment_D.mother" in _parse_markdown((out / "comparison.md").read_text())["high_risk"]


# ------------------------------------------------------------------ Dask
def test_dask_cluster_gives_the_local_result(reference, tmp_path, dask_cluster):
    with dask_cluster(workers=2) as address:
        out = tmp_path / "cmp"
        config, scenarios = _setup(out)
        cmp.execute(out, config, scenarios, scheduler=address, progress=False)
    cmp.build_report(out, figures=False)
    _assert_same(reference, out)
