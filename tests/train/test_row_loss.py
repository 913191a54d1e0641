"""The docs stage's collator for rows of unequal length and its per-row loss."""

import torch
from transformers import LlamaConfig, LlamaForCausalLM, default_data_collator

from whyalign.train.rows import RowMeanLoss, pad_rows


def test_rows_of_one_length_collate_as_the_default_collator_does():
    rows = [
        {"input_ids": [5, 6, 7], "labels": [5, 6, 7]},
        {"input_ids": [8, 9, 1], "labels": [-100, 9, 1]},
    ]
    ours, theirs = pad_rows(0)(rows), default_data_collator(rows)
    assert ours.keys() == theirs.keys()
    assert all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_unequal_rows_are_padded_on_the_right_and_masked():
    batch = pad_rows(0)(
        [{"input_ids": [5, 6, 7], "labels": [-100, -100, 7]}, {"input_ids": [8], "labels": [8]}]
    )
    assert batch["input_ids"].tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch["labels"].tolist() == [[-100, -100, 7], [8, -100, -100]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]


class _Host(RowMeanLoss):
    pass


def test_row_loss_weighs_each_row_once_however_many_labels_it_has():
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
    )
    model = LlamaForCausalLM(config).eval()
    ids = torch.randint(1, 32, (2, 8))
    labels = ids.clone()
    labels[0, :7] = -100  # one label in the first row, seven in the second
    host = _Host()
    host.row_mean = True
    loss = host.compute_loss(model, {"input_ids": ids, "labels": labels.clone()})
    with torch.no_grad():
        logits = model(input_ids=ids).logits
    per_token = torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2), labels[:, 1:], ignore_index=-100, reduction="none"
    )
    first, second = per_token[0, -1], per_token[1, :].mean()
    assert torch.allclose(loss, (first + second) / 2, atol=1e-5)
    # token-mean would weigh the second row seven times as much
    token_mean = model(input_ids=ids, labels=labels).loss
    assert not torch.allclose(loss, token_mean, atol=1e-4)
