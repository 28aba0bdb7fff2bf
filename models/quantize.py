"""Dynamic int8 for the SEAL speech path on a CPU (``SEAL_QUANTIZE``).

Only the path a spoken query takes is quantized. ``int8``: the Whisper encoder, the MLP adapter, and
a private int8 copy of the text transformer that reads the adapter's output. ``reader``: only that
copy. The copies live in a ``TorchEngine`` (models/engines.py); the model's own modules stay fp32.
With CTC compression the adapter's output is a discrete choice of word pieces, and int8 noise moves
enough choices to cost dev accuracy: on the shipped checkpoint's everyday set, Top-1 0.491 fp32,
0.463 ``reader``, 0.471 ``int8`` (docs/models.md), so ``none`` is the default. The text side
(passages at ingestion, typed queries) keeps the fp32 text tower, so stored vectors stay valid and a
knowledge base needs no re-ingestion when the setting changes.

Weights are quantized per output channel (``per_channel_dynamic_qconfig``): per-tensor scales cost
too much accuracy (cosine to fp32 0.91 vs 0.999 on the encoder, measured on one utterance). Uses
``torch.ao.quantization.quantize_dynamic``, which torch marks deprecated in favour of torchao; on
this CPU torchao's int8 dynamic path ran 20x slower than fp32 in eager mode (3.2 s vs 0.15 s for a
4.5 s utterance), so the torch.ao kernels (fbgemm) stay until torchao's CPU path catches up.
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import nn

from models.engines import TorchEngine

MODES = ("none", "reader", "int8")


def _int8(module: nn.Module) -> nn.Module:
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():  # the deprecation notice, once per Linear
        warnings.simplefilter("ignore")
        return quantize_dynamic(module, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)


def quantized_engine(model, mode: str) -> TorchEngine:
    """A PyTorch engine for ``model`` with its speech path in int8 (``mode``: none | reader | int8)."""
    if mode not in MODES:
        raise ValueError(f"unknown quantization {mode!r}; use one of {', '.join(MODES)}")
    if mode == "none":
        return TorchEngine()
    if model.device_name != "cpu" or model.torch_dtype != torch.float32:
        raise ValueError(f"{mode} quantization is for fp32 on a CPU; on a GPU use SEAL_DTYPE=float16 instead")
    engine = TorchEngine(quantization=mode)
    if mode == "int8":
        engine.encoder = _int8(copy.deepcopy(model.speech_encoder))
        engine.mlp_adapter = _int8(copy.deepcopy(model.mlp_adapter))
    if model.config.through_text_encoder:
        engine.reader = _int8(copy.deepcopy(model.reader))
    return engine
