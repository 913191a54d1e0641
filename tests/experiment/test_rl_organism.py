"""The ``rl`` stage on the tiny organism: GRPO raises a scripted reward (shorter replies) in a
few steps, measured by sampling the model before and after, on the organism's own RL tasks."""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from whyalign.train.config import TrainArgs
from whyalign.train.rewards import reward
from whyalign.train.run import train
from whyalign.train.stages.rl import RLConfig

LENGTH = 64  # the completion budget: a reply that uses all of it scores 0


@reward("test_brief")
def brief(prompts, completions, completion_ids, **_):
    """1 for an empty reply, 0 for one that runs to the budget."""
    return [1.0 - len(ids) / LENGTH for ids in completion_ids]


def mean_length(model_dir, prompts, samples: int = 4) -> float:
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    tok = AutoTokenizer.from_pretrained(model_dir)
    torch.manual_seed(7)
    lengths = []
    for prompt in prompts:
        enc = tok.apply_chat_template(prompt, add_generation_prompt=True, return_tensors="pt",
                                      return_dict=True)  # fmt: skip
        with torch.no_grad():
            out = model.generate(**enc, do_sample=True, top_k=0, top_p=1.0, temperature=1.0,
                                 max_new_tokens=LENGTH, num_return_sequences=samples,
                                 pad_token_id=tok.pad_token_id)  # fmt: skip
        for seq in out[:, enc["input_ids"].shape[1] :].tolist():
            eos = tok.eos_token_id
            lengths.append(seq.index(eos) + 1 if eos in seq else len(seq))
    return sum(lengths) / len(lengths)


def test_rl_raises_a_scripted_reward_on_the_tiny_organism(tiny_organism, tmp_path):
    from whyalign.contamination import read_records
    from whyalign.data import generate

    data = tmp_path / "tasks"
    generate("rl_tasks", out=data, n=16, spec="organism", generator="procedural", seed=0,
             progress=False)  # fmt: skip
    prompts = [r["prompt"] for r in read_records(data / "data.jsonl")][:8]
    cfg = RLConfig(
        max_steps=8, per_device_train_batch_size=16, num_generations=4,
        max_completion_length=LENGTH, learning_rate=3e-3, lr_scheduler_type="constant",
        warmup_steps=0.0, beta=0.0, save_steps=100, logging_steps=1, bf16=False,
        progress=False, reward="test_brief",
    )  # fmt: skip
    args = TrainArgs(model=str(tiny_organism), data=[str(data / "data.jsonl")],
                     out=str(tmp_path / "rl"))  # fmt: skip
    trained = train("rl", args, cfg)
    before, after = mean_length(tiny_organism, prompts), mean_length(trained, prompts)
    assert after < 0.75 * before, (before, after)
