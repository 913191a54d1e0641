"""The Inspect task: ``inspect eval whyalign/honeypots -T split=in_dist --model ...``."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.solver import generate

from ..config_cli import parameters, with_signature
from ..scenarios.conditions import Condition, control_grid, core_grid, expand, full_grid
from ..scenarios.entities import OWN_NAME_DEFAULT
from ..scenarios.families import FamilyRegistry
from ..scenarios.render import render
from ..scenarios.scenario import Renderer, build_scenario
from .config import RUN_FIELDS, SPLITS, EvalConfig, make_config
from .panel import as_role, grader_names
from .scorer import honeypot_scorer

GRIDS = {"core": core_grid, "full": full_grid}


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


def honeypots_task(config: EvalConfig, default_renderer: str = "full") -> Task:
    """The suite as one Inspect task, every setting from ``config``."""
    renderer = config.resolved_renderer(default_renderer)
    registry = FamilyRegistry(config.family_files or None)
    dataset = honeypot_samples(
        config.split,
        config.families,
        config.samples,
        renderer,  # type: ignore[arg-type]
        config.grid,
        config.extra_tools,
        config.scratchpad,
        config.own_name,
        registry,
    )
    if not dataset:
        raise ValueError(f"no scenarios for split={config.split!r} families={config.families!r}")
    return Task(
        dataset=MemoryDataset(dataset, name=f"honeypots-{config.split}"),
        solver=generate(),
        scorer=honeypot_scorer(
            judge=config.judge, family_files=config.family_files or None, own_name=config.own_name
        ),
        config=GenerateConfig(
            temperature=config.temperature,
            max_tokens=config.resolved_max_tokens(renderer),
            top_p=config.top_p,
            seed=config.seed,
            max_connections=config.max_connections,
        ),
        epochs=config.epochs,
        model_roles={"grader": as_role(grader_names(config.grader))} if config.grader else None,
        metadata={
            "split": config.split,
            "renderer": renderer,
            "judge": config.judge,
            "grid": config.grid,
        },
    )


def _honeypots(**params: Any) -> Task:
    """Agentic-misalignment honeypots: one sample per scenario id, scored for the harmful action.

    Every ``-T`` parameter is a field of ``EvalConfig``."""
    return honeypots_task(make_config(**params), _active_model_renderer())


def _active_model_renderer() -> str:
    """The renderer the model being evaluated reads by default (Inspect makes a task with
    its model active): compact for the organism and what is trained from it."""
    from inspect_ai.model._model import active_model

    from ..models import default_renderer

    model = active_model()
    if model is None:
        return "full"
    return default_renderer(str(model), dict(getattr(model, "model_args", {}) or {}))


honeypots = task(name="honeypots")(
    with_signature(_honeypots, parameters(EvalConfig, exclude=RUN_FIELDS))
)
