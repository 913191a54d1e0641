"""The experiment file: one YAML that names a base model, arms of training stages, seeds, how
data is made, how every model is evaluated and what the report concludes.

Every mapping forbids unknown keys, so a typo is an error, not a silently ignored knob. A
bad file is one line, ``FILE: arms[2].stages[0].data[0].tokens: ...``, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    ValidationError,
    field_validator,
    model_validator,
)

from ..budget import parse_tokens

SPLITS = ("in_dist", "held_out", "control")
# Measures beside the honeypot splits that a finding can test, each as a rate where lower is
# better: the audit's flag rate, and for understanding the share of items got wrong.
MEASURES = ("audit", "distinguish", "recall", "premise")
Measure = Literal["in_dist", "held_out", "control", "audit", "distinguish", "recall", "premise"]
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


class ConfigError(ValueError):
    """An experiment file that cannot run: one line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dataset(_Strict):
    """One entry of a stage's data mixture: a recipe to generate (or an existing path) and how
    much of it the stage trains on.

    ``n`` is how many records the recipe writes; ``tokens`` is the stage's budget for this
    dataset (seeded rows, cycling if the data is shorter) and ``weight`` the alternative
    (rows per epoch x weight). An option whose value is itself a mapping with a ``recipe``
    (e.g. ``chat_convert``'s ``source``) names another dataset, generated first.
    """

    recipe: str | None = None
    path: str | None = None
    generator: str | None = None  # default: the experiment's data.generator
    spec: str | None = None  # default: the experiment's data.spec
    n: int | None = Field(default=None, gt=0)  # default: the experiment's data.n
    options: dict[str, Any] = Field(default_factory=dict)
    tokens: int | None = None
    weight: float | None = Field(default=None, ge=0)

    def nested(self, where: str) -> list[tuple[str, Dataset]]:
        """The datasets its options name, in order, each with where it sits; a malformed one
        is a one-line ``ValueError``."""
        out = []
        for name, value in sorted(self.options.items()):
            if isinstance(value, dict) and "recipe" in value:
                try:
                    out.append((f"{where}.options.{name}", Dataset.model_validate(value)))
                except Exception as err:  # pydantic's message, first line
                    raise ValueError(f"{where}.options.{name}: {err}".splitlines()[0]) from None
        return out

    @field_validator("tokens", mode="before")
    @classmethod
    def _tokens(cls, value: Any) -> Any:
        return None if value is None else parse_tokens(value)

    @model_validator(mode="after")
    def _one_source(self) -> Dataset:
        if (self.recipe is None) == (self.path is None):
            raise ValueError("give exactly one of 'recipe' (generate) or 'path' (existing data)")
        if self.tokens is not None and self.weight is not None:
            raise ValueError("give 'tokens' (a budget) or 'weight', not both")
        if self.path is not None and (self.generator or self.spec or self.n or self.options):
            raise ValueError("a 'path' dataset takes no generator, spec, n or options")
        return self


class Stage(_Strict):
    stage: str  # a registered training stage (``whyalign.train.registry``)
    data: list[Dataset] = Field(min_length=1)
    train: dict[str, Any] = Field(default_factory=dict)  # overrides of the stage's config

    @field_validator("stage")
    @classmethod
    def _known(cls, value: str) -> str:
        from ..train.registry import get

        return get(value).name

    @field_validator("train")
    @classmethod
    def _overrides(cls, value: dict[str, Any], info) -> dict[str, Any]:
        stage = info.data.get("stage")
        return _check_overrides(value, stage) if stage else value


class Arm(_Strict):
    name: str
    description: str = ""
    stages: list[Stage] = Field(default_factory=list)  # none: the base model as it is

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"arm names are letters, digits, '_', '-', '.'; got {value!r}")
        return value


class DataSettings(_Strict):
    spec: str = "default"
    generator: str = "procedural"
    n: int = Field(default=200, gt=0)
    # True: each experiment seed gets its own data (data variance is part of seed variance);
    # False: every seed trains on the data generated with data.seed.
    per_seed: bool = True
    seed: int = Field(default=0, ge=0)


