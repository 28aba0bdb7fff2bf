"""Stage 2's frozen text-tower vectors are kept by text, so a grown build encodes only its new texts."""

from __future__ import annotations

from pathlib import Path

import torch

from training.stage2 import TextVectorStore


def _encoder(calls: list[list[str]]):
    def encode(texts: list[str]) -> torch.Tensor:
        calls.append(list(texts))
        return torch.tensor([[float(len(t)), float(t.count("a"))] for t in texts])
    return encode


def test_only_texts_never_seen_are_encoded_and_rows_follow_the_order_asked(tmp_path: Path) -> None:
    path = tmp_path / "text-m" / "vectors.pt"
    calls: list[list[str]] = []
    first = TextVectorStore(path).lookup(["banana", "kiwi", "banana"], _encoder(calls))
    assert calls == [["banana", "kiwi"]]  # duplicates encoded once
    assert first.tolist() == [[6.0, 3.0], [4.0, 0.0], [6.0, 3.0]]

    grown = TextVectorStore(path).lookup(["kiwi", "apple", "banana"], _encoder(calls))  # a new process: from the file
    assert calls[1:] == [["apple"]]
    assert grown.tolist() == [[4.0, 0.0], [5.0, 1.0], [6.0, 3.0]]

    assert TextVectorStore(path).lookup(["apple"], _encoder(calls)).tolist() == [[5.0, 1.0]]
    assert len(calls) == 2 and not path.with_suffix(".tmp").exists()
