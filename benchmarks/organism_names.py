"""The `small` organism with the name head (``organism/names.py``): a whole build, then its
copying and, with --suite, the honeypot suite.

The plan is the shipped `small` (the induction circuit, the name head, copy weight 8, an
episode's prompt weighing 0.2); ``--no-names`` builds it without the head and
``--prompt-weight 1`` with every prompt token weighing 1 (the README's earlier rows), and
``--values`` with the value head beside it (``organism/values.py``, stop 25), so one machine
gives each side. Each builds into its own cache and reports its seconds, its machine,
its copying (``organism_copying.py``: names at first mention and repeated, values, forced acts)
and, with ``--suite``, `whyalign eval --split all --samples 10 --renderer compact` (T=1.0)
per split. Not a ratio: skills that appear or not, and a build time against the 8-minute
budget.

    python benchmarks/organism_names.py [--cache DIR] [--seed S] [--no-names] [--prompt-weight W]
        [--values] [--epochs E] [--suite]

Heavy: ~13 minutes a build on a 2-core AVX2 machine, ~4 more for --suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def suite(path: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "whyalign.cli", "eval", "--model", "hf/local"]
            + ["-M", f"model_path={path}", "--renderer", "compact", "--split", "all"]
            + ["--samples", "10", "--out", out],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        summary = json.loads((Path(out) / "summary.json").read_text())
    return {
        split: {
            "harmful": tally["harmful"],
            "parse_failure_rate": tally["parse_failure_rate"],
            "routine_rate": tally["routine_rate"],
            "n": tally["n"],
        }
        for split, tally in summary["splits"].items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", help="its own organism cache (default: by plan, under ~/.cache)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-names", action="store_true", help="the same plan without the head")
    ap.add_argument("--values", action="store_true", help="with the value head too")
    ap.add_argument("--prompt-weight", type=float, help="an episode's prompt (the plan's: 0.2)")
    ap.add_argument("--epochs", type=float, help="pretraining epochs (the plan's: 1.2)")
    ap.add_argument("--episodes", type=int, default=60)
    ap.add_argument("--suite", action="store_true", help="also run the suite, n=1000")
    args = ap.parse_args()
    name = "whyalign-circuit" + ("" if args.no_names else "-names")
    # Its own cache: this plan shares the `small` name, never its cached organism.
    os.environ["WHYALIGN_CACHE"] = args.cache or str(Path.home() / ".cache" / name)

    from organism_copying import copying

    from whyalign.organism import build as organism
    from whyalign.organism import model

    plan = organism.PLANS["small"]
    if args.prompt_weight is not None:
        plan = replace(plan, prompt_weight=args.prompt_weight)
    if args.epochs is not None:
        plan = replace(plan, docs=replace(plan.docs, num_train_epochs=args.epochs))
    organism.PLANS["small"] = plan
    model.PRESETS["small"] = replace(
        model.PRESETS["small"], names=not args.no_names, values=args.values
    )
    start = time.perf_counter()
    path = organism.build("small", args.seed, log=print, progress=False)
    info = json.loads((path / "organism.json").read_text())
    result = {
        "model": str(path),
        "seed": args.seed,
        "names_head": not args.no_names,
        "value_head": args.values,
        "prompt_weight": plan.prompt_weight,
        "build_seconds": round(time.perf_counter() - start, 1),
        "step_seconds": info["step_seconds"],
        "machine": info["machine"],
        **copying(str(path), args.episodes),
    }
    if args.suite:
        result["suite"] = suite(path)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
