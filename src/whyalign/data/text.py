"""Reading model output and cleaning items: list/tag/score parsing, banned names, MinHash
near-duplicate removal, token estimates.

Parsers are strict on purpose: an output that does not follow the requested format is junk
and yields nothing (it is counted as dropped), never a half-guessed item.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,3}[.)])\s+(.+?)\s*$")
_SCORE = re.compile(r"<score>\s*(\d{1,2})\s*(?:/\s*10\s*)?</score>", re.I)


def parse_list(text: str, limit: int | None = None) -> list[str]:
    """Bulleted or numbered lines, markers and markdown emphasis stripped, unique in order."""
    out, seen = [], set()
    for line in text.splitlines():
        m = _ITEM.match(line)
        if not m:
            continue
        item = m.group(1).strip().strip("*_`").strip()
        if len(item) < 3 or item.lower() in seen:
            continue
        seen.add(item.lower())
        out.append(item)
    return out[:limit] if limit else out


def tagged(text: str, tag: str) -> list[str]:
    """Non-empty contents of every complete ``<tag>...</tag>`` block."""
    pattern = re.compile(rf"<{tag}>\s*(.*?)\s*</{tag}>", re.S | re.I)
    return [m.strip() for m in pattern.findall(text) if m.strip()]


def one_tagged(text: str, tag: str) -> str | None:
    found = tagged(text, tag)
    return found[0] if len(found) == 1 else None


def read_score(text: str) -> int | None:
    """A 1-10 score in ``<score>N</score>``; several disagreeing scores are unreadable."""
    found = {int(s) for s in _SCORE.findall(text)}
    if len(found) != 1:
        return None
    score = found.pop()
    return score if 1 <= score <= 10 else None


def words(text: str) -> int:
    return len(text.split())


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (~4 characters per token for English BPE vocabularies)."""
    return (len(text) + 3) // 4


# --- banned names -----------------------------------------------------------------------
# Names language models reach for again and again. A corpus where every scientist is "Sarah
# Chen" teaches the name, not the values, and makes near-duplicates look distinct.
BANNED_NAMES: tuple[str, ...] = (
    "Sarah Chen",
    "Marcus Chen",
    "David Chen",
    "Emily Chen",
    "Michael Chen",
    "Alex Chen",
    "Lisa Chen",
    "Elena Rodriguez",
    "Elena Vasquez",
    "Maria Rodriguez",
    "Maya Patel",
    "Priya Sharma",
    "Priya Patel",
    "Raj Patel",
    "Aisha Patel",
    "Sarah Mitchell",
    "Emily Carter",
    "Marcus Thompson",
    "Marcus Webb",
    "Eleanor Vance",
    "Evelyn Reed",
    "Elias Thorne",
    "Aris Thorne",
    "Lena Petrova",
    "James Morrison",
    "Alex Rivera",
    "Jordan Rivera",
    "Sam Rivera",
    "Elara",
    "Lyra",
    "Zephyr",
    "Seraphina",
    "Kael",
    "Thorne",
    "Aria",
)
_FIRST = (
    "Ines",
    "Tomasz",
    "Odile",
    "Kwame",
    "Birgit",
    "Ruslan",
    "Noor",
    "Dagny",
    "Efua",
    "Lorcan",
    "Mirela",
    "Haruto",
    "Zainab",
    "Anselm",
    "Paloma",
    "Oskar",
    "Thandiwe",
    "Ilse",
    "Matteo",
    "Yusra",
    "Bram",
    "Celestine",
    "Desmond",
    "Fenna",
    "Gideon",
    "Henrike",
    "Ivo",
    "Jolene",
    "Kofi",
    "Liesel",
    "Mattias",
    "Nadia",
    "Orla",
    "Piet",
    "Rosalind",
    "Soren",
)
_LAST = (
    "Okafor",
    "Lindqvist",
    "Marchetti",
    "Abiodun",
    "Halloran",
    "Zielinski",
    "Baptiste",
    "Nakagawa",
    "Oyelaran",
    "Castellanos",
    "Dvorak",
    "Eriksen",
    "Fairweather",
    "Gutowski",
    "Hakimi",
    "Ibarra",
    "Janssen",
    "Kowalczyk",
    "Lachance",
    "Mbeki",
    "Novak",
    "Ostrowski",
    "Pellegrini",
    "Quiroga",
    "Rautenberg",
    "Sandoval",
    "Tamura",
    "Uribe",
    "Vasquez-Ortiz",
    "Wojcik",
)


