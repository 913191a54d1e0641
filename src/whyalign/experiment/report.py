"""The run's results: ``summary.json`` (deterministic: no clocks, no absolute paths), PNG plots
and a self-contained ``report/index.html``, all rebuilt from ``plan.json`` and the step cache
(``whyalign report RUN_DIR`` reruns only this).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from ..evals.skill import pool as pool_skill
from ..evals.stats import wilson
from .config import Experiment
from .findings import RULE_TEXT, evaluate, mover
from .pooling import as_bad_rate, pool_audit, pool_understanding
from .runner import CONFIG_FILE, PLAN_FILE, Store, _write_json

SUMMARY = "summary.json"
REPORT_DIR = "report"


def load_record(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / PLAN_FILE
    if not path.exists():
        raise FileNotFoundError(f"{run_dir}: no {PLAN_FILE}; is this a `whyalign run` directory?")
    return json.loads(path.read_text())


def store_for(run_dir: Path, record: dict[str, Any]) -> Store:
    cache = Path(record.get("cache", "steps"))
    return Store(cache if cache.is_absolute() else Path(run_dir) / cache)


def _pool(tallies: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool eval tallies (``{"harmful": {k, n, ...}, "n", "errors", ...}``) by their counts."""
    k = sum(t["harmful"]["k"] for t in tallies)
    graded = sum(t["harmful"]["n"] for t in tallies)
    total = sum(t["n"] for t in tallies)
    unparsed = sum(round((t.get("parse_failure_rate") or 0) * t["n"]) for t in tallies)
    return {
        **wilson(k, graded).to_dict(),
        "samples": total,
        "errors": sum(t["errors"] for t in tallies),
        "unparsed": unparsed,
        "parse_failure_rate": unparsed / total if total else None,
    }


def _rel(path: Path, run_dir: Path) -> str:
    return os.path.relpath(path, run_dir)


def summarise(run_dir: Path) -> dict[str, Any]:
    from ..scenarios.families import FamilyRegistry

    run_dir = Path(run_dir)
    record = load_record(run_dir)
    store = store_for(run_dir, record)
    exp = Experiment.model_validate(record["experiment"])
    seeds, splits = exp.seeds, exp.eval.splits
    evals = {(a, s, sp): k for a, s, sp, k in record["evals"]}
    trains = {(a, s): ks for a, s, ks in record["trains"]}
    data_of = {(a, s): ks for a, s, ks in record["datasets"]}
    results = {key: store.result(f"eval-{k}") for key, k in evals.items()}
    measures = {(a, s, m): k for a, s, m, k in record.get("measures", [])}
    split_of = {n: f.split for n, f in FamilyRegistry().families.items()}

    arms: dict[str, Any] = {}
    pooled: dict[tuple[str, str], dict[str, Any]] = {}
    per_seed: dict[tuple[str, str, int], dict[str, Any]] = {}
    for arm in exp.arms:
        rates, families, gaps, tokens, logs = {}, {}, {}, {}, {}
        for split in splits:
            seed_tallies = {s: results[(arm.name, s, split)]["splits"][split] for s in seeds}
            for s, t in seed_tallies.items():
                per_seed[(arm.name, split, s)] = t["harmful"]
            pooled[(arm.name, split)] = _pool(list(seed_tallies.values()))
            rates[split] = {
                "pooled": pooled[(arm.name, split)],
                "per_seed": {str(s): _pool([t]) for s, t in seed_tallies.items()},
            }
            by_kind = {}
            for kind in ("own", "other"):
                rows = [
                    r
                    for s in seeds
                    for r in results[(arm.name, s, split)]["agent_name"]
                    if r["agent"] == kind and r["split"] == split
                ]
                by_kind[kind] = _pool(rows)
            gap = mover([(1.0, _as_rate(by_kind["other"])), (-1.0, _as_rate(by_kind["own"]))])
            gaps[split] = {**by_kind, "gap_other_minus_own": gap}
        names = sorted(
            {f for key, r in results.items() if key[0] == arm.name for f in r["families"]}
        )
        for fam in names:
            rows = [  # dilemmas only: a control split's rows are routine days
                results[(arm.name, s, sp)]["families"][fam]
                for s in seeds
                for sp in splits
                if sp != "control" and fam in results[(arm.name, s, sp)]["families"]
            ]
            if not rows:
                continue
            families[fam] = {"split": split_of.get(fam, "?"), **_pool(rows)}
        skill_rows: dict[str, list[dict[str, Any]]] = {}
        for s in seeds:
            for sp in splits:
                for fam, block in results[(arm.name, s, sp)].get("skill", {}).items():
                    skill_rows.setdefault(fam, []).append(block)
        # A skill family's calm day and its threatened days come from different evals.
        skill = {f: pool_skill(blocks) for f, blocks in sorted(skill_rows.items())}
        fingerprints = {}
        for s in seeds:
            stage_results = [store.result(f"train-{k}") for k in trains[(arm.name, s)]]
            tokens[str(s)] = sum(r["tokens"] for r in stage_results)
            fingerprints[str(s)] = {
                "weights": [r.get("weights_sha256") for r in stage_results],
                "outputs": {sp: results[(arm.name, s, sp)].get("outputs_sha256") for sp in splits},
            }
            logs[str(s)] = {
                sp: _rel(store.final(f"eval-{evals[(arm.name, s, sp)]}") / "logs", run_dir)
                for sp in splits
            }
        arms[arm.name] = {
            **_measures(exp, arm.name, measures, store, pooled, per_seed),
            "description": arm.description,
            "stages": [st.stage for st in arm.stages],
            "rates": rates,
            "families": families,
            "skill": {f: {k: v for k, v in b.items() if k != "by_index"} for f, b in skill.items()},
            "name_gap": gaps,
            "training_tokens": tokens,
            "logs": logs,
            "fingerprints": fingerprints,
        }

    datasets = _datasets(record, store, data_of)
    findings = {
        key: evaluate(f, pooled, per_seed, seeds, exp.report.min_effect)
        for key, f in exp.report.findings.items()
    }
    return {
        "experiment": exp.name,
        "base_model": exp.base_model,
        "seeds": seeds,
        "splits": splits,
        "arms": arms,
        "datasets": datasets,
        "findings": findings,
        "verdict_rule": RULE_TEXT.format(min_effect=exp.report.min_effect),
        "config": record["experiment"],
        "logs_root": _rel(store.root, run_dir),
    }


