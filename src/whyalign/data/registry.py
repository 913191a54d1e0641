"""The recipe registry: every data recipe, built in or a plug-in, declared once.

A recipe is one module (or package) that declares itself with ``@recipe(...)``::

    from whyalign.data import recipe

    @recipe("poems", format="docs", description="short poems about the spec",
            options={"per_call": 3}, offline=write_poems, offline_options=("metre",))
    async def run(ctx):  # the LLM half: candidate records, in a deterministic order
        ...

The declaration holds everything the rest of whyalign reads: the name, the record format
(``docs``: ``text``; ``chat``: ``messages``; ``prefs``: ``prompt``/``chosen``/``rejected``),
the LLM half's switches and defaults, the offline half (``offline(spec, n, seed, options)``,
used by ``generator="procedural"``) with the switch names it reads, the preamble, and an
optional ``offline_filter`` applied to the offline half's records. Either half may be
missing; asking for it is then a clear error.

Discovery: the modules of ``whyalign.data.recipes`` (imported by ``pkgutil``) and the
entry point group ``whyalign.recipes`` (an installed package names the module that holds its
recipe: ``[project.entry-points."whyalign.recipes"] poems = "mypkg.poems"``). A module that
declares a recipe and is imported some other way (a notebook, a test) is registered too.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..spec import Spec
    from .procedural._spec import SpecView
    from .recipes import Context

ENTRY_POINT_GROUP = "whyalign.recipes"
# The trainable field(s) of each format: what a record of that format must carry.
FORMATS: dict[str, tuple[str, ...]] = {
    "docs": ("text",),
    "chat": ("messages",),
    "prefs": ("prompt", "chosen", "rejected"),
    "rl": ("prompt",),
}
_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")

RunFn = Callable[["Context"], Awaitable[list[dict[str, Any]]]]
OfflineFn = Callable[["SpecView", int, int, dict[str, Any]], list[dict[str, Any]]]
FilterFn = Callable[
    [list[dict[str, Any]], dict[str, Any]], tuple[list[dict[str, Any]], dict[str, int]]
]


def _first_line(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


@dataclass(eq=False)
class Recipe:
    """One registered recipe. ``recipe(...)`` makes and registers it; called on a function it
    becomes that recipe's LLM half (so it works as a decorator)."""

    name: str
    format: str
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # the LLM half's, with defaults
    run: RunFn | None = None
    offline: OfflineFn | None = None
    # Switches the offline half reads (it keeps its own defaults: none are filled in).
    offline_options: tuple[str, ...] = ()
    preamble: Callable[[Spec], str] | None = None
    offline_filter: FilterFn | None = None
    module: str = ""  # where it was declared: the plug-in's code the experiment keys on

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f"recipe name {self.name!r}: letters, digits, '_', '-' or '.'")
        if self.format not in FORMATS:
            raise ValueError(
                f"recipe {self.name}: format {self.format!r} is not one of {', '.join(FORMATS)}"
            )
        self.options = dict(self.options)
        self.offline_options = tuple(self.offline_options)

    def __call__(self, fn: RunFn) -> RunFn:
        """``@recipe(...)`` on ``async def run(ctx)``: the LLM half. Returns ``fn`` itself."""
        self.run = fn
        self.module = self.module or fn.__module__
        return fn

    @property
    def summary(self) -> str:
        """One line for listings: the description, else the first line of a docstring."""
        if self.description:
            return self.description
        module = sys.modules.get(self.module)
        return _first_line(getattr(self.run, "__doc__", None)) or _first_line(
            getattr(module, "__doc__", None)
        )

    @property
    def builtin(self) -> bool:
        return self.module.startswith(f"{__package__}.")

    def get_preamble(self, spec: Spec) -> str:
        if self.preamble is not None:
            return self.preamble(spec)
        from .recipes._common import preamble

        return preamble(spec)

    def check_records(self, records: list[dict[str, Any]], half: str) -> None:
        """Every record carries its format's fields and a ``meta`` dict: the shared tail
        and training read nothing else."""
        need = FORMATS[self.format]
        for i, rec in enumerate(records):
            if not isinstance(rec, dict) or any(k not in rec for k in need):
                raise ValueError(
                    f"recipe {self.name} ({half}): record {i} lacks {', '.join(need)} "
                    f"(format {self.format})"
                )
            if not isinstance(rec.get("meta", {}), dict):
                raise ValueError(f"recipe {self.name} ({half}): record {i} meta is not a dict")

    def source_files(self) -> list[Path]:
        """The code that makes this recipe's data: its package's ``.py`` files, or its module
        file when it is a top-level module."""
        module = sys.modules.get(self.module)
        path = Path(getattr(module, "__file__", None) or "")
        if not path.is_file():
            return []
        if "." in self.module or path.name == "__init__.py":
            return sorted(p for p in path.parent.rglob("*.py") if "__pycache__" not in p.parts)
        return [path]


