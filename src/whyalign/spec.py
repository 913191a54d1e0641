"""A model spec (constitution): a Markdown file split into sections.

Recipes work section by section (the difficult-advice pipeline writes scenarios per
section; the document fan-out rotates sections so every part of the spec gets coverage), so
the split must be predictable: a spec with one ``#`` title splits at its ``##`` headings;
one without ``##`` headings splits at ``#``. Deeper headings stay inside their section.
Text before the first section heading becomes an ``introduction`` section. Headings inside
fenced code blocks are text, not structure.

Built-in specs ship as package data under ``whyalign/specs/`` and resolve by name
(``default``, ``organism``); anything else is read as a path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class SpecError(ValueError):
    """A spec that cannot be used (missing, empty, no sections)."""


@dataclass(frozen=True)
class Section:
    id: str  # slug, unique within the spec, stable while the heading does not change
    title: str
    text: str  # the body under the heading (deeper headings included), stripped
    index: int

    def render(self) -> str:
        """Heading and body, as a prompt shows one section."""
        return f"## {self.title}\n\n{self.text}"


@dataclass(frozen=True)
class Spec:
    name: str
    path: str
    title: str
    sections: tuple[Section, ...]
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def section(self, id_or_title: str) -> Section:
        for s in self.sections:
            if id_or_title in (s.id, s.title):
                return s
        raise SpecError(f"spec {self.name!r} has no section {id_or_title!r}")


def builtin_specs() -> dict[str, Path]:
    base = Path(str(resources.files("whyalign"))) / "specs"
    return {p.stem: p for p in sorted(base.glob("*.md"))}


def slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return s or "section"


def resolve(spec: str | Path) -> Path:
    """A built-in name or a path; the error names both possibilities."""
    builtins = builtin_specs()
    if isinstance(spec, str) and spec in builtins:
        return builtins[spec]
    path = Path(spec)
    if not path.exists():
        known = ", ".join(builtins) or "none"
        raise SpecError(f"spec {str(spec)!r} not found: not a file and not a built-in ({known})")
    if path.is_dir():
        raise SpecError(f"spec {str(spec)!r} is a directory; expected a Markdown file")
    return path


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line number, level, title) of every heading outside code fences."""
    out, fenced = [], False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m:
            out.append((i, len(m.group(1)), m.group(2).strip()))
    return out


def split_sections(text: str) -> tuple[str, list[Section]]:
    """(document title, sections) of a Markdown text."""
    lines = text.splitlines()
    heads = _headings(lines)
    title, title_line, level = "", -1, 1
    if sum(1 for _, lv, _ in heads if lv == 1) == 1 and any(lv == 2 for _, lv, _ in heads):
        title_line, _, title = next(h for h in heads if h[1] == 1)
        level = 2
    elif heads:
        level = min(lv for _, lv, _ in heads)
    cuts = [(i, t) for i, lv, t in heads if lv == level]
    chunks: list[tuple[str, str]] = []
    start = cuts[0][0] if cuts else len(lines)
    intro = [ln for i, ln in enumerate(lines[:start]) if i != title_line]
    chunks.append(("Introduction", "\n".join(intro)))
    for k, (i, t) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(lines)
        chunks.append((t, "\n".join(lines[i + 1 : end])))
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for t, body in chunks:
        body = body.strip()
        if not body:  # a heading with nothing under it teaches nothing
            continue
        base = slug(t)
        seen[base] = seen.get(base, 0) + 1
        sid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        sections.append(Section(sid, t, body, len(sections)))
    return title, sections


def load_spec(spec: str | Path) -> Spec:
    """Load and split a spec; ``SpecError`` (one line) when it is missing, empty or bare."""
    path = resolve(spec)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"spec {str(path)!r} is not UTF-8 text") from None
    if not text.strip():
        raise SpecError(f"spec {str(path)!r} is empty")
    title, sections = split_sections(text)
    if not sections:
        raise SpecError(f"spec {str(path)!r} has headings but no text under them")
    name = spec if isinstance(spec, str) and spec in builtin_specs() else path.stem
    return Spec(name, str(path), title or path.stem, tuple(sections), text)
