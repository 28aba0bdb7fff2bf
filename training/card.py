"""The model card written beside every checkpoint: what it is, what it was trained on, how it scores."""

from __future__ import annotations

import json
from pathlib import Path

from training.eval import BREAKDOWNS

ALIGNMENT = (
    "Stage 1 aligns at the **token level**: the adapter output goes through the frozen text encoder as input "
    "embeddings; (a) hidden states matched to the transcript's, (b) pooled vectors matched, (c) CTC over the text "
    "tower's word pieces. Pooled matching alone memorizes sentence vectors without learning to hear words; (a) and "
    "(c) force sound -> word pieces (docs/training.md)."
)


def data_summary(data: Path) -> dict:
    info = json.loads((data / "build.json").read_text()) if (data / "build.json").is_file() else {}
    seconds, voices, count, sentences = 0.0, set(), 0, {}
    manifest = data / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text().splitlines():
            record = json.loads(line)
            if record["split"] == "train":
                seconds += record["seconds"]
                voices.add(record["voice"])
                count += 1
                if record.get("kind") == "sentence":  # general English read aloud, per corpus
                    sentences[record["source"]] = sentences.get(record["source"], 0) + 1
    per_source = dict.fromkeys(info.get("sources", []), 0)  # what was drawn, extensions included
    passages = data / "passages.jsonl"
    if passages.is_file():
        for line in passages.read_text().splitlines():
            if line.strip():
                source = json.loads(line)["source"]
                per_source[source] = per_source.get(source, 0) + 1
    return {"sources": info.get("sources", []), "per_source": per_source, "utterances": count, "sentences": sentences,
            "hours": round(seconds / 3600, 2), "voices": len(voices), "dev_voices": info.get("dev_voices", [])}


STAGE_LOSSES = {"stage1": ("ctc", "ctc_vocab", "ctc_temperature", "ctc_learn_temperature", "token_mse", "pooled_mse"),
                "stage2": ("infonce", "temperature", "hard_negatives", "hard_negative_pool", "cosent", "cosent_scale",
                           "classify", "class_temperature", "distill", "transcript_nce", "token_distill", "ctc_keep")}


def stage1_losses(config) -> dict | None:
    """The stage 1 loss weights behind this checkpoint: this run's, or its init run's (config.yaml beside it)."""
    if config.stage == "stage1":
        return {k: getattr(config.loss, k) for k in ("ctc", "token_mse", "pooled_mse")}
    run_config = Path(config.init).parent / "config.yaml" if config.init else None
    if run_config is None or not run_config.is_file():
        return None
    import yaml

    loss = (yaml.safe_load(run_config.read_text()) or {}).get("loss", {})
    return {k: loss.get(k) for k in ("ctc", "token_mse", "pooled_mse")}


def alignment_used(weights: dict | None, init: str | None = None) -> str:
    if weights is None and init:  # e.g. a checkpoint folder copied out of its run
        return f"This checkpoint started from `{init}`; that run's stage 1 settings were not found beside it."
    if weights is None:
        return "This checkpoint started from fresh adapters: no stage 1."
    used = [name for name, key in (("(a) token-level hidden-state MSE", "token_mse"), ("(b) pooled MSE", "pooled_mse"),
                                   ("(c) CTC", "ctc")) if weights.get(key)]
    return f"This checkpoint's stage 1 used: {', '.join(used) or 'none of them'} (weights {json.dumps(weights)})."


