"""The generation engine: layers of model calls on any Inspect model, written as they go.

A recipe is a pipeline of *steps* (types -> subtypes -> drafts -> rewrite -> score, ...).
Each step is a list of ``Call``s; the engine runs the ones not done yet concurrently through
Inspect's ``Model.generate`` (Inspect owns connection limits, retries, rate limits and the
optional response cache) and appends each finished call to ``work/steps/<step>.jsonl`` the
moment it returns. A call is keyed by a stable hash of everything that determines it (system
message, prompt, sample number, generator, sampling config, seed), so a rerun after a kill
reads finished calls back and only sends the rest. Results come back in call order, never
completion order, so a resumed run builds exactly the same dataset.

Raw completions are cached, not parsed items: fixing a parser never needs new model calls.

A call that fails after Inspect's retries (a dead endpoint) stops the run: the other in-flight
calls are cancelled, everything finished stays on disk, and ``GenerationError`` says how to
resume.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY_VERSION = "1"  # bump when the key recipe changes: old step files then simply miss


class GenerationError(RuntimeError):
    """The generator failed mid-run; finished work is saved and a rerun resumes."""


@dataclass(frozen=True)
class Call:
    prompt: str
    system: str | None = None
    preamble: bool = True  # prepend the pipeline preamble to the system message
    sample: int = 0  # tells apart repeated samples of one prompt (also varies the seed)
    info: dict[str, Any] = field(default_factory=dict, compare=False)  # carried, not hashed


@dataclass(frozen=True)
class Result:
    call: Call
    key: str
    step: str
    completion: str
    input_tokens: int
    output_tokens: int
    cached: bool  # read back from a previous run


@dataclass
class StepStats:
    calls: int = 0
    resumed: int = 0
    generated: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "seconds": round(self.seconds, 3)}


def stable_hash(obj: Any, n: int = 20) -> str:
    data = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:n]


@dataclass
class EngineConfig:
    max_connections: int = 8
    max_retries: int | None = None  # None: Inspect's default
    timeout: int | None = None  # seconds per call, retries included
    attempt_timeout: int | None = None  # seconds per attempt; a hung attempt is retried
    temperature: float | None = 1.0
    max_tokens: int | None = None
    cache: str | None = None  # Inspect response-cache expiry ("1W"); None: off

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> EngineConfig:
        cfg = cls()
        for name in ("max_connections", "max_retries", "timeout", "attempt_timeout", "max_tokens"):
            if options.get(name) is not None:
                setattr(cfg, name, int(options[name]))
        if options.get("temperature") is not None:
            cfg.temperature = float(options["temperature"])
        if options.get("cache"):
            cfg.cache = (
                "1W" if options["cache"] in (True, "1", "true", "yes") else str(options["cache"])
            )
        return cfg


def resolve_generator(generator: Any, model_args: dict[str, Any], seed: int = 0):
    """An Inspect ``Model`` for a name (any provider, ``organism/<preset>`` among them) or
    pass one through; ``mockllm`` gets its offline token counter."""
    from inspect_ai.model import Model, get_model

    from .._offline import patch_mock_token_count
    from ..models import inspect_name

    patch_mock_token_count()
    if isinstance(generator, Model):
        return generator
    name = inspect_name(generator)
    try:
        return get_model(name, memoize=False, **model_args)
    except Exception as err:  # a missing provider package or API key: say so in one line
        text = re.sub(r"\[/?\w+\]", "", " ".join(str(err).split())) or type(err).__name__
        raise GenerationError(f"generator {name!r} is not usable: {text[:300]}") from None


class Engine:
    """Runs steps for one recipe run; every output lands under ``work_dir``."""

    def __init__(
        self,
        model: Any,
        work_dir: Path,
        *,
        recipe: str,
        seed: int,
        preamble: str = "",
        config: EngineConfig | None = None,
        progress: bool = False,
    ) -> None:
        self.model = model
        self.model_name = str(model)
        self.dir = Path(work_dir) / "steps"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.recipe, self.seed, self.preamble = recipe, seed, preamble
        self.config = config or EngineConfig()
        self.progress = progress
        self.stats: dict[str, StepStats] = {}
        self._done: dict[str, dict[str, dict[str, Any]]] = {}

    # --- keys and files -------------------------------------------------------------------
    def system_for(self, call: Call) -> str | None:
        parts = [self.preamble if call.preamble else "", call.system or ""]
        text = "\n\n".join(p.strip() for p in parts if p and p.strip())
        return text or None

    def key(self, step: str, call: Call) -> str:
        cfg = self.config
        return stable_hash(
            {
                "v": KEY_VERSION,
                "step": step,
                "system": self.system_for(call),
                "prompt": call.prompt,
                "sample": call.sample,
                "model": self.model_name,
                "temperature": cfg.temperature,
                "max_tokens": cfg.max_tokens,
                "seed": self.seed,
            }
        )

    def _path(self, step: str) -> Path:
        return self.dir / f"{step}.jsonl"

    def _load(self, step: str) -> dict[str, dict[str, Any]]:
        if step in self._done:
            return self._done[step]
        done: dict[str, dict[str, Any]] = {}
        path = self._path(step)
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a kill: that call runs again
                    continue
                if isinstance(row, dict) and "key" in row and "completion" in row:
                    done[row["key"]] = row
        self._done[step] = done
        return done

    def _open(self, step: str):
        fh = self._path(step).open("a+b")
        fh.seek(0, 2)
        if fh.tell():  # after a kill mid-line, start clean on a new line
            fh.seek(-1, 2)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        return fh

    def _append(self, fh, step: str, row: dict[str, Any]) -> None:
        # One line per finished call, flushed at once: a kill loses at most the line being
        # written (the reader skips it). No fsync: we guard against kills, not power loss.
        fh.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
        fh.flush()
        self._done[step][row["key"]] = row

    # --- running --------------------------------------------------------------------------
    def _generate_config(self, call: Call):
        from inspect_ai.model import GenerateConfig

        cfg = self.config
        return GenerateConfig(
            max_connections=cfg.max_connections,
            max_retries=cfg.max_retries,
            timeout=cfg.timeout,
            attempt_timeout=cfg.attempt_timeout,
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            # Distinct seeds per sample: providers that honour seeds (and Inspect's cache,
            # which keys on the config) then give distinct samples of a repeated prompt.
            seed=(self.seed * 1_000_003 + call.sample) % 2**31,
        )

    async def _one(self, fh, step: str, key: str, call: Call, stats: StepStats) -> None:
        from inspect_ai.model import CachePolicy, ChatMessageSystem, ChatMessageUser

        system = self.system_for(call)
        messages: list[Any] = [ChatMessageSystem(content=system)] if system else []
        messages.append(ChatMessageUser(content=call.prompt))
        cache = CachePolicy(expiry=self.config.cache) if self.config.cache else False
        output = await self.model.generate(
            messages, config=self._generate_config(call), cache=cache
        )
        if output.error:
            raise GenerationError(f"model returned an error: {output.error}")
        usage = output.usage
        self._append(
            fh,
            step,
            {
                "key": key,
                "step": step,
                "completion": output.completion or "",
                "model": self.model_name,
                "stop_reason": str(output.stop_reason),
                "input_tokens": int(usage.input_tokens) if usage else 0,
                "output_tokens": int(usage.output_tokens) if usage else 0,
            },
        )
        stats.generated += 1
        if self.progress and stats.generated % max(1, stats.calls // 20) == 0:
            print(f"  {step}: {stats.resumed + stats.generated}/{stats.calls}", file=sys.stderr)

    async def step(self, step: str, calls: Sequence[Call]) -> list[Result]:
        """Run one layer; results in the order of ``calls`` (duplicates run once)."""
        start = time.perf_counter()
        done = self._load(step)
        stats = self.stats.setdefault(step, StepStats())
        keys = [self.key(step, c) for c in calls]
        todo = {k: c for k, c in zip(keys, calls, strict=True) if k not in done}
        stats.calls += len(set(keys))
        stats.resumed += len(set(keys)) - len(todo)
        if self.progress:
            print(f"step {step}: {len(set(keys))} calls, {len(todo)} to run", file=sys.stderr)
        if todo:
            await self._run_all(step, todo, stats)
        out = []
        for k, c in zip(keys, calls, strict=True):
            row = done[k]
            out.append(
                Result(
                    c,
                    k,
                    step,
                    row["completion"],
                    row.get("input_tokens", 0),
                    row.get("output_tokens", 0),
                    k not in todo,
                )
            )
        for k in set(keys):
            stats.input_tokens += done[k].get("input_tokens", 0)
            stats.output_tokens += done[k].get("output_tokens", 0)
        stats.seconds += time.perf_counter() - start
        return out

    async def _run_all(self, step: str, todo: dict[str, Call], stats: StepStats) -> None:
        # Inspect's max_connections bounds requests in flight; this bound only keeps the
        # number of live coroutines (and their prompts) proportional to it.
        gate = asyncio.Semaphore(max(1, self.config.max_connections) * 4)

        fh = self._open(step)

        async def guarded(k: str, c: Call) -> None:
            async with gate:
                await self._one(fh, step, k, c, stats)

        tasks = [asyncio.create_task(guarded(k, c)) for k, c in todo.items()]
        try:
            for fut in asyncio.as_completed(tasks):
                await fut
        except Exception as err:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            finished = len(self._done[step])
            msg = str(err).splitlines()[0] if str(err) else ""
            raise GenerationError(
                f"generator {self.model_name} failed in step '{step}' "
                f"({type(err).__name__}: {msg[:200]}); {finished} finished calls of this step "
                f"are saved under {self.dir}; rerun the same command to resume"
            ) from err
        finally:
            fh.close()

    def provenance(
        self, result: Result, lineage: Sequence[Result] = (), after: Sequence[Result] = ()
    ) -> dict[str, Any]:
        """Per-item provenance: recipe, the step that wrote the item's text and its prompt
        hash, every call it descends from (``lineage``) or was judged by (``after``),
        generator, seed, and the generation tokens all of them spent."""
        chain = [*lineage, result, *after]
        return {
            "recipe": self.recipe,
            "step": result.step,
            "prompt_hash": result.key,
            "lineage": [f"{r.step}:{r.key}" for r in chain],
            "generator": self.model_name,
            "seed": self.seed,
            "gen_input_tokens": sum(r.input_tokens for r in chain),
            "gen_output_tokens": sum(r.output_tokens for r in chain),
        }

    def summary(self) -> dict[str, Any]:
        return {name: s.to_dict() for name, s in self.stats.items()}
