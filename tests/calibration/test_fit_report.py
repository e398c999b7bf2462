"""The fit report (calibration/fit_report.py) on folders of the analytic stand-in: history matching
and ABC from test_history_matching's fixtures (known truth, an inert parameter), and a small
``bonding validate`` with a two-target file."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest
from bonding.calibration import fit_report as FR
from bonding.calibration.history_matching import completed_waves
from bonding.calibration.study_targets import TARGETS_FILE
from bonding.experiments.cli import main as bonding
from test_history_matching import abc, hm  # noqa: F401  (the stand-in's folders, module fixtures)

RAW = tomllib.loads(TARGETS_FILE.read_text())


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """``bonding validate`` on PH5 (fit) and I10 (check): 3 replicates, no SSP arms."""
    d = tmp_path_factory.mktemp("fr")
    lines = ["[meta]"] + [f"{k} = {json.dumps(v)}" for k, v in RAW["meta"].items()]
    for name in ("PH5", "I10"):
        lines += ["", f"[targets.{name}]"] + [f"{k} = {json.dumps(v)}" for k, v in RAW["targets"][name].items()]
    (d / "t.toml").write_text("\n".join(lines) + "\n")
    out = d / "v"
    assert bonding(["validate", "--replicates", "3", "--seed", "3", "--households", "0", "--quiet",
                    "--targets", str(d / "t.toml"), "--out", str(out)]) == 0
    return out


def test_wave_table_has_every_wave_with_its_nroy_fraction_and_loo_summary(hm):  # noqa: F811
    out, _ = hm
    waves = FR.wave_table(out)
    summaries = completed_waves(out)
    assert list(waves["wave"]) == [s["wave"] for s in summaries]
    assert list(waves["nroy_fraction"]) == [s["nroy_fraction"] for s in summaries]
    assert np.isnan(waves["shrink_vs_previous"].iloc[0])
    assert waves["shrink_vs_previous"].iloc[1] == pytest.approx(summaries[1]["nroy_fraction"] / summaries[0]["nroy_fraction"])
    first = summaries[0]["emulators"]
    assert waves["loo_within_2_min"].iloc[0] == pytest.approx(min(d["loo_share_within_2"] for d in first))
    assert (waves["emulators"] == 4).all()  # the four fit targets; the check target is never emulated


def test_posterior_marginals_show_the_inert_parameter_unlearned_and_the_others_learned(abc):  # noqa: F811
    man = json.loads((abc / "manifest.json").read_text())
    post = pd.read_parquet(abc / "posterior.parquet")
    marg = FR.posterior_marginals(post, {k: tuple(v) for k, v in man["problem"]["box"].items()}).set_index("parameter")
    assert marg.loc["motivation_gain", "width_vs_nroy"] >= FR.NOT_LEARNED  # moves no output
    for name in ("sensitivity_trait_sd", "iwm_distress_weight", "base_sensitivity"):
        assert marg.loc[name, "width_vs_nroy"] < FR.NOT_LEARNED, name
        assert marg.loc[name, "posterior_q05"] <= marg.loc[name, "posterior_median"] <= marg.loc[name, "posterior_q95"]
    ref = pd.read_csv(abc / "posterior_summary.csv").set_index("parameter")  # nroy_abc's own summary
    assert np.allclose(marg["posterior_median"], ref.loc[marg.index, "posterior_median"])


def test_weighted_correlations_flag_a_dependent_pair_and_not_an_independent_one():
    rng = np.random.default_rng(4)
    a = rng.uniform(0, 1, 400)
    post = pd.DataFrame({"a": a, "b": 1 - a + 0.05 * rng.standard_normal(400), "c": rng.uniform(0, 1, 400),
                         "weight": rng.uniform(0.5, 1.5, 400)})
    pairs = FR.correlated_pairs(post, ["a", "b", "c"])
    assert (pairs.loc[0, "a"], pairs.loc[0, "b"]) == ("a", "b") and pairs.loc[0, "r"] < -0.9 and pairs.loc[0, "strong"]
    assert not pairs["strong"].iloc[1:].any() and len(pairs) == 3
    w = post["weight"].to_numpy()
    R = FR.weighted_correlation(post[["a", "c"]].to_numpy(), w)
    m = np.average(post[["a", "c"]].to_numpy(), axis=0, weights=w)
    cov = np.cov(post[["a", "c"]].to_numpy().T, aweights=w, bias=True)
    assert R[0, 1] == pytest.approx(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])) and m.shape == (2,)
    assert np.isnan(FR.weighted_correlation(np.column_stack([a, np.ones(400)]), w)[0, 1])  # constant column


def test_the_report_from_the_three_folders(hm, abc, validated, tmp_path):  # noqa: F811
    dest = tmp_path / "report.md"
    assert FR.main(["--hm", str(hm[0]), "--abc", str(abc), "--validate", str(validated), "--out", str(dest)]) == 0
    text = dest.read_text()
    for heading in ("## History matching", "## ABC-SMC in the non-implausible box", "## Fit and check",
                    "### `fit` targets (1)", "### `check` targets (1)", "### What the model cannot reproduce"):
        assert heading in text, heading
    assert text.count("- commit: `") == 3 and text.count("- command: `") == 3
    assert "`motivation_gain`" in text and "*not learned*" in text
    n_waves = len(completed_waves(hm[0]))
    wave_rows = [ln for ln in text.splitlines() if ln.startswith("| ") and ln.split("|")[1].strip().isdigit()]
    assert len(wave_rows) == n_waves
    assert "(sum over generations)" in text  # the ABC's generations record their wall times
    fc = pd.read_parquet(validated / "fit_check.parquet")
    failed = fc[~fc["passed"]]
    assert all(f"**{t}**" in text.split("What the model cannot reproduce")[1] for t in failed["target"])
    # the table is the folder's fit_check.parquet, or rebuilt from the stored replicates: the same rows
    rebuilt, _ = FR.fit_check_frame(validated, str(validated.parent / "t.toml"))
    pd.testing.assert_frame_equal(rebuilt, fc)


def test_a_target_no_run_reaches_is_named_and_reachable_ones_are_not(hm, tmp_path):  # noqa: F811
    from bonding.calibration.history_matching import Settings, run_history_matching
    from bonding.calibration.study_targets import parse_targets
    from test_history_matching import LOG, SPACE, STANDIN

    assert FR.reach_lines(hm[0], 3.0)[0].endswith("none.")  # the truth's targets are reachable
    both = parse_targets({
        "meta": {"chosen_on": "2026-12-07", "chosen_at_commit": "9684daa"},
        "targets": {"Y1": {"study": "y1", "source": "x", "role": "fit", "kind": "value", "value": 5.0, "se": 0.02,
                           "scale": "identity", "confidence": "H"},
                    "Y3": {"study": "y3", "source": "x", "role": "fit", "kind": "value", "value": 0.1, "se": 0.02,
                           "scale": "identity", "confidence": "H"}}}, studies=("y1", "y3")).targets
    out = tmp_path / "hm"
    run_history_matching(both, SPACE, STANDIN, out, seed=1, settings=Settings(wave_size=20, max_waves=1, candidates=500,
                                                                              nth=1, chunk=20), **LOG)
    (line,) = FR.reach_lines(out, 3.0)
    assert "**Y1**" in line and "**Y3**" not in line  # y1 = 0.5 x sensitivity_trait_sd <= 1.5 never reaches 5
    assert "**Y1**" in FR.report(hm=out)


def test_a_report_of_one_folder_only(hm, tmp_path):  # noqa: F811
    text = FR.report(hm=hm[0])
    assert "## History matching" in text and "## ABC" not in text and "## Fit and check" not in text


@pytest.mark.parametrize("argv, flag", [
    ([], "--hm/--abc/--validate"),
    (["--hm", "{abc}"], "--hm"),          # an ABC folder is not a history matching
    (["--abc", "{hm}"], "--abc"),
    (["--validate", "{hm}"], "--validate"),
    (["--hm", "{tmp}/none"], "--hm"),
    (["--hm", "{hm}", "--out", "{tmp}"], "--out"),  # a folder
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(hm, abc, tmp_path, capsys, argv, flag):  # noqa: F811
    argv = [a.format(hm=hm[0], abc=abc, tmp=tmp_path) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "r.md")]
    try:
        code = FR.main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 2 and len(err) == 1 and flag in err[0], err
    assert not (tmp_path / "r.md").exists()


# ------------------------------------------------------------------ issue 15's test list: the NROY ABC resumes
def test_a_resumed_abc_in_the_nroy_box_continues_from_its_files(hm, tmp_path):  # noqa: F811
    """Stopped after 2 generations and continued to 3, the ABC keeps generations 0-1 as stored (same
    wall times: not recomputed) and ends with the posterior of an uninterrupted 3-generation run."""
    from bonding.calibration.history_matching import nroy_box
    from bonding.calibration.nroy_abc import run_nroy_abc
    from test_history_matching import LOG, STANDIN, TARGETS

    box = nroy_box(hm[0])
    small = {"seed": 8, "population": 30, **LOG}
    part, ref = tmp_path / "part", tmp_path / "ref"
    run_nroy_abc(TARGETS, box, STANDIN, part, generations=2, **small)
    first = pd.read_csv(part / "generations.csv")
    man = run_nroy_abc(TARGETS, box, STANDIN, part, generations=3, **small)
    run_nroy_abc(TARGETS, box, STANDIN, ref, generations=3, **small)
    again = pd.read_csv(part / "generations.csv")
    assert man["generations"] == 3 and len(first) == 2
    pd.testing.assert_frame_equal(again.iloc[:2], first)  # the stored generations, wall times included
    pd.testing.assert_frame_equal(pd.read_parquet(part / "posterior.parquet"), pd.read_parquet(ref / "posterior.parquet"))
