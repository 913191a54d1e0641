"""``rl``: reinforcement learning on prompts with TRL's GRPOTrainer and rewards from
``whyalign.train.rewards``; a KL penalty (``beta``) holds the policy near the starting model.

Rows are ``{"prompt": str | messages, ...}``: the other columns (say ``scenario_id``) reach
the reward functions, one value per completion. Each step samples ``num_generations``
completions per prompt, scores them with the ``reward`` functions (comma-separated, weighted
by ``reward_weights``) and takes TRL's policy-gradient step on the group-relative advantages.

Token accounting (``token_accounting.json``): ``examples`` the completions trained on;
``prompt_tokens`` and ``completion_tokens`` of those rows as trained (the prompt once per
completion, since each completion is trained with its prompt; completion tokens up to and
including EOS, none of the padding); ``tokens`` their sum; ``generated_tokens`` the completion
tokens sampled, counted once per completion whatever ``num_iterations`` reuses them. The
epoch plan's ``examples`` counts prompts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trl import GRPOConfig

from ..accounting import SRC, WithSources
from ..config import StageConfig, training_args
from ..data import Part, check_messages, wrong_format
from ..errors import DataError, ModelLoadError
from ..prepare import tagged
from ..registry import Counting, register_stage
from ._common import check_chat_template, counting_trainer, default, lora_config, shared_defaults

FIELDS = ("examples", "prompt_tokens", "completion_tokens", "tokens", "generated_tokens")
# A row's provenance from a recipe; not an input of any reward.
DROPPED = ("meta",)


@dataclass
@shared_defaults(GRPOConfig)
class RLConfig(StageConfig, GRPOConfig):
    """GRPO-family RL on ``prompt`` rows; rewards from the registry (``reward``), KL to the
    starting model (``beta``). Any TRL GRPO setting: ``loss_type``, ``num_iterations``,
    ``scale_rewards``, ``use_vllm`` (GPU), ..."""

    learning_rate: float = default(GRPOConfig, "learning_rate", 5e-5)
    # completions per step (num_generations per prompt): 4 prompts of 4 completions
    per_device_train_batch_size: int = default(GRPOConfig, "per_device_train_batch_size", 16)
    num_generations: int | None = default(GRPOConfig, "num_generations", 4)
    # the organism's reply budget in the eval
    max_completion_length: int | None = default(GRPOConfig, "max_completion_length", 160)
    beta: float = default(GRPOConfig, "beta", 0.04)
    reward: str = field(
        default="rules",
        metadata={
            "help": "Reward functions, comma-separated: registered names (rules, judge) or "
            "module:function; weighted by reward_weights"
        },
    )
    grader: str | None = field(
        default=None,
        metadata={
            "help": "The judge reward's grader (an Inspect model name) when no grader role is bound"
        },
    )

    def __post_init__(self) -> None:
        # GRPO derives generation_batch_size and steps_per_generation from each other and
        # refuses both set; a copy of a resolved config (``dataclasses.replace``, a cache
        # key's settings) has both. steps_per_generation is kept, the other derived again.
        if self.generation_batch_size is not None and self.steps_per_generation is not None:
            self.generation_batch_size = None
        super().__post_init__()


def normalize(row: Any, where: str) -> dict[str, Any]:
    """A prompt (a string, or messages ending before the reply) and the columns the rewards
    read, as they are."""
    if not (isinstance(row, dict) and "prompt" in row):
        raise wrong_format("rl", where, row, "rows with 'prompt'")
    if {"chosen", "rejected"} & set(row) or "completion" in row:
        raise wrong_format("rl", where, row, "rows with 'prompt' and no reply")
    prompt = row["prompt"]
    if isinstance(prompt, str):
        if not prompt.strip():
            raise DataError(f"{where}: empty 'prompt'")
    else:
        prompt = check_messages(prompt, where, "prompt")
        if prompt[-1]["role"] == "assistant":
            raise DataError(f"{where}: the prompt ends with an assistant message; nothing to do")
    return {**{k: v for k, v in row.items() if k not in DROPPED}, "prompt": prompt}


def check(rows: list[dict[str, Any]], path: str) -> None:
    if len({isinstance(r["prompt"], str) for r in rows}) > 1:
        raise DataError(f"{path}: rows mix plain-text and conversational prompts")
    if len({tuple(sorted(r)) for r in rows}) > 1:
        raise DataError(f"{path}: rows carry different columns; every row needs the same ones")


def _batch_counts(batch: dict[str, Any]):
    import torch

    prompt = batch["prompt_mask"].sum(1)
    completion = batch["completion_mask"].sum(1)
    return torch.stack(
        [torch.ones_like(prompt), prompt, completion, prompt + completion, 0 * prompt], 1
    )


def lengths(tokenizer: Any):
    """Prompt tokens of each row (what a token budget counts for this stage)."""

    def of(rows) -> list[int]:
        out = []
        for prompt in rows["prompt"]:
            if isinstance(prompt, str):
                out.append(len(tokenizer(prompt, add_special_tokens=False)["input_ids"]))
            else:
                ids = tokenizer.apply_chat_template(
                    prompt, tokenize=True, return_dict=True, add_generation_prompt=True
                )["input_ids"]
                out.append(len(ids))
        return out

    return of


class RowSources:
    """GRPO's rows reach the trainer uncollated (a list of dicts) and come back as one
    generated batch: the dataset index (``_src``) rides through generation as a tensor, and
    the sampled tokens are counted as they are generated."""

    _generating: list[int] | None = None
    _collator: Any = None

    @property
    def data_collator(self) -> Any:
        return self._collator

    @data_collator.setter
    def data_collator(self, value: Any) -> None:
        # The counting wraps the collator to make ``_src`` a tensor of the collated batch;
        # GRPO's collator is the identity on a list of rows, so ``_src`` stays in the rows.
        self._collator = value.collator if isinstance(value, WithSources) else value

    def _prepare_inputs(self, generation_batch):
        # A copy: the count pops ``_src``, and GRPO reuses a buffered batch (num_iterations)
        return dict(super()._prepare_inputs(generation_batch))  # type: ignore[misc]

    def _generate_and_score_completions(self, inputs):
        import torch

        self._generating = [int(x[SRC]) for x in inputs] if SRC in inputs[0] else None
        inputs = [{k: v for k, v in x.items() if k != SRC} for x in inputs]
        try:
            output = super()._generate_and_score_completions(inputs)  # type: ignore[misc]
        finally:
            src, self._generating = self._generating, None
        if src is not None:
            output[SRC] = torch.tensor(src, device=output["prompt_ids"].device)
        return output

    def _generate(self, prompts):
        import torch

        out = super()._generate(prompts)  # type: ignore[misc]
        if self._generating is not None and self.model.training:  # type: ignore[attr-defined]
            sizes = torch.tensor([len(ids) for ids in out[1]], dtype=torch.long)
            column = self._local[:, FIELDS.index("generated_tokens")]  # type: ignore[attr-defined]
            src = torch.tensor(self._generating, dtype=torch.long)
            column.index_add_(0, src.to(column.device), sizes.to(column.device))
        return out


def _check_reference(model: Any, cfg: RLConfig) -> None:
    """TRL loads the KL reference again from where the model came from (a directory or a hub
    id), or disables the LoRA adapter; a model made in memory came from nowhere."""
    source = str(getattr(model.config, "_name_or_path", "") or "")
    if cfg.beta and not cfg.lora and not source:
        raise ModelLoadError(
            "the rl stage loads its KL reference from the starting model's directory: "
            "save the model first, or train with --lora or --beta 0"
        )


@register_stage(
    "rl",
    config=RLConfig,
    columns=("prompt",),
    counting=Counting(FIELDS, _batch_counts, lambda row: {}),
    normalize=normalize,
    check=check,
    order=3,
)
def build(model: Any, tokenizer: Any, parts: list[Part], cfg: RLConfig, out):
    """GRPO on prompts with registered rewards, KL to the starting model (``beta``)."""
    from trl import GRPOTrainer

    from ..rewards import resolve

    if any(not isinstance(p.rows[0]["prompt"], str) for p in parts):
        check_chat_template(tokenizer, "rl")
    if len({tuple(sorted(p.rows.column_names)) for p in parts}) > 1:
        raise DataError("the rl datasets of one mixture must carry the same columns")
    rewards = resolve(cfg.reward, cfg)
    if cfg.reward_weights is not None and len(cfg.reward_weights) != len(rewards):
        raise DataError(
            f"{len(cfg.reward_weights)} reward_weights for {len(rewards)} rewards ({cfg.reward})"
        )
    _check_reference(model, cfg)
    data = tagged(parts, lambda p: p.rows, lengths(tokenizer), cfg.seed)
    cls = counting_trainer("RLTrainer", GRPOTrainer, RowSources)
    return cls(
        model=model,
        reward_funcs=rewards,
        args=training_args(cfg, out),
        train_dataset=data,
        processing_class=tokenizer,
        peft_config=lora_config(cfg) if cfg.lora else None,
    )
