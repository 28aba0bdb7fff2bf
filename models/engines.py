"""How a loaded SEAL model runs its fixed parts: one strategy object, chosen once by the loader.

A ``SealModel`` asks its engine for two things when it embeds speech: the speech graph's output
for a batch of log-mel (Whisper's encoder, the adapters and, with CTC compression, the CTC scores)
and the transformer that reads the resulting sequence. Its text tower asks for the transformer
that reads word pieces. The model's own PyTorch modules stay what training sees; an engine only
decides how inference runs them.

- ``TorchEngine``: PyTorch eager (GPUs, training, ``SEAL_ENGINE=torch``); with a ``quantization``
  (``reader`` or ``int8``) it holds private int8 copies of the speech path (models/quantize.py).
- ``OnnxEngine`` (models/onnx_engine.py): onnxruntime graphs, fp32 on a CPU, one utterance at a time.

``models/registry.py`` picks one from ``ModelConfig.engine`` and hands it to ``SealModel.use_engine``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

import torch
from torch import nn

if TYPE_CHECKING:
    from models.seal import SealModel

# (inputs_embeds=, attention_mask=) -> an object with ``last_hidden_state``, like a Hugging Face model
Transformer = Callable[..., Any]
SpeechOutput = tuple[torch.Tensor, torch.Tensor, "torch.Tensor | None"]


class SpeechEngine(Protocol):
    name: str  # torch | onnx
    quantization: str  # none | reader | int8 (the torch engine on a CPU)
    one_at_a_time: bool  # batches of utterances gain nothing: embed them one by one, unpadded

    def speech(self, model: "SealModel", mel: torch.Tensor, lengths: torch.Tensor) -> SpeechOutput:
        """Adapter output (B, T', dim), its mask, and the CTC scores when already computed (else None)."""
        ...

    def speech_reader(self, model: "SealModel") -> Transformer:
        """The transformer that reads the speech sequence."""
        ...

    def text_transformer(self) -> Transformer | None:
        """What the text tower's inference runs instead of PyTorch; None: PyTorch."""
        ...

    def passage_transformer(self) -> Transformer | None:
        """The same for passages embedded in bulk (ingestion); may trade a little accuracy for speed."""
        ...


@dataclass
class TorchEngine:
    """PyTorch eager; the ``int8`` copies (when quantized) stand in for the model's own modules."""

    quantization: str = "none"
    encoder: nn.Module | None = None
    mlp_adapter: nn.Module | None = None
    reader: nn.Module | None = None
    name: str = "torch"
    one_at_a_time: bool = False

    def speech(self, model: "SealModel", mel: torch.Tensor, lengths: torch.Tensor) -> SpeechOutput:
        encoder = self.encoder if self.encoder is not None else model.speech_encoder
        hidden, mask = encoder(mel.to(model.torch_dtype), lengths)
        seq, mask = model.adapt(hidden, mask, mlp_adapter=self.mlp_adapter)
        return seq, mask, None

    def speech_reader(self, model: "SealModel") -> Transformer:
        return self.reader if self.reader is not None else model.reader

    def text_transformer(self) -> Transformer | None:
        return None

    def passage_transformer(self) -> Transformer | None:
        return None
