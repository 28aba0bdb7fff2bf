"""SpecAugment on cached encoder states (training/spec_augment.py): masks fall inside each
utterance, padding is never touched, and the default config changes nothing."""

from __future__ import annotations

import torch

from training.config import AugmentSection
from training.spec_augment import augment_states


def _batch():
    states = torch.randn(3, 50, 8)
    lengths = torch.tensor([50, 30, 12])
    mask = torch.arange(50)[None, :] < lengths[:, None]
    return states * mask[..., None], mask


def test_default_config_leaves_the_states_alone():
    states, mask = _batch()
    assert augment_states(states, mask, AugmentSection()) is states


def test_time_masks_zero_spans_inside_each_utterance_only():
    states, mask = _batch()
    aug = AugmentSection(time_masks=2, time_mask_positions=6)
    out = augment_states(states, mask, aug, torch.Generator().manual_seed(0))
    zeroed = (out == 0).all(-1) & mask
    assert 0 < zeroed.sum() <= 3 * 2 * 6
    assert (zeroed.sum(1) <= 12).all()
    kept = ~zeroed & mask
    assert torch.equal(out[kept], states[kept])  # everything not masked is untouched


def test_channel_dropout_drops_whole_channels_and_keeps_the_scale():
    states, mask = _batch()
    aug = AugmentSection(channel_dropout=0.5)
    out = augment_states(torch.ones_like(states), mask, aug, torch.Generator().manual_seed(1))
    values = set(out[mask].unique().tolist())
    assert values <= {0.0, 2.0} and values == {0.0, 2.0}
    per_channel = out[0, :50]
    assert ((per_channel == 0).all(0) | (per_channel == 2).all(0)).all()  # a channel goes for the whole utterance
