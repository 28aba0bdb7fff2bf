"""Voices as ``engine:name`` strings, and speaking text with them (espeak-ng, flite, festival).

Training and dev voices are disjoint (different espeak accents *and* variants, a different flite
speaker), and the speakers reserved for independent evaluation (flite ``slt``/``rms``, festival
``us-slt-hts``) are refused for training and dev.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.audio import load_audio

RESERVED_SPEAKERS = {"slt", "rms", "us-slt-hts", "cmu_us_slt_arctic_hts", "us_slt_hts"}

TRAIN_ACCENTS = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan", "en-us-nyc"]
TRAIN_VARIANTS = ["", "m1", "m2", "m3", "m5", "m7", "f1", "f2", "f4", "klatt", "klatt3", "Andy", "Annie",
                  "aunty", "benjamin", "david", "edward", "Lee", "linda", "max", "paul", "rob", "steph", "travis"]
DEV_ACCENTS = ["en-gb-scotland", "en-029", "en-gb-x-gbcwmd"]
DEV_VARIANTS = ["m4", "m6", "f3", "f5", "john", "belinda", "Alicia", "klatt2"]
TRAIN_OTHER = ["flite:kal", "flite:kal16", "festival:kal_diphone"]
DEV_OTHER = ["flite:awb"]


def train_voices() -> list[str]:
    espeak = [f"espeak:{a}+{v}" if v else f"espeak:{a}" for a in TRAIN_ACCENTS for v in TRAIN_VARIANTS]
    return espeak + TRAIN_OTHER


def dev_voices() -> list[str]:
    return [f"espeak:{a}+{v}" for a in DEV_ACCENTS for v in DEV_VARIANTS] + DEV_OTHER


def is_reserved(voice: str) -> bool:
    return voice.partition(":")[2].split("+")[0] in RESERVED_SPEAKERS


@dataclass
class Prosody:
    """Speaking rate and pitch relative to the voice's default (1.0 = unchanged)."""

    rate: float = 1.0
    pitch: float = 1.0

    @classmethod
    def random(cls, rng: random.Random) -> "Prosody":
        return cls(rate=round(rng.uniform(0.8, 1.25), 3), pitch=round(rng.uniform(0.85, 1.15), 3))


class SynthesisError(RuntimeError):
    pass


def speak(text: str, voice: str, prosody: Prosody | None = None) -> np.ndarray:
    """Float32 mono 16 kHz audio of ``text`` spoken by ``voice`` (``engine:name``)."""
    prosody = prosody or Prosody()
    engine, _, name = voice.partition(":")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        if engine == "espeak":
            cmd = ["espeak-ng", "-v", name or "en-us", "-s", str(int(175 * prosody.rate)),
                   "-p", str(int(np.clip(50 * prosody.pitch, 0, 99))), "-w", str(wav), "--", text]
        elif engine == "flite":
            cmd = ["flite", "-voice", name or "kal", "--setf", f"duration_stretch={1 / prosody.rate:.3f}",
                   "--setf", f"int_f0_target_mean={int(100 * prosody.pitch)}", "-t", text, "-o", str(wav)]
        elif engine == "festival":
            script = Path(tmp) / "text.txt"
            script.write_text(text)
            cmd = ["text2wave", str(script), "-o", str(wav), "-eval", f"(voice_{name or 'kal_diphone'})",
                   "-eval", f"(Parameter.set 'Duration_Stretch {1 / prosody.rate:.3f})"]
        else:
            raise SynthesisError(f"unknown TTS engine {engine!r} in voice {voice!r}; use espeak:, flite: or festival:")
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except FileNotFoundError:
            raise SynthesisError(f"{cmd[0]} is not installed; run scripts/install-system-deps.sh") from None
        except subprocess.CalledProcessError as exc:
            raise SynthesisError(f"{voice} failed on {text[:40]!r}: {exc.stderr.decode(errors='replace')[:200]}") from None
        audio = load_audio(wav, max_seconds=None)
    if engine == "festival" and prosody.pitch != 1.0:
        audio = _tape_pitch(audio, prosody.pitch)
    return audio


def _tape_pitch(audio: np.ndarray, factor: float) -> np.ndarray:
    """Pitch shift by resampling (also changes the tempo a little, like a tape played faster)."""
    import soxr

    return soxr.resample(audio, 16_000, int(16_000 / factor)).astype(np.float32)
