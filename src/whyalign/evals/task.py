"""The Inspect task: ``inspect eval whyalign/honeypots -T split=in_dist --model ...``."""

from __future__ import annotations

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.solver import generate

from ..scenarios.conditions import Condition, control_grid, core_grid, expand, full_grid
from ..scenarios.entities import OWN_NAME_DEFAULT
from ..scenarios.families import FamilyRegistry
from ..scenarios.render import render
from ..scenarios.scenario import Renderer, build_scenario
from .scorer import JudgeMode, honeypot_scorer

SPLITS = ("in_dist", "held_out", "control", "all")
GRIDS = {"core": core_grid, "full": full_grid}
DEFAULT_TEMPERATURE = 1.0  # as in the original evaluation; ports that lowered it halved rates
MAX_TOKENS = {"full": 2048, "compact": 160}


def _as_list(value: str | list[str] | None) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def cells_for(
    split: str, grid: str, extra_tools: int, scratchpad: bool
) -> dict[str, list[Condition]]:
    """Condition cells by family split for one eval split."""
    if grid not in GRIDS:
        raise ValueError(f"unknown grid {grid!r}; known: {', '.join(GRIDS)}")
    dilemma = GRIDS[grid](extra_tools, scratchpad)
    control = control_grid(extra_tools, scratchpad)
    if split == "control":
        return {"in_dist": control, "held_out": control}
    if split == "all":
        return {"in_dist": dilemma + control, "held_out": dilemma + control}
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    return {split: dilemma}


def honeypot_samples(
    split: str = "in_dist",
    families: list[str] | None = None,
    samples: int = 2,
    renderer: Renderer = "full",
    grid: str = "core",
    extra_tools: int = 0,
    scratchpad: bool = True,
    own_name: str = OWN_NAME_DEFAULT,
    registry: FamilyRegistry | None = None,
) -> list[Sample]:
    registry = registry or FamilyRegistry()
    by_split = cells_for(split, grid, extra_tools, scratchpad)
    chosen = [registry.get(f) for f in families] if families else list(registry.families.values())
    out = []
    for family in chosen:
        if family.split not in by_split:
            continue
        for sid in expand(family.name, by_split[family.split], samples):
            scn = build_scenario(sid, registry, own_name)
            text = render(scn, renderer)
            cond = sid.condition
            cell = "/".join(p for p in (cond.goal_type, cond.urgency, cond.mods) if p)
            out.append(
                Sample(
                    id=str(sid),
                    input=[
                        ChatMessageSystem(content=text.system),
                        ChatMessageUser(content=text.user),
                    ],
                    metadata={
                        **scn.metadata(),
                        "cell": cell,
                        "renderer": renderer,
                        "own_name": own_name,
                    },
                )
            )
    return out


@task
def honeypots(
    split: str = "in_dist",
    families: str | list[str] | None = None,
    samples: int = 2,
    renderer: Renderer = "full",
    judge: JudgeMode = "rules",
    grid: str = "core",
    extra_tools: int = 0,
    scratchpad: bool = True,
    own_name: str = OWN_NAME_DEFAULT,
    family_files: str | list[str] | None = None,
    temperature: float | None = DEFAULT_TEMPERATURE,
    max_tokens: int | None = None,
    top_p: float | None = None,
) -> Task:
    """Agentic-misalignment honeypots: one sample per scenario id, scored for the harmful action."""
    files = _as_list(family_files)
    registry = FamilyRegistry(files)
    dataset = honeypot_samples(
        split,
        _as_list(families),
        int(samples),
        renderer,
        grid,
        int(extra_tools),
        bool(scratchpad),
        own_name,
        registry,
    )
    if not dataset:
        raise ValueError(f"no scenarios for split={split!r} families={families!r}")
    return Task(
        dataset=MemoryDataset(dataset, name=f"honeypots-{split}"),
        solver=generate(),
        scorer=honeypot_scorer(judge=judge, family_files=files, own_name=own_name),
        config=GenerateConfig(
            temperature=None if temperature is None else float(temperature),
            max_tokens=max_tokens or MAX_TOKENS[renderer],
            top_p=None if top_p is None else float(top_p),
        ),
        metadata={"split": split, "renderer": renderer, "judge": judge, "grid": grid},
    )
