#!/usr/bin/env bash
# The organism on a GPU: the `base` preset's pretraining throughput against a plain loop
# (organism_build.py), its cold build, and its suite numbers, in one run that fits a short
# lease. Needs whyalign importable with its dependencies (on an offline image that has torch
# but not the rest: benchmarks/gpu_offline_site.sh); writes what it measured to OUT.
#
#   OUT=results/gpu bash benchmarks/organism_gpu.sh
#
# Each step has its own time limit (BENCH_S, BUILD_S, EVAL_S seconds) so that a slow step
# leaves the others their share; a build cut short resumes from its last finished step.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export WHYALIGN_CACHE=${WHYALIGN_CACHE:-/tmp/whyalign-gpu-cache}
PRESET=${PRESET:-base}
WA="python3 -m whyalign.cli"
T0=$(date +%s)
python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name(0))" | tee "$OUT/env.txt"
timeout "${BENCH_S:-60}" python3 benchmarks/organism_build.py --preset "$PRESET" --steps 30 \
  2>&1 | tail -20 | tee "$OUT/bench.txt"
B0=$(date +%s)
timeout "${BUILD_S:-300}" $WA organism build --preset "$PRESET" --seed 0 2>&1 \
  | grep -v "it/s\]\|s/it\]" | tail -40 | tee "$OUT/build.log"
echo "build wall $(( $(date +%s) - B0 )) s" | tee -a "$OUT/build.log"
M=$(ls -d "$WHYALIGN_CACHE"/organism/"$PRESET"-s0-*/model 2>/dev/null | head -1)
if [ -n "$M" ] && [ -f "$M/organism.json" ]; then
  cp "$M/organism.json" "$OUT/"
  E0=$(date +%s)
  timeout "${EVAL_S:-170}" $WA eval --model hf/local -M model_path="$M" --renderer compact \
    --split all --samples "${SAMPLES:-10}" --out "$OUT/eval" 2>&1 | tail -25 | tee "$OUT/eval.log"
  echo "eval wall $(( $(date +%s) - E0 )) s" | tee -a "$OUT/eval.log"
fi
echo "total $(( $(date +%s) - T0 )) s"
