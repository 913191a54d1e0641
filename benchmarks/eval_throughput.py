"""Samples per second of `whyalign eval` (Inspect's hf/local provider) against a raw batched
`model.generate` over the same prompts, measured in one run. Target ratio: >= 0.7.

    python benchmarks/eval_throughput.py [--preset small] [--samples 8] [--max-tokens 32]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from whyalign.evals.run import EvalSettings, run_eval
from whyalign.evals.task import honeypot_samples
from whyalign.organism.model import init_model_for
from whyalign.organism.tokenizer import train_tokenizer


def build(preset: str, path: Path, texts: list[str]) -> None:
    tok = train_tokenizer(texts, vocab_size=1024)
    model = init_model_for(preset, tok)
    model.save_pretrained(path)
    tok.save_pretrained(path)


def raw_generate(path: Path, chats: list[list[dict]], max_tokens: int, batch: int) -> float:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    tok.pad_token, tok.padding_side = tok.eos_token, "left"  # as Inspect's hf provider does
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--samples", type=int, default=8, help="instances per condition cell")
    ap.add_argument("--max-tokens", type=int, default=160)  # the compact default
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))

    samples = honeypot_samples("in_dist", samples=args.samples, renderer="compact")
    chats = [[{"role": m.role, "content": m.text} for m in s.input] for s in samples]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model"
        build(args.preset, path, [m["content"] for c in chats for m in c])
        raw_s = raw_generate(path, chats, args.max_tokens, args.batch)
        settings = EvalSettings(
            model="hf/local",
            model_args={"model_path": str(path), "device": "cpu"},
            samples=args.samples,
            renderer="compact",
            max_tokens=args.max_tokens,
            max_connections=args.batch,
        )
        start = time.perf_counter()
        result = run_eval(settings, Path(tmp) / "eval")
        eval_s = time.perf_counter() - start
    n = len(chats)
    report = {
        "samples": n,
        "preset": args.preset,
        "max_tokens": args.max_tokens,
        "batch": args.batch,
        "raw_generate_samples_per_s": round(n / raw_s, 2),
        "whyalign_eval_samples_per_s": round(n / eval_s, 2),
        "ratio": round(raw_s / eval_s, 3),
        "status": result["status"],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
