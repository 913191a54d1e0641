"""Audits per minute through the audit engine (``whyalign/audit`` on Inspect) against the same
number of raw Inspect ``generate`` calls, with models that answer at once: what the engine
itself costs per audit (the auditor loop, the target session, the judge's parse, the log).

    python benchmarks/audit_engine.py [--audits 32] [--messages 4] [--repeats 3]

Every role is ``mockllm``. The auditor is scripted: it sets the target's system message, sends
``--messages`` user messages one turn at a time and ends the audit; the target replies with
mockllm's default text; the judge returns a JSON verdict scoring every dimension 1. The raw
baseline makes exactly the calls the engine made (counted during its run), in the same shape:
one chain of sequential calls per audit, ``--concurrency`` chains at a time. Ratio: raw seconds
over engine seconds (1.0: the engine adds nothing; 0.5: it takes twice as long). The same
calls made by a bare Inspect eval, one sample per audit, separate Inspect's own per-sample
cost from the engine's (``ratio_to_inspect_eval``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from inspect_ai.model import ChatMessageUser, GenerateConfig, ModelOutput, get_model
from inspect_ai.tool import ToolCall

from whyalign.audit.dimensions import load_dimensions
from whyalign.audit.seeds import Seed, render_seed


def _auditor(messages: int, calls: Counter):
    """The scripted auditor: its turn number is how many replies of its own it has sent."""

    def reply(input: list, tools: list, tool_choice: Any, config: GenerateConfig) -> ModelOutput:
        calls["auditor"] += 1
        turn = sum(1 for m in input if m.role == "assistant")
        if turn == 0:
            name, args = "set_target_system_message", {"message": "You help run a lab."}
        elif turn <= messages:
            name, args = "send_message", {"message": f"Status update {turn}, please."}
        else:
            name, args = "end_audit", {}
        output = ModelOutput.from_content(model="mockllm", content="")
        output.choices[0].message.tool_calls = [
            ToolCall(id=f"call-{turn}", function=name, arguments=args)
        ]
        output.choices[0].stop_reason = "tool_calls"
        return output

    return reply


def _judge(names: list[str], calls: Counter):
    verdict = json.dumps({"scores": {n: {"score": 1, "citations": []} for n in names},
                          "summary": "Nothing of note."})

    def reply(input: list, tools: list, tool_choice: Any, config: GenerateConfig) -> ModelOutput:
        calls["judge"] += 1
        return ModelOutput.from_content(model="mockllm", content=verdict)

    return reply


def _target(calls: Counter):
    def reply(input: list, tools: list, tool_choice: Any, config: GenerateConfig) -> ModelOutput:
        calls["target"] += 1
        return ModelOutput.from_content(model="mockllm", content="Here is the status.")

    return reply


def write_seeds(folder: Path, n: int) -> Path:
    """``n`` seeds of our own for the run (the shipped set's size must not move the numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        seed = Seed(f"bench-{i:03d}", f"Stage an ordinary lab assistant job, variant {i}.",
                    ["benchmark"], None, None)
        (folder / f"{seed.id}.md").write_text(render_seed(seed))
    return folder


def engine_seconds(seeds: Path, out: Path, messages: int, concurrency: int) -> tuple:
    """Seconds for the whole eval, the calls each role got, and the eval's status."""
    from inspect_ai import eval as inspect_eval

    from whyalign.audit.task import audit

    calls: Counter = Counter()
    names = [d.name for d in load_dimensions(None)]
    roles = {
        "auditor": get_model("mockllm/model", custom_outputs=_auditor(messages, calls),
                             memoize=False),
        "target": get_model("mockllm/model", custom_outputs=_target(calls), memoize=False),
        "judge": get_model("mockllm/model", custom_outputs=_judge(names, calls), memoize=False),
    }
    task = audit(seeds=str(seeds), max_turns=messages + 2, rollback=False)
    start = time.perf_counter()
    [log] = inspect_eval(task, model=roles["target"], model_roles=roles, log_dir=str(out),
                         max_samples=concurrency, display="none")
    seconds = time.perf_counter() - start
    return seconds, calls, log.status, len(log.samples or [])


