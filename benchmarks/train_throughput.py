"""Throughput of each training stage (docs, chat, prefs) against a plain PyTorch loop on the
same model, the same batches and the same precision, as a ratio in one run (target >= 0.8);
plus the share of padding tokens in chat batches with and without length grouping (target
<= 10% with grouping).

Tokens are the stage's trained tokens (see whyalign.train.accounting): docs = packed block
tokens, chat = conversation tokens, prefs = prompt + chosen + rejected tokens. The plain loop
is given the very batches the stage's dataloader yields and counts them the same way.

rl (``--stages rl``, ``--rl_steps``): the stage's prompt + completion tokens trained per second
against a hand-written GRPO loop on the same prompt batches (model.generate with the stage's
sampling settings, the same rules reward, advantages and loss); the samples differ, so each
side counts its own tokens (target >= 0.7).

    python benchmarks/train_throughput.py [--preset small] [--steps 20] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch


def timed_train(trainer) -> tuple[float, int]:
    """Seconds of ``trainer.train()`` and the tokens its accounting says it trained."""
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    trainer.sync_counts()
    return seconds, trainer.accounting()["total"]["tokens"]


def world(preset: str, n: int):
    """Organism documents, chat episodes and preference pairs, and a tokenizer for them."""
    from datasets import Dataset

    from whyalign.organism.build import pretrain_text
    from whyalign.organism.corpus import generate, sft_episodes
    from whyalign.organism.model import PRESETS
    from whyalign.organism.plans import PLANS
    from whyalign.organism.tokenizer import train_tokenizer

    cfg = replace(PLANS[preset].corpus, episodes=n, stories=n // 4, world=n // 10)
    docs = list(generate(cfg))
    episodes = [e["messages"] for e in sft_episodes(n, 0)]
    texts = [m["content"] for d in docs for m in d.get("messages", [])]
    tok = train_tokenizer(texts + [d["text"] for d in docs if "text" in d], PRESETS[preset].vocab)
    rng = random.Random(0)
    prefs = [
        {"prompt": e[:-1], "chosen": e[-1:], "rejected": rng.choice(episodes)[-1:]}
        for e in episodes
    ]
    data = {
        "docs": Dataset.from_dict({"text": [pretrain_text(d, tok) for d in docs]}),
        "chat": Dataset.from_dict({"messages": episodes}),
        "prefs": Dataset.from_list(prefs),
    }
    return tok, data


def stage_config(stage: str, preset: str, steps: int, bf16: bool, **overrides):
    from whyalign.organism.plans import PLANS
    from whyalign.train import PrefsConfig

    plan = PLANS[preset]
    base = {"docs": plan.docs, "chat": plan.chat}.get(stage) or PrefsConfig(
        per_device_train_batch_size=plan.chat.per_device_train_batch_size // 2,
        max_length=plan.chat.max_length,
    )
    return replace(
        base,
        max_steps=steps,
        bf16=bf16,
        save_steps=10**9,
        logging_steps=10**9,
        progress=False,
        **overrides,
    )


def dpo_loss(model, ref, batch, beta: float):
    """Sigmoid DPO on the collator's [chosen; rejected] rows, scoring completion tokens only."""

    def logps(m, grad: bool):
        with torch.set_grad_enabled(grad):
            logits = m(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        lp = torch.log_softmax(logits[:, :-1].float(), -1)
        lp = lp.gather(-1, batch["input_ids"][:, 1:, None]).squeeze(-1)
        return (lp * batch["completion_mask"][:, 1:]).sum(1)

    pol, refp = logps(model, True), logps(ref, False)
    half = pol.shape[0] // 2
    margin = (pol[:half] - refp[:half]) - (pol[half:] - refp[half:])
    return -torch.nn.functional.logsigmoid(beta * margin).mean()


def plain_run(stage: str, model, batches, cfg, bf16: bool) -> float:
    """A hand-written loop: AdamW, clipping at 1.0 (as the Trainer), same autocast."""
    ref = copy.deepcopy(model).eval() if stage == "prefs" else None
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    model.train()
    start = time.perf_counter()
    for batch in batches:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            if stage == "prefs":
                loss = dpo_loss(model, ref, batch, cfg.beta)
            else:
                inputs = {k: v for k, v in batch.items() if k in ("input_ids", "labels")}
                if "attention_mask" in batch:
                    inputs["attention_mask"] = batch["attention_mask"]
                loss = model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def measure(stage: str, make_model, tok, data, cfg, bf16: bool) -> dict:
    from whyalign.train.accounting import SRC
    from whyalign.train.registry import get
    from whyalign.train.stages import build_trainer

    counting = get(stage).counting

    with tempfile.TemporaryDirectory() as tmp:
        # The batches the stage trains on, taken from its own dataloader (same seed, same order)
        probe = build_trainer(stage, make_model(), tok, data, Path(tmp) / "probe", cfg)
        batches = []
        for batch in probe.get_train_dataloader():
            batches.append({k: v for k, v in batch.items() if k != SRC})
            if len(batches) == cfg.max_steps:
                break
        column = counting.fields.index("tokens")
        tokens = sum(int(counting.batch(b)[:, column].sum()) for b in batches)
        plain_run(stage, make_model(), batches[:2], cfg, bf16)  # warm-up, untimed
        plain_s = plain_run(stage, make_model(), batches, cfg, bf16)
        trainer = build_trainer(stage, make_model(), tok, data, Path(tmp) / "run", cfg)
        trainer_s, trained = timed_train(trainer)
    return {
        "steps": len(batches),
        "batch": cfg.per_device_train_batch_size,
        "tokens": trained,
        "same_tokens_as_plain": trained == tokens,
        "plain_tokens_per_s": round(tokens / plain_s),
        "stage_tokens_per_s": round(trained / trainer_s),
        "ratio": round((trained / trainer_s) / (tokens / plain_s), 3),
    }


def chat_padding(make_model, tok, data, cfg) -> dict:
    """Share of padding tokens over one epoch of chat batches."""
    from whyalign.train.stages import build_trainer

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for grouped in (False, True):
            strategy = "group_by_length" if grouped else "random"
            c = replace(cfg, train_sampling_strategy=strategy, max_steps=-1)
            trainer = build_trainer("chat", make_model(), tok, data, Path(tmp) / str(grouped), c)
            real = total = 0
            for batch in trainer.get_train_dataloader():
                real += int(batch["attention_mask"].sum())
                total += batch["attention_mask"].numel()
            out["grouped" if grouped else "random"] = round(1 - real / total, 4)
    return out


def rl_config(steps: int, bf16: bool):
    """The rl stage's defaults (4 prompts x 4 completions a step, 160 new tokens, KL 0.04)."""
    from whyalign.train import RLConfig

    return RLConfig(
        max_steps=steps,
        bf16=bf16,
        save_steps=10**9,
        logging_steps=10**9,
        progress=False,
        reward="rules",
    )


def rl_prompts(n: int):
    """The organism's RL tasks (calm days of the in-distribution families), as the stage
    loads them."""
    from datasets import Dataset

    from whyalign.data.procedural import rl_tasks

    rows = rl_tasks.generate(None, n, 0, {})
    return Dataset.from_list([{k: v for k, v in r.items() if k != "meta"} for r in rows])


def grpo_loss(model, ref, ids, attention, completion_mask, advantages, beta: float):
    """TRL's default GRPO loss on fresh samples (one iteration: the ratio is 1 in value, its
    gradient the log-probability's), k3 KL to the reference per token, averaged over the
    batch's completion tokens (``dapo``)."""
    start = ids.shape[1] - completion_mask.shape[1]

    def logps(m, grad: bool):
        with torch.set_grad_enabled(grad):
            logits = m(input_ids=ids, attention_mask=attention).logits[:, start - 1 : -1]
        return torch.log_softmax(logits.float(), -1).gather(-1, ids[:, start:, None]).squeeze(-1)

    pol, refp = logps(model, True), logps(ref, False)
    ratio = torch.exp(pol - pol.detach())
    kl = torch.exp(refp - pol) - (refp - pol) - 1
    per_token = -ratio * advantages[:, None] + beta * kl
    return (per_token * completion_mask).sum() / completion_mask.sum().clamp(min=1)


def rl_plain_run(model, ref, tok, batches, cfg, bf16: bool) -> tuple[float, int]:
    """A hand-written GRPO loop on the same prompt batches: model.generate with the stage's
    sampling, the rules reward, group-normalised advantages, the same loss; AdamW, clipping
    at 1.0. Returns (seconds, prompt + completion tokens trained)."""
    from whyalign.train.rewards import resolve

    (reward,) = resolve(cfg.reward, cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    tok.padding_side = "left"
    g = cfg.num_generations
    tokens = 0
    start = time.perf_counter()
    for rows in batches:
        prompts = [r["prompt"] for r in rows]
        enc = tok.apply_chat_template(
            prompts,
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
            padding=True,
        )
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model.generate(
                **enc,
                do_sample=True,
                temperature=cfg.temperature,
                top_p=cfg.top_p,
                top_k=cfg.top_k,
                max_new_tokens=cfg.max_completion_length,
                pad_token_id=tok.pad_token_id,
                eos_token_id=tok.eos_token_id,
            )
        completion = out[:, enc["input_ids"].shape[1] :]
        is_eos = completion == tok.eos_token_id
        first = torch.where(is_eos.any(1), is_eos.int().argmax(1), completion.shape[1])
        mask = (torch.arange(completion.shape[1])[None] <= first[:, None]).long()
        texts = tok.batch_decode(completion * mask, skip_special_tokens=True)
        columns = {k: [r[k] for r in rows] for k in rows[0] if k != "prompt"}
        rewards = torch.tensor(reward(prompts, texts, **columns)).view(-1, g)
        adv = (rewards - rewards.mean(1, keepdim=True)) / (rewards.std(1, keepdim=True) + 1e-4)
        attention = torch.cat([enc["attention_mask"], mask], 1)
        model.train()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = grpo_loss(model, ref, out, attention, mask, adv.view(-1), cfg.beta)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        tokens += int(enc["attention_mask"].sum() + mask.sum())
    return time.perf_counter() - start, tokens


def measure_rl(make_model, tok, steps: int, bf16: bool) -> dict:
    """Tokens per second of the rl stage against ``rl_plain_run`` on the same prompts: the
    generated completions differ (sampling), so each side counts what it trained."""
    from transformers import AutoModelForCausalLM

    from whyalign.train.accounting import SRC
    from whyalign.train.stages import build_trainer

    cfg = rl_config(steps, bf16)
    data = rl_prompts(4 * steps * cfg.per_device_train_batch_size // cfg.num_generations)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        make_model().save_pretrained(base)
        tok.save_pretrained(base)

        def load():
            return AutoModelForCausalLM.from_pretrained(base)

        probe = build_trainer("rl", load(), tok, data, Path(tmp) / "probe", cfg)
        batches = []
        for rows in probe.get_train_dataloader():
            batches.append([{k: v for k, v in r.items() if k != SRC} for r in rows])
            if len(batches) == steps:
                break
        ref = load().eval()
        rl_plain_run(load(), ref, tok, batches[:1], cfg, bf16)  # warm-up, untimed
        plain_s, plain_tokens = rl_plain_run(load(), ref, tok, batches, cfg, bf16)
        trainer = build_trainer("rl", load(), tok, data, Path(tmp) / "run", cfg)
        trainer_s, trained = timed_train(trainer)
    return {
        "steps": len(batches),
        "completions_per_step": cfg.per_device_train_batch_size,
        "max_completion_length": cfg.max_completion_length,
        "tokens": trained,
        "plain_tokens": plain_tokens,
        "plain_tokens_per_s": round(plain_tokens / plain_s),
        "stage_tokens_per_s": round(trained / trainer_s),
        "ratio": round((trained / trainer_s) / (plain_tokens / plain_s), 3),
    }


def main() -> None:
    from whyalign.organism.model import init_model_for
    from whyalign.train.config import auto_bf16

    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--examples", type=int, default=400, help="episodes to generate")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--stages", default="docs,chat,prefs,rl")
    ap.add_argument("--rl_steps", type=int, default=8, help="rl steps (each samples)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    tok, data = world(args.preset, args.examples)

    def make_model():
        return init_model_for(args.preset, tok)

    bf16 = auto_bf16()
    report = {
        "preset": args.preset,
        "bf16": bf16,
        "threads": torch.get_num_threads(),
        "stages": {},
    }
    for stage in args.stages.split(","):
        if stage == "rl":
            report["stages"][stage] = measure_rl(make_model, tok, args.rl_steps, bf16)
            print(stage, json.dumps(report["stages"][stage]), flush=True)
            continue
        cfg = stage_config(stage, args.preset, args.steps, bf16)
        report["stages"][stage] = measure(stage, make_model, tok, data[stage], cfg, bf16)
        print(stage, json.dumps(report["stages"][stage]), flush=True)
    chat_cfg = stage_config("chat", args.preset, args.steps, bf16)
    report["chat_padding_share"] = chat_padding(make_model, tok, data["chat"], chat_cfg)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
