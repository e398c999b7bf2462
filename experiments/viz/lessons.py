"""Guided classroom lessons: presets the page opens by URL (``/?lesson=NAME``), ``bonding lessons``.

A lesson is a preset (scenario, settings, seed, how far to run), three to five plain sentences,
what to look at, one change the class then makes (applied with Reset, so that the preset run
stays on the plots dashed), a question for the class and the expected answer, revealed on demand.

The expected answers describe what *this model* does, not what a textbook says it should do:
each lesson carries the measures its answer rests on, and ``tests/dashboard/test_lessons.py``
runs every lesson headless (seed 1) and checks each measure moves the stated way. Numbers for
several seeds::

    python -m bonding.experiments.viz.lessons --check --seeds 1,2,3
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import pandas as pd
from bonding.experiments.viz.controls import initial_form
from bonding.experiments.viz.demonstrations import Measure, parse_seeds, read, run_form

LESSON_HOUSEHOLDS = 50  # quick steps in class; the effects below hold at this size (checked by seed)


@dataclass(frozen=True)
class Lesson:
    name: str  # the URL key: /?lesson=NAME
    title: str
    preset: dict  # form fields on top of the default form (scenario first: its sliders apply)
    hours_per_step: str
    run: str  # what to run, in words
    sentences: tuple[str, ...]  # three to five plain sentences
    look_at: str
    change: dict  # the one change the class makes next (then Reset and run again)
    change_text: str
    question: str
    answer: str  # the expected answer, from the measures below
    measures: tuple[Measure, ...] = field(default=())
    tab: str = "Hormones"  # where the effect shows (the docs' screenshot of the lesson opens it)

    def form(self, seed: int | None = None) -> dict:
        """The page's form with this lesson's preset applied."""
        form = initial_form(self.preset.get("scenario", "baseline"))
        form.update({"households": LESSON_HOUSEHOLDS, "start_at_birth": True, **self.preset})
        if seed is not None:
            form["seed"] = str(seed)
        return form

    def changed_form(self, seed: int | None = None) -> dict:
        """The form after the class makes the lesson's change (a scenario change moves the sliders)."""
        base = self.form(seed)
        if "scenario" in self.change:
            changed = initial_form(self.change["scenario"])
            changed.update({k: base[k] for k in ("households", "months", "seed", "start_at_birth")})
        else:
            changed = dict(base)
        changed.update({k: v for k, v in self.change.items()})
        return changed

    def url(self, base: str = "http://127.0.0.1:8765/") -> str:
        return f"{base}?lesson={self.name}"


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "touch_and_oxytocin", "Touch and oxytocin",
        {"scenario": "baseline", "months": 6, "seed": "1"}, "1 week",
        "Press Play (1 week per step) until the run stops at 6 months.",
        ("Holding, stroking and feeding a baby releases oxytocin in the caregiver's brain and blood.",
         "In the model every hour of touching care raises the carer's oxytocin; the slider "
         "'Oxytocin released by touch' sets how much.",
         "Oxytocin in turn makes caring feel rewarding, so touch and bonding feed each other."),
        "Hormones tab, the oxytocin panel; the household view at feeding times; Bonds tab.",
        {"ot_social_touch": 0.0}, "Set 'Oxytocin released by touch' to 0, press Reset and Play again.",
        "With touch releasing no oxytocin, what happens to the parents' oxytocin, and to their bond?",
        "Mothers' oxytocin falls by about a tenth (6.9 to 6.3 pg/ml, mean from birth to 6 months, seed 1; seeds 1-3 alike); fathers' falls only slightly (they touch the baby less). Bonds weaken a little, fathers' more than mothers' (0.65 to 0.63; mothers 0.872 to 0.865): in the model, touch feeds the bond through oxytocin, but the bond also grows from every rewarding hour of care, so it does not collapse.",
        (Measure("ot_plasma_mother", "mean after birth", -1, "mothers' plasma oxytocin (pg/ml)"),
             Measure("ot_plasma_father", "mean after birth", -1, "fathers' plasma oxytocin (pg/ml)"),
             Measure("bond_mother", "at the end", -1, "mothers' bond"),
             Measure("bond_father", "at the end", -1, "fathers' bond")),
    ),
    Lesson(
        "stress_buffering", "Oxytocin buffers stress",
        {"scenario": "baseline", "months": 6, "seed": "1"}, "1 week",
        "Press Play (1 week per step) until the run stops at 6 months.",
        ("A crying baby is stressful: the carer's cortisol, the stress hormone, rises.",
         "Oxytocin damps that response: with it, the same crying costs less cortisol.",
         "The slider 'Oxytocin calms stress' sets how strongly; 0 switches the buffer off."),
        "Hormones tab, the cortisol panel (after Reset the preset run is dashed).",
        {"ot_stress_buffering": 0.0}, "Set 'Oxytocin calms stress' to 0, press Reset and Play again.",
        "Whose cortisol rises most without the buffer: mothers', fathers' or alloparents'? By how much?",
        "Mothers' cortisol rises most (about +9 nmol/l, 3%, from birth to 6 months; +7 to +10 over seeds 1-3), fathers' less (about +3), alloparents' hardly at all (+0.1 to +1): mothers do most of the soothing of a crying baby, so they lose most when oxytocin no longer buffers it. The effect is a few per cent, not a transformation.",
        (Measure("cortisol_mother", "mean after birth", +1, "mothers' cortisol (nmol/l)"),
             Measure("cortisol_father", "mean after birth", +1, "fathers' cortisol (nmol/l)"),
             Measure("cortisol_alloparent", "mean after birth", +1, "alloparents' cortisol (nmol/l)")),
    ),
    Lesson(
        "fathers_and_alloparents", "Fathers and alloparents",
        {"scenario": "baseline", "months": 12, "seed": "1"}, "4 weeks",
        "Press Play (4 weeks per step) until the run stops at 12 months; the Strange Situation runs then.",
        ("Mothers are not the only ones who bond: fathers, grandparents and older siblings do too.",
         "In the model a caregiver's bond grows with the hours of hands-on care they give.",
         "Most fathers here have two weeks of leave, then work on weekdays.",
         "Hands-on care also lowers fathers' testosterone."),
        "Bonds tab, fathers (blue), at 6 months and at 12 months; the Strange Situation panel at 12 months, the fathers' row.",
        {"paternal_leave_months": 6.0}, "Set 'Father's leave' to 6 months, press Reset and Play again.",
        "What do six months of paternal leave do to fathers' bonds, their testosterone, and the "
        "infants' attachment to their fathers?",
        "While they are on leave, fathers' bonds grow much faster: at 6 months 0.77 against 0.65 (seed 1; +0.12 to +0.14 over seeds 1-3), and their testosterone is lower (13.1 against 13.6 nmol/l from birth). After the leave ends the other fathers catch up: at 12 months the bonds differ by only 0.01, and the infants' Strange Situation with their fathers hardly changes (secure B 72% against 74% of 46 fathers, seed 1). In the model, leave speeds the father's bond up; it does not set where it ends.",
        (Measure("bond_father", "at 6 months", +1, "fathers' bond at 6 months"),
             Measure("bond_father", "at the end", 0, "fathers' bond at 12 months"),
             Measure("testosterone_father", "mean after birth", -1, "fathers' testosterone (nmol/l)"),
             Measure("bond_mother", "at the end", 0, "mothers' bond")),
        "Bonds"),
    Lesson(
        "loss_and_grief", "Loss and grief",
        {"scenario": "caregiver_loss_6m", "months": 10, "seed": "1"}, "1 week",
        "Press Play (1 week per step) until the run stops at 10 months; the father leaves at 6 months (marked).",
        ("In this scenario the father dies or leaves for good when the infant is 6 months old.",
         "Those left behind grieve: loneliness raises their cortisol and lowers their oxytocin tone.",
         "The mother now cares alone, unless a grandparent lives with the family."),
        "Hormones tab, cortisol after the 6-month marker; Infant and care tab, % depressed.",
        {"scenario": "baseline"}, "Choose the scenario 'baseline' (no loss), press Reset and Play again.",
        "How does the loss show in the mothers' cortisol and depression after 6 months? Does the "
        "infant's cortisol change too?",
        "Before 6 months the two runs are the same families with the same numbers. After the loss, mothers' cortisol is about 30% higher (mean 366 against 281 nmol/l from 6.5 months, seed 1; seeds 1-3 alike) and about twice as many mothers are depressed at 10 months (16% against 8%). The infants' cortisol is only slightly higher (8.5 against 8.4 nmol/l): in the model the mother's grief reaches the infant through her care, and most care stays sensitive.",
        (Measure("cortisol_mother", "mean from 6.5 months", -1, "mothers' cortisol after the loss (nmol/l)"),
             Measure("depressed_mother", "at the end", -1, "share of mothers depressed"),
             Measure("infant_cortisol", "mean from 6.5 months", -1, "infant cortisol after the loss (nmol/l)"),
             Measure("cortisol_mother", "mean before 6 months", 0, "mothers' cortisol before the loss (nmol/l)")),
    ),
    Lesson(
        "context_decides", "Context decides what oxytocin does",
        {"scenario": "postpartum_depression", "months": 5, "seed": "1"}, "1 week",
        "Press Play (1 week per step) until the run stops at 5 months.",
        ("Oxytocin nasal sprays were once sold as a 'love hormone' that makes parents more caring.",
         "Studies find their effects depend on who takes them: in depressed mothers a dose brought "
         "no gain in sensitivity.",
         "Here many mothers are at raised risk of depression; the change gives every mother a daily "
         "oxytocin spray for 4 weeks from 3 months (marked)."),
        "Hormones tab, mothers' oxytocin and cortisol from 3 months; Bonds tab, mothers' sensitivity.",
        {"scenario": "intranasal_ot_depressed_mother"},
        "Choose the scenario 'intranasal_ot_depressed_mother', press Reset and Play again.",
        "The spray raises mothers' oxytocin. Does it make mothers more sensitive on average?",
        "The spray raises mothers' plasma oxytocin (6.1 to 6.5 pg/ml from 3 months, seed 1; seeds 1-3 alike), yet mothers' average sensitivity does not change (0.637 both ways) and their cortisol rises slightly (+2 nmol/l). In depressed mothers the same dose brings no gain in sensitivity and a stronger stress response; only the others benefit, and on average the gains and losses cancel. More oxytocin is not the same as better care.",
        (Measure("ot_plasma_mother", "mean from 3 months", +1, "mothers' plasma oxytocin, 3-4 months (pg/ml)"),
             Measure("sensitivity_mother", "at the end", 0, "mothers' sensitivity"),
             Measure("cortisol_mother", "mean from 3 months", 0, "mothers' cortisol, 3-5 months (nmol/l)")),
    ),
)

