"""Parameter recovery through the whole pipeline (issue 15's test list): published values that are
one noisy draw of the simulator itself at a known point, history matching then ABC in the NROY
box; the known point lies inside every identified parameter's 90% posterior interval and the
inert parameter stays at its prior. The simulator is the analytic stand-in of
test_history_matching (a real design point costs minutes, calibration.md)."""

from __future__ import annotations

import pandas as pd
from bonding.calibration.history_matching import nroy_box, run_history_matching
from bonding.calibration.nroy_abc import run_nroy_abc
from bonding.calibration.standin import LinearStandIn
from bonding.calibration.study_targets import parse_targets
from bonding.model.params import PARAMS
from test_history_matching import LOG, NAMES, SETTINGS, SPACE, STANDIN, TRUTH

# the stand-in with its run-to-run noise as large as a published study's SE (0.02)
NOISY = LinearStandIn({k: (a, slopes, 0.02) for k, (a, slopes, _) in STANDIN.spec.items()})


def test_targets_drawn_from_the_simulator_at_a_known_point_are_recovered(tmp_path):
    draw = NOISY(TRUTH, seed=4)  # what a study of the model at TRUTH would publish (with its noise)
    spec = {f"Y{i}": {"study": f"y{i}", "source": "x", "role": "fit", "kind": "value", "value": draw[f"y{i}"],
                      "se": 0.02, "scale": "identity", "confidence": "H"} for i in (1, 2, 3)}
    spec["Y4"] = {"study": "y4", "source": "x", "role": "fit", "kind": "at_least", "value": 0.0, "tolerance": 0.02,
                  "scale": "identity", "confidence": "M"}
    targets = parse_targets({"meta": {"chosen_on": "2026-12-07", "chosen_at_commit": "9684daa"}, "targets": spec},
                            studies=("y1", "y2", "y3", "y4")).targets
    assert all(abs(draw[f"y{i}"] - NOISY.mean(TRUTH)[f"y{i}"]) > 0.01 for i in (1, 2, 3))  # each off by > SE/2
    run_history_matching(targets, SPACE, NOISY, tmp_path / "hm", seed=11, settings=SETTINGS, **LOG)
    run_nroy_abc(targets, nroy_box(tmp_path / "hm"), NOISY, tmp_path / "abc", seed=12, population=80,
                 generations=5, **LOG)
    s = pd.read_csv(tmp_path / "abc" / "posterior_summary.csv").set_index("parameter")
    assert list(s.index) == list(NAMES)
    for name in ("sensitivity_trait_sd", "iwm_distress_weight", "base_sensitivity"):
        assert s.loc[name, "posterior_q05"] <= TRUTH[name] <= s.loc[name, "posterior_q95"], name
        width = s.loc[name, "posterior_q95"] - s.loc[name, "posterior_q05"]
        assert width < 0.3 * (PARAMS[name].hi - PARAMS[name].lo), name  # learned, not just the prior
    assert s.loc["motivation_gain", "sd_vs_box"] > 0.8  # moves no output: stays at its prior
