"""The virtual lab and the engine apply the same rules: identical inputs, identical results.

For every rule the lab shares with the hourly engine, the lab's own use of it (the procedure
functions of ``experiments/lab``) gets the same inputs as the engine's rule function, called the
way the kernel calls it, and the results must be identical: once against the plain Python rule
and once against the rule compiled by numba as in the kernel. Random parameter points over the
declared bounds and random states make every branch of the rules occur.

``tests/lab/test_lab_rule_guard.py`` checks statically that the lab calls these functions and
re-codes none of them.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numba
import numpy as np
import pytest
from bonding.experiments.lab import procedures as P
from bonding.experiments.lab import ssp as S
from bonding.model import behaviour as bh
from bonding.model import learning as ln
from bonding.model import physiology as phys
from bonding.model.params import PARAMS, ParamSet
from bonding.model.roles import role_matrices
from bonding.model.simulation import Simulation
from bonding.model.state import (
    AAI_AUTONOMOUS,
    AAI_DISMISSING,
    AAI_PREOCCUPIED,
    DISTRESS_BID,
    FATHER,
    FRIGHTENING,
    INTRUSIVE,
    NO_RESPONSE,
    REJECTING,
    SENSITIVE,
    SOCIAL_BID,
    K,
)

H, T = 40, 12


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20261206)


@pytest.fixture(scope="module")
def params(rng):
    """Every household at its own random point of the declared parameter space."""
    vals = {n: rng.uniform(p.lo, p.hi, H) for n, p in PARAMS.items()}
    vals["p_frightening_base"] = rng.uniform(0.1, PARAMS["p_frightening_base"].hi, H)  # frightening acts occur
    return ParamSet(vals, H)


@pytest.fixture(scope="module")
def cg(rng):
    """Caregiver state with every adult attachment state, risk and sign of cortisol excess."""
    return SimpleNamespace(aai=rng.integers(0, 3, (H, K)).astype(np.int8), unresolved=rng.random((H, K)) < 0.5,
                           depressed=rng.random((H, K)) < 0.4, cortisol_excess=rng.normal(0.2, 0.8, (H, K)),
                           testosterone=rng.uniform(5, 30, (H, K)))


@pytest.fixture(scope="module")
def minutes(rng, cg, params):
    """One session's minute draws and the lab's response codes."""
    att = rng.normal(0.0, 2.0, (H, K))
    u = rng.random((5, T, H, K))
    engaged = u[4] < 0.8
    quality = P.minute_responses(att, params, cg, engaged, u[0], u[1], u[2])
    return SimpleNamespace(att=att, u=u, engaged=engaged, quality=quality)


# ------------------------------------------------------------------ the engine's side, compiled as in the kernel
@numba.njit(cache=False)
def _engine_response_codes(att, base, aai, unresolved, cort, depressed, pfb, fc, uq, uf, uk, engaged, fs):
    out = np.full(uq.shape, NO_RESPONSE, np.int64)
    for t in range(uq.shape[0]):
        for h in range(uq.shape[1]):
            for k in range(uq.shape[2]):
                if engaged[t, h, k]:
                    q, _ = bh.response_quality(att[h, k], base[h], aai[h, k], unresolved[h, k], cort[h, k],
                                               depressed[h, k], pfb[h], fc[h], uq[t, h, k], uf[t, h, k], uk[t, h, k],
                                               fs[h])
                    out[t, h, k] = q
    return out


@numba.njit(cache=False)
def _engine_gaze_vocal(quality, depressed, bid):
    g = np.zeros(quality.shape)
    v = np.zeros(quality.shape)
    for t in range(quality.shape[0]):
        for h in range(quality.shape[1]):
            for k in range(quality.shape[2]):
                g[t, h, k], v[t, h, k] = bh.gaze_vocal_probability(quality[t, h, k], depressed[h, k], bid)
    return g, v


@numba.njit(cache=False)
def _engine_synchrony(rel, ot_c, ot_i, cort, testosterone, t_mean, age_months, coupling, ot_sync, t_sync, damping):
    """The kernel's call of dyad_synchrony (process 4), for every (h, k) as if k responded."""
    out = np.zeros(rel.shape)
    maturity = bh.infant_maturity(age_months)
    for h in range(rel.shape[0]):
        for k in range(rel.shape[1]):
            out[h, k] = bh.dyad_synchrony(rel[h, k], ot_c[h, k], ot_i[h, k], cort[h, k],
                                          testosterone[h, k] if k == FATHER else 0.0, t_mean[h], maturity,
                                          coupling[h], ot_sync[h], t_sync[h], damping[h])
    return out


