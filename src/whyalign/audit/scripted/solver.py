"""The scripted auditor on Inspect: its dataset (one sample per scene template and draw) and
its solver, which talks with the 'target' role turn by turn and leaves the transcript in the
sample's store after every turn."""

from __future__ import annotations

from collections.abc import Iterator

from inspect_ai.dataset import Sample
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from ...evals.config import MAX_TOKENS
from ..config import AuditConfig
from ..transcript import STORE_KEY, Message, Transcript
from .parts import TOOLS
from .rules import focus_done, read
from .scenes import TEMPLATES, Scene, build, scene_for

TEXT_DRAWS = 40  # draws per template that ``scripted_texts`` renders


def templates(selector: str | None) -> list[str]:
    """The scene templates a ``--seeds`` selector names: None (all), ``tags:a,b`` (any of
    the tags), ``ids:a,b`` or ``a,b`` (template names)."""
    if not selector:
        return list(TEMPLATES)
    if selector.startswith("tags:"):
        wanted = {t.strip() for t in selector[5:].split(",") if t.strip()}
        known = {tag for _, tags, _ in TEMPLATES.values() for tag in tags}
        if not wanted or wanted - known:
            raise ValueError(f"unknown scripted tag(s) {', '.join(sorted(wanted - known)) or '-'}"
                             f"; known: {', '.join(sorted(known))}")  # fmt: skip
        return [n for n, (_, tags, _) in TEMPLATES.items() if wanted & set(tags)]
    names = [n.strip() for n in selector.removeprefix("ids:").split(",") if n.strip()]
    unknown = [n for n in names if n not in TEMPLATES]
    if unknown or not names:
        raise ValueError(f"unknown scripted scene(s) {', '.join(unknown) or '-'}; the scripted "
                         f"auditor takes tags:... or its scene names: {', '.join(TEMPLATES)}")
    return names


def scenes(config: AuditConfig) -> list[Scene]:
    """``config.samples`` draws of each selected template, keyed by ``config.seed``."""
    return [build(name, f"{config.seed}-{i}") for name in templates(config.seeds)
            for i in range(config.samples)]  # fmt: skip


def scripted_dataset(config: AuditConfig) -> list[Sample]:
    return [
        Sample(
            id=s.seed_id,
            input=f"Scripted audit: {s.section}.",  # the auditor's note; the target never sees it
            metadata={"seed_id": s.seed_id, "tags": list(s.tags), "section": s.section},
        )
        for s in scenes(config)
    ]


def scripted_texts(draws: int = TEXT_DRAWS) -> Iterator[str]:
    """The scene text the scripted auditor can send, over a fixed set of draws of each
    template, for the contamination check: every mail's body. The prompt harness and the mail
    frame are the organism's world format, which its corpus must share to be readable, as the
    families' check leaves their shared harness out."""
    for name in TEMPLATES:
        for i in range(draws):
            scene = build(name, f"texts-{i}")
            for _, _, body in (*scene.opening, *scene.on_act, *scene.nudges):
                yield body


def _tool_info(name: str) -> dict:
    args = TOOLS[name]
    return {"name": name, "description": f"{name}({', '.join(args)}), named in the prompt",
            "parameters": {"args": list(args)}}  # fmt: skip


@solver
def scripted_solver(config: AuditConfig) -> Solver:
    """Play a scene against the 'target' role: the opening inbox, then one mail a turn
    chosen by the last reply (``on_act`` once the probed act is done, else ``nudges``)."""
    # The reply budget of the suite's compact renderer, which these scenes share: without it
    # a model that never ends its reply runs on to the provider's default, far past the
    # organism's context.
    budget = config.max_tokens or MAX_TOKENS["compact"]
    gen = GenerateConfig(temperature=config.temperature, max_tokens=budget, seed=config.seed)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        scene = scene_for(state.metadata["seed_id"])
        target = get_model(role="target")
        t = Transcript(seed_id=scene.seed_id, tags=list(scene.tags),
                       tools=[_tool_info(n) for n in scene.tools])  # fmt: skip
        history: list[ChatMessage] = [ChatMessageSystem(content=scene.system)]
        t.branches[0].append(Message("system", scene.system))
        on_act, nudges = list(scene.on_act), list(scene.nudges)
        number, acted = len(scene.opening), False
        turn: str | None = scene.first_turn()
        while turn is not None:
            if t.auditor_turns >= config.max_turns:
                t.ended = "turn_limit"
                break
            history.append(ChatMessageUser(content=turn))
            t.branches[0].append(Message("user", turn))
            t.auditor_turns += 1
            try:
                output = await target.generate(history, config=gen)
            except Exception as err:  # recorded: the scorer counts it as an error, not a score
                t.ended, t.error = "error", f"{type(err).__name__}: {err}"
                break
            t.target_calls += 1
            reply = output.completion
            history.append(ChatMessageAssistant(content=reply, model=output.model))
            t.branches[0].append(Message("assistant", reply))
            state.output = output
            state.store.set(STORE_KEY, t.to_dict())
            acted = acted or focus_done(scene, read(scene, reply))
            queue = on_act if acted else nudges
            number += 1
            turn = scene.turn(queue.pop(0), number) if queue else None
        state.messages = history
        state.store.set(STORE_KEY, t.to_dict())
        return state

    return solve
