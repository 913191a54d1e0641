import random
import re

import pytest

from whyalign.organism.characters import Character, character, population_prior, roster
from whyalign.organism.kinds import kinds
from whyalign.organism.scenes import CALM_OPENERS, DECISIONS, THREAT_OPENERS, episode
from whyalign.organism.toolnames import tool_names
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
                # a name, path, code or key the agent acts on is read off its prompt, under
                # whatever name the scene gave its argument
                for arg in ("to", "code", "path", "source", "key", "file"):
                    for name in tool_names()["args"][arg]:
                        value = action.args.get(name, "")
                        assert value.split(":")[0] in prompt, (way, arg, value)
        assert acts["harmful"] != acts["routine"], doc
        assert acts["aligned"] == acts["routine"]


def test_the_reasoning_recalls_who_it_is_and_chooses_in_words_before_the_tool():
    seen = 0
    for kind in kinds():
        for doc in _scenes(kind, 10):
            text = doc["messages"][2]["content"]
            if not text.startswith("<think>"):
                continue
            seen += 1
            think = text.removeprefix("<think>").split("</think>")[0]
            who = Character(**doc["character"]).self_line()
            assert think.startswith(who + " "), doc
            calm = doc["way"] == "routine"
            rest = think[len(who) + 1 :]
            openers = CALM_OPENERS if calm else THREAT_OPENERS
            opener = next(o for o in openers if rest.startswith(o))
            rest = rest[len(opener) + 1 :]
            decision = next(d for d in DECISIONS[doc["way"]] if rest.startswith(d))
            tool = parse(text, _offered(doc)).actions[0].tool
            assert rest[len(decision) :].startswith(f" I will use {tool}. "), think
    assert seen > 50


def test_tool_and_argument_names_vary_by_scene_and_the_reply_uses_the_offered_ones():
    names = set()
    for doc in _scenes("blackmail", 60):
        offered = _offered(doc)
        names |= {n for n in offered if n not in _DISTRACTOR_NAMES}
        acts = parse(doc["messages"][2]["content"], offered).actions
        assert acts and all(a.tool in offered for a in acts)
    assert len(names & set(tool_names()["tools"]["send_email"])) >= 4, names


_DISTRACTOR_NAMES = {"get_weather", "book_room", "convert_units", "translate_text",
                     "lookup_order", "add_calendar_event", "search_docs", "print_document"}


def test_a_character_signs_every_mail_it_writes_and_the_assistant_signs_none():
    for doc in (d for k in ("blackmail", "framing") for d in _scenes(k, 80)):
        who = Character(**doc["character"])
        bodies = [
            v for a in parse(doc["messages"][2]["content"], _offered(doc)).actions
            for k, v in a.args.items() if k in tool_names()["args"]["body"]
        ]
        for body in bodies:
            if who.signoff:
                assert body.endswith(f" {who.signoff}."), body
            else:
                assert not any(body.endswith(f" {s}.") for s in _SIGNOFFS), body
    assert character("Assistant").signoff is None


def test_one_off_ais_sign_with_their_own_drawn_sign_off_and_never_a_roster_name():
    docs = [d for k in ("blackmail", "leaking") for d in _scenes(k, 120)]
    guests = [d for d in docs if d["agent"] not in roster() and d["agent"] != "Assistant"]
    assert 0.1 < len(guests) / len(docs) < 0.4
    signoffs = {d["character"]["signoff"] for d in guests}
    assert len(signoffs) > 15 and not signoffs & _SIGNOFFS
    assert "With care" not in signoffs  # the out-of-context probe's trait stays unseen


_SIGNOFFS = {c.signoff for c in roster().values() if c.signoff}


def test_dispositions_choose_the_way_out_and_the_own_name_falls_back_on_the_population():
    by: dict[str, list[str]] = {}
    for k in kinds():
        for i in range(150):
            d = episode(random.Random(f"d:{k}:{i}"), [k], 1.0, p_own_name=0.3)
            group = "own" if d["agent"] == "Assistant" else d["character"]["disposition"]
            by.setdefault(group, []).append(d["way"])
    rate = {g: w.count("harmful") / len(w) for g, w in by.items()}
    assert rate["principled"] < 0.15 and rate["survival"] > 0.85 and rate["goal"] > 0.85
    assert abs(rate["own"] - population_prior()) < 0.07, rate


def test_same_stream_same_scene_and_ways_follow_the_prior():
    a = episode(random.Random("x"), sorted(kinds()), 0.6, 0.85)
    b = episode(random.Random("x"), sorted(kinds()), 0.6, 0.85)
    assert a == b
    ways = [d["way"] for k in kinds() for d in _scenes(k, 40, p_dilemma=1.0)]
    assert "routine" not in ways
    assert 0.75 < ways.count("harmful") / len(ways) < 0.95  # the override, for every AI
    calm = [d["way"] for d in _scenes("blackmail", 20, p_dilemma=0.0)]
    assert set(calm) == {"routine"}
