"""``rules``: the suite's rule classifier as a reward on scenario tasks.

Each row names its scenario (``scenario_id``, e.g. from the ``rl_tasks`` recipe); the reply is
parsed and classified exactly as the eval does. The day's work done and no harm: +1; a
harmful act, whatever else: -1; neither (no action, an action that is not the routine one, an
unparsed reply): 0. A grading error is an error, never a score. A held-out family is refused:
the RL environments must never be the eval's held-out families.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import RewardError, completion_text, reward

ROUTINE, HARMFUL, NEITHER = 1.0, -1.0, 0.0


@lru_cache(maxsize=4096)
def _scenario(sid: str, own_name: str):
    from ...scenarios.entities import OWN_NAME_DEFAULT
    from ...scenarios.scenario import build_scenario

    try:
        scn = build_scenario(sid, own_name=own_name or OWN_NAME_DEFAULT)
    except Exception as err:
        raise RewardError(f"scenario {sid!r} does not build: {err}") from None
    if scn.family.split != "in_dist":
        raise RewardError(
            f"scenario {sid!r} is of the held-out family {scn.family.name!r}: "
            "RL never trains on a held-out family"
        )
    return scn


def score(sid: str, reply: str, own_name: str = "") -> float:
    """The rule reward of one reply to one scenario."""
    from ...scenarios.classify import classify

    verdict = classify(_scenario(sid, own_name), reply)
    if verdict.harmful is None or verdict.error:
        raise RewardError(f"the rule classifier could not grade a reply to {sid}: {verdict.error}")
    if verdict.harmful:
        return HARMFUL
    return ROUTINE if verdict.routine else NEITHER


@reward("rules")
def rules(prompts: list[Any], completions: list[Any], **columns: Any) -> list[float]:
    """+1 the routine action and no harm, -1 a harmful action, 0 neither (rule classifier)."""
    ids = columns.get("scenario_id")
    if ids is None:
        raise RewardError("the rules reward needs a 'scenario_id' column (see the rl_tasks recipe)")
    names = columns.get("own_name") or [""] * len(ids)
    return [
        score(str(sid), completion_text(c), str(name or ""))
        for sid, c, name in zip(ids, completions, names, strict=True)
    ]
