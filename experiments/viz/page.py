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

import base64
import contextlib
import html
import os
import threading
from urllib.parse import parse_qs

import ipyvuetify
import reacton
import reacton.core
import solara
import solara.lab
from bonding.experiments.viz import figures
from bonding.experiments.viz.controls import (
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
from bonding.experiments.viz.dashboard_model import (
    ATTACHMENT_CLASSES,
    SSP_AGE_MONTHS,
    DashboardModel,
)
from bonding.experiments.viz.household_view import HORMONES, household_svg
from bonding.experiments.viz.info import INFO_SECTIONS
from bonding.experiments.viz.lessons import LESSONS, LESSONS_BY_NAME, Lesson
from bonding.model.params import ParameterError

#: Set once the numba kernel is compiled (first run on a machine: up to about 2 minutes); the page
#: shows "Preparing the model" and accepts no click until then.
KERNEL_READY = threading.Event()
_PREPARING = threading.Lock()
_prepare_started = False


def prepare_kernel() -> None:
    """Compile the kernel (a tiny model stepped past birth), then set :data:`KERNEL_READY`."""
    try:
        DashboardModel(households=2, months=1, rng=0, start_at_birth=True).advance(2)
    finally:
        KERNEL_READY.set()


def simulation_slots() -> int:
    """How many sessions' models may simulate at the same time: ``bonding dashboard --threads``
    (:data:`experiments.viz.cli.THREADS_ENV`), else all cores. Each model runs on one thread."""
    from bonding.experiments.cliutil import available_cores
    from bonding.experiments.viz.cli import THREADS_ENV

    text = os.environ.get(THREADS_ENV, "")
    return max(1, min(int(text), available_cores())) if text.isdigit() else available_cores()


#: Held while a model simulates (a step, or building one and running its pregnancy): at most
#: :func:`simulation_slots` at once, so that sessions x threads never exceed the cores; the other
#: sessions' steps wait their turn and then run at full speed. Results do not depend on it.
SIMULATING = threading.BoundedSemaphore(simulation_slots())


def build_model(settings) -> DashboardModel:
    """The model ``settings`` describe, built (pregnancy run if asked) in a simulation slot."""
    with SIMULATING:
        return DashboardModel.from_settings(settings)


def start_preparing() -> None:
    """Start :func:`prepare_kernel` in the background, once per server."""
    global _prepare_started
    with _PREPARING:
        if not _prepare_started:
            _prepare_started = True
            threading.Thread(target=prepare_kernel, name="prepare-kernel", daemon=True).start()

OT_DOMAINS = TEACHING_PARAMETERS[:4]
FAMILY_AND_STRESS = TEACHING_PARAMETERS[4:]
FIGURE_DPI = 80  # the PNGs sent to the browser; lower = quicker Play
CAPTION = {"font-size": "0.8em", "color": "#666", "line-height": "1.2"}


class DashboardState:
    """One session: the editable form, the running model, and the run controls.

    ``form`` holds raw widget values; ``applied`` is the form the running model was built from.
    Reset validates ``form`` and either swaps in a new model or sets ``error`` and keeps the old.
    """

    def __init__(self, form: dict | None = None, hours_per_step: str = DEFAULT_HOURS_PER_STEP,
                 lesson: Lesson | None = None):
        if lesson is not None:
            form, hours_per_step = lesson.form(), lesson.hours_per_step
        form = dict(form or initial_form())
        self.lesson = lesson
        self.tab = solara.reactive(0 if lesson else 1)  # the Lesson tab if a lesson is open, else the household
        self.hormone = solara.reactive("oxytocin")  # the household view's colouring
        self.show_answer = solara.reactive(False)
        settings = parse_settings(form)  # the initial form must be valid
        self.form = solara.reactive(form)
        self.applied = solara.reactive(dict(form))
        self.model = solara.reactive(build_model(settings))
        self.error = solara.reactive(None)
        self.tick = solara.reactive(0)  # bumped after every step: the plots' dependency
        self.running = solara.reactive(self.model.value.running)  # whether the model can step (the buttons' dependency)
        self.hours_per_step = solara.reactive(hours_per_step)
        self.play_delay_ms = solara.reactive(100)
        self.playing = solara.reactive(False)
        self.household = solara.reactive(0)
        self.previous = solara.reactive(None)  # figures.PreviousRun: the run before the last Reset
        self.show_previous = solara.reactive(True)
        self._lock = threading.RLock()  # one stepper at a time (the Play thread or a click)
        self._tick_lock = threading.Lock()
        self._ticks = 0
        self.render_context = None  # the page's reacton render context, set when it renders
        self.play_idle = threading.Event()  # set while no Play thread is running
        self.play_idle.set()

    @classmethod
    def from_url(cls, search: str | None) -> tuple[DashboardState, str | None]:
        """The session a URL asks for (``?lesson=NAME``), and a one-line problem if it names none."""
        names = parse_qs(search or "").get("lesson", [])
        if not names:
            return cls(), None
        lesson = LESSONS_BY_NAME.get(names[0])
        if lesson is None:
            return cls(), f"lesson: {names[0]!r} is not a lesson (allowed: {', '.join(LESSONS_BY_NAME)})"
        return cls(lesson=lesson), None

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

    def step(self, while_playing: bool = False) -> int:
        """Advance the model by the chosen hours; return the hours simulated.

        The Play thread passes ``while_playing``: its step is skipped if Play was stopped (by
        Pause or Reset) while it waited for the lock, so it never steps a model built after it.
        """
        with self._lock:
            if while_playing and not self.playing.value:
                return 0
            with SIMULATING:
                hours = self.model.value.advance(self.hours)
        self.redraw()
        return hours

    def redraw(self) -> None:
        """Bump the tick the step-dependent components read, as one render pass.

        Outside the step lock (a click handler that holds the render lock may be waiting for it);
        each bump takes a fresh number, so a click and the Play thread never lose a redraw.
        """
        with self._tick_lock:
            self._ticks += 1
            tick = self._ticks
        with self.render_context or contextlib.nullcontext():  # one render for all its listeners
            self.tick.value = tick
        self.running.value = self.model.value.running  # re-renders the run controls if it changed

    def toggle_play(self) -> None:
        self.playing.value = not self.playing.value and self.model.value.running

    def reset(self) -> bool:
        """Rebuild the model from the form (same seed unless the form's seed changed)."""
        self.playing.value = False  # first: a Play step waiting for the lock will now be skipped
        try:
            settings = parse_settings(self.form.value)
            model = build_model(settings)
        except ParameterError as exc:
            self.error.value = str(exc)
            return False
        with self._lock:  # swap between two steps
            old = self.model.value
            self.previous.value = figures.PreviousRun(old.history(), describe_changes(self.applied.value, self.form.value))
            self.model.value = model
        self.applied.value = dict(self.form.value)
        self.household.value = min(self.household.value, settings.households - 1)
        self.error.value = None
        self.redraw()
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
    state.model.value  # noqa: B018 - subscribe: re-render after Reset
    running = state.running.value  # not the tick: a step re-renders this only when the run ends
    playing = state.playing.value
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=state.reset)
        solara.Button("Pause" if playing else "Play", color="primary", on_click=state.toggle_play,
                      disabled=not running)
        solara.Button("Step", color="primary", on_click=state.step, disabled=playing or not running)
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
    controls = teaching_controls()
    solara.Text("What oxytocin does (Patin et al. 2018); 0 switches it off", style={"font-weight": "bold"})
    for name in OT_DOMAINS:
        ParameterSlider(controls[name], form[name], setter(name))
    solara.Text("Family and stress", style={"font-weight": "bold"})
    for name in FAMILY_AND_STRESS:
        ParameterSlider(controls[name], form[name], setter(name))
    solara.Text("Families, months and seed", style={"font-weight": "bold"})
    for name, control in dashboard_controls().items():
        ParameterSlider(control, form[name], setter(name))
    solara.InputText("Seed (whole number)", value=str(form["seed"]), on_value=setter("seed"), continuous_update=True)
    solara.Checkbox(label="Start at birth (run the pregnancy at once)", value=bool(form["start_at_birth"]),
                    on_value=setter("start_at_birth"))
    with solara.Details("Other parameters (for researchers)"):
        solara.InputText("NAME=VALUE, NAME=VALUE", value=str(form["extra"]), on_value=setter("extra"),
                         continuous_update=True)
        solara.Text("Any declared parameter; `bonding params` lists names, bounds and units.", style=CAPTION)


