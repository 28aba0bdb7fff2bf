"""Scratch collections of random unit vectors, to show how search cost grows with the knowledge base.

The vectors are random (uniform on the unit sphere), upserted straight into a scratch collection with
the same two named vectors, distance and payload fields as a real knowledge base: search cost depends
on the number and size of the vectors, not on what they mean. Nothing of the user's data is touched.

Embedded Qdrant ("local mode") keeps every vector in memory and, with a path, also writes each point to
SQLite; its search is the same code either way. The scratch collections therefore live in an in-memory
local client (building 100k points through SQLite would take many minutes and measure nothing we
report). With ``SEAL_QDRANT_URL`` set they go to that server instead, under ``bench-scratch-*`` names
that are dropped afterwards.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient

from retrieval.store import VECTORS, FileChunk, KnowledgeStore, StoreConfig

BATCH = 2000


def scratch_store(config: StoreConfig, scratch_dir: Path) -> KnowledgeStore:
    """A ``KnowledgeStore`` for benchmark collections: in-memory local mode, or the configured server."""
    if config.qdrant_url:
        return KnowledgeStore(config)
    store = KnowledgeStore(replace(config, data_dir=Path(scratch_dir)))
    if not _is_local_mode(store.client):
        return store  # another embedded engine: measure it as it is, on disk in the scratch folder
    # Same KnowledgeStore code path (search, payloads); only the client's storage is memory, not SQLite.
    store.engine.client.close()
    store.engine.client = QdrantClient(location=":memory:")
    store.location = store.engine.location = ":memory: (local mode)"
    return store


def _is_local_mode(client: object) -> bool:
    from qdrant_client.local.qdrant_local import QdrantLocal

    return isinstance(client, QdrantClient) and isinstance(getattr(client, "_client", None), QdrantLocal)


def collection_name(size: int) -> str:
    return f"bench-scratch-{size}-{uuid.uuid4().hex[:6]}"


def fill_random(
    store: KnowledgeStore,
    collection: str,
    size: int,
    dims: dict[str, int],
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> float:
    """Create ``collection`` with ``size`` random unit vectors per named vector; returns seconds taken."""
    started = time.perf_counter()
    store.ensure_collection(collection, dims)
    rng = np.random.default_rng(seed)
    for first in range(0, size, BATCH):
        count = min(BATCH, size - first)
        vectors = {name: unit(rng.standard_normal((count, dim)).astype(np.float32)) for name, dim in dims.items()}
        chunks = [
            FileChunk(f"random passage {i}", "bench", "bench", f"r{i}", key=f"bench\x00{i}") for i in range(first, first + count)
        ]
        store.upsert(collection, chunks, vectors)  # the store's own write path, whatever engine it uses
        if progress:
            progress(count)
    return time.perf_counter() - started


def unit(x: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (random normal rows become uniform on the sphere)."""
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def time_searches(
    store: KnowledgeStore, collection: str, queries: dict[str, np.ndarray], k: int, repeats: int
) -> dict[str, list[float]]:
    """Milliseconds of ``store.search`` for each query vector, per named vector space (``seal``/``text``)."""
    return time_each(lambda name, vector: store.search(collection, vector, using=name, k=k), queries, repeats)


def time_each(search: Callable[[str, np.ndarray], Any], queries: dict[str, np.ndarray], repeats: int = 1) -> dict[str, list[float]]:
    """Milliseconds of ``search(name, vector)`` for each query vector of each named space, ``repeats`` rounds."""
    out: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(repeats):
        for name, matrix in queries.items():
            for vector in matrix:
                started = time.perf_counter()
                search(name, vector)
                out[name].append((time.perf_counter() - started) * 1000)
    return out


def drop_quietly(store: KnowledgeStore, collection: str) -> None:
    try:
        store.drop(collection)
    except Exception:  # noqa: BLE001 - cleanup of a scratch collection must not hide the results
        pass


__all__ = ["VECTORS", "scratch_store", "collection_name", "fill_random", "unit", "time_searches", "time_each", "drop_quietly"]