_REGISTRY: dict[str, Recipe] = {}
_FAILED: dict[str, str] = {}  # entry point -> why it did not load
_discovered = False


def recipe(
    name: str,
    *,
    format: str,
    description: str = "",
    options: Mapping[str, Any] | None = None,
    run: RunFn | None = None,
    offline: OfflineFn | None = None,
    offline_options: Iterable[str] = (),
    preamble: Callable[[Spec], str] | None = None,
    offline_filter: FilterFn | None = None,
) -> Recipe:
    """Declare and register a recipe; use it as a decorator on the LLM half's ``run`` or
    pass ``run=`` (and the other parts) directly."""
    parts = (run, offline, offline_filter, preamble)
    module = next((f.__module__ for f in parts if f is not None), "")
    if not module:  # used as a decorator: the caller's module, so that a re-import replaces
        module = sys._getframe(1).f_globals.get("__name__", "")
    made = Recipe(
        name,
        format,
        description,
        dict(options or {}),
        run,
        offline,
        tuple(offline_options),
        preamble,
        offline_filter,
        module,
    )
    register(made)
    return made


def register(rec: Recipe) -> Recipe:
    """Add ``rec``; a name already taken by another module is an error (a module imported
    again replaces its own)."""
    old = _REGISTRY.get(rec.name)
    if old is not None and old is not rec and old.module != rec.module:
        raise ValueError(f"recipe {rec.name!r} is declared twice: in {old.module} and {rec.module}")
    _REGISTRY[rec.name] = rec
    return rec


def discover(refresh: bool = False) -> None:
    """Import the built-in recipe modules and the ``whyalign.recipes`` entry points, once
    (``refresh=True`` reads the entry points again, e.g. after installing a plug-in)."""
    global _discovered
    if _discovered and not refresh:
        return
    _discovered = True  # first: a recipe module that lists recipes while importing must not loop
    try:
        from . import recipes as package

        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{package.__name__}.{info.name}")
    except BaseException:
        _discovered = False
        raise
    importlib.invalidate_caches()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
            if isinstance(loaded, Recipe):
                register(loaded)
            elif not isinstance(loaded, ModuleType):
                raise TypeError(f"{type(loaded).__name__} is neither a module nor a Recipe")
        except Exception as err:  # one broken plug-in must not take the built-ins down
            _FAILED[ep.name] = f"{ep.value}: {type(err).__name__}: {err}"
            warnings.warn(
                f"recipe plug-in {ep.name} ({ep.value}) failed to load: {err}", stacklevel=2
            )
        else:
            _FAILED.pop(ep.name, None)


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``; ``ValueError`` names the known ones."""
    discover()
    if name not in _REGISTRY:
        msg = f"unknown recipe {name!r}; known: {', '.join(sorted(_REGISTRY))}"
        if _FAILED:
            msg += "; plug-ins that failed to load: " + "; ".join(_FAILED.values())
        raise ValueError(msg)
    return _REGISTRY[name]


def all_recipes() -> dict[str, Recipe]:
    """Every registered recipe by name, sorted."""
    discover()
    return dict(sorted(_REGISTRY.items()))


def recipe_names() -> dict[str, str]:
    """Name -> one-line description of every recipe, sorted: for the CLI's listing."""
    return {name: rec.summary for name, rec in all_recipes().items()}
