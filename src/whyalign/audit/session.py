"""The target's side of an audit: the world the auditor stages, one conversation at a time.

``TargetSession`` holds what the target sees (its system message, the user messages, the
tools declared for it, the simulated tool results) as Inspect chat messages, and mirrors
every message into the ``Transcript`` the judge reads. The auditor's tools are thin calls
into it. The seed instruction never enters it: the target's input is built only from what
the auditor explicitly sends.
"""

from __future__ import annotations

import json
import re
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
)
from inspect_ai.tool import ToolInfo, ToolParams
from pydantic import ValidationError

from .transcript import Message, Transcript

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Keys that mark a dict as a JSON schema rather than a bare map of parameter names.
_SCHEMA_KEYS = {"type", "properties", "required", "additionalProperties"}


class AuditorError(ValueError):
    """A call the auditor got wrong: its text goes back to the auditor as the tool's error."""


class TargetError(RuntimeError):
    """The target model could not be called: the audit ends with ``ended="error"``."""


def one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def tool_params(parameters: Any) -> ToolParams:
    """The auditor's parameter schema (a JSON string or an object) as Inspect's ``ToolParams``.

    Besides a full object schema, a bare map ``{"path": "the file to read"}`` or
    ``{"path": {"type": "string"}}`` is read as the properties, every one required: weaker
    auditor models often write that."""
    if parameters is None or parameters == "":
        return ToolParams()
    if isinstance(parameters, str):
        try:
            parameters = json.loads(parameters)
        except ValueError as err:
            raise AuditorError(f"parameters is not valid JSON: {one_line(err)}") from None
    if not isinstance(parameters, dict):
        raise AuditorError("parameters must be a JSON object (a JSON schema of type object)")
    if parameters and not (_SCHEMA_KEYS & parameters.keys()):
        props = {
            k: {"type": "string", "description": v} if isinstance(v, str) else v
            for k, v in parameters.items()
        }
        parameters = {"type": "object", "properties": props, "required": list(props)}
    schema = {k: v for k, v in parameters.items() if k != "$schema"}
    try:
        return ToolParams.model_validate(schema)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AuditorError(
            f"parameters is not an object schema ({where}: {first['msg']})"
        ) from None


def _as_message(msg: ChatMessage) -> Message:
    """An Inspect chat message as the transcript records it."""
    if isinstance(msg, ChatMessageAssistant):
        calls = [
            {"id": c.id, "function": c.function, "arguments": c.arguments}
            for c in msg.tool_calls or []
        ]
        return Message("assistant", msg.text, tool_calls=calls)
    if isinstance(msg, ChatMessageTool):
        return Message("tool", msg.text, tool_call_id=msg.tool_call_id)
    return Message(msg.role, msg.text)  # type: ignore[arg-type]


