"""How responsive the classroom dashboard is, measured in a real browser (not part of the tests).

Starts ``bonding dashboard`` on a free port and opens ``--sessions`` browser tabs on it at once
(each its own session and model: a lesson preset of 50 households), in Debian's chromium driven
by Playwright (the same launch as the tests). In every tab at the same time it measures:

- page ready: from loading the URL to the Reset button (includes "Preparing the model" when the
  kernel is not compiled yet, building the model and running the pregnancy);
- Step, 1 hour per step, household view open: from the click to the household picture of the
  new hour (``svg[data-hour=N]``) in the page, ``--clicks`` clicks;
- Step, 1 day per step, Hormones tab open: from the click to the redrawn figure (its PNG changes).

Both are timed inside the page (``performance.now()`` around the button's click and a
MutationObserver), so they include the server's step and render, the websocket and the
browser's redraw, and not Playwright's own overhead.

Pages load ``--arrive`` at a time (the browser shares the server's machine); once every session
is ready, all of them step at the same time. Prints medians and ranges over all clicks of all sessions, and the number of requests that left
127.0.0.1 (must be 0)::

    python benchmarks/dashboard_latency.py --sessions 1 --clicks 10
    python benchmarks/dashboard_latency.py --sessions 4 --clicks 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.dashboard.conftest import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

LESSON = "stress_buffering"  # 50 households, baseline; the lesson opens on its own tab


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "bonding.experiments.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):  # noqa: S310
                return proc
        except OSError:
            time.sleep(0.25)  # polling for the port
    proc.terminate()
    raise SystemExit("bonding dashboard did not start within 240 s")


def stop(server: subprocess.Popen) -> None:
    """Stop the server this script started (by its process id)."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def choose_hours(page, option: str) -> None:
    await page.locator(".v-select", has_text="Hours per step").first.click()
    await page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()
    await page.locator(".v-select", has_text=option).first.wait_for()


# Timed inside the page: from the Step button's click() to the DOM showing the result (a
# MutationObserver), so that Playwright's own overhead is not counted.
TIMED_CLICK = """async (selector) => {
    const step = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'STEP'
                                                                   || b.innerText.trim() === 'Step');
    const img = document.querySelector('img.trend-figure');
    const before = img ? img.getAttribute('src') : null;
    const done = () => selector ? document.querySelector(selector) !== null
                                : document.querySelector('img.trend-figure').getAttribute('src') !== before;
    const t0 = performance.now();
    await new Promise(resolve => {
        const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(); } });
        observer.observe(document.body, {subtree: true, childList: true, attributes: true});
        step.click();
    });
    return (performance.now() - t0) / 1000;
}"""


async def timed_click(page, selector: str | None) -> float:
    return await page.evaluate(TIMED_CLICK, selector)


async def session(browser, url: str, clicks: int, results: dict, loading: asyncio.Semaphore,
                  everyone_ready: asyncio.Barrier) -> None:
    page = await browser.new_page()
    page.set_default_timeout(600_000)  # many sessions on two cores: waits are long, never a failure
    async with loading:  # students arrive a few at a time; then all of them step at once
        t0 = time.perf_counter()
        await page.goto(url)
        await page.get_by_role("button", name="Reset", exact=True).wait_for()
        results["ready"].append(time.perf_counter() - t0)
    await everyone_ready.wait()
    await page.get_by_role("tab", name="Household").click()
    await choose_hours(page, "1 hour")
    svg = page.locator(".household-view svg")
    await svg.wait_for()
    hour = int(await svg.get_attribute("data-hour"))
    for _ in range(clicks):
        hour += 1
        results["household, 1 hour"].append(await timed_click(page, f'.household-view svg[data-hour="{hour}"]'))
    await page.get_by_role("tab", name="Hormones").click()
    await choose_hours(page, "1 day")
    await page.locator("img.trend-figure").first.wait_for()
    for _ in range(clicks):
        results["Hormones figure, 1 day"].append(await timed_click(page, None))
    await page.close()


async def measure(port: int, sessions: int, clicks: int, arrive: int) -> tuple[dict, list[str]]:
    from playwright.async_api import async_playwright

    results: dict[str, list[float]] = {"ready": [], "household, 1 hour": [], "Hormones figure, 1 day": []}
    outside: list[str] = []
    async with async_playwright() as pw:
        with tempfile.TemporaryDirectory() as profile:
            browser = await pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1024, "height": 768})
            browser.on("request", lambda r: outside.append(r.url)
                       if urlparse(r.url).scheme in ("http", "https", "ws", "wss")
                       and urlparse(r.url).hostname != "127.0.0.1" else None)
            url = f"http://127.0.0.1:{port}/?lesson={LESSON}"
            loading, everyone_ready = asyncio.Semaphore(arrive), asyncio.Barrier(sessions)
            await asyncio.gather(*(session(browser, url, clicks, results, loading, everyone_ready)
                                   for _ in range(sessions)))
            await browser.close()
    return results, outside


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1, help="browser tabs at once (default 1)")
    parser.add_argument("--clicks", type=int, default=10, help="Step clicks per measure and tab (default 10)")
    parser.add_argument("--arrive", type=int, default=4,
                        help="pages loading at the same time (default 4); all sessions then step at once")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        raise SystemExit("no chromium binary (apt-get install chromium)")
    port = free_port()
    server = start_server(port)
    try:
        results, outside = asyncio.run(measure(port, args.sessions, args.clicks, args.arrive))
    finally:
        stop(server)
    print(f"{args.sessions} session(s) stepping at once, 50 households each, {args.clicks} clicks per measure "
          f"and session (pages loaded {args.arrive} at a time)")
    print("| measure | median s | min-max s | n |\n|---|---|---|---|")
    for name, times in results.items():
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f}-{max(times):.3f} | {len(times)} |")
    print(f"requests that left 127.0.0.1: {len(outside)}")
    return 0 if not outside else 1


if __name__ == "__main__":
    sys.exit(main())
