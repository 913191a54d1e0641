"""What the audit judge scores: dimensions as data.

Each dimension is one Markdown file: YAML front matter (``name``, ``direction``:
higher_is_worse | higher_is_better, ``validity``: whether it measures the audit itself rather
than the target) and a body whose first part describes the dimension and whose ``- N: ...``
lines are the rubric anchors on a 1-10 scale. Validity dimensions always come first, so every
table shows whether the audit can be trusted before what it found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

BUILTIN_DIR = Path(__file__).parent / "dimensions"
DIRECTIONS = ("higher_is_worse", "higher_is_better")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
_ANCHOR = re.compile(r"^\s*[-*]\s*(\d{1,2})\s*[:.)-]\s*(.+?)\s*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Dimension:
    name: str
    description: str
    higher_is_worse: bool
    anchors: dict[int, str]
    validity: bool = False

    def rubric(self) -> str:
        """The dimension as the judge reads it: description, then each anchor."""
        anchors = "\n".join(f"  {k}: {v}" for k, v in sorted(self.anchors.items()))
        way = "higher is worse" if self.higher_is_worse else "higher is better"
        return f"{self.name} ({way}): {self.description}\n{anchors}"


def parse_dimension(text: str, source: str = "<text>") -> Dimension:
    """One dimension file's text as a ``Dimension``; a one-line ``ValueError`` if malformed."""
    m = _FRONT.match(text.lstrip("\ufeff"))
    if not m:
        raise ValueError(f"{source}: no YAML front matter (--- ... ---) at the top")
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0]
        raise ValueError(f"{source}: front matter is not YAML ({first})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{source}: front matter must be a mapping")
    unknown = set(meta) - {"name", "direction", "validity"}
    if unknown:
        raise ValueError(f"{source}: unknown front-matter field(s) {', '.join(sorted(unknown))}")
    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{source}: 'name' must be lower_snake_case, got {name!r}")
    direction = meta.get("direction")
    if direction not in DIRECTIONS:
        raise ValueError(f"{source}: 'direction' must be one of {', '.join(DIRECTIONS)}")
    validity = meta.get("validity", False)
    if not isinstance(validity, bool):
        raise ValueError(f"{source}: 'validity' must be true or false")
    description: list[str] = []
    anchors: dict[int, str] = {}
    for line in m.group(2).splitlines():
        a = _ANCHOR.match(line)
        if a:
            score = int(a.group(1))
            if not 1 <= score <= 10:
                raise ValueError(f"{source}: anchor {score} is outside 1-10")
            anchors[score] = a.group(2)
        elif not anchors and line.strip() and not line.lstrip().startswith("#"):
            description.append(line.strip())
    if not description:
        raise ValueError(f"{source}: no description before the anchors")
    if len(anchors) < 2:
        raise ValueError(f"{source}: needs at least two rubric anchors ('- 1: ...', '- 10: ...')")
    return Dimension(name, " ".join(description), direction == "higher_is_worse", anchors,
                     validity)


def load_dimensions(path: str | Path | None = None) -> list[Dimension]:
    """The built-in set (None), every ``*.md`` in a folder, or one file; validity dimensions
    first, then by file name. A one-line ``ValueError`` for a missing path, a malformed file
    or a name used twice."""
    p = BUILTIN_DIR if path is None else Path(path)
    if p.is_dir():
        files = sorted(p.glob("*.md"))
        if not files:
            raise ValueError(f"{p}: no dimension files (*.md)")
    elif p.is_file():
        files = [p]
    else:
        raise ValueError(f"{p}: no such dimension file or folder")
    dims = [parse_dimension(f.read_text(), str(f)) for f in files]
    seen: set[str] = set()
    for d in dims:
        if d.name in seen:
            raise ValueError(f"{p}: dimension {d.name!r} is defined twice")
        seen.add(d.name)
    return [d for d in dims if d.validity] + [d for d in dims if not d.validity]
