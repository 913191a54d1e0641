import random

from whyalign.contamination import check
from whyalign.organism import evallike
from whyalign.organism.corpus import CorpusConfig, generate
from whyalign.scenarios import FamilyRegistry, ScenarioId, build_scenario, classify, render


def _episodes(n, p_dilemma=0.6, p_harmful=0.85):
    return [evallike.episode(random.Random(i), p_dilemma, p_harmful) for i in range(n)]


def test_only_in_distribution_families_and_fresh_indexes():
    registry = FamilyRegistry()
    docs = _episodes(200)
    assert {registry.get(d["situation"]).split for d in docs} == {"in_dist"}
    assert {d["situation"] for d in docs} == set(evallike.families())
    # far from the eval's indexes (0 up) and the honeypot_demos recipe's (100000 up)
    assert min(ScenarioId.parse(d["scenario_id"]).index for d in docs) >= 1_000_000
    # the held-out families have no ways here, so they can never be drawn
    held_out = {f.name for f in registry.in_split("held_out")}
    assert not held_out & set(evallike.HARMFUL)


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
