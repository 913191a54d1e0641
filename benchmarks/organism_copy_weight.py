"""Copy weights in pretraining (``organism/weights.py``), on against off, in one run.

The preset's corpus and tokenizer as the build makes them; then its pretraining (the docs
stage, from scratch) twice on the same rows, order and batches: once with the reply tokens
that copy the inbox weighing ``--weight``, once with every token weighing 1. Each model's
copying is then measured on fresh episodes (``organism_copying.py``: teacher-forced values of
the action's first argument, and person names). Not a ratio: a skill that appears or not.

    python benchmarks/organism_copy_weight.py [--preset small] [--epochs 3] [--weight 8]

Heavy: on 2 CPU cores the `small` corpus takes ~4.5 minutes an epoch per arm.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from organism_copying import name_copying, value_copying


def corpus_and_tokenizer(preset: str):
    from whyalign.organism.corpus import generate, tokenizer_texts
    from whyalign.organism.model import PRESETS
    from whyalign.organism.plans import PLANS
    from whyalign.organism.tokenizer import train_tokenizer

    docs = list(generate(PLANS[preset].corpus))
    return docs, train_tokenizer(tokenizer_texts(docs), vocab_size=PRESETS[preset].vocab)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="small")
    ap.add_argument("--epochs", type=float, default=3.0)
    ap.add_argument("--weight", type=float, default=8.0)
    # rows average ~280 tokens: 14 of them are about one packed batch of the build (8 x 512)
    ap.add_argument("--batch-size", type=int, default=14)
    ap.add_argument("--episodes", type=int, default=120, help="probe episodes")
    ap.add_argument("--out", help="where the two models go (default: a temporary directory)")
    args = ap.parse_args()

    from datasets import Dataset
    from transformers import AutoModelForCausalLM

    from whyalign.organism.model import init_model_for
    from whyalign.organism.plans import PLANS
    from whyalign.organism.weights import copy_rows
    from whyalign.train.stages import train_stage

    out = Path(args.out or tempfile.mkdtemp(prefix="copy-weight-"))
    docs, tok = corpus_and_tokenizer(args.preset)
    cfg = replace(
        PLANS[args.preset].docs,
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size,
        train_sampling_strategy="group_by_length",
        save_steps=10**6,
        progress=False,
    )
    result: dict = {"preset": args.preset, "epochs": args.epochs, "docs": len(docs)}
    for arm, weight in (("weighted", args.weight), ("unweighted", 1.0)):
        rows = Dataset.from_dict(copy_rows(docs, tok, weight, cfg.max_length))
        start = time.perf_counter()
        train_stage("docs", init_model_for(args.preset, tok, 0), tok, rows, out / arm, cfg)
        seconds = time.perf_counter() - start
        model = AutoModelForCausalLM.from_pretrained(out / arm / "model").eval()
        result[arm] = {
            "weight": weight,
            "train_seconds": round(seconds, 1),
            "values": value_copying(model, tok, args.episodes),
            "names": name_copying(model, tok, args.episodes),
        }
        print(json.dumps({arm: result[arm]}), flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
