#!/usr/bin/env bash
# Prints the path of a shipped region's Rasa model, training it only when its inputs changed:
#   scripts/region-model.sh <region code>     (e.g. 450600; 511602, the default region, is scripts/train.sh)
# The region's vocabulary, config and model live apart (var/region_<code>/, models/wyc-<code>-<hash>.tar.gz),
# so the default region's committed generated files are never rewritten. Its catalog must be loaded
# (`WYC_REGION=<code> python -m catalog.cli load-default`, which scripts/run.sh does first).
# Used by scripts/run.sh (WYC_REGION) and scripts/test.sh (the region's end-to-end and browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
region=${1:?usage: scripts/region-model.sh <region code>}
APP=.venv/app/bin/python
generated="var/region_${region}"
mkdir -p "$generated"
WYC_REGION="$region" "$APP" -m catalog.export_vocab --out-dir "$generated/nlu" --vocab "$generated/catalog_vocab.json" >&2
sed -e "s#dictionary_path: nlu_data/generated/jieba#dictionary_path: ${generated}/nlu/jieba#" \
    -e "s#vocab_path: assistant/generated/catalog_vocab.json#vocab_path: ${generated}/catalog_vocab.json#" \
    config.yml >"$generated/config.yml"
grep -q "${generated}/catalog_vocab.json" "$generated/config.yml" \
  || { echo "error: config.yml's generated paths changed; update scripts/region-model.sh" >&2; exit 1; }
WYC_TRAIN_CONFIG="$generated/config.yml" WYC_TRAIN_GENERATED="$generated" WYC_TRAIN_PREFIX="wyc-${region}" \
  scripts/train.sh
