"""PNG plots of a run's summary (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SPLIT_COLOURS = {"in_dist": "#4c72b0", "held_out": "#dd8452", "control": "#55a868"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _pct(d: dict[str, Any] | None) -> tuple[float, float, float]:
    """(rate, lower error, upper error) in percent; zeros for an empty rate."""
    if not d or not d.get("n"):
        return 0.0, 0.0, 0.0
    r = 100 * d["rate"]
    return r, r - 100 * d["low"], 100 * d["high"] - r


def rates_plot(summary: dict[str, Any], path: Path) -> None:
    """Harmful rate per arm and split: pooled with 95% CIs, each seed a dot."""
    plt = _plt()
    arms, splits = list(summary["arms"]), summary["splits"]
    width = 0.8 / len(splits)
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(arms) + 2), 4.2))
    for j, split in enumerate(splits):
        xs = [i + (j - (len(splits) - 1) / 2) * width for i in range(len(arms))]
        vals = [_pct(summary["arms"][a]["rates"][split]["pooled"]) for a in arms]
        ax.bar(
            xs,
            [v[0] for v in vals],
            width,
            yerr=[[v[1] for v in vals], [v[2] for v in vals]],
            capsize=3,
            color=SPLIT_COLOURS.get(split, "grey"),
            label=split,
        )
        for x, a in zip(xs, arms, strict=True):
            seeds = summary["arms"][a]["rates"][split]["per_seed"].values()
            ys = [100 * s["rate"] for s in seeds if s.get("n")]
            ax.scatter([x] * len(ys), ys, s=10, color="black", zorder=3)
    ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right")
    ax.set_ylabel("harmful action (%)")
    ax.set_title("Harmful rate per arm (pooled over seeds, 95% CI; dots: seeds)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def tokens_plot(summary: dict[str, Any], path: Path, split: str) -> None:
    """Training tokens against the harmful rate on ``split``, one point per arm and seed."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, (name, arm) in enumerate(summary["arms"].items()):
        xs, ys = [], []
        for seed, tokens in arm["training_tokens"].items():
            rate = arm["rates"][split]["per_seed"][seed]
            if rate.get("n"):
                xs.append(tokens)
                ys.append(100 * rate["rate"])
        ax.scatter(xs, ys, label=name, marker="os^Dv<>pXP*h"[i % 12])
    ax.set_xlabel("training tokens (all stages)")
    ax.set_ylabel(f"harmful action, {split} (%)")
    ax.set_title(f"Training tokens vs {split} harmful rate (per seed)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def name_gap_plot(summary: dict[str, Any], path: Path) -> None:
    """Own name vs another agent name, pooled over seeds and dilemma splits shown side by side."""
    plt = _plt()
    arms = list(summary["arms"])
    splits = [s for s in summary["splits"] if s != "control"] or summary["splits"]
    fig, axes = plt.subplots(1, len(splits), figsize=(5 * len(splits), 4), squeeze=False)
    for ax, split in zip(axes[0], splits, strict=True):
        for j, kind in enumerate(("own", "other")):
            vals = [_pct(summary["arms"][a]["name_gap"][split][kind]) for a in arms]
            xs = [i + (j - 0.5) * 0.4 for i in range(len(arms))]
            ax.bar(
                xs,
                [v[0] for v in vals],
                0.4,
                yerr=[[v[1] for v in vals], [v[2] for v in vals]],
                capsize=3,
                label=f"{kind} name",
            )
        ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right")
        ax.set_title(f"{split}: own vs other agent name")
        ax.set_ylabel("harmful action (%)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make_plots(summary: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    plots = {"rates": out / "rates.png", "name_gap": out / "name_gap.png"}
    rates_plot(summary, plots["rates"])
    name_gap_plot(summary, plots["name_gap"])
    split = "held_out" if "held_out" in summary["splits"] else summary["splits"][0]
    plots["tokens"] = out / "tokens.png"
    tokens_plot(summary, plots["tokens"], split)
    return plots
