#!/usr/bin/env bash
# Set up (if needed) and run the whole offline test suite, lint first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
