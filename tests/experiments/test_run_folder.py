"""The run-folder protocol as each command applies it: ``run``'s commit marker, damaged chunks
recomputed, ``study``/``power`` manifests, and a resume across code versions refused."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bonding.experiments import compare as cmp
from bonding.experiments import run as run_module
from bonding.experiments.cli import main

SMALL = ["--households", "6", "--months", "0.2", "--seed", "2"]


def test_a_run_killed_after_replacing_outcomes_leaves_no_manifest_describing_other_data(tmp_path, monkeypatch):
    out = tmp_path / "r"
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 0
    first = json.loads((out / "manifest.json").read_text())
    assert first["status"] == "complete" and first["kind"] == "run"
    real = run_module.atomic_write_parquet

    def die_after_outcomes(path, df, *columns_of):
        real(path, df, *columns_of)
        if path.name == "outcomes.parquet":
            raise KeyboardInterrupt  # stands in for SIGKILL right after the replace

    monkeypatch.setattr(run_module, "atomic_write_parquet", die_after_outcomes)
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 130
    after = json.loads((out / "manifest.json").read_text())
    assert after["status"] == "running", "the old 'complete' manifest survived new data"
    monkeypatch.undo()
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_run_reuses_its_own_folder_and_refuses_another_configuration(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 0
    before = pd.read_parquet(out / "outcomes.parquet")
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 0
    pd.testing.assert_frame_equal(before, pd.read_parquet(out / "outcomes.parquet"))
    capsys.readouterr()
    assert main(["run", "--households", "6", "--months", "0.2", "--seed", "3", "--out", str(out), "--quiet"]) == 2
    assert "--seed was 2, now 3" in capsys.readouterr().err


def test_resume_across_code_versions_needs_allow_code_change(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 0
    man = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**man, "code_version": "0000000000000000"}))
    assert main(["run", *SMALL, "--out", str(out), "--quiet"]) == 2
    assert "code version 0000000000000000" in capsys.readouterr().err
    assert main(["run", *SMALL, "--out", str(out), "--quiet", "--allow-code-change"]) == 0


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_a_damaged_compare_chunk_is_recomputed(tmp_path, damage):
    argv = ["compare", "baseline", "--replicates", "2", *SMALL, "--workers", "1", "--quiet", "--no-figures"]
    ref, out = tmp_path / "ref", tmp_path / "out"
    assert main([*argv, "--out", str(ref)]) == 0
    assert main([*argv, "--out", str(out)]) == 0
    stem = cmp.chunk_stem(0, "baseline", 1)
    ts = out / "chunks" / f"{stem}.timeseries.parquet"
    summary = out / "chunks" / f"{stem}.summary.json"
    if damage == "empty":
        ts.write_bytes(b"")
    else:
        summary.write_text(summary.read_text()[:20])
    assert not cmp.chunk_done(out, stem)
    assert main([*argv, "--out", str(out)]) == 0
    assert json.loads((out / "manifest.json").read_text())["last_chunks_run"] == 1
    for name in ("runs.parquet", "comparison.csv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


def test_an_empty_sensitivity_chunk_is_recomputed(tmp_path):
    argv = ["sensitivity", "--method", "morris", "--params", "poverty_stress", "--n", "2",
            "--households-per-point", "3", "--months", "0.2", "--chunk-points", "2", "--noise-replicates", "2",
            "--resamples", "20", "--quiet", "--no-figures"]
    out = tmp_path / "gsa"
    assert main([*argv, "--out", str(out)]) == 0
    want = (out / "outputs.parquet").read_bytes()
    (out / "chunks" / "c0000.parquet").write_bytes(b"")
    (out / "design.parquet").write_bytes(b"PAR1")
    assert main([*argv, "--out", str(out)]) == 0
    assert (out / "outputs.parquet").read_bytes() == want


def test_study_and_power_write_a_manifest_and_refuse_another_configuration(tmp_path, capsys):
    out = tmp_path / "study"
    assert main(["study", "M2", "--replicates", "2", "--seed", "1", "--out", str(out)]) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["kind"] == "study" and man["status"] == "complete" and man["config"]["replicates"] == 2
    assert man["code_version"] and man["versions"]["numpy"]
    capsys.readouterr()
    assert main(["study", "M2", "--replicates", "3", "--seed", "1", "--out", str(out)]) == 2
    assert "--replicates was 2, now 3" in capsys.readouterr().err
    pout = tmp_path / "power"
    assert main(["power", "M2", "--n", "10", "--replicates", "2", "--out", str(pout)]) == 0
    pman = json.loads((pout / "manifest.json").read_text())
    assert pman["kind"] == "power" and pman["config"]["n"] == [10] and "power.csv" in pman["outputs"]
