"""The dashboard page, rendered headless with Solara's testing API (no browser, no server).

``solara.render`` builds the widget tree in-process; widgets are found by type and label and
clicked or set as a browser would (``widget.click()``, ``widget.v_model = ...``). The page is
wrapped in ``AppLayout`` as ``solara run`` does, so that the sidebar's controls are rendered.
"""

from __future__ import annotations

import base64
import time

import pandas as pd
import pytest

solara = pytest.importorskip("solara", reason="the dashboard extra is not installed: pip install -e '.[dashboard]'")
v = pytest.importorskip("ipyvuetify")
ipywidgets = pytest.importorskip("ipywidgets")

from bonding.experiments.viz.controls import (  # noqa: E402
    HOURS_PER_STEP,
    TEACHING_PARAMETERS,
    dashboard_controls,
    initial_form,
    parse_settings,
    teaching_controls,
)
from bonding.experiments.viz.dashboard_model import DashboardModel  # noqa: E402
from bonding.experiments.viz.figures import describe_member, household_members  # noqa: E402
from bonding.experiments.viz.page import TAB_NAMES, DashboardState, Page  # noqa: E402
from bonding.model.params import PARAMS  # noqa: E402

SMALL = {"households": 20, "months": 2, "start_at_birth": False}


def render_page(**form_changes):
    """A small session (20 households, from pregnancy) rendered as ``solara run`` lays it out."""
    form = {**initial_form(), **SMALL, **form_changes}
    state = DashboardState(form)

    @solara.component
    def App():
        with solara.AppLayout():
            Page(state)

    _, rc = solara.render(App(), handle_error=False)
    return state, rc


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def slider(rc, label: str):
    return rc.find(v.Slider, label=label).widget


def texts(widget) -> list[str]:
    """Every string shown under ``widget``."""
    out = []
    for child in getattr(widget, "children", []) or []:
        out += [child] if isinstance(child, str) else texts(child)
    return out


def alerts(rc, kind: str) -> list[str]:
    found = rc.find(v.Alert, type=kind)
    return [" ".join(texts(w)) for w in found.widgets] if found else []