def model_card(model, config, history: list[dict], data: Path, utterances: int, evals: dict | None = None,
               device: str | None = None) -> str:
    d = data_summary(data)
    last = history[-1] if history else {}
    m = model.config
    pieces = int(model.ctc_head.vocab_ids.numel()) or "all"
    dev_voices = d["dev_voices"]
    lines = [
        f"# SEAL checkpoint ({config.stage})",
        "",
        "Embeds a spoken English question straight from 16 kHz audio into the text tower's vector space, where "
        "passages are searched by their text vectors: no transcript on the way.",
        "",
        "## Model",
        f"- speech encoder: Whisper `{m.whisper_model}` "
        + (f"(frozen except the top {m.train_encoder_layers} layer(s))" if m.train_encoder_layers else "(frozen)"),
        f"- text tower: `{m.text_model}` (frozen; passages)"
        + (f"; the speech side reads with its own copy, top {m.train_reader_layers} layer(s) fine-tuned"
           if m.train_reader_layers else ""),
        f"- adapter: Conv1D kernel {m.conv_kernel} stride {m.conv_stride}"
        + (f" -> {m.adapter_layers} transformer layer(s)" if getattr(m, "adapter_layers", 0) else "")
        + " -> MLP -> "
        + (f"CTC compression (one soft word piece per piece heard, over {pieces} pieces"
           + (", learned prior" if getattr(m, "ctc_bias", False) else "")
           + (f", blank penalty {m.ctc_blank_penalty:g} when serving" if getattr(m, "ctc_blank_penalty", 0) else "")
           + ") -> " if m.ctc_compress else "")
        + ("the text transformer" if m.through_text_encoder else "pooling directly") + " -> mean pooling -> shared scaling",
        "",
        "## Use",
        "```python",
        "from models.seal import SealModel",
        "seal = SealModel.from_pretrained(\"path/to/this/folder\")  # the server: SEAL_CHECKPOINT=path/to/this/folder",
        "vectors = seal.embed_audio([waveform_16k])                 # float32, L2-normalized",
        "```",
        "",
        "## Training",
        f"- {ALIGNMENT} {alignment_used(stage1_losses(config), config.init)}",
        f"- data: {d['utterances']:,} training utterances ({d['hours']} h of synthesized speech, {d['voices']} voices), "
        f"this run used {utterances:,}; passages per source: "
        + (", ".join(f"{k} {v:,}" for k, v in d["per_source"].items() if v) or "unknown")
        + ("; general English sentences: " + ", ".join(f"{k} {v:,}" for k, v in d["sentences"].items()) if d["sentences"] else ""),
        f"- dev voices (never trained on): {len(dev_voices)} ({', '.join(sorted({v.split('+')[0] for v in dev_voices}))})",
        "- never used (reserved for independent evaluation): flite slt and rms, festival us-slt-hts, Piper voices; "
        "the Python docs, Debian's FAQ and reference manuals",
        f"- run: `{config.out}` (config.yaml beside it), init {config.init or 'fresh adapters'}; {last.get('step', 0)} steps "
        f"of {config.optim.batch_size} x {config.optim.grad_accum}, lr {config.optim.lr}, {device or config.device}, "
        f"{last.get('seconds', 0)} s in the last session",
        f"- loss weights: {json.dumps({k: getattr(config.loss, k) for k in STAGE_LOSSES[config.stage]})}",
        "",
        "## Dev evaluation",
    ]
    if evals:
        lines += evals_note(evals) + eval_table(evals) + family_table(evals)
    else:
        lines.append("Not measured yet: `training/eval_devsets.sh CHECKPOINT NAME`, then `seal train card CHECKPOINT "
                     "--eval everyday=... --eval faq=... --eval template=... --main faq`.")
    lines += ["", "## Reproduce",
              "`training/full_run.sh` from a clean checkout after `make install` (docs/training.md: each step, its time on "
              "2 cores); every run and what it measured: docs/experiments.md.",
              "", "## Known limits",
              "- trained on synthesized speech only (espeak-ng, flite, festival); real voices and microphones differ",
              "- English only; Whisper's own decoder (the ASR pipeline) still hears unseen voices and rare words better: "
              "see the per-family table", ""]
    return "\n".join(lines)


def eval_table(evals: dict) -> list[str]:
    lines = ["| dev set | pipeline | Top-1 | Top-3 | Top-10 | MRR | n | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|---|---|"]
    for run_name, report in evals.items():
        for name, r in report.items():
            if name in BREAKDOWNS:
                continue
            lines.append(f"| {run_name} | {name} | {r['top1']:.3f} | {r['top3']:.3f} | {r['top10']:.3f} | {r['mrr']:.3f} "
                         f"| {r['n']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} |")
    return lines


