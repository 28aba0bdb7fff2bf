#!/usr/bin/env bash
# The CPU training run behind the shipped checkpoint, data to model card, in one command.
# Every step resumes where it stopped, so after an interruption run the same command again.
#   training/full_run.sh              # data, stage 1 (two parts), stage 2, the three dev sets, model card
#   TEMPLATE=1 training/full_run.sh   # the 2026-11-28 template-only recipe instead (training/template_run.sh)
# Times are for 2 cores; `--workers` of the data steps can go up to the number of cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TEMPLATE:-0}" = 1 ]; then exec training/template_run.sh; fi
SEAL=${SEAL:-.venv/bin/seal}
DATA=${DATA:-artifacts/train-data}
RUNS=${RUNS:-artifacts/runs}
REPORTS=${REPORTS:-artifacts/reports}
WORKERS=${WORKERS:-2}
mkdir -p "$REPORTS" "$RUNS"

$SEAL data sources
# 1. Data (~65,000 utterances, ~55 h of speech; ~3 h of synthesis with 6 workers). The template
#    questions over Debian, WordNet, GCIDE and man pages as before, plus general English: dictionary
#    example sentences and glosses, fortunes, the dict-* databases, read aloud by the training voices,
#    each also through one sox speaker/channel transform (VTLP, pitch, telephone band, codecs). The
#    template dev set stays pinned (training/dev-set.jsonl); no sentence that shares a 4-gram with a
#    pinned dev question (everyday, FAQ or template) is trained on.
$SEAL data build --out "$DATA" --per-source 3000 --questions 1 --read-fraction 0.4 \
  --dev-per-source 500 --dev-queries 300 --dev-set training/dev-set.jsonl \
  --corpus wordnet-examples=18000 --corpus fortunes=8000 --corpus wordnet-glosses=6000 --corpus dictionaries=3000 \
  --transforms 1 --workers "$WORKERS"
#    everyday questions and sentences (town services, health, travel, food, science, how-to), then
#    the training FAQs (R, git, FFmpeg, curl: passages and spoken questions; Perl's and SQLite's are dev)
$SEAL data extend --out "$DATA" --corpus everyday=15000 --workers "$WORKERS"
$SEAL data extend --out "$DATA" --faq --workers "$WORKERS"

# 2. Stage 1 starts from the 2026-11-28 template checkpoint, taken from git history (its spelling of
#    the template sources is kept); CTC over every word piece of the text tower.
init="$RUNS/seal-2026-11-28"
if [ ! -f "$init/model.safetensors" ]; then
  mkdir -p "$init"
  git archive 5532dbd models/checkpoints/seal-tiny-en-minilm | tar -x -C "$init" --strip-components=3
fi
$SEAL train stage1 -c training/configs/stage1-general.yaml --data "$DATA"     # 1,000 steps, ~25 min
$SEAL train stage1 -c training/configs/stage1-general-b.yaml --data "$DATA"   # 3,000 steps, ~67 min

# 3. Stage 2: retrieval losses on the template questions, the text tower's behaviour kept on every
#    transcript (pooled vector, rank among the batch's transcripts, hidden states); 1,000 steps, ~70 min.
$SEAL train stage2 -c training/configs/stage2-general.yaml --data "$DATA"

# 3b. The CTC blank penalty it serves with (subtracted from the blank's score when frames become word
#     pieces; docs/models.md): the best everyday SEAL Top-1 of a few values, written into config.json.
checkpoint="$RUNS/stage2-general/checkpoint"
for p in 0 1 2 3; do
  SEAL_CTC_BLANK_PENALTY=$p $SEAL eval --kb data/demo/kb.jsonl --queries training/devsets/everyday.jsonl \
    --pipelines seal --checkpoint "$checkpoint" --voice espeak:en-us --voice flite:kal --voice flite:awb \
    --voice festival:ked_diphone --voice espeak:en-gb-scotland+m4 --out "$REPORTS/blank-$p/everyday.json"
done
${PYTHON:-.venv/bin/python} - "$checkpoint" "$REPORTS" <<'PY'
import json, sys
from pathlib import Path

checkpoint, reports = Path(sys.argv[1]), Path(sys.argv[2])
top1 = {p: json.loads((reports / f"blank-{p}" / "everyday.json").read_text())["seal"]["top1"] for p in (0, 1, 2, 3)}
best = max(top1, key=top1.get)
config = json.loads((checkpoint / "config.json").read_text())
config["ctc_blank_penalty"] = float(best)
(checkpoint / "config.json").write_text(json.dumps(config, indent=2) + "\n")
print(f"ctc_blank_penalty {best}: everyday SEAL Top-1 by penalty {top1}")
PY

# 4. The three pinned dev sets, SEAL, ASR, fused and text in one `seal eval` run each, then the card
#    (config.json records the FAQ set: answer_from auto reads ASR's passages while fused trails there).
PIPELINES=seal,asr,fused,text OUT="$REPORTS/general" DATA="$DATA" training/eval_devsets.sh "$checkpoint" general
$SEAL train card "$checkpoint" --eval "everyday=$REPORTS/general/everyday.json" \
  --eval "faq=$REPORTS/general/faq.json" --eval "template=$REPORTS/general/template.json" --main faq
echo "Checkpoint: $checkpoint. Ship it with:"
echo "  rm -rf models/checkpoints/seal-tiny-en-minilm && cp -r $checkpoint models/checkpoints/seal-tiny-en-minilm"