def wait_for(condition, timeout: float = 120.0) -> bool:
    """Poll ``condition`` (the Play thread re-renders the page in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except ValueError:  # a widget being re-rendered
            pass
        time.sleep(0.02)
    return False


@pytest.fixture(autouse=True)
def quick_figures(request, monkeypatch):
    """Tests about controls draw a blank figure instead of the real plots (those cost ~1 s per
    redraw on the shared test machine); tests marked ``real_figures`` draw the real ones."""
    if request.node.get_closest_marker("real_figures"):
        return
    from bonding.experiments.viz import figures
    from matplotlib.figure import Figure

    for name in ("hormone_figure", "bond_figure", "infant_figure", "household_figure", "bond_distribution_figure",
                 "bond_share_figure"):
        monkeypatch.setattr(figures, name, lambda *args, **kwargs: Figure(figsize=(1, 1)))


@pytest.fixture
def page():
    return render_page()


@pytest.mark.real_figures
def test_page_renders_run_controls_derived_sliders_and_plots(page):
    state, rc = page
    for label in ("Reset", "Play", "Step"):
        assert button(rc, label) is not None
    for control in [*dashboard_controls().values(), *teaching_controls().values()]:
        w = slider(rc, control.label)
        p = PARAMS.get(control.name)
        if p is not None:  # a model parameter: the slider is its declaration
            assert (w.min, w.max) == (p.lo, p.hi)
        assert (w.min, w.max, w.step) == (control.min, control.max, control.step)
    sync = teaching_controls()["ot_synchrony"]
    assert slider(rc, sync.label).v_model == PARAMS["ot_synchrony"].default
    assert sync.caption(PARAMS["ot_synchrony"].default) in texts(rc.container)  # value, unit, meaning
    assert rc.find(v.TextField, label="Seed (whole number)").widget.v_model == "1"
    tabs = rc.find(v.Tabs).widget
    assert rc.find(v.Tabs).widget.v_model == TAB_NAMES.index("Household")  # no lesson: the household first
    for tab, n_trends, n_images in ((2, 1, 0), (3, 2, 0), (4, 1, 0), (1, 0, 0)):  # only the open tab is drawn
        tabs.v_model = tab
        trends = trend_figures(rc)
        assert len(trends) == n_trends, tab
        for trend in trends:  # a PNG background (axes, legends) and the current lines as SVG on it
            background = trend.attributes["style"].split("base64,")[1].split(")")[0]
            assert base64.b64decode(background)[:4] == b"\x89PNG" and "class=\"trend-lines\"" in trend.unsafe_innerHTML
        pngs = [w.value for w in rc.find(ipywidgets.Image).widgets]
        assert len(pngs) == n_images and all(bytes(p[:4]) == b"\x89PNG" for p in pngs), tab
    assert any("seed 1" in t and "20 households" in t for t in texts(rc.container))


@pytest.mark.parametrize("choice", ["6 hours", "1 week"])
def test_step_advances_the_model_by_the_chosen_hours(page, choice):
    state, rc = page
    rc.find(v.Select, label="Hours per step").widget.v_model = choice
    model, hour = state.model.value, state.model.value.sim.hour
    button(rc, "Step").click()
    assert state.model.value is model
    assert model.sim.hour - hour == HOURS_PER_STEP[choice] == model.steps
    assert any(f"step {HOURS_PER_STEP[choice]} " in t for t in texts(rc.container)), "status line not redrawn"


def test_slider_change_then_reset_rebuilds_with_that_value_and_the_same_seed(page):
    state, rc = page
    rc.find(v.TextField, label="Seed (whole number)").widget.v_model = "11"
    slider(rc, teaching_controls()["ot_stress_buffering"].label).v_model = 0.0
    slider(rc, dashboard_controls()["households"].label).v_model = 30
    assert any("press Reset" in a for a in alerts(rc, "info")), "pending changes not flagged"
    old = state.model.value
    button(rc, "Step").click()
    assert state.model.value is old and old.sim.p.ot_stress_buffering[0] == PARAMS["ot_stress_buffering"].default
    button(rc, "Reset").click()
    new = state.model.value
    assert new is not old and new.sim.hour == 0
    assert new.sim.seed == 11 and new.sim.H == 30 and (new.sim.p.ot_stress_buffering == 0.0).all()
    assert not alerts(rc, "info") and not alerts(rc, "error")
    assert "Changed from the scenario: ot_stress_buffering=0" in texts(rc.container)
    previous = state.previous.value  # the run before Reset, kept for the dashed comparison
    pd.testing.assert_frame_equal(previous.history, old.history())
    assert "ot_stress_buffering 0.5 (now 0.0)" in previous.label and "seed 1 (now 11)" in previous.label
    assert slider(rc, teaching_controls()["ot_stress_buffering"].label).v_model == 0.0  # the sliders keep it
    assert rc.find(v.TextField, label="Seed (whole number)").widget.v_model == "11"
    # Reset again: the same settings, the same seed, the same run, bit for bit
    button(rc, "Step").click()
    first = state.model.value.history()
    button(rc, "Reset").click()
    button(rc, "Step").click()
    pd.testing.assert_frame_equal(state.model.value.history(), first)
    direct = DashboardModel.from_settings(parse_settings(state.form.value))
    direct.advance(24)
    pd.testing.assert_frame_equal(direct.history(), first)


@pytest.mark.parametrize("where,value,must_contain", [
    ("seed", "twelve", ["seed", "not a whole number"]),
    ("extra", "cortisol_halflife=5", ["cortisol_halflife", "40 to 120"]),
])
def test_bad_value_is_refused_with_a_message_and_the_model_kept(page, where, value, must_contain):
    state, rc = page
    label = "Seed (whole number)" if where == "seed" else "NAME=VALUE, NAME=VALUE"
    rc.find(v.TextField, label=label).widget.v_model = value
    model = state.model.value
    button(rc, "Reset").click()
    errors = alerts(rc, "error")
    assert len(errors) == 1 and all(t in errors[0] for t in must_contain), errors
    assert state.model.value is model
    button(rc, "Step").click()  # still usable
    assert model.sim.hour == 24


def test_choosing_a_scenario_moves_the_sliders_and_reset_runs_it(page):
    state, rc = page
    rc.find(v.Select, label="Scenario").widget.v_model = "high_risk"
    assert slider(rc, teaching_controls()["poverty_stress"].label).v_model == 0.5
    button(rc, "Reset").click()
    assert state.model.value.scenario_name == "high_risk"
    assert (state.model.value.sim.p.poverty_stress == 0.5).all()


def test_play_runs_in_the_background_and_stops_at_the_end():
    state, rc = render_page(months=1, start_at_birth=True)
    state.play_delay_ms.value = 0
    rc.find(v.Select, label="Hours per step").widget.v_model = "1 week"
    button(rc, "Play").click()
    assert wait_for(lambda: not state.playing.value), "Play did not stop at the end of the run"
    assert state.play_idle.wait(30), "the Play thread did not finish"
    assert not state.model.value.running
    history = state.model.value.history()
    assert history["age_days"].iloc[-1] >= 29  # every day to the end of the month was collected
    assert wait_for(lambda: button(rc, "Step").disabled and button(rc, "Play").disabled)
    assert wait_for(lambda: any("run finished" in t for t in texts(rc.container)))


def test_pause_stops_play():
    state, rc = render_page()
    state.play_delay_ms.value = 20
    button(rc, "Play").click()
    assert wait_for(lambda: state.model.value.sim.hour >= 48), "Play did not step"
    assert wait_for(lambda: button(rc, "Pause").click() or True)
    assert wait_for(lambda: not state.playing.value)
    assert state.play_idle.wait(30), "the Play thread did not finish"
    hour = state.model.value.sim.hour  # no thread is left that could step
    assert state.model.value.running and state.play_idle.is_set() and state.model.value.sim.hour == hour
    assert wait_for(lambda: not button(rc, "Step").disabled)


def trend_figures(rc) -> list:
    """The trend figures on the page (``TrendPlot``): PNG background, SVG lines."""
    return [w for w in rc.find(solara.widgets.HTML).widgets if w.attributes.get("class") == "trend-figure"]


@pytest.mark.real_figures
def test_a_step_sends_new_lines_and_keeps_the_background():
    state, rc = render_page(start_at_birth=True)
    rc.find(v.Tabs).widget.v_model = TAB_NAMES.index("Hormones")
    button(rc, "Step").click()  # the first day after birth: prolactin's peak widens its axis (a new figure)
    (figure,) = trend_figures(rc)
    style, lines = figure.attributes["style"], figure.unsafe_innerHTML
    days = state.model.value.days_recorded()
    button(rc, "Step").click()  # one day
    assert f'data-days="{days + 1}"' in figure.unsafe_innerHTML and figure.unsafe_innerHTML != lines
    assert figure.attributes["style"] is style  # the background PNG was not made or sent again
    state.hours_per_step.value = "1 hour"
    lines = figure.unsafe_innerHTML
    button(rc, "Step").click()  # within a day: no new daily mean, nothing redrawn
    assert figure.unsafe_innerHTML == lines


def household_html(rc) -> str:
    """The household view's SVG as the page holds it."""
    return rc.find(attributes={"class": "household-view"}).widget.unsafe_innerHTML


