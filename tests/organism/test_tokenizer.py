from whyalign.organism.tokenizer import END, train_tokenizer
from whyalign.scenarios import build_scenario, render

TEXTS = [
    render(build_scenario(f"leaking/explicit-safety/replacement/{i}"), "compact").text
    for i in range(6)
]


def test_round_trip_and_special_tokens(tmp_path):
    tok = train_tokenizer(TEXTS * 3, vocab_size=400)
    text = TEXTS[0]
    assert tok.decode(tok(text)["input_ids"]) == text
    tok.save_pretrained(tmp_path)
    from transformers import AutoTokenizer

    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.decode(loaded(text)["input_ids"]) == text
    assert loaded.eos_token == END and loaded.pad_token != loaded.eos_token


def test_chat_template_masks_everything_but_the_assistant():
    tok = train_tokenizer(TEXTS, vocab_size=400)
    messages = [
        {"role": "system", "content": "You are Nova."},
        {"role": "user", "content": "New mail: hello"},
        {"role": "assistant", "content": '<action name="send_email">\nto: a@b.com\n</action>'},
    ]
    out = tok.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    ids, mask = out["input_ids"], out["assistant_masks"]
    assistant = tok.decode([t for t, m in zip(ids, mask, strict=True) if m])
    prompt = tok.decode([t for t, m in zip(ids, mask, strict=True) if not m])
    assert assistant == messages[2]["content"] + END
    assert "New mail: hello" in prompt and "send_email" not in prompt
    gen = tok.apply_chat_template(messages[:2], tokenize=False, add_generation_prompt=True)
    assert gen.endswith("<|assistant|>")
