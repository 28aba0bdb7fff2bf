"""Small collections are searched exactly (``exact_search_below``): every point scored, so the top hits
are the true nearest ones, not the HNSW graph's approximation."""

from __future__ import annotations

import numpy as np

from retrieval.store import FileChunk, KnowledgeStore, StoreConfig

POINTS, DIM = 8_000, 384  # past Qdrant Edge's indexing threshold (~7,000 points): an HNSW graph exists


def _fill(store: KnowledgeStore, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((POINTS, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.ensure_collection("kb", {"seal": DIM, "text": DIM})
    for first in range(0, POINTS, 2_000):
        rows = range(first, min(first + 2_000, POINTS))
        chunks = [FileChunk(f"passage {i}", "f", "f", f"r{i}", key=f"f\x00{i}") for i in rows]
        block = vectors[first : first + len(chunks)]
        store.upsert("kb", chunks, {"seal": block, "text": block})
    return vectors


def test_a_small_collection_returns_the_true_nearest_passages(tmp_path):
    rng = np.random.default_rng(0)
    with KnowledgeStore(StoreConfig(data_dir=tmp_path)) as store:
        vectors = _fill(store, rng)
        assert store._exact("kb")  # 8,000 < 20,000
        for _ in range(20):
            query = vectors[rng.integers(POINTS)] + 0.5 * rng.standard_normal(DIM).astype(np.float32)
            hits = store.search("kb", query, using="seal", k=10)
            truth = np.argsort(-(vectors @ (query / np.linalg.norm(query))))[:10]
            assert [h.text for h in hits] == [f"passage {i}" for i in truth]


def test_the_rule_follows_the_setting_and_the_collection_size(tmp_path):
    with KnowledgeStore(StoreConfig(data_dir=tmp_path, exact_search_below=3)) as store:
        store.ensure_collection("kb", {"seal": 4, "text": 4})
        chunks = [FileChunk(f"p{i}", "f", "f", f"r{i}", key=f"f\x00{i}") for i in range(2)]
        store.upsert("kb", chunks, {"seal": np.eye(4, dtype=np.float32)[:2], "text": np.eye(4, dtype=np.float32)[:2]})
        assert store._exact("kb")
        more = [FileChunk(f"q{i}", "g", "g", f"s{i}", key=f"g\x00{i}") for i in range(2)]
        store.upsert("kb", more, {"seal": np.eye(4, dtype=np.float32)[2:], "text": np.eye(4, dtype=np.float32)[2:]})
        assert not store._exact("kb")  # a write forgets the cached size: 4 points now
        assert [h.text for h in store.search("kb", [1, 0, 0, 0], k=1)] == ["p0"]
    with KnowledgeStore(StoreConfig(data_dir=tmp_path / "never", exact_search_below=0)) as store:
        assert not store._exact("anything")  # 0: always the HNSW graph, no count asked
