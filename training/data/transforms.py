"""New speakers and channels from the voices we have: what a handful of TTS engines cannot give.

A dozen TTS voice families are all the training voices there are; people differ from them in vocal
tract length, pitch and the line they speak through. Two transforms (sox, applied to training
utterances only, each with its parameters recorded in the manifest) move a synthesized voice
towards a new speaker before the room and noise augmentation (``augment.py``):

- ``speaker``: vocal-tract length perturbation (resample by ``alpha``, which scales every formant,
  then shift the pitch back so only the formants move) and an independent pitch shift;
- ``channel``: a telephone line (8 kHz, 300-3400 Hz) raw or through the GSM or mu-law codec, or a
  low-bitrate MP3 or Ogg Vorbis round trip.
"""

from __future__ import annotations

import math
import random
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from models.audio import SAMPLE_RATE
CHANNELS = ("telephone", "gsm", "mulaw", "mp3", "ogg")


class TransformError(RuntimeError):
    pass


def _sox(audio: np.ndarray, effects: list[str], encode: tuple[str, list[str]] | None = None) -> np.ndarray:
    """Run ``audio`` through sox ``effects``; ``encode`` = (file suffix, sox output options) round-trips a codec."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        sf.write(src, audio, SAMPLE_RATE, subtype="FLOAT")
        steps = [["sox", str(src), str(out), *effects]]
        if encode is not None:
            coded = Path(tmp) / f"coded.{encode[0]}"
            steps = [["sox", str(src), *encode[1], str(coded), *effects], ["sox", str(coded), "-r", str(SAMPLE_RATE), str(out)]]
        for cmd in steps:
            try:
                subprocess.run(cmd, check=True, capture_output=True, timeout=60)
            except FileNotFoundError:
                raise TransformError("sox is not installed; run scripts/install-system-deps.sh (apt-get install sox libsox-fmt-all)") from None
            except subprocess.CalledProcessError as exc:
                raise TransformError(f"sox {' '.join(cmd[3:])}: {exc.stderr.decode(errors='replace')[:200]}") from None
        result, rate = sf.read(out, dtype="float32")
    if rate != SAMPLE_RATE:
        raise TransformError(f"sox returned {rate} Hz audio, expected {SAMPLE_RATE}")
    return result


def speaker(audio: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    """Formants scaled by ``alpha`` (0.86-1.16) at the voice's own pitch, plus a pitch shift of +-4 semitones."""
    alpha = round(rng.uniform(0.86, 1.16), 3)
    semitones = round(rng.uniform(-4.0, 4.0), 2)
    cents = round(100 * semitones - 1200 * math.log2(alpha))
    effects = ["speed", str(alpha), "rate", str(SAMPLE_RATE), "pitch", str(cents), "rate", str(SAMPLE_RATE)]
    return _sox(audio, effects), {"vtlp": alpha, "pitch_semitones": semitones}


def channel(audio: np.ndarray, rng: random.Random) -> tuple[np.ndarray, dict]:
    kind = rng.choice(CHANNELS)
    band = ["sinc", "300-3400"]
    if kind == "telephone":
        out = _sox(audio, ["rate", "8000", *band, "rate", str(SAMPLE_RATE)])
    elif kind == "gsm":
        out = _sox(audio, [], encode=("gsm", ["-r", "8000"]))
    elif kind == "mulaw":
        out = _sox(audio, [], encode=("wav", ["-r", "8000", "-e", "mu-law"]))
    elif kind == "mp3":
        out = _sox(audio, [], encode=("mp3", ["-C", str(rng.choice([16, 24, 32]))]))
    else:
        out = _sox(audio, [], encode=("ogg", ["-C", str(rng.choice([-1, 0, 1]))]))
    return out.astype(np.float32), {"channel": kind}


def transform(audio: np.ndarray, rng: random.Random, strength: float = 1.0) -> tuple[np.ndarray, dict]:
    """A new speaker with probability 0.6 x strength, a new channel with 0.3 x strength."""
    params: dict = {}
    if rng.random() < 0.6 * strength:
        audio, made = speaker(audio, rng)
        params |= made
    if rng.random() < 0.3 * strength:
        audio, made = channel(audio, rng)
        params |= made
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 1.0:  # a resampling overshoot must not clip
        audio = audio / peak
    return audio.astype(np.float32), params
