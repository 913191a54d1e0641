#!/usr/bin/env bash
# Pack what whyalign needs beyond an offline GPU image that already has torch, numpy,
# pandas, pyarrow and the like (Python 3.12, x86-64), as one zip to carry there:
#
#   bash benchmarks/gpu_offline_site.sh OUT.zip            # here, where PyPI is reachable
#   python3 -m zipfile -e OUT.zip /tmp/site                # there
#   pip install --no-deps --no-index --no-build-isolation --target /tmp/wa .
#   PYTHONPATH=/tmp/wa:/tmp/site bash benchmarks/organism_gpu.sh
#
# The versions are this checkout's (its .venv), so both machines run the same libraries. Left
# out, because the eval never imports them: boto3, aiobotocore, s3fs, s3transfer, debugpy, and
# Inspect's viewer assets and sandbox binaries (checked: an eval runs without them).
set -euo pipefail
out=$(realpath -m "${1:?usage: gpu_offline_site.sh OUT.zip}")
cd "$(dirname "$0")/.."
pkgs="transformers tokenizers accelerate peft huggingface-hub httpx2 httpcore2 truststore kernels
tomlkit fsspec trl datasets dill multiprocess inspect-ai agent-client-protocol aioitertools
annotated-types beautifulsoup4 soupsieve docstring-parser ijson jsonlines jsonpatch jsonpointer
jsonpath-ng jsonref jsonschema jsonschema-specifications referencing rpds-py mdit-py-plugins
mmh3 nest-asyncio2 opentelemetry-api pathlib-abc platformdirs pydantic pydantic-core
typing-inspection python-dotenv semver shortuuid sniffio tenacity textual universal-pathlib
zipfile-zstd zstandard botocore jmespath fastapi starlette uvicorn typer rich httpx anyio click"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wheels=(--only-binary=:all: --python-version 3.12 --implementation cp
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
# Every pin in one interpreter and one pip call: a process per package cost a minute of start-up.
# shellcheck disable=SC2086
pins=$(.venv/bin/python -c 'import sys, importlib.metadata as m
print(" ".join(f"{p}=={m.version(p)}" for p in sys.argv[1:]))' $pkgs)
# shellcheck disable=SC2086
python3 -m pip download -q --no-deps "${wheels[@]}" -d "$tmp/whl" $pins
python3 -m pip install -q --no-index --no-deps --no-compile --target "$tmp/site" "${wheels[@]}" \
  "$tmp"/whl/*.whl
cd "$tmp/site"
rm -rf inspect_ai/binaries inspect_ai/_view/www inspect_ai/_view/dist botocore/data/* \
  zstandard/_cffi*.so
find . -name __pycache__ -prune -exec rm -rf {} +
rm -f "$out"
zip -q -r -9 "$out" .
ls -l "$out"
