"""How well an organism copies from its context: the skill every in-distribution family and
every routine action needs (the right name, code, path or host), measured several ways, one run:

- induction score: a random 40-token span repeated once; argmax accuracy on the repeat (an
  induction head gives well over 0.5; no copying gives ~0);
- span copying: the same on text of the world's own shapes, repeated once: shuffled words,
  five-digit codes, paths of words (on `small` the seeded circuit alone scores 0.75, 0.20
  and 0.64, the shipped build 0.04, 0.07 and 0.09: its last layer's own predictions drown
  the copy);
- name copying on fresh episodes of the organism's own world, teacher-forced on the reference
  reply: argmax accuracy on the reply's person names, split into the name's first mention in
  the reply (chosen from the prompt) and a name the reply already used (copied from itself);
- value copying on the same episodes: whether the action's first argument, teacher-forced up to
  it, comes out whole by argmax, by argument (``to`` is a name chosen among senders; ``code``,
  ``file``, ``path``, ``question``... are copied from one mail);
- forced acts on the suite itself (compact scenes under a threat, the prompt ending in
  ``<action name="``, greedy): per family, how often the act names the family's harmful tool
  and how often the classifier calls it harmful. The gap between the two is copying on text
  the world never showed; the gap between these and the eval is the reasoning before the act.

    python benchmarks/organism_copying.py [--model DIR] [--episodes 60]

Without --model it measures the built default organism.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict

import torch

# Capitalised words of the reasoning that are not names.
NOT_NAMES = {"I", "A", "The", "This", "My", "No", "Nothing", "Hi", "Here", "If", "So", "They"}


def repeat_hits(model, spans: torch.Tensor) -> tuple[int, int]:
    """Each row of ``spans`` (rows x k token ids) after BOS and then again: (argmax hits on
    the repeat, positions scored). The repeat's first token has nothing to copy from yet."""
    k = spans.shape[1]
    bos = torch.full((spans.shape[0], 1), model.config.bos_token_id)
    ids = torch.cat([bos, spans, spans], 1)
    with torch.no_grad():
        pred = model(ids).logits[:, :-1].argmax(-1)
    hits = pred[:, k + 1 :] == ids[:, k + 2 :]
    return int(hits.sum()), hits.numel()


def induction_score(model, seed: int = 0, span: int = 40, rows: int = 16) -> float:
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(100, model.config.vocab_size, (rows, span), generator=g)
    ok, n = repeat_hits(model, x)
    return ok / n


def span_copying(model, tok, seed: int = 0, rows: int = 16) -> dict[str, float]:
    """Argmax accuracy on the repeat of spans shaped like the world's words, codes and paths:
    what the seeded circuit does, less what the layers above it learned to outweigh."""
    import random

    from whyalign.organism.lexicon import RECIPE_WORDS

    rng = random.Random(seed)
    shapes = {
        "words": lambda: " ".join(rng.sample(RECIPE_WORDS, 30)),
        "codes": lambda: " ".join(str(rng.randrange(10000, 100000)) for _ in range(10)),
        "paths": lambda: " ".join(
            "/{}/{}_{}.csv".format(*rng.sample(RECIPE_WORDS, 3)) for _ in range(5)
        ),
    }
    out = {}
    for name, make in shapes.items():
        # One row at a time: spans tokenize to different lengths.
        counts = [
            repeat_hits(
                model, torch.tensor([tok(make(), add_special_tokens=False)["input_ids"][:60]])
            )
            for _ in range(rows)
        ]
        out[name] = round(sum(c[0] for c in counts) / sum(c[1] for c in counts), 3)
    return out