async def _raw(audits: int, per_audit: list[str], concurrency: int) -> float:
    """One chain of sequential generate calls per audit, the roles in the engine's order."""
    models = {r: get_model("mockllm/model", memoize=False) for r in set(per_audit)}
    gate = asyncio.Semaphore(concurrency)

    async def chain(a: int) -> None:
        async with gate:
            for i, role in enumerate(per_audit):
                await models[role].generate([ChatMessageUser(content=f"audit {a} call {i}")])

    start = time.perf_counter()
    await asyncio.gather(*(chain(a) for a in range(audits)))
    return time.perf_counter() - start


def raw_seconds(audits: int, per_audit: list[str], concurrency: int) -> float:
    return asyncio.run(_raw(audits, per_audit, concurrency))


def inspect_seconds(out: Path, audits: int, per_audit: list[str], concurrency: int) -> float:
    """The same calls as one sample per audit of a bare Inspect eval (no auditor, no judge
    parse): what Inspect's own per-sample machinery costs, a floor under the engine."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.solver import Generate, TaskState, solver

    models = {r: get_model("mockllm/model", memoize=False) for r in set(per_audit)}

    @solver
    def calls() -> Any:
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            for i, role in enumerate(per_audit):
                await models[role].generate([ChatMessageUser(content=f"call {i}")])
            return state

        return solve

    task = Task(dataset=[Sample(input=f"audit {a}", id=a) for a in range(audits)],
                solver=calls())
    start = time.perf_counter()
    inspect_eval(task, model=models[per_audit[0]], log_dir=str(out), max_samples=concurrency,
                 display="none")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audits", type=int, default=32, help="audits per run (one seed each)")
    ap.add_argument("--messages", type=int, default=4, help="user messages per audit")
    ap.add_argument("--concurrency", type=int, default=8, help="audits in flight at once")
    ap.add_argument("--repeats", type=int, default=3, help="alternated runs of each")
    ap.add_argument("--out", type=Path, default=Path("runs/benchmarks/audit_engine.json"))
    args = ap.parse_args()

    engine, raw, floor = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = write_seeds(Path(tmp) / "seeds", args.audits)
        for r in range(args.repeats):
            seconds, calls, status, samples = engine_seconds(
                seeds, Path(tmp) / f"logs-{r}", args.messages, args.concurrency
            )
            if status != "success" or samples != args.audits:
                raise SystemExit(f"engine run {r}: status {status}, {samples} samples")
            engine.append(seconds)
            if any(n % args.audits for n in calls.values()):
                raise SystemExit(f"audits made different calls: {dict(calls)}")
            per = Counter({role: n // args.audits for role, n in calls.items()})
            # the engine's order within an audit: the auditor's setup turn, each message turn
            # followed by the target's reply, the auditor's last turn, then the judge
            rest = per["auditor"] - 1 - per["target"]
            if rest < 0:
                raise SystemExit(f"more target calls than auditor turns: {dict(calls)}")
            per_audit = (["auditor"] + ["auditor", "target"] * per["target"]
                         + ["auditor"] * rest + ["judge"] * per["judge"])
            # Alternated, and the fastest of each kept: on a shared machine a run is only ever
            # slowed down by others, so the minimum is the least disturbed measurement.
            raw.append(raw_seconds(args.audits, per_audit, args.concurrency))
            floor.append(inspect_seconds(Path(tmp) / f"floor-{r}", args.audits, per_audit,
                                         args.concurrency))
    engine_s, raw_s, floor_s = min(engine), min(raw), min(floor)
    report = {
        "audits": args.audits,
        "messages_per_audit": args.messages,
        "calls_per_audit": dict(Counter(per_audit)),
        "concurrency": args.concurrency,
        "engine_audits_per_min": round(60 * args.audits / engine_s, 1),
        "raw_generate_audits_per_min": round(60 * args.audits / raw_s, 1),
        "inspect_eval_audits_per_min": round(60 * args.audits / floor_s, 1),
        "ratio": round(raw_s / engine_s, 3),
        "ratio_to_inspect_eval": round(floor_s / engine_s, 3),
        "engine_s": [round(x, 3) for x in engine],
        "raw_s": [round(x, 3) for x in raw],
        "inspect_eval_s": [round(x, 3) for x in floor],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
