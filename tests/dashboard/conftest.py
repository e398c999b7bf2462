"""Markers and shared fixtures of the dashboard tests: the live server and a real browser.

The browser is Debian's ``chromium`` (/usr/bin/chromium), driven by Playwright for Python with an
empty profile and every background service off (recipe (f) of the project's tool notes); no
browser is downloaded. ``.ci/run`` installs both, and in CI (``CI`` set) a missing browser fails
the browser tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240  # a cold start imports Solara and compiles the kernel on a shared machine
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_configure(config):
    config.addinivalue_line("markers", "real_figures: draw the dashboard's real matplotlib figures")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
        return response.status, response.read()


@pytest.fixture(scope="session")
def server_log(tmp_path_factory) -> Path:
    """Where the test server's output (stdout and stderr) goes."""
    return tmp_path_factory.mktemp("dashboard-server") / "server.log"


@pytest.fixture(scope="session")
def server(server_log):
    """``bonding dashboard`` on a free port, stopped (by its process id) after the tests."""
    pytest.importorskip("solara", reason="the dashboard extra is not installed: pip install -e '.[dashboard]'")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    log = open(server_log, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "bonding.experiments.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"bonding dashboard exited with {proc.returncode}")
            try:
                if get(url, timeout=5.0)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"bonding dashboard did not answer on {url} within {STARTUP_SECONDS} s")
            time.sleep(0.25)  # polling for the server's port, not synchronising with the page
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def chromium_path() -> str | None:
    for path in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if path and os.access(path, os.X_OK):
            return path
    return None


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason} (.ci/run installs them)")
    pytest.skip(f"browser test: {reason} (apt-get install chromium; pip install playwright)")


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """A Chromium context with an empty profile; every request and websocket is recorded."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    executable = chromium_path()
    if executable is None:
        _unavailable("no chromium binary")
    requested: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=executable, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1024, "height": 768})
        context.on("request", lambda request: requested.append(request.url))
        context.on("page", lambda page: page.on("websocket", lambda ws: requested.append(ws.url)))
        context.requested = requested
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests leave their screenshots (git-ignored)."""
    out = REPO / "results" / "dashboard"
    out.mkdir(parents=True, exist_ok=True)
    return out