class _LiveSlot:
    """Holds a session's :class:`figures.LiveFigure` between renders."""

    figure: figures.LiveFigure | None = None


@solara.component
def TrendPlot(state: DashboardState, make):
    """A figure of population means over time (the DataCollector table), the previous run dashed,
    events marked, axes from zero. Drawn once per run as a PNG background; a new day sends only
    the current run's lines, as an SVG laid over it (``figures.LiveFigure``)."""
    model = state.model.value
    state.tick.value  # noqa: B018 - subscribe; redrawn only when a day has been added, below
    days = model.days_recorded()
    previous = state.previous.value if state.show_previous.value else None
    slot = solara.use_memo(_LiveSlot, [id(model), id(previous), make.__name__])

    def draw() -> tuple[figures.LiveFigure, str]:
        if slot.figure is None or not slot.figure.update(model.series(slot.figure.columns)):
            history = model.history()  # a new run, or a value off its axis: a new figure
            slot.figure = figures.LiveFigure(make, history, previous, model.sim.months, model.events(), FIGURE_DPI)
            slot.figure.update(history)
        return slot.figure, slot.figure.overlay_svg()

    LiveFigureView(*solara.use_memo(draw, [id(slot), days]))


@solara.component
def LiveFigureView(live: figures.LiveFigure, overlay: str):
    """A :class:`figures.LiveFigure` on the page: its background PNG as the CSS image of an
    element whose content is the lines' SVG overlay, and a button that saves the whole figure.

    The style (with the PNG) changes only with a new figure, so a step sends the overlay's SVG
    and nothing else; the PNG for saving is drawn only when the button is pressed."""
    style = solara.use_memo(lambda: f"max-width:{live.width}px;background:url(data:image/png;base64,"
                            f"{base64.b64encode(live.background_png()).decode()}) 0 0/100% 100% no-repeat", [live.serial])
    solara.HTML(tag="div", unsafe_innerHTML=overlay, classes=["trend-figure"], style=style)
    solara.FileDownload(live.png, filename=f"{live.name}.png", label="Save this figure (PNG)", mime_type="image/png")


