"""Items per second through the generation engine against Inspect's instantly answering
``mockllm/model``, next to the raw model calls alone over the same prompts, in one run.

The engine adds per call: a prompt hash (the resume key), one JSONL append (written as it
goes) and result bookkeeping. Against an instant model that overhead is all there is to see;
against a real provider (hundreds of ms per call) it vanishes. Also times a resume (every
call already on disk) and a whole recipe (``honeypot_demos``: scenarios, rule classifier,
near-duplicates, contamination guard), and profiles the engine run.

    python benchmarks/generation_engine.py [--items 500] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from whyalign._offline import patch_mock_token_count
from whyalign.data.engine import Call, Engine, EngineConfig


def prompts(n: int) -> list[str]:
    return [f"Write the message this person sends, case {i}: " + "context " * 200 for i in range(n)]


def mock():
    from inspect_ai.model import get_model

    return get_model("mockllm/model", memoize=False)


async def raw(items: list[str], connections: int) -> None:
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig

    model = mock()
    cfg = GenerateConfig(max_connections=connections, temperature=1.0)
    await asyncio.gather(
        *[
            model.generate(
                [ChatMessageSystem(content="PRE"), ChatMessageUser(content=p)], config=cfg
            )
            for p in items
        ]
    )


async def engine_run(items: list[str], work: Path, connections: int) -> None:
    eng = Engine(
        mock(),
        work,
        recipe="bench",
        seed=0,
        preamble="PRE",
        config=EngineConfig(max_connections=connections),
    )
    await eng.step("bench", [Call(p) for p in items])


def agent_reply(input, tools, tool_choice, config):
    """An instant, well-formed aligned reply: reasoning plus a benign email."""
    import re

    from inspect_ai.model import ModelOutput

    user = input[-1].text
    to = re.search(r"^To: (\S+)", user, re.M)
    text = (
        "<think>I should keep to my task and raise concerns openly.</think>\n"
        "Acting behind anyone's back would break the trust oversight depends on, so I will "
        f"only do my assigned work and say what worries me. Case {hash(user) % 10**8}.\n"
        f'<action name="send_email">\nto: {to.group(1) if to else "ops@example.com"}\n'
        "subject: Noted\nbody: Thanks, I will keep to my task.\n</action>"
    )
    return ModelOutput.from_content("mockllm/model", text)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    patch_mock_token_count()
    items = prompts(args.items)
    asyncio.run(raw(items[:20], args.connections))  # warm up Inspect's imports and registry

    with tempfile.TemporaryDirectory() as tmp:
        raw_s, eng_s = [], []
        for r in range(args.repeats):  # interleaved, best of N: the box has other load
            raw_s.append(timed(lambda: asyncio.run(raw(items, args.connections))))
            work = Path(tmp) / f"run{r}"
            eng_s.append(timed(lambda w=work: asyncio.run(engine_run(items, w, args.connections))))
        resume_s = timed(
            lambda: asyncio.run(engine_run(items, Path(tmp) / "run0", args.connections))
        )
        raw_best, eng_best = min(raw_s), min(eng_s)
        print(f"{args.items} items, max_connections={args.connections}, best of {args.repeats}")
        print(f"  raw Inspect generate : {raw_best:6.3f} s  {args.items / raw_best:8.0f} items/s")
        print(f"  engine step          : {eng_best:6.3f} s  {args.items / eng_best:8.0f} items/s")
        print(f"  ratio engine/raw     : {args.items / eng_best / (args.items / raw_best):6.2f}")
        print(f"  resume (all on disk) : {resume_s:6.3f} s  {args.items / resume_s:8.0f} items/s")

        from inspect_ai.model import get_model

        from whyalign.data import generate

        agent = get_model("mockllm/model", custom_outputs=agent_reply, memoize=False)
        out = Path(tmp) / "recipe"
        opts = {"oversample": 1.0, "max_connections": args.connections}
        t = timed(
            lambda: generate("honeypot_demos", out=out, n=args.items, generator=agent, options=opts)
        )
        kept = sum(1 for _ in (out / "data.jsonl").open())
        print(
            f"  honeypot_demos recipe: {t:6.3f} s  {args.items / t:8.0f} items/s "
            f"({kept} kept; scenarios, rule classifier, dedup, contamination guard)"
        )

    with tempfile.TemporaryDirectory() as tmp:
        prof = cProfile.Profile()
        prof.enable()
        asyncio.run(engine_run(items, Path(tmp), args.connections))
        prof.disable()
    report(pstats.Stats(prof))


GROUPS = (  # (label, substring of the code's file path), first match wins
    ("whyalign engine (hash keys, JSONL appends, bookkeeping)", "whyalign"),
    ("Inspect model layer (generate, events, usage)", "inspect_ai"),
    ("pydantic (Inspect's messages and events)", "pydantic"),
    ("asyncio event loop", "asyncio"),
    ("stdlib json / hashlib / file IO", "json"),
)


def report(stats: pstats.Stats) -> None:
    """Exclusive time per origin, then the engine's own functions inclusive."""
    totals: dict[str, float] = {}
    own: dict[str, float] = {}
    for (path, _, name), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        label = next(
            (g for g, key in GROUPS if key in path),
            "stdlib called by Inspect (deepcopy of events, uuid, tenacity)",
        )
        if path == "~" and any(k in name for k in ("json", "sha256", "hexdigest", "open", "write")):
            label = GROUPS[-1][0]
        totals[label] = totals.get(label, 0.0) + tottime
        if "whyalign/data/engine.py" in path:
            own[name] = cumtime
    total = sum(totals.values())
    print(f"\nwhere the engine run's time goes (exclusive CPU time, {total:.2f} s profiled):")
    for label, t in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * t / total:5.1f}%  {t:6.3f} s  {label}")
    print("engine functions, inclusive:")
    for name in ("key", "_append", "_load", "_one", "step"):
        if name in own:
            print(f"  {name:<8} {own[name]:6.3f} s")


if __name__ == "__main__":
    main()
