#!/usr/bin/env bash
# Evaluate one checkpoint on every pinned dev set: seal, asr and text in one `seal eval` run each.
#   training/eval_devsets.sh [CHECKPOINT] [NAME]      (default: the shipped checkpoint, name "shipped")
# Writes artifacts/reports/NAME/{everyday,faq,template}.json (+ .png and per-query .jsonl beside each).
#   everyday: the demo knowledge base and 136 everyday questions (training/devsets/everyday.jsonl), in
#             five voices: three the speech side trained on, two held out;
#   faq:      human-written questions of Perl's and SQLite's FAQs over all six FAQs' answers and
#             3,000 distractors (training/devsets/faq-dev.jsonl, rebuilt from the installed packages);
#   template: the build's pinned template dev set (training/dev-set.jsonl), held-out voices and passages.
# Voices reserved for independent evaluation (flite slt/rms, festival us-slt-hts, Piper) are never used.
set -euo pipefail
cd "$(dirname "$0")/.."
SEAL=${SEAL:-.venv/bin/seal}
CHECKPOINT=${1:-models/checkpoints/seal-tiny-en-minilm}
NAME=${2:-shipped}
DATA=${DATA:-artifacts/train-data}
OUT=${OUT:-artifacts/reports/$NAME}
PIPELINES=${PIPELINES:-seal,asr,text}
mkdir -p "$OUT"
common=(--checkpoint "$CHECKPOINT" --pipelines "$PIPELINES")

$SEAL eval --kb data/demo/kb.jsonl --queries training/devsets/everyday.jsonl "${common[@]}" \
  --voice espeak:en-us --voice flite:kal --voice flite:awb --voice festival:ked_diphone --voice espeak:en-gb-scotland+m4 \
  --out "$OUT/everyday.json"

if [ -f training/devsets/faq-dev.jsonl ]; then
  FAQ=${FAQ:-artifacts/devsets/faq}
  [ -f "$FAQ/queries.jsonl" ] || $SEAL data faq-dev --out "$FAQ"
  $SEAL eval --kb "$FAQ/kb.jsonl" --queries "$FAQ/queries.jsonl" "${common[@]}" \
    --voice festival:ked_diphone --voice espeak:en-gb-scotland+m4 --out "$OUT/faq.json"
fi

if [ -f "$DATA/dev/queries.jsonl" ]; then
  $SEAL eval --kb "$DATA/dev/kb.jsonl" --queries "$DATA/dev/queries.jsonl" "${common[@]}" --out "$OUT/template.json"
else
  echo "no $DATA/dev/queries.jsonl: make the template dev set with training/full_run.sh's data step first" >&2
fi
echo "reports in $OUT"
