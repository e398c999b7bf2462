"""How responsive the classroom dashboard is, measured in a real browser (not part of the tests).

For each count in ``--sessions`` (e.g. ``1,12,25``) it starts a fresh ``bonding dashboard`` on a
free port and opens that many browser tabs on it (each its own session and model: a lesson
preset of 50 households), in Debian's chromium driven by Playwright (the same launch as the
tests). In every tab at the same time it measures:

- page ready: from loading the URL to the Reset button (includes "Preparing the model" when the
  kernel is not compiled yet, building the model and running the pregnancy);
- Step, 1 hour per step, household view open: from the click to the household picture of the
  new hour (``svg[data-hour=N]``) in the page, ``--clicks`` clicks;
- Step, 1 day per step, Hormones tab open: from the click to the redrawn figure (the lines'
  SVG of the new day, ``.trend-figure svg[data-days=N]``).

Both are timed inside the page (``performance.now()`` around the button's click and a
MutationObserver), so they include the server's step and render, the websocket and the
browser's redraw, and not Playwright's own overhead.

Pages load ``--arrive`` at a time (the browser shares the server's machine); once every session
is ready, all of them step at the same time. It prints medians and ranges over all clicks of all
sessions; the server's resident memory (``VmRSS`` of its process) before the first tab, with all
tabs open after their steps, and its peak (``VmHWM``); the lines with "Warning" the server printed
(must be 0); the load average before and after; and the number of requests that left 127.0.0.1
(must be 0)::

    nice -n 10 python benchmarks/dashboard_latency.py --sessions 1,12,25 --clicks 5
    nice -n 10 python benchmarks/dashboard_latency.py --sessions 1 --clicks 10 --threads 1

``--headless`` is the lighter method for many sessions when as many chromium pages do not fit on
the machine next to the server: the sessions are rendered in this one process by Solara's test
renderer and step in their own threads; it times the server's share of a step (model, figures,
widget updates), not the websocket and the browser::

    nice -n 10 python benchmarks/dashboard_latency.py --headless --sessions 1,25 --clicks 5
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
#: Tabs waiting for the others are in the background: chromium would throttle their timers and
#: freeze them, and a frozen tab loses its connection to the server (seen with 25 tabs)
NO_BACKGROUND_THROTTLING = ["--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                            "--disable-backgrounding-occluded-windows", "--disable-features=IntensiveWakeUpThrottling"]


def start_server(port: int, log=subprocess.DEVNULL, threads: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "bonding.experiments.cli", "dashboard", "--port", str(port)]
    proc = subprocess.Popen(command + (["--threads", str(threads)] if threads else []),
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):  # noqa: S310
                return proc
        except OSError:
            time.sleep(0.25)  # polling for the port
    proc.terminate()
    raise SystemExit("bonding dashboard did not start within 240 s")


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (``VmRSS``) and at its peak (``VmHWM``), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


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
    const lines = () => document.querySelector('.trend-figure svg');
    const before = lines() ? lines().getAttribute('data-days') : null;
    const done = () => selector ? document.querySelector(selector) !== null
                                : lines() !== null && lines().getAttribute('data-days') !== before;
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
    await page.locator(".trend-figure svg").first.wait_for()
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
                profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS + NO_BACKGROUND_THROTTLING,
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


def sessions_list(text: str) -> list[int]:
    try:
        counts = [int(x) for x in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed whole numbers of 1 or more, comma-separated (e.g. 1,12,25)")
    return counts


def run_one(sessions: int, clicks: int, arrive: int, threads: int | None) -> bool:
    """One fresh server, ``sessions`` tabs on it; prints the table; True if nothing left 127.0.0.1."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        before_load = load()
        with open(log_path, "wb") as log:
            server = start_server(port, log, threads)
            try:
                idle = memory_mb(server.pid)
                results, outside = asyncio.run(measure(port, sessions, clicks, arrive))
                busy = memory_mb(server.pid)
            finally:
                stop(server)
        warnings = [line for line in log_path.read_text(errors="replace").splitlines() if "Warning" in line]
    print(f"\n{sessions} session(s) stepping at once, 50 households each, {clicks} clicks per measure and "
          f"session (pages loaded {arrive} at a time; --threads {threads or 'default (all cores)'})")
    print(f"before: {before_load}; after: {load()}")
    print("| measure | median s | min-max s | n |\n|---|---|---|---|")
    for name, times in results.items():
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f}-{max(times):.3f} | {len(times)} |")
    print(f"server memory: {idle['VmRSS']:.0f} MB before the first tab, {busy['VmRSS']:.0f} MB with "
          f"{sessions} tab(s) open after their steps (peak {busy['VmHWM']:.0f} MB)")
    print(f"lines with 'Warning' printed by the server: {len(warnings)}")
    print(f"requests that left 127.0.0.1: {len(outside)}", flush=True)
    return not outside and not warnings