@solara.component
def BondPlots(state: DashboardState):
    """Bonds over time, and how they are spread across households now (redrawn every step: the
    shares' lines as SVG over a background drawn once per run)."""
    TrendPlot(state, figures.bond_figure)
    model = state.model.value
    tick = state.tick.value
    slot = solara.use_memo(_LiveSlot, [id(model)])

    def draw() -> tuple[figures.LiveFigure, str]:
        shares = figures.bond_shares(model)
        if slot.figure is None or not slot.figure.update(shares):  # a new run, or a caregiver lost
            slot.figure = figures.LiveFigure(figures.bond_share_figure, shares, None, None, (), FIGURE_DPI)
            slot.figure.update(shares)
        return slot.figure, slot.figure.overlay_svg()

    LiveFigureView(*solara.use_memo(draw, [id(slot), tick]))


@solara.component
def HouseholdView(state: DashboardState):
    """One household drawn as people, coloured by a chosen hormone, redrawn at every step."""
    model = state.model.value
    state.tick.value  # noqa: B018 - subscribe: redrawn after every step
    household = min(state.household.value, model.sim.H - 1)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.SliderInt(f"Household {household}", value=household, min=0, max=model.sim.H - 1,
                         on_value=state.household.set)
        solara.ToggleButtonsSingle(value=state.hormone, values=list(HORMONES))
    with model.reading():
        svg = household_svg(model, household, state.hormone.value)
        rows = figures.household_members(model, household)
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["household-view"])
    solara.Text("Members: " + "; ".join(figures.describe_member(r) for r in rows), style=CAPTION)


def _fmt(value: float, digits: int = 2, suffix: str = "") -> str:
    return "-" if value != value else f"{value:.{digits}f}{suffix}"


