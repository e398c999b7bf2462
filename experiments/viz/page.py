"""The Solara page of the classroom dashboard (``Page``), and the state of one browser session.

Why not Mesa's stock ``SolaraViz`` page: this page keeps its layout and its idea of Mesa-driven
controls (Reset / Play / Step, a steps-per-click control, matplotlib plot components reading the
model's DataCollector) but fixes what a classroom trips over in Mesa 3.5.1's controller:

- Reset rebuilds the model from *validated* settings; a bad value (e.g. a seed that is not a
  whole number, mesa/mesa #3516) shows a one-line message naming the field and the allowed
  range, and the running model stays, where the stock ``do_reset`` raises inside the click handler;
- every control is bound to the session's form, so what the sliders show is what Reset uses,
  seed included, after any number of Resets (the class of bug fixed by mesa/mesa PR #2505);
- "hours per step" offers 1 hour to 4 weeks (one Mesa step is one simulated hour; the stock
  render-interval slider stops at 100 steps, cf. mesa/mesa PR #2596);
- changed settings not yet applied are flagged until Reset.

The state lives in :class:`DashboardState` (one per session; tests pass their own).
"""

from __future__ import annotations

import threading

import solara
import solara.lab

from experiments.viz import figures
from experiments.viz.controls import (
    DEFAULT_HOURS_PER_STEP,
    HOURS_PER_STEP,
    TEACHING_PARAMETERS,
    Control,
    changes_from_scenario,
    dashboard_controls,
    describe_changes,
    initial_form,
    parse_settings,
    scenario_names,
    scenario_values,
    teaching_controls,
)
from experiments.viz.dashboard_model import DashboardModel
from model.params import ParameterError

OT_DOMAINS = TEACHING_PARAMETERS[:4]
FAMILY_AND_STRESS = TEACHING_PARAMETERS[4:]
FIGURE_DPI = 80  # the PNGs sent to the browser; lower = quicker Play
CAPTION = {"font-size": "0.8em", "color": "#666", "line-height": "1.2"}


class DashboardState:
    """One session: the editable form, the running model, and the run controls.

    ``form`` holds raw widget values; ``applied`` is the form the running model was built from.
    Reset validates ``form`` and either swaps in a new model or sets ``error`` and keeps the old.
    """

    def __init__(self, form: dict | None = None, hours_per_step: str = DEFAULT_HOURS_PER_STEP):
        form = dict(form or initial_form())
        settings = parse_settings(form)  # the initial form must be valid
        self.form = solara.reactive(form)
        self.applied = solara.reactive(dict(form))
        self.model = solara.reactive(DashboardModel.from_settings(settings))
        self.error = solara.reactive(None)
        self.tick = solara.reactive(0)  # bumped after every step: the plots' dependency
        self.hours_per_step = solara.reactive(hours_per_step)
        self.play_delay_ms = solara.reactive(100)
        self.playing = solara.reactive(False)
        self.household = solara.reactive(0)
        self.previous = solara.reactive(None)  # figures.PreviousRun: the run before the last Reset
        self.show_previous = solara.reactive(True)
        self._lock = threading.RLock()  # one stepper at a time (the Play thread or a click)
        self.play_idle = threading.Event()  # set while no Play thread is running
        self.play_idle.set()

    @property
    def hours(self) -> int:
        return HOURS_PER_STEP[self.hours_per_step.value]

    @property
    def pending(self) -> bool:
        """Whether the form differs from what the running model was built with."""
        return self.form.value != self.applied.value

    def set_field(self, name: str, value) -> None:
        """Change one form field; choosing a scenario moves the sliders to its values."""
        form = {**self.form.value, name: value}
        if name == "scenario" and value in scenario_names():
            form.update(scenario_values(value))
        self.form.value = form

    def step(self) -> int:
        """Advance the model by the chosen hours; return the hours simulated."""
        with self._lock:
            hours = self.model.value.advance(self.hours)
            self.tick.value += 1  # under the lock: a click and the Play thread never lose a tick
        return hours

    def toggle_play(self) -> None:
        self.playing.value = not self.playing.value and self.model.value.running

    def reset(self) -> bool:
        """Rebuild the model from the form (same seed unless the form's seed changed)."""
        self.playing.value = False
        try:
            settings = parse_settings(self.form.value)
            with self._lock:
                model = DashboardModel.from_settings(settings)
        except ParameterError as exc:
            self.error.value = str(exc)
            return False
        old = self.model.value
        self.previous.value = figures.PreviousRun(old.history(), describe_changes(self.applied.value, self.form.value))
        self.model.value = model
        self.applied.value = dict(self.form.value)
        self.household.value = min(self.household.value, settings.households - 1)
        self.error.value = None
        self.tick.value += 1
        return True


