"""SpecAugment on cached encoder states: the same utterance never looks quite the same twice.

The encoder is frozen and its output cached, so masking happens after it rather than on the log-mel
(Park et al. 2019 mask the spectrogram): a few spans of positions are zeroed (one position is 20 ms)
and whole channels are dropped. Training voices are a few dozen synthesizers, and stage 1 ends at
1.6 nats per word piece on them: the masks are meant to keep the adapter from learning their exact
sound. Both stages apply them on training steps only; what they did on the dev set is in the model
card ("What was tried").
"""

from __future__ import annotations

import torch

from training.config import AugmentSection


def augment_states(states: torch.Tensor, mask: torch.Tensor, aug: AugmentSection, generator: torch.Generator | None = None) -> torch.Tensor:
    """(B, T, D) states with ``aug.time_masks`` spans of up to ``aug.time_mask_positions`` zeroed per
    utterance (inside its real length) and each channel dropped with probability ``aug.channel_dropout``."""
    if not (aug.time_masks and aug.time_mask_positions) and not aug.channel_dropout:
        return states
    batch, size, dim = states.shape
    keep = torch.ones(batch, size, 1, dtype=states.dtype)
    if aug.time_masks and aug.time_mask_positions:
        # every span of the batch drawn at once on the CPU, one copy to the device: drawn row by row
        # on a GPU tensor the masks made an H200's stage 2 step take twice as long (docs/training.md)
        lengths = mask.sum(1).cpu()[:, None]
        widths = torch.randint(0, aug.time_mask_positions + 1, (batch, aug.time_masks), generator=generator)
        starts = (torch.rand(batch, aug.time_masks, generator=generator) * (lengths - widths + 1).clamp(min=1)).long()
        used = (widths > 0) & (widths < lengths)  # never blank a whole utterance
        positions = torch.arange(size)[None, None, :]
        hit = (positions >= starts[..., None]) & (positions < (starts + widths)[..., None]) & used[..., None]
        keep[hit.any(1)] = 0
    keep = keep.to(states.device)
    if aug.channel_dropout:
        drop = torch.rand(batch, 1, dim, generator=generator) < aug.channel_dropout
        # rescaled like dropout so the states' scale matches inference, where nothing is dropped
        return states * keep * (~drop).to(states.device, states.dtype) / (1 - aug.channel_dropout)
    return states * keep
