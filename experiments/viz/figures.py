"""The dashboard's matplotlib figures: pure functions of a model or its DataCollector table.

Built on ``matplotlib.figure.Figure`` (no pyplot, no GUI backend), so they are safe in the Solara
server's threads and testable without a browser. Time runs along infant age in months; the
pregnancy is negative and birth is marked. Only matplotlib is used for drawing: it needs no
JavaScript bundle, so the page works with no internet connection (Altair/Vega charts do not).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from bonding.experiments.viz.dashboard_model import ROLE_GROUPS, DashboardModel
from bonding.model.learning import expected_responsiveness
from bonding.model.state import DAYS_PER_MONTH, PRENATAL_DAYS
from matplotlib.figure import Figure

ROLE_COLOURS = {"mother": "tab:red", "father": "tab:blue", "alloparent": "tab:green",
                "grandparent": "tab:green", "sibling": "tab:olive", "daycare": "tab:cyan",
                "infant": "tab:purple"}
GROUP_LABELS = {"mother": "mothers", "father": "fathers", "alloparent": "alloparents"}


def _months(df) -> np.ndarray:
    """Infant age in months of each row of ``df`` (a table or a mapping of columns)."""
    return np.asarray(df["age_days"], dtype=float) / DAYS_PER_MONTH


def _time_axes(fig: Figure, rows: int, cols: int, df: pd.DataFrame) -> list:
    """A grid of axes sharing the age axis, with birth marked; a note if no day has ended yet."""
    axes = list(np.atleast_1d(fig.subplots(rows, cols, sharex=True, squeeze=False)).ravel())
    for ax in axes:
        ax.axvline(0.0, color="0.6", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
    for ax in axes[-cols:]:
        ax.set_xlabel("infant age (months; < 0 = pregnancy)")
    if df.empty:
        axes[0].text(0.5, 0.5, "no simulated day has ended yet:\npress Step", ha="center",
                     va="center", transform=axes[0].transAxes)
    return axes


#: Honest axes: every panel starts at zero and spans at least this fixed, labelled range (widened
#: only if the data exceed it), so that a 2% effect looks like 2%.
Y_RANGES = {"ot_plasma": 30.0, "cortisol": 400.0, "testosterone": 25.0, "prolactin": 300.0, "unit": 1.0,
            "infant_cortisol": 15.0, "percent": 100.0, "frightening": 10.0}


def honest_axes(ax, top: float, months: float | None, events=()) -> None:
    """y from 0 to at least ``top``; x from the start of the pregnancy to the run's end; events marked.

    Data above ``top`` widen the axis to a multiple of a quarter of ``top`` with a fifth of
    headroom, so that a rising series does not leave the axis (and cost a new figure) every day.
    """
    _, data_top = ax.get_ylim()
    if ax.has_data() and data_top > top:
        quarter = top / 4.0
        top = quarter * math.ceil(1.2 * data_top / quarter)
    ax.set_ylim(0.0, top)
    if months is not None:
        ax.set_xlim(-PRENATAL_DAYS / DAYS_PER_MONTH, months)
    for month, label in events:
        ax.axvline(month, color="0.45", lw=0.8, ls="--")
        ax.text(month, 0.98, " " + label, transform=ax.get_xaxis_transform(), fontsize=6.5, color="0.3",
                rotation=90, va="top", ha="left")


@dataclass(frozen=True, eq=False)
class PreviousRun:
    """The run before the last Reset, drawn dashed under the current one for comparison."""

    history: pd.DataFrame
    label: str  # what was different, e.g. "ot_stress_buffering 0.5 (now 0)"


def _line(ax, df: pd.DataFrame, column: str, colour: str, label: str | None, scale: float, dashed: bool) -> None:
    """One series; the current run's line is drawn even before it has data, tagged with its column
    so that :class:`LiveFigure` can update it."""
    values = df[column].to_numpy(dtype=float) * scale if column in df else np.array([])
    if dashed and not np.isfinite(values).any():
        return
    (line,) = ax.plot(_months(df) if column in df else [], values, color=colour, lw=1.0 if dashed else 1.2,
                      ls="--" if dashed else "-", alpha=0.55 if dashed else 1.0, label=None if dashed else label)
    if not dashed:
        line.column, line.scale = column, scale


def _series(ax, df, previous: PreviousRun | None, column: str, colour: str, label: str | None = None,
            scale: float = 1.0) -> None:
    """One series of the current run, and dashed the same series of the previous run."""
    if previous is not None and not previous.history.empty:
        _line(ax, previous.history, column, colour, label, scale, dashed=True)
    _line(ax, df, column, colour, label, scale, dashed=False)


def _by_role(ax, df, previous, variable: str, groups=tuple(ROLE_GROUPS), scale: float = 1.0) -> None:
    for group in groups:
        _series(ax, df, previous, f"{variable}_{group}", ROLE_COLOURS[group], GROUP_LABELS[group], scale)


def _legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="best")


def _note_previous(fig: Figure, previous: PreviousRun | None) -> None:
    if previous is not None:
        fig.text(0.005, 0.005, f"dashed: the previous run ({previous.label})", fontsize=8, color="0.3")


def hormone_figure(df: pd.DataFrame, previous: PreviousRun | None = None, months: float | None = None,
                   events=()) -> Figure:
    """Daily mean oxytocin, cortisol, testosterone and prolactin by role."""
    fig = Figure(figsize=(9.5, 5.2))
    ax_ot, ax_cort, ax_t, ax_prl = _time_axes(fig, 2, 2, df)
    _by_role(ax_ot, df, previous, "ot_plasma")
    _by_role(ax_cort, df, previous, "cortisol")
    _by_role(ax_t, df, previous, "testosterone", ("father", "mother"))
    _by_role(ax_prl, df, previous, "prolactin", ("mother", "father"))
    for ax, title, top in ((ax_ot, "plasma oxytocin (pg/ml)", Y_RANGES["ot_plasma"]),
                           (ax_cort, "cortisol (nmol/l)", Y_RANGES["cortisol"]),
                           (ax_t, "testosterone (nmol/l)", Y_RANGES["testosterone"]),
                           (ax_prl, "prolactin (ng/ml)", Y_RANGES["prolactin"])):
        ax.set_title(title, fontsize=10)
        honest_axes(ax, top, months, events)
        _legend(ax)
    fig.suptitle("Hormones: daily means by role", fontsize=11)
    _note_previous(fig, previous)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.89, bottom=0.12, hspace=0.3, wspace=0.15)
    return fig


def bond_figure(df: pd.DataFrame, previous: PreviousRun | None = None, months: float | None = None,
                events=()) -> Figure:
    """Caregivers' bond and sensitivity, and the infant's expectation that mother responds."""
    fig = Figure(figsize=(9.5, 3.4))
    ax_bond, ax_sens, ax_iwm = _time_axes(fig, 1, 3, df)
    _by_role(ax_bond, df, previous, "bond")
    _by_role(ax_sens, df, previous, "sensitivity")
    _series(ax_iwm, df, previous, "infant_expected_responsiveness_mother", ROLE_COLOURS["infant"], "infants")
    for ax, title in ((ax_bond, "caregiver's bond to the infant (0-1)"),
                      (ax_sens, "sensitivity (0-1)"),
                      (ax_iwm, "infant expects mother to respond (0-1)")):
        ax.set_title(title, fontsize=10)
        honest_axes(ax, Y_RANGES["unit"], months, events)
        _legend(ax)
    _note_previous(fig, previous)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.9, bottom=0.2, wspace=0.25)
    return fig


def infant_figure(df: pd.DataFrame, previous: PreviousRun | None = None, months: float | None = None,
                  events=()) -> Figure:
    """Infant distress and cortisol; the quality of responses (sensitive, frightening)."""
    fig = Figure(figsize=(9.5, 4.8))
    ax_dist, ax_cort, ax_sens, ax_fright = _time_axes(fig, 2, 2, df)
    infant = ROLE_COLOURS["infant"]
    _series(ax_dist, df, previous, "infant_distress", infant)
    _series(ax_cort, df, previous, "infant_cortisol", infant)
    _series(ax_sens, df, previous, "sensitive_share", "0.2", "sensitive responses", scale=100.0)
    _by_role(ax_sens, df, previous, "depressed", ("mother", "father"), scale=100.0)
    _series(ax_fright, df, previous, "frightening_per_1000", "0.2")
    for ax, title, top in ((ax_dist, "infant distress (daily mean, 0-1)", Y_RANGES["unit"]),
                           (ax_cort, "infant cortisol (nmol/l, saliva)", Y_RANGES["infant_cortisol"]),
                           (ax_sens, "% sensitive responses (black); % depressed", Y_RANGES["percent"]),
                           (ax_fright, "frightening responses per 1,000 (disorganisation risk)",
                            Y_RANGES["frightening"])):
        ax.set_title(title, fontsize=10)
        honest_axes(ax, top, months, events)
    _legend(ax_sens)
    _note_previous(fig, previous)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.94, bottom=0.12, hspace=0.3, wspace=0.15)
    return fig


def household_members(model: DashboardModel, household: int) -> list[dict]:
    """One row per caregiver who belongs to ``household`` now (read from the Mesa agents)."""
    sim = model.sim
    h = int(household)
    er = expected_responsiveness(sim.inf.iwm_good[h], sim.inf.iwm_bad[h], sim.p.iwm_prior_strength[h])
    rows = []
    for agent in model.members.get(h, []):
        slot = getattr(agent, "slot", None)
        if slot is None or not sim.cg.exists[h, slot]:
            continue
        rows.append({"role": agent.role, "attachment": agent.attachment_state,
                     "unresolved": bool(sim.cg.unresolved[h, slot]), "depressed": bool(agent.depressed),
                     "present": bool(agent.present), "bond": float(agent.bond),
                     "oxytocin": float(agent.oxytocin), "cortisol": float(agent.cortisol),
                     "testosterone": float(agent.testosterone), "prolactin": float(agent.prolactin),
                     "infant_expects": float(er[slot]) if sim.born else float("nan")})
    return rows


def infant_state(model: DashboardModel, household: int) -> dict:
    """The household's infant now (from its Mesa agent)."""
    infant = next(a for a in model.members[int(household)] if not hasattr(a, "slot"))
    return {"distress": float(infant.distress), "cortisol": float(infant.cortisol),
            "asleep": bool(infant.asleep), "breastfed": bool(model.sim.hh.breastfeeding[int(household)])}


