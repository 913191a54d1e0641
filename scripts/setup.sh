#!/usr/bin/env bash
# Create .venv and install whyalign with its test tools. Idempotent; safe to re-run.
# torch is pinned to the CPU wheel (torch==2.13.0); a looser pin pulls gigabytes of CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import whyalign, torch; assert torch.__version__.startswith('2.13.0')"
