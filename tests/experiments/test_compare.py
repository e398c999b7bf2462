"""``bonding compare``: seeds, resume after a kill, identical results for 1, 2 workers and Dask."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import compare as cmp
from experiments.cli import main
from experiments.scenarios import load_scenario

SCENARIOS = ("baseline", "paternal_leave")
R, H, M, SEED = 2, 40, 0.5, 5


def _setup(out: Path):
    scenarios = [load_scenario(s) for s in SCENARIOS]
    config = cmp.run_config(scenarios, R, H, M, SEED)
    cmp.prepare_folder(out, config)
    return config, scenarios


def _tables(out: Path):
    return (pd.read_parquet(out / "runs.parquet"), pd.read_parquet(out / "timeseries.parquet"),
            (out / "comparison.csv").read_text())


def _assert_same(a: Path, b: Path):
    ra, ta, ca = _tables(a)
    rb, tb, cb = _tables(b)
    pd.testing.assert_frame_equal(ra, rb)
    pd.testing.assert_frame_equal(ta, tb)
    assert ca == cb


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
    runs, ts, _ = _tables(reference)
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
    for name in ("runs.parquet", "timeseries.parquet", "comparison.csv"):
        (copy / name).unlink()
    assert main(["report", str(copy)]) == 0
    _assert_same(reference, copy)
    assert (copy / "outcomes.png").exists() and (copy / "trajectories.png").exists()


# ------------------------------------------------------------------ Dask
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_cluster_gives_the_local_result(reference, tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    logs = [open(tmp_path / f"dask{i}.log", "w") for i in range(3)]  # noqa: SIM115
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=logs[0], stderr=subprocess.STDOUT)]
    try:
        time.sleep(1.0)
        for i in (1, 2):
            procs.append(subprocess.Popen(
                [str(bindir / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--local-directory", str(tmp_path / f"w{i}")],
                stdout=logs[i], stderr=subprocess.STDOUT))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        out = tmp_path / "cmp"
        config, scenarios = _setup(out)
        cmp.execute(out, config, scenarios, scheduler=address, progress=False)
        cmp.build_report(out, figures=False)
        _assert_same(reference, out)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        for f in logs:
            f.close()
