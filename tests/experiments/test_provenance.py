"""experiments.provenance.check_run_folder: the folder rule every resumable command shares."""

from __future__ import annotations

import json

import pytest

from experiments.provenance import check_run_folder
from model.params import ParameterError


def _mismatch(old, new):
    return None if old == new else f"a different run (seed was {old['seed']}, now {new['seed']})"


def test_new_or_empty_folder_passes_and_nothing_is_written(tmp_path):
    assert check_run_folder(tmp_path / "new", "demo", "demo", {"seed": 1}, _mismatch) == {}
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    assert check_run_folder(tmp_path / "empty", "demo", "demo", {"seed": 1}, _mismatch) == {}


def test_same_run_returns_its_manifest_other_runs_and_folders_are_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"kind": "demo", "config": {"seed": 1}, "status": "running"}))
    assert check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch)["status"] == "running"
    with pytest.raises(ParameterError, match=r"holds a different run \(seed was 1, now 2\)"):
        check_run_folder(out, "demo", "demo", {"seed": 2}, _mismatch)
    with pytest.raises(ParameterError, match="is not a other manifest"):
        check_run_folder(out, "other", "other", {"seed": 1}, _mismatch)
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(ParameterError, match="is not a demo manifest"):
        check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch)
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "x.txt").write_text("x")
    with pytest.raises(ParameterError, match="folder exists and is not a demo folder"):
        check_run_folder(stray, "demo", "demo", {"seed": 1}, _mismatch)
