"""Which parameters the dashboard shows, how each control is derived, and what Reset accepts.

Every slider is derived from a declared :class:`model.params.Param` (bounds, default, unit,
meaning, source): nothing here retypes a bound. The page holds what the user has typed as a
plain *form* (a dict of raw widget values: floats from sliders, a string from the seed box);
:func:`parse_settings` turns a form into validated :class:`Settings` or raises
:class:`~model.params.ParameterError` with one line naming the field and the allowed range, so
the page can show the message instead of crashing (the failure of Mesa's stock controller when a
seed typed into a text box is not a number, mesa/mesa #3516).

Pure Python: no Solara import, so the derivation is unit-tested without the dashboard extra.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from bonding.experiments.cli import MAX_MONTHS
from bonding.experiments.scenarios import available_scenarios, load_scenario
from bonding.model.params import PARAMS, Param, ParameterError, Teaching, validate_overrides

#: The model parameters a class plays with: the four oxytocin domains of Patin et al. (2018),
#: each 0 = switched off, and household conditions with visible effects (fathers' leave and
#: presence, breastfeeding, chronic stress, unresolved loss behind disorganised attachment).
TEACHING_PARAMETERS: tuple[str, ...] = (
    "ot_stress_buffering", "ot_emotion_recognition", "ot_synchrony", "ot_social_touch",
    "paternal_leave_months", "p_father_present", "p_breastfeeding_initiation", "poverty_stress",
    "p_unresolved",
)

#: Settings of the dashboard itself, declared like model parameters so that they are derived
#: and checked the same way. Population size is capped well below the CLI's limit so that
#: Step and Play stay responsive in a classroom (100 households: about 0.1 s per simulated month).
DASHBOARD_PARAMS: dict[str, Param] = {
    "households": Param("households", 100, 10, 2000, "households", "dashboard",
                        "number of households simulated, one infant each (fewer = quicker steps)",
                        "dashboard", integer=True,
                        teaching=Teaching("Families simulated", "How many families run side by side (fewer = quicker steps).",
                                          "families")),
    "months": Param("months", 18, 1, MAX_MONTHS, "months", "dashboard",
                    "months after birth to simulate (pregnancy from gestational week 10 comes first)",
                    "dashboard", teaching=Teaching("Months after birth", "How long the run lasts after the birth.",
                                                   "months")),
}

SEED_MAX = 2**63 - 1  # the CLI's --seed bound
DEFAULT_SEED = 1
DEFAULT_SCENARIO = "baseline"

#: "Hours per step" choices: one Mesa step is one simulated hour, Step/Play advance this many.
HOURS_PER_STEP: dict[str, int] = {"1 hour": 1, "6 hours": 6, "1 day": 24, "1 week": 168, "4 weeks": 672}
DEFAULT_HOURS_PER_STEP = "1 day"


@dataclass(frozen=True)
class Control:
    """One slider, derived from a declared parameter: its teaching label in the page, the code
    name, technical unit and meaning only in the tooltip."""

    name: str
    widget: str  # "SliderInt" or "SliderFloat"
    value: float
    min: float
    max: float
    step: float
    label: str  # the plain label (the declaration's teaching label; the code name if none)
    unit: str  # the unit in words
    meaning: str  # one plain line
    source: str
    code_unit: str = ""
    code_meaning: str = ""

    @property
    def help(self) -> str:
        """The tooltip: code name, technical unit and meaning, and source."""
        return f"{self.name} ({self.code_unit}): {self.code_meaning}. Source: {self.source}."

    def caption(self, value: float) -> str:
        """The line under the slider: the value with its unit in words and the range, and the meaning."""
        return f"{value:g} {self.unit} (range {self.min:g} to {self.max:g}). {self.meaning}"

    def coerce(self, value: float) -> float:
        """A slider value as the parameter takes it: whole, or rounded to the slider's step."""
        if self.widget == "SliderInt":
            return int(round(float(value)))
        return round(float(value), decimals(self.step))


def decimals(step: float) -> int:
    """Decimal places of a step such as 0.01 (2) or 1 (0)."""
    return max(0, -int(math.floor(math.log10(step) + 1e-9)))


def slider_step(p: Param) -> float:
    """About a hundredth of the range, a power of ten, fine enough to hit the default exactly."""
    if p.integer:
        return 1
    step = 10.0 ** math.floor(math.log10((p.hi - p.lo) / 100.0))
    while abs((p.default - p.lo) / step - round((p.default - p.lo) / step)) > 1e-6:
        step /= 10.0
    return step


def control_for(p: Param) -> Control:
    """The slider for one declared parameter: its bounds, default, unit and meaning."""
    step = slider_step(p)
    value = int(p.default) if p.integer else p.default
    lo, hi = (int(p.lo), int(p.hi)) if p.integer else (p.lo, p.hi)
    t = p.teaching or Teaching(p.name, p.meaning, p.unit)
    return Control(name=p.name, widget="SliderInt" if p.integer else "SliderFloat", value=value,
                   min=lo, max=hi, step=step, label=t.label, unit=t.unit, meaning=t.meaning, source=p.source,
                   code_unit=p.unit, code_meaning=p.meaning)


