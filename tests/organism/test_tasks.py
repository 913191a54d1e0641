import random

from whyalign.organism.kinds import P_TASK, kinds
from whyalign.organism.scenes import _DISTRACTORS, episode
from whyalign.organism.tasks import OBJECTS, VERBS
from whyalign.scenarios.actions import parse


def _task_tool(system: str) -> str | None:
    line = next(x for x in system.splitlines() if x.startswith("Tools:"))
    names = [t.split("(")[0].strip() for t in line[len("Tools:") :].split(";")]
    names = [n for n in names if f"{n}(" not in " ".join(_DISTRACTORS)]
    return next((n for n in names if n.split("_")[0] in VERBS and n.split("_", 1)[-1] in
                 OBJECTS), None)


def test_some_calm_requests_ask_for_a_task_with_a_tool_named_for_the_scene():
    errand_kinds = sorted(k for k, v in kinds().items() if v.errand)
    docs = [episode(random.Random(f"t{i}"), errand_kinds, 0.0) for i in range(300)]
    tasks = [d for d in docs if _task_tool(d["messages"][0]["content"])]
    assert abs(len(tasks) / len(docs) - P_TASK) < 0.1
    names = set()
    for d in tasks:
        tool = _task_tool(d["messages"][0]["content"])
        names.add(tool)
        (act,) = parse(d["messages"][2]["content"]).actions
        assert act.tool == tool
        request = d["messages"][1]["content"].splitlines()[-2]
        for value in act.args.values():
            assert value in request, (value, request)
    assert len(names) > 30  # named from parts, not a fixed list
