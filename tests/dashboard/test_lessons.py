"""The guided lessons: each is complete, opens with its preset, and shows what its answer says.

Every lesson is run headless (its preset, then the class's change, seed 1, the lesson's 50
households) on the dashboard's own model and reporters, and each measure behind the expected
answer must move the stated way (or stay within 5% where the answer says it does not move).
"""

from __future__ import annotations

import pytest
from bonding.experiments.cli import main as bonding
from bonding.experiments.viz.controls import parse_settings, scenario_names
from bonding.experiments.viz.lessons import (
    LESSON_HOUSEHOLDS,
    LESSONS,
    LESSONS_BY_NAME,
    measure_lesson,
)

REQUIRED = {"touch_and_oxytocin", "stress_buffering", "fathers_and_alloparents", "loss_and_grief",
            "context_decides"}


def test_the_five_required_lessons_exist_and_are_complete():
    assert REQUIRED <= set(LESSONS_BY_NAME)
    for lesson in LESSONS:
        assert 3 <= len(lesson.sentences) <= 5, lesson.name
        for text in (lesson.title, lesson.run, lesson.look_at, lesson.change_text, lesson.question, lesson.answer):
            assert text.strip(), lesson.name
        assert lesson.question.endswith("?") and lesson.measures, lesson.name


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_preset_and_change_are_valid_forms(lesson):
    preset, changed = parse_settings(lesson.form()), parse_settings(lesson.changed_form())
    assert preset.households == LESSON_HOUSEHOLDS and preset.start_at_birth and preset.scenario in scenario_names()
    assert preset.seed == changed.seed and preset.months == changed.months  # the same families, the same span
    assert preset != changed, "the class's change changes nothing"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_each_measure_behind_the_answer_moves_the_stated_way(lesson):
    rows = measure_lesson(lesson, seed=1)
    wrong = [f"{r['measure']}: {r['preset']:.4g} -> {r['changed']:.4g}" for r in rows if not r["as_expected"]]
    assert not wrong, f"{lesson.title}: {wrong}"


def test_bonding_lessons_lists_every_lesson_with_its_address(capsys):
    assert bonding(["lessons", "--port", "8800"]) == 0
    out = capsys.readouterr().out
    for lesson in LESSONS:
        assert f"http://127.0.0.1:8800/?lesson={lesson.name}" in out


def test_bonding_lessons_bad_port_is_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        bonding(["lessons", "--port", "70000"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--port" in err[0]


def test_lesson_check_bad_seed_list_is_one_line_exit_2(capsys):
    from bonding.experiments.viz.lessons import main

    with pytest.raises(SystemExit) as info:
        main(["--seeds", "1,x"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
