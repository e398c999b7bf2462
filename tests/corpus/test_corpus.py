"""Every malformed input of the corpus (tests/corpus/_corpus_cases.py): exit status 2, one line on
stderr naming what is wrong, no traceback, and nothing written.

The cases run in-process (``experiments.cli.main(argv)``) so the corpus stays fast; a few run
through the installed ``bonding`` entry point in a subprocess to prove the real program agrees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _corpus_cases import DIR, all_cases
from bonding.experiments.cli import main

CASES = all_cases()


def make_files(root: Path, files: dict) -> None:
    for name, body in files.items():
        path = root / name
        if body is DIR:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under ``root`` with its size, mtime and mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def run_in_process(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working folder two levels down, so a default output path that escapes by ``../..``
    still lands inside ``tmp_path`` (where the snapshot sees it)."""
    wd = tmp_path / "a" / "b"
    wd.mkdir(parents=True)
    monkeypatch.chdir(wd)
    return wd


def test_the_corpus_has_at_least_150_inputs():
    assert len(CASES) >= 150, len(CASES)


@pytest.mark.parametrize("files, argv", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(files, argv, workdir, tmp_path, capsys):
    make_files(workdir, files)
    before = snapshot(tmp_path)
    code, err = run_in_process(argv, capsys)
    assert code == 2, f"exit {code}; stderr: {err[-2000:]}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[-2000:]
    assert lines[0].startswith("bonding: ") and "error" in lines[0], lines[0]
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before, "a refused input wrote or changed files"


# ------------------------------------------------------------------ what the lines say
def _error(argv, files, workdir, capsys) -> str:
    make_files(workdir, files)
    code, err = run_in_process(argv, capsys)
    assert code == 2, err
    return err.strip()


@pytest.mark.parametrize("argv, files, needles", [
    (["run", "s.toml", "--out", "o"], {"s.toml": "[params]\not_stres_buffering = 0.5\n"},
     ["s.toml", "ot_stres_buffering", "did you mean ot_stress_buffering"]),
    (["run", "--set", "ot_stres_buffering=1", "--out", "o"], {}, ["did you mean ot_stress_buffering"]),
    (["run", "--set", "ot_stress_buffering=2_50", "--out", "o"], {}, ["--set ot_stress_buffering", "2_50", "not a number"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": '[params]\npoverty_stress = "0.5"\n'},
     ["s.toml", "params.poverty_stress", "not a number"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": "[params]\npoverty_stress = true\n"}, ["params.poverty_stress", "True"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": 'sources = "one source"\n'}, ["s.toml", "sources", "not a list"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": "name = 123\n"}, ["s.toml", "name", "123"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": 'name = "../../escaped"\n'}, ["name", "../../escaped"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": 'extends = "gone.toml"\n'}, ["s.toml", "extends", "gone.toml"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": b"description = '\xff'\n"}, ["s.toml", "not UTF-8"]),
    (["run", "s.toml", "--out", "o"], {"s.toml": '[[interventions]]\ntype = ["absence"]\n'},
     ["interventions[0].type", "not one intervention name"]),
    (["run", "--out", "f"], {"f": "x"}, ["--out f", "is a file"]),
    (["run", "--out", "f/sub"], {"f": "x"}, ["--out f/sub", "is a file"]),
    (["compare", "baseline", "--scheduler", "not-an-address", "--out", "o"], {}, ["--scheduler", "tcp://HOST:PORT"]),
    (["sensitivity", "--method", "morris", "--params", "", "--out", "o"], {}, ["--params", "names nothing"]),
    (["sensitivity", "--method", "morris", "--params", "poverty_stress,poverty_stress", "--out", "o"], {},
     ["--params", "given twice"]),
    (["report", "r"], {"r/manifest.json": '{"kind": "run", "config": {}}'}, ["r", "run folder", "bonding compare"]),
])
def test_the_line_names_the_field_and_what_is_allowed(argv, files, needles, workdir, capsys):
    line = _error(argv, files, workdir, capsys)
    for needle in needles:
        assert needle in line, (needle, line)


def test_a_size_the_machine_cannot_hold_is_refused_with_the_memory_it_needs(workdir, capsys, monkeypatch):
    from bonding.experiments import inputs

    # first the estimate itself (a zero estimate would let the command below allocate 5 million
    # households in this process: it once did, when the estimate stopped seeing the engine's arrays)
    need = inputs.memory_needed(5_000_000)
    assert 5e9 < need < 2e11, need  # the engine's arrays: kilobytes per household
    monkeypatch.setattr(inputs, "available_memory", lambda: 2 * 10**9)
    line = _error(["run", "--households", "5000000", "--months", "0.1", "--out", "o"], {}, workdir, capsys)
    assert "--households" in line and "GB" in line and "5000000" in line, line
    assert not (workdir / "o").exists()


def test_read_only_output_folder_is_refused_before_the_simulation(workdir, capsys, monkeypatch):
    from bonding.experiments import provenance

    (workdir / "ro").mkdir()
    real = provenance._writable
    monkeypatch.setattr(provenance, "_writable", lambda folder: False if Path(folder).name == "ro" else real(folder))
    line = _error(["run", *["--households", "5", "--months", "0.1"], "--out", "ro/run"], {}, workdir, capsys)
    assert "read-only" in line and "ro" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_by_permissions(workdir, capsys):
    ro = workdir / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        line = _error(["run", "--households", "5", "--months", "0.1", "--out", "ro/run"], {}, workdir, capsys)
    finally:
        ro.chmod(0o755)
    assert "read-only" in line


# ------------------------------------------------------------------ the real entry point
SUBPROCESS_CASES = ["run-scenario-param_string_number", "run-set-underscore", "compare-scheduler-not-an-address",
                    "sensitivity-params-twice", "report-on-a-run-folder", "run-out-is-a-file"]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_the_installed_entry_point_agrees(case_id, workdir, tmp_path):
    _, files, argv = next(c for c in CASES if c[0] == case_id)
    make_files(workdir, files)
    before = snapshot(tmp_path)
    exe = Path(sys.executable).with_name("bonding")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bonding.experiments.cli"]
    proc = subprocess.run(cmd + argv, cwd=workdir, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert snapshot(tmp_path) == before
