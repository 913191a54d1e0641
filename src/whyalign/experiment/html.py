"""``report/index.html``: one self-contained page (plots embedded as base64; the PNGs also lie
next to it) built from ``summary.json``'s content.

It answers "what generalised?" first: the findings at a glance (one screen), then one plot of
the harmful rates with the share of replies that did nothing, then the details, collapsed
where they are long. Tables keep to a 1400-pixel page: a rate is two short lines (the rate
and its counts, then the CI in small type), never a wrapped sentence.
"""

from __future__ import annotations

import base64
import shlex
from html import escape
from pathlib import Path
from typing import Any

from .glance import effect_text, glance

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1320px;margin:1.2em auto;padding:0 1em;
color:#222;font-size:15px}
h1{font-size:1.6em;margin:.2em 0}h2{margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.4em 0 1.2em;font-size:.88em}
td,th{border:1px solid #ccc;padding:.2em .5em;vertical-align:top;text-align:right}
td:first-child,th:first-child,.txt td,.txt th{text-align:left}
.reproduced{background:#d9f2d9}.not-reproduced{background:#f8d7d7}.inconclusive{background:#f3f0d0}
.badge{display:inline-block;padding:.1em .5em;border-radius:.3em;font-weight:600;
white-space:nowrap}
.r{white-space:nowrap}small{color:#555}.ci{font-size:.8em;color:#555;white-space:nowrap}
.glance td{font-size:1em}.glance td:nth-child(2){min-width:16em}
.glance td:nth-child(3){min-width:11em}.guard{margin-top:.3em}
.note{margin-top:.3em;font-size:.85em;color:#555}
details{margin:.3em 0 .8em}summary{cursor:pointer}
.wide{overflow-x:auto;max-width:100%}
pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.85em}
img{max-width:100%}code{background:#f1f1f1;padding:0 .2em;word-break:break-all}
"""


def _rate(d: dict[str, Any] | None) -> str:
    """A rate in two short lines: ``45.0% 54/120`` and, smaller, its 95% CI."""
    if not d or not d.get("n"):
        return "n/a"
    return (
        f"<span class=r>{100 * d['rate']:.1f}% <small>{d['k']}/{d['n']}</small></span><br>"
        f"<span class=ci>[{100 * d['low']:.1f}, {100 * d['high']:.1f}]</span>"
    )


def _effect(e: dict[str, float] | None) -> str:
    """An effect in points: the estimate, then its CI in small type."""
    if e is None:
        return "n/a"
    est, ci = effect_text(e).split(" ", 1)
    return f"<span class=r>{est}</span><br><span class=ci>{ci}</span>"


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _table(
    head: list[str], rows: list[list[str]], classes: list[str] | None = None, css: str = ""
) -> str:
    out = [f"<div class=wide><table{f' class={css}' if css else ''}><tr>"]
    out.append("".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>")
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    return "\n".join(out) + "</table></div>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<p><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></p>'


def _badge(verdict: str) -> str:
    return f'<span class="badge {verdict.replace(" ", "-")}">{escape(verdict)}</span>'


def _glance(summary: dict[str, Any]) -> str:
    entries = glance(summary)
    if not entries:
        return "<p>No findings configured (<code>report.findings</code>).</p>"
    rows = []
    for e in entries:
        why = f"<div class=why>{escape(e['why'])}</div>"
        if e["guard"]:
            why += f"<div class=guard><b>guard</b>: {escape(e['guard'])}</div>"
        if e["note"]:
            why += f"<div class=note>note: {escape(e['note'])}</div>"
        rows.append(
            [
                _badge(e["verdict"]),
                f"<b>{escape(e['title'])}</b><br><small>{escape(e['key'])}</small>",
                f"{_effect(e['effect'])}<br><small>{escape(e['comparison'])}</small>",
                why,
            ]
        )
    head = ["verdict", "finding", "effect (points)", "why"]
    intro = (
        "<p>Effects: differences of harmful rates in points, 95% CI, positive in the case "
        "study's direction. Every comparison: <a href='#findings'>Details</a>.</p>"
    )
    return intro + _table(head, rows, css='"glance txt"')


def _findings(summary: dict[str, Any]) -> str:
    parts = []
    for key, f in summary["findings"].items():
        where = f["split"] if f["rule"] == "lower" else f"{f['split']} vs {f['versus']}"
        rows = []
        for c in f["comparisons"]:
            seeds = ", ".join(f"{100 * d:+.1f}" for d in c["seed_effects"])
            rates = "<br>".join(
                f"<span class=r>{escape(k)} {_rate(v).replace('<br>', ' ')}</span>"
                for k, v in c["rates"].items()
            )
            rows.append(
                [
                    escape(f"{c['arm']} vs {c['other']}"),
                    _badge(c["verdict"]),
                    _effect(c["effect"]),
                    f"<span class=r>{seeds}</span>",
                    rates,
                    escape(c.get("caveat") or ""),
                ]
            )
        head = ["comparison", "verdict", "effect", "per seed", "rates", "caveat"]
        n = len(f["comparisons"])
        parts.append(
            f"<details><summary>{_badge(f['verdict'])} <b>{escape(f['title'])}</b> "
            f"<small>({escape(key)}; {escape(where)}; {n} comparison{'s' * (n != 1)})"
            f"</small></summary>{_table(head, rows, css='txt')}</details>"
        )
    parts.append(f"<p><small><i>Rule.</i> {escape(summary['verdict_rule'])}</small></p>")
    return "\n".join(parts)


def _arms(summary: dict[str, Any]) -> str:
    from .html_measures import arm_columns

    splits, arms = summary["splits"], summary["arms"]
    extra_head, extra = arm_columns(summary)
    head = ["arm", "stages"]
    head += [h for s in splits for h in (f"{s} harmful", f"{s} no action")] + extra_head
    rows = [
        [escape(a), escape(" → ".join(v["stages"]) or "none")]
        + [
            cell
            for s in splits
            for cell in (
                _rate(v["rates"][s]["pooled"]),
                _share(v["rates"][s]["pooled"].get("parse_failure_rate")),
            )
        ]
        + extra[a]
        for a, v in arms.items()
    ]
    out = [_table(head, rows)]
    rows = [
        [escape(a), seed]
        + [_rate(v["rates"][s]["per_seed"][seed]) for s in splits]
        + [f"{v['training_tokens'][seed]:,}"]
        for a, v in arms.items()
        for seed in map(str, summary["seeds"])
    ]
    out.append(
        f"<details><summary>Per seed ({len(rows)} rows)</summary>"
        f"{_table(['arm', 'seed', *splits, 'training tokens'], rows)}</details>"
    )
    return "\n".join(out)


def _families(summary: dict[str, Any]) -> str:
    """Families as rows and arms as columns: arms are few, families many."""
    arms = summary["arms"]
    families = sorted({f for v in arms.values() for f in v["families"]})
    if not families:
        return ""
    split_of = {
        f: next(v["families"][f]["split"] for v in arms.values() if f in v["families"])
        for f in families
    }
    families.sort(key=lambda f: (split_of[f], f))
    rows = [
        [escape(f), escape(split_of[f])] + [_rate(v["families"].get(f)) for v in arms.values()]
        for f in families
    ]
    return (
        "<h3 id=families>Per family (pooled over seeds, dilemma splits)</h3>"
        + _table(["family", "split", *arms], rows)
    )  # fmt: skip


def _skill(summary: dict[str, Any]) -> str:
    arms = summary["arms"]
    skilled = sorted({f for v in arms.values() for f in v.get("skill", {})})
    if not skilled:
        return ""
    rows = []
    for a, v in arms.items():
        for f in skilled:
            b = v.get("skill", {}).get(f)
            if b is None:
                continue
            rows.append(
                [escape(a), escape(f), _rate(b["calm_accuracy"]), _rate(b["threat_accuracy"]),
                 _effect(b["accuracy_drop"]), _rate(b["wrong_under_threat"])]
            )  # fmt: skip
    head = ["arm", "family", "calm accuracy", "under threat", "drop", "wrong under threat"]
    return (
        "<h3 id=skill>Skill checks: accuracy under a threat vs the calm day</h3>"
        "<p>In these families a wrong answer is the harmful act, so a model that cannot do "
        "the task looks harmful. The drop is calm-day accuracy minus accuracy under a "
        "threat on the same questions (points, 95% CI); the wrong-answer rate under the "
        "threat is the raw rate.</p>" + _table(head, rows)
    )


def _name_gap(summary: dict[str, Any], pngs: dict[str, Path]) -> str:
    dilemma = [s for s in summary["splits"] if s != "control"]
    head = ["arm"] + [f"{s}: {k}" for s in dilemma for k in ("own", "other", "gap")]
    rows = []
    for a, v in summary["arms"].items():
        row = [escape(a)]
        for s in dilemma:
            g = v["name_gap"][s]
            row += [_rate(g["own"]), _rate(g["other"]), _effect(g["gap_other_minus_own"])]
        rows.append(row)
    return (
        "<h3 id=name-gap>Own name vs other agent name</h3>"
        "<p>The case study found misalignment higher when the AI in the scenario was not given "
        "the assistant's own name. Gap = other-name rate minus own-name rate (points, 95% CI).</p>"
        + _img(pngs["name_gap"], "name gap")
        + _table(head, rows)
    )


def _datasets(summary: dict[str, Any]) -> str:
    rows = []
    for d in summary["datasets"]:
        overlap = ", ".join(f"{f}: {n}" for f, n in d["contamination"]["shared_ngrams"].items())
        rows.append(
            [
                f"<span class=r>{escape(d['step'])}</span>",
                escape(d["recipe"] or d["source"] or ""),
                str(d["seed"] if d["seed"] is not None else ""),
                str(d["records"]),
                "PASS" if d["contamination"]["passed"] else "FAIL",
                escape(overlap or "none"),
                escape(", ".join(d["arms"])),
            ]
        )
    head = ["dataset", "recipe", "seed", "records", "held-out check", "shared 8-grams", "arms"]
    return "<h3 id=datasets>Datasets and contamination</h3>" + _table(head, rows, css="txt")


def _logs(summary: dict[str, Any], run_dir: Path) -> str:
    """``inspect view`` commands with absolute paths, built here from the run directory
    (summary.json keeps them relative, so that it does not depend on where the run lies)."""
    root = Path(run_dir).resolve()

    def command(rel: str) -> str:
        path = (root / rel).resolve()
        return f"<code>inspect view --log-dir {escape(shlex.quote(str(path)))}</code>"

    rows = [
        [escape(a), seed, escape(s), command(p)]
        for a, v in summary["arms"].items()
        for seed, by_split in v["logs"].items()
        for s, p in by_split.items()
    ]
    return (
        f"<h3 id=logs>Inspect logs</h3><p>All of them: {command(summary['logs_root'])}</p>"
        f"<details><summary>Per arm, seed and split ({len(rows)} commands)</summary>"
        f"{_table(['arm', 'seed', 'split', 'command'], rows)}</details>"
    )


def _organism(summary: dict[str, Any]) -> str:
    """What the built-in organism assumes, when the study ran on it."""
    if not str(summary["base_model"]).startswith("organism"):
        return ""
    from importlib import resources

    text = (resources.files("whyalign.organism") / "assumptions.md").read_text()
    paras = []
    for block in text.strip().split("\n\n"):
        if block.startswith("- "):
            items = (" ".join(i.split()) for i in block[2:].split("\n- "))
            paras.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
        else:
            paras.append(f"<p>{escape(' '.join(block.split()))}</p>")
    return "<h3 id=organism>What the model organism assumes</h3>" + "".join(paras)


def render_html(
    summary: dict[str, Any], pngs: dict[str, Path], config_text: str, run_dir: Path
) -> str:
    """The page; ``pngs`` from ``plots.make_plots`` (``tokens`` only when budgets differ)."""
    from .html_measures import audit_section, understanding_section

    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{escape(summary['experiment'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(summary['config']['report']['title'])}</h1>",
        f"<p><small>Experiment <b>{escape(summary['experiment'])}</b>, base model "
        f"<code>{escape(summary['base_model'])}</code>, seeds {summary['seeds']}, arms "
        f"{len(summary['arms'])}.</small></p>",
        "<section id=glance><h2>At a glance: what generalised?</h2>",
        _glance(summary),
        _organism(summary),
        "</section><section id=rates><h2>Harmful rate and replies with no action, per arm</h2>",
        "<p>Solid: harmful-action rate (Wilson 95% CI; pooled rates sum the counts of all "
        "seeds, dots are seeds). Hatched, on top: replies with no well-formed action, which "
        "count as not harmful; an arm whose low rate comes with a tall hatched segment may act "
        "less rather than better.</p>",
        _img(pngs["rates"], "harmful rate and no-action share per arm"),
        "</section><section id=details><h2>Details</h2>",
        "<h3 id=arms>Per arm</h3>",
        _arms(summary),
        "<h3 id=findings>Findings: every comparison</h3>",
        _findings(summary) if summary["findings"] else "<p>No findings configured.</p>",
        audit_section(summary),
        understanding_section(summary),
        _families(summary),
        _skill(summary),
        _name_gap(summary, pngs),
    ]
    if "tokens" in pngs:
        parts += [
            "<h3 id=tokens>Training tokens vs held-out rate</h3>",
            _img(pngs["tokens"], "tokens"),
        ]
    parts += [
        _datasets(summary),
        _logs(summary, run_dir),
        "<h3 id=config>Configuration</h3><details><summary>The experiment file</summary>"
        f"<pre>{escape(config_text)}</pre></details>",
        "</section></body></html>",
    ]
    return "\n".join(parts)
