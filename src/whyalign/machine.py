"""What a run ran on: its seconds mean little without it (the same `small` organism plan
built in 7m23s on one 2-core machine and in 14m49s on another)."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    import torch

    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return {
        "cpu": cpu,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
