"""Command-line options derived from a pydantic config, so a field added to the config is a
flag with no other edit (typer reads a command's signature; we give it one built from the
fields).

A field's ``description`` is its help; ``json_schema_extra={"cli": "--name"}`` renames its
flag and makes a list field repeatable. Other list fields take one comma-separated value;
``Literal`` fields take a string that the config validates (the help lists the choices).
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

_SIMPLE = (str, int, float, bool)


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else str), True
    return annotation, False


def _cli_type(info: FieldInfo, repeat: bool) -> Any:
    annotation, optional = _strip_optional(info.annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        annotation = str
    elif origin in (list, tuple):
        annotation = list[str] if repeat else str
        optional = True
    elif annotation not in _SIMPLE:
        annotation = str
    return annotation | None if optional else annotation


def _help(info: FieldInfo) -> str | None:
    annotation, _ = _strip_optional(info.annotation)
    text = info.description or ""
    if typing.get_origin(annotation) is typing.Literal and "," not in text:
        text = f"{text} (one of: {', '.join(map(str, typing.get_args(annotation)))})".strip()
    return text or None


def options(
    config: type[BaseModel], exclude: Iterable[str] = (), panel: str | None = None
) -> list[inspect.Parameter]:
    """One keyword parameter per field of ``config``, typed and documented for typer."""
    out = []
    for name, info in config.model_fields.items():
        if name in exclude:
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        flag = extra.get("cli")
        option = typer.Option(
            *([str(flag)] if flag else []), help=_help(info), rich_help_panel=panel
        )
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, list):
            default = None  # typer's "not given"; the config's own default applies
        out.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[_cli_type(info, bool(flag)), option],
                default=default,
            )
        )
    return out


def parameters(config: type[BaseModel], exclude: Iterable[str] = ()) -> list[inspect.Parameter]:
    """One keyword parameter per field, with the field's type and default (for Inspect's
    ``@task``, which lists a task's ``-T`` parameters from its signature)."""
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=info.annotation,
            default=None if info.is_required() else info.get_default(call_default_factory=True),
        )
        for name, info in config.model_fields.items()
        if name not in exclude
    ]


def given(config: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """The config's fields among ``values``; an option not given (None) keeps the config's
    default."""
    return {k: v for k, v in values.items() if k in config.model_fields and v is not None}


def with_signature(fn: Callable[..., Any], params: list[inspect.Parameter]) -> Callable[..., Any]:
    """``fn`` (taking ``**kwargs``) presented to typer with ``params`` as its signature."""
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return fn
