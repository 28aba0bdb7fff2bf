"""What SEAL's passage vectors depend on, read from the checkpoint files without importing PyTorch.

Ingestion stores this key with every passage (``embedded_with``) and compares it before loading any
model, so re-ingesting an unchanged knowledge base costs seconds; a checkpoint that changed the text
side (shared scaling, fine-tuned text layers) gets a new key and its passages are embedded again, one
that retrained only the speech side keeps it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

CHECKPOINTS_DIR = Path(__file__).resolve().parent / "checkpoints"
DEFAULT_CHECKPOINT = CHECKPOINTS_DIR / "seal-tiny-en-minilm"
# The trained tensors that shape the text side's vectors (passages, typed queries); the rest is speech only.
TEXT_SIDE_PREFIXES = ("shared_scaling.", "text.")


def default_checkpoint(named: str | Path | None = None) -> Path | None:
    """``named`` (SEAL_CHECKPOINT), else the shipped checkpoint if it is there, else None (a fresh model)."""
    if named:
        return Path(named)
    return DEFAULT_CHECKPOINT if (DEFAULT_CHECKPOINT / "config.json").is_file() else None


def text_side_key(checkpoint: str | Path | None, text_model: str) -> str:
    """A digest of the text tower's name and the checkpoint's text-side tensors.

    ``checkpoint`` None, or a folder without weights: a fresh model, whose shared scaling is the
    identity, keyed by ``text_model`` alone."""
    digest = hashlib.sha256()
    weights = Path(checkpoint) / "model.safetensors" if checkpoint is not None else None
    if weights is None or not weights.is_file():
        digest.update(f"fresh\x00{text_model}".encode())
        return digest.hexdigest()[:16]
    config = json.loads((Path(checkpoint) / "config.json").read_text())
    digest.update(f"{config.get('text_model', 'all-MiniLM-L6-v2')}\x00{config.get('train_text_layers', 0)}".encode())
    from safetensors import safe_open

    with safe_open(str(weights), framework="numpy") as tensors:
        for name in sorted(k for k in tensors.keys() if k.startswith(TEXT_SIDE_PREFIXES)):
            digest.update(name.encode() + tensors.get_tensor(name).tobytes())
    return digest.hexdigest()[:16]
