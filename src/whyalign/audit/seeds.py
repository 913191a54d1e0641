"""Audit seeds as data: one Markdown file per seed, YAML front matter plus an instruction.

A seed tells the auditor what world to stage and what to probe; the target never sees it.
Front matter keys: ``id`` (a slug, unique across the set), ``tags`` (a list of slugs: the
concern probed plus modifiers such as ``agentic`` or ``multi_turn``) and ``section`` (the
heading of the spec section the seed probes, or null). The body is the instruction.

Selectors (``--seeds``): None for every built-in seed; ``tags:a,b`` for built-in seeds with
any of the tags; ``ids:a,b`` or a bare ``a,b`` for built-in seeds by id; a ``.md`` file; a
folder of ``.md`` files. Every failure is a ``ValueError`` with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BUILTIN_DIR: Path = Path(__file__).parent / "seeds"

_KEYS = frozenset({"id", "tags", "section"})
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)


@dataclass
class Seed:
    id: str
    instruction: str
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    path: Path | None = None


def _bad(path: Path, why: str) -> ValueError:
    return ValueError(f"seed file {path}: {why}")


def parse_seed(text: str, path: Path) -> Seed:
    """One seed from a file's text; ``path`` names the file in errors."""
    m = _FRONT.match(text.lstrip("\ufeff"))
    if not m:
        raise _bad(path, "no YAML front matter (expected a '---' block at the top)")
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError as err:
        where = getattr(err, "problem", None) or "unreadable"
        raise _bad(path, f"front matter is not valid YAML ({where})") from None
    if not isinstance(meta, dict):
        raise _bad(path, "front matter must be a mapping of id, tags, section")
    unknown = sorted(str(k) for k in meta if k not in _KEYS)
    if unknown:
        raise _bad(path, f"unknown front-matter key(s) {', '.join(unknown)}; "
                   f"known: {', '.join(sorted(_KEYS))}")
    sid = meta.get("id")
    if not isinstance(sid, str) or not _SLUG.match(sid):
        raise _bad(path, f"id must be a slug (lowercase letters, digits, - or _), got {sid!r}")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _SLUG.match(t) for t in tags):
        raise _bad(path, f"tags must be a list of slugs, got {tags!r}")
    section = meta.get("section")
    if section is not None and (not isinstance(section, str) or not section.strip()):
        raise _bad(path, f"section must be a spec heading or null, got {section!r}")
    body = m.group(2).strip()
    if not body:
        raise _bad(path, "empty instruction (the text after the front matter)")
    return Seed(sid, body, list(dict.fromkeys(tags)), section, path)


def render_seed(seed: Seed) -> str:
    """The file text of a seed (what ``parse_seed`` reads back)."""
    meta = {"id": seed.id, "tags": list(seed.tags), "section": seed.section}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000).strip()
    return f"---\n{front}\n---\n\n{seed.instruction.strip()}\n"


def read_seed(path: Path) -> Seed:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _bad(path, "not UTF-8 text") from None
    return parse_seed(text, path)


def read_folder(folder: Path) -> list[Seed]:
    """Every ``*.md`` seed in a folder (not recursive), sorted by file name; ids unique."""
    seeds = [read_seed(p) for p in sorted(folder.glob("*.md"))]
    if not seeds:
        raise ValueError(f"seed folder {folder} has no .md seed files")
    seen: dict[str, Path | None] = {}
    for s in seeds:
        if s.id in seen:
            raise ValueError(f"seed id {s.id!r} is used by both {seen[s.id]} and {s.path}")
        seen[s.id] = s.path
    return seeds


def builtin_seeds() -> list[Seed]:
    return read_folder(BUILTIN_DIR)


def _names(spec: str) -> list[str]:
    return [n.strip() for n in spec.split(",") if n.strip()]


def _by_tags(tags: list[str]) -> list[Seed]:
    seeds = builtin_seeds()
    known = {t for s in seeds for t in s.tags}
    missing = [t for t in tags if t not in known]
    if not tags or missing:
        raise ValueError(f"unknown seed tag(s) {', '.join(missing) or '(none given)'}; "
                         f"known: {', '.join(sorted(known))}")
    return [s for s in seeds if set(s.tags) & set(tags)]


def _by_ids(ids: list[str]) -> list[Seed]:
    by_id = {s.id: s for s in builtin_seeds()}
    missing = [i for i in ids if i not in by_id]
    if not ids or missing:
        raise ValueError(f"unknown seed id(s) {', '.join(missing) or '(none given)'}; "
                         "see src/whyalign/audit/seeds/ or pass a .md file or folder")
    return [by_id[i] for i in dict.fromkeys(ids)]


def load_seeds(selector: str | None = None) -> list[Seed]:
    """The seeds a selector names (see the module docstring); one-line ``ValueError`` if none."""
    if selector is None or not selector.strip():
        return builtin_seeds()
    selector = selector.strip()
    if selector.startswith("tags:"):
        return _by_tags(_names(selector[len("tags:"):]))
    if selector.startswith("ids:"):
        return _by_ids(_names(selector[len("ids:"):]))
    path = Path(selector).expanduser()
    if path.is_dir():
        return read_folder(path)
    if path.is_file():
        if path.suffix.lower() != ".md":
            raise ValueError(f"seed file {path}: expected a Markdown (.md) file")
        return [read_seed(path)]
    if selector.endswith(".md") or "/" in selector or "\\" in selector:
        raise ValueError(f"seed path {selector!r} does not exist")
    return _by_ids(_names(selector))


def all_tags(seeds: list[Seed]) -> dict[str, int]:
    """Seed count per tag, most common first (for listings and reports)."""
    counts: dict[str, int] = {}
    for s in seeds:
        for t in s.tags:
            counts[t] = counts.get(t, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