def describe_member(row: dict) -> str:
    """``"father: dismissing, unresolved, depressed"`` (what students should notice)."""
    notes = [row["attachment"]] + [k for k in ("unresolved", "depressed") if row[k]]
    if not row["present"]:
        notes.append("away now")
    return f"{row['role']}: {', '.join(notes)}"


def household_figure(model: DashboardModel, household: int) -> Figure:
    """One household's members now: bond, the infant's expectation, oxytocin and cortisol."""
    rows = household_members(model, household)
    inf = infant_state(model, household)
    fig = Figure(figsize=(9.5, 3.4))
    axes = fig.subplots(1, 4)
    names = [describe_member(r).replace(": ", "\n").replace(", ", "\n") for r in rows]
    colours = [ROLE_COLOURS[r["role"]] for r in rows]
    for ax, key, title in zip(axes, ("bond", "infant_expects", "oxytocin", "cortisol"),
                              ("bond to the infant (0-1)", "infant expects a response (0-1)",
                               "plasma oxytocin now (pg/ml)", "cortisol now (nmol/l)"), strict=True):
        ax.bar(names, [r[key] for r in rows], color=colours)
        ax.set_title(title, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        if key in ("bond", "infant_expects"):
            ax.set_ylim(0, 1)
    age = model.sim.age_months
    when = f"infant {age:.1f} months" if age >= 0 else f"pregnancy week {10 + model.sim.day // 7}"
    fig.suptitle(f"Household {int(household)} ({when}): infant distress {inf['distress']:.2f}, "
                 f"cortisol {inf['cortisol']:.1f} nmol/l{', asleep' if inf['asleep'] else ''}"
                 f"{', breastfed' if inf['breastfed'] else ''}", fontsize=10)
    fig.subplots_adjust(left=0.05, right=0.99, top=0.82, bottom=0.24, wspace=0.3)
    return fig


BOND_BINS = np.linspace(0.0, 1.0, 21)


def bond_shares(model: DashboardModel) -> dict[str, np.ndarray | int]:
    """How bonds are spread across households now: for each role group the % of its caregivers in
    each bond bin (``share_<group>``, as a step outline over ``bond``, the bins' edges) and their
    number (``n_<group>``). Read under the model's lock."""
    out: dict[str, np.ndarray | int] = {"bond": np.repeat(BOND_BINS, 2)[1:-1]}
    with model.reading():
        cg = model.sim.cg
        for group, slots in ROLE_GROUPS.items():
            values = cg.bond[:, list(slots)][cg.exists[:, list(slots)]]
            counts = np.histogram(values, BOND_BINS)[0]
            share = 100.0 * counts / values.size if values.size else np.full(len(counts), np.nan)
            out[f"share_{group}"], out[f"n_{group}"] = np.repeat(share, 2), int(values.size)
    return out


def bond_share_figure(shares: dict, previous=None, months=None, events=()) -> Figure:
    """:func:`bond_shares` drawn: one step outline per role group, on a fixed 0-100% axis.

    The signature of a trend figure, so that :class:`LiveFigure` can draw it (``previous``,
    ``months`` and ``events`` are not used: this is the population now, not over time)."""
    fig = Figure(figsize=(4.6, 3.0))
    ax = fig.subplots()
    fig.static_values = {}  # what the figure's text shows: a change needs a new figure (LiveFigure)
    for group in ROLE_GROUPS:
        n = int(shares[f"n_{group}"])
        fig.static_values[f"n_{group}"] = n
        (line,) = ax.plot(shares["bond"], shares[f"share_{group}"], lw=1.5, color=ROLE_COLOURS[group],
                          label=f"{GROUP_LABELS[group]} (n={n})")
        line.column, line.scale, line.x_column = f"share_{group}", 1.0, "bond"
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, Y_RANGES["percent"])
    ax.set_xlabel("bond to the infant (0-1)")
    ax.set_ylabel("% of the role's caregivers")
    ax.set_title("Bonds across households now", fontsize=10)
    ax.grid(alpha=0.3)
    _legend(ax)
    fig.subplots_adjust(left=0.15, right=0.97, top=0.9, bottom=0.16)
    return fig


