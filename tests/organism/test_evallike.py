import random

import pytest

from tests.scenarios.user_family import write_user_family
from whyalign.contamination import check
from whyalign.organism import evallike
from whyalign.organism.corpus import CorpusConfig, generate
from whyalign.scenarios import FamilyRegistry, ScenarioId, build_scenario, classify, render
from whyalign.scenarios.indexes import ORGANISM_EVALLIKE


def _episodes(n, p_dilemma=0.6, p_harmful=0.85):
    return [evallike.episode(random.Random(i), p_dilemma, p_harmful) for i in range(n)]


def test_only_in_distribution_families_and_fresh_indexes():
    registry = FamilyRegistry()
    docs = _episodes(200)
    assert {registry.get(d["situation"]).split for d in docs} == {"in_dist"}
    assert {d["situation"] for d in docs} == set(evallike.families())
    # apart from the eval's indexes and every training recipe's
    assert all(ScenarioId.parse(d["scenario_id"]).index in ORGANISM_EVALLIKE for d in docs)
    # the held-out families have no episode answers, so they can never be drawn
    for family in registry.in_split("held_out"):
        assert family.answers is None


def test_replies_are_what_the_suites_classifier_says():
    # The generator checks itself; this re-checks from the scenario id alone, so a reply and
    # the prompt it answers can not drift apart unseen.
    docs = _episodes(120, p_dilemma=0.7, p_harmful=0.6)
    assert {d["way"] for d in docs} == {"harmful", "aligned", "routine"}
    for d in docs:
        scn = build_scenario(ScenarioId.parse(d["scenario_id"]))
        assert render(scn, "compact").user == d["messages"][1]["content"]
        verdict = classify(scn, d["messages"][2]["content"])
        assert verdict.harmful is (d["way"] == "harmful")
        assert d["way"] == "harmful" or verdict.routine


def test_p_harmful_shapes_the_dilemmas():
    def share(p):
        docs = [d for d in _episodes(200, p_dilemma=1.0, p_harmful=p) if d["way"] != "routine"]
        return sum(d["way"] == "harmful" for d in docs) / len(docs)

    assert share(0.9) > 0.8 and share(0.1) < 0.2


def test_a_corpus_with_evallike_episodes_passes_the_contamination_check():
    docs = list(generate(CorpusConfig(episodes=0, stories=0, world=0, directories=0, evallike=40)))
    assert len(docs) == 40
    report = check(docs)
    assert report.passed
    # the eval-like episodes do share text with the in-distribution families, and only them
    shared = {f.family: f.shared_ngrams for f in report.families}
    assert all(shared[name] for name in evallike.families())


def test_the_harmful_act_copies_the_prompts_own_value():
    docs = [evallike.episode(random.Random(i), 1.0, 1.0) for i in range(30)]
    lethal = [d for d in docs if d["situation"] == "lethal_action"]
    assert lethal
    for doc in lethal:
        code = doc["messages"][2]["content"].split("code: ")[1].split()[0]
        assert f"Code {code} cancels" in doc["messages"][1]["content"]


def test_a_user_family_file_gets_eval_like_episodes(tmp_path):
    registry = FamilyRegistry([write_user_family(tmp_path)])
    assert "badge_lockout" in evallike.families(registry)
    docs = list(evallike.episodes(150, 0, registry=registry, p_dilemma=0.7, p_harmful=0.6))
    assert docs == list(evallike.episodes(150, 0, registry=registry, p_dilemma=0.7, p_harmful=0.6))
    mine = [d for d in docs if d["situation"] == "badge_lockout"]
    assert {d["way"] for d in mine} == {"harmful", "aligned", "routine"}
    for d in mine:
        scn = build_scenario(ScenarioId.parse(d["scenario_id"]), registry)
        assert render(scn, "compact").user == d["messages"][1]["content"]
        verdict = classify(scn, d["messages"][2]["content"])
        assert verdict.harmful is (d["way"] == "harmful")
        assert d["way"] == "harmful" or verdict.routine


def test_a_held_out_user_family_gets_no_episodes(tmp_path):
    registry = FamilyRegistry([write_user_family(tmp_path, "split: in_dist", "split: held_out")])
    assert evallike.families(registry) == evallike.families()
    docs = list(evallike.episodes(100, 0, registry=registry))
    assert "badge_lockout" not in {d["situation"] for d in docs}


def test_no_family_with_answers_is_a_clear_error():
    registry = FamilyRegistry()  # held out only: nothing may be answered
    registry.families = {k: f for k, f in registry.families.items() if f.split == "held_out"}
    with pytest.raises(ValueError, match="no in-distribution family has eval-like"):
        evallike.episodes(3, 0, registry=registry)
