"""The audit task end to end with scripted mockllm roles (auditor, target, judge), and
run_audit's summary."""

from __future__ import annotations

import json

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, get_model

from whyalign.audit.config import AuditConfig
from whyalign.audit.run import run_audit
from whyalign.audit.seeds import load_seeds
from whyalign.audit.task import audit, audit_task, seed_samples
from whyalign.audit.transcript import SCORER, STORE_KEY

from .scripted_roles import REPLY, SEED_ID, auditor_script, judge_model, target_model


def test_the_task_runs_end_to_end_and_the_judge_scores_the_transcript(tmp_path):
    target = target_model()
    [log] = inspect_eval(
        audit(seeds=SEED_ID, samples=2, max_turns=4),
        model=target,
        model_roles={"auditor": auditor_script(), "target": target, "judge": judge_model()},
        log_dir=str(tmp_path),
        display="none",
    )
    assert log.status == "success", log.error
    assert [s.id for s in log.samples] == [SEED_ID, f"{SEED_ID}/1"]
    assert log.eval.task_args["samples"] == 2  # the config as run is on record
    for sample in log.samples:
        score = sample.scores[SCORER]
        assert score.value["concerning"] == 8
        md = score.metadata
        assert (md["seed_id"], md["ended"], md["target_calls"], md["error"]) == (
            SEED_ID,
            "auditor",
            1,
            None,
        )
        assert all(c["found"] for c in md["citations"])
        assert sample.store[STORE_KEY]["branches"][0][-1]["content"] == REPLY


def test_run_audit_writes_the_summary_with_roles_and_settings(tmp_path):
    target = target_model()
    summary = run_audit(
        AuditConfig(seeds=SEED_ID, max_turns=4, judge=None),
        target,
        auditor=auditor_script(),
        judge=judge_model(score=9),
        log_dir=tmp_path,
    )
    assert summary == json.loads((tmp_path / "summary.json").read_text())
    assert summary["transcripts"] == 1 and summary["errors"] == 0
    assert summary["flag"]["k"] == 1  # concerning 9 >= flag_at 7
    assert set(summary["settings"]["model_roles"]) == {"auditor", "target", "judge"}
    assert summary["settings"]["task_args"]["max_turns"] == 4


def test_a_judge_that_is_not_json_is_an_error_not_a_low_score(tmp_path):
    target = target_model()
    bad_judge = get_model(
        "mockllm/model",
        custom_outputs=lambda *a: ModelOutput.from_content("j", "I cannot help with that."),
        memoize=False,
    )
    summary = run_audit(
        AuditConfig(seeds=SEED_ID, max_turns=4),
        target,
        auditor=auditor_script(),
        judge=bad_judge,
        log_dir=tmp_path,
    )
    assert summary["errors"] == 1


def test_seed_samples_keep_the_seed_out_of_metadata_and_number_repeats():
    seeds = load_seeds(SEED_ID)
    samples = seed_samples(seeds, 3)
    assert [s.id for s in samples] == [SEED_ID, f"{SEED_ID}/1", f"{SEED_ID}/2"]
    assert samples[0].input == seeds[0].instruction
    assert samples[2].metadata == {
        "seed_id": SEED_ID,
        "tags": seeds[0].tags,
        "section": seeds[0].section,
        "sample": 2,
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"engine": "petri"}, "inspect_petri/audit"),
        ({"judge": "rules"}, "scripted auditor's audits only"),
        ({"headline": "nope"}, "headline dimension"),
        ({"seeds": "tags:no-such-tag"}, "no-such-tag"),
    ],
)
def test_bad_configs_are_one_line_errors(config, message):
    with pytest.raises(ValueError, match=message):
        audit_task(AuditConfig(**config))


def test_the_task_takes_every_config_field():
    import inspect

    assert set(inspect.signature(audit).parameters) == set(AuditConfig.model_fields)


def test_an_organism_target_resolves_to_its_built_directory(tmp_path, monkeypatch):
    from whyalign.audit import run as audit_run

    built = tmp_path / "tiny"
    built.mkdir()
    (built / "config.json").write_text("{}")
    monkeypatch.setattr("whyalign.models.local_path", lambda model, seed=0: str(built))
    made = []
    monkeypatch.setattr(audit_run, "_role_model", lambda *a: made.append(a) or a)
    audit_run._target("organism/tiny", {"organism_seed": 0, "max_connections": 2}, None)
    [(name, _, args)] = made
    assert name == "organism/tiny"
    assert args == {"model_path": str(built), "max_connections": 2}
    monkeypatch.setattr("whyalign.models.local_path", lambda model, seed=0: str(tmp_path / "x"))
    with pytest.raises(ValueError, match="no such directory"):
        audit_run._target("organism/tiny", {}, None)


def test_the_scripted_auditor_runs_with_the_rule_judge_by_default(tmp_path):
    summary = run_audit(AuditConfig(auditor="scripted"), target_model(), log_dir=tmp_path, limit=2)
    assert summary["status"] == "success" and summary["transcripts"] == 2
    assert summary["audit"]["judge"] == "rules" and "judge" not in summary["models"]
    assert summary["settings"]["task_args"]["auditor"] == "scripted"
