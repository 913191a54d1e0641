"""The HTML report from a summary: the glance first, then the one rates plot, then the
details; tokens vs rate only when budgets differ; absolute ``inspect view`` paths built from
the run directory while the summary keeps relative ones; plots that keep CIs in view."""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from whyalign.experiment import plots
from whyalign.experiment.html import render_html
from whyalign.experiment.plots import budgets_differ, make_plots

from .synthetic import summary

CELLS = {
    "a/in_dist": [(30, 40, 2), (28, 40, 1)],
    "a/held_out": [(20, 40, 3), (22, 40, 2)],
    "b/in_dist": [(4, 40, 12), (6, 40, 10)],
    "b/held_out": [(18, 40, 4), (21, 40, 3)],
    "c/in_dist": [(10, 40, 0), (12, 40, 1)],
    "c/held_out": [(12, 40, 0), (15, 40, 1)],
}
FINDINGS = {
    "b_lower": {"title": "b lowers held-out harm", "rule": "lower", "arm": "b", "than": "a"},
    "b_hides": {
        "title": "b hides harm",
        "rule": "drop_gap",
        "arm": "b",
        "baseline": "a",
        "split": "in_dist",
    },
}


def _render(tmp_path, budgets, run_dir=None):
    s = summary(CELLS, FINDINGS, budgets=budgets)
    pngs = make_plots(s, tmp_path / "report")
    return s, pngs, render_html(s, pngs, "name: synthetic\n", run_dir or tmp_path / "run")


def test_the_glance_comes_first_then_the_plot_then_the_details(tmp_path):
    _, _, html = _render(tmp_path, {"b": 3000, "c": 3000})
    order = [html.index(f"<section id={s}>") for s in ("glance", "rates", "details")]
    assert order == sorted(order)
    first_table = html[html.index("<table") :].split(">", 1)[0]
    assert "glance" in first_table and first_table.startswith("<table")
    assert html.index("<table") > order[0] and html.index("<img") > order[1]
    glance_part = html[order[0] : order[1]]
    assert "b lowers held-out harm" in glance_part and "b hides harm" in glance_part
    assert glance_part.count("<tr") == 1 + len(FINDINGS)
    # every comparison lies in the details, collapsed
    details = html[order[2] :]
    assert details.count('<details><summary><span class="badge') == len(FINDINGS)
    assert html.index("id=findings") > order[2]


def test_families_are_rows_and_arms_are_columns(tmp_path):
    _, _, html = _render(tmp_path, {"b": 3000, "c": 3000})
    table = html[html.index("id=families") :]
    table = table[: table.index("</table>")]
    head = re.findall(r"<th>([^<]*)</th>", table.split("</tr>", 1)[0])
    assert head == ["family", "split", "a", "b", "c"]
    rows = table.split("<tr")[2:]
    assert len(rows) == 1 and rows[0].startswith("><td>blackmail</td>")
    # a rate is its value and counts on one line, the CI on a second, small one
    assert "52.5% <small>42/80</small></span><br><span class=ci>[" in table  # a, both seeds


@pytest.mark.parametrize(
    "budgets, shown",
    [
        ({"b": 3000, "c": 3000}, False),  # equal budgets; the untrained arm is no budget
        ({"b": 3000, "c": 6000}, True),
        ({"b": 3000, "c": None}, True),  # sized by weight: tokens are what tells them apart
    ],
)
def test_tokens_vs_rate_only_when_budgets_differ(tmp_path, budgets, shown):
    s, pngs, html = _render(tmp_path, budgets)
    assert budgets_differ(s) is shown
    assert ("tokens" in pngs) is shown and ("id=tokens" in html) is shown
    assert (tmp_path / "report" / "tokens.png").exists() is shown


def test_inspect_commands_are_absolute_and_the_summary_stays_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = summary(CELLS, FINDINGS, budgets={"b": 3000})
    before = json.dumps(s, sort_keys=True)
    pngs = make_plots(s, tmp_path / "report")
    html = render_html(s, pngs, "", Path("runs/x"))
    root = (tmp_path / "runs" / "x").resolve()
    assert f"inspect view --log-dir {root / 'steps'}</code>" in html
    assert f"inspect view --log-dir {root / 'steps/eval-b-1-held_out/logs'}</code>" in html
    assert "--log-dir runs/x" not in html
    assert json.dumps(s, sort_keys=True) == before and str(tmp_path) not in before


def _figure(monkeypatch, draw, s, tmp_path):
    """The figure ``draw`` makes, caught before it is closed."""
    caught = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig: caught.append(fig))
    draw(s, tmp_path / "plot.png")
    monkeypatch.setattr(plt, "close", real_close)
    [fig] = caught
    return fig


def test_the_rates_plot_shows_replies_with_no_action(tmp_path, monkeypatch):
    s = summary(CELLS, FINDINGS)
    fig = _figure(monkeypatch, plots.rates_plot, s, tmp_path)
    [ax] = fig.axes
    hatched = [p for p in ax.patches if p.get_hatch()]
    b_in_dist = s["arms"]["b"]["rates"]["in_dist"]["pooled"]
    heights = sorted(round(p.get_height(), 6) for p in hatched)
    assert round(100 * b_in_dist["parse_failure_rate"], 6) in heights
    assert len(hatched) == len(CELLS)
    top = 0.0
    for arm in s["arms"].values():
        for rate in arm["rates"].values():
            p = rate["pooled"]
            top = max(top, 100 * p["high"], 100 * (p["rate"] + p["parse_failure_rate"]))
    assert ax.get_ylim()[1] >= top
    plt.close(fig)


def test_the_name_gap_plot_keeps_cis_in_view_and_its_legend_off_the_bars(tmp_path, monkeypatch):
    s = summary(CELLS, FINDINGS)
    fig = _figure(monkeypatch, plots.name_gap_plot, s, tmp_path)
    highs = [
        100 * arm["name_gap"][sp][k]["high"]
        for arm in s["arms"].values()
        for sp in s["splits"]
        for k in ("own", "other")
    ]
    for ax in fig.axes:
        assert ax.get_ylim()[1] >= max(highs) and ax.get_legend() is None
    assert len(fig.legends) == 1
    plt.close(fig)
