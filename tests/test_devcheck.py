"""The dev check's reading of what the speech side hears: CTC's greedy pieces and their error rate."""

from __future__ import annotations

import torch

from training.devcheck import edit_distance, greedy_pieces


def test_greedy_pieces_merge_repeats_drop_blanks_and_map_to_word_piece_ids() -> None:
    # frames: blank, a, a, blank, a, b, (padding) -> a a b ; column c is vocab row c - 1
    best = [0, 1, 1, 0, 1, 2, 2]
    logits = torch.full((1, 7, 3), -5.0)
    logits[0, torch.arange(7), torch.tensor(best)] = 5.0
    mask = torch.tensor([[True] * 6 + [False]])
    assert greedy_pieces(logits, mask, torch.tensor([1000, 2000])) == [[1000, 1000, 2000]]
    assert greedy_pieces(logits, mask, torch.zeros(0, dtype=torch.long)) == [[0, 0, 1]]  # the whole vocabulary


def test_edit_distance_counts_insertions_deletions_and_substitutions() -> None:
    assert edit_distance([1, 2, 3], [1, 2, 3]) == 0
    assert edit_distance([1, 3], [1, 2, 3]) == 1
    assert edit_distance([1, 9, 3, 4], [1, 2, 3]) == 2
    assert edit_distance([], [5, 6]) == 2