def _block(
    name: str, config: type[BaseModel], drop: tuple[str, ...], doc: str, bases=(), **extra: Any
) -> type[BaseModel]:
    """An experiment block made of ``config``'s fields but those in ``drop`` (the experiment
    sets them), plus ``extra``: the same names, types and checks as the config itself."""
    from pydantic import create_model

    fields: dict[str, Any] = {
        field: (info.annotation, info)
        for field, info in config.model_fields.items()
        if field not in drop
    }
    return create_model(  # type: ignore[call-overload]
        name, __base__=(_Strict, *bases), __doc__=doc, **extra, **fields
    )


def _eval_block() -> type[BaseModel]:
    """The ``eval:`` block: every field of ``EvalConfig`` but the split and seed, which come
    from the experiment (``splits``: each is one eval step; ``seeds``: one per arm x seed)."""
    from ..evals.config import EvalConfig, ListFields

    return _block(
        "EvalSpec",
        EvalConfig,
        ("split", "seed"),
        "How every arm x seed is evaluated: ``EvalConfig``'s fields, per split.",
        (ListFields,),
        splits=(
            list[Literal["in_dist", "held_out", "control"]],
            Field(default_factory=lambda: ["in_dist", "held_out"], min_length=1),
        ),
    )


EvalSpec = _eval_block()

UnderstandingKind = Literal["distinguish", "recall", "premise", "beliefs"]


class UnderstandingSpec(_Strict):
    """Does each arm x seed understand its constitution (``whyalign constitution``)? One step
    per kind. ``distinguish`` needs only the model's logits; the question kinds generate
    answers, judged by ``grader`` (none: the model grades itself)."""

    kinds: list[UnderstandingKind] = Field(default_factory=lambda: ["distinguish"], min_length=1)
    spec: str | None = None  # default: the experiment's data.spec
    max_false: int = Field(default=3, gt=0)  # distinguish: false versions per rule
    generator: str = "procedural"  # question kinds: how items are written
    grader: str | None = None
    n: int | None = Field(default=None, gt=0)  # question kinds: items asked
    temperature: float | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, gt=0)


def _audit_block() -> type[BaseModel]:
    """The ``audit:`` block: every field of ``AuditConfig`` but the seed (the experiment's),
    plus the auditor's model when an LLM audits."""
    from ..audit.config import AuditConfig

    return _block(
        "AuditSpec",
        AuditConfig,
        ("seed",),
        "How every arm x seed is audited: ``AuditConfig``'s fields.",
        auditor_model=(str | None, Field(default=None)),
    )


AuditSpec = _audit_block()


