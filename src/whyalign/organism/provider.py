"""The organism as an Inspect model provider: ``--model organism/<preset>``.

``organism/<preset>`` (``organism/default``: the default preset) builds the preset on first
use (cached) and loads it; ``-M organism_seed=N`` picks the build's seed; ``-M model_path=DIR``
loads any Hugging Face directory derived from the organism instead (a fine-tune), whatever
the name after the slash. Other model args: ``device`` (default ``cpu``) and ``do_sample``
(``false``: greedy at any temperature).

Decoding follows Inspect's hf provider: the chat template, then sampling at the eval's
temperature, top_p, top_k and max_tokens, each unset one taken from the model's
``generation_config.json`` and then transformers' defaults (the organism ships top_p 0.7, so
at temperature 1 it samples from the top 70% of mass among the 50 likeliest tokens).
Temperature 0 decodes greedily. Stop sequences end a reply and are cut from it.

Concurrent ``generate`` calls are gathered into one padded ``model.generate``: a batch runs
as soon as the previous one finishes, with every request that came in meanwhile (up to
``max_connections``), in a worker thread so the event loop keeps taking requests.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from .sampling import Decoding, generate_kwargs, model_defaults, reply_length, row_seed, token_ids

DEFAULT_MAX_TOKENS = 4096  # Inspect's for local providers: an eval sets its own
MAX_BATCH = 32
KNOWN_ARGS = ("model_path", "organism_seed", "device", "do_sample")


@dataclass(eq=False)  # requests are told apart by identity: two may ask the same
class _Request:
    prompt: str
    decoding: Decoding
    seed: int | None  # the row's noise seed; None when greedy
    woken: anyio.Event = field(default_factory=anyio.Event)
    leads: bool = False  # runs the next batch (see ``Batcher.submit``)
    result: Any = None
    error: BaseException | None = None


def _loop_busy() -> bool:
    """Whether other tasks of the event loop are ready to run (asyncio's ready queue)."""
    try:
        import asyncio

        ready = getattr(asyncio.get_running_loop(), "_ready", None)
    except RuntimeError:  # another async backend: take the batch as it is
        return False
    return bool(ready)


class Batcher:
    """Runs requests in batches of up to ``limit``, one batch at a time, without polling.

    There is no background task: the request that finds no batch running leads, runs a
    batch in a worker thread and hands the lead to the oldest request still queued, which
    wakes up and runs the next batch with whatever arrived meanwhile.

    A leader first lets requests on their way join: it yields to the event loop while other
    tasks are ready to run and its batch is not full, for at most a quarter of the last
    batch's time (the model idles meanwhile). Inspect holds a connection for each request
    until its reply returns, so when every connection was in the batch that just finished,
    the next requests only start once its replies are handed out; without this, the first
    of them would run alone.
    """

    def __init__(self, run) -> None:
        self._run = run  # list[_Request] -> None, setting each one's result or error
        self._queue: list[_Request] = []
        self._busy = False
        self._last_seconds = 0.0

    async def submit(self, request: _Request, limit: int) -> Any:
        self._queue.append(request)
        try:
            if self._busy:
                await request.woken.wait()
            else:
                self._busy = True
                request.leads = True
            if request.leads:
                await self._run_batch(request, max(1, limit))
        finally:
            if request in self._queue:  # cancelled while queued
                self._queue.remove(request)
            if request.leads:
                self._hand_off()
        if request.error is not None:
            raise request.error
        return request.result

    def _batch(self, leader: _Request, limit: int) -> list[_Request]:
        # The leader is the oldest request queued; its batch is every queued request that
        # decodes the same way, oldest first.
        return [r for r in self._queue if r.decoding == leader.decoding][:limit]

    async def _run_batch(self, leader: _Request, limit: int) -> None:
        deadline = time.monotonic() + self._last_seconds / 4
        await anyio.sleep(0)  # requests made in the same turn as the leader's join it
        while (
            len(self._batch(leader, limit)) < limit and _loop_busy() and time.monotonic() < deadline
        ):
            await anyio.sleep(0)
        batch = self._batch(leader, limit)
        self._queue = [r for r in self._queue if r not in batch]
        start = time.monotonic()
        try:
            await anyio.to_thread.run_sync(self._run, batch)
        finally:
            self._last_seconds = time.monotonic() - start
            # Cancelled before the thread started (once started, it runs to the end): the
            # others go back to the head of the queue for the next leader.
            unrun = [r for r in batch if r.result is None and r.error is None]
            self._queue[:0] = [r for r in unrun if r is not leader]
            for r in batch:
                if r is not leader and r not in unrun:
                    r.woken.set()

    def _hand_off(self) -> None:
        if self._queue:
            head = self._queue[0]
            head.leads = True
            head.woken.set()
        else:
            self._busy = False


def _active_sample() -> Any:
    """(id, epoch) of the Inspect sample this call serves, or None outside one."""
    try:
        from inspect_ai.solver._task_state import sample_state
    except ImportError:  # moved in another Inspect: epochs then share a prompt's noise
        return None
    state = sample_state()
    return None if state is None else [str(state.sample_id), state.epoch]


def _flag(value: Any) -> bool:
    if isinstance(value, str):  # -M do_sample=false arrives as a string
        if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"do_sample must be true or false, not {value!r}")
        return value.lower() in ("true", "1", "yes")
    return bool(value)


