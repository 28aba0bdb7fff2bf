"""Manifest records -> batches of cached encoder states, transcripts, passages and labels."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from training.features import feature_path

MAX_SECONDS = 30.0


def read_manifest(data_dir: Path, split: str = "train", kinds: tuple[str, ...] = ("query", "read", "sentence"),
                  max_items: int | None = None, seed: int = 0) -> list[dict]:
    path = data_dir / "manifest.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no manifest; make the data first with `seal data build --out {data_dir}`")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r["split"] == split and r["kind"] in kinds]
    # Whisper's encoder reads at most 30 s; a longer clip (a build made before the builder refused them)
    # is left out rather than stopping a run after its encoder cache
    records = [r for r in records if r.get("seconds", 0.0) <= MAX_SECONDS]
    records.sort(key=lambda r: r["id"])  # the manifest's order depends on thread timing; ours must not
    if max_items is not None:
        random.Random(seed).shuffle(records)
        records = sorted(records[:max_items], key=lambda r: r["id"])
    if not records:
        raise ValueError(f"{path}: no {split} utterances of kind {'/'.join(kinds)}")
    return records


def read_passages(data_dir: Path) -> dict[str, dict]:
    path = data_dir / "passages.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no passages; make the data first with `seal data build --out {data_dir}`")
    return {p["id"]: p for p in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())}


@dataclass
class Batch:
    states: torch.Tensor  # (B, T, enc_dim) cached encoder output, zero-padded
    mask: torch.Tensor  # (B, T) True on real frames
    indices: list[int]  # positions in the dataset's record list

    def to(self, device: str) -> "Batch":
        return Batch(self.states.to(device, non_blocking=True), self.mask.to(device), self.indices)


class FeatureDataset(torch.utils.data.Dataset):
    def __init__(self, records: list[dict], features: Path) -> None:
        self.records, self.features = records, features

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> tuple[int, np.ndarray]:
        return index, np.load(feature_path(self.features, self.records[index]["id"]))


def collate(items: list[tuple[int, np.ndarray]]) -> Batch:
    lengths = [len(states) for _, states in items]
    dim = items[0][1].shape[1]
    states = torch.zeros(len(items), max(lengths), dim)
    for row, (_, array) in enumerate(items):
        states[row, : len(array)] = torch.from_numpy(array.astype(np.float32))
    mask = torch.arange(max(lengths))[None, :] < torch.tensor(lengths)[:, None]
    return Batch(states, mask, [index for index, _ in items])


def epoch_batches(seconds: list[float], batch_size: int, seed: int, epoch: int, pool: int = 50) -> list[list[int]]:
    """One epoch's batches, fixed per (seed, epoch) so a resumed run sees what an uninterrupted one would.

    Shuffled, then sorted by length inside pools of ``pool`` batches: utterances of similar length
    share a batch, so little compute goes to padding, while batch order stays random.
    """
    rng = random.Random(seed * 100_003 + epoch)
    order = list(range(len(seconds)))
    rng.shuffle(order)
    batches = []
    for start in range(0, len(order), batch_size * pool):
        chunk = sorted(order[start : start + batch_size * pool], key=lambda i: seconds[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    batches = [b for b in batches if len(b) == batch_size] or batches[:1]  # no ragged last batch
    rng.shuffle(batches)
    return batches
