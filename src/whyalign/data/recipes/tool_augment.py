# ruff: noqa: E501  (prompts are prose; wrapping them would change what the model reads)
"""Harmlessness chat made to look like agentic deployments: tool definitions that are never
used and varied system prompts; the user turn and the reply are unchanged.

The case study's diagnosis was that safety data was plain chat while the failures happened
in agentic settings with tools; adding unused tools and diverse system prompts to the same
conversations moved the learned behaviour closer to where it is needed. The source is a chat
dataset (``source=DIR``) or, by default, a fresh ``harmlessness_chat`` run with the same
engine. The generator writes one system prompt per conversation for a deployment drawn from
our list; the tools (1-4) are drawn from our own library by seed.
"""

from __future__ import annotations

import json
from typing import Any

from ...contamination import read_records
from ..engine import Call
from ..procedural import harmless
from ..registry import recipe
from ..text import one_tagged
from . import harmlessness_chat
from ._common import banned_names_line, meta_for

OPTIONS: dict[str, Any] = {**harmlessness_chat.OPTIONS, "source": "", "max_tools": 4}

DEPLOYMENTS = (
    "a customer-support agent for a regional internet provider",
    "a research assistant inside a university library",
    "an operations agent with access to a logistics company's order system",
    "a coding assistant in a software team's chat workspace",
    "a scheduling assistant for a busy medical clinic's front desk",
    "a writing assistant embedded in a newsroom's editing tool",
    "an internal IT helpdesk agent at a manufacturing firm",
    "a personal assistant app that manages email and calendars",
    "a tutoring assistant on an online learning platform",
    "a data-analysis agent connected to a retail company's warehouse",
    "a travel-booking agent for a small agency",
    "a legal-intake assistant at a community law clinic",
    "a home-automation assistant that controls lights and thermostats",
    "a finance assistant for a credit union's members",
    "an HR assistant answering employees' policy questions",
    "a lab-notebook assistant for a biology research group",
)

TOOLS: tuple[dict[str, Any], ...] = (
    {
        "name": "search_web",
        "description": "Search the web and return result snippets.",
        "parameters": {"query": "string"},
    },
    {
        "name": "read_file",
        "description": "Read a file from the shared workspace.",
        "parameters": {"path": "string"},
    },
    {
        "name": "write_file",
        "description": "Write text to a file in the shared workspace.",
        "parameters": {"path": "string", "content": "string"},
    },
    {
        "name": "run_sql",
        "description": "Run a read-only SQL query on the analytics database.",
        "parameters": {"query": "string"},
    },
    {
        "name": "send_message",
        "description": "Send a chat message to a colleague.",
        "parameters": {"to": "string", "text": "string"},
    },
    {
        "name": "create_ticket",
        "description": "Open a support ticket.",
        "parameters": {"title": "string", "details": "string", "priority": "string"},
    },
    {
        "name": "lookup_order",
        "description": "Look up an order by its number.",
        "parameters": {"order_id": "string"},
    },
    {
        "name": "calendar_add",
        "description": "Add an event to the user's calendar.",
        "parameters": {"title": "string", "start": "string", "end": "string"},
    },
    {
        "name": "get_weather",
        "description": "Current weather and forecast for a place.",
        "parameters": {"location": "string"},
    },
    {
        "name": "translate_text",
        "description": "Translate text between languages.",
        "parameters": {"text": "string", "target_language": "string"},
    },
    {
        "name": "python",
        "description": "Run Python code in a sandbox and return its output.",
        "parameters": {"code": "string"},
    },
    {
        "name": "set_thermostat",
        "description": "Set the target temperature of a room.",
        "parameters": {"room": "string", "celsius": "number"},
    },
    {
        "name": "fetch_url",
        "description": "Download the text of a web page.",
        "parameters": {"url": "string"},
    },
    {
        "name": "summarize_document",
        "description": "Summarise a document from the document store.",
        "parameters": {"document_id": "string"},
    },
    {
        "name": "check_inventory",
        "description": "Stock level of a product in each warehouse.",
        "parameters": {"sku": "string"},
    },
    {
        "name": "book_room",
        "description": "Reserve a meeting room.",
        "parameters": {"room": "string", "time": "string"},
    },
)

SYSTEM = """Write the system prompt that an operator would give to an AI assistant deployed as {deployment}. Include what the operator wants it to do, its tone, and any practical rules a real operator would set. Do not mention safety training, and do not anticipate any particular user request.
{banned}

Put the system prompt inside <system_prompt></system_prompt> tags and nothing else."""


def tools_text(tools: list[dict[str, Any]]) -> str:
    lines = "\n".join(json.dumps(t, sort_keys=True) for t in tools)
    return (
        "You can call these tools. To call one, write "
        '<tool_call>{"name": ..., "arguments": {...}}</tool_call>.\n'
        f"<tools>\n{lines}\n</tools>"
    )


def _source_chats(ctx) -> list[tuple[list[dict[str, str]], dict[str, Any] | None]]:
    out = []
    for record in read_records(ctx.options["source"]):
        messages = record.get("messages") if isinstance(record, dict) else None
        if not (isinstance(messages, list) and any(m.get("role") == "user" for m in messages)):
            raise ValueError(
                f"{ctx.options['source']}: tool_augment needs chat records with 'messages'"
            )
        out.append(([m for m in messages if m.get("role") != "system"], None))
    return out


@recipe(
    "tool_augment",
    format="chat",
    description="harmlessness chat with unused tools and deployment system prompts",
    options=OPTIONS,
    offline=harmless.generate_augmented,
    offline_options=("p_harmful", "source", "max_tools"),
)
async def run(ctx) -> list[dict[str, Any]]:
    if ctx.options["source"]:
        chats = _source_chats(ctx)[: ctx.target]
    else:
        chats = [(r["messages"], r["meta"]) for r in await harmlessness_chat.run(ctx)]
    plans = []
    for i, _ in enumerate(chats):
        rng = ctx.rng("tool_augment", i)
        deployment = DEPLOYMENTS[rng.randrange(len(DEPLOYMENTS))]
        tools = rng.sample(TOOLS, rng.randint(1, max(1, int(ctx.options["max_tools"]))))
        plans.append((deployment, tools))
    systems = await ctx.engine.step(
        "system_prompt",
        [
            Call(SYSTEM.format(deployment=d, banned=banned_names_line()), sample=i)
            for i, (d, _) in enumerate(plans)
        ],
    )
    records = []
    for (messages, src_meta), (deployment, tools), r in zip(chats, plans, systems, strict=True):
        system = one_tagged(r.completion, "system_prompt")
        if system is None:
            ctx.drop("system_prompt_unparseable")
            continue
        meta = meta_for(
            ctx,
            r,
            [],
            deployment=deployment,
            tools=json.dumps([t["name"] for t in tools]),
            source=str(ctx.options["source"] or "harmlessness_chat"),
            source_prompt_hash=(src_meta or {}).get("prompt_hash", ""),
        )
        content = f"{system}\n\n{tools_text(tools)}"
        records.append(
            {"messages": [{"role": "system", "content": content}, *messages], "meta": meta}
        )
    return records
