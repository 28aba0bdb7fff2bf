"""Real synthesized speech for tests: espeak-ng, flite and festival through their command lines."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from models.audio import load_audio


def synthesize(text: str, voice: str = "espeak:en-us", speed: int | None = None) -> np.ndarray:
    """Speak ``text`` with ``engine:voice`` and return float32 mono 16 kHz audio."""
    engine, _, name = voice.partition(":")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        if engine == "espeak":
            cmd = ["espeak-ng", "-v", name or "en-us", "-w", str(wav)]
            if speed:
                cmd += ["-s", str(speed)]
            subprocess.run(cmd + [text], check=True, capture_output=True)
        elif engine == "flite":
            subprocess.run(["flite", "-voice", name or "kal", "-t", text, "-o", str(wav)], check=True, capture_output=True)
        elif engine == "festival":
            txt = Path(tmp) / "text.txt"
            txt.write_text(text)
            cmd = ["text2wave", str(txt), "-o", str(wav)]
            if name:
                cmd += ["-eval", f"(voice_{name})"]
            subprocess.run(cmd, check=True, capture_output=True)
        else:
            raise ValueError(f"unknown TTS engine {engine!r}")
        return load_audio(wav)


def trim(audio: np.ndarray, rel_db: float = -40.0) -> np.ndarray:
    """``audio`` without the engine's own leading and trailing silence (10 ms steps ``rel_db`` under the loudest)."""
    step = 160
    n = audio.size // step
    energy = np.sqrt((audio[: n * step].reshape(n, step) ** 2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(energy / energy.max()) > rel_db)
    return audio[loud[0] * step : (loud[-1] + 1) * step]


def have(engine: str) -> bool:
    return shutil.which({"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave"}[engine]) is not None
