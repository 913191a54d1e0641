"""Pretraining throughput of the organism's docs stage (transformers' Trainer, as the build
runs it) against a plain PyTorch loop on the same model, the same data and the same precision,
one run; plus, with --build, the wall time of a cold build in a fresh cache.

A plan with copy weights (`small`) pretrains on weighted rows of unequal length, grouped by
length: both sides then train on those rows (the loop on batches grouped the same way, with
the same weighted loss) and tokens are the rows' real tokens, padding aside. A plan without
them pretrains on packed blocks, which both sides share batch for batch.

    python benchmarks/organism_build.py [--preset small] [--steps 30] [--build]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import torch

# The plain loop runs where the Trainer does: on the GPU when there is one.
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def _sync() -> None:
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def corpus(preset: str, n_docs: int):
    """A tokenizer and a corpus of ``n_docs`` episodes (and the plan's other documents)."""
    from dataclasses import replace

    from whyalign.organism.corpus import generate
    from whyalign.organism.model import PRESETS
    from whyalign.organism.plans import PLANS
    from whyalign.organism.tokenizer import train_tokenizer

    cfg = replace(PLANS[preset].corpus, episodes=n_docs, stories=n_docs // 4, world=n_docs // 10)
    docs = list(generate(cfg))
    tok = train_tokenizer(
        [m["content"] for d in docs for m in d.get("messages", [])]
        + [d["text"] for d in docs if "text" in d],
        PRESETS[preset].vocab,
    )
    return tok, docs


def packed_blocks(preset: str, n_docs: int, length: int):
    from whyalign.organism.build import pretrain_text

    tok, docs = corpus(preset, n_docs)
    ids: list[int] = []
    for d in docs:
        ids += tok(pretrain_text(d, tok))["input_ids"] + [tok.eos_token_id]
    n = len(ids) // length
    return tok, torch.tensor(ids[: n * length]).view(n, length)


def weighted_rows(preset: str, n_docs: int, length: int):
    """The plan's copy-weighted pretraining rows on a corpus of ``n_docs`` episodes."""
    from datasets import Dataset

    from whyalign.organism.plans import PLANS
    from whyalign.organism.weights import copy_rows

    plan = PLANS[preset]
    tok, docs = corpus(preset, n_docs)
    rows = copy_rows(docs, tok, plan.copy_weight, length, prompt_weight=plan.prompt_weight)
    return tok, Dataset.from_dict(rows)


def trainer_rows_run(model, tok, data, cfg, steps: int) -> tuple[float, int]:
    """The docs stage as the build runs it on weighted rows: (seconds, real tokens)."""
    from dataclasses import replace

    from whyalign.train.stages import build_trainer

    cfg = replace(
        cfg,
        max_steps=steps,
        save_steps=10**9,
        logging_steps=10**9,
        progress=False,
        train_sampling_strategy="group_by_length",
    )
    with tempfile.TemporaryDirectory() as tmp:
        trainer = build_trainer("docs", model, tok, data, tmp, cfg)
        start = time.perf_counter()
        trainer.train()
        _sync()
        seconds = time.perf_counter() - start
        trainer.sync_counts()
        return seconds, trainer.accounting()["total"]["tokens"]


def plain_rows_run(model, tok, data, batch: int, steps: int, lr: float, bf16: bool):
    """A plain loop on the same rows: mega-batches of 50 batches sorted by length (as the
    stage's sampler groups them), the same weighted loss. (seconds, real tokens)"""
    import torch.nn.functional as F

    from whyalign.train.rows import pad_rows

    collate = pad_rows(tok.pad_token_id)
    g = torch.Generator().manual_seed(0)
    order = torch.randperm(len(data), generator=g).tolist()
    lengths = [len(ids) for ids in data["input_ids"]]
    mega = 50 * batch
    order = [
        i
        for k in range(0, len(order), mega)
        for i in sorted(order[k : k + mega], key=lambda i: -lengths[i])
    ]
    batches = [order[k : k + batch] for k in range(0, len(order) - batch + 1, batch)]
    model.to(DEVICE)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    tokens = 0
    _sync()
    start = time.perf_counter()
    for step in range(steps):
        rows = [data[i] for i in batches[step % len(batches)]]
        b = {k: v.to(DEVICE) for k, v in collate(rows).items()}
        weights, labels = b.pop("weights"), b.pop("labels")
        mask = b.get("attention_mask")
        tokens += int(mask.sum()) if mask is not None else b["input_ids"].numel()
        with torch.autocast(DEVICE, dtype=torch.bfloat16, enabled=bf16):
            logits = model(**b, use_cache=False).logits
        per = F.cross_entropy(
            logits[:, :-1].float().transpose(1, 2),
            labels[:, 1:],
            ignore_index=-100,
            reduction="none",
        )
        labelled = labels[:, 1:] != -100
        loss = (per * weights[:, 1:] * labelled).sum() / labelled.sum().clamp(min=1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    _sync()
    return time.perf_counter() - start, tokens


def trainer_run(model, tok, blocks, batch: int, steps: int, bf16: bool) -> float:
    """The docs stage as the build runs it: transformers' Trainer on packed blocks."""
    from datasets import Dataset
    from transformers import Trainer, default_data_collator

    from whyalign.train import DocsConfig
    from whyalign.train.config import training_args

    data = Dataset.from_dict({"input_ids": blocks.tolist(), "labels": blocks.tolist()})
    cfg = DocsConfig(
        per_device_train_batch_size=batch,
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
            args=training_args(cfg, Path(tmp)),
            train_dataset=data,
            data_collator=default_data_collator,
        )
        start = time.perf_counter()
        trainer.train()
        _sync()
        return time.perf_counter() - start


def plain_run(model, blocks, batch: int, steps: int, bf16: bool) -> float:
    model.to(DEVICE)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    _sync()
    start = time.perf_counter()
    for step in range(steps):
        x = blocks[(step * batch) % len(blocks) :][:batch].to(DEVICE)
        with torch.autocast(DEVICE, dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    _sync()
    return time.perf_counter() - start


def main() -> None:
    from whyalign.machine import machine
    from whyalign.organism.model import init_model_for
    from whyalign.organism.plans import PLANS

    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--build", action="store_true", help="also time a cold build in a fresh cache")
    args = ap.parse_args()
    plan = PLANS[args.preset]
    batch, length = plan.docs.per_device_train_batch_size, plan.docs.max_length
    bf16 = plan.docs.bf16  # resolved from the machine when the plan left it unset
    if plan.copy_weight is not None:
        tok, data = weighted_rows(args.preset, 600, length)
        plain_s, plain_tokens = plain_rows_run(
            init_model_for(args.preset, tok),
            tok,
            data,
            batch,
            args.steps,
            plan.docs.learning_rate,
            bf16,
        )
        trainer_s, trainer_tokens = trainer_rows_run(
            init_model_for(args.preset, tok), tok, data, plan.docs, args.steps
        )
    else:
        tok, blocks = packed_blocks(args.preset, 600, length)
        plain_tokens = trainer_tokens = args.steps * batch * length
        plain_s = plain_run(init_model_for(args.preset, tok), blocks, batch, args.steps, bf16)
        trainer_s = trainer_run(
            init_model_for(args.preset, tok), tok, blocks, batch, args.steps, bf16
        )
    plain_rate, trainer_rate = plain_tokens / plain_s, trainer_tokens / trainer_s
    report = {
        "preset": args.preset,
        "data": "weighted rows" if plan.copy_weight is not None else "packed blocks",
        "bf16": bf16,
        "batch": batch,
        "length": length,
        "steps": args.steps,
        "machine": machine(),
        "plain_tokens_per_s": round(plain_rate),
        "trainer_tokens_per_s": round(trainer_rate),
        "ratio": round(trainer_rate / plain_rate, 3),
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
            # Against the cached build's: the same plan and seed must give the same weights.
            weights = (path / "model.safetensors").read_bytes()
            report["weights_sha256"] = hashlib.sha256(weights).hexdigest()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