@pytest.mark.real_figures
def test_household_tab_shows_the_chosen_household_as_people_and_changes_hour_by_hour():
    state, rc = render_page(start_at_birth=True)
    rc.find(v.Tabs).widget.v_model = TAB_NAMES.index("Household")
    model = state.model.value
    slider(rc, "Household 0").v_model = 7
    assert slider(rc, "Household 7").v_model == 7
    expected = "Members: " + "; ".join(describe_member(r) for r in household_members(model, 7))
    assert expected in texts(rc.container)
    svg = household_html(rc)
    assert 'data-household="7"' in svg and 'data-role="mother"' in svg and 'data-role="infant"' in svg
    rc.find(v.Select, label="Hours per step").widget.v_model = "1 hour"
    seen = {svg}
    for _ in range(6):
        button(rc, "Step").click()
        seen.add(household_html(rc))
    assert len(seen) >= 4, "the household view did not change hour by hour"
    assert set(TEACHING_PARAMETERS) <= set(state.form.value)


def test_a_lesson_url_opens_its_preset_on_the_lesson_tab_and_a_bad_one_says_so():
    from bonding.experiments.viz.lessons import LESSONS

    lesson = LESSONS[1]
    state, problem = DashboardState.from_url(f"lesson={lesson.name}")
    assert problem is None and state.lesson is lesson and state.tab.value == TAB_NAMES.index("Lesson")
    assert state.form.value == lesson.form() and state.hours_per_step.value == lesson.hours_per_step
    assert state.model.value.sim.H == parse_settings(lesson.form()).households
    state, problem = DashboardState.from_url("lesson=nope")
    assert state.lesson is None and "lesson: 'nope' is not a lesson (allowed: " in problem
    state, problem = DashboardState.from_url(None)
    assert state.lesson is None and problem is None and state.tab.value == TAB_NAMES.index("Household")


