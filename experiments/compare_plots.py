"""Figures of a scenario comparison, drawn only from its tables (runs, daily time series)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bonding.experiments.provenance import atomic_savefig  # noqa: E402
from bonding.model.state import DAYS_PER_MONTH, ROLES  # noqa: E402

OUTCOME_PANELS = (
    ("bond.mother", "mother bond"), ("bond.father", "father bond"),
    ("sensitivity.mother", "mother sensitivity"), ("sensitivity.father", "father sensitivity"),
    ("synchrony.mother", "mother-infant synchrony"), ("care_hours_per_day.father", "father care h/day"),
    ("ot_plasma_mean.mother", "mother plasma OT (pg/ml)"), ("ot_plasma_mean.father", "father plasma OT (pg/ml)"),
    ("cortisol_mean.mother", "mother cortisol (nmol/l)"), ("testosterone_change.father", "father T change (fraction)"),
    ("depressed.mother", "mothers ever depressed (share)"), ("infant_cortisol.infant", "infant cortisol (nmol/l)"),
    ("attachment_B.mother", "secure (B) with mother (share)"), ("attachment_D.mother", "disorganised (D) with mother (share)"),
    ("attachment_B.father", "secure (B) with father (share)"), ("attachment_D.father", "disorganised (D) with father (share)"),
)
TRAJECTORY_PANELS = (
    ("bond", "mother"), ("bond", "father"), ("bond", "grandparent"), ("sensitivity", "mother"),
    ("ot_plasma", "mother"), ("ot_plasma", "father"), ("ot_central_tone", "mother"), ("ot_central_tone", "father"),
    ("cortisol", "mother"), ("cortisol", "father"), ("testosterone", "father"), ("prolactin", "mother"),
    ("infant_ot", "infant"), ("infant_cortisol", "infant"), ("care_hours", "father"), ("depressed", "mother"),
)
SMOOTH_DAYS = {"care_hours": 7, "ot_plasma": 3, "cortisol": 3, "infant_cortisol": 7, "infant_ot": 7}
ATTACHMENT_COLOURS = {"A": "tab:blue", "B": "tab:green", "C": "tab:orange", "D": "tab:red"}


def _colours(names):
    cmap = plt.get_cmap("tab20")
    return {n: ("black" if i == 0 else cmap((i - 1) % 20)) for i, n in enumerate(names)}


def plot_outcomes(runs: pd.DataFrame, names: list[str], path: Path) -> Path:
    """Distribution over replicates of key outcomes, one box per scenario (first = reference)."""
    panels = [(c, t) for c, t in OUTCOME_PANELS if c in runs.columns and runs[c].notna().any()]
    ncol = 4
    nrow = max(1, int(np.ceil(len(panels) / ncol)))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.4 * nrow), squeeze=False)
    colours = _colours(names)
    for ax, (col, title) in zip(axes.ravel(), panels, strict=False):
        data = [runs.loc[runs["scenario"] == n, col].dropna().to_numpy() for n in names]
        pos = np.arange(len(names))
        ax.boxplot([d if len(d) else [np.nan] for d in data], positions=pos, widths=0.6, showfliers=False)
        for i, d in enumerate(data):
            jitter = (np.arange(len(d)) - len(d) / 2) * (0.3 / max(len(d), 1))
            ax.scatter(i + jitter, d, s=8, color=colours[names[i]], alpha=0.7, zorder=3)
        ref = runs.loc[runs["scenario"] == names[0], col].mean()
        ax.axhline(ref, color="grey", ls=":", lw=0.8)
        ax.set_xticks(pos, names, rotation=60, ha="right", fontsize=7)
        ax.set_title(title, fontsize=9)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    fig.suptitle("Outcomes by scenario (one point per replicate; dotted: reference mean)")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_trajectories(ts: pd.DataFrame, names: list[str], path: Path) -> Path:
    """Daily hormone and bond trajectories by scenario and role (mean over replicates)."""
    fig, axes = plt.subplots(4, 4, figsize=(18, 13), sharex=True)
    colours = _colours(names)
    for ax, (var, role) in zip(axes.ravel(), TRAJECTORY_PANELS, strict=True):
        sub = ts[(ts["variable"] == var) & (ts["role"] == role)]
        for name in names:
            g = sub[sub["scenario"] == name].sort_values("day")
            if g.empty:
                continue
            y = g["mean"].rolling(SMOOTH_DAYS.get(var, 1), min_periods=1, center=True).mean()
            ax.plot(g["day"] / DAYS_PER_MONTH, y, color=colours[name], lw=1.6 if name == names[0] else 1.0,
                    label=name)
        ax.axvline(0, color="grey", ls=":", lw=0.8)
        ax.set_title(f"{var} ({role})", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("months from birth")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 7), frameon=False, fontsize=8)
    fig.suptitle("Daily means over replicates by scenario (reference in black)")
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    atomic_savefig(fig, path, dpi=90)
    plt.close(fig)
    return Path(path)


def plot_attachment(runs: pd.DataFrame, names: list[str], path: Path) -> Path:
    """A/B/C/D shares (the lab's Strange Situation) by scenario, one panel per caregiver role.

    Drawn from the ``attachment_{A,B,C,D}.{role}`` columns of the runs table (mean share over
    replicates); roles without classified dyads in any scenario are left out.
    """
    roles = [r for r in ROLES if any(f"attachment_{c}.{r}" in runs.columns
                                     and runs[f"attachment_{c}.{r}"].notna().any() for c in ATTACHMENT_COLOURS)]
    roles = roles or ["mother"]
    ncol = min(len(roles), 2)
    nrow = int(np.ceil(len(roles) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(max(5.0, 0.45 * len(names) + 2.5) * ncol + 1.0, 4.8 * nrow),
                             sharey=True, squeeze=False)
    for ax in axes.ravel()[len(roles):]:
        ax.axis("off")
    for ax, role in zip(axes.ravel(), roles, strict=False):
        bottom = np.zeros(len(names))
        for cls, colour in ATTACHMENT_COLOURS.items():
            col = f"attachment_{cls}.{role}"
            if col not in runs.columns:
                continue
            v = np.array([runs.loc[runs["scenario"] == n, col].mean() for n in names])
            v = np.nan_to_num(v)
            ax.bar(names, v, bottom=bottom, color=colour, label=cls)
            for i, (b0, h) in enumerate(zip(bottom, v, strict=True)):
                if h >= 0.06:
                    ax.text(i, b0 + h / 2, f"{h:.0%}", ha="center", va="center", fontsize=7, color="white")
            bottom += v
        ax.set_title(f"infant-{role}", fontsize=10)
        ax.tick_params(axis="x", rotation=60, labelsize=7)
        for lab in ax.get_xticklabels():
            lab.set_ha("right")
    for ax in axes[:, 0]:
        ax.set_ylabel("share of dyads (mean over replicates)")
    axes[0, -1].legend(title="SSP class", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Attachment classification (virtual-lab Strange Situation) by scenario and caregiver")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=100)
    plt.close(fig)
    return Path(path)
