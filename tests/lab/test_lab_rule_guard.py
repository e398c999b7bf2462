"""Static guard: the virtual lab calls the engine's rule functions and re-codes none of them.

Two checks over the source of ``experiments/lab``:

* every lab function that uses a rule the engine has calls that rule's function
  (:data:`RULE_USES`), so the lab cannot quietly switch to its own version;
* the lab's procedure functions (``procedures.py`` and the engine-facing inputs of ``ssp.py``)
  contain no numeric literal other than 0 and 1: a rule's coefficient written into the lab is a
  re-coded rule. The lab's own numbers live in its declared parameter tables (``*_PARAMS``) or
  in named module constants with a source; the SSP's second-by-second infant model
  (``ssp.run_procedure`` and its compiled loop ``ssp.episode_seconds``) is the lab's own rule, not the engine's, and is not checked here.

The last test shows that the literal check flags the three drifts it was written after (the
lines are quoted from the lab before the fix).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2] / "experiments" / "lab"

# lab function -> the engine rule functions (and lab wrappers of them) it must call
RULE_USES = {
    ("procedures", "snapshot"): {"attunement", "role_matrices", "expected_responsiveness"},
    ("procedures", "play"): {"attunement_static", "attunement_hourly", "role_matrices", "central_ot_step",
                             "plasma_ot_hour_mean", "session_ot_release", "session_infant_ot_release", "minute_responses", "minute_touch",
                             "minute_gaze_vocal_probability", "minute_positive_probability", "session_relief",
                             "session_synchrony"},
    ("procedures", "minute_responses"): {"response_quality"},
    ("procedures", "minute_touch"): {"episode_contact"},
    ("procedures", "session_ot_release"): {"touch_ot_release"},
    ("procedures", "session_infant_ot_release"): {"infant_touch_ot_release"},
    ("procedures", "minute_gaze_vocal_probability"): {"gaze_vocal_probability"},
    ("procedures", "minute_positive_probability"): {"positive_response_probability"},
    ("procedures", "session_relief"): {"relief"},
    ("procedures", "session_synchrony"): {"dyad_synchrony", "infant_maturity"},
    ("procedures", "cortisol_time_course"): {"circadian_cortisol", "cortisol_excess_step", "cortisol_level"},
    ("ssp", "dyad_inputs"): {"attunement", "role_matrices", "working_model_reading", "susceptibility",
                             "response_attunement", "frightening_state_risk"},
    ("ssp", "caregiver_fright_probability"): {"frightening_probability", "frightening_state_risk"},
    ("ssp", "dyad_constants"): {"caregiver_fright_probability", "learned_alarm", "sigmoid"},
    ("ssp", "run_procedure"): {"dyad_constants", "episode_fear", "conflict_probability", "apprehension_probability",
                               "episode_seconds"},
    ("ssp", "episode_fear"): {"caregiver_fear"},
    ("ssp", "episode_seconds"): {"freezing_probability", "approach_sigmoid"},  # the compiled second loop
    ("ssp", "approach_sigmoid"): {"sigmoid"},
}

# functions whose bodies may hold no numeric literal but 0 and 1
LITERAL_FREE = {"procedures": None, "ssp": {"dyad_inputs", "caregiver_fright_probability"}}  # None: every function

# Known copies of an engine number, each pinned to the engine bit for bit by a named agreement test
# ({(module, function): {value: test name}}). None left: the lab calls the rules for every number.
KNOWN_COPIES: dict[tuple[str, str], dict[float, str]] = {}


def _functions(module: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse((LAB / f"{module}.py").read_text())
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _called_names(fn: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
            out.update(a.attr if isinstance(a, ast.Attribute) else getattr(a, "id", "")
                       for a in node.args)  # rules passed to per_element(rule, ...)
    return out


def numeric_literals(source_or_node) -> list[float]:
    """Coefficient-like literals in a source string or AST node: any float, and any int operand of
    arithmetic or a comparison, other than 0 and 1 (indices, shapes and ``nout=`` are not coefficients)."""
    node = ast.parse(source_or_node) if isinstance(source_or_node, str) else source_or_node
    operands = set()
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp):
            operands.update((id(n.left), id(n.right)))
        elif isinstance(n, ast.UnaryOp):
            operands.add(id(n.operand))
        elif isinstance(n, ast.Compare):
            operands.update(id(c) for c in (n.left, *n.comparators))
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value not in (0, 1)
            and (type(n.value) is float or (type(n.value) is int and id(n) in operands))]


@pytest.mark.parametrize(("module", "function"), sorted(RULE_USES))
def test_lab_function_calls_the_engines_rules(module, function):
    fns = _functions(module)
    assert function in fns, f"{module}.{function} is gone: update RULE_USES"
    missing = RULE_USES[(module, function)] - _called_names(fns[function])
    assert not missing, f"{module}.{function} no longer calls {sorted(missing)}"


@pytest.mark.parametrize("module", sorted(LITERAL_FREE))
def test_lab_procedures_hold_no_rule_coefficients(module):
    fns = _functions(module)
    names = LITERAL_FREE[module] or set(fns)
    found = {}
    for name in sorted(names):
        allowed = KNOWN_COPIES.get((module, name), {})
        bad = [v for v in numeric_literals(fns[name]) if v not in allowed]
        if bad:
            found[name] = bad
    assert not found, f"numeric literals in experiments/lab/{module}.py (re-coded rules?): {found}"


def test_known_copies_are_pinned_by_an_existing_agreement_test():
    text = (Path(__file__).with_name("test_lab_engine_agreement.py")).read_text()
    for copies in KNOWN_COPIES.values():
        for test in copies.values():
            assert f"def {test}(" in text, test


@pytest.mark.parametrize("line", [
    # synchrony without the cortisol, testosterone and maturity terms of dyad_synchrony
    "k_i = 0.5 * p.sync_coupling[:, None] * np.maximum(1 + p.ot_synchrony[:, None] * np.log(np.maximum(inf_ot1, 1e-3)), 0)",
    # vocalisation without the social-bid term
    "vocal = engaged & (u[:, 4] < p_gaze * 0.8)",
    # every insensitive response relieving 0.5
    "rel = sens.mean(0) * 1.0 + (engaged & ~sens).mean(0) * 0.5",
])
def test_the_literal_check_catches_the_drifts_it_was_written_after(line):
    assert numeric_literals(line)
