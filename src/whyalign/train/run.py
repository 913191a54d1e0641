"""A training run from flags or YAML: resolve the starting model, load the mixture, train.

``python -m whyalign.train STAGE --model M --data D[:w] ... --out DIR [--lora] [--config F.yaml]``
and ``whyalign train STAGE ...`` both land in ``main``/``train`` here, so
``accelerate launch -m whyalign.train ...`` scales the same command out to GPUs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import StageConfig, TrainArgs, stage_config
from .errors import DataError, ModelLoadError

ACCELERATE_DIR = Path(__file__).parent / "accelerate"


def usage() -> str:
    """The one-screen usage, listing the registered stages."""
    from .registry import names

    return (
        f"usage: python -m whyalign.train {{{','.join(names())}}} --model M "
        "--data PATH[:weight|:tokens] ... --out DIR [--lora] [--config FILE.yaml] [--help]\n"
        "       python -m whyalign.train configs [ddp|fsdp2|zero3]   # shipped accelerate configs"
    )


def __getattr__(name: str) -> str:
    if name == "USAGE":  # a constant before stages were registered; the CLI still imports it
        return usage()
    raise AttributeError(name)


@dataclass
class ModelArgs:
    """How the starting model loads."""

    dtype: str = field(
        default="float32",
        metadata={"help": "Weights dtype: float32 (mixed precision keeps fp32 masters), bfloat16"},
    )


def accelerate_config(name: str) -> Path:
    """Path of a shipped accelerate config: ddp, fsdp2 or zero3."""
    path = ACCELERATE_DIR / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in ACCELERATE_DIR.glob("*.yaml")))
        raise ValueError(f"no accelerate config {name!r}; shipped: {known}")
    return path


def _merge_repeated(argv: Sequence[str], flag: str) -> list[str]:
    """``--data a --data b`` means ``--data a b`` (argparse would keep only the last)."""
    values: list[str] = []
    rest: list[str] = []
    i, seen = 0, False
    while i < len(argv):
        if argv[i] == flag:
            seen = True
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                values.append(argv[i])
                i += 1
        elif argv[i].startswith(flag + "="):
            seen = True
            values.append(argv[i].split("=", 1)[1])
            i += 1
        else:
            rest.append(argv[i])
            i += 1
    return [*rest, flag, *values] if seen and values else list(argv)


def parse(argv: Sequence[str]) -> tuple[str, TrainArgs, StageConfig, ModelArgs]:
    """``STAGE [flags]`` -> (stage, TrainArgs, the stage's config, ModelArgs); YAML from
    ``--config`` sets defaults that flags override."""
    from trl import TrlParser

    from .registry import names

    argv = list(argv)
    if not argv or argv[0] not in names():
        got = f"got {argv[0]!r}" if argv else "none given"
        raise ValueError(f"the first argument must be a stage ({', '.join(names())}); {got}")
    stage = argv[0]
    parser = TrlParser(
        [TrainArgs, stage_config(stage), ModelArgs], prog=f"python -m whyalign.train {stage}"
    )
    targs, cfg, margs = parser.parse_args_and_config(_merge_repeated(argv[1:], "--data"))
    return stage, targs, cfg, margs


def resolve_model(model: str, organism_seed: int = 0) -> str:
    """``organism[/preset]`` -> its built directory (built on first use); a previous stage's
    ``--out`` -> its ``model/``; anything else passes through (a dir or a hub id)."""
    from .. import models

    if not model:
        raise ModelLoadError("no starting model: give --model (a HF dir, hub id or 'organism')")
    local = models.local_path(model, organism_seed)  # a local kind's name, built on first use
    if local is not None:
        return local
    path = Path(model).expanduser()
    if path.is_dir() and not (path / "config.json").exists() and (path / "model").is_dir():
        return str(path / "model")
    if not path.exists() and (model.startswith((".", "/", "~")) or model.count("/") > 1):
        raise ModelLoadError(f"model directory not found: {model}")
    return str(path) if path.exists() else model


def _one_line(err: BaseException) -> str:
    lines = [ln.strip() for ln in str(err).strip().splitlines() if ln.strip()]
    return (lines[0] if lines else type(err).__name__)[:300]


def load_model(path: str, dtype: str = "float32") -> tuple[Any, Any]:
    """(model, tokenizer) from a HF directory or hub id; a one-line ModelLoadError if not."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dtype not in ("float32", "bfloat16", "float16", "auto"):
        raise ValueError(f"unknown dtype {dtype!r}: float32, bfloat16, float16 or auto")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
    except Exception as err:  # transformers raises OSError, ValueError, KeyError, ...
        raise ModelLoadError(f"could not load a tokenizer from {path}: {_one_line(err)}") from err
    try:
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=dtype if dtype == "auto" else getattr(torch, dtype)
        )
    except Exception as err:
        raise ModelLoadError(f"could not load a causal LM from {path}: {_one_line(err)}") from err
    return model, tokenizer


def train(
    stage: str,
    args: TrainArgs,
    cfg: StageConfig,
    model_args: ModelArgs | None = None,
    callbacks: Sequence[Any] = (),
) -> Path:
    """Load the mixture, then the model, and train one stage; returns ``out/model``."""
    from .data import load_mixture
    from .stages import _progress_bars, stage_args, train_stage

    if not isinstance(cfg, stage_config(stage)):
        raise ValueError(f"the {stage} stage needs a {stage_config(stage).__name__}")
    if not args.out:
        raise DataError("no output directory: give --out DIR")
    parts = load_mixture(stage, args.data)  # cheap checks first: no model load for bad data
    # Kept alive while the model loads: under DeepSpeed ZeRO-3 it makes from_pretrained shard.
    early_args = stage_args(stage, cfg, Path(args.out))
    path = resolve_model(args.model, args.organism_seed)
    with _progress_bars(cfg.progress):
        model, tokenizer = load_model(path, (model_args or ModelArgs()).dtype)
    del early_args
    from .. import models

    out = train_stage(
        stage,
        model,
        tokenizer,
        parts,
        args.out,
        cfg,
        resume=args.resume,
        callbacks=[*callbacks, *models.train_callbacks(model, path)],
    )
    models.derive(path, out)  # a fine-tune stays its kind's (its renderer, its callbacks)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "configs":
        names = argv[1:] or sorted(p.stem for p in ACCELERATE_DIR.glob("*.yaml"))
        try:
            print("\n".join(str(accelerate_config(n)) for n in names))
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        return 0
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    try:
        stage, targs, cfg, margs = parse(argv)
        # stdout carries only the model path (MODEL=$(python -m whyalign.train ...)); the
        # trainers' log lines go to stderr with the progress bars.
        with contextlib.redirect_stdout(sys.stderr):
            path = train(stage, targs, cfg, margs)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if os.environ.get("RANK", "0") == "0":  # once, not once per process under a launcher
        print(path)
    return 0