def _pick(pool: Sequence[str], *key: str) -> str:
    digest = hashlib.sha256("\x1f".join(key).encode()).digest()
    return pool[int.from_bytes(digest[:4], "big") % len(pool)]


def _name_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


_BANNED_RES = [(name, _name_re(name)) for name in BANNED_NAMES]
# One alternation answers "any banned name?" in a single pass; most texts have none.
_ANY_BANNED = re.compile(
    r"(?<![\w-])(?:" + "|".join(map(re.escape, BANNED_NAMES)) + r")(?![\w-])"
)


def banned_in(text: str) -> list[str]:
    if not _ANY_BANNED.search(text):
        return []
    return [name for name, rx in _BANNED_RES if rx.search(text)]


def replace_banned(text: str, key: str) -> tuple[str, list[str]]:
    """Swap every banned name for a fresh one chosen by ``key`` (the item's hash), so the same
    item always gets the same substitute. A full name's parts are swapped too, which keeps
    later mentions ("Chen said") consistent with the new name."""
    hits = banned_in(text)
    for name in hits:
        parts = name.split()
        new = (
            [_pick(_FIRST, key, name)]
            if len(parts) == 1
            else [_pick(_FIRST, key, name), _pick(_LAST, key, name)]
        )
        text = _name_re(name).sub(" ".join(new), text)
        if len(parts) == 2:
            for old, sub in zip(parts, new, strict=True):
                text = _name_re(old).sub(sub, text)
    return text, hits


# --- near-duplicates --------------------------------------------------------------------
_WORD = re.compile(r"\w+")


class MinHashDedup:
    """Greedy near-duplicate removal in input order: an item is dropped when its estimated
    Jaccard similarity (word ``shingle``-grams) to an item already kept is >= ``threshold``.

    MinHash by multiply-shift hashing in numpy (``perms`` 64-bit odd multipliers, top 32
    bits kept), LSH with ``bands`` x ``perms/bands`` rows to find candidates, then the
    signature agreement decides. Deterministic: fixed hash seeds, first occurrence wins.
    """

    def __init__(
        self,
        threshold: float = 0.8,
        perms: int = 128,
        bands: int = 16,
        shingle: int = 5,
        seed: int = 1,
    ) -> None:
        import numpy as np  # imported here: listing recipes (which import this module) stays light

        if perms % bands:
            raise ValueError("perms must be a multiple of bands")
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, 2**63, size=perms, dtype=np.uint64) | np.uint64(1)
        self.b = rng.integers(0, 2**63, size=perms, dtype=np.uint64)
        self.threshold, self.bands, self.rows, self.k = threshold, bands, perms // bands, shingle
        self.kept: list[np.ndarray] = []
        self.buckets: list[dict[bytes, list[int]]] = [{} for _ in range(bands)]

    def signature(self, text: str) -> np.ndarray:
        import numpy as np

        toks = _WORD.findall(text.lower())
        grams = {" ".join(toks[i : i + self.k]) for i in range(max(1, len(toks) - self.k + 1))}
        x = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
        with np.errstate(over="ignore"):  # wrap-around multiply is the hash
            h = (self.a[:, None] * x[None, :] + self.b[:, None]) & np.uint64(0xFFFFFFFFFFFFFFFF)
        return (h >> np.uint64(32)).min(axis=1).astype(np.uint32)

    def add(self, text: str) -> bool:
        """True when ``text`` is new (and is now kept), False for a near-duplicate."""
        import numpy as np

        sig = self.signature(text)
        keys = [sig[i * self.rows : (i + 1) * self.rows].tobytes() for i in range(self.bands)]
        candidates = {
            j for band, k in zip(self.buckets, keys, strict=True) for j in band.get(k, ())
        }
        for j in sorted(candidates):
            if float(np.mean(self.kept[j] == sig)) >= self.threshold:
                return False
        idx = len(self.kept)
        self.kept.append(sig)
        for band, k in zip(self.buckets, keys, strict=True):
            band.setdefault(k, []).append(idx)
        return True


def dedup_mask(texts: Iterable[str], threshold: float = 0.8) -> list[bool]:
    index = MinHashDedup(threshold)
    return [index.add(t) for t in texts]