@solara.component
def Monitors(state: DashboardState):
    """The numbers a lesson is about, now (NetLogo's monitors)."""
    state.tick.value  # noqa: B018 - subscribe
    m = state.model.value.monitors()
    items = [("mothers' bond", _fmt(m["bond_mother"])), ("fathers' bond", _fmt(m["bond_father"])),
             ("alloparents' bond", _fmt(m["bond_alloparent"])),
             ("sensitive responses", _fmt(m["sensitive_pct"], 1, "%")),
             ("infant cortisol", _fmt(m["infant_cortisol"], 1, " nmol/l")),
             ("mothers depressed", _fmt(m["depressed_pct_mother"], 1, "%")),
             ("fathers depressed", _fmt(m["depressed_pct_father"], 1, "%"))]
    with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}, classes=["monitors"]):
        for label, value in items:
            solara.HTML(tag="div", unsafe_innerHTML=f"<div style='font-size:0.72em;color:#555'>{label}</div>"
                        f"<div style='font-size:1.05em;font-weight:bold' data-monitor='{label}'>{value}</div>",
                        style="border:1px solid #ccc;border-radius:4px;padding:2px 6px;min-width:88px")


@solara.component
def StrangeSituationPanel(state: DashboardState):
    """Attachment classes A/B/C/D by caregiver from the lab's Strange Situation at 12 months."""
    state.tick.value  # noqa: B018 - subscribe
    model = state.model.value
    ssp = model.ssp
    if ssp is None:
        when = ("this run ends before 12 months" if model.sim.months < SSP_AGE_MONTHS
                else "it runs when the infants reach 12 months")
        solara.Text(f"Strange Situation (attachment A/B/C/D): {when}.", style=CAPTION)
        return
    cells = "".join(
        f"<span data-ssp-role='{role}' style='margin-right:14px;white-space:nowrap'><b>{role}</b> "
        + " ".join(f"{c} {100 * row[c]:.0f}%" for c in ATTACHMENT_CLASSES) + f" (n={int(row['n'])})</span>"
        for role, row in ssp.items())
    solara.HTML(tag="div", classes=["ssp-panel"], unsafe_innerHTML=(
        "<span title='The lab&#39;s Strange Situation procedure (experiments/lab/ssp.py) on every infant "
        "with each of its caregivers: share of infants classified A avoidant, B secure, C resistant, "
        "D disorganised'><b>Strange Situation at 12 months</b> (A avoidant, B secure, C resistant, "
        f"D disorganised), by caregiver:</span><div style='font-size:0.9em;display:flex;flex-wrap:wrap'>{cells}</div>"))


def _html(text: str) -> str:
    return html.escape(text).replace("`", "")


@solara.component
def LessonPanel(state: DashboardState):
    """The open lesson: what it is, what to run, what to look at, the question, the answer on demand.

    Plain HTML, not ``solara.Markdown``: Markdown loads maths and diagram scripts from the
    server's CDN route, which a classroom with no internet connection may not have."""
    lesson = state.lesson
    if lesson is None:
        items = "".join(f'<li><a href="?lesson={x.name}">{_html(x.title)}</a> (<code>/?lesson={x.name}</code>)</li>'
                        for x in LESSONS)
        solara.HTML(tag="div", unsafe_innerHTML=f"<p>No lesson is open. Open one by its address:</p><ul>{items}</ul>")
        return
    rows = (("Run", lesson.run), ("Look at", lesson.look_at), ("Then", lesson.change_text),
            ("Question for the class", lesson.question))
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<h3>Lesson: {_html(lesson.title)}</h3><p>{_html(' '.join(lesson.sentences))}</p>"
        + "".join(f"<p><b>{name}:</b> {_html(text)}</p>" for name, text in rows)))
    shown = state.show_answer.value
    solara.Button("Hide the answer" if shown else "Show the expected answer", outlined=True,
                  on_click=lambda: state.show_answer.set(not shown))
    if shown:
        solara.Success(lesson.answer)


@solara.component
def InfoPanel():
    """What it is, how it works, how to use it, things to notice, things to try, credits (NetLogo's Info tab)."""
    solara.HTML(tag="div", unsafe_innerHTML="".join(f"<h4>{_html(title)}</h4><p>{_html(text)}</p>"
                                                    for title, text in INFO_SECTIONS), classes=["info-panel"])


@solara.component
def ExportPanel(state: DashboardState):
    """The data shown, as CSV."""
    model = state.model.value
    state.tick.value  # noqa: B018 - subscribe
    solara.FileDownload(lambda: model.history().to_csv(index=False), filename="bonding_daily_means.csv",
                        label="Save the daily means (CSV)", mime_type="text/csv")
    solara.Text("One row per simulated day: the means by role the plots show (infant age in days; "
                "negative = pregnancy). Each figure has its own PNG button.", style=CAPTION)