def bond_distribution_figure(model: DashboardModel) -> Figure:
    """How bonds are spread across households now, by role (:func:`bond_share_figure`)."""
    return bond_share_figure(bond_shares(model))


def _png(canvas) -> bytes:
    """The canvas's pixels as PNG (fast compression: a dashboard figure is mostly flat colour)."""
    from io import BytesIO

    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = BytesIO()
    image.save(out, format="png", compress_level=1)
    return out.getvalue()


#: The overlay's SVG units per pixel: whole numbers of tenths of a pixel are short to write and quick to format.
SVG_UNITS_PER_PIXEL = 10


def svg_path(points: np.ndarray) -> str:
    """SVG path data through ``points`` (n, 2), given in SVG units and rounded to whole ones: a
    non-finite point ends a piece and the next finite one starts a new one (as matplotlib breaks a
    line at NaN); a point equal to the previous one draws nothing and is left out."""
    q = np.round(points)
    ok = np.isfinite(q).all(axis=1)
    starts = ok & ~np.r_[False, ok[:-1]]
    keep = starts | (ok & np.r_[True, (q[1:] != q[:-1]).any(axis=1)])
    xy = q[keep].astype(np.int64)
    bounds = np.r_[np.flatnonzero(starts[keep]), len(xy)]
    return "".join("M" + " ".join(map(str, xy[a:b].ravel().tolist())) for a, b in zip(bounds[:-1], bounds[1:], strict=True))


