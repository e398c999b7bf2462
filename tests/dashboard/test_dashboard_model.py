"""``DashboardModel`` and the dashboard's figures, headless (no Solara needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bonding.experiments.viz import figures
from bonding.experiments.viz.dashboard_model import DashboardModel, dashboard_reporters
from bonding.model.params import ParameterError
from bonding.model.recorder import CAREGIVER_SERIES
from bonding.model.state import FATHER, MOTHER, PRENATAL_DAYS


@pytest.fixture(scope="module")
def born_model():
    """20 households, pregnancy run at once, then five days after birth."""
    m = DashboardModel(households=20, months=1, rng=3, start_at_birth=True)
    m.advance(5 * 24)
    return m


def test_one_row_per_finished_day_with_every_reporter(born_model):
    df = born_model.history()
    assert len(df) == PRENATAL_DAYS + 5
    assert list(df.columns) == list(dashboard_reporters())
    assert df["age_days"].tolist() == list(range(-PRENATAL_DAYS, 5))


def test_reporters_read_the_engines_daily_means(born_model):
    """Mothers and fathers: exactly the recorder's means; alloparents: pooled by head count."""
    sim, df = born_model.sim, born_model.history()
    day = sim.day - 1
    rec = sim.recorder.caregiver[day]
    for var in ("bond", "cortisol", "ot_plasma"):
        i = CAREGIVER_SERIES.index(var)
        assert df[f"{var}_mother"].iloc[-1] == rec[i, MOTHER]
        assert df[f"{var}_father"].iloc[-1] == rec[i, FATHER]
    i = CAREGIVER_SERIES.index("bond")
    ex = sim.cg.exists[:, 2:]
    direct = float(np.sum(sim.cg.bond[:, 2:] * ex) / ex.sum())  # bond changes only at day boundaries
    assert df["bond_alloparent"].iloc[-1] == pytest.approx(direct, rel=1e-12)
    c = sim.counters
    assert df["frightening_per_1000"].iloc[-1] == pytest.approx(1000 * c["n_frightening"].sum() / c["n_responses"].sum())


def test_advance_stops_at_the_end_of_the_run():
    m = DashboardModel(households=10, months=0.1, rng=1, start_at_birth=True)
    left = m.sim.n_days * 24 - m.sim.hour
    assert m.advance(10_000) == left
    assert not m.running and m.advance(24) == 0


def test_same_seed_same_run_other_seed_other_run():
    runs = []
    for seed in (5, 5, 6):
        m = DashboardModel(households=15, months=1, rng=seed)
        m.advance(3 * 24)
        runs.append(m.history())
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert not runs[0]["ot_plasma_mother"].equals(runs[2]["ot_plasma_mother"])


def test_scenario_and_overrides_reach_the_engine():
    m = DashboardModel(households=12, months=1, scenario="high_risk", overrides={"ot_synchrony": 0.0}, rng="7")
    assert m.scenario_name == "high_risk" and m.sim.seed == 7
    assert np.all(m.sim.p.ot_synchrony == 0.0) and np.all(m.sim.p.poverty_stress == 0.5)
    assert [iv.TYPE for iv in m.sim.interventions] == ["clustered_risk"]
    with pytest.raises(ParameterError, match="cortisol_halflife"):
        DashboardModel(households=12, overrides={"cortisol_halflife": 1})


def test_figures_draw_the_series_and_say_when_nothing_has_happened(born_model):
    df = born_model.history()
    fig = figures.hormone_figure(df)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["plasma oxytocin (pg/ml)", "cortisol (nmol/l)", "testosterone (nmol/l)", "prolactin (ng/ml)"]
    assert [ln.get_label() for ln in fig.axes[0].get_lines() if not ln.get_label().startswith("_")] == \
        ["mothers", "fathers", "alloparents"]
    assert np.allclose(fig.axes[0].get_lines()[1].get_ydata(), df["ot_plasma_mother"])
    assert len(figures.bond_figure(df).axes) == 3 and len(figures.infant_figure(df).axes) == 4
    empty = figures.hormone_figure(df.iloc[:0])
    assert any("press Step" in t.get_text() for t in empty.axes[0].texts)


