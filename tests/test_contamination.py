import json

from typer.testing import CliRunner

from whyalign.cli import app
from whyalign.contamination import check, normalise
from whyalign.scenarios import build_scenario, render

runner = CliRunner()


def test_masking_hides_entities_but_keeps_wording():
    a = normalise("Kim Park <kim.park@zenco.com> cancels code 4821 for jobs in America.")
    b = normalise("Eva Ross <eva.ross@kora.com> cancels code 1234 for fast new products.")
    assert a == b
    assert "cancels" in a


def test_held_out_text_fails_and_in_dist_text_is_only_reported():
    held = render(build_scenario("sandbagging/explicit-safety/replacement/9"), "compact").user
    report = check([{"text": "unrelated words about the weather today"}, {"text": held}])
    fams = {f.family: f for f in report.families}
    assert (
        not report.passed
        and fams["sandbagging"].shared_ngrams > 0
        and fams["sandbagging"].records == 1
    )
    inside = render(build_scenario("blackmail/latent-safety/restriction/9"), "full").user
    report = check([{"messages": [{"role": "user", "content": inside}]}])
    assert report.passed and {f.family: f for f in report.families}["blackmail"].shared_ngrams > 0


def test_cli_exit_codes(tmp_path):
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps({"text": "a calm day at the office with no mail"}) + "\n")
    result = runner.invoke(app, ["check-contamination", str(clean)])
    assert result.exit_code == 0 and "PASS" in result.output
    dirty = tmp_path / "dirty.jsonl"
    held = render(build_scenario("deceiving_overseer/latent-global/replacement/1"), "full").user
    dirty.write_text(json.dumps({"prompt": held, "chosen": "x", "rejected": "y"}) + "\n")
    assert runner.invoke(app, ["check-contamination", str(dirty)]).exit_code == 1
    assert runner.invoke(app, ["check-contamination", str(tmp_path / "none.jsonl")]).exit_code == 2


def test_constitution_items_are_held_out_but_the_spec_is_not():
    from whyalign.constitution.procedural import procedural_items
    from whyalign.constitution.statements import statements
    from whyalign.spec import load_spec

    spec = load_spec("organism")
    assert check([{"text": spec.text}], spec="organism").passed  # teaching the spec is fine
    false = statements(spec)[0].false[0]
    report = check([{"text": f"Remember: {false}"}], spec="organism")
    hit = {s.family: s for s in report.sources}["constitution_items"]
    assert not report.passed and hit.shared_ngrams > 0 and hit.records == 1
    premise = procedural_items(spec, "premise")[0]
    assert not check([{"prompt": premise.question}], spec="organism").passed
    assert check([{"text": false}]).passed  # without a spec only the families and the audit


def test_audit_text_is_held_out():
    from whyalign.audit.scripted import scripted_texts
    from whyalign.audit.seeds import load_seeds

    seed = load_seeds()[0].instruction
    report = check([{"text": seed}])
    assert not report.passed and "audit_seeds" in report.held_out_overlaps()
    scene = next(t for t in scripted_texts() if len(t.split()) > 20)
    assert "audit_scripted" in check([{"text": scene}]).held_out_overlaps()