def clock_text(model: DashboardModel) -> str:
    """Where the run is, in words a class follows."""
    sim = model.sim
    if sim.born:
        when = f"infant age {sim.age_months:.1f} months (day {int(sim.age_days)}, {sim.hod:02d}:00)"
    else:
        when = f"pregnancy, gestational week {10 + sim.day // 7} ({sim.hod:02d}:00)"
    end = " - run finished; press Reset to start again" if not model.running else ""
    return (f"{model.scenario_name}, {sim.H} households, seed {sim.seed}: {when}; "
            f"step {model.steps} (1 step = 1 hour){end}")


@solara.component
def ParameterSlider(control: Control, value, on_value):
    """A slider derived from a declared parameter; value, unit and meaning underneath, source on hover."""
    cls = solara.SliderInt if control.widget == "SliderInt" else solara.SliderFloat
    with solara.Tooltip(control.help):
        cls(control.label, value=value, min=control.min, max=control.max, step=control.step,
            on_value=lambda v: on_value(control.coerce(v)))
    solara.Text(control.caption(value), style=CAPTION)


@solara.component
def RunControls(state: DashboardState):
    """Reset / Play / Step, hours per step, speed, messages."""
    model = state.model.value
    state.tick.value  # noqa: B018 - subscribe: re-render after every step
    playing = state.playing.value
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=state.reset)
        solara.Button("Pause" if playing else "Play", color="primary", on_click=state.toggle_play,
                      disabled=not model.running)
        solara.Button("Step", color="primary", on_click=state.step, disabled=playing or not model.running)
    solara.Select("Hours per step", values=list(HOURS_PER_STEP), value=state.hours_per_step)
    solara.Checkbox(label="Show the previous run (dashed) after Reset", value=state.show_previous)
    solara.SliderInt(f"Play: pause {state.play_delay_ms.value} ms between steps", value=state.play_delay_ms,
                     min=0, max=2000, step=50)
    if state.error.value:
        solara.Error(state.error.value)
    elif state.pending:
        solara.Info("Changed settings take effect when you press Reset (same seed unless you change it).")


@solara.component
def ParameterPanel(state: DashboardState):
    """Scenario, population, seed and the teaching parameters (all applied on Reset)."""
    form = state.form.value

    def setter(name):
        return lambda value: state.set_field(name, value)

    solara.Select("Scenario", values=scenario_names(), value=form["scenario"], on_value=setter("scenario"))
    for name, control in dashboard_controls().items():
        ParameterSlider(control, form[name], setter(name))
    solara.InputText("Seed (whole number)", value=str(form["seed"]), on_value=setter("seed"), continuous_update=True)
    solara.Checkbox(label="Start at birth (run the pregnancy at once)", value=bool(form["start_at_birth"]),
                    on_value=setter("start_at_birth"))
    controls = teaching_controls()
    solara.Text("Oxytocin domains (Patin et al. 2018); 0 switches a domain off", style={"font-weight": "bold"})
    for name in OT_DOMAINS:
        ParameterSlider(controls[name], form[name], setter(name))
    solara.Text("Family and stress", style={"font-weight": "bold"})
    for name in FAMILY_AND_STRESS:
        ParameterSlider(controls[name], form[name], setter(name))
    with solara.Details("Other parameters (for researchers)"):
        solara.InputText("NAME=VALUE, NAME=VALUE", value=str(form["extra"]), on_value=setter("extra"),
                         continuous_update=True)
        solara.Text("Any declared parameter; `bonding params` lists names, bounds and units.", style=CAPTION)


