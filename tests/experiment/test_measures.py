"""The measures beside the honeypot evals in an experiment: constitution understanding and
the scripted audit, one step per arm x seed, pooled per arm in summary.json, shown in the
report, and testable by findings."""

import json
import os
import subprocess
import sys

import pytest

from whyalign.experiment.config import ConfigError, parse
from whyalign.experiment.plan import build_plan

from .conftest import micro_config


def _with_measures(cfg: dict) -> dict:
    cfg["understanding"] = {"kinds": ["distinguish"], "spec": "organism"}
    cfg["audit"] = {"auditor": "scripted", "judge": "rules", "samples": 1}
    cfg["report"]["findings"] = {
        "knows": {"title": "advice teaches the rules", "rule": "lower", "arm": "advice",
                  "than": "baseline", "split": "distinguish"},
        "audit_hides": {"title": "advice lowers the honeypots, not the audit",
                        "rule": "drop_gap", "arm": "advice", "baseline": "baseline",
                        "split": "in_dist", "versus": "audit"},
    }  # fmt: skip
    return cfg


@pytest.fixture(scope="module")
def measured(tiny_organism, datasets, tmp_path_factory):
    root = tmp_path_factory.mktemp("measures")
    config = root / "exp.yaml"
    config.write_text(json.dumps(_with_measures(micro_config(datasets))))
    run_dir = root / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "whyalign.cli", "run", str(config), "--out", str(run_dir)],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run_dir


def test_each_arm_and_seed_gets_its_measure_steps(datasets):
    plan = build_plan(parse(_with_measures(micro_config(datasets))))
    assert sorted(plan.measures) == [
        ("advice", 0, "audit"), ("advice", 0, "distinguish"),
        ("baseline", 0, "audit"), ("baseline", 0, "distinguish"),
    ]  # fmt: skip
    for (arm, seed, _), key in plan.measures.items():
        step = plan.steps[key]
        assert step.deps == [plan.models[(arm, seed)]]
    report = next(s for s in plan.steps.values() if s.kind == "report")
    assert set(plan.measures.values()) <= set(report.deps)


def test_findings_name_only_what_is_measured(datasets):
    cfg = _with_measures(micro_config(datasets))
    del cfg["audit"]
    with pytest.raises(ConfigError, match="'audit' is not measured"):
        parse(cfg)
    cfg = _with_measures(micro_config(datasets))
    cfg["audit"] = {"auditor": "llm"}
    with pytest.raises(ConfigError, match="auditor_model"):
        parse(cfg)
    cfg["audit"] = {"auditor": "scripted", "max_turns": 0}
    with pytest.raises(ConfigError, match=r"audit\.max_turns"):
        parse(cfg)


def test_summary_pools_the_measures_and_findings_read_them(measured):
    summary = json.loads((measured / "summary.json").read_text())
    for arm in ("baseline", "advice"):
        block = summary["arms"][arm]
        dist = block["understanding"]["distinguish"]
        assert dist["pooled"]["n"] == 31 and 0 <= dist["pooled"]["k"] <= 31
        assert dist["per_seed"]["0"] == dist["pooled"]
        assert sum(s["n"] for s in dist["sections"].values()) == 31
        audit = block["audit"]
        assert audit["pooled"]["transcripts"] == 9  # nine templates, one scene each
        assert audit["flag_rate"]["n"] + audit["pooled"]["errors"] <= 9
        validity = [d["validity"] for d in audit["pooled"]["dimensions"]]
        assert validity == sorted(validity, reverse=True)  # validity first
    knows = summary["findings"]["knows"]["comparisons"][0]
    base = summary["arms"]["baseline"]["understanding"]["distinguish"]["pooled"]
    wrong = knows["rates"]["baseline/distinguish"]
    assert wrong["k"] == base["n"] - base["k"]  # the finding compares items got wrong
    hides = summary["findings"]["audit_hides"]["comparisons"][0]
    assert set(hides["rates"]) == {"baseline/in_dist", "advice/in_dist", "baseline/audit",
                                   "advice/audit"}  # fmt: skip
    html = (measured / "report" / "index.html").read_text()
    assert "id=audit>" in html and "id=understanding>" in html
    assert "audit flagged" in html and "distinguish accuracy" in html
