"""Make the lesson screenshots in ``docs/lessons/``: each lesson as a class would run it.

Drives the real page (``bonding dashboard``) in Debian's chromium at 1024x768, as the teacher
would: open ``/?lesson=NAME``, Play to the end, make the lesson's change (a slider by keyboard or
the scenario menu), Reset, Play to the end again, then a screenshot of the tab where the effect
shows, with the preset run dashed under the changed one. Also writes ``docs/dashboard.png`` (the
stress-buffering lesson). Needs the dashboard extra, ``playwright`` and chromium::

    python docs/dashboard_screenshot.py [--out docs/lessons]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bonding.experiments.viz.controls import teaching_controls  # noqa: E402
from bonding.experiments.viz.lessons import LESSONS, Lesson  # noqa: E402

from benchmarks.dashboard_latency import start_server, stop  # noqa: E402
from tests.dashboard.conftest import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

RUN_MS = 600_000


def play_to_end(page) -> None:
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_text("run finished", exact=False).wait_for(timeout=RUN_MS)


def make_change(page, lesson: Lesson) -> None:
    """The lesson's change, as a teacher makes it on the page."""
    for name, value in lesson.change.items():
        if name == "scenario":
            page.locator(".v-select", has_text="Scenario").first.click()
            page.locator(".menuable__content__active .v-list-item", has_text=value).first.click()
            continue
        control = teaching_controls()[name]
        slider = page.locator(".v-input", has_text=control.label).locator("[role=slider]")
        slider.focus()
        for _ in range(10 * round(abs(float(value) - float(lesson.form()[name])) / control.step) + 10):
            now = float(slider.get_attribute("aria-valuenow"))
            if abs(now - float(value)) < control.step / 2:
                break
            slider.press("ArrowRight" if now < float(value) else "ArrowLeft")  # Vuetify updates it at once
        else:
            raise SystemExit(f"could not set {name} to {value}")


def shoot(page, base: str, lesson: Lesson, out: Path) -> Path:
    page.goto(lesson.url(base))
    page.get_by_role("button", name="Reset", exact=True).wait_for(timeout=RUN_MS)
    play_to_end(page)
    make_change(page, lesson)
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("run finished", exact=False).wait_for(state="detached", timeout=RUN_MS)
    play_to_end(page)
    page.get_by_role("tab", name=lesson.tab).click()
    page.wait_for_function("() => { const i = document.querySelector('.trend-figure svg.trend-lines');"  # drawn, tab slid in
                           " return i && i.getBoundingClientRect().width > 500"
                           " && !document.querySelector('.v-window__container--is-active'); }", timeout=RUN_MS)
    path = out / f"{lesson.name}.png"
    page.screenshot(path=str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "lessons"), help="folder for the PNGs")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        raise SystemExit("no chromium binary (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server: subprocess.Popen = start_server(port)
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1024, "height": 768})
            page = context.new_page()
            for lesson in LESSONS:
                path = shoot(page, f"http://127.0.0.1:{port}/", lesson, out)
                print(f"wrote {path}")
                if lesson.name == "stress_buffering":
                    shutil.copyfile(path, REPO / "docs" / "dashboard.png")
            context.close()
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
