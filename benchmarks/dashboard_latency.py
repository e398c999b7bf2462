"""How responsive the classroom dashboard is, measured in a real browser (not part of the tests).

Starts ``bonding dashboard`` on a free port, opens it in headless Chromium (Playwright, recipe (f)
of the project's tool notes) and measures, at the default 100 households:

- page ready: from loading the URL to the status line showing the model (includes building the
  model and running the pregnancy, "start at birth");
- Step: from a click to the status line showing the new step count (stepping the model and
  redrawing the three "Over time" figures), median of ``--clicks`` clicks, per "hours per step";
- Play: simulated days per wall-clock second at "1 week" per step with no pause.

Also counts requests that leave 127.0.0.1 (must be 0). Needs the dashboard extra, the
``playwright`` package and a Chromium binary (``apt-get install chromium``)::

    python benchmarks/dashboard_latency.py [--clicks 5] [--play-seconds 20] [--screenshot docs/dashboard.png]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
STATUS = re.compile(r"step (\d+) \(1 step = 1 hour\)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):  # noqa: S310
                return proc
        except OSError:
            time.sleep(0.25)
    proc.terminate()
    raise SystemExit("bonding dashboard did not start within 120 s")


def step_count(page) -> int:
    return int(STATUS.search(page.get_by_text(STATUS).inner_text()).group(1))


def wait_for_step(page, target: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while step_count(page) < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"the status line did not reach step {target}")
        time.sleep(0.01)


def choose_hours(page, label: str) -> None:
    page.get_by_role("button", name=re.compile(r"^Hours per step")).click()
    page.get_by_role("option", name=label, exact=True).click()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5, help="Step clicks per setting (default 5)")
    parser.add_argument("--play-seconds", type=float, default=20.0, help="how long to Play (default 20)")
    parser.add_argument("--screenshot", default=None, help="save a viewport screenshot here at the end")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium binary on PATH (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    outside: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                    and urlparse(r.url).hostname != "127.0.0.1" else None)  # data: URLs (the figures) stay local
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text(STATUS).wait_for(timeout=120_000)
            ready = time.perf_counter() - t0
            print(f"page ready (model built, pregnancy run): {ready:.2f} s")
            print("\n| hours per step | Step click to redrawn status, median (min-max) s |\n|---|---|")
            for label in ("1 hour", "1 day", "1 week"):
                choose_hours(page, label)
                times = []
                for _ in range(args.clicks):
                    before = step_count(page)
                    t = time.perf_counter()
                    page.get_by_role("button", name="Step", exact=True).click()
                    wait_for_step(page, before + 1)
                    times.append(time.perf_counter() - t)
                print(f"| {label} | {statistics.median(times):.2f} ({min(times):.2f}-{max(times):.2f}) |")
            choose_hours(page, "1 week")
            before = step_count(page)
            page.get_by_role("button", name="Play", exact=True).click()
            time.sleep(args.play_seconds)
            page.get_by_role("button", name="Pause", exact=True).click()
            played = step_count(page) - before
            print(f"\nPlay, 1 week per step, default pause (100 ms): {played / 24 / args.play_seconds:.1f} "
                  f"simulated days per second ({played} hours in {args.play_seconds:g} s)")
            if args.screenshot:
                page.screenshot(path=args.screenshot)
                print(f"wrote {args.screenshot}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"requests that left 127.0.0.1: {len(outside)}")
    return 0 if not outside else 1


if __name__ == "__main__":
    sys.exit(main())
