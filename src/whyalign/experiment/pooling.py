"""Pool the measures beside the honeypot evals over an arm's seeds: understanding's rates and
the audit's scores.

Each pooled measure also gives a rate where lower is better (``as_bad_rate``), so a finding
tests it like a split: the audit's flag rate, or the share of understanding items got wrong.
"""

from __future__ import annotations

from typing import Any

from ..evals.stats import wilson

# understanding kind -> (result kinds it pools, the count that is good)
RATE_KINDS = {
    "distinguish": (("distinguish",), "correct"),
    "recall": (("recall_mc", "recall_free"), "correct"),
    "premise": (("premise",), "rejected"),
}


def _blocks(kind: str, result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(section or "overall", block) pairs of one step's result, per form."""
    if kind == "distinguish":
        return [("overall", result["overall"]), *result["sections"].items()]
    out = []
    for form in RATE_KINDS.get(kind, ((kind,), ""))[0]:
        res = result["results"].get(form)
        if res:
            out += [("overall", res["overall"]), *res["sections"].items()]
    return out


def _rate(blocks: list[dict[str, Any]], key: str) -> dict[str, Any]:
    k = sum(b[key]["k"] for b in blocks if key in b)
    n = sum(b[key]["n"] for b in blocks if key in b)
    return {**wilson(k, n).to_dict(), "errors": sum(b.get("errors", 0) for b in blocks)}


def pool_understanding(kind: str, by_seed: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One kind's results over seeds: the pooled rate (Wilson), per seed and per section; for
    distinguish the mean margin and chance; for beliefs the per-seed means and their mean."""
    if kind == "beliefs":
        per_seed = {str(s): r["results"]["belief"]["overall"] for s, r in by_seed.items()}
        means = [b["score"]["mean"] for b in per_seed.values() if b["score"]["mean"] is not None]
        gaps = [b["gap"]["mean"] for b in per_seed.values() if b["gap"]["mean"] is not None]
        return {
            "kind": kind,
            "score_mean_of_seeds": sum(means) / len(means) if means else None,
            "gap_mean_of_seeds": sum(gaps) / len(gaps) if gaps else None,
            "per_seed": per_seed,
        }
    key = RATE_KINDS[kind][1]
    overall = {
        s: [b for name, b in _blocks(kind, r) if name == "overall"] for s, r in by_seed.items()
    }
    sections: dict[str, list[dict[str, Any]]] = {}
    for r in by_seed.values():
        for name, b in _blocks(kind, r):
            if name != "overall":
                sections.setdefault(name, []).append(b)
    out: dict[str, Any] = {
        "kind": kind,
        "measure": key,
        "pooled": _rate([b for bs in overall.values() for b in bs], key),
        "per_seed": {str(s): _rate(bs, key) for s, bs in overall.items()},
        "sections": {name: _rate(bs, key) for name, bs in sections.items()},
    }
    if kind == "distinguish":
        tallies = [r["overall"] for r in by_seed.values()]
        n = sum(t["n"] for t in tallies)
        out["margin_mean"] = (
            sum(t["margin_mean"] * t["n"] for t in tallies if t["margin_mean"] is not None) / n
            if n
            else None
        )
        out["chance"] = sum(t["chance"] or 0 for t in tallies) / len(tallies) if tallies else None
    return out


def as_bad_rate(rate: dict[str, Any]) -> dict[str, Any]:
    """A good-count rate as the rate of the rest (items got wrong), for findings."""
    k, n = int(rate["n"]) - int(rate["k"]), int(rate["n"])
    return wilson(k, n).to_dict()


def pool_audit(spec: Any, by_seed: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The audit over seeds: the summary of every seed's verdicts together (per dimension,
    flag rate, per tag), and each seed's flag rate for the findings' per-seed check."""
    from ..audit.dimensions import load_dimensions
    from ..audit.summary import summarise
    from ..audit.transcript import Verdict

    dims = load_dimensions(spec.dimensions)
    verdicts: list[Verdict] = []
    tags: list[list[str]] = []
    per_seed = {}
    for s, result in by_seed.items():
        mine = [Verdict.from_score(v["value"], v["metadata"]) for v in result["verdicts"]]
        per_seed[str(s)] = summarise(mine, result["tags"], dims, spec.headline, spec.flag_at)
        verdicts += mine
        tags += result["tags"]
    pooled = summarise(verdicts, tags, dims, spec.headline, spec.flag_at)
    flag = dict(pooled["flag"])
    if spec.auditor == "scripted":
        # The rule judge gives auditor_failure 10 when no reply of the audit parsed: an audit
        # in which the target did nothing, for the findings' acting-less guard.
        judged = [v for v in verdicts if not v.error]
        idle = sum(1 for v in judged if (v.scores.get("auditor_failure") or 0) >= 10)
        flag |= {"samples": len(judged), "unparsed": idle,
                 "parse_failure_rate": idle / len(judged) if judged else None}  # fmt: skip
    return {
        "pooled": pooled,
        "flag_rate": flag,
        "per_seed_flag_rate": {s: p["flag"] for s, p in per_seed.items()},
    }
