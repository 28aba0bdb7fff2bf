"""The text tower: a sentence encoder (default all-MiniLM-L6-v2) -> mean pooling -> L2 norm.

It embeds passages for the ``text`` vector (the ASR baseline searches it) and is the base of SEAL's
text side. ``encoder`` and ``tokenize`` are public because the SEAL speech tower feeds its adapter
output through this same transformer as input embeddings.
"""

from __future__ import annotations


import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from models.weights import resolve_text_model

# transformers draws a bar per weight file on every load; in a CLI command or a server log that is
# noise, and the project's own progress bars cover the work that takes long.
hf_logging.disable_progress_bar()


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors where ``mask`` is 1; (batch, tokens, dim) -> (batch, dim)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


class TextEmbedder(torch.nn.Module):
    """Sentence encoder with mean pooling; ``encode`` gives L2-normalized float32 numpy vectors."""

    def __init__(self, name: str = "all-MiniLM-L6-v2", device: str = "cpu", max_tokens: int = 256) -> None:
        super().__init__()
        path = resolve_text_model(name)
        self.name = name
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.encoder = AutoModel.from_pretrained(str(path)).to(device).eval()
        self.max_tokens = min(max_tokens, self.tokenizer.model_max_length)
        self.device_name = device
        self.inference_transformer = None  # what ``encode`` runs instead of ``encoder`` (use_transformer)
        self.passage_transformer = None  # the same for passages (ingestion)

    def use_transformer(self, transformer, passages=None) -> "TextEmbedder":
        """Run inference on ``transformer`` (onnxruntime: models/onnx_engine.py), and passages embedded in
        bulk (``encode(..., passages=True)``) on ``passages`` (default: the same); None: PyTorch.
        Training, with gradients, always runs ``encoder``."""
        self.inference_transformer = transformer
        self.passage_transformer = passages if passages is not None else transformer
        return self

    @property
    def dim(self) -> int:
        return int(self.encoder.config.hidden_size)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt")
        return {k: v.to(self.device_name) for k, v in batch.items()}

    def forward(self, texts: list[str], passages: bool = False) -> torch.Tensor:
        """Pooled, un-normalized sentence vectors (batch, dim), with gradients if enabled."""
        batch = self.tokenize(texts)
        return mean_pool(self._hidden(batch, passages), batch["attention_mask"])

    def _hidden(self, batch: dict[str, torch.Tensor], passages: bool = False) -> torch.Tensor:
        transformer = self.passage_transformer if passages else self.inference_transformer
        if transformer is None or torch.is_grad_enabled():  # training keeps PyTorch
            return self.encoder(**batch).last_hidden_state
        # the word-piece embeddings input_ids would select; positions, types and the norm run in the graph
        embeds = self.encoder.embeddings.word_embeddings(batch["input_ids"])
        return transformer(inputs_embeds=embeds, attention_mask=batch["attention_mask"]).last_hidden_state

    @torch.inference_mode()
    def encode(self, texts: list[str], batch_size: int = 64, passages: bool = False) -> np.ndarray:
        """L2-normalized float32 vectors (n, dim); ``passages``: bulk passage embedding (ingestion)."""
        out = []
        for start in range(0, len(texts), batch_size):
            vectors = self(texts[start : start + batch_size], passages)
            out.append(torch.nn.functional.normalize(vectors.float(), dim=-1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)
