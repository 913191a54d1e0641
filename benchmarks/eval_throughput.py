"""Samples per second of `whyalign eval` through the organism's Inspect provider against a
raw batched `model.generate` over the same prompts, measured in one run, for each reply
budget (the compact default, 160 tokens, and short replies). Target ratio: >= 0.9 for both.

    python benchmarks/eval_throughput.py [--preset small] [--samples 8] [--max-tokens 160 16]

The model is a random-init organism preset with a tokenizer trained on the prompts, loaded
by the provider from its directory (``-M model_path``): no build needed.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from whyalign.evals.config import EvalConfig
from whyalign.evals.run import run_eval
from whyalign.evals.task import honeypot_samples
from whyalign.organism.model import init_model_for
from whyalign.organism.tokenizer import train_tokenizer


def build(preset: str, path: Path, texts: list[str]) -> None:
    tok = train_tokenizer(texts, vocab_size=1024)
    model = init_model_for(preset, tok)
    model.save_pretrained(path)
    tok.save_pretrained(path)


def raw_generate(path: Path, chats: list[list[dict]], max_tokens: int, batch: int) -> float:
    """Seconds to sample every prompt in batches of ``batch``, in order, with the model's
    own decoding defaults (as the provider uses them)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    prompts = [
        tok.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in chats
    ]
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(prompts), batch):
            enc = tok(prompts[i : i + batch], return_tensors="pt", padding=True)
            model.generate(**enc, max_new_tokens=max_tokens, do_sample=True, temperature=1.0)
    return time.perf_counter() - start


def eval_seconds(
    path: Path, out: Path, samples: int, max_tokens: int, batch: int, model: str = "organism/local"
) -> tuple:
    config = EvalConfig(
        samples=samples,
        renderer="compact",
        temperature=1.0,
        max_tokens=max_tokens,
        max_connections=batch,
    )
    start = time.perf_counter()
    args = {"model_path": str(path)} if model.startswith("organism/") else {}
    result = run_eval(config, out, model=model, model_args=args)
    return time.perf_counter() - start, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--samples", type=int, default=8, help="instances per condition cell")
    ap.add_argument("--max-tokens", type=int, nargs="+", default=[160, 16])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3, help="alternated runs of each")
    ap.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads (0: torch's default); on a "
        "shared machine 1 avoids the oversubscription that makes timings swing several-fold",
    )
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    samples = honeypot_samples("in_dist", samples=args.samples, renderer="compact")
    chats = [[{"role": m.role, "content": m.text} for m in s.input] for s in samples]
    n = len(chats)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model"
        build(args.preset, path, [m["content"] for c in chats for m in c])
        raw_generate(path, chats[: args.batch], 4, args.batch)  # warm up torch's kernels
        for max_tokens in args.max_tokens:
            # Alternated, and the fastest of each kept: on a shared machine a run is only
            # ever slowed down by others, so the minimum is the least disturbed measurement.
            raws, evals = [], []
            for r in range(args.repeats):
                raws.append(raw_generate(path, chats, max_tokens, args.batch))
                out = Path(tmp) / f"eval-{max_tokens}-{r}"
                eval_s, result = eval_seconds(path, out, args.samples, max_tokens, args.batch)
                evals.append(eval_s)
            raw_s, eval_s = min(raws), min(evals)
            rows.append(
                {
                    "max_tokens": max_tokens,
                    "raw_generate_samples_per_s": round(n / raw_s, 2),
                    "whyalign_eval_samples_per_s": round(n / eval_s, 2),
                    "ratio": round(raw_s / eval_s, 3),
                    "raw_s": [round(x, 2) for x in raws],
                    "eval_s": [round(x, 2) for x in evals],
                    "status": result["status"],
                    "samples_total": result["samples_total"],
                }
            )
        # The same eval on Inspect's mock model, which replies at once: what Inspect and the
        # suite cost per sample, a floor under any provider's eval time.
        floor = min(
            eval_seconds(
                path, Path(tmp) / f"mock-{r}", args.samples, 16, args.batch, "mockllm/model"
            )[0]
            for r in range(args.repeats)
        )
    report = {
        "samples": n,
        "harness_floor_s": round(floor, 2),
        "preset": args.preset,
        "batch": args.batch,
        "threads": torch.get_num_threads(),
        "runs": rows,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
