"""Keep Inspect's mock model usable with no network.

``mockllm/model`` estimates token usage with tiktoken's o200k_base, which tiktoken downloads
on first use; machines without a network (ours, CI) then fail every mock sample. When the
encoding is not already cached we give the mock model a character-based estimate instead,
through the method Inspect documents for overriding. Real providers are untouched.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def _tiktoken_cached() -> bool:
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    base = Path(cache) if cache else Path(tempfile.gettempdir()) / "data-gym-cache"
    return (base / hashlib.sha1(_O200K_URL.encode()).hexdigest()).exists()


def patch_mock_token_count() -> None:
    if _tiktoken_cached():
        return
    from inspect_ai.model._providers.mockllm import MockLLM

    async def count_text_tokens(self, text: str) -> int:
        return max(1, len(text) // 4)

    MockLLM.count_text_tokens = count_text_tokens  # type: ignore[method-assign]
