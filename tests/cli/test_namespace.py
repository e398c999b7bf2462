"""One import namespace: ``bonding`` maps model/, experiments/ and calibration/ (issue 16).

A user's folder may hold its own ``model.py``, ``experiments/`` or ``calibration.py``: the tool
never imports them, because nothing in it imports a top-level ``model``, ``experiments`` or
``calibration``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"model": "bonding.model", "experiments": "bonding.experiments", "calibration": "bonding.calibration"}


def _user_folder(tmp_path: Path) -> Path:
    """A working folder whose own modules would shadow ours if we imported them by bare name."""
    (tmp_path / "model.py").write_text('raise SystemExit("the user\'s model.py was imported")\n')
    (tmp_path / "calibration.py").write_text('raise SystemExit("the user\'s calibration.py was imported")\n')
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "__init__.py").write_text('raise SystemExit("the user\'s experiments/ was imported")\n')
    return tmp_path


def test_public_names_import_from_a_folder_holding_model_py(tmp_path):
    code = ("from bonding import BondingModel, Scenario, run, ParamSet, PARAMS, load_scenario\n"
            "import bonding.model.kernel, bonding.experiments.lab.ssp, bonding.calibration.cli\n"
            "sc = load_scenario('baseline'); assert isinstance(sc, Scenario)\n"
            "m = BondingModel(households=3, months=0.05, rng=1); m.step()\n"
            "r = run('baseline', households=3, months=0.05, seed=1)\n"
            "assert len(r.outcomes) > 0\nprint('ok')\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=_user_folder(tmp_path), capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_cli_runs_from_a_folder_holding_model_py(tmp_path):
    res = subprocess.run([sys.executable, "-m", "bonding.experiments.cli", "params"], cwd=_user_folder(tmp_path),
                         capture_output=True, text=True)
    assert res.returncode == 0 and "ot_social_touch" in res.stdout, res.stderr[-2000:]


def test_run_overrides_are_checked_one_line():
    import pytest

    import bonding

    with pytest.raises(bonding.ParameterError, match="no_such_parameter"):
        bonding.run("baseline", households=2, months=0.01, seed=1, no_such_parameter=1.0)


def test_no_module_imports_a_bare_top_level_name():
    """Every import of our own code goes through ``bonding.``: a bare ``import model`` would pick up
    the user's file first."""
    offenders = []
    for folder in (*FOLDERS, "bonding", "tests", "benchmarks", "docs"):
        for path in (ROOT / folder).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                offenders += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names
                              if n.split(".")[0] in FOLDERS]
    assert not offenders, offenders


def test_pyproject_maps_every_package_folder():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert {k: v for k, v in cfg["package-dir"].items() if k != "bonding"} == {v: k for k, v in FOLDERS.items()}
    folders = {"bonding"} | {
        ".".join(("bonding", *p.parent.relative_to(ROOT).parts)) for top in FOLDERS
        for p in (ROOT / top).rglob("__init__.py") if ".venv" not in p.parts}
    assert set(cfg["packages"]) == folders
