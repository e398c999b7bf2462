"""calibration/targets.toml: every target's study exists, roles, strict validation, free parameters."""

from __future__ import annotations

import copy
import tomllib

import pytest
from bonding.calibration.free_parameters import FIXED, excluded_parameters, free_parameters
from bonding.calibration.study_targets import TARGETS_FILE, load_targets, parse_targets
from bonding.experiments.cli import main
from bonding.experiments.lab.studies import load_registry
from bonding.model.params import PARAMS, ParameterError

RAW = tomllib.loads(TARGETS_FILE.read_text())


def test_shipped_targets_load_and_every_study_is_in_the_registry():
    ts = load_targets()
    registry = load_registry()
    assert all(t.study in registry for t in ts.targets)
    counts = ts.counts()
    assert counts["check"] >= len(ts.targets) / 4  # at least a quarter held back
    assert counts["fit"] >= 10 and len(ts.targets) >= 30
    for name in ("A1", "A2_A", "A7", "A8", "P1", "P9", "PH16", "P10_r", "PH5", "M2", "M4", "M8_mothers", "S2", "I5", "I10"):
        assert any(t.study == name for t in ts.targets), name
    # near-duplicates: one fitted, the other held back (targets.md disattenuation note)
    roles = {t.name: t.role for t in ts.targets}
    assert (roles["A7"], roles["A6"]) == ("fit", "check")
    # single-lab OT-behaviour findings are sign checks
    for name in ("M2", "M4", "M8_mothers", "S2", "I5"):
        t = next(t for t in ts.targets if t.name == name)
        assert t.role == "check" and t.kind == "at_least"


def bad(mutate, studies=None):
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(ParameterError) as exc:
        parse_targets(data, where="t.toml: ", studies=studies)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("t.toml: ")
    return msg


def test_a_target_whose_study_is_missing_fails_loudly():
    msg = bad(lambda d: d["targets"]["A7"].update(study="A7_gone"))
    assert "targets.A7.study" in msg and "not a study of the registry" in msg
    # and when the registry loses a study the file names
    msg = bad(lambda d: None, studies=[s for s in load_registry() if s != "PH5"])
    assert "targets.PH5.study" in msg


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["targets"]["A7"].update(role="maybe"), "targets.A7.role"),
    (lambda d: d["targets"]["A7"].update(confidence="MEMORY"), "targets.A7.confidence"),
    (lambda d: d["targets"]["A7"].update(interval=[0.3, 0.4]), "targets.A7.interval"),
    (lambda d: d["targets"]["A7"].update(se=0.01), "targets.A7"),
    (lambda d: d["targets"]["A1"].update(value=1.5), "targets.A1.value"),
    (lambda d: d["targets"]["M2"].pop("tolerance"), "targets.M2"),
    (lambda d: d["targets"]["A7"].update(colour=1), "targets.A7.colour"),
    (lambda d: d["meta"].update(chosen_on="yesterday"), "meta.chosen_on"),
    (lambda d: d["targets"]["A6"].update(study="A7"), "targets.A7.study"),
])
def test_bad_fields_give_one_line_naming_the_field(mutate, field):
    assert field in bad(mutate)


def test_command_line_checks_targets_exit_2(tmp_path, capsys):
    f = tmp_path / "t.toml"
    f.write_text(TARGETS_FILE.read_text().replace('study = "PH5"', 'study = "PH55"'))
    assert main(["calibrate", "--method", "targets", "--targets", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "PH55" in err
    assert main(["calibrate", "--method", "targets"]) == 0
    assert "fit" in capsys.readouterr().out


def test_free_parameters_are_every_declared_one_not_fixed_with_a_reason():
    free = free_parameters()
    assert len(free) >= 30
    assert set(FIXED) <= set(PARAMS)  # a renamed parameter must be re-classified here
    held = excluded_parameters()
    assert set(free).isdisjoint(held) and set(free) | set(held) == set(PARAMS)
    assert all(reason for reason in held.values())
