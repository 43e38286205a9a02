#!/usr/bin/env bash
# Trains the Rasa model once per distinct training input and prints its path.
# The model is named after a hash of everything that shapes it (config, domain, stories, rules,
# NLU data, the catalog component's code and generated vocabulary), so `make run` and `make test`
# reuse it until one of those changes (this script included). Training is reproducible (below):
# the same inputs give a model that reads every message alike.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
# Another region (scripts/run.sh with WYC_REGION) trains from its own config and generated vocabulary
# under var/region_<code>/, so the default region's committed generated files are never rewritten.
config=${WYC_TRAIN_CONFIG:-config.yml}
generated=${WYC_TRAIN_GENERATED:-assistant/generated}
prefix=${WYC_TRAIN_PREFIX:-wyc}
inputs=("$config" assistant/domain assistant/data nlu_data assistant/components "$generated" requirements/bot.lock scripts/train.sh)
hash=$(find "${inputs[@]}" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 2>/dev/null \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
model="models/${prefix}-${hash}.tar.gz"
if [ -f "$model" ]; then
  echo "reusing $model" >&2
else
  mkdir -p models var
  echo "training $model (seeded; this takes a few minutes on 2 cores)" >&2
  start=$(date +%s)
  # Reproducible training: DIET is seeded in config.yml, but TensorFlow's oneDNN kernels sum in an
  # order that varies between runs (two models read 23 of 211 long-tail messages with another intent);
  # without them, with deterministic ops and a fixed hash seed, two trainings read all 211 alike.
  TF_ENABLE_ONEDNN_OPTS=0 TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 \
  PYTHONPATH=. .venv/bot/bin/rasa train --domain assistant/domain --data nlu_data assistant/data \
    --config "$config" --out models --fixed-model-name "${prefix}-${hash}" >var/train.log 2>&1 \
    || { tail -n 60 var/train.log >&2; echo "training failed; full log in var/train.log" >&2; exit 1; }
  echo "trained in $(( $(date +%s) - start ))s: $model ($(du -h "$model" | cut -f1))" >&2
  echo "$(date -u +%FT%TZ) train_seconds=$(( $(date +%s) - start )) model=$model size=$(du -b "$model" | cut -f1)" >>var/train-times.log
fi
echo "$model"