@solara.component
def PlotFigure(draw, dependencies: list):
    """The matplotlib figure ``draw()`` returns, drawn again only when ``dependencies`` change."""
    fig = solara.use_memo(draw, dependencies)
    solara.FigureMatplotlib(fig, dependencies=dependencies, format="png", dpi=FIGURE_DPI)


@solara.component
def TrendPlot(state: DashboardState, make):
    """A figure of population means over time (the DataCollector table), the previous run dashed."""
    model = state.model.value
    tick = state.tick.value
    previous = state.previous.value if state.show_previous.value else None
    PlotFigure(lambda: make(model.history(), previous), [id(model), tick, id(previous), make.__name__])


@solara.component
def BondPlots(state: DashboardState):
    """Bonds over time, and how they are spread across households now."""
    TrendPlot(state, figures.bond_figure)
    model = state.model.value
    tick = state.tick.value
    PlotFigure(lambda: figures.bond_distribution_figure(model), [id(model), tick])


@solara.component
def HouseholdPlot(state: DashboardState):
    """One chosen household's members now."""
    model = state.model.value
    tick = state.tick.value
    household = min(state.household.value, model.sim.H - 1)
    solara.SliderInt(f"Household {household}", value=household, min=0, max=model.sim.H - 1,
                     on_value=state.household.set)
    rows = figures.household_members(model, household)
    solara.Text("Members: " + "; ".join(figures.describe_member(r) for r in rows))
    PlotFigure(lambda: figures.household_figure(model, household), [id(model), tick, household])


@solara.component
def StatusLine(state: DashboardState):
    """Where the run is, and what was changed from the scenario (so a class sees what it runs)."""
    state.tick.value  # noqa: B018 - subscribe
    model = state.model.value
    solara.Text(clock_text(model), style={"font-weight": "bold"})
    changes = changes_from_scenario(state.applied.value)
    if changes:
        solara.Text(f"Changed from the scenario: {changes}", style={"font-weight": "bold", "color": "#b71c1c"})
    solara.Text(model.scenario_description, style=CAPTION)


@solara.component
def PlayLoop(state: DashboardState):
    """While playing, step in a worker thread, pausing between steps; stop at the run's end."""
    playing = state.playing.value

    def loop(cancel: threading.Event):
        if not playing:
            return
        state.play_idle.clear()
        try:
            while not cancel.is_set() and state.playing.value:
                state.step()
                if not state.model.value.running:
                    state.playing.value = False
                    break
                cancel.wait(state.play_delay_ms.value / 1000.0)
        finally:
            state.play_idle.set()

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)


@solara.component
def Page(state: DashboardState | None = None):
    """The dashboard. ``solara run experiments.viz.app`` serves it; tests pass a small ``state``."""
    session = solara.use_memo(lambda: state if state is not None else DashboardState(), [])
    solara.Title("bonding: caregiver-infant bonding")
    with solara.AppBar():
        solara.AppBarTitle("Caregiver-infant bonding driven by hormones")
    with solara.Sidebar():
        with solara.Card("Run"):
            RunControls(session)
        with solara.Card("Settings (applied on Reset)"):
            ParameterPanel(session)
    StatusLine(session)
    with solara.lab.Tabs(lazy=True):  # only the open tab is drawn: one or two figures per step
        with solara.lab.Tab("Hormones"):
            TrendPlot(session, figures.hormone_figure)
        with solara.lab.Tab("Bonds"):
            BondPlots(session)
        with solara.lab.Tab("Infant and care"):
            TrendPlot(session, figures.infant_figure)
        with solara.lab.Tab("One household"):
            HouseholdPlot(session)
    PlayLoop(session)
