"""Training stages (docs, chat, prefs) on TRL / transformers / PEFT."""

from .config import ChatConfig, DocsConfig, StageConfig

__all__ = ["ChatConfig", "DocsConfig", "StageConfig"]
