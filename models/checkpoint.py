"""A SEAL checkpoint folder: ``config.json`` (a ``SealConfig``), ``model.safetensors`` (only the trained
tensors: adapters, shared scaling, any fine-tuned top layers) and a model card ``README.md``. Base
weights are named in the config and loaded from their offline packages."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from models.config import SealConfig
from models.text_side import DEFAULT_CHECKPOINT

if TYPE_CHECKING:
    from models.seal import SealModel

CONFIG_NAME, WEIGHTS_NAME, CARD_NAME = "config.json", "model.safetensors", "README.md"


def save(model: "SealModel", directory: Path, card: str | None = None) -> Path:
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_NAME).write_text(json.dumps(asdict(model.config), indent=2) + "\n")
    save_file(model.trained_state_dict(), str(directory / WEIGHTS_NAME), metadata={"format": "pt"})
    if card is not None or not (directory / CARD_NAME).exists():
        (directory / CARD_NAME).write_text(card or model.config.default_card())
    return directory


def load(cls: type["SealModel"], path: str | Path | None, device: str, dtype: str | torch.dtype,
         cache_dir: Path | None) -> "SealModel":
    if path is None:
        if not (DEFAULT_CHECKPOINT / CONFIG_NAME).is_file():
            return cls(SealConfig(), device=device, dtype=dtype, cache_dir=cache_dir)
        path = DEFAULT_CHECKPOINT
    path = Path(path)
    if not (path / CONFIG_NAME).is_file():
        raise FileNotFoundError(f"{path}: not a SEAL checkpoint (no {CONFIG_NAME}); train one with `seal train stage2`")
    model = cls(SealConfig.from_dict(json.loads((path / CONFIG_NAME).read_text())), device=device, dtype=dtype,
                cache_dir=cache_dir)
    weights = path / WEIGHTS_NAME
    if weights.is_file():
        from safetensors.torch import load_file

        state = load_file(str(weights))
        missing = [k for k in model.trained_state_dict() if k not in state]
        if missing:
            raise ValueError(f"{weights}: checkpoint lacks {len(missing)} trained tensors, e.g. {missing[0]}")
        model.load_state_dict(state, strict=False)
        model.to(device=device, dtype=model.torch_dtype)
        model.checkpoint_path = path
    return model
