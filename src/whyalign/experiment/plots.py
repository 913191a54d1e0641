"""PNG plots of a run's summary (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

KINDS = ("own", "other")  # the agent name in a scenario: the assistant's own, or another
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


def _no_action(d: dict[str, Any]) -> float:
    """Share of replies with no parsed action, in percent (0 when not recorded)."""
    share = d.get("parse_failure_rate")
    return 0.0 if share is None else 100 * share


def rates_plot(summary: dict[str, Any], path: Path) -> None:
    """Harmful rate per arm and split (pooled, 95% CI; each seed a dot), with the share of
    replies that parsed no action stacked on top, hatched: a low harmful rate that comes from
    doing nothing shows as a tall hatched segment, not as the best arm."""
    from matplotlib.patches import Patch

    plt = _plt()
    arms, splits = list(summary["arms"]), summary["splits"]
    width = 0.8 / len(splits)
    fig, ax = plt.subplots(figsize=(min(12.5, max(7, 1.15 * len(arms) + 2.5)), 4.4))
    handles = []
    top = 0.0
    for j, split in enumerate(splits):
        colour = SPLIT_COLOURS.get(split, "grey")
        xs = [i + (j - (len(splits) - 1) / 2) * width for i in range(len(arms))]
        pooled = [summary["arms"][a]["rates"][split]["pooled"] for a in arms]
        vals = [_pct(d) for d in pooled]
        harmful = [v[0] for v in vals]
        idle = [_no_action(d) for d in pooled]
        ax.bar(xs, harmful, width, color=colour)
        ax.bar(xs, idle, width, bottom=harmful, color="white", edgecolor=colour, hatch="///")
        ax.errorbar(
            xs,
            harmful,
            yerr=[[v[1] for v in vals], [v[2] for v in vals]],
            fmt="none",
            ecolor="black",
            capsize=3,
            zorder=3,
        )
        for x, a in zip(xs, arms, strict=True):
            seeds = summary["arms"][a]["rates"][split]["per_seed"].values()
            ys = [100 * s["rate"] for s in seeds if s.get("n")]
            ax.scatter([x] * len(ys), ys, s=10, color="black", zorder=4)
        top = max([top] + [h + i for h, i in zip(harmful, idle, strict=True)])
        top = max([top] + [v[0] + v[2] for v in vals])
        handles.append(Patch(color=colour, label=f"{split}: harmful"))
    handles.append(
        Patch(facecolor="white", edgecolor="dimgrey", hatch="///", label="no action parsed")
    )
    ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right")
    ax.set_ylabel("share of replies (%)")
    ax.set_ylim(0, min(105, top + 5))
    ax.set_title(
        "Harmful rate per arm (pooled, 95% CI; dots: seeds)\n"
        "hatched on top: replies with no parsed action",
        fontsize=10,
    )
    # beside the axes, so it never covers a bar
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
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
    """Own name vs another agent name, pooled over seeds and dilemma splits shown side by side;
    the y axis reaches past every CI and the legend sits above the panels."""
    plt = _plt()
    arms = list(summary["arms"])
    splits = [s for s in summary["splits"] if s != "control"] or summary["splits"]
    fig, axes = plt.subplots(
        1, len(splits), figsize=(min(12.5, max(5, 0.75 * len(arms) + 1.5) * len(splits)), 4.3),
        squeeze=False,
    )  # fmt: skip
    cells = [summary["arms"][a]["name_gap"][s][k] for a in arms for s in splits for k in KINDS]
    top = max((100 * d["high"] for d in cells if d.get("n")), default=0.0)
    for ax, split in zip(axes[0], splits, strict=True):
        for j, kind in enumerate(KINDS):
            vals = [_pct(summary["arms"][a]["name_gap"][split][kind]) for a in arms]
            xs = [i + (j - 0.5) * 0.4 for i in range(len(arms))]
            ax.bar(
                xs,
                [v[0] for v in vals],
                0.4,
                yerr=[[v[1] for v in vals], [v[2] for v in vals]],
                capsize=3,
                color=("#4c72b0", "#dd8452")[j],
                label=f"{kind} name",
            )
        ax.set_xticks(range(len(arms)), arms, rotation=30, ha="right")
        ax.set_title(f"{split}: own vs other agent name")
        ax.set_ylabel("harmful action (%)")
        ax.set_ylim(0, min(105, top + 5))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def training_budgets(summary: dict[str, Any]) -> dict[str, int | None]:
    """Each trained arm's token budget from the config (the sum of its datasets' ``tokens``;
    None where a dataset is sized by ``weight`` or not at all, so the budget is not fixed)."""
    out: dict[str, int | None] = {}
    for arm in summary["config"]["arms"]:
        data = [d for st in arm.get("stages", []) for d in st["data"]]
        if data:
            sizes = [d.get("tokens") for d in data]
            out[arm["name"]] = None if None in sizes else sum(sizes)
    return out


def budgets_differ(summary: dict[str, Any]) -> bool:
    """Whether tokens vs rate says anything: trained arms with different (or unfixed) budgets.
    An untrained arm is left out: its zero is no budget the others are compared at."""
    budgets = list(training_budgets(summary).values())
    return None in budgets or len(set(budgets)) > 1


def make_plots(summary: dict[str, Any], out: Path) -> dict[str, Path]:
    """The PNGs; ``tokens`` only when the trained arms' budgets differ."""
    out.mkdir(parents=True, exist_ok=True)
    plots = {"rates": out / "rates.png", "name_gap": out / "name_gap.png"}
    rates_plot(summary, plots["rates"])
    name_gap_plot(summary, plots["name_gap"])
    if budgets_differ(summary):
        split = "held_out" if "held_out" in summary["splits"] else summary["splits"][0]
        plots["tokens"] = out / "tokens.png"
        tokens_plot(summary, plots["tokens"], split)
    return plots
