"""Acoustic variety for synthesized speech: room reverberation, background noise, level changes.

TTS output is clean and studio-level; real microphones are neither. Each transform takes its
parameters from an ``rng`` and records them, so the manifest says what every clip went through.
"""

from __future__ import annotations

import random

import numpy as np
from scipy.signal import fftconvolve, lfilter

from models.audio import SAMPLE_RATE


def colored_noise(n: int, color: str, rng: np.random.Generator) -> np.ndarray:
    """White, pink (1/f, Kellet's filter) or brown (integrated) noise, unit RMS."""
    white = rng.standard_normal(n)
    if color == "pink":
        noise = lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786], [1, -2.494956002, 2.017265875, -0.522189400], white)
    elif color == "brown":
        noise = lfilter([1.0], [1.0, -0.995], white)
    else:
        noise = white
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-9)).astype(np.float32)


def room_impulse(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room response: direct path plus exponentially decaying diffuse tail."""
    n = int(rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    tail[: int(0.005 * SAMPLE_RATE)] = 0.0  # the first reflections arrive a few ms after the direct sound
    impulse = np.concatenate([[1.0], 0.3 * tail / (np.abs(tail).max() + 1e-9)])
    return (impulse / np.sqrt(np.sum(impulse**2))).astype(np.float32)


def augment(audio: np.ndarray, rng: random.Random, strength: float = 1.0) -> tuple[np.ndarray, dict]:
    """A random chain of reverb, noise and gain; returns the audio and the parameters used."""
    nprng = np.random.default_rng(rng.getrandbits(32))
    params: dict = {}
    out = audio.astype(np.float32)
    if rng.random() < 0.5 * strength:
        params["rt60"] = round(rng.uniform(0.15, 0.7), 3)
        out = fftconvolve(out, room_impulse(params["rt60"], nprng))[: len(out) + SAMPLE_RATE // 4].astype(np.float32)
    if rng.random() < 0.7 * strength:
        params["noise"] = rng.choice(["white", "pink", "brown"])
        params["snr_db"] = round(rng.uniform(5.0, 30.0), 1)
        speech_rms = np.sqrt(np.mean(out**2)) + 1e-9
        noise = colored_noise(len(out), params["noise"], nprng) * speech_rms / (10 ** (params["snr_db"] / 20))
        out = out + noise
    params["gain_db"] = round(rng.uniform(-24.0, 0.0), 1)
    peak = np.abs(out).max() + 1e-9
    out = out / peak * 10 ** (params["gain_db"] / 20) * 0.9
    return np.clip(out, -1.0, 1.0).astype(np.float32), params
