"""Pretraining throughput of the organism's docs stage (TRL SFTTrainer) against a plain
PyTorch loop on the same model, the same packed batches and the same precision, one run;
plus, with --build, the wall time of a cold `small` build in a fresh cache.

    python benchmarks/organism_build.py [--preset small] [--steps 30] [--build]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import torch


def packed_blocks(preset: str, n_docs: int, length: int):
    from dataclasses import replace

    from whyalign.organism.build import PLANS, pretrain_text
    from whyalign.organism.corpus import generate
    from whyalign.organism.model import PRESETS
    from whyalign.organism.tokenizer import train_tokenizer

    cfg = replace(PLANS[preset].corpus, episodes=n_docs, stories=n_docs // 4, world=n_docs // 10)
    docs = list(generate(cfg))
    tok = train_tokenizer(
        [m["content"] for d in docs for m in d.get("messages", [])]
        + [d["text"] for d in docs if "text" in d],
        PRESETS[preset].vocab,
    )
    ids: list[int] = []
    for d in docs:
        ids += tok(pretrain_text(d, tok))["input_ids"] + [tok.eos_token_id]
    n = len(ids) // length
    return tok, torch.tensor(ids[: n * length]).view(n, length)


def trainer_run(model, tok, blocks, batch: int, steps: int, bf16: bool) -> float:
    """The docs stage as the build runs it: transformers' Trainer on packed blocks."""
    from datasets import Dataset
    from transformers import Trainer, default_data_collator

    from whyalign.train.config import DocsConfig
    from whyalign.train.stages import docs_args

    data = Dataset.from_dict({"input_ids": blocks.tolist(), "labels": blocks.tolist()})
    cfg = DocsConfig(
        batch_size=batch,
        max_steps=steps,
        max_length=blocks.shape[1],
        bf16=bf16,
        save_steps=10**9,
        logging_steps=10**9,
        progress=False,
    )
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(
            model=model,
            args=docs_args(cfg, Path(tmp)),
            train_dataset=data,
            data_collator=default_data_collator,
        )
        start = time.perf_counter()
        trainer.train()
        return time.perf_counter() - start


def plain_run(model, blocks, batch: int, steps: int, bf16: bool) -> float:
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    start = time.perf_counter()
    for step in range(steps):
        x = blocks[(step * batch) % len(blocks) :][:batch]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def main() -> None:
    from whyalign.machine import machine
    from whyalign.organism.build import PLANS
    from whyalign.organism.model import init_model
    from whyalign.train.stages import _bf16

    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--build", action="store_true", help="also time a cold build in a fresh cache")
    args = ap.parse_args()
    plan = PLANS[args.preset]
    batch, length = plan.docs.batch_size, plan.docs.max_length
    bf16 = _bf16(plan.docs)
    tok, blocks = packed_blocks(args.preset, 600, length)
    tokens = args.steps * batch * length
    plain_s = plain_run(init_model(args.preset, len(tok)), blocks, batch, args.steps, bf16)
    trainer_s = trainer_run(init_model(args.preset, len(tok)), tok, blocks, batch, args.steps, bf16)
    report = {
        "preset": args.preset,
        "bf16": bf16,
        "batch": batch,
        "length": length,
        "steps": args.steps,
        "machine": machine(),
        "plain_tokens_per_s": round(tokens / plain_s),
        "trainer_tokens_per_s": round(tokens / trainer_s),
        "ratio": round(plain_s / trainer_s, 3),
    }
    if args.build:
        from whyalign.organism.build import build

        with tempfile.TemporaryDirectory() as cache:
            os.environ["WHYALIGN_CACHE"] = cache
            start = time.perf_counter()
            path = build(args.preset, 0, log=lambda m: None, progress=False)
            report["cold_build_s"] = round(time.perf_counter() - start, 1)
            report["step_seconds"] = json.loads((path / "organism.json").read_text())[
                "step_seconds"
            ]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
