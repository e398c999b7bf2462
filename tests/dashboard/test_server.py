"""``bonding dashboard`` really serves the page, with every front-end file from this machine.

The server test needs the dashboard extra. The browser test is optional: it runs only where a
Chromium binary and the ``playwright`` package are present (recipe (f) of the project's tool
notes), and checks that the page works (Step advances the run) and that no request the page
makes leaves 127.0.0.1, i.e. that the dashboard works with no internet connection.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from model.state import PRENATAL_DAYS

pytest.importorskip("solara", reason="the dashboard extra is not installed: pip install -e '.[dashboard]'")

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120  # a cold start imports Solara and loads the compiled model on a shared machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
        return response.status, response.read()


@pytest.fixture(scope="module")
def server():
    """``bonding dashboard`` on a free port, stopped (by its process id) after the tests."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"bonding dashboard exited with {proc.returncode}: {proc.stdout.read().decode()[-2000:]}")
            try:
                if get(url, timeout=2.0)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"bonding dashboard did not answer on {url} within {STARTUP_SECONDS} s")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_served_page_loads_its_scripts_and_styles_from_this_machine(server):
    status, body = get(server)
    html = body.decode()
    assert status == 200 and "solara" in html.lower()
    resources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(r'<link[^>]*\shref="([^"]+)"', html)
    assert any("/_solara/cdn/" in r for r in resources), "expected the front-end bundle under /_solara/cdn/"
    for ref in resources:
        url = urljoin(server, ref)
        assert urlparse(url).hostname == "127.0.0.1", f"{ref} would be fetched from another host"
        assert get(url)[0] == 200, f"{ref} is not served locally (is solara-assets installed?)"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="optional browser test: no chromium binary on PATH "
                                                 "(apt-get install chromium; pip install playwright)")
def test_in_a_browser_step_works_and_no_request_leaves_the_machine(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="optional browser test: pip install playwright")
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda request: requested.append(request.url))
            page.on("websocket", lambda ws: requested.append(ws.url))
            page.goto(server)
            page.get_by_role("button", name="Reset", exact=True).wait_for(timeout=90_000)
            at_birth = 24 * PRENATAL_DAYS  # the default form starts at birth, one step = one hour
            page.get_by_text(f"step {at_birth} (1 step = 1 hour)", exact=False).wait_for(timeout=30_000)
            page.get_by_role("button", name="Step", exact=True).click()  # default: 1 day per step
            page.get_by_text(f"step {at_birth + 24} (1 step = 1 hour)", exact=False).wait_for(timeout=30_000)
            page.screenshot(path=os.environ.get("DASHBOARD_SCREENSHOT", str(tmp_path / "dashboard.png")))
        finally:
            browser.close()
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {sorted(hosts - {'127.0.0.1'})}"
