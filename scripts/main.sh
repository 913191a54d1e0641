#!/usr/bin/env bash
# Set up (if needed) and run the main job on the built-in default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/whyalign eval --model mockllm/model --split all --samples 2 --out runs/main "$@"
