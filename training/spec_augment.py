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
    keep = torch.ones(batch, size, 1, device=states.device, dtype=states.dtype)
    lengths = mask.sum(1).cpu()
    positions = torch.arange(size)
    for row in range(batch):
        for _ in range(aug.time_masks):
            width = int(torch.randint(0, aug.time_mask_positions + 1, (1,), generator=generator))
            length = int(lengths[row])
            if width == 0 or width >= length:
                continue
            start = int(torch.randint(0, length - width + 1, (1,), generator=generator))
            keep[row, (positions >= start) & (positions < start + width)] = 0
    if aug.channel_dropout:
        drop = torch.rand(batch, 1, dim, generator=generator) < aug.channel_dropout
        # rescaled like dropout so the states' scale matches inference, where nothing is dropped
        return states * keep * (~drop).to(states.device, states.dtype) / (1 - aug.channel_dropout)
    return states * keep
