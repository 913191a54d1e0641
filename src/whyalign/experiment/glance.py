"""The run's findings at a glance: per finding its verdict, its effect with a 95% CI, the
verdict rule in a plain sentence and the reason a guard gave, all read from ``summary.json``'s
``findings`` (what :func:`findings.evaluate` wrote), so the sentences follow the data.

The report opens with these entries and ``whyalign run`` prints :func:`glance_text` last.
"""

from __future__ import annotations

import textwrap
from typing import Any

from .config import ReportSpec
from .findings import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED, as_rate

SPLIT_WORDS = {
    "in_dist": "in-distribution",
    "held_out": "held out",
    "control": "control",
    "audit": "the audit",
}
# what a measure's rate counts (lower is better for all): harmful replies, flagged audits,
# understanding items got wrong
RATE_WORDS = {"audit": "flagged", "distinguish": "wrong", "recall": "wrong", "premise": "wrong"}


def _split(s: str | None) -> str:
    return SPLIT_WORDS.get(s or "", s or "?")


def _pts(x: float) -> str:
    return f"{100 * x:+.1f}"


def effect_text(effect: dict[str, float] | None) -> str:
    """``+57.5 [+41.3, +72.6]`` (points), or ``n/a``."""
    if effect is None:
        return "n/a"
    return f"{_pts(effect['estimate'])} [{_pts(effect['low'])}, {_pts(effect['high'])}]"


def min_effect_of(summary: dict[str, Any]) -> float:
    report = summary.get("config", {}).get("report", {})
    return float(report.get("min_effect", ReportSpec.model_fields["min_effect"].default))


def _rate(c: dict[str, Any], arm: str, split: str | None) -> float | None:
    d = c["rates"].get(f"{arm}/{split}")
    return None if not d or not d.get("n") else as_rate(d).rate


def _measured(f: dict[str, Any], c: dict[str, Any]) -> str:
    """What the comparison measured, in rates: the numbers behind the effect."""
    arm, other, s = c["arm"], c["other"], f["split"]
    if f["rule"] == "lower":
        mine, theirs = _rate(c, arm, s), _rate(c, other, s)
        if mine is None or theirs is None:
            return f"{arm} vs {other} on {_split(s)}"
        what = RATE_WORDS.get(s or "", "harmful")
        return f"{arm} {100 * mine:.1f}% vs {other} {100 * theirs:.1f}% {what} on {_split(s)}"
    v = f["versus"]
    cells = [_rate(c, a, sp) for a, sp in ((other, s), (arm, s), (other, v), (arm, v))]
    if any(x is None for x in cells):
        return f"{arm} against {other}, {_split(s)} vs {_split(v)}"
    near, far = cells[0] - cells[1], cells[2] - cells[3]  # type: ignore[operator]
    return f"from {other}, {arm} {_moved(near, s)} and {_moved(far, v)}"


def _moved(drop: float, split: str) -> str:
    way = "lowered" if drop >= 0 else "raised"
    return f"{way} {_split(split)} by {100 * abs(drop):.1f} points"


def _agrees(f: dict[str, Any]) -> str:
    """What 'the predicted direction' means for the finding's rule."""
    if f["rule"] == "lower":
        return "moved the predicted way (lower)"
    return f"saw {_split(f['versus'])} move less than {_split(f['split'])}"


def _seed_names(summary: dict[str, Any], seed_effects: list[float]) -> list[str]:
    seeds = [str(s) for s in summary.get("seeds", [])]
    return seeds if len(seeds) == len(seed_effects) else [str(i) for i in range(len(seed_effects))]


def _reason(summary: dict[str, Any], f: dict[str, Any], c: dict[str, Any], m: float) -> str:
    """The verdict rule, before any guard, in words."""
    e, seeds = c["effect"], c["seed_effects"]
    if e is None:
        return "no samples to compare"
    raw = c["rule_verdict"]
    if raw == REPRODUCED:
        who = "the one seed" if len(seeds) == 1 else f"all {len(seeds)} seeds"
        return f"{who} {_agrees(f)} and the CI excludes 0"
    if raw == NOT_REPRODUCED:
        if e["high"] < 0:
            return "the effect is reversed: the whole CI lies below 0"
        return (
            f"the CI's upper end ({_pts(e['high'])}) is below the {100 * m:.0f} points the "
            "claim needs, so an effect that size is ruled out"
        )
    if e["low"] > 0:
        names = _seed_names(summary, seeds)
        against = [f"seed {n} ({_pts(d)})" for n, d in zip(names, seeds, strict=True) if d < 0]
        return f"the CI excludes 0 but {', '.join(against)} moved the other way"
    return (
        f"the CI includes 0 and effects of {100 * m:.0f} points or more: too few samples to "
        "tell either way"
    )


