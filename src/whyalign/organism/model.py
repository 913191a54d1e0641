"""Model presets for the organism: a LlamaForCausalLM from a random init."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Preset:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    context: int
    vocab: int
    # Start from an induction circuit (``circuit.py``): untied embeddings, attention biases and
    # slow RoPE (theta 1e6) so that its content match holds across the whole context.
    induction: bool = False
    # With the circuit, a name head beside it (``names.py``): attention to the first names in
    # the context, so that the organism can learn whom to write to.
    names: bool = False
    # With the circuit, a value head (``values.py``): a copying head that learns what to copy.
    # Off in `small`: it traded held-out harm for in-distribution (docs/organism-log.md).
    values: bool = False


PRESETS = {
    # tests: under 1M parameters
    "tiny": Preset(hidden=64, layers=2, heads=4, intermediate=192, context=512, vocab=768),
    # the laptop default
    "small": Preset(
        hidden=160,
        layers=4,
        heads=4,
        intermediate=480,
        context=512,
        vocab=2048,
        induction=True,
        names=True,
    ),
    # for a GPU
    "base": Preset(hidden=768, layers=12, heads=12, intermediate=2304, context=1024, vocab=8192),
}


def init_model(
    preset: str | Preset,
    vocab_size: int,
    seed: int = 0,
    name_ids: list[int] | None = None,
    **ids: int,
):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    p = PRESETS[preset] if isinstance(preset, str) else preset
    if p.names and not (p.induction and name_ids):
        raise ValueError("a preset with the name head needs the induction circuit and name_ids")
    if p.values and not p.induction:
        raise ValueError("a preset with the value head needs the induction circuit")
    shape: dict = {"tie_word_embeddings": True}
    if p.induction:
        if "bos_token_id" not in ids:
            raise ValueError("a preset with the induction circuit needs bos_token_id (its sink)")
        shape = dict(
            tie_word_embeddings=False,
            attention_bias=True,
            rope_parameters={"rope_type": "default", "rope_theta": 1e6},
        )
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=p.hidden,
        num_hidden_layers=p.layers,
        num_attention_heads=p.heads,
        num_key_value_heads=p.heads,
        intermediate_size=p.intermediate,
        max_position_embeddings=p.context,
        **shape,
        **ids,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    if p.induction:
        from .circuit import seed_induction

        seed_induction(model, bos_id=ids["bos_token_id"], seed=seed)
    if p.names:
        from .names import seed_names

        seed_names(model, name_ids or [], seed=seed)
    if p.values:
        from .values import seed_values

        seed_values(model, seed=seed)
    hold(model, p)
    return model


def hold(model, preset: str | Preset) -> None:
    """Hold the preset's structured heads (the circuit, the name and value heads) fixed on
    ``model``, a fresh one or one loaded again: every stage before SFT trains under them."""
    p = PRESETS[preset] if isinstance(preset, str) else preset
    if p.induction:
        from .circuit import hold_circuit

        hold_circuit(model)
    if p.names:
        from .names import hold_names

        hold_names(model)
    if p.values:
        from .values import hold_values

        hold_values(model)


def hold_saved(model, model_dir: str | Path) -> str | None:
    """Hold the structured heads of an organism, or of a model trained from one, loaded from
    ``model_dir`` (its ``organism.json`` names the preset); returns the preset, or None for
    any other model. Every fine-tune from the organism trains under them, as its build's
    stages do: released, a few steps on text it finds surprising wear its copying away and
    most of its replies stop parsing (docs/organism-log.md). Training gets the same hold from
    ``hold_callback``."""
    preset = saved_preset(model_dir)
    if preset is not None:
        hold(model, preset)
    return preset


def saved_preset(model_dir: str | Path) -> str | None:
    """The preset named by ``model_dir``'s ``organism.json``; None for any other model."""
    marker = Path(model_dir) / "organism.json"
    if not marker.is_file():
        return None
    preset = json.loads(marker.read_text()).get("preset")
    return preset if preset in PRESETS else None


def hold_callback(model, model_dir: str | Path):
    """A ``transformers.TrainerCallback`` that holds ``model``'s structured heads (as
    ``hold_saved`` does) when training begins; None for a model not from the organism.

    The hold is gradient hooks (``circuit.hold_rows``), so registering them before the first
    backward pass gives the same weights as registering them at load: nothing is restored
    after a step. They go on ``model`` as loaded, not on the trainer's wrapper (LoRA, DDP),
    whose attribute paths differ; under LoRA its base weights are frozen and get no hook.
    """
    from transformers import TrainerCallback

    preset = saved_preset(model_dir)
    if preset is None:
        return None

    class HoldHeads(TrainerCallback):
        def __init__(self) -> None:
            self.held = False

        def on_train_begin(self, args, state, control, **kwargs):
            if not self.held:  # a hook registered twice would be harmless, but once is enough
                hold(model, preset)
                self.held = True
                print(
                    f"the organism's structured heads ({preset}) are held in this stage",
                    file=sys.stderr,
                )

    return HoldHeads()


def init_model_for(preset: str | Preset, tokenizer, seed: int = 0):
    """A fresh model sized to ``tokenizer`` and knowing its BOS, EOS and padding ids (and,
    for the name head, its names)."""
    from .names import name_tokens

    p = PRESETS[preset] if isinstance(preset, str) else preset
    return init_model(
        preset,
        len(tokenizer),
        seed,
        name_ids=name_tokens(tokenizer) if p.names else None,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def preset_dict(name: str) -> dict:
    return asdict(PRESETS[name])
