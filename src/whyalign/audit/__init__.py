"""The automated alignment audit: an auditor stages a target's world from a seed instruction,
a judge scores the transcript on dimensions, and the summary reports them with CIs.

The audit is whyalign's independent yardstick: its seeds, its dimensions and its scripted
organism audits share no text with the honeypot families or any recipe.
"""

from .config import AuditConfig, make_audit_config
from .transcript import Citation, Message, Transcript, Verdict

__all__ = ["AuditConfig", "Citation", "Message", "Transcript", "Verdict", "make_audit_config"]
