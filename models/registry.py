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
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import torch

from models.onnx_engine import resolve_engine

if TYPE_CHECKING:
    from models.asr import Transcriber
    from models.engines import SpeechEngine
    from models.seal import SealModel
    from models.text_tower import TextEmbedder

log = logging.getLogger(__name__)
T = TypeVar("T")
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
    quantize: str = "none"  # none, reader or int8: the torch engine's int8 on a CPU (models/quantize.py)
    asr_compute_type: str = "int8"  # faster-whisper's compute type on a CPU
    passage_precision: str = "fp32"  # fp32 or int8: the onnx engine's text transformer for passages at ingestion
    ctc_blank_penalty: float | None = None  # overrides the checkpoint's (SealConfig.ctc_blank_penalty); None: keep it
    cache_dir: Path = Path.home() / ".seal" / "cache"  # exported onnx graphs

    @classmethod
    def from_settings(cls, settings: Any) -> ModelConfig:
        """From ``app.settings.Settings`` (or any object with its fields), device and dtype resolved."""
        return cls(whisper_model=settings.whisper_model, text_model=settings.text_model, checkpoint=settings.checkpoint,
                   device=settings.resolved_device(), dtype=settings.resolved_dtype(), engine=settings.engine,
                   quantize=settings.quantize, asr_compute_type=settings.asr_compute_type,
                   passage_precision=settings.passage_precision, ctc_blank_penalty=settings.ctc_blank_penalty,
                   cache_dir=Path(settings.cache_dir))


def _config(settings: ModelConfig | Any) -> ModelConfig:
    return settings if isinstance(settings, ModelConfig) else ModelConfig.from_settings(settings)


def _cached(key: tuple, build):
    with _lock:  # loading takes seconds; two threads asking at once must not load twice
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]


def _onnx_or_none(s: ModelConfig, build: Callable[[], T], what: str) -> T | None:
    """``build()``; on ``SEAL_ENGINE=auto`` a failed export must not stop a server (PyTorch still
    works), so it is logged and None returned; with an explicit ``onnx`` it raises."""
    try:
        return build()
    except Exception as exc:
        if s.engine == "onnx":
            raise
        log.warning("SEAL_ENGINE=auto: %s stays on PyTorch (%s)", what, exc)
        return None


def speech_engine(model: "SealModel", s: ModelConfig) -> "SpeechEngine":
    """The engine ``s`` asks for on this device (models/engines.py), chosen once per loaded model."""
    from models.onnx_engine import OnnxEngine
    from models.quantize import quantized_engine

    engine = resolve_engine(s.engine, model.device_name, str(model.torch_dtype).removeprefix("torch."))
    if engine == "onnx":
        onnx = _onnx_or_none(s, lambda: OnnxEngine(model, s.cache_dir / "onnx", s.passage_precision), "the speech path")
        if onnx is not None:
            return onnx
    # int8 is for the torch engine in fp32 on a CPU; GPUs run fp16
    on_cpu_fp32 = model.device_name == "cpu" and model.torch_dtype == torch.float32
    return quantized_engine(model, s.quantize if on_cpu_fp32 else "none")


def get_seal_model(settings: ModelConfig | Any) -> "SealModel":
    """``checkpoint`` (``SEAL_CHECKPOINT``), else the shipped checkpoint, else a fresh model built from
    ``whisper_model`` and ``text_model`` (whose text side equals the plain text tower)."""
    from models.seal import SealConfig, SealModel
    from models.text_side import default_checkpoint

    s = _config(settings)
    checkpoint = default_checkpoint(s.checkpoint)
    key = ("seal", str(checkpoint), s.whisper_model, s.text_model, s.device, s.dtype, s.engine, s.quantize, s.passage_precision, s.ctc_blank_penalty, str(s.cache_dir))

    def build() -> "SealModel":
        if checkpoint is not None:
            model = SealModel.from_pretrained(checkpoint, device=s.device, dtype=s.dtype, cache_dir=s.cache_dir)
        else:
            config = SealConfig(whisper_model=s.whisper_model, text_model=s.text_model)
            model = SealModel(config, device=s.device, dtype=s.dtype, cache_dir=s.cache_dir)
        model.use_engine(speech_engine(model, s))
        if s.ctc_blank_penalty is not None:  # after the engine: the penalty runs after the graphs
            model.config.ctc_blank_penalty = s.ctc_blank_penalty
        return model

    return _cached(key, build)


def get_text_embedder(settings: ModelConfig | Any) -> "TextEmbedder":
    from models.onnx_engine import text_transformer
    from models.text_tower import TextEmbedder

    s = _config(settings)
    engine = resolve_engine(s.engine, s.device, "float32")

    def build() -> "TextEmbedder":
        embedder = TextEmbedder(s.text_model, device=s.device)
        if engine == "onnx":
            _onnx_or_none(s, lambda: text_transformer(embedder, s.cache_dir / "onnx", s.passage_precision), "the text tower")
        return embedder

    return _cached(("text", s.text_model, s.device, s.engine, engine, s.passage_precision, str(s.cache_dir)), build)


def get_transcriber(settings: ModelConfig | Any, backend: str = "faster-whisper") -> "Transcriber":
    from models.asr import Transcriber

    s = _config(settings)
    device = s.device
    key = ("asr", s.whisper_model, backend, device, s.asr_compute_type, str(s.cache_dir))
    return _cached(key, lambda: Transcriber(s.whisper_model, backend=backend, device=device, compute_type=s.asr_compute_type,
                                            cache_dir=s.cache_dir))


def clear() -> None:
    """Forget every loaded model (tests; freeing memory)."""
    with _lock:
        _cache.clear()
