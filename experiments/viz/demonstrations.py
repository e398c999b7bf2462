"""The classroom demonstrations of ``docs/dashboard.md``, run headless to check what they show.

Each demonstration compares the dashboard's default settings with one change a teacher makes
(a slider or the scenario), at the infant age where the class looks, on the series the page
plots. ``tests/dashboard/test_demonstrations.py`` asserts the documented direction for one seed;
this module's command prints every number the page quotes, for several seeds::

    python -m bonding.experiments.viz.demonstrations --seeds 1,2,3,4,5

Same seed in both arms: common random numbers (the model's counter-based generator gives every
decision its own random number), so the difference is the change's effect on those households.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import pandas as pd
from bonding.experiments.cli import OneLineParser
from bonding.experiments.viz.controls import initial_form, parse_settings
from bonding.experiments.viz.dashboard_model import DashboardModel
from bonding.model.state import DAYS_PER_MONTH

MONTHS = 6.0  # the demonstrations look at the first six months after birth


@dataclass(frozen=True)
class Measure:
    """One series the students watch: its column, how it is read, the expected direction."""

    column: str
    reading: str  # "at the end", "at M months", "mean after birth", "mean from M months", "mean before M months"
    direction: int  # +1 rises, -1 falls with the change, 0 stays within 5%
    label: str


@dataclass(frozen=True)
class Demonstration:
    name: str
    title: str
    change: dict  # form fields the teacher changes (from the default form)
    measures: tuple[Measure, ...]


DEMONSTRATIONS: tuple[Demonstration, ...] = (
    Demonstration(
        "stress_buffering", "Switch off oxytocin's stress buffering",
        {"ot_stress_buffering": 0.0},
        (Measure("cortisol_mother", "mean after birth", +1, "mothers' cortisol (nmol/l)"),
         Measure("cortisol_father", "mean after birth", +1, "fathers' cortisol (nmol/l)"),
         Measure("cortisol_alloparent", "mean after birth", +1, "alloparents' cortisol (nmol/l)"))),
    Demonstration(
        "high_risk", "Clustered risk: the high_risk scenario",
        {"scenario": "high_risk"},
        (Measure("bond_mother", "at the end", -1, "mothers' bond"),
         Measure("bond_father", "at the end", -1, "fathers' bond"),
         Measure("sensitive_share", "at the end", -1, "share of sensitive responses"),
         Measure("frightening_per_1000", "at the end", +1, "frightening responses per 1,000"),
         Measure("depressed_mother", "at the end", +1, "share of mothers depressed"),
         Measure("infant_cortisol", "mean after birth", +1, "infant cortisol (nmol/l)"))),
    Demonstration(
        "paternal_leave", "Six months of paternal leave",
        {"paternal_leave_months": 6.0},
        (Measure("bond_father", "at the end", +1, "fathers' bond"),
         Measure("testosterone_father", "at the end", -1, "fathers' testosterone (nmol/l)"))),
)


def demonstration_form(change: dict | None = None, seed: int = 1) -> dict:
    """The dashboard's default form (100 households), run to ``MONTHS``, with ``change`` applied."""
    change = dict(change or {})
    form = initial_form(change.get("scenario", "baseline"))
    form.update(months=MONTHS, seed=str(seed), start_at_birth=True)
    form.update(change)
    return form


def run_form(form: dict) -> pd.DataFrame:
    """Run the model a form describes to its end; the DataCollector table."""
    model = DashboardModel.from_settings(parse_settings(form))
    while model.running:
        model.advance(24 * 30)
    return model.history()


def read(history: pd.DataFrame, measure: Measure) -> float:
    """A measure's reading of a run: "at the end" (the last day), "at M months" (the last day
    before that infant age), "mean after birth", or the mean of the daily means "from M months" /
    "before M months"."""
    if measure.reading == "at the end":
        return float(history[measure.column].iloc[-1])
    age = history["age_days"].to_numpy(dtype=float) / DAYS_PER_MONTH
    if measure.reading.startswith("at ") and measure.reading.endswith(" months"):
        months = float(measure.reading.split()[1])
        return float(history.loc[age < months, measure.column].iloc[-1])
    if measure.reading == "mean after birth":
        keep = age >= 0
    elif measure.reading.startswith(("mean from ", "mean before ")):
        months = float(measure.reading.split()[2])
        keep = age >= months if measure.reading.startswith("mean from ") else (age >= 0) & (age < months)
    else:
        raise ValueError(f"reading: {measure.reading!r} is not a known reading")
    return float(history.loc[keep, measure.column].mean())


def compare(demo: Demonstration, seed: int, baseline: pd.DataFrame | None = None) -> list[dict]:
    """Default vs changed settings for one seed: one row per measure."""
    base = baseline if baseline is not None else run_form(demonstration_form(seed=seed))
    changed = run_form(demonstration_form(demo.change, seed))
    rows = []
    for m in demo.measures:
        before, after = read(base, m), read(changed, m)
        rows.append({"demonstration": demo.name, "seed": seed, "measure": m.label, "reading": m.reading,
                     "default": before, "changed": after, "difference": after - before,
                     "as_expected": (after - before) * m.direction > 0})
    return rows


def parse_seeds(prog: str, description: str, argv: list[str] | None) -> list[int]:
    """``--seeds 1,2,3`` of the headless checks; a bad list is one line, exit status 2."""
    parser = OneLineParser(prog=prog, description=description)
    parser.add_argument("--seeds", default="1", help="comma-separated seeds (default 1)")
    args = parser.parse_args(argv)
    try:
        return [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"argument --seeds: {args.seeds!r} must be comma-separated whole numbers")


def main(argv: list[str] | None = None) -> int:
    seeds = parse_seeds("python -m bonding.experiments.viz.demonstrations",
                        "Check the dashboard's classroom demonstrations headless.", argv)
    start = time.perf_counter()
    rows = []
    for seed in seeds:
        baseline = run_form(demonstration_form(seed=seed))
        for demo in DEMONSTRATIONS:
            rows += compare(demo, seed, baseline)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.precision", 3):
        print(table.to_string(index=False))
        summary = table.groupby(["demonstration", "measure"], sort=False).agg(
            default=("default", "mean"), changed=("changed", "mean"), min_diff=("difference", "min"),
            max_diff=("difference", "max"), as_expected=("as_expected", "sum"), seeds=("seed", "count"))
        print("\n" + summary.to_string())
    print(f"\n{len(seeds)} seed(s), 100 households, {MONTHS:g} months after birth: {time.perf_counter() - start:.1f} s")
    return 0 if table["as_expected"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