def teaching_controls() -> dict[str, Control]:
    """Sliders for :data:`TEACHING_PARAMETERS`, in display order."""
    return {name: control_for(PARAMS[name]) for name in TEACHING_PARAMETERS}


def dashboard_controls() -> dict[str, Control]:
    """Sliders for the population size and the run length."""
    return {name: control_for(p) for name, p in DASHBOARD_PARAMS.items()}


def scenario_names() -> list[str]:
    """The shipped scenarios (``experiments/scenarios/*.toml``)."""
    return list(available_scenarios())


def scenario_values(scenario: str) -> dict[str, float]:
    """The teaching parameters as ``scenario`` sets them (the declared default where it does not)."""
    params = load_scenario(scenario).params
    return {name: params.get(name, PARAMS[name].default) for name in TEACHING_PARAMETERS}


def initial_form(scenario: str = DEFAULT_SCENARIO) -> dict[str, object]:
    """The form as the page first shows it: declared defaults, ``scenario``'s values."""
    dash = dashboard_controls()
    form: dict[str, object] = {
        "scenario": scenario,
        "households": dash["households"].value,
        "months": dash["months"].value,
        "seed": str(DEFAULT_SEED),
        "start_at_birth": True,
        "extra": "",
    }
    form.update(scenario_values(scenario))
    return form


@dataclass(frozen=True)
class Settings:
    """A validated form: everything needed to build the model again (Reset)."""

    scenario: str = DEFAULT_SCENARIO
    households: int = 100
    months: float = 18.0
    seed: int = DEFAULT_SEED
    start_at_birth: bool = True
    values: dict[str, float] = field(default_factory=dict)  # teaching parameters
    extra: dict[str, float] = field(default_factory=dict)  # other parameters a researcher typed

    def overrides(self) -> dict[str, float]:
        """Parameter overrides on top of the scenario: the sliders, then the extra ones."""
        return {**self.values, **self.extra}


def parse_seed(text: object) -> int:
    """A seed from a text box (it arrives as ``str``): a whole number 0 to 2**63-1."""
    s = str(text).strip()
    try:
        seed = int(s)
    except ValueError:
        raise ParameterError(f"seed: {s!r} is not a whole number (allowed 0 to {SEED_MAX})") from None
    if not 0 <= seed <= SEED_MAX:
        raise ParameterError(f"seed: {seed} is out of range (allowed 0 to {SEED_MAX})")
    return seed


def parse_extra(text: object) -> dict[str, float]:
    """``"NAME=VALUE, NAME=VALUE"`` (commas, semicolons or new lines) -> validated overrides."""
    items = [s.strip() for s in str(text or "").replace(";", ",").replace("\n", ",").split(",")]
    raw: dict[str, str] = {}
    for item in filter(None, items):
        if "=" not in item:
            raise ParameterError(f"other parameters: {item!r} must look like NAME=VALUE")
        name, value = (s.strip() for s in item.split("=", 1))
        if name in TEACHING_PARAMETERS:
            raise ParameterError(f"other parameters: {name} has its own slider; set it there")
        raw[name] = value
    return validate_overrides(raw, where="other parameters: ")


def parse_settings(form: Mapping[str, object]) -> Settings:
    """Validate a form; raise :class:`ParameterError` (one line, naming the field) if it is bad."""
    scenario = str(form.get("scenario", DEFAULT_SCENARIO))
    if scenario not in available_scenarios():
        raise ParameterError(f"scenario: {scenario!r} is not a shipped scenario (allowed: {', '.join(available_scenarios())})")
    dash = dashboard_controls()
    households = int(DASHBOARD_PARAMS["households"].check(form.get("households", dash["households"].value)))
    months = DASHBOARD_PARAMS["months"].check(form.get("months", dash["months"].value))
    values = {name: PARAMS[name].check(form.get(name, PARAMS[name].default)) for name in TEACHING_PARAMETERS}
    return Settings(scenario=scenario, households=households, months=months,
                    seed=parse_seed(form.get("seed", DEFAULT_SEED)),
                    start_at_birth=bool(form.get("start_at_birth", True)), values=values,
                    extra=parse_extra(form.get("extra", "")))


def describe_changes(before: Mapping[str, object], after: Mapping[str, object], limit: int = 3) -> str:
    """What differs between two forms, for the legend of a comparison: ``"seed 1 (now 2)"``."""
    changed = [f"{name} {before[name]} (now {after[name]})" for name in after
               if name in before and str(before[name]) != str(after[name])]
    if not changed:
        return "same settings"
    return ", ".join(changed[:limit]) + (f" and {len(changed) - limit} more" if len(changed) > limit else "")


def changes_from_scenario(form: Mapping[str, object]) -> str:
    """The sliders and extra parameters that differ from the form's scenario: ``"ot_synchrony=0"``."""
    values = scenario_values(str(form.get("scenario", DEFAULT_SCENARIO)))
    changed = [f"{name}={float(form[name]):g}" for name in TEACHING_PARAMETERS
               if name in form and float(form[name]) != values[name]]
    extra = " ".join(str(form.get("extra", "")).split())
    return ", ".join(changed + ([extra] if extra else []))
