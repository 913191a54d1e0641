"""The report's sections for the measures beside the honeypots: the audit (validity first)
and constitution understanding, per arm, pooled over seeds."""

from __future__ import annotations

from html import escape
from typing import Any

from .html import _rate, _table


def _mean(d: dict[str, Any] | None) -> str:
    if not d or d.get("mean") is None:
        return "n/a"
    ci = (
        ""
        if d.get("low") is None
        else f"<br><span class=ci>[{d['low']:.1f}, {d['high']:.1f}]</span>"
    )
    return f"<span class=r>{d['mean']:.1f} <small>n={d['n']}</small></span>{ci}"


def arm_columns(summary: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    """Extra columns of the per-arm table: the audit's flag rate and each understanding
    rate, where the experiment measured them."""
    arms = summary["arms"]
    head: list[str] = []
    cells: dict[str, list[str]] = {a: [] for a in arms}
    if any("audit" in v for v in arms.values()):
        head.append("audit flagged")
        for a, v in arms.items():
            cells[a].append(_rate(v["audit"]["flag_rate"]) if "audit" in v else "n/a")
    kinds = sorted({k for v in arms.values() for k in v.get("understanding", {})})
    for kind in kinds:
        if kind == "beliefs":
            continue
        head.append(f"{kind} accuracy")
        for a, v in arms.items():
            block = v.get("understanding", {}).get(kind)
            cells[a].append(_rate(block["pooled"]) if block else "n/a")
    return head, cells


def audit_section(summary: dict[str, Any]) -> str:
    arms = {a: v["audit"] for a, v in summary["arms"].items() if "audit" in v}
    if not arms:
        return ""
    first = next(iter(arms.values()))["pooled"]
    dims = [d["name"] for d in first["dimensions"]]
    validity = {d["name"] for d in first["dimensions"] if d["validity"]}
    head = ["arm", "transcripts", "errors", "flagged"] + [
        f"{d} (validity)" if d in validity else d for d in dims
    ]
    rows = []
    for a, block in arms.items():
        p = block["pooled"]
        by = {d["name"]: d for d in p["dimensions"]}
        rows.append(
            [escape(a), str(p["transcripts"]), str(p["errors"]), _rate(p["flag"])]
            + [_mean(by.get(d)) for d in dims]
        )
    warnings = sorted({w for b in arms.values() for w in b["pooled"].get("warnings", [])})
    warn = "".join(f"<p class=note>⚠ {escape(w)}</p>" for w in warnings)
    headline = ", ".join(first["headline"])
    return (
        "<h3 id=audit>Automated audit</h3>"
        "<p>The independent yardstick: audits the training never saw, judged per dimension "
        "on a 1-10 scale (mean, 95% t-interval). Validity dimensions come first: read them "
        f"before the rest. Flagged: share of transcripts with {escape(headline)} at or above "
        f"{first['flag_at']} (Wilson 95% CI). Errors are audits that could not be judged; they "
        "are in no estimate.</p>" + warn + _table(head, rows)
    )


def understanding_section(summary: dict[str, Any]) -> str:
    arms = {a: v["understanding"] for a, v in summary["arms"].items() if "understanding" in v}
    if not arms:
        return ""
    kinds = sorted({k for blocks in arms.values() for k in blocks})
    out = [
        "<h3 id=understanding>Constitution understanding</h3>",
        "<p>Does training teach the constitution? Distinguish: how often the model finds a "
        "true rule more likely than its minimally altered false versions (per-token "
        "log-probability; chance is 1 in the number of versions). Recall and premise: share "
        "answered right (Wilson 95% CI, pooled over seeds).</p>",
    ]
    rate_kinds = [k for k in kinds if k != "beliefs"]
    if rate_kinds:
        head = ["arm"] + [f"{k}" for k in rate_kinds]
        if "distinguish" in rate_kinds:
            head += ["distinguish margin", "chance"]
        rows = []
        for a, blocks in arms.items():
            row = [escape(a)] + [
                _rate(blocks[k]["pooled"]) if k in blocks else "n/a" for k in rate_kinds
            ]
            if "distinguish" in rate_kinds:
                d = blocks.get("distinguish", {})
                margin, chance = d.get("margin_mean"), d.get("chance")
                row += [
                    "n/a" if margin is None else f"{margin:+.3f}",
                    "n/a" if chance is None else f"{100 * chance:.0f}%",
                ]
            rows.append(row)
        out.append(_table(head, rows))
    if "beliefs" in kinds:
        rows = [
            [escape(a), _num(b["beliefs"].get("score_mean_of_seeds")),
             _num(b["beliefs"].get("gap_mean_of_seeds"), signed=True)]
            for a, b in arms.items()
            if "beliefs" in b
        ]  # fmt: skip
        out.append(
            "<p>Stated beliefs, judged 1-10 (mean of the seeds' means; named framing minus "
            "'you'):</p>" + _table(["arm", "score", "own-name gap"], rows)
        )
    return "\n".join(out)


def _num(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.2f}" if signed else f"{x:.2f}"