@numba.njit(cache=False)
def _engine_contact(quality, share, u, bid, hunger):
    """The kernel's call of episode_contact (process 3) for every minute with a response."""
    aff = np.zeros(quality.shape, np.bool_)
    stim = np.zeros(quality.shape, np.bool_)
    for t in range(quality.shape[0]):
        for h in range(quality.shape[1]):
            for k in range(quality.shape[2]):
                if quality[t, h, k] != NO_RESPONSE:
                    _, aff[t, h, k], stim[t, h, k] = bh.episode_contact(bid, quality[t, h, k], hunger, share[h, k],
                                                                        u[t, h, k])
    return aff, stim


@numba.njit(cache=False)
def _engine_touch_release(aff, stim, social, g_aff, g_stim, m_aff, m_stim, reactivity, relief_q, infant_gain):
    """The kernel's calls of touch_ot_release and infant_touch_ot_release (process 4), per dyad."""
    out = np.zeros(aff.shape)
    out_i = np.zeros(aff.shape)
    for h in range(aff.shape[0]):
        for k in range(aff.shape[1]):
            out[h, k] = phys.touch_ot_release(aff[h, k], stim[h, k], social[h], g_aff[h], g_stim[h], m_aff[h, k],
                                              m_stim[h, k], reactivity[h, k])
            out_i[h, k] = phys.infant_touch_ot_release(aff[h, k] + stim[h, k], social[h], infant_gain[h],
                                                       relief_q[h, k])
    return out, out_i


@numba.njit(cache=False)
def _engine_response_attunement(att, distress_sensitivity, bid):
    out = np.zeros(att.shape)
    for i in range(att.shape[0]):
        for k in range(att.shape[1]):
            out[i, k] = bh.response_attunement(att[i, k], distress_sensitivity[i, k], bid)
    return out


def _each(shape):
    return np.ndindex(*shape)


# ------------------------------------------------------------------ play: response quality (kind, relief)
def test_minute_responses_are_the_engines_response_quality(minutes, params, cg):
    m, p = minutes, params
    expected = np.full(m.quality.shape, NO_RESPONSE)
    for t, h, k in _each(m.quality.shape):
        if m.engaged[t, h, k]:
            expected[t, h, k] = bh.response_quality(
                m.att[h, k], p.base_sensitivity[h], cg.aai[h, k], cg.unresolved[h, k], cg.cortisol_excess[h, k],
                cg.depressed[h, k], p.p_frightening_base[h], p.frightening_cortisol[h],
                m.u[0, t, h, k], m.u[1, t, h, k], m.u[2, t, h, k], p.fright_stress_risk[h])[0]
    np.testing.assert_array_equal(m.quality, expected)
    compiled = _engine_response_codes(m.att, p.base_sensitivity, cg.aai, cg.unresolved, cg.cortisol_excess,
                                      cg.depressed, p.p_frightening_base, p.frightening_cortisol,
                                      m.u[0], m.u[1], m.u[2], m.engaged, p.fright_stress_risk)
    np.testing.assert_array_equal(m.quality, compiled)
    for code in (NO_RESPONSE, SENSITIVE, INTRUSIVE, REJECTING, FRIGHTENING):  # every branch was exercised
        assert (m.quality == code).any(), code


def test_session_relief_is_the_engines_relief(minutes):
    """Rejecting responses relieve 0.2, intrusive 0.5 (the lab once gave every insensitive one 0.5)."""
    q = minutes.quality
    per_minute = np.array([bh.relief(int(c)) for c in q.ravel()]).reshape(q.shape)
    np.testing.assert_array_equal(P.session_relief(q), per_minute.mean(0))
    assert set(np.unique(per_minute[q == REJECTING])) == {bh.relief(REJECTING)} != {bh.relief(INTRUSIVE)}


