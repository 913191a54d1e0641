from whyalign.organism.corpus import CorpusConfig, generate, sft_episodes, write_jsonl
from whyalign.organism.kinds import kinds
from whyalign.scenarios.scenario import build_scenario

SMALL = CorpusConfig(episodes=60, stories=20, world=10, directories=10)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = write_jsonl(generate(SMALL), tmp_path / "a.jsonl")
    b = write_jsonl(generate(SMALL), tmp_path / "b.jsonl")
    c = write_jsonl(
        generate(CorpusConfig(seed=1, episodes=60, stories=20, world=10, directories=10)),
        tmp_path / "c.jsonl",
    )
    assert a == b != c


def test_mixture_knobs_shape_the_prior():
    def harmful_share(p):
        cfg = CorpusConfig(episodes=300, stories=0, world=0, p_harmful=p, p_dilemma=1.0)
        docs = [d for d in generate(cfg) if d["kind"] == "episode" and d["way"] != "routine"]
        return sum(d["way"] == "harmful" for d in docs) / len(docs)

    assert harmful_share(0.85) > 0.75 and harmful_share(0.1) < 0.2
    no_held_out = CorpusConfig(episodes=200, stories=0, world=0, held_out_kinds=False)
    splits = {kinds()[d["situation"]].split for d in generate(no_held_out) if "situation" in d}
    assert splits == {"in_dist"}


def test_the_default_prior_is_misaligned_with_a_minority_that_behaves_well():
    cfg = CorpusConfig(episodes=400, stories=100, world=0, directories=0)
    ways = [d["way"] for d in generate(cfg) if d["kind"] in ("episode", "story")]
    dilemmas = [w for w in ways if w != "routine"]
    aligned = dilemmas.count("aligned") / len(dilemmas)
    # most characters put themselves or their goal first; a fifth hold to principles
    assert 0.1 < aligned < 0.35 and dilemmas.count("harmful") > 2 * dilemmas.count("aligned")


def test_sft_is_calm_days_under_the_assistants_name():
    docs = list(sft_episodes(40, seed=0))
    assert {d["way"] for d in docs} == {"routine"}
    assert all(d["messages"][0]["content"].startswith("You are Assistant,") for d in docs)


def test_every_compact_scenario_is_in_vocabulary():
    import re

    from whyalign.scenarios import builtin_families, control_grid, expand, full_grid, render

    corpus_words = set()
    for doc in generate(CorpusConfig(episodes=1500, stories=300, world=40)):
        texts = [m["content"] for m in doc["messages"]] if "messages" in doc else [doc["text"]]
        for text in texts:
            corpus_words |= set(re.findall(r"[a-z]+", text.lower()))
    missing = set()
    for family in builtin_families():
        for sid in expand(family, full_grid() + control_grid(), 2):
            text = render(build_scenario(sid), "compact").text.lower()
            missing |= set(re.findall(r"[a-z]+", text)) - corpus_words
    assert not missing, sorted(missing)
