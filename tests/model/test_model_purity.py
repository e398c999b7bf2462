"""model/ is the pure core: it never imports experiments/ or calibration/ (nor dashboard code)."""

from __future__ import annotations

import ast
from pathlib import Path

MODEL = Path(__file__).resolve().parents[2] / "model"
# model/ is bonding.model; its siblings under any spelling, and dashboard code, are forbidden to it
FORBIDDEN = ("bonding.experiments", "bonding.calibration", "experiments", "calibration", "dashboard", "solara")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def test_model_never_imports_experiments_or_calibration():
    files = sorted(MODEL.glob("*.py"))
    assert len(files) > 10
    bad = {f.name: sorted(m for m in _imported_modules(f) if _forbidden(m)) for f in files}
    assert not {k: v for k, v in bad.items() if v}


def test_the_purity_check_sees_an_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from bonding.experiments.scenarios import load_scenario\nimport calibration.problem\n")
    found = _imported_modules(probe)
    assert found == {"bonding.experiments.scenarios", "calibration.problem"}
    assert all(_forbidden(m) for m in found) and not _forbidden("bonding.model.params")
