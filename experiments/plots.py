"""Figures, drawn only from result tables (never from a live model)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from bonding.experiments.provenance import atomic_savefig  # noqa: E402
from bonding.model.state import DAYS_PER_MONTH  # noqa: E402

ROLE_COLOURS = {"mother": "tab:red", "father": "tab:blue", "grandparent": "tab:green",
                "sibling": "tab:orange", "daycare": "tab:purple", "infant": "black"}
PANELS = (("ot_plasma", "plasma oxytocin (pg/ml)"), ("cortisol", "cortisol (nmol/l, daily mean)"),
          ("bond", "bond to infant (0-1)"), ("sensitivity", "latent sensitivity (0-1)"),
          ("prolactin", "prolactin (ng/ml, daily mean)"), ("testosterone", "testosterone (nmol/l)"),
          ("estradiol", "estradiol (pg/ml)"), ("infant_cortisol", "infant cortisol (nmol/l)"))


def plot_trajectories(ts: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Hormone trajectories and bond over time by role (day 0 = birth)."""
    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    for ax, (var, label) in zip(axes.ravel(), PANELS, strict=True):
        sub = ts[ts["variable"] == var]
        for role, g in sub.groupby("role"):
            if var in ("testosterone",) and role != "father":
                continue
            if var in ("prolactin", "estradiol") and role not in ("mother", "father"):
                continue
            ax.plot(g["day"] / DAYS_PER_MONTH, g["value"], color=ROLE_COLOURS.get(role, "grey"), label=role, lw=1.2)
        ax.axvline(0, color="grey", ls=":", lw=0.8)
        ax.set_title(label, fontsize=10)
        if var == "estradiol":
            ax.set_yscale("log")
    for ax in axes[1]:
        ax.set_xlabel("months from birth")
    handles, labels = [], []
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)
    return Path(path)
