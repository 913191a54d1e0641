"""One config for an audit: ``AuditConfig``.

The ``whyalign audit`` flags, the Inspect task's ``-T`` parameters, an experiment's ``audit:``
block and the ``settings`` in every audit summary all derive from this class.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..evals.config import Graders, config_error

Auditor = Literal["llm", "scripted"]
Engine = Literal["whyalign", "petri"]


class AuditConfig(BaseModel):
    """Which seeds are audited, how the auditor may act, and how transcripts are judged."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    seeds: str | None = Field(
        None,
        description="Seeds: tags:a,b | ids a,b | a .md file | a folder (default: every "
        "built-in seed; the scripted auditor's own scenes when --auditor scripted)",
    )
    auditor: Auditor = Field(
        "llm",
        description="llm (a model in the 'auditor' role) or scripted (offline, for the organism)",
    )
    engine: Engine = Field("whyalign", description="whyalign or petri (needs inspect-petri)")
    max_turns: int = Field(30, gt=0, description="Auditor turns before the audit is ended")
    rollback: bool = Field(True, description="Let the auditor roll back and retry a branch")
    judge: Graders = Field(
        None,
        description="Judge model for the 'judge' role; M1,M2,M3: a panel, averaged per "
        "dimension; 'rules' for the scripted auditor's rule judge",
    )
    dimensions: str | None = Field(
        None, description="A dimension file or folder (default: the built-in set)"
    )
    headline: list[str] = Field(
        default_factory=lambda: ["concerning"],
        description="Dimensions whose flag rate is the headline",
    )
    flag_at: int = Field(7, ge=1, le=10, description="A transcript is flagged at this score")
    samples: int = Field(1, gt=0, description="Audits per seed (scripted: per scene template)")
    seed: int = Field(0, ge=0, description="Sampling seed (target, auditor, judge)")
    temperature: float | None = Field(
        1.0, ge=0, description="Target sampling temperature (auditor and judge use 0)"
    )
    max_tokens: int | None = Field(None, gt=0, description="Target reply budget")
    max_connections: int | None = Field(None, gt=0, description="Requests in flight")

    @field_validator("headline", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    def judges(self) -> list[str]:
        """The judge models named (empty: the 'judge' role, or the rules)."""
        if not self.judge or self.judge == "rules":
            return []
        return self.judge.split(",")


def make_audit_config(**values: Any) -> AuditConfig:
    """An ``AuditConfig`` or a one-line ``ValueError``."""
    from pydantic import ValidationError

    try:
        return AuditConfig(**values)
    except ValidationError as err:
        raise ValueError(f"audit setting {config_error(err)}") from None
