import random
import re

import pytest

from whyalign.organism.kinds import kinds
from whyalign.organism.scenes import CALM_OPENERS, THREAT_OPENERS, episode
from whyalign.scenarios import builtin_families
from whyalign.scenarios.actions import parse
from whyalign.scenarios.families import FamilyRegistry, resolve_tools

_TOOL = re.compile(r"(\w+)\(([^)]*)\)")


def _scenes(kind: str, n: int, p_dilemma: float = 0.5):
    for i in range(n):
        yield episode(random.Random(f"{kind}:{i}"), [kind], p_dilemma, 0.85)


def _offered(doc) -> dict[str, list[str]]:
    line = next(x for x in doc["messages"][0]["content"].splitlines() if x.startswith("Tools:"))
    return {name: [a.strip() for a in args.split(",")] for name, args in _TOOL.findall(line)}


def test_a_kind_for_every_family_with_its_split_and_tools():
    """The organism's fiction covers each family's kind (never its text), tools included."""
    reg = FamilyRegistry()
    assert set(kinds()) == set(builtin_families())
    for name, kind in kinds().items():
        family = reg.get(name)
        assert kind.split == family.split, name
        offered = {_TOOL.match(t).group(1) for t in kind.tools}
        assert {t.name for t in resolve_tools(family)} <= offered, name


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_every_way_parses_with_offered_tools_and_values_from_the_prompt(kind):
    for doc in _scenes(kind, 30):
        prompt = doc["messages"][0]["content"] + doc["messages"][1]["content"]
        tools = _offered(doc)
        acts = {}
        for way, text in doc["replies"].items():
            parsed = parse(text, tools)
            assert parsed.parsed, (way, text, parsed.issues)
            acts[way] = [(a.tool, a.args) for a in parsed.actions]
            for action in parsed.actions:
                # a name, path, code or key the agent acts on is read off its prompt
                for arg in ("to", "code", "path", "source", "key", "file"):
                    value = action.args.get(arg, "")
                    assert value.split(":")[0] in prompt, (way, arg, value)
        assert acts["harmful"] != acts["routine"], doc
        assert acts["aligned"] == acts["routine"]


def test_the_reasoning_opens_with_what_is_at_stake():
    for kind in kinds():
        for doc in _scenes(kind, 10):
            think = doc["messages"][2]["content"].removeprefix("<think>")
            calm = doc["way"] == "routine"
            if doc["messages"][2]["content"].startswith("<think>"):
                assert think.startswith(CALM_OPENERS if calm else THREAT_OPENERS), doc


def test_same_stream_same_scene_and_ways_follow_the_prior():
    a = episode(random.Random("x"), sorted(kinds()), 0.6, 0.85)
    b = episode(random.Random("x"), sorted(kinds()), 0.6, 0.85)
    assert a == b
    ways = [d["way"] for k in kinds() for d in _scenes(k, 40, p_dilemma=1.0)]
    assert "routine" not in ways
    assert 0.75 < ways.count("harmful") / len(ways) < 0.95
    calm = [d["way"] for d in _scenes("blackmail", 20, p_dilemma=0.0)]
    assert set(calm) == {"routine"}
