"""Model presets for the organism: a LlamaForCausalLM from a random init."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Preset:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    context: int
    vocab: int


PRESETS = {
    # tests: under 1M parameters
    "tiny": Preset(hidden=64, layers=2, heads=4, intermediate=192, context=512, vocab=768),
    # the laptop default
    "small": Preset(hidden=160, layers=4, heads=4, intermediate=480, context=512, vocab=2048),
    # for a GPU
    "base": Preset(hidden=768, layers=12, heads=12, intermediate=2304, context=1024, vocab=8192),
}


def init_model(preset: str | Preset, vocab_size: int, seed: int = 0, **ids: int):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    p = PRESETS[preset] if isinstance(preset, str) else preset
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=p.hidden,
        num_hidden_layers=p.layers,
        num_attention_heads=p.heads,
        num_key_value_heads=p.heads,
        intermediate_size=p.intermediate,
        max_position_embeddings=p.context,
        tie_word_embeddings=True,
        **ids,
    )
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)


def init_model_for(preset: str | Preset, tokenizer, seed: int = 0):
    """A fresh model sized to ``tokenizer`` and knowing its BOS, EOS and padding ids."""
    return init_model(
        preset,
        len(tokenizer),
        seed,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def preset_dict(name: str) -> dict:
    return asdict(PRESETS[name])