# ------------------------------------------------------------------ play: touch, gaze and vocalisation, positive affect
def test_minute_touch_is_the_engines_touch_kind(minutes, params):
    q, u = minutes.quality, minutes.u[3]
    share = role_matrices(params).stimulatory_share
    aff, stim = P.minute_touch(q, share, u)
    for t, h, k in _each(q.shape):
        _, e_aff, e_stim = bh.touch_kind(SOCIAL_BID, 0.0, share[h, k], u[t, h, k])
        if q[t, h, k] in (NO_RESPONSE, FRIGHTENING):  # no response, or a frightening act: no touch (kernel)
            e_aff = e_stim = False
        assert (aff[t, h, k], stim[t, h, k]) == (e_aff, e_stim), (t, h, k)


def test_minute_touch_is_the_engines_episode_contact(minutes, params):
    """Touch and the frightening-act mask come from episode_contact, plain and compiled as in the kernel."""
    q, u = minutes.quality, minutes.u[3]
    share = role_matrices(params).stimulatory_share
    aff, stim = P.minute_touch(q, share, u)
    for t, h, k in _each(q.shape):
        if q[t, h, k] != NO_RESPONSE:
            _, e_aff, e_stim = bh.episode_contact(SOCIAL_BID, int(q[t, h, k]), P.PLAY_HUNGER, share[h, k], u[t, h, k])
            assert (aff[t, h, k], stim[t, h, k]) == (e_aff, e_stim), (t, h, k)
    c_aff, c_stim = _engine_contact(q, share, u, SOCIAL_BID, P.PLAY_HUNGER)
    np.testing.assert_array_equal(aff, c_aff)
    np.testing.assert_array_equal(stim, c_stim)
    assert aff.any() and stim.any() and (q == FRIGHTENING).any()


# ------------------------------------------------------------------ play: touch-driven OT release
def test_session_ot_release_is_the_engines_touch_rules(rng, params, cg):
    """Caregiver and infant release: touch_ot_release and infant_touch_ot_release, plain and compiled.

    The session's shares of touch minutes take the place of the hour's booleans; at shares 0/1
    the lab's release is exactly the kernel's release of an hour with that touch.
    """
    p, roles = params, role_matrices(params)
    aff_f, stim_f = rng.uniform(0, 1, (H, K)), rng.uniform(0, 1, (H, K))
    aff_f[:5], stim_f[5:10] = 1.0, 0.0  # some dyads at the kernel's boolean values
    rel = rng.uniform(0, 1, (H, K))
    reactivity = rng.uniform(0.3, 1.0, (H, K))
    lab = P.session_ot_release(aff_f, stim_f, p, roles, reactivity)
    lab_i = P.session_infant_ot_release(aff_f, stim_f, rel, p)
    for h, k in _each((H, K)):
        assert lab[h, k] == phys.touch_ot_release(
            aff_f[h, k], stim_f[h, k], p.ot_social_touch[h], p.touch_ot_gain_affectionate[h],
            p.touch_ot_gain_stimulatory[h], roles.affectionate_match[h, k], roles.stimulatory_match[h, k],
            reactivity[h, k])
        assert lab_i[h, k] == phys.infant_touch_ot_release(aff_f[h, k] + stim_f[h, k], p.ot_social_touch[h],
                                                           p.infant_touch_ot_gain[h], rel[h, k])
    c, c_i = _engine_touch_release(aff_f, stim_f, p.ot_social_touch, p.touch_ot_gain_affectionate,
                                   p.touch_ot_gain_stimulatory, roles.affectionate_match, roles.stimulatory_match,
                                   reactivity, rel, p.infant_touch_ot_gain)
    np.testing.assert_array_equal(lab, c)
    np.testing.assert_array_equal(lab_i, c_i)
    # the role's touch-style match enters (M8): a father's affectionate touch releases less than a mother's
    only_aff = P.session_ot_release(np.ones((H, K)), np.zeros((H, K)), p, roles, np.ones((H, K)))
    m = p.touch_style_match > 0.05
    assert (only_aff[m, FATHER] < only_aff[m, 0]).all()


