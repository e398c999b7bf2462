"""Make ``docs/dashboard.png``: classroom demonstration 1 as the dashboard shows it.

Drives the real page in headless Chromium the way a teacher would: 4 weeks per step, Step to
about 6 months, set ot_stress_buffering to 0 (slider: Home key), Reset, Step to 6 months again,
then a viewport screenshot of the Hormones tab (the previous run dashed). Needs the dashboard
extra, ``playwright`` and a Chromium binary::

    python docs/dashboard_screenshot.py [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from dashboard_latency import choose_hours, free_port, start_server, step_count, wait_for_step  # noqa: E402


def step_to(page, hours: int, per_step: int = 672) -> None:
    while step_count(page) + per_step <= hours:
        before = step_count(page)
        page.get_by_role("button", name="Step", exact=True).click()
        wait_for_step(page, before + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("dashboard.png")))
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium binary on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from model.state import PRENATAL_DAYS

    six_months = 24 * (PRENATAL_DAYS + 183)
    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text(re.compile(r"step \d+ \(1 step")).wait_for(timeout=120_000)
            choose_hours(page, "4 weeks")
            step_to(page, six_months)
            slider = page.locator(".v-input", has_text="ot_stress_buffering").get_by_role("slider")
            slider.focus()
            slider.press("Home")
            page.get_by_text("0 gain: domain (a)").wait_for()
            page.get_by_role("button", name="Reset", exact=True).click()
            while step_count(page) != 24 * PRENATAL_DAYS:  # the new model, started at birth
                page.wait_for_timeout(50)
            step_to(page, six_months)
            page.wait_for_timeout(1000)
            page.screenshot(path=args.out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
