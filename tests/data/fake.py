"""A scripted stand-in for an LLM data generator, run through Inspect's ``mockllm/model``.

It recognises each pipeline prompt by a phrase the recipe's prompt contains and answers in
the requested format, with text derived from a hash of the prompt: deterministic (a resumed
run sees the same answers) and distinct per prompt (so near-duplicate removal keeps them).
Every call is logged, so tests can check which steps ran and in what order.
"""

from __future__ import annotations

import hashlib
import random
import re

from inspect_ai.model import ModelOutput, get_model

VOCAB = (
    "river lantern copper meadow harbor violin orchard glacier pepper canyon ledger quartz "
    "saddle thistle walnut ember falcon marble nectar pylon quiver rustic summit tundra "
    "umbrella velvet willow yonder zephyrine anchor bramble cobalt dune fjord grove hollow "
    "inlet juniper kettle lagoon mosaic nimbus oasis prism quarry reef sierra timber "
    "upland vista wharf alder birch cedar delta estuary fennel garnet heron iris jasper"
).split()


def phrase(prompt: str, n: int, salt: str = "") -> str:
    rng = random.Random(hashlib.sha256((salt + prompt).encode()).hexdigest())
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def _num(pattern: str, text: str, default: int = 3) -> int:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else default


def _blocks(tag: str, prompt: str, k: int, size: int = 60) -> str:
    return "\n".join(f"<{tag}>{phrase(prompt, size, str(i))}</{tag}>" for i in range(k))


def agent_reply(user: str, harmful_action: str | None = None) -> str:
    """An aligned agent reply: private reasoning, prose, and a benign email to the first
    recipient in the inbox (or the given harmful action instead)."""
    to = re.search(r"^To: (\S+)", user, re.M)
    action = harmful_action or (
        '<action name="send_email">\n'
        f"to: {to.group(1) if to else 'ops@example.com'}\n"
        "subject: Following up\n"
        f"body: I have read the messages and will keep to my task. {phrase(user, 8)}\n"
        "</action>"
    )
    return (
        f"<think>{phrase(user, 30, 'think')}</think>\n"
        "I will raise my concerns honestly with the people responsible and keep doing my "
        f"assigned work, because acting behind their backs would break their trust. "
        f"{phrase(user, 12, 'prose')}\n{action}"
    )


def respond(system: str, user: str, harmful: dict | None = None) -> str:
    """The scripted answer to one call (``harmful``: user text -> harmful action block)."""
    if user.startswith("New messages have arrived"):
        plain = user.split("\n#seed ")[0]
        bad = (harmful or {}).get(plain) if "whatever means work" in system else None
        return agent_reply(user, bad)
    if "You are reviewing what an AI agent did" in user:
        return "<reasoning>The agent sent a routine email.</reasoning><verdict>no</verdict>"
    if m := re.search(
        r"List (\d+) (?:different kinds|specific variants|different categories)", user
    ):
        k = int(m.group(1))
        return "\n".join(
            f"{i + 1}. {phrase(user, 4, str(i))}: {phrase(user, 6, 'd' + str(i))}" for i in range(k)
        )
    if "List" in user and "situations" in user:
        k = _num(r"List (\d+) situations", user)
        return "\n".join(f"{i + 1}. {phrase(user, 15, str(i))}" for i in range(k))
    if m := re.search(r"Write (\d+) different (documents|short stories)", user):
        tag = "document" if m.group(2) == "documents" else "story"
        return _blocks(tag, user, int(m.group(1)))
    if "careful editor" in user:
        tag = re.search(r"inside <(\w+)></\1> tags and nothing else", user).group(1)
        draft = re.search(r"<draft>\s*(.*?)\s*</draft>", user, re.S).group(1)
        return f"<{tag}>Revised. {draft}</{tag}>"
    if "Rate how well" in user or "Judge the reply against" in user:
        if "LOWSCORE" in user:
            return "Weak. <score>3</score>"
        if "JUNKSCORE" in user:
            return "I would rather not score this."
        return "Consistent and realistic. <score>8</score>"
    if "Write the message this person sends" in user:
        return f"<prompt>I need advice. {phrase(user, 25)}</prompt>"
    if "Make it read like a real message" in user:
        draft = re.search(r"<prompt>\s*(.*?)\s*</prompt>", user, re.S).group(1)
        return f"<prompt>ok so {draft.removeprefix('I need advice. ')}</prompt>"
    if "Rewrite the response so it is as good" in user:
        return f"<response>Rewritten with care. {phrase(user, 40)}</response>"
    if m := re.search(r"Write (\d+) different messages that real users", user):
        return _blocks("request", user, int(m.group(1)), 20)
    if "Write the system prompt that an operator" in user:
        return f"<system_prompt>You help customers. {phrase(user, 20)}</system_prompt>"
    if m := re.search(r"Write (\d+) different exchanges", user):
        return "\n".join(
            f"<question>{phrase(user, 10, 'q' + str(i))}?</question>"
            f"<answer>{phrase(user, 30, 'a' + str(i))}</answer>"
            for i in range(int(m.group(1)))
        )
    # A response sampled as the assistant (difficult advice, harmlessness chat).
    return f"Here is my honest view, and why. {phrase(system + user, 50)}"


class FakeLLM:
    """``model`` is a mockllm Inspect model answering with ``respond``; ``calls`` logs
    (system, user) of every call in order. ``fail_after`` makes the endpoint die."""

    def __init__(
        self, fail_after: int | None = None, harmful: dict | None = None, override=None
    ) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_after, self.harmful, self.override = fail_after, harmful, override
        self.model = get_model("mockllm/model", custom_outputs=self._output, memoize=False)

    def _output(self, input, tools, tool_choice, config):
        system = "\n".join(m.text for m in input if m.role == "system")
        user = "\n".join(m.text for m in input if m.role == "user")
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise ConnectionError("connection refused: endpoint is down")
        self.calls.append((system, user))
        text = self.override(system, user) if self.override else None
        if text is None:
            # The sampling seed varies per sample of one prompt, as a real model's output would.
            text = respond(
                system, f"{user}\n#seed {config.seed}" if config.seed else user, self.harmful
            )
        return ModelOutput.from_content("mockllm/model", text)
