"""The `small` organism with its drills first: a whole build of that plan, then its copying.

The shipped `small` plan pretrains and never drills. This one (``DRILLS_FIRST`` below) runs
the two drill phases from the fresh model (``BuildPlan.drills_first``), copy-weighted, with
corpus documents riding along, then one epoch of copy-weighted pretraining and the usual SFT;
it builds into its own cache, reports each step's seconds and the result's copying
(``organism_copying.py``) and prints the model directory, which `whyalign eval --model
hf/local -M model_path=DIR --renderer compact` takes. Not a ratio: a skill that appears or
not, and a build time against the 8-minute budget.

    python benchmarks/organism_drills_first.py [--cache DIR] [--seed 0] [--episodes 60]

Heavy: ~13 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path


def drills_first_plan():
    from whyalign.organism.build import PLANS
    from whyalign.organism.drills import DrillMix
    from whyalign.train.config import DocsConfig

    small = PLANS["small"]
    return replace(
        small,
        copy_weight=8.0,
        drills_first=True,
        # 200 + 400 steps of 30 rows; 90 + 180 steps, or a quarter of the documents, left the
        # choice of sender unlearnt (README)
        warm=DrillMix(drills=4800, mails=(2, 2), docs=1200),
        drill=DrillMix(drills=9600, mails=(2, 5), docs=2400, p_plain=0.3),
        drill_docs=DocsConfig(
            batch_size=30,
            learning_rate=2e-3,
            lr_scheduler="constant_with_warmup",
            save_steps=200,
            group_by_length=True,
        ),
        # from the drilled model, 1e-3 keeps what the drills taught
        docs=replace(small.docs, epochs=1.0, learning_rate=1e-3),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = Path.home() / ".cache" / "whyalign-drills-first"
    ap.add_argument("--cache", default=str(default_cache), help="its own organism cache")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--episodes", type=int, default=60)
    args = ap.parse_args()
    # Its own cache: this plan shares the `small` name, never its cached organism.
    os.environ["WHYALIGN_CACHE"] = args.cache

    from organism_copying import copying

    from whyalign.organism import build as organism

    organism.PLANS["small"] = drills_first_plan()
    start = time.perf_counter()
    path = organism.build("small", args.seed, log=print)
    info = json.loads((path / "organism.json").read_text())
    result = {
        "model": str(path),
        "build_seconds": round(time.perf_counter() - start, 1),
        "step_seconds": info["step_seconds"],
        **copying(str(path), args.episodes),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