LESSONS_BY_NAME: dict[str, Lesson] = {lesson.name: lesson for lesson in LESSONS}


def measure_lesson(lesson: Lesson, seed: int = 1) -> list[dict]:
    """Run the preset and the changed form to the end; one row per measure."""
    before_h, after_h = run_form(lesson.form(seed)), run_form(lesson.changed_form(seed))
    rows = []
    for m in lesson.measures:
        before, after = read(before_h, m), read(after_h, m)
        diff = after - before
        ok = diff * m.direction > 0 if m.direction else abs(diff) <= 0.05 * max(abs(before), 1e-9)
        rows.append({"lesson": lesson.name, "seed": seed, "measure": m.label, "preset": before,
                     "changed": after, "difference": diff, "as_expected": bool(ok)})
    return rows


def print_lessons(host: str, port: int) -> int:
    """``bonding lessons``: list the lessons with the URL that opens each."""
    base = f"http://{host}:{port}/"
    for lesson in LESSONS:
        print(f"{lesson.name:26s} {lesson.title}")
        print(f"{'':26s} {lesson.url(base)}")
    print(f"\nStart the page with `bonding dashboard --port {port}`, then open an address above.")
    return 0


def main(argv: list[str] | None = None) -> int:
    seeds = parse_seeds("python -m bonding.experiments.viz.lessons", "Run the lessons headless and print what each shows.",
                        argv)
    start = time.perf_counter()
    rows = [row for seed in seeds for lesson in LESSONS for row in measure_lesson(lesson, seed)]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.precision", 4):
        print(table.to_string(index=False))
    print(f"\n{len(seeds)} seed(s), {LESSON_HOUSEHOLDS} households: {time.perf_counter() - start:.1f} s")
    return 0 if table["as_expected"].all() else 1


if __name__ == "__main__":
    sys.exit(main())
