"""Build the organism: corpus -> tokenizer -> pretraining (docs stage), with the plan's drill
phases (``drills.py``) after it or before it -> a cool-down on episodes (``Cooldown``) ->
generic agent SFT (chat stage), each step cached and resumable, in a directory keyed by the
hash of the preset, the seed, the world's text and the code version."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ..machine import machine
from .corpus import (
    generate,
    pretrain_text,
    sft_episodes,
    tokenizer_texts,
    write_jsonl,
)
from .drills import DrillMix, drills
from .model import PRESETS
from .plans import DEFAULT_PRESET, Cooldown, plan_for, plan_settings
from .weights import copy_rows

# Bump when a change to the build alters what a (preset, seed) produces.
CODE_VERSION = "9"


def cache_root() -> Path:
    return Path(os.environ.get("WHYALIGN_CACHE", Path.home() / ".cache" / "whyalign"))


def _world_hash() -> str:
    """The world's text and the code that turns it into a model.

    Code is hashed by its syntax tree without docstrings, so reformatting, a new comment or
    a docstring edit keeps the cache while any change of behaviour invalidates it.
    """
    here = Path(__file__).parent
    train = here.parent / "train"
    # The training code the build runs: the shared modules and the two stages it trains with;
    # another stage (prefs, rl, a plug-in) does not change the organism.
    stages = [train / "stages" / f"{m}.py" for m in ("__init__", "_common", "docs", "chat")]
    built = [p for p in here.glob("*.py") if p.name not in USES_A_BUILT_ORGANISM]
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.yaml"), *here.glob("situations/*.yaml")]):
        digest.update(path.name.encode() + path.read_bytes())
    for path in sorted([*built, *train.glob("*.py"), *stages]):
        digest.update(path.name.encode() + code_shape(path.read_text()).encode())
    return digest.hexdigest()


# Modules that load or probe a built organism and never run in its build: editing them must
# not make the shipped weights stale. Any other module of the package is hashed.
USES_A_BUILT_ORGANISM = frozenset({"kind.py", "provider.py", "sampling.py", "ooc.py"})


def code_shape(source: str) -> str:
    """``source``'s syntax tree with every docstring dropped."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def build_key(preset: str, seed: int) -> str:
    plan = plan_for(preset, seed)
    blob = json.dumps(
        {
            "plan": plan_settings(plan),
            "model": asdict(PRESETS[preset]),
            "world": _world_hash(),
            "code": CODE_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def build_dir(preset: str = DEFAULT_PRESET, seed: int = 0) -> Path:
    return cache_root() / "organism" / f"{preset}-s{seed}-{build_key(preset, seed)}"


def model_dir(preset: str = DEFAULT_PRESET, seed: int = 0) -> Path:
    return build_dir(preset, seed) / "model"


def is_built(preset: str = DEFAULT_PRESET, seed: int = 0) -> bool:
    return (model_dir(preset, seed) / "organism.json").exists()


class _Steps:
    """Run named steps once: a marker file records each finished step."""

    def __init__(self, root: Path, log: Callable[[str], None]) -> None:
        self.root, self.log = root, log
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> None:
        marker = self.root / f".done-{name}"
        if marker.exists():
            self.log(f"[{name}] cached")
            return
        self.log(f"[{name}] running")
        start = time.perf_counter()
        fn()
        self.timings[name] = round(time.perf_counter() - start, 2)
        marker.write_text(json.dumps({"seconds": self.timings[name]}))


def _atomic_jsonl(docs, path: Path) -> str:
    tmp = path.with_suffix(".partial")
    digest = write_jsonl(docs, tmp)
    tmp.replace(path)
    return digest


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open()]


def ship_decoding(model_dir: Path, top_p: float) -> None:
    """Make nucleus sampling at ``top_p`` the decoding default of the model in ``model_dir``."""
    from transformers import GenerationConfig

    gen = GenerationConfig.from_pretrained(model_dir)
    gen.do_sample, gen.top_p = True, top_p
    gen.save_pretrained(model_dir)


def bos_blocks(texts, tokenizer, length: int) -> list[list[int]]:
    """The docs stage's packing (``train.prepare.pack``), with every block opened by BOS.

    BOS is the induction circuit's attention sink (``circuit.py``): a position with no earlier
    match attends there. A block cut from the middle of a document would have none until the
    next document starts, so every block gets one.
    """
    from ..train.prepare import pack

    return [[tokenizer.bos_token_id, *b] for b in pack(texts, tokenizer, length - 1)["input_ids"]]


def build(
    preset: str = DEFAULT_PRESET,
    seed: int = 0,
    log: Callable[[str], None] = print,
    progress: bool = True,
    shipped: bool = True,
) -> Path:
    """Build (or reuse) the organism and return its Hugging Face model directory: the cache's,
    else the shipped weights of this build key installed there (``shipped`` False: trained
    here, replacing an installed copy)."""
    from datasets import Dataset

    from .shipped import install, uninstall

    plan = plan_for(preset, seed)
    root = build_dir(preset, seed)
    final = root / "model"
    if not shipped:
        uninstall(root, log)
    if (final / "organism.json").exists():
        log(f"cache hit: {final}")
        return final
    if shipped and install(preset, seed, root, log):
        return final
    root.mkdir(parents=True, exist_ok=True)
    steps = _Steps(root, log)
    start = time.perf_counter()
    info: dict[str, Any] = {}

    def corpus() -> None:
        from ..contamination import check

        digest = _atomic_jsonl(generate(plan.corpus), root / "corpus.jsonl")
        sft_digest = _atomic_jsonl(sft_episodes(plan.sft_episodes, seed), root / "sft.jsonl")
        report = {
            "pretrain": check(_read_jsonl(root / "corpus.jsonl")).to_dict(),
            "sft": check(_read_jsonl(root / "sft.jsonl")).to_dict(),
        }
        (root / "contamination.json").write_text(json.dumps(report, indent=2))
        (root / "corpus.json").write_text(
            json.dumps({"corpus_sha256": digest, "sft_sha256": sft_digest})
        )
        if not (report["pretrain"]["passed"] and report["sft"]["passed"]):
            raise RuntimeError(
                f"corpus overlaps a held-out family: see {root / 'contamination.json'}"
            )

    def tokenizer() -> None:
        from .tokenizer import train_tokenizer

        docs = _read_jsonl(root / "corpus.jsonl")
        tok = train_tokenizer(tokenizer_texts(docs), vocab_size=PRESETS[preset].vocab)
        tok.save_pretrained(root / "tokenizer")

    def start_model(tok, start: str | None, hold: bool = True):
        from transformers import AutoModelForCausalLM

        from .model import hold as hold_heads
        from .model import init_model_for

        if start is None:
            return init_model_for(preset, tok, seed)
        model = AutoModelForCausalLM.from_pretrained(root / start / "model")
        if hold:
            # Held through every stage before SFT, not the first alone: drills first, the
            # stage that loads the drilled model would otherwise wear it away.
            hold_heads(model, preset)
        return model

    def pretrain(start: str | None) -> Callable[[], None]:
        def run() -> None:
            from transformers import AutoTokenizer

            from ..train.stages import train_stage

            tok = AutoTokenizer.from_pretrained(root / "tokenizer")
            docs = _read_jsonl(root / "corpus.jsonl")
            cfg = replace(plan.docs, progress=progress)
            if plan.copy_weight is not None:
                # Rows of unequal length, not packed blocks: grouped by length, less padding.
                rows = copy_rows(
                    docs, tok, plan.copy_weight, cfg.max_length, prompt_weight=plan.prompt_weight
                )
                data = Dataset.from_dict(rows)
                cfg = replace(cfg, train_sampling_strategy="group_by_length")
            elif PRESETS[preset].induction:
                texts = [pretrain_text(d, tok) for d in docs]
                data = Dataset.from_dict({"input_ids": bos_blocks(texts, tok, cfg.max_length)})
            else:
                data = Dataset.from_dict({"text": [pretrain_text(d, tok) for d in docs]})
            train_stage("docs", start_model(tok, start), tok, data, root / "pretrain", cfg)

        return run

    def drill(phase: str, mix: DrillMix, start: str | None) -> Callable[[], None]:
        def run() -> None:
            from transformers import AutoTokenizer

            from ..contamination import check
            from ..train.stages import train_stage

            tok = AutoTokenizer.from_pretrained(root / "tokenizer")
            rows = list(drills(mix, seed, phase))
            report = check(rows)
            if not report.passed:
                raise RuntimeError(f"the {phase} drills overlap a held-out family")
            cfg = replace(plan.drill_docs or plan.docs, progress=progress)
            corpus = _read_jsonl(root / "corpus.jsonl")
            ride = random.Random(f"{phase}:{seed}").sample(corpus, min(mix.docs, len(corpus)))
            # Drills labelled on their whole replies (not their inboxes), the chosen name and
            # copied values weighing more (all weighing 1 without copy weights): the form stays
            # and the choice carries the loss. The corpus documents train as in pretraining.
            weight = plan.copy_weight or 1.0
            drilled = [{"messages": r["messages"]} for r in rows]
            a = copy_rows(drilled, tok, weight, cfg.max_length, reply_only=True)
            b = copy_rows(ride, tok, weight, cfg.max_length)
            data = Dataset.from_dict({key: a[key] + b[key] for key in a})
            train_stage("docs", start_model(tok, start), tok, data, root / phase, cfg)

        return run

    def cooldown(cool: Cooldown, start: str | None) -> Callable[[], None]:
        def run() -> None:
            from transformers import AutoTokenizer

            from ..train.stages import train_stage

            tok = AutoTokenizer.from_pretrained(root / "tokenizer")
            corpus = [d for d in _read_jsonl(root / "corpus.jsonl") if d["kind"] == "episode"]
            evallike = [d for d in corpus if "scenario_id" in d]
            world = [d for d in corpus if "scenario_id" not in d]
            drawn = random.Random(f"cooldown:{seed}").sample(
                world, min(cool.world_episodes, len(world))
            )
            cfg = replace(
                plan.docs,
                learning_rate=cool.learning_rate,
                max_steps=cool.steps,
                train_sampling_strategy="group_by_length",
                progress=progress,
            )
            rows = copy_rows(
                evallike + drawn,
                tok,
                plan.copy_weight or 1.0,
                cfg.max_length,
                prompt_weight=plan.prompt_weight,
            )
            data = Dataset.from_dict(rows)
            train_stage("docs", start_model(tok, start), tok, data, root / "cooldown", cfg)

        return run

    def sft(start: str | None) -> Callable[[], None]:
        def run() -> None:
            from transformers import AutoTokenizer

            from ..train.stages import train_stage

            tok = AutoTokenizer.from_pretrained(root / "tokenizer")
            docs = _read_jsonl(root / "sft.jsonl")
            data = Dataset.from_dict({"messages": [d["messages"] for d in docs]})
            cfg = replace(plan.chat, progress=progress)
            train_stage("chat", start_model(tok, start, hold=False), tok, data, root / "sft", cfg)

        return run

    steps.run("corpus", corpus)
    steps.run("tokenizer", tokenizer)
    last: str | None = None  # the stage whose model the next one trains; None: a fresh one
    if not plan.drills_first:
        steps.run("pretrain", pretrain(last))
        last = "pretrain"
    for phase, mix in (("warm", plan.warm), ("drills", plan.drill)):
        if mix is not None:
            steps.run(phase, drill(phase, mix, last))
            last = phase
    if plan.drills_first:
        steps.run("pretrain", pretrain(last))
        last = "pretrain"
    if plan.cooldown is not None:
        steps.run("cooldown", cooldown(plan.cooldown, last))
        last = "cooldown"
    steps.run("sft", sft(last))

    tmp = root / "model.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(root / "sft" / "model", tmp)
    if plan.top_p is not None:
        ship_decoding(tmp, plan.top_p)
    info = {
        "preset": preset,
        "seed": seed,
        "key": build_key(preset, seed),
        "code_version": CODE_VERSION,
        **json.loads((root / "corpus.json").read_text()),
        "step_seconds": {
            p.name[6:]: json.loads(p.read_text())["seconds"] for p in root.glob(".done-*")
        },
        "build_seconds_this_run": round(time.perf_counter() - start, 2),
        "machine": machine(),
    }
    (tmp / "organism.json").write_text(json.dumps(info, indent=2))
    shutil.rmtree(final, ignore_errors=True)
    tmp.replace(final)
    log(f"built: {final}")
    return final