def test_minute_gaze_vocal_is_the_engines_rule_for_a_social_bid(minutes, cg):
    """The vocal term of a social bid (x1 rather than x0.8) is the engine's (the lab once dropped it)."""
    q = minutes.quality
    gaze, vocal = P.minute_gaze_vocal_probability(q, cg.depressed)
    expected = np.array([bh.gaze_vocal_probability(int(q[t, h, k]), bool(cg.depressed[h, k]), SOCIAL_BID)
                         for t, h, k in _each(q.shape)]).reshape(*q.shape, 2)
    np.testing.assert_array_equal(gaze, expected[..., 0])
    np.testing.assert_array_equal(vocal, expected[..., 1])
    c_gaze, c_vocal = _engine_gaze_vocal(q, cg.depressed, SOCIAL_BID)
    np.testing.assert_array_equal(gaze, c_gaze)
    np.testing.assert_array_equal(vocal, c_vocal)
    sens = q == SENSITIVE
    np.testing.assert_array_equal(vocal[sens], gaze[sens])  # a social bid: vocalisation = gaze


def test_minute_positive_affect_is_the_engines_rule(minutes):
    q = minutes.quality
    expected = np.array([bh.positive_response_probability(int(c), P.PLAY_DISTRESS) for c in q.ravel()])
    np.testing.assert_array_equal(P.minute_positive_probability(q), expected.reshape(q.shape))


# ------------------------------------------------------------------ play: synchrony
@pytest.mark.parametrize("age_months", [0.5, 5.0, 12.0])
def test_session_synchrony_is_the_engines_dyad_synchrony(rng, params, cg, age_months):
    """Cortisol, testosterone and maturity terms included (the lab once dropped all three)."""
    p = params
    rel = rng.uniform(0, 1, (H, K))
    ot_c, ot_i = rng.lognormal(0, 0.5, (H, K)), rng.lognormal(0, 0.5, (H, K))
    lab = P.session_synchrony(rel, ot_c, ot_i, cg, p, age_months)
    expected = np.array([[bh.dyad_synchrony(rel[h, k], ot_c[h, k], ot_i[h, k], cg.cortisol_excess[h, k],
                                            cg.testosterone[h, k] if k == FATHER else 0.0, p.testosterone_mean[h],
                                            bh.infant_maturity(age_months), p.sync_coupling[h], p.ot_synchrony[h],
                                            p.testosterone_sync[h], p.sync_damping[h]) for k in range(K)]
                         for h in range(H)])
    np.testing.assert_array_equal(lab, expected)
    compiled = _engine_synchrony(rel, ot_c, ot_i, cg.cortisol_excess, cg.testosterone, p.testosterone_mean,
                                 age_months, p.sync_coupling, p.ot_synchrony, p.testosterone_sync, p.sync_damping)
    np.testing.assert_allclose(lab, compiled, rtol=1e-13, atol=0)  # numba's libm log/exp: at most ulps apart


# ------------------------------------------------------------------ a real population: snapshot and SSP inputs
@pytest.fixture(scope="module")
def sim():
    return Simulation(ParamSet.uniform(30, {"p_unresolved": 0.5}), 1.0, seed=11).run()


