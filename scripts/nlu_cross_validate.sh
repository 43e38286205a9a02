#!/usr/bin/env bash
# NLU cross-validation (a make target, not every run): 3 folds by default.
#   scripts/nlu_cross_validate.sh [folds] [config]
# Writes Rasa's reports to results/nlu_cv/ and prints intent accuracy/F1 and entity F1 per extractor.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
FOLDS="${1:-3}"
CONFIG="${2:-config.yml}"
OUT=results/nlu_cv
BOT=.venv/bot/bin
mkdir -p "$OUT"
test -f nlu_data/generated/jieba/userdict.txt || { echo "missing jieba user dictionary: run make vocab" >&2; exit 1; }
start=$(date +%s)
PYTHONPATH=. PYTHONWARNINGS=ignore "$BOT/rasa" test nlu --nlu nlu_data --config "$CONFIG" --cross-validation --folds "$FOLDS" --out "$OUT"
elapsed=$(( $(date +%s) - start ))
"$BOT/python" - "$OUT" "$FOLDS" "$elapsed" <<'PY' | tee "$OUT/summary.txt"
import json, pathlib, sys
out, folds, elapsed = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
print(f"NLU cross-validation, {folds} folds, {elapsed}s")
intent = json.loads((out / "intent_report.json").read_text())
print(f"intent accuracy {intent['accuracy']:.3f}  weighted F1 {intent['weighted avg']['f1-score']:.3f}")
for report in sorted(out.glob("*Extractor_report.json")) + sorted(out.glob("DIETClassifier_report.json")):
    data = json.loads(report.read_text())
    avg = data.get("micro avg") or data.get("weighted avg") or {}
    if avg:
        print(f"entities {report.stem.replace('_report', '')}: micro F1 {avg.get('f1-score', 0):.3f}")
PY