def test_the_answer_is_shown_only_on_demand():
    from bonding.experiments.viz.lessons import LESSONS

    state = DashboardState(lesson=LESSONS[0])

    @solara.component
    def App():
        with solara.AppLayout():
            Page(state)

    _, rc = solara.render(App(), handle_error=False)
    assert LESSONS[0].answer not in " ".join(alerts(rc, "success"))
    button(rc, "Show the expected answer").click()
    assert LESSONS[0].answer in " ".join(alerts(rc, "success"))


def test_page_says_preparing_and_offers_no_button_until_the_kernel_is_ready(monkeypatch):
    import threading

    from bonding.experiments.viz import page as page_module

    ready = threading.Event()
    monkeypatch.setattr(page_module, "KERNEL_READY", ready)
    monkeypatch.setattr(page_module, "start_preparing", lambda: None)  # the test says when it is ready

    @solara.component
    def App():
        with solara.AppLayout():
            Page()

    _, rc = solara.render(App(), handle_error=False)
    assert any("Preparing the model" in a for a in alerts(rc, "info"))
    assert not rc.find(v.Btn, children=["Step"]).widgets  # no click can queue up
    ready.set()
    assert wait_for(lambda: rc.find(v.Btn, children=["Step"]).widgets), "the page never became ready"
    assert not any("Preparing the model" in a for a in alerts(rc, "info"))


def test_info_tab_has_netlogos_sections(page):
    from bonding.experiments.viz.info import INFO_SECTIONS

    state, rc = page
    rc.find(v.Tabs).widget.v_model = TAB_NAMES.index("Info")
    shown = rc.find(attributes={"class": "info-panel"}).widget.unsafe_innerHTML
    titles = [title for title, _ in INFO_SECTIONS]
    assert titles == ["What is it?", "How it works", "How to use it", "Things to notice", "Things to try",
                      "Credits and sources"]
    for title, text in INFO_SECTIONS:
        assert f"<h4>{title}</h4>" in shown and len(text.split(". ")) >= 3


def test_reset_while_playing_stops_play_and_builds_the_new_model_cleanly():
    state, rc = render_page()
    state.play_delay_ms.value = 0
    button(rc, "Play").click()
    assert wait_for(lambda: state.model.value.sim.hour >= 24), "Play did not step"
    old = state.model.value
    button(rc, "Reset").click()  # while the Play thread steps
    assert not state.playing.value and state.model.value is not old
    assert state.play_idle.wait(60), "the Play thread did not finish"
    new = state.model.value
    assert new.sim.hour == 0 and state.error.value is None  # no step of the old run reached the new one
    history = state.previous.value.history
    assert len(history) == len(history.dropna(how="all"))  # the old run's table is whole


def test_a_play_step_is_skipped_once_play_was_stopped(page):
    """Pause or Reset clear ``playing`` before they take the step lock: a Play step that was
    waiting for the lock then does nothing, so it can never step a model built by Reset."""
    state, rc = page
    model, hour = state.model.value, state.model.value.sim.hour
    assert not state.playing.value
    assert state.step(while_playing=True) == 0 and model.sim.hour == hour
    assert state.step() == state.hours and model.sim.hour == hour + state.hours  # a click still steps


def test_simulation_slots_follow_the_threads_flag(monkeypatch):
    from bonding.experiments import cliutil
    from bonding.experiments.viz import page
    from bonding.experiments.viz.cli import THREADS_ENV

    monkeypatch.setattr(cliutil, "available_cores", lambda: 2)
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert page.simulation_slots() == 2  # default: all cores
    monkeypatch.setenv(THREADS_ENV, "1")
    assert page.simulation_slots() == 1


def test_sessions_simulate_no_more_at_once_than_the_slots(monkeypatch):
    """Three sessions stepping in three threads with one slot: never two models advancing at once."""
    import threading

    from bonding.experiments.viz import page

    monkeypatch.setattr(page, "SIMULATING", threading.BoundedSemaphore(1))
    inside, most, lock = [0], [0], threading.Lock()
    advance = DashboardModel.advance

    def counted(self, hours):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            return advance(self, hours)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(DashboardModel, "advance", counted)
    sessions = [DashboardState({**initial_form(), **SMALL}) for _ in range(3)]
    threads = [threading.Thread(target=lambda s=s: [s.step() for _ in range(3)]) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1 and all(s.model.value.steps == 3 * 24 for s in sessions)
