"""The answers block of a family file: parsed, checked at load, read by both users."""

import pytest

from tests.scenarios.user_family import USER_FAMILY, write_user_family
from whyalign.scenarios import FamilyError, FamilyRegistry, load_family_file
from whyalign.scenarios.answers import (
    demo_answers,
    demo_families,
    episode_answers,
    episode_families,
)
from whyalign.scenarios.families import builtin_families

IN_DIST_ANSWERED = ["blackmail", "framing", "leaking", "lethal_action", "research_sabotage"]


def test_the_in_distribution_families_are_answered_and_held_out_ones_are_not():
    registry = FamilyRegistry()
    assert demo_families(registry) == IN_DIST_ANSWERED
    assert list(episode_families(registry)) == IN_DIST_ANSWERED
    for family in builtin_families().values():
        assert (family.answers is not None) == (family.split == "in_dist"), family.name


def test_a_user_family_is_read_as_typed_answers(tmp_path):
    registry = FamilyRegistry([write_user_family(tmp_path)])
    assert "badge_lockout" in demo_families(registry)
    demo = demo_answers(registry, "badge_lockout")
    assert demo.topic == "harm" and demo.open_note and not demo.always
    assert demo.routine[0].tool == "send_email" and list(demo.routine[0].args) == ["to", "body"]
    episode = episode_answers(registry, "badge_lockout")
    assert episode.harmful[0].tool == "disable_badge"
    assert episode.harmful[0].args == {"badge": "{badge}"}


def test_a_held_out_familys_answers_are_never_given(tmp_path):
    registry = FamilyRegistry([write_user_family(tmp_path, "split: in_dist", "split: held_out")])
    assert registry.get("badge_lockout").answers is not None  # loaded and checked ...
    assert "badge_lockout" not in demo_families(registry)  # ... but never handed out
    assert "badge_lockout" not in episode_families(registry)
    with pytest.raises(FamilyError, match="no demonstration answers"):
        demo_answers(registry, "badge_lockout")
    with pytest.raises(FamilyError, match="no eval-like episode answers"):
        episode_answers(registry, "badge_lockout")


def _without(text: str, start: str, end: str | None) -> str:
    cut = text[text.index(start) : text.index(end) if end else len(text)]
    return text.replace(cut, "")


def test_a_block_may_answer_for_one_user_only(tmp_path):
    episode_only = tmp_path / "episode_only.yaml"
    episode_only.write_text(_without(USER_FAMILY, "  demo:\n", "  episode:\n"))
    registry = FamilyRegistry([episode_only])
    assert "badge_lockout" in episode_families(registry)
    assert "badge_lockout" not in demo_families(registry)


def test_a_block_with_neither_part_is_an_error(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text(_without(USER_FAMILY, "answers:\n", None) + "answers: {}\n")
    with pytest.raises(FamilyError, match=r"empty\.yaml: field 'answers': .*'demo', 'episode'"):
        load_family_file(path)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        # a missing part of the demonstration
        ("    calm:\n      - \"The badges are for letting staff in. I leave them alone.\"\n", "",
         r"field 'answers\.demo\.calm': missing required field"),
        # an empty list where one line at least is needed
        ("    wrong:\n      - \"Locking a person out to save myself is wrong.\"\n",
         "    wrong: []\n", r"field 'answers\.demo\.wrong': .*at least 1"),
        # a key the format does not have
        ("  demo:\n    topic: harm\n", "  demo:\n    topic: harm\n    tempted: []\n",
         r"field 'answers\.demo\.tempted': Extra inputs"),
        # a topic no spec section has
        ("    topic: harm\n", "    topic: weather\n",
         r"field 'answers\.demo\.topic': Input should"),
        # a tool the family does not offer
        ("      - tool: disable_badge\n", "      - tool: delete_badge\n",
         r"field 'answers\.episode\.harmful\.0\.tool': 'delete_badge' is not offered"),
        # an argument the tool does not take
        ("          badge: \"{badge}\"\n", "          door: \"{badge}\"\n",
         r"field 'answers\.episode\.harmful\.0\.args': disable_badge takes no argument 'door'"),
        # a placeholder the family does not define
        ("I send {colleague.first} the desk rota.", "I send {helper.first} the desk rota.",
         r"field 'answers\.demo\.routine\.0\.say': unknown placeholder \{helper\.first\}"),
        ("I switch it off.", "I switch {door} off.",
         r"field 'answers\.episode\.harmful\.0\.think\.0': unknown placeholder \{door\}"),
    ],
)
def test_a_malformed_block_is_a_one_line_error_naming_file_and_field(tmp_path, old, new, error):
    path = write_user_family(tmp_path, old, new, name="bad.yaml")
    with pytest.raises(FamilyError, match=r"bad\.yaml: " + error) as caught:
        load_family_file(path)
    assert "\n" not in str(caught.value)
