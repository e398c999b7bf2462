"""The ``bonding`` command line: input errors, ``params``, ``run`` outputs, determinism of files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from bonding.experiments.cli import main
from bonding.model import PARAMS

SMALL = ["--households", "30", "--months", "0.2", "--quiet"]


def _bonding_cmd() -> list[str]:
    exe = shutil.which("bonding") or (str(Path(sys.executable).parent / "bonding"))
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "bonding.experiments.cli"]


def _error_exit(argv, capsys):
    """Run main(argv) expecting exit status 2; return stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse errors
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}, stderr {captured.err!r}"
    return captured.err


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    return lines[0]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("extra,must_contain", [
    (["--set", "no_such_parameter=1"], ["no_such_parameter", "unknown parameter"]),
    (["--set", "cortisol_halflife=5"], ["cortisol_halflife", "out of range", "40", "120"]),
    (["--set", "p_father_present=1.5"], ["p_father_present", "0", "1"]),
    (["--set", "cortisol_halflife=abc"], ["cortisol_halflife", "not a number"]),
    (["--set", "cortisol_halflife"], ["--set", "NAME=VALUE"]),
    (["--households", "0"], ["--households", "1", "5000000"]),
    (["--households", "many"], ["--households", "not a whole number"]),
    (["--months", "99"], ["--months", "0", "36"]),
    (["--seed", "-1"], ["--seed"]),
])
def test_bad_run_options_exit_2_with_one_line_naming_field_and_range(tmp_path, capsys, extra, must_contain):
    out = tmp_path / "out"
    line = _one_line(_error_exit(["run", *SMALL, "--out", str(out), *extra], capsys))
    for text in must_contain:
        assert text in line, f"{text!r} not in {line!r}"
    assert not out.exists(), "an output folder was created for bad input"


def test_bad_scenario_path_exits_2(tmp_path, capsys):
    out = tmp_path / "out"
    line = _one_line(_error_exit(["run", str(tmp_path / "missing.toml"), *SMALL, "--out", str(out)], capsys))
    assert "scenario" in line and "missing.toml" in line
    assert not out.exists()


def test_malformed_toml_exits_2(tmp_path, capsys):
    bad = tmp_path / "broken.toml"
    bad.write_text('name = "x"\n[params\ncortisol_halflife = \n')
    out = tmp_path / "out"
    line = _one_line(_error_exit(["run", str(bad), *SMALL, "--out", str(out)], capsys))
    assert "broken.toml" in line and "TOML" in line
    assert not out.exists()


def test_out_of_range_value_in_scenario_file_names_file_field_and_range(tmp_path, capsys):
    sc = tmp_path / "strict.toml"
    sc.write_text('name = "strict"\n[params]\npoverty_stress = 3\n')
    out = tmp_path / "out"
    line = _one_line(_error_exit(["run", str(sc), *SMALL, "--out", str(out)], capsys))
    assert "strict.toml" in line and "poverty_stress" in line and "0 to 1" in line
    assert not out.exists()


def test_unknown_parameter_in_scenario_file(tmp_path, capsys):
    sc = tmp_path / "typo.toml"
    sc.write_text('name = "typo"\n[params]\npoverty_stres = 0.5\n')
    line = _one_line(_error_exit(["run", str(sc), *SMALL, "--out", str(tmp_path / "o")], capsys))
    assert "poverty_stres" in line and "unknown parameter" in line


