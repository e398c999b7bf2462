"""The dashboard in a real browser: Debian's chromium driven by Playwright, against the live app
(``bonding dashboard``) on 127.0.0.1. In CI these run (``.ci/run`` installs the browser); elsewhere
they are skipped if no chromium or playwright is installed (see ``conftest.py``).

No sleeps: every wait is for a selector or a text the page shows when it is in the state sought.
Screenshots go to ``results/dashboard/`` (git-ignored).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from bonding.experiments.viz.lessons import LESSON_HOUSEHOLDS, LESSONS
from bonding.model.state import PRENATAL_DAYS

pytest.importorskip("solara", reason="the dashboard extra is not installed: pip install -e '.[dashboard]'")

READY_MS = 240_000  # a fresh machine compiles the kernel first ("Preparing the model")
STEP_MS = 120_000  # one step on a loaded 2-core machine, generously
AT_BIRTH = 24 * PRENATAL_DAYS  # the default form starts at birth; one step is one hour


@pytest.fixture
def page(browser_context, server):
    page = browser_context.new_page()
    yield page
    page.close()


def open_page(page, url: str):
    page.goto(url)
    page.get_by_role("button", name="Reset", exact=True).wait_for(timeout=READY_MS)
    page.get_by_text("(1 step = 1 hour)").wait_for(timeout=STEP_MS)


def status(page) -> str:
    return page.get_by_text(re.compile(r"\(1 step = 1 hour\)")).inner_text()


def wait_for_step(page, steps: int):
    page.get_by_text(f"step {steps} (1 step = 1 hour)", exact=False).wait_for(timeout=STEP_MS)


def click(page, name: str):
    button = page.get_by_role("button", name=name, exact=True)
    button.wait_for(timeout=STEP_MS)
    button.click()


def monitors(page) -> dict[str, str]:
    return {el.get_attribute("data-monitor"): el.inner_text() for el in page.locator("[data-monitor]").all()}


def choose(page, label: str, option: str):
    """Pick ``option`` in the Vuetify select labelled ``label``."""
    page.locator(".v-select", has_text=label).first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()
    page.locator(".v-select", has_text=option).first.wait_for(timeout=STEP_MS)


def open_tab(page, name: str):
    page.get_by_role("tab", name=name).click()


def test_page_loads_with_no_request_leaving_the_machine_and_the_household_changes_hour_by_hour(
        page, server, browser_context, screenshots):
    open_page(page, server)
    wait_for_step(page, AT_BIRTH)
    choose(page, "Hours per step", "1 hour")
    view = page.locator(f'.household-view svg[data-hour="{AT_BIRTH}"]')
    view.wait_for(timeout=STEP_MS)
    seen = {view.inner_html()}
    for hour in range(AT_BIRTH + 1, AT_BIRTH + 7):
        click(page, "Step")
        view = page.locator(f'.household-view svg[data-hour="{hour}"]')
        view.wait_for(timeout=STEP_MS)
        seen.add(view.inner_html())
    assert len(seen) >= 4, "the household view did not change hour by hour"
    page.screenshot(path=str(screenshots / "household.png"))
    hosts = {urlparse(u).hostname for u in browser_context.requested
             if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {sorted(hosts - {'127.0.0.1'})}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_each_lesson_opens_by_url_with_its_preset(page, server, screenshots, lesson):
    open_page(page, lesson.url(server))
    page.get_by_text(f"Lesson: {lesson.title}").wait_for(timeout=STEP_MS)
    line = status(page)
    scenario = lesson.preset.get("scenario", "baseline")
    assert line.startswith(f"{scenario}, {LESSON_HOUSEHOLDS} households, seed {lesson.preset['seed']}:"), line
    assert page.locator(".v-select", has_text=lesson.hours_per_step).count() >= 1
    assert not page.get_by_text(lesson.answer).is_visible()
    click(page, "Show the expected answer")
    page.get_by_text(lesson.answer).wait_for(timeout=STEP_MS)
    page.screenshot(path=str(screenshots / f"lesson_{lesson.name}.png"))


def test_slider_reset_step_changes_the_plotted_values_and_an_edited_seed_works(page, server):
    open_page(page, server)
    click(page, "Step")  # default: 1 day per step
    wait_for_step(page, AT_BIRTH + 24)
    open_tab(page, "Hormones")
    figure = page.locator(".trend-figure svg.trend-lines").first  # the current run's lines
    figure.wait_for(timeout=STEP_MS)
    before_lines, before = figure.evaluate("svg => svg.outerHTML"), monitors(page)
    slider = page.locator(".v-input", has_text="Oxytocin calms stress").locator("[role=slider]")
    slider.focus()
    slider.press("Home")  # to its minimum: 0 switches the buffer off
    page.get_by_text("0 strength (0 = off) (range 0 to 2)", exact=False).wait_for(timeout=STEP_MS)
    click(page, "Reset")
    page.get_by_text("Changed from the scenario: ot_stress_buffering=0").wait_for(timeout=STEP_MS)
    wait_for_step(page, AT_BIRTH)
    click(page, "Step")
    wait_for_step(page, AT_BIRTH + 24)
    page.wait_for_function("lines => document.querySelector('.trend-figure svg.trend-lines').outerHTML !== lines",
                           arg=before_lines, timeout=STEP_MS)
    assert monitors(page) != before, "the change did not reach the numbers"
    seed_box = page.get_by_label("Seed (whole number)")
    seed_box.fill("7")
    click(page, "Reset")
    page.get_by_text(", seed 7:", exact=False).wait_for(timeout=STEP_MS)
    wait_for_step(page, AT_BIRTH)
    seed7 = monitors(page)
    assert seed7 != before


def test_strange_situation_panel_appears_at_12_months(page, server, screenshots):
    open_page(page, LESSONS[2].url(server) if LESSONS[2].preset["months"] >= 12 else server)
    assert "12 months" in page.get_by_text("Strange Situation (attachment A/B/C/D)").inner_text()
    click(page, "Play")
    page.get_by_text("Strange Situation at 12 months").wait_for(timeout=10 * STEP_MS)
    rows = page.locator(".ssp-panel [data-ssp-role]").all_inner_texts()
    assert any(r.startswith("mother A ") for r in rows) and any(r.startswith("father A ") for r in rows), rows
    assert all(re.search(r"A \d+% B \d+% C \d+% D \d+% \(n=\d+\)", r) for r in rows), rows
    page.screenshot(path=str(screenshots / "strange_situation.png"))


def test_csv_and_png_export_of_what_is_shown(page, server, tmp_path):
    open_page(page, server)
    click(page, "Step")
    wait_for_step(page, AT_BIRTH + 24)
    open_tab(page, "Export")
    with page.expect_download(timeout=STEP_MS) as info:
        page.get_by_text("Save the daily means (CSV)").click()
    csv = tmp_path / "daily.csv"
    info.value.save_as(csv)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("age_days,") and len(lines) == 1 + PRENATAL_DAYS + 1  # header + one row a day
    open_tab(page, "Hormones")
    with page.expect_download(timeout=STEP_MS) as info:
        page.get_by_text("Save this figure (PNG)").first.click()
    png = tmp_path / "figure.png"
    info.value.save_as(png)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_usable_at_1024_by_768_and_no_warning_printed_per_session(page, server, server_log):
    for _ in range(2):  # two more sessions on the same server
        open_page(page, server)
    assert page.viewport_size == {"width": 1024, "height": 768}
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1024, "the page scrolls sideways"
    for name in ("Reset", "Play", "Step"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["y"] + box["height"] <= 768, f"{name} is below the fold"
    slider = page.locator(".v-input", has_text="Oxytocin calms stress").first.bounding_box()
    assert slider["y"] + slider["height"] <= 768, "the first teaching slider is below the fold"
    log = server_log.read_text(errors="replace")
    assert "Warning" not in log, log[-2000:]
    hosts = {urlparse(u).hostname for u in page.context.requested
             if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, f"requests left the machine (all tests so far): {sorted(hosts - {'127.0.0.1'})}"
