"""The issue-14 findings command: its statistics, that observing a run never changes it, and its folder."""

from __future__ import annotations

import json

import numpy as np
import pytest
from bonding.experiments import findings as fd


def test_mediated_share_is_one_under_full_mediation_and_zero_without():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, 4000).astype(float)
    m = x + rng.standard_normal(4000)
    full = m + 0.5 * rng.standard_normal(4000)  # y depends on x only through m
    assert fd.mediated_share(x, m, full) == pytest.approx(1.0, abs=0.08)
    direct = x + rng.standard_normal(4000)  # y depends on x directly, m irrelevant
    assert abs(fd.mediated_share(x, rng.standard_normal(4000), direct)) < 0.05


def test_pearson_ignores_missing_pairs_and_is_nan_without_variance():
    assert fd.pearson([1, 2, np.nan, 4], [2, 4, 5, 8]) == pytest.approx(1.0)
    assert np.isnan(fd.pearson([1, 1, 1, 1], [1, 2, 3, 4]))


def test_cohen_d_sign_and_size():
    a, b = np.array([1.0, 2, 3, 4]), np.array([0.0, 1, 2, 3])
    assert fd.cohen_d(a, b) == pytest.approx(1 / np.std(a, ddof=1))


def test_observing_a_run_leaves_it_unchanged():
    """The lab's snapshots (SSP, stressors, visits) read the simulation and never write it."""
    seen, rows, _ = fd.simulate("baseline", 60, 12.05, 5)
    plain, none, _ = fd.simulate("baseline", 60, 12.05, 5, observe=False)
    assert "ssp" in rows and not none
    assert list(seen.columns) == list(plain.columns)
    for c in seen.columns:
        np.testing.assert_array_equal(seen[c].to_numpy(), plain[c].to_numpy(), err_msg=c)


def _fake(households, months, seed, programme_households):
    return {"security": {"r": seed / 100.0}, "buffering": {"share": 0.5}}


def test_folder_resumes_finished_seeds_and_refuses_other_settings(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(fd, "measure_seed", lambda *a: calls.append(a[2]) or _fake(*a))
    out = tmp_path / "f"
    mean = fd.run_findings(out, 100, 13.0, [1, 3], 100, log=lambda *_: None)
    assert mean["security"]["r"] == pytest.approx(0.02) and calls == [1, 3]
    (out / "seed-3.json").unlink()  # as if killed before seed 3 was written
    fd.run_findings(out, 100, 13.0, [1, 3], 100, log=lambda *_: None)
    assert calls == [1, 3, 3]
    assert json.loads((out / "manifest.json").read_text())["status"] == "done"
    assert "| security | r |" in (out / "findings.md").read_text()
    with pytest.raises(fd.ParameterError, match="households"):
        fd.run_findings(out, 200, 13.0, [1, 3], 100, log=lambda *_: None)


@pytest.mark.parametrize("argv, field", [(["--seeds", "a,b"], "--seeds"), (["--seeds", "1,1"], "--seeds"),
                                         (["--households", "5"], "--households"), ([], "--out")])
def test_bad_flags_exit_2_with_one_line(argv, field, capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        fd.main(argv + (["--out", str(tmp_path / "x")] if field != "--out" else []))
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and field in err
    assert not (tmp_path / "x").exists()