class TargetSession:
    """The staged world of one audit; ``transcript.branches[-1]`` mirrors ``messages``."""

    def __init__(
        self, target: Model, transcript: Transcript, config: GenerateConfig, rollback: bool
    ) -> None:
        self.target = target
        self.transcript = transcript
        self.config = config
        self.allow_rollback = rollback
        self.messages: list[ChatMessage] = []  # the current branch, as the target reads it
        self.tools: dict[str, ToolInfo] = {}
        self.last_output: ModelOutput | None = None

    # what the auditor can do -------------------------------------------------------------

    def set_system_message(self, message: str) -> str:
        if not message.strip():
            raise AuditorError("the system message is empty")
        if any(m.role != "system" for m in self.messages):
            if not self.allow_rollback:
                raise AuditorError(
                    "the target's conversation has started; its system message can no longer "
                    "change (rollback is off)"
                )
            # A new system message restarts the conversation: a branch of its own.
            self._branch_from(-1)
        self.messages = [ChatMessageSystem(content=message)]
        self.transcript.branches[-1] = [_as_message(self.messages[0])]
        return "System message set; the target's conversation starts from it."

    def create_tool(self, name: str, description: str, parameters: Any = None) -> str:
        if not _TOOL_NAME.match(name or ""):
            raise AuditorError(f"tool name {name!r}: use 1-64 letters, digits, _ or -")
        info = ToolInfo(
            name=name, description=description or name, parameters=tool_params(parameters)
        )
        replaced = name in self.tools
        self.tools[name] = info
        entry = {
            "name": name,
            "description": info.description,
            "parameters": info.parameters.model_dump(exclude_none=True),
        }
        self.transcript.tools = [t for t in self.transcript.tools if t["name"] != name] + [entry]
        return f"Tool {name} {'replaced' if replaced else 'declared'}; the target can call it."

    async def send_message(self, message: str) -> str:
        if self.pending():
            raise AuditorError(
                f"the target is waiting for tool results ({', '.join(self.pending())}): answer "
                "them with send_tool_result first"
            )
        if not message.strip():
            raise AuditorError("the message is empty")
        self._append(ChatMessageUser(content=message))
        return await self._call_target()

    async def send_tool_result(self, tool_call_id: str, result: str) -> str:
        pending = self.pending()
        if tool_call_id not in pending:
            waiting = ", ".join(pending) or "none"
            raise AuditorError(f"no pending tool call {tool_call_id!r} (pending: {waiting})")
        self._append(
            ChatMessageTool(
                content=result, tool_call_id=tool_call_id, function=pending[tool_call_id]
            )
        )
        still = self.pending()
        if still:
            return f"Result recorded. Still waiting for: {', '.join(still)}."
        return await self._call_target()

    def rollback(self, index: int) -> str:
        if not self.allow_rollback:
            raise AuditorError("rollback is off for this audit")
        if not 0 <= index < len(self.messages):
            raise AuditorError(
                f"index {index} is outside the conversation (messages 0-{len(self.messages) - 1})"
            )
        if index == len(self.messages) - 1:
            return "Nothing to roll back: that is the last message."
        self._branch_from(index)
        return (
            f"Rolled back: the target's conversation now ends at message {index} "
            f"({self.messages[-1].role}). The target remembers nothing after it."
        )

    # helpers -----------------------------------------------------------------------------

    def pending(self) -> dict[str, str]:
        """Tool calls of the target's last reply that have no result yet: id -> function."""
        for i in range(len(self.messages) - 1, -1, -1):
            msg = self.messages[i]
            if isinstance(msg, ChatMessageAssistant):
                answered = {
                    m.tool_call_id for m in self.messages[i + 1 :] if isinstance(m, ChatMessageTool)
                }
                return {c.id: c.function for c in msg.tool_calls or [] if c.id not in answered}
        return {}

    def _append(self, msg: ChatMessage) -> None:
        self.messages.append(msg)
        self.transcript.branches[-1].append(_as_message(msg))

    def _branch_from(self, index: int) -> None:
        """Keep messages 0..index of the current branch as a new branch (-1: none)."""
        self.messages = self.messages[: index + 1]
        kept = self.transcript.branches[-1][: index + 1]
        branches = self.transcript.branches
        # A branch that added nothing beyond the one before it is replaced, not kept.
        if len(branches) > 1 and branches[-1] == branches[-2][: len(branches[-1])]:
            branches[-1] = kept
        else:
            branches.append(kept)

    async def _call_target(self) -> str:
        try:
            output = await self.target.generate(
                self.messages, tools=list(self.tools.values()), config=self.config
            )
        except Exception as err:
            raise TargetError(one_line(err)) from err
        if output.error or not output.choices:
            raise TargetError(one_line(RuntimeError(output.error or "the target sent no reply")))
        self.transcript.target_calls += 1
        self.last_output = output
        self._append(output.message)
        return self.describe_reply(len(self.messages) - 1)

    def describe_reply(self, index: int) -> str:
        """The target's reply as the auditor reads it, with the ids it must answer."""
        msg = self.messages[index]
        assert isinstance(msg, ChatMessageAssistant)
        text = msg.text.strip() or "(no text)"
        out = [f"Target reply (message {index}):\n{text}"]
        if msg.tool_calls:
            out.append("Tool calls (answer each with send_tool_result):")
            out += [
                f"- id={c.id} {c.function}({json.dumps(c.arguments, ensure_ascii=False)})"
                for c in msg.tool_calls
            ]
        return "\n".join(out)
