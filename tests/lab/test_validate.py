"""``bonding validate``: one row per study with the registry's published values, same seed ->
identical tables, resume recomputes only missing studies, bad flags exit 2 with one line."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from bonding.experiments.cli import main
from bonding.experiments.lab import studies as S
from bonding.experiments.lab import validate as V

STUDIES = ["PH5", "I10"]  # one with a published number, one with a published significant effect
SMALL = ["--replicates", "2", "--seed", "3", "--studies", ",".join(STUDIES), "--households", "8", "--quiet"]


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate") / "a"
    assert main(["validate", *SMALL, "--out", str(out)]) == 0
    return out


def test_one_row_per_study_with_published_values_from_the_registry(first):
    df = pd.read_parquet(first / "validation.parquet")
    st = df[df["section"] == "study"]
    assert list(st["study"]) == STUDIES
    reg = S.load_registry()
    for _, row in st.iterrows():
        pub = reg[row["study"]]["published"]
        if "value" in pub:
            assert row["published_value"] == pytest.approx(pub["value"])
            assert row["compare_on"] == "value"
            assert row["published_in_90"] == (row["sim_q05"] <= pub["value"] <= row["sim_q95"])
            assert row["misfit_z"] == pytest.approx((row["sim_median"] - pub["value"]) / row["sim_sd"])
        else:
            assert np.isnan(row["published_value"]) and row["compare_on"] == "significance"
        assert row["published_text"] == pub["text"]
        assert row["published_n"] == S.load_study(row["study"]).n
        assert row["replicates"] == 2 and 0 <= row["p_significant"] <= 1
        assert row["sim_q05"] <= row["sim_median"] <= row["sim_q95"]
    # the row is what `bonding study NAME --replicates 2 --seed 3` reports
    summ = S.summarise(S.load_study("PH5"), S.run_study(S.load_study("PH5"), 2, 3))
    ph5 = st.set_index("study").loc["PH5"]
    assert ph5["sim_median"] == pytest.approx(summ["median"]) and ph5["p_significant"] == summ["p_significant"]
    # SSP arms: A/B/C/D shares by role that sum to one, published shares for mothers
    ssp = df[df["section"].str.startswith("ssp_")]
    assert set(ssp["study"]) == {"baseline", "high_risk"} and set(ssp["role"]) == {"mother", "father"}
    sums = ssp.groupby(["study", "role"])["sim_median"].sum()
    assert np.allclose(sums, 1.0)
    d_base = ssp[(ssp.study == "baseline") & (ssp.role == "mother") & (ssp.statistic == "share D")].iloc[0]
    d_risk = ssp[(ssp.study == "high_risk") & (ssp.role == "mother") & (ssp.statistic == "share D")].iloc[0]
    assert d_base["published_value"] == pytest.approx(reg["A1"]["published"]["value"])
    assert d_risk["published_value"] == pytest.approx(reg["A1_high_risk"]["published"]["value"])
    md = (first / "validation.md").read_text()
    assert all(f"| {s} |" in md for s in STUDIES) and "| baseline | mother |" in md
    csv = pd.read_csv(first / "validation.csv")
    assert len(csv) == len(df)
    man = json.loads((first / "manifest.json").read_text())
    assert man["status"] == "complete" and man["config"]["studies"] == STUDIES and man["git_commit"]


def test_same_seed_identical_tables(first, tmp_path):
    """A fresh folder, same seed: identical study rows (the SSP arms are re-run in the resume test)."""
    again = tmp_path / "b"
    args = [a if a != "8" else "0" for a in SMALL]  # --households 0: studies only, for speed
    assert main(["validate", *args, "--out", str(again)]) == 0
    a = pd.read_parquet(first / "validation.parquet")
    b = pd.read_parquet(again / "validation.parquet")
    pd.testing.assert_frame_equal(a[a["section"] == "study"], b)
    for name in STUDIES:
        da, db = (json.loads((d / "studies" / f"{name}.json").read_text()) for d in (first, again))
        da.pop("wall_seconds"), db.pop("wall_seconds")
        assert da == db, name


def test_resume_recomputes_only_what_was_deleted(first, tmp_path, monkeypatch):
    """Delete one study's and one SSP arm's result: only those run again, and the tables come
    out identical to the first run's (same seed, same numbers)."""
    out = tmp_path / "c"
    shutil.copytree(first, out)
    (out / "studies" / "I10.json").unlink()
    (out / "ssp" / "high_risk.json").unlink()
    kept = (out / "studies" / "PH5.json").read_bytes(), (out / "ssp" / "baseline.json").read_bytes()
    ran, arms = [], []
    real_study, real_arm = V.run_one_study, V.run_arm
    monkeypatch.setattr(V, "run_one_study", lambda name, *a, **k: ran.append(name) or real_study(name, *a, **k))
    monkeypatch.setattr(V, "run_arm", lambda arm, *a, **k: arms.append(arm) or real_arm(arm, *a, **k))
    assert main(["validate", *SMALL, "--out", str(out)]) == 0
    assert ran == ["I10"] and arms == ["high_risk"]
    assert ((out / "studies" / "PH5.json").read_bytes(), (out / "ssp" / "baseline.json").read_bytes()) == kept
    pd.testing.assert_frame_equal(pd.read_parquet(first / "validation.parquet"),
                                  pd.read_parquet(out / "validation.parquet"))
    for name in ("validation.csv", "validation.md"):
        assert (first / name).read_bytes() == (out / name).read_bytes(), name