@solara.component
def StatusLine(state: DashboardState):
    """Where the run is, and what was changed from the scenario (so a class sees what it runs)."""
    state.tick.value  # noqa: B018 - subscribe
    model = state.model.value
    solara.Text(clock_text(model), style={"font-weight": "bold"})
    applied = state.applied.value
    changes = solara.use_memo(lambda: changes_from_scenario(applied), [applied])  # reads the scenario file
    if changes:
        solara.Text(f"Changed from the scenario: {changes}", style={"font-weight": "bold", "color": "#b71c1c"})


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
                state.step(while_playing=True)
                if not state.model.value.running:
                    state.playing.value = False
                    break
                cancel.wait(state.play_delay_ms.value / 1000.0)
        finally:
            state.play_idle.set()

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)


TAB_NAMES = ("Lesson", "Household", "Hormones", "Bonds", "Infant and care", "Export", "Info")


@solara.component
def Dashboard(session: DashboardState, problem: str | None = None):
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            RunControls(session)
        with solara.Card("Settings (applied on Reset)", margin=0):
            ParameterPanel(session)
    OwnRenderTree(lambda: MainArea(session, problem))
    PlayLoop(session)


@solara.component
def MainArea(session: DashboardState, problem: str | None = None):
    """Everything a step changes: where the run is, the monitors, the A/B/C/D panel and the tabs.

    Rendered in a render tree of its own (:func:`OwnRenderTree`), and the session's render
    context is this tree's: a step re-renders these components and walks only this tree, not
    the sidebar's hundred-odd widgets (a render pass revisits every widget of its tree).
    """
    session.render_context = reacton.core.get_render_context(required=False)
    if problem:
        solara.Error(problem)
    StatusLine(session)
    Monitors(session)
    StrangeSituationPanel(session)
    with solara.lab.Tabs(value=session.tab, lazy=True):  # only the open tab is drawn
        with solara.lab.Tab("Lesson"):
            LessonPanel(session)
        with solara.lab.Tab("Household"):
            HouseholdView(session)
        with solara.lab.Tab("Hormones"):
            TrendPlot(session, figures.hormone_figure)
        with solara.lab.Tab("Bonds"):
            BondPlots(session)
        with solara.lab.Tab("Infant and care"):
            TrendPlot(session, figures.infant_figure)
        with solara.lab.Tab("Export"):
            ExportPanel(session)
        with solara.lab.Tab("Info"):
            InfoPanel()


@solara.component
def OwnRenderTree(make_element):
    """The element ``make_element()`` builds, rendered by a render context of its own into a
    container shown here; its state changes re-render only that tree. Closed with the page.

    The element is made in an effect, after this component's render: an element made during a
    render would also become a child of this tree."""
    parent = reacton.core.get_render_context(required=False)
    handle_error = parent.handle_error if parent is not None else True
    container = solara.use_memo(lambda: ipyvuetify.Html(tag="div", children=[]), [])

    def mount():
        context = reacton.render(make_element(), container, handle_error=handle_error)[1]
        return context.close

    solara.use_effect(mount, [])
    solara.Column(children=[container], margin=0)


@solara.component
def Preparing():
    solara.Info("Preparing the model: compiling it for this computer (the first time only; up to two "
                "minutes). The page is ready when the Reset, Play and Step buttons appear.")
    solara.ProgressLinear(True)


@solara.component
def Page(state: DashboardState | None = None):
    """The dashboard. ``solara run experiments.viz.app`` serves it; tests pass a small ``state``."""
    router = solara.use_router()
    ready = solara.use_reactive(state is not None or KERNEL_READY.is_set())

    def wait_until_prepared():
        start_preparing()
        KERNEL_READY.wait()
        ready.set(True)

    solara.use_thread(wait_until_prepared, dependencies=[])
    solara.Title("bonding: caregiver-infant bonding")
    with solara.AppBar():
        solara.AppBarTitle("Caregiver-infant bonding driven by hormones")
    if ready.value:
        Ready(state, router.search)
    else:
        Preparing()


@solara.component
def Ready(state: DashboardState | None, search: str | None):
    """The page once the kernel is compiled: this browser tab's session (a lesson if the URL names one)."""
    session, problem = solara.use_memo(
        lambda: (state, None) if state is not None else DashboardState.from_url(search), [])
    Dashboard(session, problem)
