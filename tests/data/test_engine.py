import asyncio
import json

import pytest

from whyalign.data.engine import Call, Engine, EngineConfig, GenerationError

from .fake import FakeLLM


def _engine(llm, tmp_path, **kw):
    cfg = EngineConfig(max_connections=4, **kw)
    return Engine(llm.model, tmp_path / "work", recipe="t", seed=0, preamble="PRE", config=cfg)


def _calls(k):
    return [Call(f"Write the message this person sends, case {i}") for i in range(k)]


def test_results_in_call_order_with_preamble_and_provenance(tmp_path):
    llm = FakeLLM()
    eng = _engine(llm, tmp_path)
    results = asyncio.run(eng.step("draft", _calls(20)))
    assert [r.call.prompt for r in results] == [c.prompt for c in _calls(20)]
    assert all(system == "PRE" for system, _ in llm.calls)
    prov = eng.provenance(results[0])
    assert (
        prov["recipe"] == "t" and prov["step"] == "draft" and prov["generator"] == "mockllm/model"
    )
    assert prov["prompt_hash"] == results[0].key and prov["gen_input_tokens"] > 0
    rows = (tmp_path / "work/steps/draft.jsonl").read_text().splitlines()
    assert len(rows) == 20 and {json.loads(r)["key"] for r in rows} == {r.key for r in results}


def test_keys_are_stable_and_tell_samples_apart(tmp_path):
    eng = _engine(FakeLLM(), tmp_path)
    a, b = Call("p"), Call("p", sample=1)
    assert eng.key("s", a) == eng.key("s", Call("p")) != eng.key("s", b)
    assert eng.key("s", a) != eng.key("other", a)
    assert eng.key("s", Call("p", preamble=False)) != eng.key("s", a)


def test_resume_skips_finished_calls_and_survives_a_cut_line(tmp_path):
    first = FakeLLM()
    out1 = asyncio.run(_engine(first, tmp_path).step("draft", _calls(10)))
    path = tmp_path / "work/steps/draft.jsonl"
    lines = path.read_text().splitlines()
    # A kill mid-write leaves a partial last line: that call runs again, the rest do not.
    path.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:30])
    second = FakeLLM()
    out2 = asyncio.run(_engine(second, tmp_path).step("draft", _calls(10)))
    assert len(second.calls) == 1
    assert [r.completion for r in out2] == [r.completion for r in out1]
    assert sum(r.cached for r in out2) == 9
    assert all(json.loads(x) for x in path.read_text().splitlines()[-1:])


def test_dead_endpoint_stops_with_a_resumable_partial(tmp_path):
    dead = FakeLLM(fail_after=6)
    with pytest.raises(GenerationError, match="rerun the same command to resume") as err:
        asyncio.run(_engine(dead, tmp_path, max_retries=1, timeout=5).step("draft", _calls(30)))
    assert "\n" not in str(err.value) and "ConnectionError" in str(err.value)
    saved = (tmp_path / "work/steps/draft.jsonl").read_text().splitlines()
    assert len(saved) == 6
    again = FakeLLM()
    asyncio.run(_engine(again, tmp_path).step("draft", _calls(30)))
    assert len(again.calls) == 24


def test_model_error_output_is_a_failure_not_an_item(tmp_path):
    from inspect_ai.model import ModelOutput, get_model

    def broken(input, tools, tool_choice, config):
        out = ModelOutput.from_content("mockllm/model", "")
        out.error = "content filter"
        return out

    class Broken:
        model = get_model("mockllm/model", custom_outputs=broken, memoize=False)

    with pytest.raises(GenerationError, match="content filter"):
        asyncio.run(_engine(Broken, tmp_path).step("draft", _calls(2)))


def test_hung_attempts_are_retried_by_inspect_then_fail_cleanly(tmp_path):
    import time

    from inspect_ai.model import ModelOutput, get_model
    from tenacity import wait_none

    seen: dict[str, int] = {}

    async def flaky(input, tools, tool_choice, config):
        prompt = input[-1].text
        seen[prompt] = seen.get(prompt, 0) + 1
        if seen[prompt] == 1 or "hang" in prompt:  # first attempt of each prompt hangs
            await asyncio.sleep(30)
        return ModelOutput.from_content("mockllm/model", "<prompt>ok</prompt>")

    class Flaky:
        model = get_model("mockllm/model", custom_outputs=flaky, memoize=False)

    # Inspect backs off 3-6 s between attempts; a provider may set its own wait (the hook
    # real providers use), and here none keeps the test fast.
    Flaky.model.api.retry_wait = lambda: wait_none()

    eng = _engine(Flaky, tmp_path, max_retries=2, attempt_timeout=1)
    start = time.perf_counter()
    results = asyncio.run(eng.step("s", [Call("a"), Call("b")]))
    assert [r.completion for r in results] == ["<prompt>ok</prompt>"] * 2
    assert seen == {"a": 2, "b": 2} and time.perf_counter() - start < 5
    with pytest.raises(GenerationError, match="resume"):
        asyncio.run(
            _engine(Flaky, tmp_path, max_retries=1, attempt_timeout=1).step(
                "s", [Call("a"), Call("hang")]
            )
        )
    assert len((tmp_path / "work/steps/s.jsonl").read_text().splitlines()) == 2