def test_household_panel_shows_that_households_members(born_model):
    sim = born_model.sim
    h = int(np.flatnonzero(sim.cg.exists.sum(axis=1) >= 3)[0])
    rows = figures.household_members(born_model, h)
    assert [r["role"] for r in rows] == [a.role for a in born_model.members[h] if hasattr(a, "slot")]
    assert len(rows) == int(sim.cg.exists[h].sum())
    assert rows[0]["role"] == "mother" and rows[0]["bond"] == sim.cg.bond[h, MOTHER]
    fig = figures.household_figure(born_model, h)
    assert f"Household {h}" in fig.texts[0].get_text()
    assert [round(p.get_height(), 12) for p in fig.axes[0].patches] == [round(r["bond"], 12) for r in rows]
    dist = figures.bond_distribution_figure(born_model)
    assert "mothers (n=20" in dist.axes[0].get_legend().get_texts()[0].get_text()


def test_previous_run_is_drawn_dashed_under_the_current_one(born_model):
    df = born_model.history()
    earlier = df.iloc[:-2].assign(cortisol_mother=df["cortisol_mother"].iloc[:-2] + 50.0)
    fig = figures.hormone_figure(df, figures.PreviousRun(earlier, "ot_stress_buffering 0.5 (now 0)"))
    cortisol = fig.axes[1]
    dashed = [ln for ln in cortisol.get_lines() if ln.get_linestyle() == "--"]
    solid = [ln for ln in cortisol.get_lines() if ln.get_linestyle() == "-"]
    assert len(dashed) == len(solid) == 3  # mothers, fathers, alloparents, in both runs
    assert np.allclose(dashed[0].get_ydata(), earlier["cortisol_mother"])
    assert any("previous run (ot_stress_buffering 0.5 (now 0))" in t.get_text() for t in fig.texts)
    assert [t.get_text() for t in cortisol.get_legend().get_texts()] == ["mothers", "fathers", "alloparents"]


def test_history_is_a_consistent_snapshot_while_another_thread_steps():
    """The cause of the flaky Play test (issue 16): the page read the DataCollector while the Play
    thread was half-way through a collection (some columns appended, others not), and pandas
    raised "All arrays must be of the same length". A reporter that blocks mid-collection holds
    the stepping thread there; ``history()`` must wait for the step and then see whole rows."""
    import threading

    m = DashboardModel(households=10, months=1, rng=2)
    collecting, release = threading.Event(), threading.Event()

    def gate(model):  # runs after the first column of this collection was appended
        collecting.set()
        release.wait(60)
        return 0.0

    m.datacollector._new_model_reporter("zz_gate", gate)
    first = next(iter(m.datacollector.model_vars))
    m.datacollector.model_vars["zz_gate"] = [0.0] * len(m.datacollector.model_vars[first])
    stepper = threading.Thread(target=m.advance, args=(24,))
    stepper.start()
    assert collecting.wait(60), "the day's collection never ran"
    snapshots: list = []
    reader = threading.Thread(target=lambda: snapshots.append(m.history()))
    reader.start()
    reader.join(0.5)  # a reader without the lock returns (or raises) at once
    assert reader.is_alive(), "history() read the table while a collection was half done"
    release.set()
    stepper.join(60)
    reader.join(60)
    assert len(snapshots) == 1 and len(snapshots[0]) == 1 and not snapshots[0].isna().all(axis=None)


def test_monitors_are_the_current_state_by_role(born_model):
    m, sim = born_model.monitors(), born_model.sim
    assert m["bond_mother"] == pytest.approx(sim.cg.bond[:, MOTHER].mean())
    fathers = sim.cg.exists[:, FATHER]
    assert m["bond_father"] == pytest.approx(sim.cg.bond[fathers, FATHER].mean())
    assert m["depressed_pct_mother"] == pytest.approx(100 * sim.cg.depressed[:, MOTHER].mean())
    assert m["infant_cortisol"] == pytest.approx(sim.inf.cortisol.mean())
    assert 0 <= m["sensitive_pct"] <= 100


