#!/usr/bin/env bash
# Set up (if needed) and run the main job on the built-in default: the built-in study
# (`whyalign demo`) on the model organism, offline. It installs the organism's shipped weights
# on first use, then trains and evaluates every arm x seed (about 12 minutes on 2 CPU cores);
# a second run is a cache hit. The report lands in runs/demo/report/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/whyalign demo --out runs/demo "$@"