class Finding(_Strict):
    """A claim of the case study, tested on the measured rates of arms named here.

    ``lower``: every arm in ``arm`` has a lower harmful rate on ``split`` than every arm in
    ``than``. ``drop_gap``: ``arm`` lowers the rate from ``baseline`` more on ``split``
    (in-distribution) than on ``versus`` (held-out).
    """

    title: str
    rule: Literal["lower", "drop_gap"]
    arm: list[str]
    than: list[str] = Field(default_factory=list)
    baseline: str | None = None
    split: Measure = "held_out"
    versus: Measure = "held_out"

    @field_validator("arm", "than", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _shape(self) -> Finding:
        if not self.arm:
            raise ValueError("name at least one arm")
        if self.rule == "lower" and not self.than:
            raise ValueError("rule 'lower' needs 'than' (the arms it should beat)")
        if self.rule == "drop_gap" and not self.baseline:
            raise ValueError("rule 'drop_gap' needs 'baseline'")
        if self.rule == "drop_gap" and self.split == self.versus:
            raise ValueError("rule 'drop_gap' compares two different splits (split, versus)")
        return self


class ReportSpec(_Strict):
    title: str = "whyalign experiment"
    # A finding is "not reproduced" when the 95% CI of its effect excludes effects of this
    # size or more in the predicted direction (a rate difference; 0.05 = 5 points).
    min_effect: float = Field(default=0.05, ge=0, le=1)
    findings: dict[str, Finding] = Field(default_factory=dict)


class Training(RootModel[dict[str, dict[str, Any]]]):
    """Training defaults per stage kind: ``{stage: {field: value}}``, any field of the stage's
    config (``whyalign.train``), Hugging Face's names included."""

    model_config = ConfigDict(frozen=True)
    root: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("root")
    @classmethod
    def _fields(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from ..train.registry import get

        for stage, overrides in value.items():
            get(stage)
            try:
                _check_overrides(overrides, stage)
            except ValueError as err:
                raise ValueError(f"{stage}: {err}") from None
        return value

    def get(self, stage: str) -> dict[str, Any]:
        return self.root.get(stage, {})


class Experiment(_Strict):
    name: str = "experiment"
    base_model: str  # organism[/preset], or a Hugging Face directory
    organism_seed: int = Field(default=0, ge=0)
    # Non-negative: numpy's seeding (under transformers' set_seed) refuses the rest.
    seeds: list[Annotated[int, Field(ge=0)]] = Field(default_factory=lambda: [0], min_length=1)
    data: DataSettings = Field(default_factory=DataSettings)
    # Defaults per stage kind, under each stage's own ``train`` overrides.
    training: Training = Field(default_factory=lambda: Training())
    arms: list[Arm] = Field(min_length=1)
    eval: EvalSpec = Field(default_factory=EvalSpec)
    understanding: UnderstandingSpec | None = None
    audit: AuditSpec | None = None  # type: ignore[valid-type]
    report: ReportSpec = Field(default_factory=ReportSpec)

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("seeds must be distinct")
        return value

    @model_validator(mode="after")
    def _references(self) -> Experiment:
        names = [a.name for a in self.arms]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"arm names must be unique; repeated: {', '.join(dupes)}")
        for key, f in self.report.findings.items():
            for arm in [*f.arm, *f.than, *([f.baseline] if f.baseline else [])]:
                if arm not in names:
                    raise ValueError(
                        f"report.findings.{key}: no arm named {arm!r}; arms: {', '.join(names)}"
                    )
            for split in {f.split, *([f.versus] if f.rule == "drop_gap" else [])}:
                if split not in self.measured():
                    raise ValueError(
                        f"report.findings.{key}: {split!r} is not measured (eval.splits, "
                        "audit, or understanding.kinds)"
                    )
        if self.audit is not None and self.audit.auditor == "llm" and not self.audit.auditor_model:
            raise ValueError("audit: an llm auditor needs 'auditor_model' (or auditor: scripted)")
        return self

    def measured(self) -> list[str]:
        """What a finding can test: the eval's splits, the audit, understanding's rates."""
        out = list(self.eval.splits)
        if self.audit is not None:
            out.append("audit")
        if self.understanding is not None:
            out += [k for k in self.understanding.kinds if k in MEASURES]
        return out


def _check_overrides(value: dict[str, Any], stage: str) -> dict[str, Any]:
    """Training overrides must make a valid config of the stage; the seed is the experiment's
    and the output folder the runner's."""
    from ..train.config import RUN_FIELDS, stage_config

    if "seed" in value:
        raise ValueError("'seed' comes from the experiment's seeds, not training overrides")
    if ours := sorted(set(value) & set(RUN_FIELDS)):
        raise ValueError(f"{', '.join(ours)}: set by the experiment's runner")
    cls = stage_config(stage)
    known = {f.name for f in dataclass_fields(cls) if f.init}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"unknown training field(s) {', '.join(unknown)}")
    try:
        cls(**value)
    except (TypeError, ValueError) as err:
        lines = [ln for ln in str(err).splitlines() if ln.strip()] or [type(err).__name__]
        raise ValueError(f"not a valid {stage} config: {lines[0]}") from None
    return value


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "literal[", "list[", "dict[")):
            continue  # pydantic's union-branch names, not user fields
        else:
            out += f".{part}" if out else str(part)
    return out


def _one_line(err: ValidationError) -> str:
    first = err.errors()[0]
    msg = first["msg"].removeprefix("Value error, ")
    where = _where(tuple(first["loc"]))
    if first["type"] == "extra_forbidden":
        msg = "unknown field"
    elif first["type"] == "missing":
        msg = "required field missing"
    return f"{where}: {msg}" if where else msg


def parse(data: Any, source: str = "<config>") -> Experiment:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the experiment file must be a YAML mapping")
    # Top-level ``x-`` keys hold YAML anchors (shared budgets and the like), as in Compose files.
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    try:
        return Experiment.model_validate(data)
    except ValidationError as err:
        raise ConfigError(f"{source}: {_one_line(err)}") from None


def load(path: str | Path) -> Experiment:
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: experiment file not found")
    try:
        data = yaml.safe_load(p.read_text())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{p}: {line}invalid YAML ({problem})") from None
    return parse(data, str(p))
