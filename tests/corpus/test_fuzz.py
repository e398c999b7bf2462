"""Hypothesis fuzz of the scenario loader and of ``--set``: whatever the input, the result is a
valid scenario (or values) or the one-line ``ParameterError``; never another exception."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from bonding.experiments.cli import parse_sets
from bonding.experiments.inputs import DECIMAL
from bonding.experiments.scenarios import TOP_LEVEL_KEYS, load_scenario
from bonding.model.interventions import REGISTRY
from bonding.model.params import PARAMS, ParameterError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

NAMES = sorted(PARAMS)
KEYS = st.sampled_from([*TOP_LEVEL_KEYS, "type", "role", "month", "coverage", *NAMES[:8]]) | st.text(max_size=12)
SCALARS = (st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=20) | st.sampled_from(["baseline", "../../escaped", "0.5", "father", *REGISTRY, *NAMES[:8]]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=12)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_document(doc: dict) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())


def _load(text: bytes | str):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        try:
            sc = load_scenario(str(path))
        except ParameterError as exc:
            assert "\n" not in str(exc)
            return None
        return sc


def _is_valid(sc) -> None:
    assert isinstance(sc.name, str) and "/" not in sc.name and not sc.name.startswith(".")
    assert all(isinstance(s, str) for s in sc.sources)
    for name, value in sc.params.items():
        assert name in PARAMS and isinstance(value, float) and PARAMS[name].lo <= value <= PARAMS[name].hi
    sc.build_interventions()


PLAUSIBLE = st.fixed_dictionaries({}, optional={
    "name": VALUES, "description": VALUES, "sources": VALUES, "extends": VALUES,
    "params": st.dictionaries(st.sampled_from(NAMES[:12]) | st.text(max_size=10), VALUES, max_size=4) | VALUES,
    "interventions": st.lists(st.dictionaries(KEYS, VALUES, max_size=4) | VALUES, max_size=3) | VALUES,
})
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,  # same examples every run: no flaky CI
               suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(PLAUSIBLE)
def test_scenario_loader_accepts_or_refuses_in_one_line(doc):
    sc = _load(toml_document(doc))
    if sc is not None:
        _is_valid(sc)


@FUZZ
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_scenario_loader_with_any_top_level_keys(doc):
    sc = _load(toml_document(doc))
    if sc is not None:
        _is_valid(sc)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_scenario_loader_with_any_bytes(raw):
    sc = _load(raw)
    if sc is not None:
        _is_valid(sc)


SET_ITEMS = st.lists(
    st.text(max_size=30)
    | st.builds(lambda n, v: f"{n}={v}", st.sampled_from(NAMES) | st.text(max_size=10),
                st.text(alphabet="0123456789._-+eEnaifx ", max_size=10) | st.floats().map(str)),
    max_size=4)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(SET_ITEMS)
@example(["adversity_ot_effect=0", "0\n0="])  # found by this fuzz in CI: a name with a newline made two lines
def test_set_parsing_gives_declared_names_and_finite_decimals_or_one_line(items):
    try:
        values = parse_sets(items)
    except ParameterError as exc:
        assert "\n" not in str(exc)
        return
    for item in items:
        name, text = (s.strip() for s in item.split("=", 1))
        assert name in PARAMS
        assert DECIMAL.fullmatch(text), text  # no 2_50, nan, inf, 0x1
        assert values[name] == float(text)
