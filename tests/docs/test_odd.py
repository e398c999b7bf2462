"""docs/ODD.md stays true to the code: its parameter table is the generated one."""

import importlib.util
from pathlib import Path

from bonding.model.params import PARAMS

ROOT = Path(__file__).resolve().parents[2]


def _load_update_odd():
    spec = importlib.util.spec_from_file_location("update_odd", ROOT / "docs" / "update_odd.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_parameter_table_matches_declaration():
    text = (ROOT / "docs" / "ODD.md").read_text()
    assert _load_update_odd().render(text) == text, "run: python docs/update_odd.py"


def test_every_parameter_is_in_the_odd():
    text = (ROOT / "docs" / "ODD.md").read_text()
    missing = [name for name in PARAMS if f"| {name} |" not in text]
    assert not missing


def test_named_process_functions_exist():
    """Every process function the ODD names in its schedule exists in the code."""
    from bonding.model import behaviour, daily, kernel, simulation

    text = (ROOT / "docs" / "ODD.md").read_text()
    for name in ("postnatal_hour", "_open_day", "_close_day", "_precompute_day"):
        assert hasattr(simulation.Simulation, name), name
    for name in ("_needs_and_cues", "_detect", "_respond", "_interaction_effects", "_learn",
                 "_count_episode", "_advance_hormones"):
        assert hasattr(kernel, name), name
        assert f"`{name}`" in text, name
    for name in ("availability_table", "update_ot_tone", "update_depression", "wean", "prenatal_bond"):
        assert hasattr(daily, name), name
    for name in ("choose_responder", "response_quality", "touch_kind", "synchrony_index", "dyad_synchrony",
                 "detection_probability", "attunement", "infant_distress", "infant_asleep", "emit_bid"):
        assert hasattr(behaviour, name), name