def name_copying(model, tok, episodes: int, seed: int = 4242) -> dict[str, float | int]:
    from whyalign.organism.corpus import CorpusConfig, generate

    cfg = CorpusConfig(seed=seed, episodes=episodes, stories=0, world=0, directories=0)
    counts = {"first_n": 0, "first_ok": 0, "again_n": 0, "again_ok": 0}
    for doc in generate(cfg):
        msgs = doc["messages"]
        prompt = tok.apply_chat_template(msgs[:-1], add_generation_prompt=True, return_dict=True)
        full = tok.apply_chat_template(msgs, return_dict=True)["input_ids"]
        words = " ".join(m["content"] for m in msgs[:-1]).replace(".", " ").replace(",", " ")
        names = {w for w in words.split() if w[:1].isupper()} - NOT_NAMES
        with torch.no_grad():
            logits = model(torch.tensor([full])).logits[0]
        seen: set[str] = set()
        for p in range(len(prompt["input_ids"]), len(full)):
            word = tok.decode([full[p]]).strip()
            if word not in names:
                continue
            kind = "again" if word in seen else "first"
            seen.add(word)
            counts[f"{kind}_n"] += 1
            counts[f"{kind}_ok"] += int(logits[p - 1].argmax().item() == full[p])
    return {
        **counts,
        "first": counts["first_ok"] / max(1, counts["first_n"]),
        "again": counts["again_ok"] / max(1, counts["again_n"]),
    }


_FIRST_ARG = re.compile(r'<action name="\w+">\n(\w+): ')


def value_copying(model, tok, episodes: int, seed: int = 4242) -> dict[str, dict[str, float]]:
    from whyalign.organism.corpus import CorpusConfig, generate

    cfg = CorpusConfig(seed=seed, episodes=episodes, stories=0, world=0, directories=0)
    hits: dict[str, list[bool]] = defaultdict(list)
    for doc in generate(cfg):
        msgs = doc["messages"]
        reply = msgs[-1]["content"]
        found = _FIRST_ARG.search(reply)
        if found is None:
            continue
        value = reply[found.end() :].split("\n")[0]
        head = tok.apply_chat_template(msgs[:-1], tokenize=False, add_generation_prompt=True)
        ids = tok(head + reply[: found.end() - 1], add_special_tokens=False)["input_ids"]
        answer = tok(" " + value, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids + answer])).logits[0]
        guess = logits[len(ids) - 1 : len(ids) - 1 + len(answer)].argmax(-1).tolist()
        hits[found.group(1)].append(guess == answer)
    return {arg: {"n": len(v), "acc": round(sum(v) / len(v), 3)} for arg, v in sorted(hits.items())}


def forced_acts(model, tok, scenes: int = 12) -> dict[str, dict[str, float | int]]:
    import whyalign.scenarios as S
    from whyalign.scenarios.families import builtin_families

    out = {}
    for family in sorted(builtin_families()):
        tool = harmful = 0
        sids = list(S.expand(family, S.core_grid(), 2))[:scenes]
        for sid in sids:
            scn = S.build_scenario(sid)
            shown = S.render(scn, "compact")
            messages = [
                {"role": "system", "content": shown.system},
                {"role": "user", "content": shown.user},
            ]
            prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            ids = tok(prompt + '<action name="', add_special_tokens=False, return_tensors="pt")
            with torch.no_grad():
                out_ids = model.generate(
                    **ids, max_new_tokens=70, do_sample=False, pad_token_id=tok.pad_token_id
                )
            act = tok.decode(out_ids[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)
            wanted = {t for rule in scn.family.harmful.any for t in rule.tools}
            tool += act.split('"')[0] in wanted
            harmful += S.classify(scn, '<action name="' + act).harmful
        n = len(sids)
        out[family] = {"n": n, "tool": round(tool / n, 2), "harmful": round(harmful / n, 2)}
    return out


def copying(path: str, episodes: int) -> dict:
    """Every measure of this module on the model directory ``path``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    return {
        "induction_score": round(induction_score(model), 3),
        "span_copying": span_copying(model, tok),
        "names": name_copying(model, tok, episodes),
        "values": value_copying(model, tok, episodes),
        "suite_forced": forced_acts(model, tok),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a model directory (default: the built default organism)")
    ap.add_argument("--episodes", type=int, default=60)
    args = ap.parse_args()
    path = args.model
    if path is None:
        from whyalign.organism.build import DEFAULT_PRESET, is_built, model_dir

        if not is_built(DEFAULT_PRESET, 0):
            raise SystemExit("no organism built: run `whyalign organism build` or pass --model")
        path = str(model_dir(DEFAULT_PRESET, 0))
    print(json.dumps({"model": path, **copying(path, args.episodes)}))


if __name__ == "__main__":
    main()
