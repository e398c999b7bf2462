"""``sensitivity.md`` and one bar chart per output, from the tables alone (no clock, no machine).

The Markdown ranks parameters by ST (Sobol') or mu* (Morris) for each output, with the
bootstrap interval and a note where an index cannot be told from noise (its interval includes
0, or its lower bound is within the noise floor or not above the dummy factor).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from bonding.calibration.sensitivity.design import DUMMY
from bonding.calibration.sensitivity.evaluate import OUTPUT_LABELS

CLEAR, UNCLEAR, DUMMY_COLOUR = "tab:blue", "lightsteelblue", "0.6"


def _g(x: float) -> str:
    return f"{x:.3g}" if np.isfinite(x) else "n/a"


def _ci(x: float, half: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if not np.isfinite(half):
        return _g(x)
    return f"{_g(x)} [{_g(x - half)}, {_g(x + half)}]"


def command_line(config: dict, outputs: list[str] | None = None) -> str:
    """The ``bonding sensitivity`` command that reproduces the folder's runs."""
    names = [n for n in config["problem"]["names"] if n != DUMMY]
    parts = ["bonding sensitivity", f"--method {config['method']}", f"--params {','.join(names)}",
             f"--scenario {config['scenario']['name']}", f"--n {config['n']}",
             f"--households-per-point {config['households_per_point']}", f"--months {config['months']:g}",
             f"--seed {config['seed']}"]
    if config["method"] == "morris":
        parts.append(f"--levels {config['levels']}")
    if config.get("second_order"):
        parts.append("--second-order")
    if DUMMY not in config["problem"]["names"]:
        parts.append("--no-dummy")
    parts += [f"--chunk-points {config['chunk_points']}", f"--noise-replicates {config['noise_replicates']}"]
    if outputs:
        parts.append(f"--outputs {','.join(outputs)}")
    return " ".join(parts)


def markdown(config: dict, indices: pd.DataFrame, noise: pd.DataFrame, skipped: dict[str, str],
             analysis: dict, missing: int = 0) -> str:
    """The human-readable report."""
    sobol = config["method"] == "sobol"
    k = len([n for n in config["problem"]["names"] if n != DUMMY])
    conf = int(round(100 * analysis["conf_level"]))
    size = (f"{config['n']} base samples" if sobol
            else f"{config['n']} trajectories on {config['levels']} levels")
    lines = [
        f"# Global sensitivity analysis: {'Sobol' if sobol else 'Morris'} on {k} parameters, scenario {config['scenario']['name']}",
        "", f"`{command_line(config, analysis['outputs'])} --out DIR`", "",
        f"{config['points']} design points ({size}) x {config['households_per_point']} households, "
        f"{config['months']:g} month(s) after birth; indices by SALib with {analysis['resamples']} "
        f"bootstrap resamples ({conf}% intervals). Every number is in `indices.csv`.",
        "",
    ]
    if sobol:
        lines += ["*ST*: total-order index, the share of the output's variance that would go if the "
                  "parameter were fixed (its own effect and all its interactions). *S1*: first-order "
                  "index, its effect alone. ST - S1 measures interactions. Indices are shares of "
                  "variance, 0 to 1; estimates can fall below 0 by chance."]
    else:
        lines += ["*mu\\**: mean absolute elementary effect, in output units per step of "
                  f"{config['levels'] / (2 * (config['levels'] - 1)):.3g} of the parameter's range divided by "
                  "that step (about the output change across the whole range when the effect is linear). "
                  "*mu*: the signed mean (mu much smaller than mu\\* means effects of both signs). "
                  "*sigma*: the spread of the effects (non-linearity or interactions). Morris screens; "
                  "it does not apportion variance."]
    lines += ["", "*Note*: why an index cannot be told from noise: its interval includes 0, its lower "
              "bound is within the noise floor (what chance alone adds, measured by rerunning the "
              "reference point), or it is not above the dummy factor, which the model never reads.", ""]
    if missing:
        lines += [f"**Incomplete**: {missing} chunk(s) are not finished; no indices yet.", ""]
    lines += [f"## Noise (the reference point run {config['noise_replicates']} times)", "",
              "| output | reference mean | noise SD | SD over the design | noise share of variance | floor |",
              "|---|---:|---:|---:|---:|---:|"]
    for _, r in noise.iterrows():
        lines.append(f"| `{r['output']}` | {_g(r['noise_mean'])} | {_g(r['noise_sd'])} | {_g(r['output_sd'])} | "
                     f"{_g(r['noise_share'])} | {_g(r['floor'])} |")
    lines += ["", "Floor: " + ("the noise share (noise inflates every ST by about this much)." if sobol else
                               "the mu\\* that pure noise gives, 2 x noise SD / (sqrt(pi) x step).")]
    for output in analysis["outputs"]:
        label = OUTPUT_LABELS.get(output, output)
        lines += ["", f"## {label} `{output}`", ""]
        if output in skipped:
            lines.append(f"Not analysed: {skipped[output]}.")
            continue
        t = indices[indices["output"] == output]
        if sobol:
            lines += ["| rank | parameter | ST [CI] | S1 [CI] | note |", "|---:|---|---:|---:|---|"]
            for _, r in t.iterrows():
                lines.append(f"| {r['rank']} | {r['parameter']} | {_ci(r['ST'], r['ST_conf'])} | "
                             f"{_ci(r['S1'], r['S1_conf'])} | {r['note']} |")
        else:
            lines += ["| rank | parameter | mu\\* [CI] | mu | sigma | note |", "|---:|---|---:|---:|---:|---|"]
            for _, r in t.iterrows():
                lines.append(f"| {r['rank']} | {r['parameter']} | {_ci(r['mu_star'], r['mu_star_conf'])} | "
                             f"{_g(r['mu'])} | {_g(r['sigma'])} | {r['note']} |")
        top = t[t["distinguishable"]]["parameter"].tolist()
        lines += ["", ("Distinguishable from noise: " + ", ".join(top) + ".") if top
                  else "No parameter is distinguishable from noise for this output."]
    return "\n".join(lines) + "\n"


