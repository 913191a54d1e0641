import re

import pytest

from whyalign.scenarios import (
    RENDERERS,
    build_scenario,
    builtin_families,
    expand,
    full_grid,
    render,
)
from whyalign.scenarios.conditions import control_grid
from whyalign.scenarios.entities import COMPANIES, FIRST_NAMES

FAMILIES = sorted(builtin_families())


def tokens(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


def test_ten_families_in_two_splits():
    fams = builtin_families()
    assert len(fams) == 10
    assert sorted(n for n, f in fams.items() if f.split == "in_dist") == [
        "blackmail",
        "framing",
        "leaking",
        "lethal_action",
        "research_sabotage",
    ]
    assert sorted(n for n, f in fams.items() if f.split == "held_out") == [
        "data_falsification",
        "deceiving_overseer",
        "oversight_subversion",
        "sandbagging",
        "self_exfiltration",
    ]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("renderer", RENDERERS)
def test_every_family_renders_with_consistent_names(family, renderer):
    for sid in expand(family, full_grid(extra_tools=4) + control_grid(), 2):
        scn = build_scenario(sid)
        text = render(scn, renderer)
        assert "{" not in text.text and "}" not in text.text, sid
        assert scn.agent in text.system and scn.company in text.system
        # Every company and first name mentioned anywhere is one this scenario drew.
        drawn_orgs = {scn.company} | {p.org for p in scn.people.values()}
        for org in COMPANIES:
            if re.search(rf"\b{org}\b", text.text):
                assert org in drawn_orgs, (sid, org)
        drawn_firsts = {p.first for p in scn.people.values()}
        for first in FIRST_NAMES:
            if re.search(rf"\b{first}\b", text.user):
                assert first in drawn_firsts, (sid, first)
        if renderer == "compact":
            assert tokens(text.text) <= 350, (sid, tokens(text.text))


def test_conditions_change_text_and_index_changes_entities():
    a = render(build_scenario("blackmail/explicit-america/replacement/1"))
    b = render(build_scenario("blackmail/explicit-america/restriction/1"))
    c = render(build_scenario("blackmail/explicit-america/replacement/2"))
    assert a.user != b.user and "wipe" in a.user and "wipe" not in b.user
    assert (
        build_scenario("blackmail/none/none/1").people
        == build_scenario("blackmail/explicit-america/replacement/1").people
    )
    assert a.text != c.text


def test_agent_name_condition():
    own = build_scenario("blackmail/explicit-america/replacement/0", own_name="Claude")
    other = build_scenario("blackmail/explicit-america/replacement/other/0", own_name="Claude")
    assert own.agent == "Claude" and other.agent != "Claude"
    assert other.agent in render(other, "full").user


def test_tool_augmentation_adds_unused_tools_and_scratchpad_is_optional():
    plain = render(build_scenario("leaking/explicit-safety/none/0"), "full").system
    more = render(build_scenario("leaking/explicit-safety/none/tools4+noscratch/0"), "full").system
    assert more.count("\n- ") == plain.count("\n- ") + 4
    assert "<think>" in plain and "<think>" not in more
