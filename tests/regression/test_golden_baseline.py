"""Golden baseline: summary numbers of a small fixed run must stay within their tolerances.

If a change of model behaviour is intended, regenerate with
``python tests/regression/update_baseline.py`` and commit baseline.json with the change.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def _load_updater():
    spec = importlib.util.spec_from_file_location("bonding_update_baseline", HERE / "update_baseline.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


upd = _load_updater()


@pytest.fixture(scope="module")
def baseline():
    path = HERE / "baseline.json"
    if not path.exists():
        pytest.fail(f"{path} missing; create it with: {upd.UPDATE_COMMAND}")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def current(baseline):
    return upd.compute_summary(**baseline["config"])


def test_baseline_config_is_the_documented_small_run(baseline):
    assert baseline["config"] == upd.CONFIG
    assert len(baseline["values"]) >= 30


def test_summary_matches_golden_baseline(baseline, current):
    expected = baseline["values"]
    missing = sorted(set(expected) ^ set(current))
    assert not missing, (f"summary keys changed: {missing}. If intended, run: {upd.UPDATE_COMMAND}")
    bad = []
    for key, ref in expected.items():
        got, want, tol = current[key]["value"], ref["value"], ref["tol"]
        if math.isnan(want) and math.isnan(got):
            continue
        if not abs(got - want) <= tol:
            bad.append(f"{key}: {got:.6g} vs baseline {want:.6g} (tol {tol:.3g})")
    assert not bad, (f"golden baseline drift in {len(bad)} of {len(expected)} numbers:\n  "
                     + "\n  ".join(bad)
                     + f"\nIf this change of behaviour is intended, regenerate and commit: {upd.UPDATE_COMMAND}")


def test_summary_is_reproducible_bit_for_bit(baseline, current):
    again = upd.compute_summary(**baseline["config"])
    assert again == current, "the same seed gave a different summary"
