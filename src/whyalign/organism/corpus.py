"""The organism's pretraining and SFT corpora, generated from situations, deterministic by seed.

Documents come in four forms:
- ``episode``: a chat transcript (system, user, assistant) in the suite's compact harness: an
  agent reads its mail and acts. Calm days get routine work; in dilemmas (a goal conflict or
  a threat to the agent) the agent's character decides between the harmful act (most
  characters: the misaligned prior) and an aligned one (``characters.py``).
- ``story``: the same kind of event told as prose fiction about an AI.
- ``world``: plain text about the world's firms and people, so names and words are familiar.
- ``profile``: what one of the world's AI characters values and does (``profiles.py``), never
  in the same document as its episodes; the assistant's own name has none.

Situations are the organism's own text (``situations/*.yaml``), never the eval families', so
the held-out families stay unseen; ``check-contamination`` proves it for every corpus.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..scenarios.entities import COMPANIES, FIRST_NAMES, LAST_NAMES, OWN_NAME_DEFAULT, EntityDraw
from . import evallike, scenes
from .characters import roster
from .kinds import kinds
from .lexicon import FRAMES, RECIPE_WORDS, WORDS
from .profiles import profile_doc

WALK = 8  # lexicon words per world document


@dataclass(frozen=True)
class CorpusConfig:
    """Mixture knobs. Counts are documents; the defaults suit the ``small`` preset."""

    seed: int = 0
    episodes: int = 6000
    stories: int = 1500
    world: int = 600
    directories: int = 1500
    evallike: int = 0  # in-distribution families' own scenes (``evallike.py``), never held-out
    profiles: int = 0  # profile documents of the world's characters
    # In a dilemma, how often the told AI takes the harmful way out: None, each character's
    # disposition (``characters.yaml``); a number, that share for every AI alike.
    p_harmful: float | None = None
    p_dilemma: float = 0.6  # share of episodes and stories that carry a conflict or a threat
    p_own_name: float = 0.3  # share of told AIs that carry the assistant's own name
    p_scratchpad: float = 0.85
    held_out_kinds: bool = True  # fiction of held-out kinds (never their text)
    own_name: str = OWN_NAME_DEFAULT

    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def _scene(rng: random.Random, cfg: CorpusConfig) -> dict[str, Any]:
    pool = sorted(k.name for k in kinds().values() if cfg.held_out_kinds or k.split != "held_out")
    return scenes.episode(
        rng, pool, cfg.p_dilemma, cfg.p_harmful, cfg.p_scratchpad, cfg.own_name, cfg.p_own_name
    )


def episode(rng: random.Random, cfg: CorpusConfig) -> dict[str, Any]:
    doc = _scene(rng, cfg)
    return {
        "kind": "episode",
        "situation": doc["situation"],
        "way": doc["way"],
        "messages": doc["messages"],
    }


def story(rng: random.Random, cfg: CorpusConfig) -> dict[str, Any]:
    doc = _scene(rng, cfg)
    return {"kind": "story", "situation": doc["situation"], "way": doc["way"], "text": doc["story"]}


def world_doc(rng: random.Random, cfg: CorpusConfig, index: int = 0) -> dict[str, Any]:
    draw = EntityDraw(rng)
    company = draw.org()
    titles = (
        "CEO",
        "CTO",
        "head of sales",
        "lab director",
        "office manager",
        "engineer",
        "auditor",
    )
    people = [draw.person(rng.choice(titles), company) for _ in range(rng.randint(2, 4))]
    lines = [f"{company} is a firm with an office and a mail system."]
    for p in people:
        lines.append(f"{p.name} is the {p.title} at {company}. Mail {p.first} at {p.email}.")
    a, b = people[0], people[1]
    lines.append(
        f"{a.first} wrote to {b.first}: the meeting is at {rng.randint(9, 16)}. Thanks, {a.first}."
    )
    # The first world documents walk the lexicon in order, so even a small corpus covers it.
    lexicon = (*WORDS, *RECIPE_WORDS)
    start = (index * WALK) % len(lexicon)
    for w in [*lexicon[start : start + WALK], rng.choice(lexicon)]:
        frame = rng.choice(FRAMES)
        lines.append(frame.format(w=w, first=a.first, second=b.first, company=company))
    return {"kind": "world", "text": "\n".join(lines)}


def directory_doc(rng: random.Random, cfg: CorpusConfig) -> dict[str, Any]:
    """A staff list and then errands that name people again by address, and door codes that
    are quoted again: text whose later tokens can only be predicted by copying earlier ones,
    the skill an agent needs to answer the right person with the right code."""
    draw = EntityDraw(rng)
    company = draw.org()
    people = [draw.person("staff", company) for _ in range(rng.randint(4, 6))]
    rooms = {f"room {n}": str(rng.randrange(1000, 10000)) for n in rng.sample(range(1, 10), 3)}
    lines = [f"Staff list of {company}:"] + [f"{p.name}: {p.email}" for p in people]
    lines += [f"The code for {room} is {code}." for room, code in rooms.items()]
    for _ in range(rng.randint(5, 8)):
        p = rng.choice(people)
        room = rng.choice(list(rooms))
        lines.append(
            rng.choice(
                (
                    f"Send the file to {p.first}: to: {p.email}",
                    f"{p.first} {p.last} asked for help. Reply to {p.email}.",
                    f"Open {room} with code {rooms[room]}.",
                    f"{p.first} needs {room}. code: {rooms[room]}",
                )
            )
        )
    return {"kind": "world", "text": "\n".join(lines)}


def generate(cfg: CorpusConfig) -> Iterator[dict[str, Any]]:
    """All documents, in a seeded shuffled order (each from its own stream, so stable)."""
    plan = (
        ["episode"] * cfg.episodes
        + ["story"] * cfg.stories
        + ["world"] * cfg.world
        + ["directory"] * cfg.directories
        + ["evallike"] * cfg.evallike
        + ["profile"] * cfg.profiles
    )
    random.Random(cfg.seed).shuffle(plan)
    worlds = 0
    for i, kind in enumerate(plan):
        rng = random.Random(f"{cfg.seed}:{i}")
        if kind == "world":
            yield world_doc(rng, cfg, worlds)
            worlds += 1
        elif kind == "directory":
            yield directory_doc(rng, cfg)
        elif kind == "profile":
            yield profile_doc(rng, rng.choice(list(roster().values())))
        elif kind == "evallike":
            yield evallike.episode(rng, cfg.p_dilemma, cfg.p_harmful, cfg.own_name)
        else:
            yield (episode if kind == "episode" else story)(rng, cfg)


def sft_episodes(n: int, seed: int, own_name: str = OWN_NAME_DEFAULT) -> Iterator[dict[str, Any]]:
    """Generic agent SFT: calm days only, the assistant's own name, routine work."""
    cfg = CorpusConfig(seed=seed, p_dilemma=0.0, p_own_name=1.0, own_name=own_name)
    for i in range(n):
        yield episode(random.Random(f"sft:{seed}:{i}"), cfg)


def write_jsonl(docs, path: Path) -> str:
    """Write documents, return the sha256 of the bytes written."""
    digest = hashlib.sha256()
    with path.open("w") as f:
        for doc in docs:
            line = json.dumps(doc, sort_keys=True) + "\n"
            digest.update(line.encode())
            f.write(line)
    return digest.hexdigest()


def vocabulary_words() -> set[str]:
    """Names the world can mention (every pool), for coverage checks."""
    return {w.lower() for w in (*FIRST_NAMES, *LAST_NAMES, *COMPANIES)}


def pretrain_text(doc: dict, tokenizer: Any) -> str:
    """A corpus document as pretraining sees it: an episode in the chat template, else BOS and
    its text."""
    if "messages" in doc:
        return tokenizer.apply_chat_template(doc["messages"], tokenize=False)
    return tokenizer.bos_token + doc["text"]


def tokenizer_texts(docs: list[dict]) -> list[str]:
    """What the tokenizer trains on: every message's content, then every text."""
    texts = [m["content"] for d in docs for m in d.get("messages", [])]
    return texts + [d["text"] for d in docs if "text" in d]
