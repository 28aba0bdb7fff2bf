"""Process-wide cached model loaders shared by the CLI, the server, evaluation and benchmarks.

Each loader keys its cache on the settings that shape the model, so a test that changes
``SEAL_CHECKPOINT`` gets a new model while the server reuses one instance for every session.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from models.asr import Transcriber
    from models.seal import SealModel
    from models.text_tower import TextEmbedder

_lock = threading.RLock()
_cache: dict[tuple, object] = {}


def _cached(key: tuple, build):
    with _lock:  # loading takes seconds; two threads asking at once must not load twice
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def get_seal_model(settings: Settings | None = None) -> "SealModel":
    """``SEAL_CHECKPOINT``, else the shipped checkpoint, else a fresh model built from the settings'
    ``whisper_model`` and ``text_model`` (whose text side equals the plain text tower)."""
    from models.seal import DEFAULT_CHECKPOINT, SealConfig, SealModel

    s = settings or get_settings()
    device, dtype = s.resolved_device(), s.resolved_dtype()
    checkpoint = s.checkpoint or (DEFAULT_CHECKPOINT if (DEFAULT_CHECKPOINT / "config.json").is_file() else None)
    quantize = s.quantize if device == "cpu" and dtype == "float32" else "none"  # int8 is for fp32 on a CPU; GPUs run fp16
    key = ("seal", str(checkpoint), s.whisper_model, s.text_model, device, dtype, quantize, str(s.data_dir))

    def build() -> "SealModel":
        from models.quantize import quantize_speech_path

        if checkpoint is not None:
            model = SealModel.from_pretrained(checkpoint, device=device, dtype=dtype)
        else:
            model = SealModel(SealConfig(whisper_model=s.whisper_model, text_model=s.text_model), device=device, dtype=dtype)
        return quantize_speech_path(model, quantize)

    return _cached(key, build)


def get_text_embedder(settings: Settings | None = None) -> "TextEmbedder":
    from models.text_tower import TextEmbedder

    s = settings or get_settings()
    device = s.resolved_device()
    return _cached(("text", s.text_model, device), lambda: TextEmbedder(s.text_model, device=device))


def get_transcriber(settings: Settings | None = None, backend: str = "faster-whisper") -> "Transcriber":
    from models.asr import Transcriber

    s = settings or get_settings()
    device = s.resolved_device()
    key = ("asr", s.whisper_model, backend, device, s.asr_compute_type, str(s.data_dir))
    return _cached(key, lambda: Transcriber(s.whisper_model, backend=backend, device=device, compute_type=s.asr_compute_type))


def clear() -> None:
    """Forget every loaded model (tests; freeing memory)."""
    with _lock:
        _cache.clear()
