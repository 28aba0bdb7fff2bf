"""Process-wide cached model loaders shared by the CLI, the server, evaluation and benchmarks.

Each loader takes a ``ModelConfig`` (or the app's settings, which ``ModelConfig.from_settings`` reads)
and keys its cache on what shapes the model, so a test that changes ``SEAL_CHECKPOINT`` gets a new
model while the server reuses one instance for every session.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models import onnx_engine
from models.onnx_engine import resolve_engine

if TYPE_CHECKING:
    from models.asr import Transcriber
    from models.seal import SealModel
    from models.text_tower import TextEmbedder

log = logging.getLogger(__name__)
_lock = threading.RLock()
_cache: dict[tuple, object] = {}


@dataclass(frozen=True)
class ModelConfig:
    """What the loaders need to know; ``app/`` builds it from its settings (``from_settings``)."""

    whisper_model: str = "tiny.en"  # speech encoder and ASR model: a short name, a Hugging Face id or a path
    text_model: str = "all-MiniLM-L6-v2"
    checkpoint: str | None = None  # SEAL weights folder; None: the shipped checkpoint
    device: str = "cpu"  # cpu or cuda, resolved
    dtype: str = "float32"  # resolved
    engine: str = "auto"  # auto, torch or onnx (models/onnx_engine.py)
    quantize: str = "reader"  # none, reader or int8: the torch engine's int8 on a CPU (models/quantize.py)
    asr_compute_type: str = "int8"  # faster-whisper's compute type on a CPU
    cache_dir: Path = Path.home() / ".seal" / "cache"  # exported onnx graphs

    @classmethod
    def from_settings(cls, settings: Any) -> ModelConfig:
        """From ``app.settings.Settings`` (or any object with its fields), device and dtype resolved."""
        return cls(whisper_model=settings.whisper_model, text_model=settings.text_model, checkpoint=settings.checkpoint,
                   device=settings.resolved_device(), dtype=settings.resolved_dtype(), engine=settings.engine,
                   quantize=settings.quantize, asr_compute_type=settings.asr_compute_type,
                   cache_dir=Path(settings.cache_dir))


def _config(settings: ModelConfig | Any) -> ModelConfig:
    return settings if isinstance(settings, ModelConfig) else ModelConfig.from_settings(settings)


def _cached(key: tuple, build):
    with _lock:  # loading takes seconds; two threads asking at once must not load twice
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def _on_onnx(settings: ModelConfig, attach, what: str) -> bool:
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


def get_seal_model(settings: ModelConfig | Any) -> "SealModel":
    """``checkpoint`` (``SEAL_CHECKPOINT``), else the shipped checkpoint, else a fresh model built from
    ``whisper_model`` and ``text_model`` (whose text side equals the plain text tower)."""
    from models.seal import SealConfig, SealModel
    from models.text_side import default_checkpoint

    s = _config(settings)
    device, dtype = s.device, s.dtype
    checkpoint = default_checkpoint(s.checkpoint)
    engine = resolve_engine(s.engine, device, dtype)
    # int8 is for the torch engine in fp32 on a CPU; GPUs run fp16, the onnx engine fp32
    quantize = s.quantize if engine == "torch" and device == "cpu" and dtype == "float32" else "none"
    key = ("seal", str(checkpoint), s.whisper_model, s.text_model, device, dtype, s.engine, engine, quantize, str(s.cache_dir))

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


def get_text_embedder(settings: ModelConfig | Any) -> "TextEmbedder":
    from models.text_tower import TextEmbedder

    s = _config(settings)
    device = s.device
    engine = resolve_engine(s.engine, device, "float32")

    def build() -> "TextEmbedder":
        embedder = TextEmbedder(s.text_model, device=device)
        if engine == "onnx":
            _on_onnx(s, lambda: onnx_engine.attach_text(embedder, s.cache_dir / "onnx"), "the text tower")
        return embedder

    return _cached(("text", s.text_model, device, s.engine, engine, str(s.cache_dir)), build)


def get_transcriber(settings: ModelConfig | Any, backend: str = "faster-whisper") -> "Transcriber":
    from models.asr import Transcriber

    s = _config(settings)
    device = s.device
    key = ("asr", s.whisper_model, backend, device, s.asr_compute_type, str(s.cache_dir))
    return _cached(key, lambda: Transcriber(s.whisper_model, backend=backend, device=device, compute_type=s.asr_compute_type))


def clear() -> None:
    """Forget every loaded model (tests; freeing memory)."""
    with _lock:
        _cache.clear()
