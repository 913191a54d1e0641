"""Loss masks: chat trains on assistant tokens only; DPO scores completions only; chat batches
grouped by length carry little padding."""

import torch
from datasets import Dataset

from whyalign.train import ChatConfig, PrefsConfig
from whyalign.train.stages import build_trainer

from .conftest import chat_rows, prefs_rows


def ids(tok, text):
    return tok(text, add_special_tokens=False)["input_ids"]


def test_chat_labels_cover_exactly_the_assistant_turns(tok, make_model, tmp_path):
    rows = chat_rows(12)
    # a second assistant turn: both answers are supervised, the user turn between is not
    rows[0]["messages"] += [
        {"role": "user", "content": "thanks. and the audit?"},
        {"role": "assistant", "content": "done."},
    ]
    cfg = ChatConfig(per_device_train_batch_size=4, max_length=128, bf16=False, progress=False)
    trainer = build_trainer("chat", make_model(), tok, Dataset.from_list(rows), tmp_path, cfg)
    end = tok.convert_tokens_to_ids("<|end|>")
    prepared = list(trainer.train_dataset)
    assert len(prepared) == len(rows)
    for row, source in zip(prepared, rows, strict=True):  # no shuffling in preparation
        messages = source["messages"]
        labels, input_ids = row["labels"], row["input_ids"]
        supervised = [t for t, lab in zip(input_ids, labels, strict=True) if lab != -100]
        assert [lab for lab in labels if lab != -100] == supervised  # labels are the tokens
        want = [
            t for m in messages if m["role"] == "assistant" for t in ids(tok, m["content"]) + [end]
        ]
        assert supervised == want
        # every prompt token (BOS, system, user, role markers) carries no loss
        n_prompt = sum(lab == -100 for lab in labels)
        assert n_prompt == len(input_ids) - len(want) > 0
    batch = next(iter(trainer.get_train_dataloader()))
    assert (batch["labels"][batch["attention_mask"] == 0] == -100).all()  # padding: no loss
    assert "_src" in batch


def test_dpo_completion_mask_leaves_the_prompt_out(tok, make_model, tmp_path):
    rows = prefs_rows(6)
    cfg = PrefsConfig(per_device_train_batch_size=3, max_length=128, bf16=False, progress=False)
    trainer = build_trainer("prefs", make_model(), tok, Dataset.from_list(rows), tmp_path, cfg)
    examples = [trainer.train_dataset[i] for i in range(3)]
    batch = trainer.data_collator(examples)
    end = tok.convert_tokens_to_ids("<|end|>")
    for i, row in enumerate(rows[:3]):
        for j, key in ((i, "chosen"), (i + 3, "rejected")):
            mask = batch["completion_mask"][j].bool()
            got = batch["input_ids"][j][mask].tolist()
            assert got == ids(tok, row[key][0]["content"]) + [end]
            n_prompt = len(ids(tok, row["prompt"][0]["content"])) + 4  # BOS user ... END asst
            assert not mask[:n_prompt].any() and mask[n_prompt]
    assert batch["_src"].tolist() == [0, 0, 0]


def test_length_grouping_keeps_chat_padding_low(tok, make_model, tmp_path):
    import random

    rng = random.Random(0)
    rows = chat_rows(256)
    for row in rows:  # answers of very different lengths
        row["messages"][-1]["content"] += " ok" * rng.randint(0, 40)
    cfg = ChatConfig(per_device_train_batch_size=8, max_length=256, bf16=False, progress=False)
    data = Dataset.from_list(rows)
    pads = {}
    for grouped in (False, True):
        cfg.train_sampling_strategy = "group_by_length" if grouped else "random"
        trainer = build_trainer("chat", make_model(), tok, data, tmp_path / str(grouped), cfg)
        mask = torch.cat([b["attention_mask"].flatten() for b in trainer.get_train_dataloader()])
        pads[grouped] = 1 - mask.float().mean().item()
    assert pads[True] <= 0.10 < pads[False]


def test_plain_chat_loss_equals_trls_fused_loss(tok, make_model, tmp_path):
    cfg = ChatConfig(per_device_train_batch_size=4, max_length=128, bf16=False, progress=False)
    trainer = build_trainer(
        "chat", make_model(), tok, Dataset.from_list(chat_rows(8)), tmp_path, cfg
    )
    batch = next(iter(trainer.get_train_dataloader()))
    del batch["_src"]
    losses = []
    for fused in (True, False):
        trainer.fused_loss = fused
        with torch.no_grad():
            losses.append(trainer.compute_loss(trainer.model, dict(batch)))
    assert torch.allclose(*losses, atol=1e-5), losses
