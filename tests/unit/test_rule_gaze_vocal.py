"""Closed form of the M5 gaze/vocalisation rule (model.behaviour.gaze_vocal_probability) and its use by the kernel."""

from __future__ import annotations

import ast
import inspect

import pytest
from bonding.model import behaviour as bh
from bonding.model import kernel
from bonding.model.state import (
    DISTRESS_BID,
    FRIGHTENING,
    INTRUSIVE,
    NO_RESPONSE,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
)


@pytest.mark.parametrize(("response", "depressed", "bid", "gaze", "vocal"), [
    (SENSITIVE, False, SOCIAL_BID, 0.9, 0.9),
    (SENSITIVE, False, DISTRESS_BID, 0.9, 0.9 * 0.8),
    (SENSITIVE, True, SOCIAL_BID, 0.9 * 0.6, 0.9 * 0.6),
    (INTRUSIVE, False, DISTRESS_BID, 0.5, 0.5 * 0.8),
    (REJECTING, True, DISTRESS_BID, 0.5 * 0.6, 0.5 * 0.6 * 0.8),
    (REJECTING, False, SOCIAL_BID, 0.5, 0.5),
    (FRIGHTENING, False, SOCIAL_BID, 0.0, 0.0),
    (NO_RESPONSE, False, SOCIAL_BID, 0.0, 0.0),
])
def test_closed_form(response, depressed, bid, gaze, vocal):
    g, v = bh.gaze_vocal_probability(response, depressed, bid)
    assert g == pytest.approx(gaze, abs=1e-15) and v == pytest.approx(vocal, abs=1e-15)


def test_directions():
    """More gaze when sensitive, less when depressed; a social bid draws more vocalisation."""
    sens, _ = bh.gaze_vocal_probability(SENSITIVE, False, SOCIAL_BID)
    insens, _ = bh.gaze_vocal_probability(INTRUSIVE, False, SOCIAL_BID)
    dep, _ = bh.gaze_vocal_probability(SENSITIVE, True, SOCIAL_BID)
    assert sens > insens and sens > dep
    assert bh.gaze_vocal_probability(SENSITIVE, False, SOCIAL_BID)[1] > bh.gaze_vocal_probability(
        SENSITIVE, False, DISTRESS_BID)[1]


def test_the_kernel_counts_gaze_and_vocalisation_with_the_rule():
    source = inspect.getsource(kernel._count_episode.py_func)
    calls = {ast.unparse(n.func) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)}
    assert "bh.gaze_vocal_probability" in calls
