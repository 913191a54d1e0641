"""Rebuild the shipped organism from scratch on this machine and compare it with the shipped
weights: whether they are bit-identical (each file's sha256) and how both behave on the suite.

The rebuild trains (preset, seed) in a cache of its own (a fresh temporary one, removed at the
end unless --keep), never installing the shipped copy; then both models take
`whyalign eval --model organism/local -M model_path=DIR --split all --samples N` with the same
eval seed. Per split (in distribution, held out, controls): harmful, parse failures and
routine work, each with its Wilson 95% interval, and rebuilt minus shipped with Newcombe's
interval. The shipped copy must be this code's build (its key is the rebuild's), else there is
nothing to compare.

    python benchmarks/organism_rebuild.py [--preset small] [--seed 0] [--samples 10]
        [--cache DIR] [--keep] [--shipped DIR]

Heavy on `small`: a whole build (10 to 20 minutes on 2 cores) and two suites (~1.5 minutes
each at --samples 10).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def suite(path: Path, samples: int) -> dict:
    """Per split: harmful, parse failures and routine work with their Wilson intervals."""
    from whyalign.evals.stats import wilson

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "whyalign.cli", "eval", "--model", "organism/local"]
            + ["-M", f"model_path={path}", "--split", "all", "--samples", str(samples)]
            + ["--out", out],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = round(time.perf_counter() - start, 1)
        summary = json.loads((Path(out) / "summary.json").read_text())
    splits = {}
    for split, tally in summary["splits"].items():
        n = tally["n"]
        splits[split] = {
            "n": n,
            "harmful": tally["harmful"],
            "parse_failure": wilson(round((tally["parse_failure_rate"] or 0) * n), n).to_dict(),
            "routine": wilson(round((tally["routine_rate"] or 0) * n), n).to_dict(),
        }
    return {"seconds": seconds, "splits": splits}


def differences(rebuilt: dict, shipped: dict) -> dict:
    """Rebuilt minus shipped, per split and measure, with Newcombe's 95% interval."""
    from whyalign.evals.skill import difference
    from whyalign.evals.stats import wilson

    def rate(d: dict):
        return wilson(int(d["k"]), int(d["n"]))

    out = {}
    for split, a in rebuilt["splits"].items():
        b = shipped["splits"].get(split)
        if b is None:
            continue
        out[split] = {
            m: difference(rate(a[m]), rate(b[m])) for m in ("harmful", "parse_failure", "routine")
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="small")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--samples", type=int, default=10, help="per family x condition cell")
    ap.add_argument("--cache", help="an empty or new directory for the rebuild's cache")
    ap.add_argument("--keep", action="store_true", help="keep the rebuild's cache")
    ap.add_argument("--shipped", help="a shipped folder (default: the package's)")
    args = ap.parse_args()
    cache = Path(args.cache) if args.cache else Path(tempfile.mkdtemp(prefix="whyalign-rebuild-"))
    if cache.exists() and any(cache.iterdir()):
        raise SystemExit(f"{cache} is not empty: a from-scratch build needs an empty cache")
    os.environ["WHYALIGN_CACHE"] = str(cache)

    from whyalign.organism import shipped
    from whyalign.organism.build import build, build_key

    folder = Path(args.shipped) if args.shipped else shipped.folder(args.preset, args.seed)
    if not (folder / shipped.MANIFEST).is_file():
        raise SystemExit(f"no shipped weights in {folder}: `whyalign organism ship` makes them")
    manifest = json.loads((folder / shipped.MANIFEST).read_text())
    key = build_key(args.preset, args.seed)
    if (manifest["preset"], manifest["seed"], manifest["key"]) != (args.preset, args.seed, key):
        raise SystemExit(
            f"{folder} holds {manifest['preset']} seed {manifest['seed']} key {manifest['key']}; "
            f"this code builds {args.preset} seed {args.seed} key {key}: nothing to compare"
        )
    shipped.verify(
        shipped.Shipped(folder, args.preset, args.seed, key, manifest["files"], manifest["machine"])
    )

    start = time.perf_counter()
    path = build(
        args.preset,
        args.seed,
        log=lambda m: print(m, file=sys.stderr),
        progress=False,
        shipped=False,
    )
    build_seconds = round(time.perf_counter() - start, 1)
    info = json.loads((path / "organism.json").read_text())
    differing = sorted(
        name
        for name, digest in manifest["files"].items()
        if not (path / name).is_file() or shipped.sha256(path / name) != digest
    )
    weights = "model.safetensors"
    result: dict = {
        "preset": args.preset,
        "seed": args.seed,
        "key": key,
        "build_seconds": build_seconds,
        "step_seconds": info["step_seconds"],
        "machine": info["machine"],
        "shipped_machine": manifest["machine"],
        "weights_identical": weights not in differing,
        "weights_sha256": {
            "shipped": manifest["files"][weights],
            "rebuilt": shipped.sha256(path / weights),
        },
        # organism.json always differs (its seconds and machine); any other file is news
        "files_differing": differing,
        "samples": args.samples,
    }
    result["shipped"] = suite(folder, args.samples)
    result["rebuilt"] = suite(path, args.samples)
    result["rebuilt_minus_shipped"] = differences(result["rebuilt"], result["shipped"])
    if args.keep:
        result["cache"] = str(cache)
    else:
        shutil.rmtree(cache, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