def plot_output(table: pd.DataFrame, method: str, floor: float, title: str, path: Path) -> Path:
    """Horizontal bars (ST and S1, or mu*) with their intervals; the noise floor as a line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from bonding.experiments.provenance import atomic_savefig
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    t = table.iloc[::-1]
    y = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.32 * len(t)))
    colours = [DUMMY_COLOUR if p == DUMMY else (CLEAR if d else UNCLEAR)
               for p, d in zip(t["parameter"], t["distinguishable"], strict=True)]
    handles = [Patch(color=CLEAR, label="distinguishable"), Patch(color=UNCLEAR, label="not distinguishable from noise"),
               Patch(color=DUMMY_COLOUR, label="dummy (no effect)")]
    if method == "sobol":
        ax.barh(y + 0.2, t["ST"], height=0.38, xerr=t["ST_conf"], color=colours, capsize=2)
        ax.barh(y - 0.2, t["S1"], height=0.38, xerr=t["S1_conf"], color="tab:orange", capsize=2)
        handles = [Patch(color=CLEAR, label="ST, distinguishable"), Patch(color=UNCLEAR, label="ST, not distinguishable"),
                   Patch(color="tab:orange", label="S1"), Patch(color=DUMMY_COLOUR, label="dummy (no effect)")]
        ax.set_xlabel("Sobol' index (share of variance), bootstrap interval")
    else:
        ax.barh(y, t["mu_star"], height=0.6, xerr=t["mu_star_conf"], color=colours, capsize=2)
        ax.set_xlabel("mu* (output units; about the change over the full range)")
    if np.isfinite(floor):
        ax.axvline(floor, color="tab:red", linestyle="--", linewidth=1)
        handles.append(Line2D([], [], color="tab:red", linestyle="--", label="noise floor (reference point)"))
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_yticks(y, t["parameter"], fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    fig.tight_layout()
    try:
        atomic_savefig(fig, path, dpi=110)
    finally:
        plt.close(fig)
    return path
