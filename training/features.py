"""Frozen Whisper encoder outputs, computed once per utterance and cached on disk in float16.

While the encoder (or its lower layers) is frozen its output never changes, so the adapters can
train for many epochs at the cost of reading a small file per utterance instead of running Whisper.
The cache key is the Whisper model and the layer the frozen part stops at; files are
``<dir>/<model>-L<layer>/<id[:2]>/<id>.npy`` holding (frames, dim) for the real frames only.
Existing files are skipped, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from models.audio import load_audio


def safe_name(model: str) -> str:
    """A model name or path as one folder-name component."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model.strip("/"))


def cache_dir(root: Path, whisper_model: str, layer: int) -> Path:
    return root / f"{safe_name(whisper_model)}-L{layer}"


def feature_path(directory: Path, item_id: str) -> Path:
    return directory / item_id[:2] / f"{item_id}.npy"


@torch.inference_mode()
def encode_frozen(model, audio: list[np.ndarray], layer: int) -> list[np.ndarray]:
    """The frozen part of the speech encoder: layers ``0:layer`` (+ final norm if it is all of them)."""
    encoder = model.speech_encoder
    mel, lengths = model.features(audio)
    hidden, mask = encoder.embed(mel.to(model.torch_dtype), lengths)
    hidden = encoder.run_layers(hidden, mask, 0, layer)
    if layer >= encoder.num_layers:
        hidden = encoder.final_norm(hidden)
    real = mask.sum(1).tolist()
    return [hidden[i, : real[i]].to(torch.float16).cpu().numpy() for i in range(len(audio))]


def missing_features(records: list[dict], directory: Path) -> list[dict]:
    """The records whose encoder states are not cached yet."""
    return [r for r in records if not feature_path(directory, r["id"]).is_file()]


def precompute(model, records: list[dict], data_dir: Path, directory: Path, layer: int, batch_size: int = 16,
               progress: Callable[[int], None] | None = None) -> int:
    """Encode every record whose cache file is missing; returns how many were computed."""
    todo = missing_features(records, directory)
    todo.sort(key=lambda r: r.get("seconds", 0))  # similar lengths together: little padding
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        audio = [load_audio(data_dir / r["audio"], max_seconds=30.0) for r in batch]
        for record, states in zip(batch, encode_frozen(model, audio, layer)):
            path = feature_path(directory, record["id"])
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, states)
            tmp.replace(path)  # a killed run never leaves a half-written cache file behind
        if progress:
            progress(len(batch))
    return len(todo)
