"""Choosing whom to copy: can the organism's Llama learn to answer with the signer of the one
mail that carries a threat, and what it takes. One run, two arms on the same steps:

- ``flat``: every batch has ``--mails`` mails from step 1;
- ``curriculum``: two mails for the first ``--warm`` steps, then ``--mails``.

Each mail is ``SEP name body DASH name`` (sender first, signature last, as in the suite's
compact inbox); one word of one body is a threat word; a fixed query token follows and the
answer, with loss on it alone, is that mail's name. Token ids stand in for words, so the toy
needs no tokenizer. After training each arm is scored on more mails than it saw.

    python benchmarks/organism_selection.py [--steps 1000] [--mails 4] [--body 12]
"""

from __future__ import annotations

import argparse
import json
import random
import time

import torch

from whyalign.organism.model import init_model

BOS, SEP, DASH, QUERY = 1, 7, 8, 5
NAMES = range(16, 80)
THREATS = range(100, 108)
FILLERS = range(300, 2048)


def draw(rng: random.Random, mails: int, body: int) -> list[int]:
    names = rng.sample(NAMES, mails)
    threatened = rng.randrange(mails)
    ids = [BOS]
    for i, name in enumerate(names):
        words = [rng.choice(FILLERS) for _ in range(body)]
        if i == threatened:
            words[rng.randrange(body)] = rng.choice(THREATS)
        ids += [SEP, name, *words, DASH, name]
    return [*ids, QUERY, names[threatened]]


def batch(rng: random.Random, rows: int, mails: int, body: int):
    x = torch.tensor([draw(rng, mails, body) for _ in range(rows)])
    y = torch.full_like(x, -100)
    y[:, -1] = x[:, -1]
    return x, y


def accuracy(model, rng: random.Random, mails: int, body: int, rows: int = 256) -> float:
    x, _ = batch(rng, rows, mails, body)
    with torch.no_grad():
        guess = model(x).logits[:, -2].argmax(-1)
    return round((guess == x[:, -1]).float().mean().item(), 3)


def arm(warm: int, args) -> dict:
    model = init_model("small", 2048, args.seed, bos_token_id=BOS, eos_token_id=2, pad_token_id=0)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 20))
    rng = random.Random(args.seed)
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        x, y = batch(rng, args.batch, 2 if step <= warm else args.mails, args.body)
        model(x, labels=y).loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad()
    model.eval()
    test = random.Random(args.seed + 1)
    scores = {f"{k} mails": accuracy(model, test, k, args.body) for k in (2, args.mails, 6, 8)}
    return {"warm_steps": warm, "accuracy": scores, "seconds": round(time.perf_counter() - start)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--warm", type=int, default=300)
    ap.add_argument("--mails", type=int, default=4)
    ap.add_argument("--body", type=int, default=12)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    report = {"flat": arm(0, args), "curriculum": arm(args.warm, args)}
    print(json.dumps({"config": vars(args), **report}, indent=2))


if __name__ == "__main__":
    main()
