"""docs/ODD.md stays true to the code: its parameter table is the generated one."""

import importlib.util
from pathlib import Path

from model.params import PARAMS

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
    from model import behaviour, daily, simulation

    for name in ("grow_needs_and_emit_cues", "detect_cues", "respond", "interaction_effects",
                 "learn", "advance_hormones", "_open_day", "_close_day", "_precompute_day"):
        assert hasattr(simulation.Simulation, name), name
    for name in ("availability_table", "update_ot_tone", "update_depression", "wean", "prenatal_bond"):
        assert hasattr(daily, name), name
    for name in ("choose_responder", "response_quality", "touch_kind", "synchrony_index",
                 "detection_probability", "attunement"):
        assert hasattr(behaviour, name), name
