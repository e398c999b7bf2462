"""Measurement layer: zero noise recovers truth; noise attenuates by sqrt(rho1 rho2)."""

import numpy as np
import pytest
from bonding.experiments.lab import measures as ms


def test_zero_noise_recovers_true_values():
    rng = np.random.default_rng(0)
    t = rng.lognormal(1.4, 0.5, 500)
    assert np.array_equal(ms.true_score(t, 1.0, rng), t)
    a = ms.OTAssay(500, rng, "extracted", "plasma", noise=False)
    np.testing.assert_allclose(a.measure(t), t)
    frames = rng.binomial(900, 0.3, 200)
    assert np.array_equal(ms.microcode(frames, rng, kappa=1.0, n_frames=900), frames)
    c = rng.choice(list("ABCD"), 300).astype(object)
    assert np.array_equal(ms.code_classes(c, rng, kappa=1.0), c)
    assert np.allclose(ms.lognormal_cv(t, 0.0, rng), t)


@pytest.mark.parametrize("rho1,rho2", [(0.8, 0.6), (0.5, 0.9)])
def test_attenuation_by_sqrt_reliabilities(rho1, rho2):
    rng = np.random.default_rng(1)
    n, r = 200_000, 0.5
    x = rng.standard_normal(n)
    y = r * x + np.sqrt(1 - r**2) * rng.standard_normal(n)
    ox, oy = ms.true_score(x, rho1, rng, lam=2.0, bias=3.0), ms.true_score(y, rho2, rng)
    got = np.corrcoef(ox, oy)[0, 1]
    assert got == pytest.approx(r * np.sqrt(rho1 * rho2), abs=0.01)
    assert np.corrcoef(ox, x)[0, 1] ** 2 == pytest.approx(rho1, abs=0.01)


def test_questionnaire_alpha_and_rating_icc():
    rng = np.random.default_rng(2)
    t = rng.standard_normal(20_000)
    _, items = ms.questionnaire(t, rng, alpha=0.8, items=10)
    assert ms.cronbach_alpha(items) == pytest.approx(0.8, abs=0.01)
    r = ms.rating(t, rng, icc=0.7)
    assert np.corrcoef(r, t)[0, 1] ** 2 == pytest.approx(0.7, abs=0.02)


def test_ssp_coder_kappa_and_microcode_kappa():
    rng = np.random.default_rng(3)
    c = rng.choice(list("ABCD"), 40_000, p=[.15, .6, .1, .15]).astype(object)
    k = ms.cohen_kappa(ms.code_classes(c, rng, 0.75), ms.code_classes(c, rng, 0.75))
    assert k == pytest.approx(0.75, abs=0.02)
    e = ms.frame_error_for_kappa(0.75, 0.3)
    truth = rng.random(400_000) < 0.3
    c1 = truth ^ (rng.random(truth.size) < e)
    c2 = truth ^ (rng.random(truth.size) < e)
    assert ms.cohen_kappa(c1, c2) == pytest.approx(0.75, abs=0.01)


