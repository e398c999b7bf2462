"""The three classroom demonstrations of docs/dashboard.md show what the page says they show.

Run headless on the dashboard's own model and reporters, with the default form the page starts
from (100 households, seed 1) and the one change the teacher makes, up to 6 months after birth.
"""

from __future__ import annotations

import pytest
from bonding.experiments.viz.demonstrations import (
    DEMONSTRATIONS,
    compare,
    demonstration_form,
    main,
    run_form,
)


@pytest.fixture(scope="module")
def baseline():
    return run_form(demonstration_form(seed=1))


@pytest.mark.parametrize("demo", DEMONSTRATIONS, ids=[d.name for d in DEMONSTRATIONS])
def test_demonstration_moves_each_series_in_the_documented_direction(demo, baseline):
    rows = compare(demo, seed=1, baseline=baseline)
    assert len(rows) == len(demo.measures)
    wrong = [f"{r['measure']}: {r['default']:.4g} -> {r['changed']:.4g}" for r in rows if not r["as_expected"]]
    assert not wrong, f"{demo.title}: {wrong}"


def test_demonstration_form_is_the_page_default_plus_one_change():
    form = demonstration_form({"ot_stress_buffering": 0.0}, seed=3)
    assert form["households"] == 100 and form["seed"] == "3" and form["ot_stress_buffering"] == 0.0
    assert demonstration_form({"scenario": "high_risk"})["poverty_stress"] == 0.5  # the scenario's sliders


def test_bad_seed_list_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--seeds", "1,x"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