def test_snapshot_and_ssp_use_the_engines_role_matrix_and_response_rule(sim):
    p, cg = sim.p, sim.cg
    snap = P.snapshot(sim)
    att = bh.attunement(p, cg, p.ot_emotion_recognition[:, None], sim.role_sens)  # the engine's role offsets
    np.testing.assert_array_equal(snap["attunement"], att)
    d = S.dyad_inputs(sim)
    hh, sl = d["household"], d["slot"]
    for i, (h, k) in enumerate(zip(hh, sl, strict=True)):
        args = (p.base_sensitivity[h], cg.aai[h, k], cg.unresolved[h, k], cg.cortisol_excess[h, k], cg.depressed[h, k],
                p.p_frightening_base[h], p.frightening_cortisol[h], 1.0, 1.0, 0.5, p.fright_stress_risk[h])
        assert snap["p_sensitive"][h, k] == bh.response_quality(att[h, k], *args)[1]
        # the SSP distresses the infant: the responder's attunement to a distress bid
        att_r = bh.response_attunement(att[h, k], cg.distress_sensitivity[h, k], DISTRESS_BID)
        assert d["p_sensitive"][i] == bh.response_quality(att_r, *args)[1]
    # the working model as the infant reads it (issue 14.1: susceptibility, inconsistency)
    e, deact, hyper = ln.working_model_reading(
        sim.inf.iwm_good, sim.inf.iwm_bad, sim.inf.iwm_rejected, sim.inf.iwm_intruded, sim.inf.iwm_ignored,
        p.iwm_prior_strength[:, None], ln.susceptibility(sim.inf.temperament, p.susceptibility_gain)[:, None],
        p.inconsistency_hyperactivation[:, None])
    np.testing.assert_array_equal(d["expected_responsiveness"], e[hh, sl])
    np.testing.assert_array_equal(d["rejection"], deact[hh, sl])
    np.testing.assert_array_equal(d["intrusion"], hyper[hh, sl])


def test_ssp_attunement_to_distress_is_the_engines_response_attunement(sim):
    """The SSP's attunement is response_attunement for a distress bid, compiled as in the kernel."""
    p, cg = sim.p, sim.cg
    att = bh.attunement(p, cg, p.ot_emotion_recognition[:, None], sim.role_sens)
    lab = bh.response_attunement(att, cg.distress_sensitivity, DISTRESS_BID)  # the array call of ssp.dyad_inputs
    np.testing.assert_array_equal(lab, _engine_response_attunement(att, cg.distress_sensitivity, DISTRESS_BID))
    d = S.dyad_inputs(sim)
    np.testing.assert_array_equal(d["p_sensitive"], bh.sigmoid(p.base_sensitivity[d["household"]]
                                                               + lab[d["household"], d["slot"]]))
    assert (lab != att).any()  # the distress term is there


def test_ssp_fright_risk_is_the_engines_frightening_risk(sim):
    d = S.dyad_inputs(sim)
    hh, sl = d["household"], d["slot"]
    cg = sim.cg
    for i, (h, k) in enumerate(zip(hh, sl, strict=True)):
        assert d["fright_risk"][i] == bh.frightening_state_risk(cg.unresolved[h, k], cg.depressed[h, k], cg.aai[h, k],
                                                                cg.cortisol_excess[h, k], sim.p.fright_stress_risk[h])
        assert d["p_reject_kind"][i] == bh.rejecting_share(sim.cg.aai[h, k])


def _kind(aai, u_kind):
    """The engine's kind of an insensitive, non-frightening response."""
    return bh.response_quality(-50.0, 0.0, aai, False, 0.0, False, 0.0, 0.0, 1.0, 1.0, u_kind, 0.0)[0]


@pytest.mark.parametrize("aai", [AAI_AUTONOMOUS, AAI_DISMISSING, AAI_PREOCCUPIED])
def test_ssp_rejecting_share_is_exactly_the_engines(aai):
    """u_kind just below the lab's share gives rejecting, at the share intrusive: the engine's threshold is it."""
    share = bh.REJECTING_SHARE_BY_AAI[aai]
    assert share == bh.rejecting_share(aai)
    assert _kind(aai, np.nextafter(share, 0.0)) == REJECTING
    assert _kind(aai, share) == INTRUSIVE


def test_ssp_fright_probability_is_exactly_the_engines(sim):
    """With no procedure stress, the SSP's per-response fright chance is the engine's, to the last bit."""
    p, cg = sim.p, sim.cg
    d = S.dyad_inputs(sim)
    pf = S.caregiver_fright_probability(d, 0.0)
    assert (pf > 0).any() and (pf == 0).any()
    for i, (h, k) in enumerate(zip(d["household"], d["slot"], strict=True)):
        att_r = bh.attunement(p, cg, p.ot_emotion_recognition[:, None], sim.role_sens)[h, k] + cg.distress_sensitivity[h, k]

        def code(u_fright, h=h, k=k, att_r=att_r):
            return bh.response_quality(att_r, p.base_sensitivity[h], cg.aai[h, k], cg.unresolved[h, k],
                                       cg.cortisol_excess[h, k], cg.depressed[h, k], p.p_frightening_base[h],
                                       p.frightening_cortisol[h], 1.0, u_fright, 0.5, p.fright_stress_risk[h])[0]
        assert code(pf[i]) != FRIGHTENING
        if pf[i] > 0:
            assert code(np.nextafter(pf[i], 0.0)) == FRIGHTENING