def headless_session(clicks: int, results: dict, barrier, lock, keep: list) -> None:
    """One session rendered in-process (Solara's test renderer); when all are ready, ``clicks``
    Steps of 1 hour on the Household tab, then of 1 day on the Hormones tab, all sessions at once."""
    import ipyvuetify as v
    import solara
    from bonding.experiments.viz.lessons import LESSONS_BY_NAME
    from bonding.experiments.viz.page import TAB_NAMES, DashboardState, Page

    state = DashboardState(lesson=LESSONS_BY_NAME[LESSON])

    @solara.component
    def App():
        with solara.AppLayout():
            Page(state)

    _, rc = solara.render(App(), handle_error=False)
    keep.append(rc)  # the session stays open, as a browser tab would
    for measure, tab, hours in (("household, 1 hour", "Household", "1 hour"),
                                ("Hormones figure, 1 day", "Hormones", "1 day")):
        rc.find(v.Tabs).widget.v_model = TAB_NAMES.index(tab)
        state.hours_per_step.value = hours
        barrier.wait()
        for _ in range(clicks):
            t0 = time.perf_counter()
            state.step()  # what the Step button runs: the model's step and the page's render pass
            with lock:
                results[measure].append(time.perf_counter() - t0)


def run_headless(sessions: int, clicks: int, threads: int | None) -> bool:
    """The lighter method: ``sessions`` pages rendered in this process, no browser, no websocket.

    Each session steps in its own thread, as the server runs each browser tab's clicks; a step is
    timed from the click handler's start to the end of the render pass (the server's share of a
    step: the model, the figures, the widget updates), not the websocket and the browser's redraw."""
    import threading

    from bonding.experiments.viz import page
    from bonding.experiments.viz.cli import THREADS_ENV

    if threads:
        os.environ[THREADS_ENV] = str(threads)
        page.SIMULATING = threading.BoundedSemaphore(page.simulation_slots())
    page.prepare_kernel()
    before_load, idle = load(), memory_mb(os.getpid())
    results: dict[str, list[float]] = {"household, 1 hour": [], "Hormones figure, 1 day": []}
    lock, barrier, keep = threading.Lock(), threading.Barrier(sessions), []
    workers = [threading.Thread(target=headless_session, args=(clicks, results, barrier, lock, keep))
               for _ in range(sessions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    busy = memory_mb(os.getpid())
    print(f"\n{sessions} session(s) stepping at once, headless (Solara's renderer in one process, no browser), "
          f"50 households each, {clicks} clicks per measure and session; simulation slots {page.simulation_slots()}")
    print(f"before: {before_load}; after: {load()}")
    print("| measure (server's share) | median s | min-max s | n |\n|---|---|---|---|")
    for name, times in results.items():
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f}-{max(times):.3f} | {len(times)} |")
    print(f"process memory: {idle['VmRSS']:.0f} MB with the kernel loaded, {busy['VmRSS']:.0f} MB with "
          f"{len(keep)} sessions open after their steps (peak {busy['VmHWM']:.0f} MB)", flush=True)
    return len(keep) == sessions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=sessions_list, default=[1],
                        help="browser tabs at once; several counts, comma-separated, run one after the other, "
                             "each on a fresh server (default 1)")
    parser.add_argument("--clicks", type=int, default=10, help="Step clicks per measure and tab (default 10)")
    parser.add_argument("--arrive", type=int, default=4,
                        help="pages loading at the same time (default 4); all sessions then step at once")
    parser.add_argument("--threads", type=int, default=None, help="the server's --threads (default: its default)")
    parser.add_argument("--headless", action="store_true",
                        help="the lighter method: sessions rendered in this process, no browser (the server's share)")
    args = parser.parse_args(argv)
    if args.headless:
        return 0 if all(run_headless(n, args.clicks, args.threads) for n in args.sessions) else 1
    if chromium_path() is None:
        raise SystemExit("no chromium binary (apt-get install chromium)")
    ok = [run_one(n, args.clicks, args.arrive, args.threads) for n in args.sessions]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