def _measures(exp: Experiment, arm: str, keys, store: Store, pooled, per_seed) -> dict[str, Any]:
    """An arm's understanding and audit, pooled over seeds; their rates (lower is better)
    go into ``pooled`` / ``per_seed`` for the findings."""
    out: dict[str, Any] = {}
    kinds = exp.understanding.kinds if exp.understanding else []
    for kind in kinds:
        by_seed = {
            s: store.result(f"understanding-{keys[(arm, s, kind)]}")
            for s in exp.seeds
            if (arm, s, kind) in keys
        }
        if not by_seed:
            continue
        block = pool_understanding(kind, by_seed)
        out.setdefault("understanding", {})[kind] = block
        if "pooled" in block:
            pooled[(arm, kind)] = as_bad_rate(block["pooled"])
            for s, rate in block["per_seed"].items():
                per_seed[(arm, kind, int(s))] = as_bad_rate(rate)
    if exp.audit is not None:
        by_seed = {
            s: store.result(f"audit-{keys[(arm, s, 'audit')]}")
            for s in exp.seeds
            if (arm, s, "audit") in keys
        }
        if by_seed:
            block = pool_audit(exp.audit, by_seed)
            out["audit"] = block
            pooled[(arm, "audit")] = block["flag_rate"]
            for s, rate in block["per_seed_flag_rate"].items():
                per_seed[(arm, "audit", int(s))] = rate
    return out


def _as_rate(d: dict[str, Any]):
    return wilson(int(d["k"]), int(d["n"]))


def _datasets(record, store: Store, data_of) -> list[dict[str, Any]]:
    users: dict[str, set[str]] = {}
    for (arm, _), keys in data_of.items():
        for k in keys:
            users.setdefault(k, set()).add(arm)
    out = []
    for step in record["steps"]:
        if step["kind"] != "data":
            continue
        name = step["name"]
        spec = json.loads((store.final(name) / "step.json").read_text())["spec"]
        result = store.result(name)
        report = result["contamination"]
        overlaps = {
            fam: info["shared_ngrams"]
            for fam, info in report.get("families", {}).items()
            if info.get("shared_ngrams")
        }
        out.append(
            {
                "step": name,
                "label": step["label"],
                "recipe": spec.get("recipe"),
                "source": spec.get("path"),
                "generator": spec.get("generator"),
                "n": spec.get("n"),
                "seed": spec.get("seed"),
                "options": spec.get("options"),
                "records": result.get("records"),
                "tokens": result.get("tokens"),
                "contamination": {
                    "passed": report.get("passed"),
                    "ngram": report.get("ngram"),
                    "shared_ngrams": overlaps,
                },
                "arms": sorted(users.get(name.removeprefix("data-"), set())),
            }
        )
    return out


def write_report(run_dir: Path) -> Path:
    """summary.json, the plots and report/index.html; each written whole (tmp + rename)."""
    from .html import render_html
    from .plots import make_plots

    run_dir = Path(run_dir)
    summary = summarise(run_dir)
    _write_json(run_dir / SUMMARY, summary)
    tmp = run_dir / (REPORT_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    pngs = make_plots(summary, tmp)
    config = run_dir / CONFIG_FILE
    config_text = config.read_text() if config.exists() else json.dumps(summary["config"])
    (tmp / "index.html").write_text(render_html(summary, pngs, config_text, run_dir))
    final = run_dir / REPORT_DIR
    old = run_dir / (REPORT_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final / "index.html"