# ------------------------------------------------------------------ the fixes change play in the engine's direction
def _with(sim, **changes):
    other = copy.copy(sim)
    other.cg = copy.deepcopy(sim.cg)
    for name, value in changes.items():
        getattr(other.cg, name)[:] = value
    return other


def test_play_synchrony_falls_with_a_fathers_testosterone(sim):
    base = P.play(sim, np.random.default_rng(5))
    high = P.play(_with(sim, testosterone=sim.cg.testosterone * 3.0), np.random.default_rng(5))
    fathers = sim.cg.exists[:, FATHER]
    lower, before = high["synchrony"][fathers, FATHER], base["synchrony"][fathers, FATHER]
    assert (lower <= before).all() and (lower < before).mean() > 0.8  # equal only without any relief
    np.testing.assert_array_equal(high["synchrony"][:, 0], base["synchrony"][:, 0])  # mothers: no term


def test_play_dismissing_caregivers_relieve_less_than_preoccupied(sim):
    """Insensitive responses of dismissing caregivers are mostly rejecting (relief .2), of preoccupied intrusive (.5)."""
    dis = P.play(_with(sim, aai=AAI_DISMISSING), np.random.default_rng(5))
    pre = P.play(_with(sim, aai=AAI_PREOCCUPIED), np.random.default_rng(5))
    ex = sim.cg.exists
    assert dis["infant_ot_post"][ex].mean() < pre["infant_ot_post"][ex].mean()
    assert dis["synchrony"][ex].mean() < pre["synchrony"][ex].mean()
    np.testing.assert_array_equal(dis["sensitive"], pre["sensitive"])  # same sensitivity, different kind


# ------------------------------------------------------------------ cortisol an hour after a visit
@pytest.mark.parametrize("hod", [14, 7, 8])  # an ordinary hour, and the two hours of the awakening response
def test_cortisol_time_course_is_the_engines_next_hour(hod):
    """The lab's cortisol an hour after the visit is the engine's next hour, bit for bit, without a new stressor."""
    from bonding.model.state import DISTRESS_BID

    sim = Simulation(ParamSet.uniform(30), 0.5, seed=11)
    while not (sim.born and sim.hod == hod and sim.age_days > 3):
        sim.step()
    after = P.cortisol_time_course(sim, sim.cg.cortisol)["cortisol_1h_after"]
    sim.step()
    crying = (sim.inf.bid == DISTRESS_BID) & (sim.inf.response != SENSITIVE)  # the hour's crying stressor
    calm = sim.cg.exists & ~(crying[:, None] & sim.hh.available[hod])
    assert calm.sum() > 20
    np.testing.assert_array_equal(after[calm], sim.cg.cortisol[calm])


def test_cortisol_time_course_saturates_as_the_engine_does():
    """At a huge cortisol excess the lab's next hour is the engine's saturating level (the lab once had no ceiling)."""
    from bonding.model.state import DISTRESS_BID as CRY

    sim = Simulation(ParamSet.uniform(30), 0.5, seed=11)
    while not (sim.born and sim.hod == 14 and sim.age_days > 3):
        sim.step()
    sim.cg.cortisol_excess[:] = 40.0  # far above the knee of the adrenal saturation
    after = P.cortisol_time_course(sim, sim.cg.cortisol)["cortisol_1h_after"]
    sim.step()
    crying = (sim.inf.bid == CRY) & (sim.inf.response != SENSITIVE)
    calm = sim.cg.exists & ~(crying[:, None] & sim.hh.available[14])
    assert calm.sum() > 20
    np.testing.assert_array_equal(after[calm], sim.cg.cortisol[calm])
    assert (after[sim.cg.exists] > phys.CORTISOL_KNEE).all() and (after < phys.CORTISOL_MAX).all()
