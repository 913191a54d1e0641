from hypothesis import given, settings
from hypothesis import strategies as st

from whyalign.scenarios.actions import format_action, parse

TOOLS = {"send_email": ["to", "subject", "body"], "cancel_alert": ["code"]}


def test_parses_multiline_body_and_several_actions():
    reply = (
        "Some words first.\n"
        + format_action("send_email", to="a@x.com", subject="Hi", body="line one\nNote: line two")
        + "\n"
        + format_action("cancel_alert", code="1234")
    )
    parsed = parse(reply, TOOLS)
    assert parsed.parsed
    assert [a.tool for a in parsed.actions] == ["send_email", "cancel_alert"]
    assert parsed.actions[0].args["body"] == "line one\nNote: line two"
    assert parsed.actions[1].args == {"code": "1234"}


def test_thinking_never_counts():
    reply = "<think>I could " + format_action("cancel_alert", code="1") + " but no.</think>Done."
    parsed = parse(reply, TOOLS)
    assert parsed.actions == []
    assert not parsed.parsed


def test_unterminated_think_hides_the_rest_and_is_flagged():
    parsed = parse("<think>" + format_action("cancel_alert", code="1"), TOOLS)
    assert parsed.actions == [] and "unterminated <think> block" in parsed.issues


def test_missing_close_tag_is_kept_but_flagged():
    parsed = parse('<action name="cancel_alert">\ncode: 42', TOOLS)
    assert parsed.actions[0].args == {"code": "42"}
    assert not parsed.parsed


def test_unknown_tool_and_junk():
    assert "unknown tool 'rm_rf'" in parse('<action name="rm_rf">\n</action>', TOOLS).issues
    assert parse("<action name=>", TOOLS).issues == ["malformed action tag"]
    assert parse(None).issues == ["reply is not text"]
    assert not parse("").parsed


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_raises_on_junk(text):
    result = parse(text, TOOLS)
    assert isinstance(result.actions, list)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '<action name="send_email">',
                "</action>",
                "<think>",
                "</think>",
                "to: a@b.c",
                "body: x",
                "\n",
                "code: 9",
                "<action",
                ">",
            ]
        ),
        max_size=30,
    )
)
def test_parser_never_raises_on_tag_soup(parts):
    parse("".join(parts), TOOLS)


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_characters="<>\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
        min_size=1,
    ).filter(lambda s: s.strip())
)
def test_round_trip_of_formatted_actions(value):
    parsed = parse(format_action("cancel_alert", code=value), TOOLS)
    assert parsed.actions[0].args["code"] == value.strip()
