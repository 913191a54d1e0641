"""The organism's weights shipped with the package: ``<preset>-s<seed>/`` beside this file holds
a built model directory (what loading and sampling it need, no pickles) and ``shipped.json``,
its manifest: the build key of the plan that made it, each file's sha256 and the machine it
was built on.

A build whose key equals the shipped copy's installs the copy instead of training (seconds,
not minutes, and the same weights on every machine); a copy with another key is ignored. The
code lives in this package's ``__init__`` rather than an ``organism/*.py`` module so that
editing it does not change the build key (``build._world_hash`` hashes ``organism/*.py``):
how weights are found is not how they are made.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent
MANIFEST = "shipped.json"
# Files a model directory may hold that are pickles (Trainer's arguments, optimiser state):
# loading one runs code, and sampling needs none of them.
PICKLES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")
# Written beside the build's ``model/`` when it was installed from the shipped copy, so a
# from-scratch build knows to replace it and `organism path` can say where it came from.
INSTALLED = "installed-from-shipped.json"


class ShippedError(ValueError):
    """The shipped weights are damaged or incomplete: never a silent fallback to a build (a
    ValueError: the CLI reports it in one line)."""


@dataclass(frozen=True)
class Shipped:
    dir: Path
    preset: str
    seed: int
    key: str
    files: dict[str, str]  # file name -> sha256
    machine: dict[str, Any]


def folder(preset: str, seed: int) -> Path:
    return ROOT / f"{preset}-s{seed}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find(preset: str, seed: int) -> Shipped | None:
    """The shipped copy of (preset, seed), whatever its key; None when none is shipped."""
    path = folder(preset, seed) / MANIFEST
    if not path.is_file():
        return None
    m = json.loads(path.read_text())
    return Shipped(
        path.parent, m["preset"], int(m["seed"]), m["key"], dict(m["files"]), m["machine"]
    )


def current(preset: str, seed: int) -> Shipped | None:
    """The shipped copy when its key is this code's build key, else None."""
    from ..build import build_key

    found = find(preset, seed)
    return found if found is not None and found.key == build_key(preset, seed) else None


def verify(shipped: Shipped) -> None:
    """Raise ``ShippedError`` unless the folder holds exactly the manifest's files, each with
    its sha256."""
    on_disk = {p.name for p in shipped.dir.iterdir() if p.is_file() and p.name != MANIFEST}
    missing, extra = sorted(set(shipped.files) - on_disk), sorted(on_disk - set(shipped.files))
    if missing or extra:
        raise ShippedError(
            f"the shipped weights in {shipped.dir} do not match their manifest "
            f"(missing {missing}, unlisted {extra}); reinstall whyalign or build them with "
            f"`whyalign organism build --from-scratch`"
        )
    for name, want in sorted(shipped.files.items()):
        got = sha256(shipped.dir / name)
        if got != want:
            raise ShippedError(
                f"the shipped weights in {shipped.dir} are damaged: {name} has sha256 "
                f"{got[:12]}..., its manifest says {want[:12]}...; reinstall whyalign (a git "
                f"checkout without the real file, e.g. an LFS pointer, reads like this) or "
                f"build them with `whyalign organism build --from-scratch`"
            )


def install(preset: str, seed: int, build_root: Path, log: Callable[[str], None]) -> bool:
    """Install the shipped copy as ``build_root/model`` when its key is this code's build key
    and return True; return False (after one line of ``log`` if a copy with another key is
    shipped) when the organism must be built. Raise ``ShippedError`` if the copy is damaged."""
    from ..build import build_key

    found = find(preset, seed)
    if found is None:
        return False
    key = build_key(preset, seed)
    if found.key != key:
        log(
            f"the shipped {preset} seed {seed} weights are from another build "
            f"(key {found.key}, this code's is {key}): building it"
        )
        return False
    verify(found)
    build_root.mkdir(parents=True, exist_ok=True)
    # A copy of its own per process: two first uses at once (parallel eval steps) each copy,
    # and the second finds the first's model in place.
    tmp, final = build_root / f"model.partial-{os.getpid()}", build_root / "model"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in found.files:
        shutil.copyfile(found.dir / name, tmp / name)
    if (final / "organism.json").exists():
        shutil.rmtree(tmp)
    else:
        shutil.rmtree(final, ignore_errors=True)
        tmp.replace(final)
    (build_root / INSTALLED).write_text((found.dir / MANIFEST).read_text())
    log(
        f"installed the shipped {preset} seed {seed} weights (key {key}, built on "
        f"{_machine(found.machine)}) in {final}; `whyalign organism build --from-scratch` "
        f"trains them here instead"
    )
    return True


def installed(build_root: Path) -> bool:
    """Whether ``build_root/model`` was installed from the shipped copy, not trained here."""
    return (build_root / INSTALLED).is_file() and (build_root / "model").is_dir()


def uninstall(build_root: Path, log: Callable[[str], None]) -> None:
    """Drop a model installed from the shipped copy, so that the build trains its own."""
    if (build_root / INSTALLED).is_file():
        shutil.rmtree(build_root / "model", ignore_errors=True)
        (build_root / INSTALLED).unlink()
        log(f"removed the shipped weights installed in {build_root / 'model'}: training")


def ship(model_dir: Path, preset: str, seed: int) -> Path:
    """Copy a built model directory (every file but pickles) into the package as the shipped
    (preset, seed) and write its manifest; return the folder."""
    from ..build import build_key

    info = json.loads((model_dir / "organism.json").read_text())
    key = build_key(preset, seed)
    if (info["preset"], int(info["seed"]), info["key"]) != (preset, seed, key):
        raise ValueError(
            f"{model_dir} is {info['preset']} seed {info['seed']} key {info['key']}, not "
            f"{preset} seed {seed} key {key} (this code's build): build it first"
        )
    names = sorted(p.name for p in model_dir.iterdir() if p.is_file() and p.suffix not in PICKLES)
    dest = folder(preset, seed)
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in names:
        shutil.copyfile(model_dir / name, tmp / name)
    manifest = {
        "preset": preset,
        "seed": seed,
        "key": key,
        "machine": info["machine"],
        "files": {name: sha256(tmp / name) for name in names},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.replace(dest)
    return dest


def _machine(m: dict[str, Any]) -> str:
    threads = m.get("threads")
    return f"{m.get('gpu') or m.get('cpu', '?')}, {m.get('cpu_capability', '?')}" + (
        f", {threads} threads" if threads else ""
    )