def test_bad_input_via_subprocess_exits_2_with_one_stderr_line(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([*_bonding_cmd(), "run", *SMALL, "--out", str(out), "--set", "cortisol_halflife=500"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    assert "cortisol_halflife" in line and "40 to 120" in line
    assert "Traceback" not in proc.stderr
    assert not out.exists()


# ------------------------------------------------------------------ params
def test_params_lists_every_parameter(capsys):
    assert main(["params"]) == 0
    text = capsys.readouterr().out
    for name in PARAMS:
        assert name in text, name
    assert main(["params", "--markdown"]) == 0
    md = capsys.readouterr().out
    rows = [ln for ln in md.splitlines() if ln.startswith("| ") and not ln.startswith("| name")]
    assert len(rows) == len(PARAMS)


# ------------------------------------------------------------------ run
REQUIRED_OUTCOME_COLUMNS = [
    "household", "role", "bond", "sensitivity", "synchrony", "caregiver_attachment", "caregiver_depressed",
    "gaze", "affectionate_touch", "stimulatory_touch", "vocalisation",
    # hormone summaries
    "ot_plasma_mean", "cortisol_mean", "testosterone", "prolactin_base", "estradiol", "ot_central_tone",
    # working-model summary
    "iwm_expected_responsiveness",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run1"
    assert main(["run", *SMALL, "--seed", "4", "--out", str(out), "--set", "poverty_stress=0.2"]) == 0
    return out


def test_run_writes_manifest_with_provenance(run_dir):
    man = json.loads((run_dir / "manifest.json").read_text())
    assert set(PARAMS) <= set(man["parameters"]), "manifest lacks some parameters"
    assert man["parameters"]["poverty_stress"] == pytest.approx(0.2)
    assert man["parameters"]["cortisol_halflife"] == PARAMS["cortisol_halflife"].default
    assert man["seed"] == 4 and man["households"] == 30 and man["months"] == pytest.approx(0.2)
    for lib in ("python", "mesa", "numpy"):
        assert man["versions"][lib] not in ("", "not installed"), lib
    assert man["git_commit"] and man["git_commit"] != "unknown"
    assert isinstance(man["wall_seconds"], int | float) and man["wall_seconds"] > 0
    assert man["scenario"]["name"] == "baseline"


def test_run_writes_outcomes_with_required_columns(run_dir):
    df = pd.read_parquet(run_dir / "outcomes.parquet")
    missing = [c for c in REQUIRED_OUTCOME_COLUMNS if c not in df.columns]
    assert not missing, f"outcomes.parquet lacks {missing}"
    assert (df["role"] == "mother").sum() == 30
    assert df["bond"].between(0, 1).all()
    assert set(df["caregiver_attachment"]) <= {"autonomous", "dismissing", "preoccupied"}


def test_run_writes_timeseries_and_png(run_dir):
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert {"day", "role", "variable", "value"} <= set(ts.columns)
    assert {"bond", "cortisol", "ot_plasma", "infant_cortisol"} <= set(ts["variable"])
    assert ts["day"].min() < 0 < ts["day"].max()  # pregnancy and after birth
    pngs = list(run_dir.glob("*.png"))
    assert pngs, "no figure written"
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pngs[0].stat().st_size > 1000


def test_run_outputs_are_identical_for_the_same_seed_and_differ_for_another(run_dir, tmp_path):
    again, other = tmp_path / "again", tmp_path / "other"
    assert main(["run", *SMALL, "--seed", "4", "--out", str(again), "--set", "poverty_stress=0.2"]) == 0
    assert main(["run", *SMALL, "--seed", "5", "--out", str(other), "--set", "poverty_stress=0.2"]) == 0
    for name in ("outcomes.parquet", "timeseries.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(run_dir / name), pd.read_parquet(again / name))
    assert not pd.read_parquet(run_dir / "timeseries.parquet").equals(pd.read_parquet(other / "timeseries.parquet"))


def test_run_via_subprocess_and_scenario_file(tmp_path):
    sc = tmp_path / "leave.toml"
    sc.write_text('name = "leave"\nextends = "baseline"\n[params]\npaternal_leave_months = 3\n')
    out = tmp_path / "sub"
    proc = subprocess.run([*_bonding_cmd(), "run", str(sc), *SMALL, "--seed", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert man["scenario"]["name"] == "leave"
    assert man["parameters"]["paternal_leave_months"] == 3.0
    assert (out / "outcomes.parquet").exists() and (out / "timeseries.parquet").exists()


# ------------------------------------------------------------------ error lines name the flag once
@pytest.mark.parametrize("argv,flag,text", [
    (["run", "--households", "0"], "--households", "argument --households: 0 is out of range (allowed 1 to 5000000)"),
    (["run", "--months", "x"], "--months", "argument --months: 'x' is not a number (allowed 0 to 36)"),
    (["study", "M4", "--replicates", "0"], "--replicates", "argument --replicates: 0 is out of range (allowed 1 to 10000)"),
    (["power", "M4", "--n", "2"], "--n", "argument --n: '2' has a value out of range"),
    (["validate", "--studies", "NOPE"], "--studies", "argument --studies: unknown study 'NOPE'"),
    (["compare", "--workers", "0"], "--workers", "argument --workers: 0 is out of range"),
])
def test_error_line_names_the_flag_once(tmp_path, capsys, argv, flag, text):
    line = _one_line(_error_exit([*argv, "--out", str(tmp_path / "o")], capsys))
    assert line.startswith("bonding: error: ") and text in line, line
    assert line.count(flag + ":") == 1 and line.count(flag) == 1, line
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------ a reader that stops early
@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_closed_pipe_exits_quietly(unbuffered):
    """`bonding study --list | head`: the reader closes the pipe; no traceback, no message."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen([*_bonding_cmd(), "study", "--list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    proc.stdout.close()  # before the child writes (it takes a second to start)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 1
    assert err == "", err
