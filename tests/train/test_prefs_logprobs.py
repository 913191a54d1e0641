"""The prefs stage's CPU log-probabilities: the same numbers as TRL's fused LM head (so the
same DPO loss), with TRL's head kept for what the CPU path does not cover."""

import math

import pytest
import torch
from datasets import Dataset

from whyalign.train import PrefsConfig
from whyalign.train.stages import _logprobs, build_trainer

from .conftest import prefs_rows

OUTPUTS = ("log_probs", "entropy", "mean_logits", "is_top1", "log_sum_sq_probs")


def _inputs(vocab: int):
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(0, vocab, (4, 24), generator=gen)
    attention = torch.ones_like(ids)
    attention[0, 18:] = 0
    labels = ids.masked_fill(torch.rand(ids.shape, generator=gen) < 0.4, -100)
    return {"input_ids": ids, "attention_mask": attention}, labels


def _scored(model, inputs, labels):
    out = model(**inputs, labels=labels, fused_lm_head=True)
    (out.log_probs.sum() + out.entropy.sum()).backward()
    grads = torch.cat([p.grad.flatten() for p in model.parameters()])
    return out, grads


def test_prefs_cpu_head_equals_trl_fused_head(make_model, tok, monkeypatch):
    from trl.trainer.utils import add_fused_lm_head

    trl_model, ours = make_model(), make_model()
    add_fused_lm_head(trl_model, outputs=OUTPUTS)
    _logprobs.add_plain_head(add_fused_lm_head, ours, outputs=OUTPUTS)
    calls = []
    score = _logprobs.score
    monkeypatch.setattr(_logprobs, "score", lambda *a, **k: calls.append(1) or score(*a, **k))
    inputs, labels = _inputs(len(tok))
    want, want_grads = _scored(trl_model, inputs, labels)
    got, got_grads = _scored(ours, inputs, labels)
    assert calls == [1]  # the CPU path answered, not TRL's
    for name in (*OUTPUTS, "label_mask", "loss"):
        torch.testing.assert_close(getattr(got, name), getattr(want, name), atol=2e-5, rtol=1e-5)
    assert (got.log_probs[~got.label_mask] == 0).all() and got.label_mask.sum() > 0
    torch.testing.assert_close(got_grads, want_grads, atol=1e-5, rtol=1e-4)
    # an unfused call is the model's own forward
    torch.testing.assert_close(ours(**inputs).logits, trl_model(**inputs).logits)


def test_prefs_cpu_head_leaves_big_logits_to_trl(make_model, tok, monkeypatch):
    from trl.trainer.utils import add_fused_lm_head

    model = make_model()
    _logprobs.add_plain_head(add_fused_lm_head, model, outputs=("log_probs",))
    monkeypatch.setattr(_logprobs, "MAX_LOGITS", 0)
    monkeypatch.setattr(_logprobs, "score", lambda *a, **k: pytest.fail("CPU path taken"))
    inputs, labels = _inputs(len(tok))
    out = model(**inputs, labels=labels, fused_lm_head=True)
    assert out.log_probs.shape == labels[:, 1:].shape and out.entropy is None


def _loss(trainer, batch):
    """The DPO loss on ``batch`` once the policy has moved away from the reference (at the
    start every pair scores log 2, whatever the log-probabilities)."""
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in trainer.model.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=gen))
    return trainer.compute_loss(trainer.model, dict(batch)).item()


def test_prefs_trainer_loss_unchanged_by_cpu_head(make_model, tok, tmp_path, monkeypatch):
    from trl.trainer import dpo_trainer, utils

    data = Dataset.from_list(prefs_rows(8))
    cfg = PrefsConfig(per_device_train_batch_size=4, max_length=128, bf16=False, progress=False)
    ours = build_trainer("prefs", make_model(), tok, data, tmp_path / "ours", cfg)
    assert dpo_trainer.add_fused_lm_head is utils.add_fused_lm_head  # put back after building
    batch = next(iter(ours.get_train_dataloader()))
    calls = []
    score = _logprobs.score
    monkeypatch.setattr(_logprobs, "score", lambda *a, **k: calls.append(1) or score(*a, **k))
    got = _loss(ours, batch)
    assert len(calls) == 2  # the policy and the reference
    monkeypatch.setattr(_logprobs, "plain_head", lambda *a, **k: None)  # TRL's head alone
    trl_trainer = build_trainer("prefs", make_model(), tok, data, tmp_path / "trl", cfg)
    want = _loss(trl_trainer, batch)
    assert len(calls) == 2
    assert got == pytest.approx(want, abs=1e-6)
    assert abs(got - math.log(2)) > 1e-3
