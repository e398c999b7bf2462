"""Virtual studies: planted-effect power matches analytic power; one seed, same numbers; CLI errors."""

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from experiments.lab import studies as S


def _analytic_power(r, n, alpha=0.05):
    z = np.arctanh(r) * np.sqrt(n - 3)
    zc = stats.norm.ppf(1 - alpha / 2)
    return stats.norm.sf(zc - z) + stats.norm.cdf(-zc - z)


def test_planted_correlation_detected_at_analytic_power():
    """Engine path (units, measures with reliability, Pearson test) on planted data."""
    rho_true, rel, n, R = 0.5, 0.8, 40, 600
    spec = {"sample": {"unit": "household", "n": n, "roles": ["mother"]},
            "measures": {"x": {"visit": "v", "var": "x", "role": "mother", "observe": "rating", "icc": rel},
                         "y": {"visit": "v", "var": "y", "role": "mother", "observe": "rating", "icc": rel}},
            "statistic": {"kind": "pearson", "x": "x", "y": "y", "direction": "+"}}
    st = S.Study("planted", spec)
    rng = np.random.default_rng(0)
    H = n * R
    x = rng.standard_normal((H, 5))
    y = rho_true * x + np.sqrt(1 - rho_true**2) * rng.standard_normal((H, 5))
    data = {"v": {"x": x, "y": y}}
    sig = []
    for r in range(R):
        hh = np.arange(r * n, (r + 1) * n)
        units = {"mother": (hh, np.zeros(n, int))}
        sig.append(S._statistic(st, data, units, np.random.default_rng(r))["significant"])
    expected = _analytic_power(rho_true * rel, n)  # attenuated by sqrt(rel * rel)
    assert np.mean(sig) == pytest.approx(expected, abs=0.06)


def test_same_seed_same_numbers():
    st = S.load_study("PH5")
    a = S.run_study(st, 2, seed=5, n=12)
    b = S.run_study(st, 2, seed=5, n=12)
    assert a == b


def test_registry_loads_every_study():
    for name in S.available_studies(include_hidden=True):
        st = S.load_study(name)
        assert st.stat_kind in S.STAT_KINDS


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize("args,field", [
    (("study", "NOPE"), "study"),
    (("power", "M4", "--n", "30,x"), "--n"),
    (("power", "M4", "--n", "2"), "--n"),
    (("study", "M4", "--replicates", "0"), "--replicates"),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, args, field):
    p = _cli(*args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and field in p.stderr
    assert "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_cli_study_list(tmp_path):
    p = _cli("study", "--list", cwd=tmp_path)
    assert p.returncode == 0 and "M1" in p.stdout and "A6" in p.stdout
