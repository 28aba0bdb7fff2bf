"""Whisper's encoder on the real frames only: no padding of every utterance to 30 s.

Hugging Face's ``WhisperEncoder.forward`` insists on 3000 mel frames (30 s), so a 4 s question would
cost the compute of 30 s. This module calls the encoder's own submodules instead: conv1, conv2, the
sinusoidal positions sliced to the utterance's length, the transformer layers with an attention mask
for batches of different lengths, the final layer norm. One utterance alone and the same utterance in
a padded batch give the same vectors, because padded conv1 outputs are zeroed the way conv2's own
zero padding would see them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.audio import log_mel_spectrogram

MEL_FRAMES_PER_POSITION = 2  # conv2 has stride 2: one encoder position per 20 ms
MIN_SAMPLES = 400  # one STFT window


def load_whisper_encoder(name_or_path: str | Path, dtype: torch.dtype = torch.float32) -> nn.Module:
    """Only the encoder of a Whisper checkpoint (local folders read just the ``model.encoder.*`` tensors)."""
    from transformers import WhisperConfig, WhisperModel
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    path = Path(name_or_path)
    shards = sorted(path.glob("*.safetensors")) if path.is_dir() else []
    if not shards:  # a hub id: let transformers fetch and build the whole model, keep the encoder
        return WhisperModel.from_pretrained(str(name_or_path), dtype=dtype).get_encoder()
    from safetensors import safe_open

    config = WhisperConfig.from_pretrained(str(path))
    with torch.device("meta"):
        encoder = WhisperEncoder(config)
    state = {}
    for shard in shards:
        with safe_open(str(shard), framework="pt") as handle:
            for key in handle.keys():
                for prefix in ("model.encoder.", "encoder."):
                    if key.startswith(prefix):
                        state[key[len(prefix) :]] = handle.get_tensor(key).to(dtype)
    encoder.load_state_dict(state, strict=True, assign=True)
    return encoder


def _at_least(audio: np.ndarray, samples: int) -> np.ndarray:
    return audio if len(audio) >= samples else np.pad(np.asarray(audio, dtype=np.float32), (0, samples - len(audio)))


def mel_lengths_to_positions(lengths: torch.Tensor) -> torch.Tensor:
    """Encoder positions for mel lengths: conv2 (kernel 3, stride 2, padding 1) gives ceil(n / 2)."""
    return (lengths + 1) // MEL_FRAMES_PER_POSITION


def length_mask(lengths: torch.Tensor, size: int) -> torch.Tensor:
    """(batch, size) bool mask, True on real positions."""
    return torch.arange(size, device=lengths.device)[None, :] < lengths[:, None]


class SpeechEncoder(nn.Module):
    """Whisper encoder over real frames; ``forward(mel, mel_lengths) -> (hidden, mask)``."""

    def __init__(self, encoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.n_mels = int(encoder.config.num_mel_bins)
        self.max_frames = int(encoder.config.max_source_positions) * MEL_FRAMES_PER_POSITION

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, dtype: torch.dtype = torch.float32) -> "SpeechEncoder":
        return cls(load_whisper_encoder(name_or_path, dtype))

    @property
    def dim(self) -> int:
        return int(self.encoder.config.d_model)

    @property
    def num_layers(self) -> int:
        return len(self.encoder.layers)

    def features(self, audio: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        """Log-mel of each utterance (capped at 30 s), zero-padded into (batch, n_mels, frames) + lengths."""
        # Clips under one STFT window (25 ms) are zero-padded to it: the STFT's reflect padding needs that much
        mels = [log_mel_spectrogram(_at_least(a, MIN_SAMPLES), self.n_mels)[:, : self.max_frames] for a in audio]
        lengths = torch.tensor([max(m.shape[1], 1) for m in mels])
        batch = torch.zeros(len(mels), self.n_mels, int(lengths.max()))
        for i, mel in enumerate(mels):
            batch[i, :, : mel.shape[1]] = mel
        return batch, lengths

    def embed(self, mel: torch.Tensor, mel_lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """conv1 -> conv2 -> + sliced positions; returns (batch, positions, dim) and the bool mask."""
        enc = self.encoder
        mel = mel.to(enc.conv1.weight.dtype)
        x = nn.functional.gelu(enc.conv1(mel))
        # Zero conv1's outputs past each utterance so conv2 sees what it sees for that utterance alone
        x = x * length_mask(mel_lengths.to(x.device), x.shape[-1]).unsqueeze(1).to(x.dtype)
        x = nn.functional.gelu(enc.conv2(x)).permute(0, 2, 1)
        positions = enc.embed_positions.weight[: x.shape[1]]
        mask = length_mask(mel_lengths_to_positions(mel_lengths).to(x.device), x.shape[1])
        return x + positions.to(x.dtype), mask

    def run_layers(self, hidden: torch.Tensor, mask: torch.Tensor, start: int = 0, stop: int | None = None) -> torch.Tensor:
        """Transformer layers ``start:stop`` (lets training cache the frozen lower layers' output)."""
        additive = None
        if not bool(mask.all()):
            additive = torch.zeros(mask.shape, dtype=hidden.dtype, device=hidden.device)
            additive = additive.masked_fill(~mask, torch.finfo(hidden.dtype).min)[:, None, None, :]
        for layer in self.encoder.layers[start:stop]:
            hidden = layer(hidden, additive)
            if isinstance(hidden, tuple):  # older transformers return (hidden, attn)
                hidden = hidden[0]
        return hidden

    def final_norm(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.encoder.layer_norm(hidden)

    def forward(self, mel: torch.Tensor, mel_lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden, mask = self.embed(mel, mel_lengths)
        hidden = self.final_norm(self.run_layers(hidden, mask))
        return hidden, mask

    def forward_padded_30s(self, mel: torch.Tensor) -> torch.Tensor:
        """The standard path for comparison: pad to 3000 frames and call HF's ``WhisperEncoder``."""
        padded = nn.functional.pad(mel, (0, self.max_frames - mel.shape[-1]))
        return self.encoder(padded.to(self.encoder.conv1.weight.dtype)).last_hidden_state
