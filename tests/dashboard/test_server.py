"""``bonding dashboard`` really serves the page, with every front-end file from this machine.

The server test needs the dashboard extra. The browser tests (``test_browser.py``) check in
Chromium that no request the page makes leaves 127.0.0.1.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urljoin, urlparse

import pytest

pytest.importorskip("solara", reason="the dashboard extra is not installed: pip install -e '.[dashboard]'")


def get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
        return response.status, response.read()


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
