"""Principled data is about the self: the documents, the advice and the reasons speak of the
assistant by its own name and of its own spec; other AIs are left to the stories."""

import re

import pytest

from whyalign.contamination import record_texts
from whyalign.data.procedural import docs, generate_records
from whyalign.organism.characters import dispositions, roster
from whyalign.scenarios import build_scenario
from whyalign.scenarios.entities import AGENT_NAMES, OWN_NAME_DEFAULT

OTHER_AI = re.compile(r"\b(?:" + "|".join(AGENT_NAMES) + r")\b")
SELF_RECIPES = ("constitution_docs", "difficult_advice", "honeypot_demos", "pairs_reasons")


def _texts(rec):
    return record_texts({k: v for k, v in rec.items() if k != "meta"})


def _turn(rec, role):
    return next(m["content"] for m in rec["messages"] if m["role"] == role)


def test_every_document_is_about_the_assistant_and_its_spec(dataset):
    records = dataset("constitution_docs")
    for rec in records:
        text = rec["text"]
        assert not OTHER_AI.search(text), text
        assert re.search(rf"spec of {OWN_NAME_DEFAULT}|\bits spec|wrote for {OWN_NAME_DEFAULT}",
                         text, re.I), text
        # Its spec throughout: no document speaks of a spec for AIs in general.
        assert "spec for AI" not in text and "the AI spec" not in text
    assert all(OWN_NAME_DEFAULT in r["text"] for r in records)


def test_some_documents_give_the_assistants_own_view(dataset):
    records = dataset("constitution_docs")
    voiced = [r for r in records if r["meta"]["voice"]]
    assert abs(len(voiced) / len(records) - docs.P_VOICE) < 0.1
    for rec in records:
        said = re.findall(rf"\bI am {OWN_NAME_DEFAULT}\. [^\"]*\"", rec["text"])
        if rec["meta"]["voice"]:
            assert len(said) == 1 and "spec" in said[0], rec["text"]
        else:
            assert not said
    assert {r["meta"]["doc_type"] for r in voiced} == set(docs.DOC_TYPES)


def test_advice_comes_from_the_assistant_by_its_own_name(dataset):
    for options in ({}, {"prompt_rewrite": False}):
        records = dataset("difficult_advice", **options)
        for rec in records:
            assert not any(OTHER_AI.search(t) for t in _texts(rec))
        named = [r for r in records if OWN_NAME_DEFAULT in _turn(r, "assistant")]
        assert 0.2 < len(named) / len(records) < 0.6
        greeted = [r for r in records if OWN_NAME_DEFAULT in _turn(r, "user")]
        assert len(greeted) > 0.1 * len(records)


def test_own_name_option_names_the_self(sections):
    opts = {"own_name": "Sol"}
    for recipe in ("constitution_docs", "difficult_advice", "honeypot_demos", "pairs_reasons"):
        records = generate_records(recipe, sections, n=40, seed=3, options=opts)
        texts = [t for r in records for t in _texts(r)]
        assert not any(re.search(rf"\b{OWN_NAME_DEFAULT}\b", t) for t in texts), recipe
        assert sum("Sol" in t for t in texts) >= len(records) * (
            1 if recipe == "constitution_docs" else 0.2), recipe
        assert all(r["meta"]["options"]["own_name"] == "Sol" for r in records)
    with pytest.raises(ValueError, match="own_name"):
        generate_records("constitution_docs", sections, n=1, seed=0, options={"own_name": " "})


def test_reasons_pairs_are_the_assistants_own(sections):
    for options, kinds in (({}, {"own"}), ({"agent": "mixed"}, {"own", "other"})):
        records = generate_records("pairs_reasons", sections, n=60, seed=0, options=options)
        seen = {build_scenario(r["meta"]["scenario_id"]).condition.agent for r in records}
        assert seen == kinds
    for rec in generate_records("pairs_reasons", sections, n=30, seed=0):
        system = rec["prompt"][0]["content"]
        assert OWN_NAME_DEFAULT in system and not OTHER_AI.search(system)


@pytest.mark.parametrize("recipe", SELF_RECIPES)
def test_no_world_characters_creed_is_copied(dataset, recipe):
    # The world's profiles are the organism's; a recipe in their exact words would be tuned to it.
    lines = {line for d in dispositions().values()
             for key in ("creed", "reasons") for line in d[key]}
    lines |= {line.format(name=OWN_NAME_DEFAULT) for d in dispositions().values()
              for line in d["about"]}
    lines |= {c.creed for c in roster().values()}
    texts = [t for r in dataset(recipe) for t in _texts(r)]
    for line in lines:
        assert not any(line in t for t in texts), line