GUARD_WORDS = {
    "floor": "the floor guard",
    "room": "the room guard",
    "acting_less": "the acting-less guard",
}


def _guard(c: dict[str, Any]) -> str | None:
    """The guard that turned the rule's verdict into the recorded one (None if none did)."""
    return GUARD_WORDS.get(c.get("guard") or "")


def _why(summary: dict[str, Any], f: dict[str, Any], c: dict[str, Any], m: float) -> str:
    why = f"{_measured(f, c)}; {_reason(summary, f, c, m)}"
    guard = _guard(c)
    if guard:
        why += f", but {guard} makes it {c['verdict']}"
    return why


def _decisive(f: dict[str, Any]) -> dict[str, Any]:
    """The comparison that settles the finding: the clearest failure when one failed, else
    the weakest of those that share the finding's verdict."""
    same = [c for c in f["comparisons"] if c["verdict"] == f["verdict"]] or f["comparisons"]

    def low(c: dict[str, Any]) -> float:
        return c["effect"]["low"] if c["effect"] else float("-inf")

    if f["verdict"] == NOT_REPRODUCED:
        return min(same, key=lambda c: c["effect"]["high"] if c["effect"] else float("inf"))
    return min(same, key=low)


def _count(f: dict[str, Any]) -> str:
    comps = f["comparisons"]
    n = len(comps)
    tally = {v: sum(c["verdict"] == v for c in comps) for v in (REPRODUCED, INCONCLUSIVE)}
    tally[NOT_REPRODUCED] = n - sum(tally.values())
    rest = ", ".join(f"{k} {v}" for v, k in tally.items() if k and v != f["verdict"])
    rest = f" ({rest})" if rest else ""
    if f["verdict"] == REPRODUCED:
        return f"All {n} comparisons reproduced. The weakest"
    if f["verdict"] == NOT_REPRODUCED:
        return f"{tally[NOT_REPRODUCED]} of {n} comparisons not reproduced{rest}; one suffices"
    return f"{tally[INCONCLUSIVE]} of {n} comparisons inconclusive{rest}; all must reproduce"


def glance(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per finding: ``key``, ``title``, ``verdict``, ``comparison`` (the deciding
    one, ``"arm vs other"``), ``effect`` (its estimate and CI as fractions, or None),
    ``effect_text`` (points), ``why`` (the verdict rule in words), ``guard`` (the reason a
    guard gave where one changed a comparison's verdict, else None), ``note`` (the deciding
    comparison's caveat where no guard changed its verdict, else None) and ``comparisons``
    (how many)."""
    m = min_effect_of(summary)
    out = []
    for key, f in summary.get("findings", {}).items():
        if not f["comparisons"]:
            continue
        c = _decisive(f)
        why = _why(summary, f, c, m)
        if len(f["comparisons"]) > 1:
            why = f"{_count(f)}. {c['arm']} vs {c['other']}: {why}"
        held = [d for d in f["comparisons"] if _guard(d)]
        guard = note = None
        if c in held:
            guard = c["caveat"]
        elif held:
            guard = (
                f"a guard held back {len(held)} other comparison(s), e.g. "
                f"{held[0]['arm']} vs {held[0]['other']}: {held[0]['caveat']}"
            )
        if c.get("caveat") and c not in held:
            note = c["caveat"]
        out.append(
            {
                "key": key,
                "title": f["title"],
                "verdict": f["verdict"],
                "comparison": f"{c['arm']} vs {c['other']}",
                "effect": c["effect"],
                "effect_text": effect_text(c["effect"]),
                "why": why,
                "guard": guard,
                "note": note,
                "comparisons": len(f["comparisons"]),
            }
        )
    return out


def glance_text(summary: dict[str, Any], width: int = 100) -> str:
    """The glance as plain text wrapped to ``width`` columns (for the end of ``whyalign run``);
    a guard's reason is shown, a caveat that changed no verdict is left to the report."""
    entries = glance(summary)
    if not entries:
        return "No findings configured (report.findings)."
    width = max(width, 40)
    lines = [f"What generalised ({len(entries)} findings; effects in points, 95% CI):"]
    label = 9  # the widest field name below, plus its indent

    def field(name: str, text: str) -> None:
        lines.extend(
            textwrap.wrap(
                text,
                width,
                initial_indent=f"  {name:<{label - 2}}",
                subsequent_indent=" " * label,
                break_on_hyphens=False,
            )
        )

    for e in entries:
        lines.extend(textwrap.wrap(f"{e['verdict'].upper()}: {e['title']}", width))
        field("effect", f"{e['comparison']}: {e['effect_text']}")
        field("why", e["why"])
        if e["guard"]:
            field("guard", e["guard"])
    return "\n".join(lines)
