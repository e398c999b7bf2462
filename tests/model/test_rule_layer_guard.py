"""Guard of the rule layer (issue 12): the compiled kernel holds order, indexing and bookkeeping only.

Every number of a rule lives in a named rule function (:mod:`model.behaviour`,
:mod:`model.physiology`, :mod:`model.learning`) or in a declared parameter, so ``model/kernel.py``
may contain no numeric literal other than 0 and 1 (indices, counters, "nothing happened"), and
its compiled processes call no arithmetic helpers (``min``, ``max``, ``np.*``, ``math.*``): those
belong to the rules. The kernel before the rule extraction (main at ac31e25) fails both: 16 literals
(0.55, 1.5, 0.4, 0.7, 0.8, 0.05, ...) and 6 min/max calls.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bonding.model import kernel as kernel_module

KERNEL = Path(kernel_module.__file__)
ALLOWED = (0, 1)
HELPERS = {"min", "max", "abs", "round", "pow"}


def numeric_literals(source: str) -> list[tuple[int, float]]:
    """(line, value) of every int/float literal other than 0 and 1 (booleans are not numbers)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                and not isinstance(node.value, bool) and node.value not in ALLOWED):
            found.append((node.lineno, node.value))
    return sorted(found)


def arithmetic_helper_calls(source: str) -> list[tuple[int, str]]:
    """(line, name) of calls to min/max/abs or numpy/math functions inside numba-compiled functions."""
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef):
            continue
        compiled = any("njit" in ast.unparse(d) or "jit" in ast.unparse(d) for d in fn.decorator_list)
        if not compiled:
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in HELPERS:
                found.append((node.lineno, f.id))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy", "math"):
                found.append((node.lineno, f"{f.value.id}.{f.attr}"))
    return found


def test_the_checker_finds_rule_numbers_and_helpers():
    snippet = ("import numba\n@numba.njit\ndef f(x, y):\n    y[0] = min(x + 0.2, 1.5)\n"
               "    for i in range(1):\n        y[i] = 0.0\n    return np.exp(x)\n")
    assert numeric_literals(snippet) == [(4, 0.2), (4, 1.5)]
    assert arithmetic_helper_calls(snippet) == [(4, "min"), (7, "np.exp")]


def test_kernel_has_no_numeric_literal_but_zero_and_one():
    found = numeric_literals(KERNEL.read_text())
    assert not found, ("rule numbers in model/kernel.py (move each into a named rule function as a sourced "
                       f"constant, or declare a parameter): {found}")


def test_kernel_processes_call_no_arithmetic_helpers():
    found = arithmetic_helper_calls(KERNEL.read_text())
    assert not found, f"rule arithmetic in the compiled processes of model/kernel.py: {found}"


def test_runtime_patch_of_a_compiled_rule_changes_nothing(monkeypatch):
    """As the kernel header says: numba froze the rule, so a patched threshold is ignored."""
    from bonding.model import ParamSet, Simulation
    from bonding.model import behaviour as bh

    def run():
        return Simulation(ParamSet.uniform(20), 0.05, 2).run().counters["n_feeds"].sum()

    before = run()
    monkeypatch.setattr(bh, "HUNGRY", 10.0)  # would stop every feed if it reached the kernel
    monkeypatch.setattr(bh, "hungry_cry", lambda bid, hunger: False)
    assert run() == before > 0


def rule_body_literals(source: str) -> dict[str, list[tuple[int, float]]]:
    """Numeric literals other than 0 and 1 inside each top-level function, except the exponent of ``**``."""
    found = {}
    for fn in ast.parse(source).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        exponents = {id(n.right) for n in ast.walk(fn) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)}
        lits = [(n.lineno, n.value) for n in ast.walk(fn)
                if isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool)
                and n.value not in ALLOWED and id(n) not in exponents]
        if lits:
            found[fn.name] = sorted(lits)
    return found


def test_the_rule_body_checker_finds_an_unnamed_coefficient():
    snippet = "def f(x):\n    return 0.6 * x ** 2 + 1.0\n\nC = 0.4\n\ndef g(x):\n    return C * x\n"
    assert rule_body_literals(snippet) == {"f": [(2, 0.6)]}


def test_behaviour_rules_hold_only_named_coefficients():
    """Every coefficient of a behaviour rule is a named module constant with a source (issue 12)."""
    from bonding.model import behaviour as behaviour_module

    found = rule_body_literals(Path(behaviour_module.__file__).read_text())
    assert not found, f"unnamed coefficients in model/behaviour.py rules (name them, with a source): {found}"


def _odd_submodels() -> str:
    text = (Path(kernel_module.__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()
    return text[text.index("## 7. Submodels"):text.index("## 8. ")]


def test_the_odd_names_every_rule_function():
    """docs/ODD.md section 7 names each public rule function of the rule modules (issue 12)."""
    import inspect

    from bonding.model import behaviour, daily, learning, physiology

    section = _odd_submodels()
    missing = []
    for module in (behaviour, physiology, learning):
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_") \
                    and name != "sigmoid" and f"{name}`" not in section:
                missing.append(f"{module.__name__.split('.')[-1]}.{name}")
    for name in ("open_day", "pregnancy_day", "prenatal_cortisol"):
        assert hasattr(daily, name)
        if f"`daily.{name}`" not in section:
            missing.append(f"daily.{name}")
    assert not missing, f"rule functions not named in docs/ODD.md section 7: {missing}"


def test_every_function_the_odd_names_exists():
    import importlib
    import re

    section = _odd_submodels()
    gone = []
    for module, name in set(re.findall(r"`(behaviour|physiology|learning|daily|roles|channels|interventions)"
                                       r"\.([A-Za-z_]+)`", section)):
        if name != "py" and not hasattr(importlib.import_module(f"model.{module}"), name):  # `learning.py` is a file
            gone.append(f"{module}.{name}")
    assert not gone, f"docs/ODD.md section 7 names functions that do not exist: {sorted(gone)}"
    assert "How to change a rule" in section and "no effect" in section
