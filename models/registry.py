"""Process-wide cached model loaders shared by the CLI, the server, evaluation and benchmarks.

Each loader keys its cache on the settings that shape the model, so a test that changes
``SEAL_CHECKPOINT`` gets a new model while the server reuses one instance for every session.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from app.settings import Settings, get_settings
from models import onnx_engine
from models.onnx_engine import resolve_engine

if TYPE_CHECKING:
    from models.asr import Transcriber
    from models.seal import SealModel
    from models.text_tower import TextEmbedder

log = logging.getLogger(__name__)
_lock = threading.RLock()
_cache: dict[tuple, object] = {}


def _cached(key: tuple, build):
    with _lock:  # loading takes seconds; two threads asking at once must not load twice
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def _on_onnx(settings: Settings, attach, what: str) -> bool:
    """Run ``attach``; on ``SEAL_ENGINE=auto`` a failed export must not stop a server (PyTorch still
    works), so it is logged and False returned; with an explicit ``onnx`` it raises."""
    try:
        attach()
    except Exception as exc:
        if settings.engine == "onnx":
            raise
        log.warning("SEAL_ENGINE=auto: %s stays on PyTorch (%s)", what, exc)
        return False
    return True


def get_seal_model(settings: Settings | None = None) -> "SealModel":
    """``SEAL_CHECKPOINT``, else the shipped checkpoint, else a fresh model built from the settings'
    ``whisper_model`` and ``text_model`` (whose text side equals the plain text tower)."""
    from models.seal import SealConfig, SealModel

    s = settings or get_settings()
    device, dtype = s.resolved_device(), s.resolved_dtype()
    checkpoint = _checkpoint(s)
    engine = resolve_engine(s.engine, device, dtype)
    # int8 is for the torch engine in fp32 on a CPU; GPUs run fp16, the onnx engine fp32
    quantize = s.quantize if engine == "torch" and device == "cpu" and dtype == "float32" else "none"
    key = ("seal", str(checkpoint), s.whisper_model, s.text_model, device, dtype, s.engine, engine, quantize, str(s.data_dir))

    def build() -> "SealModel":
        from models.quantize import quantize_speech_path

        if checkpoint is not None:
            model = SealModel.from_pretrained(checkpoint, device=device, dtype=dtype)
        else:
            model = SealModel(SealConfig(whisper_model=s.whisper_model, text_model=s.text_model), device=device, dtype=dtype)
        if engine == "onnx" and _on_onnx(s, lambda: onnx_engine.attach(model, s.cache_dir / "onnx"), "the speech path"):
            return model
        return quantize_speech_path(model, s.quantize if engine == "onnx" else quantize)  # onnx here: the fallback

    return _cached(key, build)


def _checkpoint(s: Settings):
    from models.text_side import default_checkpoint

    return default_checkpoint(s.checkpoint)


def get_text_embedder(settings: Settings | None = None) -> "TextEmbedder":
    from models.text_tower import TextEmbedder

    s = settings or get_settings()
    device = s.resolved_device()
    engine = resolve_engine(s.engine, device, "float32")

    def build() -> "TextEmbedder":
        embedder = TextEmbedder(s.text_model, device=device)
        if engine == "onnx":
            _on_onnx(s, lambda: onnx_engine.attach_text(embedder, s.cache_dir / "onnx"), "the text tower")
        return embedder

    return _cached(("text", s.text_model, device, s.engine, engine, str(s.data_dir)), build)


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
