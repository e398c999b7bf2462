"""The dashboard's controls are derived from the parameter declaration; bad forms are refused.

Pure Python (no Solara): runs without the dashboard extra.
"""

from __future__ import annotations

import math

import pytest
from bonding.experiments.cli import MAX_MONTHS
from bonding.experiments.scenarios import available_scenarios, load_scenario
from bonding.experiments.viz.controls import (
    DASHBOARD_PARAMS,
    SEED_MAX,
    TEACHING_PARAMETERS,
    changes_from_scenario,
    control_for,
    dashboard_controls,
    describe_changes,
    initial_form,
    parse_extra,
    parse_settings,
    scenario_names,
    scenario_values,
    slider_step,
    teaching_controls,
)
from bonding.model.params import PARAMS, Param, ParameterError


@pytest.mark.parametrize("name", TEACHING_PARAMETERS)
def test_teaching_slider_takes_bounds_default_unit_and_meaning_from_params(name):
    p, c = PARAMS[name], teaching_controls()[name]
    assert (c.min, c.max, c.value) == (p.lo, p.hi, p.default)
    assert c.widget == ("SliderInt" if p.integer else "SliderFloat")
    assert p.teaching is not None, f"{name} is shown to a class but has no teaching label"
    assert (c.label, c.unit, c.meaning) == (p.teaching.label, p.teaching.unit, p.teaching.meaning)
    assert c.label != p.name and p.name not in c.caption(p.default)  # code names only in the tooltip
    assert p.name in c.help and p.meaning in c.help and p.unit in c.help and p.source in c.help
    assert c.caption(p.default) == f"{p.default:g} {p.teaching.unit} (range {p.lo:g} to {p.hi:g}). {p.teaching.meaning}"
    steps_to_default = (p.default - p.lo) / c.step
    assert math.isclose(steps_to_default, round(steps_to_default), abs_tol=1e-6), "default not on the slider grid"
    assert (p.hi - p.lo) / c.step <= 1000, "slider too fine to drag"


def test_teaching_subset_has_the_four_ot_domains_and_only_declared_names():
    assert set(TEACHING_PARAMETERS) <= set(PARAMS)
    assert {"ot_stress_buffering", "ot_emotion_recognition", "ot_synchrony", "ot_social_touch"} <= set(TEACHING_PARAMETERS)
    assert list(teaching_controls()) == list(TEACHING_PARAMETERS)


def test_population_and_run_length_sliders_follow_their_declarations():
    dash = dashboard_controls()
    assert dash["households"].widget == "SliderInt" and dash["households"].caption(100).startswith("100 families (range 10 to 2000)")
    assert (dash["households"].min, dash["households"].max, dash["households"].value) == (10, 2000, 100)
    assert dash["months"].max == MAX_MONTHS and dash["months"].value == DASHBOARD_PARAMS["months"].default


def test_slider_step_hits_an_awkward_default():
    p = Param("x", 0.125, 0, 1, "u", "s", "m", "g")
    assert slider_step(p) == pytest.approx(0.001)
    assert control_for(p).coerce(0.12500000000000003) == 0.125


def test_initial_form_is_the_declared_defaults_and_parses():
    s = parse_settings(initial_form())
    assert s.scenario == "baseline" and s.seed == 1 and s.households == 100 and s.start_at_birth
    assert s.values == {n: PARAMS[n].default for n in TEACHING_PARAMETERS}
    assert s.extra == {}


def test_choosing_a_scenario_shows_its_values_on_the_sliders():
    sc = load_scenario("high_risk").params
    values = scenario_values("high_risk")
    for name in TEACHING_PARAMETERS:
        assert values[name] == sc.get(name, PARAMS[name].default)
    assert values["poverty_stress"] != PARAMS["poverty_stress"].default  # high_risk sets it
    assert scenario_names() == list(available_scenarios())


def test_seed_from_a_text_box_is_cast_and_extra_overrides_parse():
    form = {**initial_form(), "seed": " 42 ", "extra": "cortisol_halflife=80; cry_stress = 0.5\nbond_decay_per_day=0"}
    s = parse_settings(form)
    assert s.seed == 42 and isinstance(s.seed, int)
    assert s.extra == {"cortisol_halflife": 80.0, "cry_stress": 0.5, "bond_decay_per_day": 0.0}
    assert s.overrides()["cortisol_halflife"] == 80.0 and s.overrides()["ot_synchrony"] == PARAMS["ot_synchrony"].default
    assert parse_extra("") == {}


@pytest.mark.parametrize("field,value,must_contain", [
    ("seed", "abc", ["seed", "not a whole number", str(SEED_MAX)]),
    ("seed", "1.5", ["seed", "not a whole number"]),
    ("seed", "-1", ["seed", "out of range", "0 to"]),
    ("households", 5, ["households", "out of range", "10 to 2000"]),
    ("months", 0, ["months", "out of range", f"1 to {MAX_MONTHS}"]),
    ("ot_synchrony", 3.0, ["ot_synchrony", "out of range", "0 to 2"]),
    ("p_father_present", "lots", ["p_father_present", "not a number"]),
    ("scenario", "no_such", ["scenario", "baseline", "high_risk"]),
    ("extra", "cortisol_halflife", ["other parameters", "NAME=VALUE"]),
    ("extra", "no_such_parameter=1", ["other parameters", "no_such_parameter", "unknown parameter"]),
    ("extra", "cortisol_halflife=5", ["other parameters", "cortisol_halflife", "40 to 120"]),
    ("extra", "ot_synchrony=1", ["ot_synchrony", "its own slider"]),
])
def test_bad_form_value_is_refused_with_one_line_naming_field_and_range(field, value, must_contain):
    with pytest.raises(ParameterError) as info:
        parse_settings({**initial_form(), field: value})
    message = str(info.value)
    assert "\n" not in message
    for text in must_contain:
        assert text in message, f"{text!r} not in {message!r}"


def test_describe_changes_names_what_differs():
    before = initial_form()
    after = {**before, "ot_stress_buffering": 0.0, "seed": "2"}
    assert describe_changes(before, after) == "seed 1 (now 2), ot_stress_buffering 0.5 (now 0.0)"
    assert describe_changes(before, dict(before)) == "same settings"
    many = {**before, **{name: 0.0 for name in TEACHING_PARAMETERS}}
    assert describe_changes(before, many).endswith("more")


def test_changes_from_scenario_lists_only_what_differs_from_the_scenario():
    form = initial_form("high_risk")
    assert changes_from_scenario(form) == ""  # the sliders show high_risk's own values
    form.update(ot_synchrony=0.0, extra="cry_stress=1")
    assert changes_from_scenario(form) == "ot_synchrony=0, cry_stress=1"