def test_unextracted_reads_100x_and_barely_tracks_extracted():
    rng = np.random.default_rng(4)
    t = rng.lognormal(1.4, 0.5, 20_000)
    e = ms.OTAssay(t.size, rng, "extracted").measure(t)
    u = ms.OTAssay(t.size, rng, "unextracted").measure(t)
    assert 70 < np.median(u) / np.median(e) < 140
    assert abs(np.corrcoef(np.log(e), np.log(u))[0, 1]) < 0.15
    with pytest.raises(ValueError, match="method"):
        ms.OTAssay(3, rng, "elisa")


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_unextracted_person_component_tracks_central_ot_only_under_h2(rho):
    # H1 (rho = 0): the stable component is artefact; H2: it correlates rho with log central OT,
    # at the same size, so the readings' spread and their link to extracted values stay put (PH6)
    rng = np.random.default_rng(5)
    n = 20_000
    plasma = rng.lognormal(1.4, 0.5, n)
    central = rng.lognormal(1.0, 0.3, n)
    params = {"ot_unextracted_central_corr": rho}
    u = ms.OTAssay(n, rng, "unextracted", params=params).measure(plasma, central=central)
    r_central = np.corrcoef(np.log(u), np.log(central))[0, 1]
    total_sd = np.sqrt(0.6**2 + 0.15**2 + (0.1 * 0.5) ** 2)  # person, assay noise, true-value share
    assert r_central == pytest.approx(rho * 0.6 / total_sd, abs=0.03)
    assert np.std(np.log(u)) == pytest.approx(total_sd, rel=0.05)
    e = ms.OTAssay(n, rng, "extracted").measure(plasma)
    assert abs(np.corrcoef(np.log(e), np.log(u))[0, 1]) < 0.15
    # without a central value (e.g. an infant's OT) the reading is the H1 reading
    a = ms.OTAssay(50, np.random.default_rng(1), "unextracted", params=params).measure(plasma[:50])
    b = ms.OTAssay(50, np.random.default_rng(1), "unextracted").measure(plasma[:50])
    assert np.array_equal(a, b)


def test_salivary_cortisol_lag_and_no_noise():
    rng = np.random.default_rng(5)
    s = ms.salivary_cortisol(np.array([200.0]), np.array([300.0]), rng, noise=False)
    q = ms.MEASURE_PARAMS
    w = 1 - q["saliva_lag_min"].default / 60
    assert s[0] == pytest.approx(q["cortisol_free_fraction"].default * (200 * (1 - w) + 300 * w))


def test_salivary_cortisol_follows_the_plasma_time_course():
    """Lag, jitter and assay CV act on the time course (hour before, visit, hour after)."""
    rng = np.random.default_rng(6)
    q = {k: p.default for k, p in ms.MEASURE_PARAMS.items()}
    ff, lag = q["cortisol_free_fraction"], q["saliva_lag_min"]
    before, at, after = np.full(4000, 300.0), np.full(4000, 240.0), np.full(4000, 210.0)
    exact = {"sampling_jitter_min": 0.0, "cortisol_assay_cv": 0.0}
    # jitter and CV 0: the true salivary value of the plasma `lag` minutes before the sample
    s = ms.salivary_cortisol(before, at, rng, params=exact, plasma_after=after)
    np.testing.assert_allclose(s, ff * (at - (at - before) * lag / 60))
    # the lag matters when cortisol is changing, not when it is flat
    s0 = ms.salivary_cortisol(before, at, rng, params={**exact, "saliva_lag_min": 0.0}, plasma_after=after)
    np.testing.assert_allclose(s0, ff * at)
    flat = ms.salivary_cortisol(at, at, rng, params=exact, plasma_after=at)
    np.testing.assert_allclose(flat, ff * at)
    # sampling-time jitter moves the sample along the course: the between-sample variance rises
    jit = ms.salivary_cortisol(before, at, rng, params={**exact, "sampling_jitter_min": 30.0}, plasma_after=after)
    assert np.ptp(s) == 0 and np.std(jit) > 0.5  # ~ free fraction x 45 nmol/l/h x 0.5 h
    # late samples read the later (falling) part of the course
    late = ms.salivary_cortisol(before, at, rng, params={**exact, "saliva_lag_min": 0.0, "sampling_jitter_min": 30.0},
                                plasma_after=after)
    assert np.median(late) == pytest.approx(ff * at[0], rel=0.02) and late.min() < ff * at[0] < late.max()
    # the assay CV adds its own noise on top
    cv = ms.salivary_cortisol(before, at, rng, params={"sampling_jitter_min": 0.0}, plasma_after=after)
    assert np.std(np.log(cv)) == pytest.approx(q["cortisol_assay_cv"], rel=0.1)
