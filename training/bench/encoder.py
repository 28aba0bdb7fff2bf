"""Whisper encoder time on one utterance: padded to 30 s (the standard HF path) vs real frames only.

    python -m training.bench.encoder --seconds 4 --runs 15 --threads 2

The padded path is what ``transformers`` does by default: the feature extractor pads the audio to
30 s and ``WhisperEncoder.forward`` runs on all 3000 mel frames. The real-frame path is SEAL's
``SpeechEncoder`` (models/speech_encoder.py). Both time the encoder only, after warm-up runs, and
report the median and spread in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from models.audio import SAMPLE_RATE
from training.bench.machine import cpu_model, load_average
from training.bench.stats import median_spread

SENTENCE = "Which package provides the command line tool that converts images between formats on this system?"


def speech(seconds: float, audio: Path | None) -> np.ndarray:
    """A real utterance cut or zero-padded to ``seconds``: the given file, else espeak-ng speech."""
    from models.audio import load_audio

    if audio is None:
        if not shutil.which("espeak-ng"):
            raise SystemExit("espeak-ng is needed to synthesize the test utterance; or pass --audio FILE.wav")
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "q.wav"
            subprocess.run(["espeak-ng", "-w", str(wav), SENTENCE], check=True, capture_output=True)
            signal = load_audio(wav)
    else:
        signal = load_audio(audio, max_seconds=None)
    n = int(seconds * SAMPLE_RATE)
    return np.pad(signal[:n], (0, max(0, n - len(signal)))).astype(np.float32)


def timed_alternating(fns: dict, runs: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per call; the paths take turns so a load spike on a shared CPU hits both alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1e3)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny.en", help="Whisper model (short name, HF folder or id)")
    parser.add_argument("--seconds", type=float, default=4.0, help="utterance length")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--audio", type=Path, default=None, help="a speech file instead of espeak-ng")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()

    from transformers import WhisperFeatureExtractor

    from models.speech_encoder import SpeechEncoder
    from models.weights import resolve_whisper_hf

    torch.set_num_threads(args.threads)
    audio = speech(args.seconds, args.audio)
    path = resolve_whisper_hf(args.model)
    encoder = SpeechEncoder.from_pretrained(path).eval()
    padded = WhisperFeatureExtractor.from_pretrained(str(path))(audio, sampling_rate=SAMPLE_RATE, return_tensors="pt").input_features
    mel, lengths = encoder.features([audio])

    with torch.inference_mode():
        padded_out = encoder.encoder(padded).last_hidden_state
        real_out, _ = encoder(mel, lengths)
        times = timed_alternating(
            {"padded_30s": lambda: encoder.encoder(padded), "real_frames": lambda: encoder(mel, lengths)}, args.runs, args.warmup
        )

    result = {
        "model": args.model,
        "utterance_s": args.seconds,
        "threads": args.threads,
        "runs": args.runs,
        "cpu": cpu_model(),
        "torch": torch.__version__,
        "load_average_1min": load_average()[0],
        "padded_30s": {"frames": int(padded.shape[-1]), "positions": int(padded_out.shape[1]), **median_spread(times["padded_30s"])},
        "real_frames": {"frames": int(mel.shape[-1]), "positions": int(real_out.shape[1]), **median_spread(times["real_frames"])},
        "speedup_median": round(statistics.median(times["padded_30s"]) / statistics.median(times["real_frames"]), 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"Whisper {args.model} encoder, {args.seconds:g} s utterance, {args.threads} threads, median of {args.runs} runs")
    for name in ("padded_30s", "real_frames"):
        r = result[name]
        print(f"  {name:12s} {r['frames']:5d} mel frames -> {r['positions']:4d} positions: {r['median_ms']:8.1f} ms (min {r['min_ms']}, max {r['max_ms']})")
    print(f"  speed-up (medians): {result['speedup_median']}x; 1-min load average {result['load_average_1min']} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