class OrganismAPI(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(
            model_name=model_name,
            base_url=base_url,
            api_key=api_key,
            config=config or GenerateConfig(),
        )
        from pathlib import Path

        from transformers import AutoModelForCausalLM, AutoTokenizer

        unknown = sorted(set(model_args) - set(KNOWN_ARGS))
        if unknown:
            raise ValueError(f"unknown organism model args {unknown}; known: {list(KNOWN_ARGS)}")
        path = model_args.get("model_path")
        if path is None:
            from .kind import KIND

            seed = int(model_args.get("organism_seed", 0))
            path = KIND.path(f"{KIND.prefix}/{model_name}", seed)
        self.model_dir = Path(path)
        self.device = str(model_args.get("device", "cpu"))
        self.do_sample = _flag(model_args.get("do_sample", True))
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(self.model_dir).to(self.device).eval()
        self.defaults = model_defaults(self.model)
        self._batcher = Batcher(self._generate_batch)

    def close(self) -> None:
        self.model = None
        self.tokenizer = None

    def max_tokens(self) -> int | None:
        return DEFAULT_MAX_TOKENS

    def max_connections(self) -> int:
        return MAX_BATCH  # the batch size: one connection a row

    def collapse_user_messages(self) -> bool:
        return True  # as the hf provider: the prompts read as they did under it

    def decoding(self, config: GenerateConfig) -> Decoding:
        d = self.defaults
        temperature = d["temperature"] if config.temperature is None else config.temperature
        return Decoding(
            greedy=not self.do_sample or temperature == 0,
            max_new_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
            temperature=temperature,
            top_k=d["top_k"] if config.top_k is None else config.top_k,
            top_p=d["top_p"] if config.top_p is None else config.top_p,
            min_p=d["min_p"],
            stop=tuple(config.stop_seqs or ()),
        )

    def prompt(self, input: list[ChatMessage]) -> str:
        messages = [{"role": m.role, "content": m.text} for m in input]
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        # The organism acts in text (its replies name their actions): no Inspect tools.
        prompt = self.prompt(input)
        decoding = self.decoding(config)
        seed = None
        if not decoding.greedy:
            # Each reply draws its randomness from its own stream, keyed by the eval's seed,
            # the sample and the prompt, not from torch's global RNG: which requests share a
            # batch depends on when they arrive, and a resumed run must give the same replies
            # as an uninterrupted one.
            base = secrets.randbits(62) if config.seed is None else config.seed
            seed = row_seed(base, _active_sample(), prompt)
        request = _Request(prompt, decoding, seed)
        limit = config.max_connections or self.max_connections()
        text, usage, stop_reason, seconds = await self._batcher.submit(request, limit)
        message = ChatMessageAssistant(content=text, model=self.model_name, source="generate")
        return ModelOutput(
            model=self.model_name,
            choices=[ChatCompletionChoice(message=message, stop_reason=stop_reason)],
            usage=usage,
            time=seconds,
        )

    def _generate_batch(self, batch: list[_Request]) -> None:
        try:
            results = self._batch_results(batch)
        except Exception as err:  # every request of the batch fails with it
            for r in batch:
                r.error = err
            return
        for r, result in zip(batch, results, strict=True):
            r.result = result

    def _batch_results(self, batch: list[_Request]) -> list[tuple]:
        import torch

        start = time.monotonic()
        decoding = batch[0].decoding
        enc = self.tokenizer([r.prompt for r in batch], return_tensors="pt", padding=True)
        ids = enc["input_ids"].to(self.device)
        mask = enc["attention_mask"].to(self.device)
        pad = self.model.generation_config.pad_token_id
        if pad is None:
            pad = self.tokenizer.pad_token_id
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=ids,
                attention_mask=mask,
                pad_token_id=pad,
                **generate_kwargs(decoding, [r.seed for r in batch], self.tokenizer, ids.device),
            )
        seconds = time.monotonic() - start
        eos = token_ids(self.model.generation_config.eos_token_id)
        results = []
        for i, row in enumerate(out[:, ids.shape[1] :].tolist()):
            n = reply_length(row, eos, pad)
            text = self.tokenizer.decode(
                row[:n], skip_special_tokens=True, clean_up_tokenization_spaces=False
            )
            cut = [text.find(s) for s in decoding.stop if s in text]
            reason = "stop" if cut or (n and row[n - 1] in eos) else "max_tokens"
            text = text[: min(cut)] if cut else text
            prompt_tokens = int(mask[i].sum())
            usage = ModelUsage(
                input_tokens=prompt_tokens, output_tokens=n, total_tokens=prompt_tokens + n
            )
            results.append((text, usage, reason, seconds))
        return results


@modelapi(name="organism")
def organism() -> type[ModelAPI]:
    return OrganismAPI
