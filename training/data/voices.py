"""Voices as ``engine:name`` strings, and speaking text with them (espeak-ng, flite, festival).

Training and dev voices are disjoint (different espeak accents *and* variants, a different festival
speaker), and the speakers reserved for independent evaluation (flite ``slt``/``rms``, festival
``us-slt-hts``, every Piper voice) are refused for training and dev. Every other English voice
Debian's main archive offers trains: espeak-ng's accents and variants, flite's ``kal``, ``kal16``
and ``awb`` (its one statistical-parametric voice that is not reserved) and festival's ``kal``;
festival's ``ked`` diphone speaker is held out for the dev sets.
"""

from __future__ import annotations

import atexit
import random
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.audio import load_audio

RESERVED_SPEAKERS = {"slt", "rms", "us-slt-hts", "cmu_us_slt_arctic_hts", "us_slt_hts"}
RESERVED_ENGINES = {"piper"}

TRAIN_ACCENTS = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan", "en-us-nyc"]
TRAIN_VARIANTS = ["", "m1", "m2", "m3", "m5", "m7", "f1", "f2", "f4", "klatt", "klatt3", "Andy", "Annie",
                  "aunty", "benjamin", "david", "edward", "Lee", "linda", "max", "paul", "rob", "steph", "travis"]
DEV_ACCENTS = ["en-gb-scotland", "en-029", "en-gb-x-gbcwmd"]
DEV_VARIANTS = ["m4", "m6", "f3", "f5", "john", "belinda", "Alicia", "klatt2"]
TRAIN_OTHER = ["flite:kal", "flite:kal16", "flite:awb", "festival:kal_diphone"]
DEV_OTHER = ["festival:ked_diphone"]
# How each engine makes speech: a voice family (reports give Top-1 per family)
FAMILIES = {"espeak": "formant (espeak-ng)", "flite:kal": "diphone (flite)", "flite:kal16": "diphone (flite)",
            "flite:awb": "statistical parametric (flite)", "festival": "diphone (festival)"}


def train_voices() -> list[str]:
    espeak = [f"espeak:{a}+{v}" if v else f"espeak:{a}" for a in TRAIN_ACCENTS for v in TRAIN_VARIANTS]
    return espeak + TRAIN_OTHER


def dev_voices() -> list[str]:
    return [f"espeak:{a}+{v}" for a in DEV_ACCENTS for v in DEV_VARIANTS] + DEV_OTHER


def is_reserved(voice: str) -> bool:
    engine, _, name = voice.partition(":")
    return engine in RESERVED_ENGINES or name.split("+")[0] in RESERVED_SPEAKERS


def family(voice: str) -> str:
    """The voice family of ``engine:name`` (how its engine makes speech), e.g. "formant (espeak-ng)"."""
    engine = voice.partition(":")[0]
    return FAMILIES.get(voice.split("+")[0], FAMILIES.get(engine, engine))


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
            _festival().save(text, name or "kal_diphone", 1 / prosody.rate, wav)
            cmd = None
        else:
            raise SynthesisError(f"unknown TTS engine {engine!r} in voice {voice!r}; use espeak:, flite: or festival:")
        try:
            if cmd is not None:
                subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except FileNotFoundError:
            raise SynthesisError(f"{cmd[0]} is not installed; run scripts/install-system-deps.sh") from None
        except subprocess.CalledProcessError as exc:
            raise SynthesisError(f"{voice} failed on {text[:40]!r}: {exc.stderr.decode(errors='replace')[:200]}") from None
        audio = load_audio(wav, max_seconds=None)
    if engine == "festival" and prosody.pitch != 1.0:
        audio = _tape_pitch(audio, prosody.pitch)
    return audio


class FestivalSession:
    """One festival process kept running (``festival --pipe``): text2wave starts festival and loads its
    voice for every utterance, which costs ten times the synthesis itself. (stdbuf: festival holds its
    output back when it writes to a pipe, so the end-of-utterance marker would never arrive.)"""

    DONE = '"SEAL-DONE"'

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            try:
                self.process = subprocess.Popen(["stdbuf", "-oL", "festival", "--pipe"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                stderr=subprocess.STDOUT, text=True)
            except FileNotFoundError:
                raise SynthesisError("festival is not installed; run scripts/install-system-deps.sh") from None
            atexit.register(self.process.kill)
        return self.process

    def save(self, text: str, voice: str, stretch: float, path: Path) -> None:
        process = self._start()
        said = text.replace("\\", " ").replace('"', "'")
        process.stdin.write(f"(voice_{voice})\n(Parameter.set 'Duration_Stretch {stretch:.3f})\n"
                            f'(utt.save.wave (utt.synth (Utterance Text "{said}")) "{path}" \'riff)\n(print "SEAL-DONE")\n')
        process.stdin.flush()
        output = []
        while (line := process.stdout.readline()) and line.strip() != self.DONE:
            output.append(line)
        errors = [line.strip() for line in output if "ERROR" in line]
        if errors or not path.is_file():
            if not line:  # festival exited; the next utterance starts a fresh one
                self.process = None
            raise SynthesisError(f"festival:{voice} failed on {text[:40]!r}: {' '.join(errors or output)[-200:]}")


_sessions = threading.local()


def _festival() -> FestivalSession:
    """This thread's festival process (the build synthesizes in several threads)."""
    if not hasattr(_sessions, "festival"):
        _sessions.festival = FestivalSession()
    return _sessions.festival


def _tape_pitch(audio: np.ndarray, factor: float) -> np.ndarray:
    """Pitch shift by resampling (also changes the tempo a little, like a tape played faster)."""
    import soxr

    return soxr.resample(audio, 16_000, int(16_000 / factor)).astype(np.float32)
