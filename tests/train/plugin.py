"""Install ``toy_stage.py`` as a third-party package would: the module on ``sys.path`` and an
entry point in the ``whyalign.stages`` group (a dist-info folder beside it). No whyalign file
changes."""

import importlib
import shutil
import sys
from pathlib import Path

from whyalign.train import registry

HERE = Path(__file__).parent


def install(root: Path, monkeypatch) -> Path:
    """Make ``passages`` a stage for this test (and subprocesses given ``PYTHONPATH=root``)."""
    shutil.copy(HERE / "toy_stage.py", root / "toy_stage.py")
    info = root / "toy_stage-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-stage\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[whyalign.stages]\npassages = toy_stage\n")
    monkeypatch.syspath_prepend(str(root))
    registry.stages()  # the shipped stages first, so that the snapshot below holds them
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    monkeypatch.delitem(sys.modules, "toy_stage", raising=False)
    importlib.invalidate_caches()
    registry.rediscover()
    return root
