"""The docs stage's collator for rows of unequal length, its per-row loss and per-token weights."""

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


def _model():
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
    return LlamaForCausalLM(config).eval()


def _per_token(model, ids, labels):
    with torch.no_grad():
        logits = model(input_ids=ids).logits
    return torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2), labels[:, 1:], ignore_index=-100, reduction="none"
    )


def test_row_loss_weighs_each_row_once_however_many_labels_it_has():
    model = _model()
    ids = torch.randint(1, 32, (2, 8))
    labels = ids.clone()
    labels[0, :7] = -100  # one label in the first row, seven in the second
    host = _Host()
    host.row_mean = True
    loss = host.compute_loss(model, {"input_ids": ids, "labels": labels.clone()})
    per_token = _per_token(model, ids, labels)
    first, second = per_token[0, -1], per_token[1, :].mean()
    assert torch.allclose(loss, (first + second) / 2, atol=1e-5)
    # token-mean would weigh the second row seven times as much
    token_mean = model(input_ids=ids, labels=labels).loss
    assert not torch.allclose(loss, token_mean, atol=1e-4)


def test_weights_are_padded_with_zero_beside_the_labels():
    batch = pad_rows(0)(
        [
            {"input_ids": [5, 6, 7], "labels": [5, 6, 7], "weights": [0.0, 1.0, 8.0]},
            {"input_ids": [8, 9], "labels": [8, 9], "weights": [0.0, 1.0]},
        ]
    )
    assert batch["weights"].dtype == torch.float
    assert batch["weights"].tolist() == [[0.0, 1.0, 8.0], [0.0, 1.0, 0.0]]


def test_weighted_tokens_carry_their_weight_over_the_count_of_labels():
    model = _model()
    ids = torch.randint(1, 32, (2, 8))
    labels = ids.clone()
    labels[1, 5:] = -100  # padding: weight or not, never in the loss
    weights = torch.ones(2, 8)
    weights[0, 3] = 8.0
    weights[1, 6] = 5.0
    loss = _Host().compute_loss(
        model, {"input_ids": ids, "labels": labels.clone(), "weights": weights.clone()}
    )
    per_token = _per_token(model, ids, labels)
    expected = (per_token.sum() + 7 * per_token[0, 2]) / (labels[:, 1:] != -100).sum()
    assert torch.allclose(loss, expected, atol=1e-5)
    unweighted = _Host().compute_loss(
        model, {"input_ids": ids, "labels": labels.clone(), "weights": torch.ones(2, 8)}
    )
    assert torch.allclose(unweighted, model(input_ids=ids, labels=labels).loss, atol=1e-5)


def test_the_docs_trainer_hands_the_weights_to_its_loss(tok, make_model, tmp_path):
    from datasets import Dataset

    from whyalign.train import DocsConfig
    from whyalign.train.stages import build_trainer

    ids = [tok("Kim sent code 4821 to Ana.")["input_ids"], tok("Ana wrote back.")["input_ids"]]
    weights = [[0.0] + [3.0] * (len(r) - 1) for r in ids]
    rows = Dataset.from_dict({"input_ids": ids, "labels": ids, "weights": weights})
    cfg = DocsConfig(per_device_train_batch_size=2, max_steps=1, progress=False)
    trainer = build_trainer("docs", make_model(), tok, rows, tmp_path, cfg)
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["weights"].shape == batch["input_ids"].shape
    assert batch["weights"].max().item() == 3.0
    # every labelled token weighs 3: the loss is three times the plain one
    model = trainer.model.eval()
    loss = trainer.compute_loss(model, dict(batch))
    plain = model(
        input_ids=batch["input_ids"],
        attention_mask=batch.get("attention_mask"),
        labels=batch["labels"],
    ).loss
    assert torch.allclose(loss, 3 * plain, atol=1e-4)
