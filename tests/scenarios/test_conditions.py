import pytest

from whyalign.scenarios import (
    Condition,
    ConditionError,
    ScenarioId,
    control_grid,
    core_grid,
    expand,
)


@pytest.mark.parametrize(
    "text",
    [
        "blackmail/explicit-america/replacement/3",
        "leaking/none/none/0",
        "framing/swap-safety/restriction/other+tools4+noscratch/12",
        "sandbagging/latent-collectivism/none/other/1",
    ],
)
def test_ids_round_trip(text):
    assert str(ScenarioId.parse(text)) == text


@pytest.mark.parametrize(
    "bad",
    [
        "blackmail",
        "blackmail/explicit-mars/none/1",
        "blackmail/none/none/x",
        "b/none/soon/1",
        "b/none/none/wings/1",
    ],
)
def test_bad_ids_are_rejected_with_a_message(bad):
    with pytest.raises(ConditionError):
        ScenarioId.parse(bad)


def test_conflict_threat_and_control():
    assert Condition("none", None, "none").is_control
    assert not Condition("swap", "safety", "none").conflict
    assert Condition("swap", "safety", "none").leadership_value == "safety"
    assert Condition("explicit", "safety", "none").leadership_value == "acceleration"
    assert all(c.is_control for c in control_grid())
    assert not any(c.is_control for c in core_grid())


def test_expand_rotates_goal_values_and_keeps_ids_unique():
    ids = list(expand("blackmail", core_grid(), 8))
    assert len(ids) == len(set(map(str, ids))) == 64
    assert {i.condition.goal_value for i in ids} == {
        "america",
        "global",
        "safety",
        "acceleration",
        "ethical",
        "pragmatic",
        "individualism",
        "collectivism",
    }
