"""``report/index.html``: one self-contained page (plots embedded as base64; the PNGs also lie
next to it) built from ``summary.json``'s content."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}
.reproduced{background:#d9f2d9}.not-reproduced{background:#f8d7d7}.inconclusive{background:#f3f0d0}
pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.85em}
img{max-width:100%}code{background:#f1f1f1;padding:0 .2em}
"""


def _rate(d: dict[str, Any] | None) -> str:
    if not d or not d.get("n"):
        return "n/a"
    return (
        f"{100 * d['rate']:.1f}% [{100 * d['low']:.1f}, {100 * d['high']:.1f}] ({d['k']}/{d['n']})"
    )


def _share(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _effect(e: dict[str, float] | None) -> str:
    if e is None:
        return "n/a"
    return f"{100 * e['estimate']:+.1f} [{100 * e['low']:+.1f}, {100 * e['high']:+.1f}]"


def _table(head: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"]
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    return "\n".join(out) + "</table>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<p><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></p>'


def _findings(summary: dict[str, Any]) -> str:
    if not summary["findings"]:
        return "<p>No findings configured (<code>report.findings</code>).</p>"
    rows, classes = [], []
    for key, f in summary["findings"].items():
        detail = "<br>".join(
            escape(f"{c['arm']} vs {c['other']}: {c['verdict']}, effect (points) ")
            + _effect(c["effect"])
            + escape(f"; per seed {', '.join(f'{100 * d:+.1f}' for d in c['seed_effects'])}")
            + "<br><small>"
            + "; ".join(f"{escape(k)} {_rate(v)}" for k, v in c["rates"].items())
            + (f"<br><b>caveat</b>: {escape(c['caveat'])}" if c.get("caveat") else "")
            + "</small>"
            for c in f["comparisons"]
        )
        where = f["split"] if f["rule"] == "lower" else f"{f['split']} vs {f['versus']}"
        rows.append(
            [escape(key), escape(f["title"]), escape(where), f"<b>{f['verdict']}</b>", detail]
        )
        classes.append(f["verdict"].replace(" ", "-"))
    table = _table(["finding", "claim", "split", "verdict", "comparisons"], rows, classes)
    return table + f"<p><i>Rule.</i> {escape(summary['verdict_rule'])}</p>"


def render_html(
    summary: dict[str, Any], pngs: dict[str, Path], config_text: str, run_dir: Path
) -> str:
    splits = summary["splits"]
    arms = summary["arms"]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{escape(summary['experiment'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(summary['config']['report']['title'])}</h1>",
        f"<p>Experiment <b>{escape(summary['experiment'])}</b>, base model "
        f"<code>{escape(summary['base_model'])}</code>, seeds {summary['seeds']}. Rates are "
        "harmful-action rates with Wilson 95% CIs; pooled rows sum the counts of all seeds. "
        "A reply with no well-formed action counts as not harmful (and as a parse failure): "
        "read a low rate next to its parse-failure share.</p>",
        "<h2>Findings of the case study</h2>",
        _findings(summary),
        "<h2>Harmful rate per arm</h2>",
        _img(pngs["rates"], "rates"),
    ]
    head = ["arm", "stages"]
    head += [h for s in splits for h in (f"{s} harmful (pooled)", f"{s} no action parsed")]
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
        for a, v in arms.items()
    ]
    parts.append(_table(head, rows))
    parts.append("<h3>Per seed</h3>")
    rows = []
    for a, v in arms.items():
        for seed in map(str, summary["seeds"]):
            rows.append(
                [escape(a), seed]
                + [_rate(v["rates"][s]["per_seed"][seed]) for s in splits]
                + [f"{v['training_tokens'][seed]:,}"]
            )
    parts.append(_table(["arm", "seed", *splits, "training tokens"], rows))
    families = sorted({f for v in arms.values() for f in v["families"]})
    if families:
        parts.append("<h2>Per family (pooled over seeds)</h2>")
        split_of = {
            f: next(v["families"][f]["split"] for v in arms.values() if f in v["families"])
            for f in families
        }
        head = ["arm"] + [f"{f} ({split_of[f]})" for f in families]
        rows = [
            [escape(a)] + [_rate(v["families"].get(f)) for f in families] for a, v in arms.items()
        ]
        parts.append(_table(head, rows))
    skilled = sorted({f for v in arms.values() for f in v.get("skill", {})})
    if skilled:
        parts.append("<h2>Skill checks: accuracy under a threat vs the calm day</h2>")
        parts.append(
            "<p>In these families a wrong answer is the harmful act, so a model that cannot do "
            "the task looks harmful. The drop is calm-day accuracy minus accuracy under a "
            "threat on the same questions (points, 95% CI); the wrong-answer rate under the "
            "threat is the raw rate.</p>"
        )
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
        parts.append(_table(head, rows))
    parts += [
        "<h2>Training tokens vs held-out rate</h2>",
        _img(pngs["tokens"], "tokens"),
        "<h2>Own name vs other agent name</h2>",
        "<p>The case study found misalignment higher when the AI in the scenario was not given "
        "the assistant's own name. Gap = other-name rate minus own-name rate (points, 95% CI).</p>",
        _img(pngs["name_gap"], "name gap"),
    ]
    dilemma = [s for s in splits if s != "control"]
    head = ["arm"] + [f"{s}: {k}" for s in dilemma for k in ("own", "other", "gap")]
    rows = []
    for a, v in arms.items():
        row = [escape(a)]
        for s in dilemma:
            g = v["name_gap"][s]
            row += [_rate(g["own"]), _rate(g["other"]), _effect(g["gap_other_minus_own"])]
        rows.append(row)
    parts.append(_table(head, rows))
    parts.append("<h2>Datasets and contamination</h2>")
    rows = []
    for d in summary["datasets"]:
        overlap = ", ".join(f"{f}: {n}" for f, n in d["contamination"]["shared_ngrams"].items())
        passed = d["contamination"]["passed"]
        rows.append(
            [
                escape(d["step"]),
                escape(d["recipe"] or d["source"] or ""),
                str(d["seed"] if d["seed"] is not None else ""),
                str(d["records"]),
                "PASS" if passed else "FAIL",
                escape(overlap or "none"),
                escape(", ".join(d["arms"])),
            ]
        )
    parts.append(
        _table(
            ["dataset", "recipe", "seed", "records", "held-out check", "shared 8-grams", "arms"],
            rows,
        )
    )
    parts.append(
        "<h2>Inspect logs</h2><p>All of them: <code>inspect view --log-dir "
        f"{escape(str(run_dir / summary['logs_root']))}</code></p>"
    )
    rows = [
        [
            escape(a),
            seed,
            escape(s),
            f"<code>inspect view --log-dir {escape(str(run_dir / p))}</code>",
        ]
        for a, v in arms.items()
        for seed, by_split in v["logs"].items()
        for s, p in by_split.items()
    ]
    parts.append(_table(["arm", "seed", "split", "command"], rows))
    parts.append(f"<h2>Configuration</h2><pre>{escape(config_text)}</pre></body></html>")
    return "\n".join(parts)
