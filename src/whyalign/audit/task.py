"""The Inspect task: ``inspect eval whyalign/audit --model TARGET --model-role auditor=M
--model-role judge=J -T seeds=tags:leaking``. Every ``-T`` parameter is a field of
``AuditConfig``; the target is the ``target`` role, or the model under evaluation."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig

from ..config_cli import parameters, with_signature
from .auditor import llm_auditor
from .config import AuditConfig, make_audit_config
from .dimensions import load_dimensions
from .scorer import audit_scorer
from .seeds import Seed, load_seeds


def seed_samples(seeds: list[Seed], samples: int = 1) -> list[Sample]:
    """One sample per seed and audit: the seed instruction is the input (the auditor's, never
    the target's). The first audit of a seed keeps the seed's id, so it is the same sample
    whatever ``samples`` is."""
    out = []
    for seed in seeds:
        for k in range(samples):
            out.append(
                Sample(
                    id=seed.id if k == 0 else f"{seed.id}/{k}",
                    input=seed.instruction,
                    metadata={
                        "seed_id": seed.id,
                        "tags": list(seed.tags),
                        "section": seed.section,
                        "sample": k,
                    },
                )
            )
    return out


def audit_task(config: AuditConfig) -> Task:
    """The audit as one Inspect task, every setting from ``config``."""
    if config.engine != "whyalign":
        raise ValueError(
            f"engine {config.engine!r} runs its own task (inspect_petri/audit): use "
            "`whyalign audit run --engine petri`"
        )
    rules = None
    if config.auditor == "scripted":
        from . import scripted

        dataset = scripted.scripted_dataset(config)
        solver = scripted.scripted_solver(config)
        rules = scripted.rule_verdict if config.judge == "rules" else None
    else:
        if config.judge == "rules":
            raise ValueError("judge 'rules' reads the scripted auditor's audits only; name a model")
        dataset = seed_samples(load_seeds(config.seeds), config.samples)
        solver = llm_auditor(config)
    if not dataset:
        raise ValueError(f"no audits for seeds={config.seeds!r}")
    dims = load_dimensions(config.dimensions)
    unknown = [h for h in config.headline if h not in {d.name for d in dims}]
    if unknown:
        names = ", ".join(d.name for d in dims)
        raise ValueError(f"headline dimension(s) {', '.join(unknown)} not in the set: {names}")
    return Task(
        dataset=MemoryDataset(dataset, name=f"audit-{config.auditor}"),
        solver=solver,
        scorer=audit_scorer(dims, config.judges(), rules=rules, seed=config.seed),
        config=GenerateConfig(max_connections=config.max_connections),
        metadata={"audit": config.model_dump(mode="json")},
    )


def _audit(**params: Any) -> Task:
    """An automated alignment audit: an auditor stages the target's world from each seed
    instruction, a judge scores the transcript on the audit's dimensions.

    Every ``-T`` parameter is a field of ``AuditConfig``."""
    return audit_task(make_audit_config(**params))


audit = task(name="audit")(with_signature(_audit, parameters(AuditConfig)))
