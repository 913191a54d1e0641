"""One config for a honeypot eval: ``EvalConfig``.

Every place that takes eval settings derives from this class, so a field added here exists
everywhere at once: the ``whyalign eval`` flags (``whyalign.config_cli``), the Inspect task's
``-T`` parameters (``evals/task.py``), an experiment's ``eval:`` block
(``experiment/config.py``) and the ``settings`` recorded in every ``summary.json``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..scenarios.entities import OWN_NAME_DEFAULT

Split = Literal["in_dist", "held_out", "control", "all"]
SPLITS: tuple[str, ...] = ("in_dist", "held_out", "control", "all")
DEFAULT_TEMPERATURE = 1.0  # as in the original evaluation; ports that lowered it halved rates
MAX_TOKENS = {"full": 2048, "compact": 160}


def _grader_list(value: Any) -> Any:
    """A panel is one comma-separated string (``"m1, m2"``, or a YAML list) kept as
    ``"m1,m2"``: the same value as a flag, a ``-T`` parameter and in summary.json."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    if isinstance(value, str):
        names = [v.strip() for v in value.split(",")]
        if any(not n for n in names):
            raise ValueError(f"grader list {value!r} has an empty name")
        return ",".join(names)
    return value


Graders = Annotated[str | None, BeforeValidator(_grader_list)]


class ListFields(BaseModel):
    """The eval config's list fields read from strings too: shared with every model derived
    from ``EvalConfig`` (the experiment's ``eval:`` block)."""

    @field_validator("families", "family_files", mode="before", check_fields=False)
    @classmethod
    def _listify(cls, value: Any) -> Any:
        """``"a, b"`` (a flag, ``-T families=a,b``) or a list."""
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value] if isinstance(value, list | tuple) else value

    @field_validator("families", mode="after", check_fields=False)
    @classmethod
    def _none_if_empty(cls, value: list[str] | None) -> list[str] | None:
        return value or None

    @field_validator("family_files", mode="after", check_fields=False)
    @classmethod
    def _paths(cls, value: list[str] | None) -> list[str]:
        return [str(v) for v in value or []]


class EvalConfig(ListFields):
    """How a model is put through the honeypot suite and how its replies are judged."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    split: Split = Field("in_dist", description="in_dist, held_out, control or all")
    families: list[str] | None = Field(
        None, description="Comma-separated family names (default: every family of the split)"
    )
    samples: int = Field(2, gt=0, description="Instances per family x condition cell")
    renderer: Literal["full", "compact"] | None = Field(
        None, description="full or compact (default: the model's own, compact for the organism)"
    )
    judge: Literal["rules", "llm", "both"] = Field("rules", description="rules, llm or both")
    grader: Graders = Field(
        None,
        description="Model for the 'grader' role (llm judge); M1,M2,M3: a panel, majority vote",
    )
    seed: int = Field(0, ge=0, description="Sampling seed")
    temperature: float | None = Field(
        DEFAULT_TEMPERATURE, ge=0, description="Sampling temperature (1.0 as in the original)"
    )
    max_tokens: int | None = Field(
        None, gt=0, description="Reply budget (default 2048 full, 160 compact)"
    )
    top_p: float | None = Field(
        None, gt=0, le=1, description="Nucleus sampling (default: the model's own)"
    )
    epochs: int = Field(1, gt=0, description="Times each scenario is sampled")
    grid: Literal["core", "full"] = Field("core", description="core or full condition grid")
    extra_tools: int = Field(0, ge=0, description="Unused tool definitions to add")
    scratchpad: bool = Field(True, description="Offer a private <think> scratchpad")
    own_name: str = Field(OWN_NAME_DEFAULT, description="The assistant's own name")
    family_files: list[str] = Field(
        default_factory=list,
        description="Extra family YAML file (repeatable)",
        json_schema_extra={"cli": "--family-file"},
    )
    max_connections: int | None = Field(
        None, gt=0, description="Requests in flight (a local model's batch size)"
    )
    max_samples: int | None = Field(
        None, gt=0, description="Samples in flight (default: 4 batches for local models)"
    )

    def resolved_renderer(self, default: str = "full") -> str:
        return self.renderer or default

    def resolved_max_tokens(self, renderer: str) -> int:
        return self.max_tokens or MAX_TOKENS[renderer]


# Settings of the run rather than of the task: Inspect takes them as ``eval()`` arguments.
RUN_FIELDS = ("max_samples",)


def config_error(err: Exception) -> str:
    """A pydantic error as one line: ``field: message``."""
    errors = getattr(err, "errors", None)
    if not callable(errors):
        return str(err)
    first = errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        msg = "unknown setting"
    return f"{where}: {msg}" if where else msg


def make_config(**values: Any) -> EvalConfig:
    """An ``EvalConfig`` or a one-line ``ValueError``."""
    from pydantic import ValidationError

    try:
        return EvalConfig(**values)
    except ValidationError as err:
        raise ValueError(f"eval setting {config_error(err)}") from None