def family_table(evals: dict) -> list[str]:
    """Top-1 per voice family and dev set: where the speech side hears worse than Whisper's decoder."""
    rows = []
    for run_name, report in evals.items():
        for family, per in report.get("by_family", {}).items():
            seal, asr = per.get("seal"), per.get("asr")
            if seal and asr:
                rows.append(f"| {run_name} | {family} | {seal['top1']:.3f} | {asr['top1']:.3f} "
                            f"| {seal['top1'] - asr['top1']:+.3f} | {seal['n']} |")
    if not rows:
        return []
    return ["", "Top-1 per voice family (SEAL - ASR: the gap, in points of Top-1):", "",
            "| dev set | voice family | SEAL | ASR | SEAL - ASR | n |", "|---|---|---|---|---|---|", *rows]


def evals_note(evals: dict) -> list[str]:
    notes = []
    for run_name, report in evals.items():
        meta = report.get("meta", {})
        voices = meta.get("voices", [])
        n = next((r["n"] for k, r in report.items() if k not in BREAKDOWNS), "?")
        notes.append(f"- {run_name}: {meta.get('passages', '?')} passages, {n} spoken questions (`{meta.get('queries', '?')}`), "
                     f"{len(voices)} voice(s) ({', '.join(voices[:6])}{', ...' if len(voices) > 6 else ''}); "
                     f"{meta.get('processor', '')} {meta.get('created', '')}")
    return ["Measured by `seal eval` (one run per dev set, all pipelines on the same utterances; latency: end of "
            "utterance -> hits):", "", *notes, ""]


def serving_note(checkpoint: Path) -> list[str]:
    """What the checkpoint's config changes at serving time, which the figures below depend on."""
    config = json.loads((checkpoint / "config.json").read_text()) if (checkpoint / "config.json").is_file() else {}
    penalty = config.get("ctc_blank_penalty") or 0
    if not penalty:
        return []
    return [f"Served with a CTC blank penalty of {penalty:g} (`ctc_blank_penalty` in config.json, chosen on the "
            "everyday set; docs/models.md).", ""]


def update_card_evals(checkpoint: Path, evals: dict, main: str | None = None) -> None:
    """Replace the card's "Dev evaluation" section with the given `seal eval` reports; ``main`` (default:
    the first) is recorded in config.json, where the server reads whose passages answers use."""
    card = checkpoint / "README.md"
    if not card.is_file():
        raise FileNotFoundError(f"{card}: no model card; is {checkpoint} a checkpoint from `seal train`?")
    if main is not None and main not in evals:
        raise ValueError(f"--main {main!r} is not one of the reports given ({', '.join(evals) or 'none'})")
    text = card.read_text()
    head, sep, rest = text.partition("## Dev evaluation\n")
    tail = rest[rest.find("\n## "):] if "\n## " in rest else "\n"
    body = "\n".join(evals_note(evals) + serving_note(checkpoint) + eval_table(evals) + family_table(evals)) + "\n"
    card.write_text((head if sep else text + "\n") + "## Dev evaluation\n" + body + tail)
    record_dev_eval(checkpoint, evals[main] if main else next(iter(evals.values()), None), main)


def record_dev_eval(checkpoint: Path, report: dict | None, name: str | None = None) -> None:
    """Keep the main report's headline numbers in config.json, where the server reads them: while SEAL
    scores below ASR + text, the page says so (``seal_behind_asr``, app/session.py)."""
    config_path = checkpoint / "config.json"
    if report is None or not config_path.is_file():
        return
    config = json.loads(config_path.read_text())
    keys = ("top1", "top3", "top10", "mrr", "n", "p50_ms")
    config.setdefault("notes", {})["dev_eval"] = {
        name: {k: r[k] for k in keys if k in r} for name, r in report.items() if name not in BREAKDOWNS
    } | {"passages": report.get("meta", {}).get("passages"), "created": report.get("meta", {}).get("created"),
         "dev_set": name}
    config_path.write_text(json.dumps(config, indent=2) + "\n")
