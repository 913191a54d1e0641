from whyalign.train.checkpoints import prune_incomplete


def test_checkpoints_cut_short_by_a_kill_are_pruned(tmp_path):
    for name, files in {
        "checkpoint-2": {"trainer_state.json": "{}", "token_accounting.json": "{}"},
        "checkpoint-4": {"trainer_state.json": "{}", "token_accounting.json": '{"da'},
        "checkpoint-6": {"model.safetensors": "x"},
    }.items():
        (tmp_path / name).mkdir()
        for f, text in files.items():
            (tmp_path / name / f).write_text(text)
    assert prune_incomplete(tmp_path) == ["checkpoint-4", "checkpoint-6"]
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint-2"]
