"""experiments.provenance.check_run_folder: the folder rule every resumable command shares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bonding.experiments import provenance
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    code_version,
    git_commit,
)
from bonding.model.params import ParameterError


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
    (out / "manifest.json").write_text(json.dumps({"kind": "demo", "config": {"seed": 1}, "status": "running",
                                                   "code_version": code_version()}))
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


def _demo_folder(tmp_path, **extra) -> Path:
    out = tmp_path / "run"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"kind": "demo", "config": {"seed": 1}, "status": "running",
                                                   **extra}))
    return out


def test_another_code_version_is_refused_unless_allowed(tmp_path):
    out = _demo_folder(tmp_path, code_version="0123456789abcdef")
    with pytest.raises(ParameterError, match="made by code version 0123456789abcdef.*--allow-code-change"):
        check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch)
    assert check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch, allow_code_change=True)
    provenance.set_allow_code_change(True)
    try:
        assert check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch)
    finally:
        provenance.set_allow_code_change(False)


def test_code_version_follows_the_source(tmp_path):
    root = tmp_path / "copy"
    for pkg in provenance.SOURCE_PACKAGES:
        (root / pkg).mkdir(parents=True)
        (root / pkg / "a.py").write_text("x = 1\n")
    provenance.code_version.cache_clear()
    try:
        first = code_version(root)
        (root / "model" / "a.py").write_text("x = 2\n")
        provenance.code_version.cache_clear()
        assert code_version(root) != first
    finally:
        provenance.code_version.cache_clear()


def test_resume_removes_stale_temporaries_but_a_refusal_touches_nothing(tmp_path):
    out = _demo_folder(tmp_path, code_version=code_version())
    (out / "chunks").mkdir()
    stale = [out / ".outcomes.parquet.abc123.tmp", out / "chunks" / ".c0001.parquet.x.tmp"]
    for p in stale:
        p.write_bytes(b"partial")
    with pytest.raises(ParameterError):
        check_run_folder(out, "demo", "demo", {"seed": 2}, _mismatch)
    assert all(p.exists() for p in stale)
    check_run_folder(out, "demo", "demo", {"seed": 1}, _mismatch)
    assert not any(p.exists() for p in stale)
    assert (out / "manifest.json").exists()


@pytest.mark.parametrize("make, message", [
    (lambda t: (t / "f").write_text("x") and t / "f", "is a file"),
    (lambda t: (t / "f").write_text("x") and t / "f" / "sub", "is a file, so no folder"),
])
def test_output_path_that_cannot_be_a_folder_is_refused(tmp_path, make, message):
    with pytest.raises(ParameterError, match=message):
        check_run_folder(make(tmp_path), "demo", "demo", {"seed": 1}, _mismatch)


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_atomic_writes_respect_the_umask(tmp_path, umask):
    import pandas as pd

    old = os.umask(umask)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"x")
        atomic_write_json(tmp_path / "b.json", {"a": 1})
        atomic_write_parquet(tmp_path / "c.parquet", pd.DataFrame({"a": [1]}))
    finally:
        os.umask(old)
    for name in ("a.bin", "b.json", "c.parquet"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_installed_copy_inside_another_repository_records_no_commit(tmp_path):
    """A copy of the package (as pip installs it) inside someone else's git repository must not
    report that repository's commit."""
    import shutil

    repo = tmp_path / "project"
    site = repo / "venv" / "site-packages"
    src = Path(provenance.__file__).resolve().parent.parent
    for pkg in provenance.SOURCE_PACKAGES:
        shutil.copytree(src / pkg, site / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    (repo / "README").write_text("someone else's project")
    subprocess.run(["git", "-C", str(repo), "add", "README"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "x"], check=True, env=env)
    code = "from experiments.provenance import git_commit; print(git_commit())"
    got = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**env, "PYTHONPATH": str(site)}, check=True).stdout.strip()
    assert got == "not a git checkout"
    assert git_commit() not in ("unknown", "not a git checkout")  # this checkout is a repository