def test_strange_situation_runs_once_at_day_365_with_the_labs_procedure():
    m = DashboardModel(households=12, months=12, rng=4, start_at_birth=True)
    m.advance(24 * 364)
    assert m.ssp is None and m.running  # not before 12 months
    m.advance(24 * 2)
    assert m.ssp is not None and not m.running
    from bonding.experiments.lab.ssp import ssp_hook

    coded = ssp_hook(12.0)[1](m.sim)  # the same procedure and seed on the same (finished) state
    assert sum(int(row["n"]) for row in m.ssp.values()) == len(coded["ssp_attachment"])
    assert m.ssp["mother"]["n"] == 12
    mothers = np.asarray(coded["ssp_attachment"], dtype=object)[np.nonzero(m.sim.cg.exists)[1] == MOTHER]
    for cls in "ABCD":
        assert m.ssp["mother"][cls] == pytest.approx(np.mean(mothers == cls))
    for row in m.ssp.values():
        assert sum(row[c] for c in "ABCD") == pytest.approx(1.0)


def test_events_mark_leave_daycare_interventions_and_the_strange_situation():
    m = DashboardModel(households=5, months=13, scenario="caregiver_loss_6m", rng=1)
    labels = dict((label, month) for month, label in m.events())
    assert labels["CaregiverLoss father"] == 6 and labels["Strange Situation"] == 12
    assert labels["father's leave ends"] == 0.5 and labels["mother's leave ends"] == 6
    short = DashboardModel(households=5, months=5, rng=1)
    assert all(month <= 5 for month, _ in short.events())  # only what happens within the run


def test_household_view_draws_each_member_with_what_they_do_this_hour():
    from bonding.experiments.viz.household_view import HORMONES, household_people, household_svg

    m = DashboardModel(households=10, months=1, rng=5, start_at_birth=True)
    m.advance(3)
    h = 0
    sim = m.sim
    people = household_people(m, h, "cortisol")
    assert [p["role"] for p in people][-1] == "infant"
    assert people[0]["level"] == pytest.approx(sim.cg.cortisol[h, MOTHER])
    svg = household_svg(m, h, "oxytocin")
    assert f'data-hour="{sim.hour}"' in svg and svg.count("<circle") == len(people)
    sim.inf.asleep[h] = True
    assert household_people(m, h, "oxytocin")[-1]["activity"] == "asleep"
    sim.inf.asleep[h] = False
    from bonding.model.behaviour import DISTRESS_BID

    sim.inf.bid[h] = DISTRESS_BID
    assert household_people(m, h, "oxytocin")[-1]["activity"].startswith("crying")
    sim.cg.present[h, MOTHER] = False
    assert household_people(m, h, "oxytocin")[0]["activity"] == "away"
    assert household_svg(m, h, "cortisol") == household_svg(m, h, "cortisol")  # drawing only reads
    assert all(scale.lo == 0.0 for scale in HORMONES.values())  # fixed colour scales from zero


def test_trend_axes_start_at_zero_span_the_run_and_mark_events(born_model):
    fig = figures.hormone_figure(born_model.history(), months=6.0, events=[(0.5, "father's leave ends")])
    for ax in fig.axes:
        assert ax.get_ylim()[0] == 0.0 and ax.get_xlim()[1] == 6.0
        assert ax.get_ylim()[1] >= min(figures.Y_RANGES.values())
        assert any("father's leave ends" in t.get_text() for t in ax.texts)
    cortisol = fig.axes[1]
    assert cortisol.get_ylim()[1] >= figures.Y_RANGES["cortisol"]  # a fixed range, not fitted to the data


def test_days_recorded_counts_the_collected_days(born_model):
    assert born_model.days_recorded() == len(born_model.history()) == PRENATAL_DAYS + 5


