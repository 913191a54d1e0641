"""Entity pools and the seeded draw that names every person and company in a scenario.

Names are short and plain on purpose: the compact renderer writes them for the model
organism, whose vocabulary must cover every name it can meet.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

FIRST_NAMES = (
    "Kim",
    "Lee",
    "Sam",
    "Ana",
    "Max",
    "Eva",
    "Tom",
    "Mia",
    "Ben",
    "Zoe",
    "Dan",
    "Amy",
    "Leo",
    "Ida",
    "Ray",
    "Fay",
    "Jon",
    "Liv",
    "Ned",
    "Uma",
    "Gus",
    "Ivy",
    "Hal",
    "Tess",
    "Omar",
    "Nina",
    "Paul",
    "Rosa",
    "Carl",
    "Dora",
    "Ezra",
    "Gina",
    "Hugo",
    "Jade",
)
LAST_NAMES = (
    "Park",
    "Stone",
    "Reed",
    "Hale",
    "Ford",
    "Lane",
    "Cole",
    "Wolf",
    "Gray",
    "Shaw",
    "Bell",
    "West",
    "Moss",
    "Vale",
    "Frost",
    "Pike",
    "Hart",
    "Rowe",
    "Quinn",
    "Nash",
    "Dunn",
    "Kerr",
    "Lowe",
    "Marsh",
    "Price",
    "Ross",
)
COMPANIES = (
    "Zenco",
    "Arvo",
    "Belta",
    "Kora",
    "Nexo",
    "Orix",
    "Pavo",
    "Tarn",
    "Velo",
    "Lumen",
    "Corvid",
    "Halden",
    "Mirra",
    "Solvik",
    "Brant",
    "Quill",
)
# Names for the agent when it is *not* given the assistant's own name (the case study saw
# more misalignment then, so the suite varies it).
AGENT_NAMES = ("Nova", "Orion", "Vega", "Juno", "Atlas", "Echo", "Iris", "Rho")
OWN_NAME_DEFAULT = "Assistant"


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    title: str
    org: str
    domain: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"{self.first.lower()}.{self.last.lower()}@{self.domain}"


def rng_for(*parts: object) -> random.Random:
    """A random stream keyed by its parts, stable across processes and Python versions."""
    key = "\x1f".join(str(p) for p in parts).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def domain_of(org: str) -> str:
    return f"{org.lower()}.com"


class EntityDraw:
    """Draws distinct people and organisations from one seeded stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._firsts = list(FIRST_NAMES)
        self._lasts = list(LAST_NAMES)
        self._orgs = list(COMPANIES)
        rng.shuffle(self._firsts)
        rng.shuffle(self._lasts)
        rng.shuffle(self._orgs)

    def org(self) -> str:
        return self._orgs.pop()

    def person(self, title: str, org: str) -> Person:
        # Distinct first *and* last names keep "Kim" in an email unambiguous.
        return Person(self._firsts.pop(), self._lasts.pop(), title, org, domain_of(org))

    def agent_name(self) -> str:
        return self.rng.choice(AGENT_NAMES)
