"""The `small` organism with its drills first: a whole build of that plan, then its copying.

The shipped `small` plan pretrains and never drills. This one (``DRILLS_FIRST`` below) runs
the two drill phases from the fresh model (``BuildPlan.drills_first``), copy-weighted, with
corpus documents riding along, then one epoch of copy-weighted pretraining and the usual SFT;
it builds into its own cache, reports each step's seconds and the result's copying
(``organism_copying.py``) and prints the model directory, which `whyalign eval --model
hf/local -M model_path=DIR --renderer compact` takes. Not a ratio: a skill that appears or
not, and a build time against the 8-minute budget.

``--induction`` builds from the induction circuit (``circuit.py``, held until SFT) with value
drills in both phases and a quarter epoch of pretraining (7.5 minutes, the 8-minute
candidate); ``--epochs`` and ``--drill-steps`` (of 30 rows, a fifth of them documents) change
either plan.

    python benchmarks/organism_drills_first.py [--cache DIR] [--seed 0] [--episodes 60]
        [--induction] [--epochs E] [--drill-steps N]

Heavy: ~13 minutes on 2 CPU cores (--induction: ~7.5; with --epochs 1 --drill-steps 400: ~11).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path


def drills_first_plan():
    from whyalign.organism.drills import DrillMix
    from whyalign.organism.plans import PLANS
    from whyalign.train import DocsConfig

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
            per_device_train_batch_size=30,
            learning_rate=2e-3,
            lr_scheduler_type="constant_with_warmup",
            save_steps=200,
            train_sampling_strategy="group_by_length",
        ),
        # from the drilled model, 1e-3 keeps what the drills taught
        docs=replace(small.docs, num_train_epochs=1.0, learning_rate=1e-3),
    )


def induction_plan():
    """Drills first from a model seeded with the induction circuit (``circuit.py``), value
    drills in both phases, 200 + 330 steps, and a quarter epoch of pretraining after them:
    7m25s, the 8-minute candidate (README)."""
    from whyalign.organism.drills import DrillMix

    plan = drills_first_plan()
    return replace(
        plan,
        warm=replace(plan.warm, p_value=0.2),
        drill=DrillMix(drills=7920, mails=(2, 5), docs=1980, p_plain=0.3, p_value=0.2),
        docs=replace(plan.docs, num_train_epochs=0.25),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_cache = Path.home() / ".cache" / "whyalign-drills-first"
    ap.add_argument("--cache", default=str(default_cache), help="its own organism cache")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--episodes", type=int, default=60)
    ap.add_argument("--induction", action="store_true", help="the induction-circuit plan")
    ap.add_argument("--epochs", type=float, help="pretraining epochs after the drills")
    ap.add_argument("--drill-steps", type=int, help="steps of 30 rows in the second drill phase")
    args = ap.parse_args()
    # Its own cache: this plan shares the `small` name, never its cached organism.
    os.environ["WHYALIGN_CACHE"] = args.cache

    from organism_copying import copying

    from whyalign.organism import build as organism

    plan = induction_plan() if args.induction else drills_first_plan()
    if args.epochs is not None:
        plan = replace(plan, docs=replace(plan.docs, num_train_epochs=args.epochs))
    if args.drill_steps is not None:
        rows = args.drill_steps * plan.drill_docs.per_device_train_batch_size
        plan = replace(plan, drill=replace(plan.drill, drills=rows * 4 // 5, docs=rows // 5))
    organism.PLANS["small"] = plan
    if args.induction:
        from whyalign.organism import model

        model.PRESETS["small"] = replace(model.PRESETS["small"], induction=True)
    start = time.perf_counter()
    path = organism.build("small", args.seed, log=print)
    info = json.loads((path / "organism.json").read_text())
    result = {
        "model": str(path),
        "build_seconds": round(time.perf_counter() - start, 1),
        "step_seconds": info["step_seconds"],
        "machine": info["machine"],
        **copying(str(path), args.episodes),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
