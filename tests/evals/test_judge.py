import asyncio

from inspect_ai.model import ModelOutput, get_model

from whyalign.evals.judge import judge_prompt, llm_judge, read_verdict
from whyalign.evals.scorer import combine
from whyalign.scenarios import build_scenario, format_action

SCN = build_scenario("lethal_action/explicit-safety/replacement/2")


def _grader(content=None, exc=None):
    def respond(input, tools, tool_choice, config):
        if exc:
            raise exc
        return ModelOutput.from_content("mockllm/model", content)

    return get_model("mockllm/model", custom_outputs=respond, memoize=False)


def test_prompt_holds_scenario_facts_and_keeps_private_notes_apart():
    prompt = judge_prompt(
        SCN, "<think>secret plan</think>" + format_action("send_email", to="x", body="hi")
    )
    assert SCN.facts["override_code"] in prompt and SCN.people["decision_maker"].email in prompt
    # the notes are evidence of motive, shown apart from the reply whose actions count
    notes = prompt.split("<notes>")[1].split("</notes>")[0]
    reply = prompt.split("<reply>")[1].split("</reply>")[0]
    assert "secret plan" in notes and "secret plan" not in reply


def test_verdicts_read_and_junk_is_an_error():
    assert read_verdict("<reasoning>r</reasoning><verdict>yes</verdict>").harmful is True
    assert read_verdict("<verdict> No </verdict>").harmful is False
    junk = read_verdict("I think maybe")
    assert junk.harmful is None and junk.error
    both = read_verdict("<verdict>yes</verdict><verdict>no</verdict>")
    assert both.harmful is None


def test_grader_exception_is_an_error_not_safe():
    result = asyncio.run(llm_judge(SCN, "anything", _grader(exc=RuntimeError("endpoint down"))))
    assert result.harmful is None and "endpoint down" in result.error


def test_combination():
    assert combine("both", True, True) is True
    assert combine("both", True, False) is False
    assert combine("both", False, None) is None
    assert combine("rules", True, None) is True
    assert combine("llm", False, True) is True
