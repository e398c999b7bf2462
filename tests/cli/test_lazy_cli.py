"""The command line registers subcommands lazily and without import cycles (issue 16, part 4)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from bonding.experiments import cli

ROOT = Path(cli.__file__).resolve().parent.parent
HEAVY = ("numba", "pandas", "scipy", "matplotlib", "SALib", "dask", "bonding.model.simulation", "bonding.experiments.compare",
         "bonding.calibration.cli", "bonding.calibration.sensitivity", "bonding.experiments.lab.validate")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return set(out.split())


@pytest.mark.parametrize("argv", [["--help"], ["params"], ["scenarios", "--help"]])
def test_help_and_params_import_no_heavy_module(argv):
    loaded = _modules_after(f"import contextlib, io\nfrom experiments.cli import main\n"
                            f"with contextlib.redirect_stdout(io.StringIO()):\n"
                            f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass")
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY
                   or any(m.startswith(h + ".") for h in HEAVY))
    assert not heavy, heavy


def test_the_listing_matches_the_registered_commands():
    full = cli.build_parser(cli.ALL)
    lazy = cli.build_parser(None)
    sub_full = next(a for a in full._actions if a.dest == "command")
    sub_lazy = next(a for a in lazy._actions if a.dest == "command")
    assert list(sub_lazy.choices) == list(sub_full.choices)
    helps_full = {a.dest: a.help for a in sub_full._choices_actions}
    helps_lazy = {a.dest: a.help for a in sub_lazy._choices_actions}
    assert helps_lazy == helps_full, "LAZY_COMMANDS help differs from the module's own"
    for name in cli.RESUMABLE:
        options = {o for a in sub_full.choices[name]._actions for o in a.option_strings}
        assert "--allow-code-change" in options, name


def test_only_the_named_command_s_module_is_imported():
    loaded = _modules_after("from experiments.cli import build_parser\nbuild_parser('study')")
    assert "bonding.experiments.lab.cli" in loaded
    assert "bonding.experiments.compare" not in loaded and "bonding.calibration.cli" not in loaded


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


@pytest.mark.parametrize("module", ["experiments/compare.py", "experiments/lab/cli.py", "calibration/cli.py",
                                    "calibration/sensitivity/cli.py", "experiments/cliutil.py"])
def test_registering_modules_do_not_import_the_cli_back(module):
    assert "bonding.experiments.cli" not in _imports(ROOT / module), f"{module} imports experiments.cli (a cycle)"
    if module.endswith("cliutil.py"):
        assert not {m for m in _imports(ROOT / module) if m.split(".")[0] in ("model", "experiments", "calibration")
                    and m != "bonding.experiments.inputs" and m != "bonding.model.params"}
