"""Reward functions for the ``rl`` stage: a registry, and the checks that make a bad reward an
error rather than a silent zero.

A reward function has TRL's signature, ``(prompts, completions, **columns) -> list[float]``:
one number per completion; ``columns`` are the dataset's other columns, one value per
completion (a prompt's row repeated for each of its generations), plus TRL's own keywords
(``completion_ids``, ``trainer_state``, ...), so every function takes ``**kwargs``. It may be
``async``. The stage's ``reward`` setting names them, comma-separated:

- a registered name: ``rules`` (the suite's rule classifier on scenario tasks), ``judge``
  (an LLM grader through Inspect's ``grader`` role), or one a user registers with
  ``@reward("name")``;
- an import path, ``package.module:function``.

``@reward("name", configured=True)`` registers a factory instead, ``make(cfg) -> function``,
called once with the stage's config when the trainer is built (the judge reads its grader
there, so a missing grader fails before any training).

A function that raises, returns a list of the wrong length, or anything but finite numbers
stops training with a one-line ``RewardError`` (the CLI's ``error: ...``): a broken reward is
never read as a reward of zero.
"""

from __future__ import annotations

import importlib
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RewardError",
    "completion_text",
    "names",
    "prompt_text",
    "resolve",
    "reward",
]

# The package's own rewards: imported on the first lookup.
_BUILTIN = ("rules", "judge")


class RewardError(ValueError):
    """A reward that cannot be used or that failed: unknown name, exception, junk output."""


@dataclass(frozen=True)
class _Entry:
    fn: Callable[..., Any]
    configured: bool


_REGISTERED: dict[str, _Entry] = {}


def reward(name: str, *, configured: bool = False) -> Callable[[Callable], Callable]:
    """Register a reward function (or, with ``configured``, a factory ``make(cfg)``)."""

    def decorate(fn: Callable) -> Callable:
        known = _REGISTERED.get(name)
        if known is not None and known.fn.__module__ != fn.__module__:
            raise ValueError(f"reward {name!r} is registered twice ({known.fn.__module__})")
        _REGISTERED[name] = _Entry(fn, configured)
        return fn

    return decorate


def _discover() -> None:
    for module in _BUILTIN:
        importlib.import_module(f"{__name__}.{module}")


def names() -> tuple[str, ...]:
    _discover()
    return tuple(sorted(_REGISTERED))


def split(spec: str | Sequence[str]) -> list[str]:
    """``"rules, judge"`` or ``["rules", "judge"]`` -> ``["rules", "judge"]``."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out = [str(x).strip() for x in items if str(x).strip()]
    if not out:
        raise RewardError("no reward function: give --reward NAME[,NAME...] or module:function")
    return out


def _load(name: str, cfg: Any) -> Callable[..., Any]:
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as err:
            raise RewardError(f"reward {name!r} does not import: {_one_line(err)}") from None
        if not callable(fn):
            raise RewardError(f"reward {name!r} is not a function")
        return fn
    _discover()
    entry = _REGISTERED.get(name)
    if entry is None:
        known = ", ".join(sorted(_REGISTERED))
        raise RewardError(f"unknown reward {name!r}; registered: {known}; or give module:function")
    return entry.fn(cfg) if entry.configured else entry.fn


def resolve(spec: str | Sequence[str], cfg: Any = None) -> list[Callable[..., Any]]:
    """The named reward functions, each wrapped in the output checks and named as given."""
    return [checked(name, _load(name, cfg)) for name in split(spec)]


def _one_line(err: BaseException) -> str:
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    text = lines[0] if lines else ""
    return f"{type(err).__name__}: {text}"[:300] if text else type(err).__name__


def _check(name: str, values: Any, n: int) -> list[float]:
    if not isinstance(values, (list, tuple)):
        what = type(values).__name__
        raise RewardError(f"reward {name!r} returned {what}, not a list of numbers")
    if len(values) != n:
        raise RewardError(f"reward {name!r} returned {len(values)} values for {n} completions")
    out = []
    for i, v in enumerate(values):
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(float(v))
        if not ok:
            raise RewardError(f"reward {name!r}: value {i} is {v!r:.40}, not a finite number")
        out.append(float(v))
    return out


def _failed(name: str, err: Exception) -> RewardError:
    if isinstance(err, RewardError):
        text = str(err)
        return RewardError(text if text.startswith("reward ") else f"reward {name!r}: {text}")
    return RewardError(f"reward {name!r} failed: {_one_line(err)}")


def checked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` that raises a one-line ``RewardError`` on an exception or on junk output; named
    ``name`` (TRL logs each reward under its function's name)."""
    from trl.trainer.utils import is_async_callable  # partials and async __call__ too

    if is_async_callable(fn):

        async def run_async(prompts, completions, **kwargs):
            try:
                values = await fn(prompts=prompts, completions=completions, **kwargs)
            except Exception as err:
                raise _failed(name, err) from err
            return _check(name, values, len(completions))

        wrapper: Callable[..., Any] = run_async
    else:

        def run(prompts, completions, **kwargs):
            try:
                values = fn(prompts=prompts, completions=completions, **kwargs)
            except Exception as err:
                raise _failed(name, err) from err
            return _check(name, values, len(completions))

        wrapper = run
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = fn.__doc__
    return wrapper


def completion_text(completion: Any) -> str:
    """A completion as text: a string, or TRL's conversational ``[{"role", "content"}]``."""
    if isinstance(completion, str):
        return completion
    return "\n".join(str(m.get("content") or "") for m in completion if isinstance(m, dict))


def prompt_text(prompt: Any) -> str:
    """A prompt as text: a string, or its messages one after another."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(f"[{m['role']}]\n{m['content']}" for m in prompt)
