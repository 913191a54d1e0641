"""LoRA: only the adapter trains; the adapter saves and loads onto the base, and ``out/model``
is the merged model with the same outputs."""

import json

import pytest
import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

from whyalign.train.config import TrainArgs, stage_config
from whyalign.train.run import train

from .conftest import ROWS, write_jsonl


@pytest.mark.parametrize("stage", ["docs", "chat", "prefs"])
def test_lora_trains_saves_and_loads(stage, base_dir, tmp_path):
    data = write_jsonl(tmp_path / "data.jsonl", ROWS[stage](24))
    cfg = stage_config(stage)(
        lora=True,
        lora_r=4,
        lora_alpha=8,
        max_steps=6,
        per_device_train_batch_size=4,
        max_length=48 if stage == "docs" else 128,
        learning_rate=1e-2 if stage != "prefs" else 1e-3,
        save_steps=100,
        bf16=False,
        progress=False,
    )
    out = tmp_path / "out"
    final = train(stage, TrainArgs(model=str(base_dir), data=[data], out=str(out)), cfg)
    adapter = out / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["r"] == 4 and set(config["target_modules"]) == set(cfg.lora_targets)

    base = AutoModelForCausalLM.from_pretrained(base_dir)
    lora = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir), adapter)
    trained = [p for n, p in lora.named_parameters() if "lora_B" in n]
    assert trained and all(p.abs().sum() > 0 for p in trained)  # B starts at zero
    merged = AutoModelForCausalLM.from_pretrained(final)
    tok = AutoTokenizer.from_pretrained(final)
    x = torch.tensor([tok("kim sends the audit report to ana.")["input_ids"]])
    with torch.no_grad():
        want, got, before = lora(x).logits, merged(x).logits, base(x).logits
    assert torch.allclose(want, got, atol=1e-4)
    assert not torch.allclose(before, got, atol=1e-4)
    # the frozen base weights outside the adapted projections are unchanged
    b, m = base.state_dict(), merged.state_dict()
    assert torch.equal(b["model.embed_tokens.weight"], m["model.embed_tokens.weight"])
    assert torch.equal(
        b["model.layers.0.mlp.up_proj.weight"], m["model.layers.0.mlp.up_proj.weight"]
    )


def test_lora_run_resumes_to_the_same_adapter(base_dir, tmp_path):
    from safetensors.torch import load_file
    from transformers import TrainerCallback

    class Kill(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3:
                raise KeyboardInterrupt

    data = write_jsonl(tmp_path / "chat.jsonl", ROWS["chat"](24))
    cfg = stage_config("chat")(
        lora=True, lora_r=4, max_steps=5, per_device_train_batch_size=4, save_steps=2
    )
    cfg.bf16, cfg.progress, cfg.max_length = False, False, 128

    def run(out, callbacks=()):
        args = TrainArgs(model=str(base_dir), data=[data], out=str(out))
        return train("chat", args, cfg, callbacks=callbacks)

    run(tmp_path / "a")
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "b", [Kill()])
    run(tmp_path / "b")
    a, b = (load_file(tmp_path / x / "adapter" / "adapter_model.safetensors") for x in "ab")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
