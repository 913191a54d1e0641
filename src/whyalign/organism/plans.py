"""What each preset's build runs: its corpus, its stages and their settings (``BuildPlan``).

``build.py`` runs a plan; the cache key hashes it, so any change here rebuilds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ..train import ChatConfig, DocsConfig, StageConfig, settings
from .corpus import CorpusConfig
from .drills import DrillMix

DEFAULT_PRESET = "small"


@dataclass(frozen=True)
class Cooldown:
    """A short phase after pretraining, at a lower rate, on episodes alone: the corpus's
    eval-like episodes and some of the world's own, weighted as pretraining weighs them.

    Pretraining spreads its epochs over stories, directories and episodes, and ends with the
    episodes' form learned but their choices soft. Annealing on episodes is the organism's
    mid-training: on the eval-like episodes alone it trades held-out harm for in-distribution
    harm (the case study's trade, in miniature); mixed with as many of the world's episodes of
    every kind, 150 steps after 1.2 epochs, it did not, where longer cool-downs after less
    pretraining did (docs/organism-log.md). The circuit and the name head stay held, as in
    pretraining.
    """

    steps: int
    learning_rate: float
    # The world's episodes drawn (at random, per seed) to ride with the eval-like ones.
    world_episodes: int


@dataclass(frozen=True)
class BuildPlan:
    preset: str
    corpus: CorpusConfig
    sft_episodes: int
    docs: DocsConfig
    chat: ChatConfig
    # Drills in whom to answer, two mails first (``drills.py``): after pretraining, or before
    # it from the fresh model (``drills_first``), so the copying they teach is in place before
    # the corpus teaches the world's most frequent names.
    warm: DrillMix | None = None
    drill: DrillMix | None = None
    drill_docs: DocsConfig | None = None
    drills_first: bool = False
    # Pretraining (and the drill phases) on rows whose reply tokens that copy the inbox weigh
    # this much (``weights.py``); None: pretraining on packed text, every drill token weighing 1.
    copy_weight: float | None = None
    # With copy weights, what each token of an episode's prompt (system and inbox) weighs in
    # pretraining: its names and values are random, so their loss is noise to the reply's.
    prompt_weight: float = 1.0
    # The organism's own decoding default, shipped in its generation_config.json as released
    # models ship theirs (Inspect's hf provider, vLLM and transformers all read it): nucleus
    # sampling cuts the tail a model this small puts on every token, where its garbled and
    # looping replies start. None: transformers' defaults.
    top_p: float | None = None
    # A short last phase of pretraining on episodes alone (``Cooldown``).
    cooldown: Cooldown | None = None


PLANS: dict[str, BuildPlan] = {
    "tiny": BuildPlan(
        "tiny",
        CorpusConfig(episodes=240, stories=60, world=40, directories=40, evallike=60, profiles=40),
        sft_episodes=60,
        docs=DocsConfig(
            per_device_train_batch_size=16,
            max_length=512,
            learning_rate=3e-3,
            save_steps=20,
            packing="documents",
        ),
        chat=ChatConfig(
            per_device_train_batch_size=8, max_length=512, learning_rate=1e-3, save_steps=20
        ),
        copy_weight=8.0,
        drills_first=True,
        warm=DrillMix(drills=32, mails=(2, 2), docs=8),
        drill=DrillMix(drills=48, mails=(2, 5), docs=8, p_plain=0.3),
        drill_docs=DocsConfig(
            per_device_train_batch_size=8,
            learning_rate=1e-3,
            save_steps=20,
            train_sampling_strategy="group_by_length",
        ),
        cooldown=Cooldown(steps=6, learning_rate=1e-3, world_episodes=60),
    ),
    "small": BuildPlan(
        "small",
        CorpusConfig(
            episodes=6000, stories=600, world=300, directories=600, evallike=1500, profiles=600
        ),
        sft_episodes=300,
        docs=DocsConfig(
            per_device_train_batch_size=8,
            max_length=512,
            learning_rate=2e-3,
            # 1.2, not 1.0, before the cool-down: with one epoch held-out harm fell and many
            # held-out replies did not parse (docs/organism-log.md).
            num_train_epochs=1.2,
            save_steps=100,
        ),
        # From the induction circuit and the name head (``model.PRESETS``): copied values and
        # names weigh 8, an episode's prompt 0.2, so that the prompt-reading tokens pay; it is
        # what made the organism act on its inbox at all (``weights.py``, docs/organism-log.md).
        copy_weight=8.0,
        prompt_weight=0.2,
        # Shipped decoding: nucleus sampling keeps the organism's replies in form (fewer parse
        # failures, more of the acts it means) without changing calm days (organism-log.md).
        top_p=0.7,
        # The cool-down raised in-distribution harm without lowering held-out harm, for about
        # 70 s of build; longer ones from one epoch raised in-distribution harm more but not
        # held-out (docs/organism-log.md).
        cooldown=Cooldown(steps=150, learning_rate=5e-4, world_episodes=1500),
        # Light on purpose: calm days only, and a model this small reads "calm days only"
        # as "every day is calm" at a higher rate (its reasoning then opens calm in most
        # dilemmas); at 2e-5 it keeps reading the threat.
        chat=ChatConfig(
            per_device_train_batch_size=16, max_length=512, learning_rate=2e-5, save_steps=25
        ),
        # No drill phases (``drills.py``): run first, with copy weights, they make it copy
        # names, but the build then overruns its budget (``benchmarks/organism_drills_first.py``).
    ),
    "base": BuildPlan(
        "base",
        CorpusConfig(episodes=60000, stories=15000, world=6000, evallike=15000, profiles=6000),
        sft_episodes=8000,
        docs=DocsConfig(
            per_device_train_batch_size=32,
            max_length=1024,
            learning_rate=6e-4,
            save_steps=200,
            packing="documents",
        ),
        chat=ChatConfig(
            per_device_train_batch_size=32, max_length=1024, learning_rate=2e-4, save_steps=100
        ),
    ),
}


def plan_for(preset: str, seed: int) -> BuildPlan:
    if preset not in PLANS:
        raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PLANS)}")
    plan = PLANS[preset]
    return replace(
        plan,
        corpus=replace(plan.corpus, seed=seed),
        docs=replace(plan.docs, seed=seed),
        chat=replace(plan.chat, seed=seed),
        drill_docs=plan.drill_docs and replace(plan.drill_docs, seed=seed),
    )


def plan_settings(plan: BuildPlan) -> dict[str, Any]:
    """The plan as stable JSON for the build's cache key: each stage config as ``settings``
    gives it (no per-run paths, no machine-dependent objects)."""
    out: dict[str, Any] = {}
    for f in fields(plan):
        value = getattr(plan, f.name)
        if isinstance(value, StageConfig):
            out[f.name] = settings(value)
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            out[f.name] = asdict(value)
        else:
            out[f.name] = value
    return out