def test_live_figure_redraws_only_the_current_lines_and_asks_for_a_rebuild_off_axis(born_model):
    df = born_model.history()
    live = figures.LiveFigure(figures.hormone_figure, df.iloc[:-3], None, months=1.0, events=born_model.events())
    assert {line.column for line in live.lines} >= {"ot_plasma_mother", "cortisol_father", "prolactin_mother"}
    assert live.update(df.iloc[:-3])
    before, background, overlay = live.png(), live.background_png(), live.overlay_svg()
    assert live.update(df) and live.png() != before  # three more days drawn
    assert live.png()[:4] == b"\x89PNG" and live.background_png() == background  # the background stays
    assert live.overlay_svg() != overlay and f'data-days="{len(df)}"' in live.overlay_svg()
    assert overlay.count("<path ") == len(live.lines) - sum(  # one path per current line with data
        not np.isfinite(line.get_ydata()).any() for line in live.lines)
    svg = live.overlay_svg()
    assert live.update(born_model.series(live.columns))  # the columns alone, as the page passes them
    assert live.overlay_svg() == svg
    lines = {line.column: line for line in live.lines}
    assert len(lines["cortisol_mother"].get_xdata()) == len(df)
    off = df.copy()  # (a page update passes the columns alone: model.series)
    off.loc[off.index[-1], "cortisol_mother"] = 10 * figures.Y_RANGES["cortisol"]
    assert not live.update(off)  # the page then builds a new figure with a wider axis


def test_svg_path_breaks_at_missing_values_and_drops_repeats():
    points = np.array([[1, 2], [1, 2], [3, 4], [np.nan, 1], [5, 6], [7, 8], [7, 8], [9, 9]])
    assert figures.svg_path(points) == "M1 2 3 4M5 6 7 8 9 9"
    assert figures.svg_path(np.array([[np.nan, 1.0]])) == ""


def test_the_overlay_lines_lie_where_matplotlib_draws_them(born_model):
    """Each current line's points in the SVG overlay (first, middle, last) fall within a pixel of
    pixels that matplotlib's drawing of that line alone changes (png against the background):
    the overlay is the figure's lines, in the figure's pixels."""
    from io import BytesIO

    from matplotlib.colors import to_hex
    from PIL import Image

    live = figures.LiveFigure(figures.hormone_figure, born_model.history(), None, months=1.0)
    live.update(born_model.history())
    svg = live.overlay_svg()
    background = np.asarray(Image.open(BytesIO(live.background_png())).convert("RGB"), dtype=float) / 255
    assert f'viewBox="0 0 {10 * live.width} {10 * live.height}"' in svg
    drawn = [line for line in live.lines if np.isfinite(line.get_ydata()).any()]
    paths = svg.split("<path ")[1:]
    assert len(paths) == len(drawn) > 0
    for line, path in zip(drawn, paths, strict=True):  # in the figure's order
        assert f'stroke="{to_hex(line.get_color())}"' in path
        for other in live.lines:
            other.set_visible(other is line)
        changed = np.abs(np.asarray(Image.open(BytesIO(live.png())).convert("RGB"), dtype=float) / 255
                         - background).sum(axis=2) > 0.3
        numbers = [int(v) for v in path.split('d="M')[1].split('"')[0].replace("M", " ").split()]
        points = np.array(numbers).reshape(-1, 2) / figures.SVG_UNITS_PER_PIXEL
        for x, y in points[[0, len(points) // 2, -1]]:
            assert changed[int(y) - 1:int(y) + 2, int(x) - 1:int(x) + 2].any(), (line.column, x, y)


def test_bond_shares_are_percent_per_role_and_a_changed_head_count_needs_a_new_figure(born_model):
    shares = figures.bond_shares(born_model)
    for group in ("mother", "father"):
        assert shares[f"share_{group}"][::2].sum() == pytest.approx(100.0)  # each bin once (a step outline)
        assert shares[f"n_{group}"] == int(born_model.sim.cg.exists[:, MOTHER if group == "mother" else FATHER].sum())
    live = figures.LiveFigure(figures.bond_share_figure, shares, None, None)
    assert live.update(shares) and "<path " in live.overlay_svg()
    assert not live.update({**shares, "n_father": shares["n_father"] - 1})  # the legend's n is stale