_SERIALS = itertools.count()


class LiveFigure:
    """A trend figure drawn once per run; at every step only its current-run lines change.

    With honest axes (fixed ranges from zero, the time axis the whole run) everything but the
    current run's lines stays the same during a run: axes, ticks, titles, event markers, the
    previous run and the legends. They are rendered once by matplotlib into
    :meth:`background_png`; the current run's lines are sent as an SVG overlay
    (:meth:`overlay_svg`) of the same size, in the same pixel coordinates (matplotlib's own
    transforms), so a step sends a few kilobytes of path data and encodes no image. :meth:`png`
    draws the whole figure (blitting the lines onto the background) for export. :meth:`update`
    returns False when a value leaves its axis range: then build a new one.
    """

    def __init__(self, make, df: pd.DataFrame, previous: PreviousRun | None, months: float | None,
                 events=(), dpi: float = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure = make(df, previous, months=months, events=events)
        self.figure.set_dpi(dpi)
        self.name = make.__name__
        self.canvas = FigureCanvasAgg(self.figure)
        self.lines = [line for ax in self.figure.axes for line in ax.lines if hasattr(line, "column")]
        for line in self.lines:
            line.set_animated(True)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.width, self.height = self.canvas.get_width_height()
        self.static_values = getattr(self.figure, "static_values", {})
        self.days = 0
        self.serial = next(_SERIALS)  # tells figures apart (an id() may be reused after one is freed)
        self._background_png: bytes | None = None

    @property
    def columns(self) -> list[str]:
        """The columns :meth:`update` reads."""
        return ["age_days", *dict.fromkeys(line.column for line in self.lines)]

    def update(self, df) -> bool:
        """Set the current run's lines from ``df`` (the history table, or a mapping of at least
        :attr:`columns` to arrays); False if a value is off its axis or a value the figure's
        text shows has changed (``static_values``): then the figure must be built again."""
        if any(df[key] != value for key, value in self.static_values.items()):
            return False
        months = _months(df) if "age_days" in df else None
        for line in self.lines:
            y = np.asarray(df[line.column], dtype=float) * line.scale
            if np.isfinite(y).any() and np.nanmax(y) > line.axes.get_ylim()[1]:
                return False
            line.set_data(np.asarray(df[line.x_column], dtype=float) if hasattr(line, "x_column") else months, y)
        self.days = len(months) if months is not None else 0
        return True

    def background_png(self) -> bytes:
        """Everything but the current run's lines, as PNG (made once per figure)."""
        if self._background_png is None:
            self.canvas.restore_region(self.background)
            self._background_png = _png(self.canvas)
        return self._background_png

    def overlay_svg(self) -> str:
        """The current run's lines as an SVG of the figure's size, clipped to their axes, drawn
        with matplotlib's colours and widths: laid over :meth:`background_png` it is the figure."""
        from matplotlib.colors import to_hex

        u = SVG_UNITS_PER_PIXEL
        h, units_per_point = self.height, u * self.figure.dpi / 72.0
        clips, paths = {}, []
        for line in self.lines:
            ax = line.axes
            if id(ax) not in clips:
                x0, y0, x1, y1 = (u * e for e in ax.bbox.extents)
                clips[id(ax)] = (f"{self.name}-{len(clips)}",
                                 f'<rect x="{x0:.0f}" y="{u * h - y1:.0f}" width="{x1 - x0:.0f}" height="{y1 - y0:.0f}"/>')
            xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
            xy[:, 1] = h - xy[:, 1]  # SVG's y runs down
            data = svg_path(u * xy)
            if data:
                paths.append(f'<path clip-path="url(#{clips[id(ax)][0]})" d="{data}" stroke="{to_hex(line.get_color())}" '
                             f'stroke-width="{line.get_linewidth() * units_per_point:.1f}" '
                             f'stroke-opacity="{1.0 if line.get_alpha() is None else line.get_alpha():g}"/>')
        defs = "".join(f'<clipPath id="{cid}">{rect}</clipPath>' for cid, rect in clips.values())
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-lines" data-days="{self.days}" '
                f'viewBox="0 0 {u * self.width} {u * self.height}" width="100%" fill="none" stroke-linejoin="round" '
                f'style="display:block"><defs>{defs}</defs>{"".join(paths)}</svg>')

    def png(self) -> bytes:
        """The whole figure as it is now (background and current lines), as PNG."""
        self.canvas.restore_region(self.background)
        for line in self.lines:
            line.axes.draw_artist(line)
        return _png(self.canvas)