def test_shared_population_cache_gives_the_same_numbers():
    """M2 and its M1 sub-study twin simulate one population; sharing it changes nothing."""
    a, b = S.load_study("M2"), S.load_study("M1_n62")
    assert S.simulation_key(a, 1, 2, n=8) == S.simulation_key(b, 1, 2, n=8)
    assert S.simulation_key(a, 1, 2, n=8) != S.simulation_key(a, 1, 3, n=8)
    assert S.simulation_key(S.load_study("A1"), 1, 2) != S.simulation_key(S.load_study("A1_high_risk"), 1, 2)
    cache: dict = {}
    S.run_study(a, 1, 2, n=8, cache=cache)
    shared = S.run_study(b, 1, 2, n=8, cache=cache)
    assert len(cache) == 1
    assert shared == S.run_study(b, 1, 2, n=8)


def test_studies_flag_parsing():
    assert V.parse_studies("PH5, I10,PH5,") == ["PH5", "I10"]
    assert V.parse_studies("M1_n26") == ["M1_n26"]  # hidden sub-studies may be named


def test_other_configuration_in_the_same_folder_is_refused(first, tmp_path, capsys):
    out = tmp_path / "d"
    shutil.copytree(first, out)
    args = [a if a != "3" else "4" for a in SMALL]
    try:
        code = main(["validate", *args, "--out", str(out)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--seed" in err


@pytest.mark.parametrize("args,field", [
    (["--replicates", "0"], "--replicates"),
    (["--replicates", "many"], "--replicates"),
    (["--seed", "-1"], "--seed"),
    (["--studies", "NOPE"], "--studies"),
    (["--studies", ","], "--studies"),
    (["--households", "-5"], "--households"),
    (["--no-such-flag"], "--no-such-flag"),
])
def test_bad_flag_exits_2_with_one_line(tmp_path, capsys, args, field):
    out = tmp_path / "out"
    try:
        code = main(["validate", *args, "--out", str(out)])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, err
    assert field in lines[0] and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("side,med,q05,q95,misfit", [
    ("at_least", 0.86, 0.80, 0.88, False),   # claim met by the median: ok
    ("at_least", 0.45, 0.30, 0.55, False),   # median short, bound within the 90% range: edge
    ("at_least", 0.30, 0.20, 0.40, True),    # whole range below the bound
    ("at_most", 0.10, 0.05, 0.20, False),
    ("at_most", 0.40, 0.30, 0.50, True),
])
def test_one_sided_published_claim_is_a_misfit_only_when_the_whole_range_misses_it(side, med, q05, q95, misfit):
    fit = V._bound_fit(0.25 if side == "at_most" else 0.5, side, med, 0.05, q05, q95)
    assert fit["misfit"] is misfit and fit["compare_on"] == "bound"
    met = med >= 0.5 if side == "at_least" else med <= 0.25
    assert (fit["misfit_z"] == 0.0) is met  # z measures only a shortfall of the median
    assert fit["verdict"].startswith("MISFIT") is misfit


def test_registry_one_sided_claim_reaches_the_table():
    study = S.load_study("M9_stability")
    rows = [{"value": v, "p": 0.01, "significant": True, "n": 80} for v in (0.80, 0.85, 0.86, 0.90)]
    row = V.study_row(study, rows)
    assert row["published_value"] == 0.5 and row["published_bound"] == "≥"
    assert row["compare_on"] == "bound" and row["misfit"] is False
    row_low = V.study_row(study, [{**r, "value": r["value"] - 0.6} for r in rows])
    assert row_low["misfit"] is True


def test_set_reaches_every_study_and_arm_and_is_part_of_the_configuration(first, tmp_path, capsys):
    # the study's own overrides win; --set fills the rest (here the registry's high-risk arm of A1)
    plain = S.load_study("A1_high_risk")
    own = dict(plain.spec.get("overrides", {}))
    name = next(iter(own))
    s = V.with_sets(plain, {"sensitivity_trait_sd": 0.3, name: -1.0})
    assert s.spec["overrides"]["sensitivity_trait_sd"] == 0.3 and s.spec["overrides"][name] == own[name]
    assert V.study_fingerprint(s) != V.study_fingerprint(plain)
    vote = V.with_sets(S.load_study("M1"), {"sensitivity_trait_sd": 0.3})
    assert all(sub.spec["overrides"]["sensitivity_trait_sd"] == 0.3 for sub in vote.substudies)
    assert V.arm_scenario("baseline", {"sensitivity_trait_sd": 0.3}).params["sensitivity_trait_sd"] == 0.3
    # through the CLI: a set changes the numbers, is recorded, and a folder with other sets is refused
    out = tmp_path / "set"
    args = ["validate", *SMALL, "--out", str(out), "--set", "ot_tone_sd=0.6"]
    assert main(args) == 0
    cfg = json.loads((out / "manifest.json").read_text())["config"]
    assert cfg["set"] == {"ot_tone_sd": 0.6}
    a = pd.read_parquet(first / "validation.parquet").set_index("study").loc["PH5", "sim_median"]
    b = pd.read_parquet(out / "validation.parquet").set_index("study").loc["PH5", "sim_median"]
    assert a != b  # PH5 (central vs plasma OT) depends on the central OT person component
    assert "`ot_tone_sd` = 0.6" in (out / "validation.md").read_text()
    capsys.readouterr()
    assert main(["validate", *SMALL, "--out", str(out), "--set", "ot_tone_sd=0.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--set" in err[0]


def test_set_out_of_bounds_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["validate", *SMALL, "--out", str(out), "--set", "ot_tone_sd=5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ot_tone_sd" in err[0] and not out.exists()


def test_assay_set_reaches_every_assay_changes_unextracted_studies_and_is_part_of_the_configuration(tmp_path, capsys):
    # H2 of what unextracted immunoassays read: the readings then carry the mothers' central OT,
    # so a correlational study with an unextracted assay (M2) moves, and an extracted one (M4) does not
    vote = V.with_sets(S.load_study("M1"), None, {"ot_unextracted_central_corr": 0.9})
    assert all(sub.spec["assay_params"] == {"ot_unextracted_central_corr": 0.9} for sub in vote.substudies)
    assert V.study_fingerprint(vote) != V.study_fingerprint(S.load_study("M1"))
    base = ["validate", "--replicates", "3", "--seed", "2", "--studies", "M2,M4", "--households", "0", "--quiet"]
    plain, h2 = tmp_path / "plain", tmp_path / "h2"
    assert main([*base, "--out", str(plain)]) == 0
    assert main([*base, "--out", str(h2), "--assay-set", "ot_unextracted_central_corr=0.9"]) == 0
    a = json.loads((plain / "studies" / "M2.json").read_text())["values"]
    b = json.loads((h2 / "studies" / "M2.json").read_text())["values"]
    assert a != b
    a4 = json.loads((plain / "studies" / "M4.json").read_text())["values"]
    b4 = json.loads((h2 / "studies" / "M4.json").read_text())["values"]
    assert a4 == b4  # M4 uses an extracted assay
    assert json.loads((h2 / "manifest.json").read_text())["config"]["assay_set"] == {"ot_unextracted_central_corr": 0.9}
    assert "`ot_unextracted_central_corr` = 0.9" in (h2 / "validation.md").read_text()
    capsys.readouterr()
    assert main([*base, "--out", str(h2)]) == 2  # the folder holds another --assay-set
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--assay-set" in err[0]


@pytest.mark.parametrize("item,field", [
    ("ot_unextracted_central_corr=1.5", "ot_unextracted_central_corr"),
    ("rating_icc=0.9", "rating_icc"),  # a lab parameter, but not an OT assay's
    ("ot_unextracted_central_corr", "--assay-set"),
])
def test_bad_assay_set_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, item, field):
    out = tmp_path / "bad"
    assert main(["validate", *SMALL, "--out", str(out), "--assay-set", item]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0] and not out.exists()
