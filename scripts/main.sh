#!/usr/bin/env bash
# Set up (if needed) and run the main job on the built-in default: the honeypot suite on the
# model organism (built on first use, ~7 minutes on 2 CPU cores; cached afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/whyalign eval --model organism --split all --samples 5 --out runs/main "$@"
